// Keeps API keys out of the LSP trace: the initialize request and didChangeConfiguration carry
// them, and "codomyrmex.trace.server": "verbose" would print them. Pure; unit-tested.

const KEY_FIELD = /("(?:api_key|apiKey|api-key|authorization|token)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;

export function redactSecrets(text: string): string {
  return text.replace(KEY_FIELD, (_m, a: string, v: string, b: string) => (v === "" ? a + b : `${a}<redacted>${b}`));
}

/** The subset of vscode.OutputChannel vscode-languageclient writes traces to. */
export interface TextSink {
  append(value: string): void;
  appendLine(value: string): void;
}

/** Wraps an output channel so whatever is written to it is redacted first. */
export function redactingChannel<T extends TextSink>(inner: T): T {
  return new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "append") return (v: string) => target.append(redactSecrets(v));
      if (prop === "appendLine") return (v: string) => target.appendLine(redactSecrets(v));
      const value = Reflect.get(target, prop, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
