// Finding the `codomyrmex` binary. Pure apart from the injected file-system probe; unit-tested.

import * as path from "node:path";
import * as fs from "node:fs";
import * as os from "node:os";

export const INSTALL_COMMAND = "cargo install --path .";

export interface DiscoveryInput {
  /** `codomyrmex.server.path` ("" when unset). */
  configured: string;
  /** `process.env` of the extension host. */
  env: Record<string, string | undefined>;
  platform: NodeJS.Platform;
  homedir: string;
  /** Whether `p` is an executable regular file. */
  isExecutable: (p: string) => boolean;
}

export type Discovery =
  | { found: true; path: string; source: "setting" | "PATH" | "cargo" }
  | { found: false; tried: string[]; reason: string };

export function expandHome(p: string, homedir: string): string {
  if (p === "~") return homedir;
  if (p.startsWith("~/") || p.startsWith("~\\")) return path.join(homedir, p.slice(2));
  return p;
}

function exeNames(platform: NodeJS.Platform, env: Record<string, string | undefined>): string[] {
  if (platform !== "win32") return ["codomyrmex"];
  const exts = (env.PATHEXT ?? ".EXE;.CMD;.BAT").split(";").filter((e) => e !== "");
  return exts.map((e) => "codomyrmex" + e.toLowerCase());
}

export function findServer(input: DiscoveryInput): Discovery {
  const { configured, env, platform, homedir, isExecutable } = input;
  const join = platform === "win32" ? path.win32.join : path.posix.join;
  if (configured.trim() !== "") {
    const p = expandHome(configured.trim(), homedir);
    if (isExecutable(p)) return { found: true, path: p, source: "setting" };
    return {
      found: false,
      tried: [p],
      reason: `codomyrmex.server.path is set to "${configured}", which is not an executable file`,
    };
  }
  const tried: string[] = [];
  const sep = platform === "win32" ? ";" : ":";
  const dirs = (env.PATH ?? env.Path ?? "").split(sep).filter((d) => d !== "");
  const names = exeNames(platform, env);
  for (const dir of dirs) {
    for (const name of names) {
      const p = join(dir, name);
      tried.push(p);
      if (isExecutable(p)) return { found: true, path: p, source: "PATH" };
    }
  }
  // `cargo install` puts binaries in $CARGO_HOME/bin, which GUI-started editors often lack on PATH.
  const cargoHome = env.CARGO_HOME && env.CARGO_HOME !== "" ? env.CARGO_HOME : join(homedir, ".cargo");
  for (const name of names) {
    const p = join(cargoHome, "bin", name);
    if (!tried.includes(p)) {
      tried.push(p);
      if (isExecutable(p)) return { found: true, path: p, source: "cargo" };
    }
  }
  return { found: false, tried, reason: "codomyrmex was not found on PATH or in ~/.cargo/bin" };
}

/** The message shown when the binary is missing. */
export function missingBinaryMessage(d: Extract<Discovery, { found: false }>): string {
  return (
    `Codomyrmex: ${d.reason}. Install it with \`${INSTALL_COMMAND}\` in a checkout of codomyrmex ` +
    `(or set "codomyrmex.server.path").`
  );
}

export function nodeIsExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform === "win32") return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function discoverFromProcess(configured: string): Discovery {
  return findServer({
    configured,
    env: process.env,
    platform: process.platform,
    homedir: os.homedir(),
    isExecutable: nodeIsExecutable,
  });
}
