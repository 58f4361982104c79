import { test } from "node:test";
import * as assert from "node:assert/strict";
import { StatusModel } from "../src/status";
import { aiRunArgs, resultText, validateInstruction } from "../src/commands";

test("status: provider shown when running and idle", () => {
  const s = new StatusModel();
  s.set({ server: "running", provider: "ollama" });
  assert.equal(s.render().text, "$(check) codomyrmex · ollama");
});

test("status: progress begin/report/end drives busy work and index state", () => {
  const s = new StatusModel();
  let changes = 0;
  s.onChange(() => changes++);
  s.set({ server: "running" });
  s.progress("t1", { kind: "begin", title: "Indexing", percentage: 0 });
  assert.equal(s.index, "building");
  s.progress("t1", { kind: "report", percentage: 42.4, message: "120/300 files" });
  assert.equal(s.render().text, "$(sync~spin) codomyrmex · ollama · Indexing 42%");
  assert.match(s.render().tooltip, /Running: Indexing — 120\/300 files \(42%\)/);
  s.progress(7, { kind: "begin", title: "AI rewrite" });
  assert.match(s.render().text, /2 tasks$/);
  s.progress("t1", { kind: "end" });
  assert.equal(s.index, "ready");
  s.progress(7, { kind: "end" });
  assert.equal(s.busy.length, 0);
  assert.equal(s.render().text, "$(check) codomyrmex · ollama");
  assert.ok(changes >= 6);
});

test("status: the server's 'codomyrmex: ' title prefix is not repeated", () => {
  const s = new StatusModel();
  s.set({ server: "running" });
  s.progress(1, { kind: "begin", title: "codomyrmex: indexing", percentage: 10 });
  assert.equal(s.render().text, "$(sync~spin) codomyrmex · ollama · indexing 10%");
  s.progress(1, { kind: "end", message: "indexed 2 files" });
  assert.equal(s.index, "ready");
});

test("status: index failure, unknown tokens, untrusted, missing", () => {
  const s = new StatusModel();
  s.set({ server: "running" });
  s.progress("x", { kind: "report", message: "stray" });
  s.progress("y", { kind: "end" });
  assert.equal(s.busy.length, 0);
  s.progress("i", { kind: "begin", title: "Rebuilding index" });
  s.progress("i", { kind: "end", message: "failed: disk full" });
  assert.equal(s.index, "error");
  s.set({ trusted: false });
  assert.match(s.render().text, /restricted/);
  assert.match(s.render().tooltip, /untrusted/);
  s.set({ server: "missing" });
  assert.equal(s.render().text, "$(error) codomyrmex · not installed");
  s.set({ server: "running" });
  s.progress("a", { kind: "begin", title: "AI" });
  s.clearWork();
  assert.equal(s.busy.length, 0);
});

test("ai.run arguments", () => {
  const r = { start: { line: 1, character: 0 }, end: { line: 3, character: 4 } };
  assert.deepEqual(aiRunArgs("file:///a.py", r, "rewrite", "  use pathlib  "), { uri: "file:///a.py", range: r, action: "rewrite", instruction: "use pathlib" });
  assert.deepEqual(aiRunArgs("file:///a.py", r, "explain"), { uri: "file:///a.py", range: r, action: "explain" });
  assert.deepEqual(aiRunArgs("file:///a.py", r, "tests", "   "), { uri: "file:///a.py", range: r, action: "tests" });
  assert.ok(validateInstruction("") !== undefined);
  assert.ok(validateInstruction("x".repeat(2001)) !== undefined);
  assert.equal(validateInstruction("use a dict"), undefined);
});

test("command results become text", () => {
  assert.equal(resultText(undefined), undefined);
  assert.equal(resultText(null), undefined);
  assert.equal(resultText("doctor ok"), "doctor ok");
  assert.equal(resultText({ kind: "markdown", value: "**x**" }), "**x**");
  assert.equal(resultText({ text: "t" }), "t");
  assert.equal(resultText([1]), "[\n  1\n]");
});
