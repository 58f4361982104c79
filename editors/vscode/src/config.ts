// Settings → what the server receives. Pure: no `vscode` import, unit-tested under node.
//
// The server gets the same settings object in two places:
//   * `initializationOptions` = { trusted, client, ...settings }  (settings keys at the top level)
//   * `workspace/didChangeConfiguration` params = { settings: { codomyrmex: settings } }
//     (and `workspace/configuration` for section "codomyrmex" answers `settings`)
// `settings` uses the field names of the YAML files (snake_case: providers, models, privacy, ai,
// rules, index), so the server can merge it as one more configuration layer with user trust.

export type ProviderKind = "ollama" | "openai" | "anthropic" | "gemini";

/** A provider as configured in VS Code settings (camelCase, no key). */
export interface ProviderSetting {
  enabled?: boolean;
  kind?: ProviderKind;
  baseUrl?: string;
  defaultModel?: string;
  local?: boolean;
  timeoutS?: number;
  maxRetries?: number;
}

/** The `codomyrmex.*` settings the server cares about, as read from VS Code. */
export interface ExtensionSettings {
  providers: Record<string, ProviderSetting>;
  modelRoles: Record<string, string | string[]>;
  privacyMode: "redact" | "local-only" | "off";
  localOnlyPaths: string[];
  aiEnabled: boolean;
  aiHover: boolean;
  ruleSeverity: Record<string, string>;
  rulePaths: string[];
  indexEnabled: boolean;
}

/** A provider as the server reads it (providers.yaml field names). */
export interface ServerProvider {
  enabled?: boolean;
  kind?: ProviderKind;
  base_url?: string;
  api_key?: string;
  default_model?: string;
  local?: boolean;
  timeout_s?: number;
  max_retries?: number;
}

export interface ServerSettings {
  providers: Record<string, ServerProvider>;
  models: { roles: Record<string, string | string[]> };
  privacy: { mode: string; local_only_paths: string[] };
  ai: { enabled: boolean; hover: boolean };
  rules: { severity: Record<string, string>; paths: string[] };
  index: { enabled: boolean };
}

export interface InitializationOptions extends ServerSettings {
  /** false in an untrusted workspace: no AI, no `.codomyrmex/` rules or actions from the workspace. */
  trusted: boolean;
  client: { name: string; version: string; extension_version: string };
}

export const DEFAULT_SETTINGS: ExtensionSettings = {
  providers: {},
  modelRoles: {},
  privacyMode: "redact",
  localOnlyPaths: [],
  aiEnabled: true,
  aiHover: true,
  ruleSeverity: {},
  rulePaths: [],
  indexEnabled: true,
};

/** Providers whose API key the "Set API key" command offers (any configured name is accepted too). */
export const KEYED_PROVIDERS = ["openai", "anthropic", "gemini"] as const;

/** SecretStorage key under which a provider's API key is kept. */
export function secretKeyFor(provider: string): string {
  return `codomyrmex.apiKey.${provider}`;
}

