import { test } from "node:test";
import * as assert from "node:assert/strict";
import {
  buildInitializationOptions,
  DEFAULT_SETTINGS,
  isValidProviderName,
  primaryProvider,
  readSettings,
  secretKeyFor,
  serverEnv,
  toServerSettings,
} from "../src/config";

function getter(values: Record<string, unknown>): (k: string) => unknown {
  return (k) => values[k];
}

test("defaults when nothing is set", () => {
  const s = readSettings(getter({}));
  assert.deepEqual(s, DEFAULT_SETTINGS);
  const init = buildInitializationOptions(s, {}, true, { name: "Visual Studio Code", version: "1.100.3", extensionVersion: "0.1.0" });
  assert.equal(init.trusted, true);
  assert.deepEqual(init.client, { name: "Visual Studio Code", version: "1.100.3", extension_version: "0.1.0" });
  const { trusted: _t, client: _c, ...settings } = init;
  assert.deepEqual(settings, {
    providers: {},
    models: { roles: {} },
    privacy: { mode: "redact", local_only_paths: [] },
    ai: { enabled: true, hover: true },
    rules: { severity: {}, paths: [] },
    index: { enabled: true },
  });
});

test("provider settings map to providers.yaml field names", () => {
  const s = readSettings(
    getter({
      providers: {
        ollama: { enabled: true, baseUrl: "http://127.0.0.1:11434", defaultModel: "llama3.2" },
        "my-llamacpp": { kind: "openai", baseUrl: "http://127.0.0.1:8080/v1", local: true, timeoutS: 30, maxRetries: 1 },
      },
      "models.roles": { edit: ["my-llamacpp/qwen", "ollama/llama3.2"], explain: "ollama/llama3.2" },
      "privacy.mode": "local-only",
      "privacy.localOnlyPaths": ["internal/**"],
      "rules.severity": { "python.bare-except": "off" },
    }),
  );
  const out = toServerSettings(s, {}, true);
  assert.deepEqual(out.providers, {
    ollama: { enabled: true, base_url: "http://127.0.0.1:11434", default_model: "llama3.2" },
    "my-llamacpp": { kind: "openai", base_url: "http://127.0.0.1:8080/v1", local: true, timeout_s: 30, max_retries: 1 },
  });
  assert.deepEqual(out.models.roles, { edit: ["my-llamacpp/qwen", "ollama/llama3.2"], explain: "ollama/llama3.2" });
  assert.deepEqual(out.privacy, { mode: "local-only", local_only_paths: ["internal/**"] });
  assert.deepEqual(out.rules.severity, { "python.bare-except": "off" });
});

test("junk values from a hand-edited settings.json are dropped", () => {
  const s = readSettings(
    getter({
      providers: { "bad name!": { enabled: true }, openai: { enabled: "yes", kind: "evil", baseUrl: 3, maxRetries: -1 }, x: [] },
      "models.roles": { edit: 7 },
      "privacy.mode": "none",
      "privacy.localOnlyPaths": ["a", 1, null],
      "ai.enabled": "false",
      "rules.severity": { r: "fatal" },
    }),
  );
  assert.deepEqual(s.providers, { openai: {} });
  assert.deepEqual(s.modelRoles, {});
  assert.equal(s.privacyMode, "redact");
  assert.deepEqual(s.localOnlyPaths, ["a"]);
  assert.equal(s.aiEnabled, true);
  assert.deepEqual(s.ruleSeverity, {});
});

test("API keys are attached only in a trusted workspace", () => {
  const s = readSettings(getter({ providers: { openai: { enabled: true } } }));
  const trusted = toServerSettings(s, { openai: "sk-test", anthropic: "ak-test", "bad name": "x", gemini: "" }, true);
  assert.deepEqual(trusted.providers, { openai: { enabled: true, api_key: "sk-test" }, anthropic: { api_key: "ak-test" } });
  const untrusted = toServerSettings(s, { openai: "sk-test" }, false);
  assert.deepEqual(untrusted.providers, { openai: { enabled: true } });
  assert.ok(!JSON.stringify(untrusted).includes("sk-test"));
});

test("an untrusted workspace turns AI and AI hover off", () => {
  const s = readSettings(getter({ "ai.enabled": true, "ai.hover": true }));
  const init = buildInitializationOptions(s, {}, false, { name: "code-server", version: "1.100.3", extensionVersion: "0.1.0" });
  assert.equal(init.trusted, false);
  assert.deepEqual(init.ai, { enabled: false, hover: false });
  const hoverOff = toServerSettings(readSettings(getter({ "ai.hover": false })), {}, true);
  assert.deepEqual(hoverOff.ai, { enabled: true, hover: false });
});

test("keys never appear in readSettings output even if put in settings", () => {
  const s = readSettings(getter({ providers: { openai: { enabled: true, apiKey: "sk-in-settings", api_key: "sk2" } } }));
  assert.ok(!JSON.stringify(toServerSettings(s, {}, true)).includes("sk-in-settings"));
  assert.ok(!JSON.stringify(toServerSettings(s, {}, true)).includes("sk2"));
});

test("primary provider: local first, then first enabled, default ollama", () => {
  assert.equal(primaryProvider(readSettings(getter({}))), "ollama");
  assert.equal(primaryProvider(readSettings(getter({ providers: { openai: { enabled: true } } }))), "openai");
  assert.equal(
    primaryProvider(readSettings(getter({ providers: { openai: { enabled: true }, lc: { enabled: true, kind: "openai", local: true } } }))),
    "lc",
  );
  assert.equal(primaryProvider(readSettings(getter({ providers: { ollama: { enabled: false } } }))), "none");
});

test("provider names and secret keys", () => {
  assert.ok(isValidProviderName("my-llamacpp"));
  assert.ok(!isValidProviderName("../x"));
  assert.ok(!isValidProviderName(""));
  assert.equal(secretKeyFor("openai"), "codomyrmex.apiKey.openai");
});

test("server env: log level set, *_API_KEY from settings refused", () => {
  const env = serverEnv({ PATH: "/usr/bin", HOME: "/h", UNSET: undefined }, { OLLAMA_HOST: "127.0.0.1:11434", OPENAI_API_KEY: "sk", n: 3 }, "debug");
  assert.deepEqual(env, { PATH: "/usr/bin", HOME: "/h", OLLAMA_HOST: "127.0.0.1:11434", CODOMYRMEX_LOG_LEVEL: "debug" });
});
