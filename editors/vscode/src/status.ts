// Status bar model: provider, index state, running work (from `$/progress`). Pure; unit-tested.

export type ServerState = "starting" | "running" | "stopped" | "missing" | "failed";
export type IndexState = "unknown" | "building" | "ready" | "off" | "error";

export interface WorkItem {
  title: string;
  message?: string;
  percentage?: number;
}

/** The `value` of a `$/progress` notification for work-done progress. */
export type ProgressValue =
  | { kind: "begin"; title: string; message?: string; percentage?: number; cancellable?: boolean }
  | { kind: "report"; message?: string; percentage?: number; cancellable?: boolean }
  | { kind: "end"; message?: string };

/** "codomyrmex: indexing" → "indexing": the item already says codomyrmex. */
export function shortTitle(title: string): string {
  return title.replace(/^codomyrmex:\s*/i, "") || title;
}

function isIndexWork(title: string): boolean {
  return /\bindex/i.test(title);
}

export class StatusModel {
  server: ServerState = "starting";
  provider = "ollama";
  index: IndexState = "unknown";
  trusted = true;
  private readonly work = new Map<string, WorkItem>();
  private readonly listeners: Array<() => void> = [];

  onChange(f: () => void): void {
    this.listeners.push(f);
  }

  private changed(): void {
    for (const f of this.listeners) f();
  }

  set(patch: Partial<Pick<StatusModel, "server" | "provider" | "index" | "trusted">>): void {
    Object.assign(this, patch);
    this.changed();
  }

  /** Feeds one `$/progress` value for `token`. */
  progress(token: string | number, value: ProgressValue): void {
    const key = String(token);
    switch (value.kind) {
      case "begin":
        this.work.set(key, { title: shortTitle(value.title), message: value.message, percentage: value.percentage });
        if (isIndexWork(value.title)) this.index = "building";
        break;
      case "report": {
        const item = this.work.get(key);
        if (item) {
          if (value.message !== undefined) item.message = value.message;
          if (value.percentage !== undefined) item.percentage = value.percentage;
        }
        break;
      }
      case "end": {
        const item = this.work.get(key);
        this.work.delete(key);
        if (item && isIndexWork(item.title)) {
          this.index = value.message && /fail|error/i.test(value.message) ? "error" : "ready";
        }
        break;
      }
    }
    this.changed();
  }

  /** Forgets all running work (the server stopped or restarted). */
  clearWork(): void {
    this.work.clear();
    this.changed();
  }

  get busy(): WorkItem[] {
    return [...this.work.values()];
  }

  render(): { text: string; tooltip: string } {
    const busy = this.busy;
    let icon = "$(check)";
    if (this.server === "starting") icon = "$(loading~spin)";
    else if (this.server === "missing" || this.server === "failed") icon = "$(error)";
    else if (this.server === "stopped") icon = "$(circle-slash)";
    else if (busy.length > 0) icon = "$(sync~spin)";
    const parts = [`${icon} codomyrmex`];
    if (this.server === "missing") parts.push("not installed");
    else if (this.server === "failed") parts.push("failed");
    else if (this.server === "stopped") parts.push("stopped");
    else {
      parts.push(this.trusted ? this.provider : "restricted");
      if (this.index === "building" && !busy.some((w) => isIndexWork(w.title))) parts.push("indexing");
      if (busy.length > 0) {
        const first = busy[0];
        const pct = first.percentage !== undefined ? ` ${Math.round(first.percentage)}%` : "";
        parts.push(busy.length === 1 ? `${first.title}${pct}` : `${busy.length} tasks`);
      }
    }
    const lines = [
      `Server: ${this.server}`,
      `Provider: ${this.trusted ? this.provider : "AI off (untrusted workspace)"}`,
      `Index: ${this.index}`,
    ];
    for (const w of busy) {
      const pct = w.percentage !== undefined ? ` (${Math.round(w.percentage)}%)` : "";
      lines.push(`Running: ${w.title}${w.message ? ` — ${w.message}` : ""}${pct}`);
    }
    return { text: parts.join(" · "), tooltip: lines.join("\n") };
  }
}
