// Arguments and results of the server's `workspace/executeCommand` commands. Pure; unit-tested.

export interface LspPosition {
  line: number;
  character: number;
}
export interface LspRange {
  start: LspPosition;
  end: LspPosition;
}

/** Server command ids (vscode-languageclient registers these itself; ours must differ). */
export const SERVER_COMMANDS = {
  aiRun: "codomyrmex.ai.run",
  indexRebuild: "codomyrmex.index.rebuild",
  rulesReload: "codomyrmex.rules.reload",
  feedback: "codomyrmex.feedback",
  workflowRun: "codomyrmex.workflow.run",
  doctor: "codomyrmex.doctor",
} as const;

/** AI actions the editor commands map to (names of the built-in action files). */
export type AiAction = "rewrite" | "explain" | "document" | "tests" | "fix";

export interface AiRunArgs {
  uri: string;
  range: LspRange;
  action: AiAction | string;
  instruction?: string;
}

export function aiRunArgs(uri: string, range: LspRange, action: string, instruction?: string): AiRunArgs {
  const args: AiRunArgs = { uri, range, action };
  const text = instruction?.trim();
  if (text) args.instruction = text;
  return args;
}

/** Validates the instruction typed into the "Refactor with AI" input box (undefined = fine). */
export function validateInstruction(text: string): string | undefined {
  if (text.trim() === "") return "Say what to change, e.g. “use a dict comprehension”.";
  if (text.length > 2000) return "Keep the instruction under 2000 characters.";
  return undefined;
}

export const WORKFLOWS = ["review", "document-file"];

export interface WorkflowRunArgs {
  name: string;
  uri: string;
  range?: LspRange;
}

/**
 * Turns whatever a command returned into text for the output channel or a message:
 * a string, `{text}`/`{markdown}`/`{message}`/`{report}`, `MarkupContent`, or JSON.
 */
export function resultText(result: unknown): string | undefined {
  if (result === null || result === undefined) return undefined;
  if (typeof result === "string") return result;
  if (typeof result === "object" && !Array.isArray(result)) {
    const r = result as Record<string, unknown>;
    for (const k of ["text", "markdown", "message", "report", "value", "explanation"]) {
      if (typeof r[k] === "string") return r[k] as string;
    }
  }
  return JSON.stringify(result, null, 2);
}
