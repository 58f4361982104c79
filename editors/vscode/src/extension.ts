// VS Code front end of the codomyrmex language server.

import * as vscode from "vscode";
import { execFile } from "node:child_process";
import {
  CancellationToken,
  ConfigurationParams,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ServerOptions,
  State,
  WorkDoneProgress,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCreateParams,
  WorkDoneProgressCreateRequest,
} from "vscode-languageclient/node";

import {
  buildInitializationOptions,
  ExtensionSettings,
  isValidProviderName,
  KEYED_PROVIDERS,
  primaryProvider,
  readSettings,
  secretKeyFor,
  serverEnv,
  toServerSettings,
} from "./config";
import { discoverFromProcess, INSTALL_COMMAND, missingBinaryMessage } from "./discovery";
import { ProgressValue, shortTitle, StatusModel } from "./status";
import { redactingChannel } from "./redact";
import { aiRunArgs, resultText, SERVER_COMMANDS, validateInstruction, WORKFLOWS, WorkflowRunArgs } from "./commands";

const LANGUAGES = [
  "python",
  "rust",
  "javascript",
  "javascriptreact",
  "typescript",
  "typescriptreact",
  "go",
  "java",
  "c",
  "cpp",
  "ruby",
  "shellscript",
  "json",
  "yaml",
  "toml",
];

let client: LanguageClient | undefined;
let serverPath: string | undefined;
let output: vscode.OutputChannel;
let traceOutput: vscode.OutputChannel;
let status: StatusModel;
let statusItem: vscode.StatusBarItem;
let ctx: vscode.ExtensionContext;

function cfg(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration("codomyrmex");
}

function currentSettings(): ExtensionSettings {
  const c = cfg();
  return readSettings((key) => c.get(key));
}

async function storedKeys(): Promise<Record<string, string>> {
  const names = new Set<string>([...KEYED_PROVIDERS, ...Object.keys(currentSettings().providers)]);
  const keys: Record<string, string> = {};
  for (const name of names) {
    const key = await ctx.secrets.get(secretKeyFor(name));
    if (key) keys[name] = key;
  }
  return keys;
}

function log(line: string): void {
  output.appendLine(`[client ${new Date().toISOString()}] ${line}`);
}

// ---------------------------------------------------------------- server lifecycle

async function startClient(): Promise<void> {
  const settings = currentSettings();
  const trusted = vscode.workspace.isTrusted;
  status.set({ server: "starting", provider: primaryProvider(settings), trusted });

  const found = discoverFromProcess(cfg().get<string>("server.path") ?? "");
  if (!found.found) {
    status.set({ server: "missing" });
    const msg = missingBinaryMessage(found);
    log(`${msg}\nLooked in:\n  ${found.tried.join("\n  ")}`);
    // Not awaited: activation must not wait for the user to dismiss the notification.
    void vscode.window.showErrorMessage(msg, "Copy install command", "Open settings", "Show log").then(async (choice) => {
      if (choice === "Copy install command") {
        await vscode.env.clipboard.writeText(INSTALL_COMMAND);
      } else if (choice === "Open settings") {
        await vscode.commands.executeCommand("workbench.action.openSettings", "codomyrmex.server.path");
      } else if (choice === "Show log") {
        output.show(true);
      }
    });
    return;
  }
  serverPath = found.path;
  const args = cfg().get<string[]>("server.args") ?? ["lsp"];
  const env = serverEnv(process.env, cfg().get<Record<string, unknown>>("server.env") ?? {}, cfg().get<string>("server.logLevel") ?? "info");
  log(`starting ${found.path} ${args.join(" ")} (found via ${found.source}; workspace ${trusted ? "trusted" : "untrusted"})`);

  const serverOptions: ServerOptions = { command: found.path, args, options: { env } };
  const keys = await storedKeys();
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    outputChannel: output,
    // The trace would show initializationOptions / didChangeConfiguration, which carry API keys.
    traceOutputChannel: redactingChannel(traceOutput),
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    initializationOptions: buildInitializationOptions(settings, keys, trusted, {
      name: vscode.env.appName,
      version: vscode.version,
      extensionVersion: ctx.extension.packageJSON.version as string,
    }),
    initializationFailedHandler: (error) => {
      log(`initialize failed: ${String(error)}`);
      status.set({ server: "failed" });
      void vscode.window
        .showErrorMessage(`Codomyrmex: the server failed to initialize: ${String(error)}`, "Show log")
        .then((c) => c && output.show(true));
      return false;
    },
    middleware: {
      workspace: {
        // Answer `workspace/configuration` for section "codomyrmex" with the same object
        // `didChangeConfiguration` sends (keys included), not with raw VS Code settings.
        configuration: async (params: ConfigurationParams, token: CancellationToken, next) => {
          const answer = await next(params, token);
          if (!Array.isArray(answer)) return answer;
          const ours = toServerSettings(currentSettings(), await storedKeys(), vscode.workspace.isTrusted);
          return params.items.map((item, i) => (item.section === "codomyrmex" ? ours : answer[i]));
        },
      },
    },
  };

  const c = new LanguageClient("codomyrmex", "Codomyrmex", serverOptions, clientOptions);
  client = c;
  c.onDidChangeState((e) => {
    if (e.newState === State.Running) status.set({ server: "running" });
    else if (e.newState === State.Stopped) {
      status.clearWork();
      if (status.server !== "failed" && status.server !== "missing") status.set({ server: "stopped" });
    }
  });
  try {
    await c.start();
  } catch (err) {
    status.set({ server: "failed" });
    log(`server failed to start: ${String(err)}`);
    void vscode.window
      .showErrorMessage(
        `Codomyrmex: the server (${found.path}) failed to start. Run \`codomyrmex doctor\` in a terminal, or set "codomyrmex.server.logLevel" to "debug" and look at the log.`,
        "Show log",
      )
      .then((choice) => choice && output.show(true));
    return;
  }
  installProgressHandler(c);
  readServerStatus(c);
}

