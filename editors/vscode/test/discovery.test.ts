import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expandHome, findServer, INSTALL_COMMAND, missingBinaryMessage, nodeIsExecutable } from "../src/discovery";

const home = "/home/u";

test("setting wins and expands ~", () => {
  const d = findServer({ configured: "~/bin/codomyrmex", env: { PATH: "/usr/bin" }, platform: "linux", homedir: home, isExecutable: (p) => p === "/home/u/bin/codomyrmex" || p === "/usr/bin/codomyrmex" });
  assert.deepEqual(d, { found: true, path: "/home/u/bin/codomyrmex", source: "setting" });
});

test("a bad setting is reported, not silently replaced by PATH", () => {
  const d = findServer({ configured: "/nope/codomyrmex", env: { PATH: "/usr/bin" }, platform: "linux", homedir: home, isExecutable: (p) => p === "/usr/bin/codomyrmex" });
  assert.equal(d.found, false);
  if (!d.found) {
    assert.match(d.reason, /codomyrmex\.server\.path/);
    assert.match(missingBinaryMessage(d), new RegExp(INSTALL_COMMAND.replace(/\./g, "\\.")));
  }
});

test("PATH order, then ~/.cargo/bin", () => {
  const exe = new Set(["/b/codomyrmex", "/c/codomyrmex", "/home/u/.cargo/bin/codomyrmex"]);
  const is = (p: string) => exe.has(p);
  assert.deepEqual(findServer({ configured: "", env: { PATH: "/a:/b:/c" }, platform: "linux", homedir: home, isExecutable: is }), { found: true, path: "/b/codomyrmex", source: "PATH" });
  assert.deepEqual(findServer({ configured: "", env: { PATH: "/a" }, platform: "linux", homedir: home, isExecutable: is }), { found: true, path: "/home/u/.cargo/bin/codomyrmex", source: "cargo" });
  assert.deepEqual(findServer({ configured: "", env: { PATH: "/a", CARGO_HOME: "/opt/cargo" }, platform: "linux", homedir: home, isExecutable: (p) => p === "/opt/cargo/bin/codomyrmex" }), { found: true, path: "/opt/cargo/bin/codomyrmex", source: "cargo" });
});

test("missing everywhere: lists what was tried and the install command", () => {
  const d = findServer({ configured: "", env: { PATH: "/a:/b" }, platform: "linux", homedir: home, isExecutable: () => false });
  assert.equal(d.found, false);
  if (!d.found) {
    assert.deepEqual(d.tried, ["/a/codomyrmex", "/b/codomyrmex", "/home/u/.cargo/bin/codomyrmex"]);
    const msg = missingBinaryMessage(d);
    assert.ok(msg.includes("cargo install --path ."), msg);
    assert.ok(msg.includes("codomyrmex.server.path"), msg);
  }
});

test("windows uses PATHEXT and ;", () => {
  const d = findServer({ configured: "", env: { Path: "C:\\tools;C:\\bin", PATHEXT: ".COM;.EXE" }, platform: "win32", homedir: "C:\\Users\\u", isExecutable: (p) => p === "C:\\bin\\codomyrmex.exe" });
  assert.deepEqual(d, { found: true, path: "C:\\bin\\codomyrmex.exe", source: "PATH" });
});

test("expandHome", () => {
  assert.equal(expandHome("~", home), home);
  assert.equal(expandHome("~/x", home), "/home/u/x");
  assert.equal(expandHome("/abs", home), "/abs");
});

test("nodeIsExecutable on real files", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cdmx-"));
  const exe = path.join(dir, "codomyrmex");
  const plain = path.join(dir, "plain");
  fs.writeFileSync(exe, "#!/bin/sh\n", { mode: 0o755 });
  fs.writeFileSync(plain, "x", { mode: 0o644 });
  assert.equal(nodeIsExecutable(exe), true);
  if (process.platform !== "win32" && process.getuid?.() !== 0) assert.equal(nodeIsExecutable(plain), false);
  assert.equal(nodeIsExecutable(dir), false);
  assert.equal(nodeIsExecutable(path.join(dir, "missing")), false);
  fs.rmSync(dir, { recursive: true });
});
