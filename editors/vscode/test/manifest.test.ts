// Checks package.json against the security rules in shared/notes/security.md and the server's commands.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SERVER_COMMANDS } from "../src/commands";

const root = path.resolve(__dirname, "..", "..");
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const props: Record<string, { scope?: string }> = pkg.contributes.configuration.properties;

// Anything that picks an endpoint, a model, a key, a privacy level or an executable.
const SENSITIVE = /^codomyrmex\.(providers|models\.|privacy\.)/;
const EXECUTABLE = /^codomyrmex\.(server\.(path|args|env)|rules\.paths)$/;

test("endpoint, model-routing, key and privacy settings are application-scoped", () => {
  const sensitive = Object.keys(props).filter((k) => SENSITIVE.test(k));
  assert.ok(sensitive.length >= 4, `expected sensitive settings, got ${sensitive}`);
  for (const k of sensitive) assert.equal(props[k].scope, "application", k);
});

test("executable and rule-path settings are machine-scoped", () => {
  for (const k of Object.keys(props).filter((k) => EXECUTABLE.test(k))) {
    assert.ok(props[k].scope === "machine" || props[k].scope === "application", `${k}: ${props[k].scope}`);
  }
});

test("every sensitive or executable setting is a restricted configuration", () => {
  const restricted: string[] = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
  assert.equal(pkg.capabilities.untrustedWorkspaces.supported, "limited");
  for (const k of Object.keys(props).filter((k) => SENSITIVE.test(k) || EXECUTABLE.test(k))) {
    assert.ok(restricted.includes(k), `${k} missing from restrictedConfigurations`);
  }
  for (const k of restricted) assert.ok(k in props, `restricted ${k} is not a declared setting`);
});

test("no setting holds an API key", () => {
  for (const k of Object.keys(props)) assert.ok(!/key|token|secret/i.test(k), k);
  const provider = (props["codomyrmex.providers"] as any).additionalProperties;
  assert.equal(provider.additionalProperties, false);
  for (const k of Object.keys(provider.properties)) assert.ok(!/key|token|secret/i.test(k), k);
});

test("contributed commands are registered by name, never clash with server commands, AI ones need trust", () => {
  const ids: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command);
  const server = Object.values(SERVER_COMMANDS) as string[];
  for (const id of ids) assert.ok(!server.includes(id), `${id} clashes with a server command that vscode-languageclient registers`);
  const src = fs.readFileSync(path.join(root, "src", "extension.ts"), "utf8");
  for (const id of ids) assert.ok(src.includes(`"${id}"`), `${id} is not registered in extension.ts`);
  for (const c of pkg.contributes.commands) {
    if (["codomyrmex.refactorWithAi", "codomyrmex.explain", "codomyrmex.document", "codomyrmex.writeTests", "codomyrmex.runWorkflow"].includes(c.command)) {
      assert.equal(c.enablement, "isWorkspaceTrusted", c.command);
    }
  }
  for (const want of ["Refactor with AI…", "Explain", "Document", "Write tests", "Run workflow…", "Rebuild index", "Show audit log", "Doctor", "Set API key…"]) {
    assert.ok(pkg.contributes.commands.some((c: { title: string }) => c.title === want), want);
  }
});

test("packaging prerequisites: LICENSE, main entry, engine matches the languageclient", () => {
  assert.ok(fs.existsSync(path.join(root, "LICENSE")));
  assert.equal(pkg.main, "./out/src/extension.js");
  assert.equal(pkg.dependencies["vscode-languageclient"].split(".")[0], "9");
  assert.match(pkg.engines.vscode, /^\^1\.(8[2-9]|9\d|\d{3})/);
});