async function stopClient(): Promise<void> {
  const c = client;
  client = undefined;
  if (c) {
    try {
      await c.stop(5000);
    } catch (err) {
      log(`stop: ${String(err)}`);
    }
  }
}

async function restartClient(): Promise<void> {
  await stopClient();
  await startClient();
}

/** Optional: the server may describe itself in `capabilities.experimental.codomyrmex`. */
function readServerStatus(c: LanguageClient): void {
  const exp = c.initializeResult?.capabilities.experimental as Record<string, unknown> | undefined;
  const info = exp?.["codomyrmex"] as Record<string, unknown> | undefined;
  if (!info) return;
  if (typeof info.provider === "string") status.set({ provider: info.provider });
  if (typeof info.index === "string" && ["unknown", "building", "ready", "off", "error"].includes(info.index)) {
    status.set({ index: info.index as StatusModel["index"] });
  }
}

/**
 * Server-created work-done progress: shown in the window (cancellable ones as a notification with
 * a Cancel button) and counted in the status bar item.
 */
function installProgressHandler(c: LanguageClient): void {
  c.onRequest(WorkDoneProgressCreateRequest.type, (params: WorkDoneProgressCreateParams) => {
    const token = params.token;
    let finish: (() => void) | undefined;
    let reportUi: ((v: ProgressValue) => void) | undefined;
    const done = new Promise<void>((resolve) => (finish = resolve));
    const sub = c.onProgress(WorkDoneProgress.type, token, (value) => {
      const v = value as ProgressValue;
      status.progress(token, v);
      if (v.kind === "begin") {
        void vscode.window.withProgress(
          {
            location: v.cancellable ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window,
            title: `codomyrmex: ${shortTitle(v.title)}`,
            cancellable: v.cancellable === true,
          },
          (progress, cancel) => {
            cancel.onCancellationRequested(() => {
              void c.sendNotification(WorkDoneProgressCancelNotification.type, { token });
            });
            let last = v.percentage ?? 0;
            progress.report({ message: v.message });
            reportUi = (r) => {
              if (r.kind !== "report") return;
              const inc = r.percentage !== undefined ? Math.max(0, r.percentage - last) : undefined;
              if (r.percentage !== undefined) last = r.percentage;
              progress.report({ message: r.message, increment: inc });
            };
            return done;
          },
        );
      } else if (v.kind === "report") {
        reportUi?.(v);
      } else {
        sub.dispose();
        finish?.();
      }
    });
  });
}

async function pushConfiguration(): Promise<void> {
  if (!client || client.state !== State.Running) return;
  const settings = toServerSettings(currentSettings(), await storedKeys(), vscode.workspace.isTrusted);
  status.set({ provider: primaryProvider(currentSettings()) });
  await client.sendNotification(DidChangeConfigurationNotification.type, { settings: { codomyrmex: settings } });
}

// ---------------------------------------------------------------- commands

function runningClient(): LanguageClient | undefined {
  if (client && client.state === State.Running) return client;
  void vscode.window.showWarningMessage("Codomyrmex: the server is not running.", "Show log").then((c) => c && output.show(true));
  return undefined;
}