const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Whether `name` is usable as a provider name (a YAML key, a SecretStorage suffix). */
export function isValidProviderName(name: string): boolean {
  return PROVIDER_NAME.test(name);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/**
 * Reads raw values (whatever `getConfiguration("codomyrmex").get(...)` returned, possibly junk
 * from a hand-edited settings.json) into typed settings, dropping what does not type-check.
 */
export function readSettings(get: (key: string) => unknown): ExtensionSettings {
  const s: ExtensionSettings = structuredClone(DEFAULT_SETTINGS);
  const providers = get("providers");
  if (isPlainObject(providers)) {
    for (const [name, raw] of Object.entries(providers)) {
      if (!isValidProviderName(name) || !isPlainObject(raw)) continue;
      const p: ProviderSetting = {};
      if (typeof raw.enabled === "boolean") p.enabled = raw.enabled;
      if (typeof raw.kind === "string" && ["ollama", "openai", "anthropic", "gemini"].includes(raw.kind)) {
        p.kind = raw.kind as ProviderKind;
      }
      if (typeof raw.baseUrl === "string" && raw.baseUrl !== "") p.baseUrl = raw.baseUrl;
      if (typeof raw.defaultModel === "string" && raw.defaultModel !== "") p.defaultModel = raw.defaultModel;
      if (typeof raw.local === "boolean") p.local = raw.local;
      if (typeof raw.timeoutS === "number" && raw.timeoutS > 0) p.timeoutS = raw.timeoutS;
      if (typeof raw.maxRetries === "number" && Number.isInteger(raw.maxRetries) && raw.maxRetries >= 0) {
        p.maxRetries = raw.maxRetries;
      }
      s.providers[name] = p;
    }
  }
  const roles = get("models.roles");
  if (isPlainObject(roles)) {
    for (const [role, v] of Object.entries(roles)) {
      if (typeof v === "string") s.modelRoles[role] = v;
      else if (Array.isArray(v)) s.modelRoles[role] = stringArray(v);
    }
  }
  const mode = get("privacy.mode");
  if (mode === "redact" || mode === "local-only" || mode === "off") s.privacyMode = mode;
  s.localOnlyPaths = stringArray(get("privacy.localOnlyPaths"));
  const aiEnabled = get("ai.enabled");
  if (typeof aiEnabled === "boolean") s.aiEnabled = aiEnabled;
  const aiHover = get("ai.hover");
  if (typeof aiHover === "boolean") s.aiHover = aiHover;
  const sev = get("rules.severity");
  if (isPlainObject(sev)) {
    for (const [rule, v] of Object.entries(sev)) {
      if (typeof v === "string" && ["error", "warning", "info", "hint", "off"].includes(v)) s.ruleSeverity[rule] = v;
    }
  }
  s.rulePaths = stringArray(get("rules.paths"));
  const idx = get("index.enabled");
  if (typeof idx === "boolean") s.indexEnabled = idx;
  return s;
}

/**
 * The `settings` object sent to the server.
 *
 * `keys` maps provider name → API key (from SecretStorage). Keys are only attached when the
 * workspace is trusted; in an untrusted workspace AI is off and no key is handed over at all.
 */
export function toServerSettings(
  s: ExtensionSettings,
  keys: Record<string, string>,
  trusted: boolean,
): ServerSettings {
  const providers: Record<string, ServerProvider> = {};
  for (const [name, p] of Object.entries(s.providers)) {
    const out: ServerProvider = {};
    if (p.enabled !== undefined) out.enabled = p.enabled;
    if (p.kind !== undefined) out.kind = p.kind;
    if (p.baseUrl !== undefined) out.base_url = p.baseUrl;
    if (p.defaultModel !== undefined) out.default_model = p.defaultModel;
    if (p.local !== undefined) out.local = p.local;
    if (p.timeoutS !== undefined) out.timeout_s = p.timeoutS;
    if (p.maxRetries !== undefined) out.max_retries = p.maxRetries;
    providers[name] = out;
  }
  if (trusted) {
    for (const [name, key] of Object.entries(keys)) {
      if (!isValidProviderName(name) || key === "") continue;
      providers[name] = { ...(providers[name] ?? {}), api_key: key };
    }
  }
  return {
    providers,
    models: { roles: { ...s.modelRoles } },
    privacy: { mode: s.privacyMode, local_only_paths: [...s.localOnlyPaths] },
    ai: { enabled: trusted && s.aiEnabled, hover: trusted && s.aiEnabled && s.aiHover },
    rules: { severity: { ...s.ruleSeverity }, paths: [...s.rulePaths] },
    index: { enabled: s.indexEnabled },
  };
}

export function buildInitializationOptions(
  s: ExtensionSettings,
  keys: Record<string, string>,
  trusted: boolean,
  client: { name: string; version: string; extensionVersion: string },
): InitializationOptions {
  return {
    trusted,
    client: { name: client.name, version: client.version, extension_version: client.extensionVersion },
    ...toServerSettings(s, keys, trusted),
  };
}

/** The provider the status bar names: the first enabled one, local ones first, like the server's fallback. */
export function primaryProvider(s: ExtensionSettings): string {
  const enabled = Object.entries(s.providers).filter(([, p]) => p.enabled);
  const local = enabled.filter(([name, p]) => p.local === true || (p.kind ?? name) === "ollama");
  if (local.length > 0) return local[0][0];
  if (enabled.length > 0) return enabled[0][0];
  // Nothing configured in VS Code: the shipped defaults enable Ollama only.
  const ollama = s.providers["ollama"];
  return ollama && ollama.enabled === false ? "none" : "ollama";
}

/** Environment for the server process: the user's env, extra vars, and the log level. */
export function serverEnv(
  base: Record<string, string | undefined>,
  extra: Record<string, unknown>,
  logLevel: string,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(extra)) {
    // Keys go through SecretStorage, never through settings-provided env.
    if (typeof v === "string" && !/_API_KEY$/i.test(k)) env[k] = v;
  }
  env.CODOMYRMEX_LOG_LEVEL = logLevel;
  return env;
}
