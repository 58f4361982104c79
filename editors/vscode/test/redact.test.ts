import { test } from "node:test";
import * as assert from "node:assert/strict";
import { redactingChannel, redactSecrets } from "../src/redact";
import { buildInitializationOptions, readSettings } from "../src/config";

test("api keys are redacted in pretty and compact JSON", () => {
  const init = buildInitializationOptions(readSettings(() => undefined), { openai: "sk-live-abc\"def", anthropic: "ak-1" }, true, {
    name: "VS Code", version: "1.100.3", extensionVersion: "0.1.0",
  });
  for (const text of [JSON.stringify(init), JSON.stringify({ params: { initializationOptions: init } }, null, 4)]) {
    const out = redactSecrets(text);
    assert.ok(!out.includes("sk-live"), out);
    assert.ok(!out.includes("ak-1"), out);
    assert.ok(out.includes('"api_key": "<redacted>"') || out.includes('"api_key":"<redacted>"'), out);
    assert.ok(out.includes("openai"));
  }
});

test("other text is untouched; empty keys stay empty", () => {
  assert.equal(redactSecrets('{"model":"gpt-4o-mini","api_key":""}'), '{"model":"gpt-4o-mini","api_key":""}');
  assert.equal(redactSecrets("[Trace] Sending request 'initialize - (0)'."), "[Trace] Sending request 'initialize - (0)'.");
});

test("the redacting channel filters append and appendLine, passes the rest through", () => {
  const lines: string[] = [];
  const inner = {
    name: "trace",
    append: (v: string) => lines.push(v),
    appendLine: (v: string) => lines.push(v + "\n"),
    clear: () => lines.splice(0),
  };
  const ch = redactingChannel(inner);
  ch.append('{"api_key": "sk-1"}');
  ch.appendLine('{"apiKey":"sk-2"}');
  assert.deepEqual(lines, ['{"api_key": "<redacted>"}', '{"apiKey":"<redacted>"}\n']);
  assert.equal(ch.name, "trace");
  ch.clear();
  assert.equal(lines.length, 0);
});