async function executeServerCommand(command: string, args: unknown[], quiet = false): Promise<unknown> {
  const c = runningClient();
  if (!c) return undefined;
  try {
    return await c.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    log(`${command} failed: ${msg}`);
    if (!quiet) void vscode.window.showErrorMessage(`Codomyrmex: ${command} failed: ${msg}`);
    return undefined;
  }
}

function editorTarget(): { uri: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } } | undefined {
  const editor = vscode.window.activeTextEditor;
  const c = runningClient();
  if (!editor || !c) {
    if (!editor) void vscode.window.showInformationMessage("Codomyrmex: open a file first.");
    return undefined;
  }
  return {
    uri: c.code2ProtocolConverter.asUri(editor.document.uri),
    range: c.code2ProtocolConverter.asRange(editor.selection),
  };
}

function showResult(title: string, result: unknown): void {
  const text = resultText(result);
  if (text === undefined) return;
  output.appendLine(`--- ${title} ---`);
  output.appendLine(text);
  output.show(true);
}

async function aiAction(action: string, instruction?: string): Promise<void> {
  if (!vscode.workspace.isTrusted) {
    void vscode.window.showWarningMessage("Codomyrmex: AI actions are off in an untrusted workspace.");
    return;
  }
  const target = editorTarget();
  if (!target) return;
  const result = await executeServerCommand(SERVER_COMMANDS.aiRun, [aiRunArgs(target.uri, target.range, action, instruction)]);
  // Edits arrive as `workspace/applyEdit` (with a confirmation); anything returned is text to show.
  showResult(`AI ${action}`, result);
}

async function refactorWithAi(): Promise<void> {
  const instruction = await vscode.window.showInputBox({
    title: "Refactor with AI",
    prompt: "What should change in the selected code (or the code around the cursor)?",
    placeHolder: "e.g. use pathlib instead of os.path",
    validateInput: validateInstruction,
    ignoreFocusOut: true,
  });
  if (instruction === undefined) return;
  await aiAction("rewrite", instruction);
}

async function runWorkflow(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const c = runningClient();
  if (!editor || !c) return;
  const pick = await vscode.window.showQuickPick([...WORKFLOWS, "Other…"], { title: "Run workflow" });
  if (!pick) return;
  let name = pick;
  if (pick === "Other…") {
    const typed = await vscode.window.showInputBox({ title: "Workflow name", prompt: "A name from config/workflows/*.yaml" });
    if (!typed) return;
    name = typed.trim();
  }
  const args: WorkflowRunArgs = {
    name,
    uri: c.code2ProtocolConverter.asUri(editor.document.uri),
    range: c.code2ProtocolConverter.asRange(editor.selection),
  };
  showResult(`workflow ${name}`, await executeServerCommand(SERVER_COMMANDS.workflowRun, [args]));
}

function runCli(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    const bin = serverPath ?? discoverPath();
    if (!bin) {
      resolve(`codomyrmex binary not found; install it with \`${INSTALL_COMMAND}\`.`);
      return;
    }
    // Only warnings and errors on stderr: the CLI's stdout is the report.
    const env = serverEnv(process.env, cfg().get<Record<string, unknown>>("server.env") ?? {}, "warn");
    // Run in the workspace, so doctor and audit describe this project (not the editor's cwd).
    const cwd = vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === "file")?.uri.fsPath;
    execFile(bin, args, { env, cwd, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      let text = stdout;
      if (stderr.trim() !== "") text += (text ? "\n" : "") + stderr;
      if (err && text.trim() === "") text = `codomyrmex ${args.join(" ")} failed: ${err.message}`;
      resolve(text);
    });
  });
}

function discoverPath(): string | undefined {
  const d = discoverFromProcess(cfg().get<string>("server.path") ?? "");
  return d.found ? d.path : undefined;
}

async function doctor(): Promise<void> {
  let text: string | undefined;
  if (client && client.state === State.Running) {
    // The server's view (editor settings included); the CLI when the server cannot answer.
    text = resultText(await executeServerCommand(SERVER_COMMANDS.doctor, [], true));
  }
  if (text === undefined) text = await runCli(["doctor"]);
  output.appendLine("--- codomyrmex doctor ---");
  output.appendLine(text);
  output.show(true);
}

async function showAuditLog(): Promise<void> {
  const text = await runCli(["audit", "show"]);
  const doc = await vscode.workspace.openTextDocument({ content: text, language: "log" });
  await vscode.window.showTextDocument(doc, { preview: true });
}

async function setApiKey(): Promise<void> {
  const configured = Object.keys(currentSettings().providers);
  const names = [...new Set<string>([...KEYED_PROVIDERS, ...configured.filter((n) => n !== "ollama")])];
  const provider = await vscode.window.showQuickPick(names, {
    title: "Codomyrmex: Set API key",
    placeHolder: "Provider (an OpenAI-compatible entry you added to codomyrmex.providers works too)",
  });
  if (!provider || !isValidProviderName(provider)) return;
  const key = await vscode.window.showInputBox({
    title: `API key for ${provider}`,
    prompt: "Stored in VS Code's secret storage (the OS keychain) and handed to the server; never written to settings.",
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v.trim() === "" ? "Empty key" : /\s/.test(v.trim()) ? "A key has no spaces" : undefined),
  });
  if (key === undefined) return;
  await ctx.secrets.store(secretKeyFor(provider), key.trim());
  const providers = { ...(cfg().inspect<Record<string, unknown>>("providers")?.globalValue ?? {}) } as Record<string, Record<string, unknown>>;
  if (!providers[provider]?.enabled) {
    const enable = await vscode.window.showInformationMessage(
      `Key for ${provider} stored. Enable ${provider} now? Code sent to it is redacted first (privacy mode "${currentSettings().privacyMode}").`,
      "Enable",
      "Not now",
    );
    if (enable === "Enable") {
      providers[provider] = { ...(providers[provider] ?? {}), enabled: true };
      await cfg().update("providers", providers, vscode.ConfigurationTarget.Global);
    }
  }
  await pushConfiguration();
}

async function clearApiKey(): Promise<void> {
  const names = [...new Set<string>([...KEYED_PROVIDERS, ...Object.keys(currentSettings().providers)])];
  const have: string[] = [];
  for (const n of names) if (await ctx.secrets.get(secretKeyFor(n))) have.push(n);
  if (have.length === 0) {
    void vscode.window.showInformationMessage("Codomyrmex: no API key is stored.");
    return;
  }
  const provider = await vscode.window.showQuickPick(have, { title: "Codomyrmex: Clear API key" });
  if (!provider) return;
  await ctx.secrets.delete(secretKeyFor(provider));
  await pushConfiguration();
}

// ---------------------------------------------------------------- activation

function renderStatus(): void {
  if (!cfg().get<boolean>("statusBar.enabled", true)) {
    statusItem.hide();
    return;
  }
  const r = status.render();
  statusItem.text = r.text;
  statusItem.tooltip = r.tooltip;
  statusItem.show();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  ctx = context;
  output = vscode.window.createOutputChannel("Codomyrmex");
  traceOutput = vscode.window.createOutputChannel("Codomyrmex LSP trace");
  status = new StatusModel();
  statusItem = vscode.window.createStatusBarItem("codomyrmex.status", vscode.StatusBarAlignment.Right, 50);
  statusItem.name = "Codomyrmex";
  statusItem.command = "codomyrmex.showOutput";
  status.onChange(renderStatus);
  context.subscriptions.push(output, traceOutput, statusItem);

  const reg = (id: string, f: () => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, f));
  reg("codomyrmex.refactorWithAi", refactorWithAi);
  reg("codomyrmex.explain", () => aiAction("explain"));
  reg("codomyrmex.document", () => aiAction("document"));
  reg("codomyrmex.writeTests", () => aiAction("tests"));
  reg("codomyrmex.runWorkflow", runWorkflow);
  reg("codomyrmex.rebuildIndex", async () => {
    showResult("index rebuild", await executeServerCommand(SERVER_COMMANDS.indexRebuild, []));
  });
  reg("codomyrmex.showAuditLog", showAuditLog);
  reg("codomyrmex.runDoctor", doctor);
  reg("codomyrmex.setApiKey", setApiKey);
  reg("codomyrmex.clearApiKey", clearApiKey);
  reg("codomyrmex.restartServer", restartClient);
  reg("codomyrmex.showOutput", () => output.show(true));

  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      if (!e.affectsConfiguration("codomyrmex")) return;
      if (e.affectsConfiguration("codomyrmex.server")) {
        await restartClient();
      } else {
        renderStatus();
        await pushConfiguration();
      }
    }),
    context.secrets.onDidChange(async (e) => {
      if (e.key.startsWith("codomyrmex.apiKey.")) await pushConfiguration();
    }),
    // Trust changes what the server may do (AI, workspace rules): start it again with trusted = true.
    vscode.workspace.onDidGrantWorkspaceTrust(async () => {
      log("workspace trusted: restarting the server with AI and workspace rules enabled");
      await restartClient();
    }),
  );
  renderStatus();
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
