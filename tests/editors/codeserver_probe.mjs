// Drives code-server (VS Code 1.100.3 in a browser) with playwright-core + Debian's chromium:
// opens a file, waits for codomyrmex diagnostics, reads the Problems panel, a hover, the code
// actions (Ctrl+.) and the status bar item. Prints one JSON object on stdout.
//
// node codeserver_probe.mjs URL FILE_NAME DIAG_LINE DIAG_COL
// env: PW_DIR (dir holding node_modules/playwright-core), CHROMIUM (binary), TIMEOUT_MS, SHOT (png path)
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";

const [url, fileName, line, col] = process.argv.slice(2);
const require = createRequire(path.join(process.env.PW_DIR ?? process.cwd(), "package.json"));
const { chromium } = require("playwright-core");
const timeout = Number(process.env.TIMEOUT_MS ?? 60000);
const out = { problems: [], hover: [], codeActions: [], statusBar: [], console: [], ok: false, step: "launch" };

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/lib/chromium/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
page.on("console", (m) => {
  if (m.type() === "error" || /codomyrmex|languageclient|Restarting server|startFailed/i.test(m.text())) {
    out.console.push(m.text().slice(0, 300));
  }
});

async function gotoLine(l, c) {
  await page.keyboard.press("Control+G");
  await page.waitForSelector(".quick-input-widget input", { timeout });
  await page.keyboard.type(`${l}:${c}`);
  await page.keyboard.press("Enter");
  await page.waitForTimeout(300);
}

async function texts(selector, attr) {
  return page.$$eval(selector, (els, attr) => els.map((e) => (attr ? e.getAttribute(attr) : e.textContent) ?? "").filter((t) => t.trim() !== ""), attr);
}

try {
  out.step = "workbench";
  await page.goto(url, { timeout });
  await page.waitForSelector(".monaco-workbench", { timeout });
  await page.waitForTimeout(1500);
  // Workspace-trust prompt (only when trust is enabled): answer "No".
  const noTrust = await page.$(".monaco-dialog-box .monaco-button:has-text(\"No\")");
  if (noTrust) {
    await noTrust.click();
    await page.waitForTimeout(500);
  }

  out.step = "open file";
  await page.keyboard.press("Control+P");
  await page.waitForSelector(".quick-input-widget input", { timeout });
  await page.keyboard.type(fileName);
  await page.waitForSelector(".quick-input-list .monaco-list-row", { timeout });
  await page.waitForTimeout(500);
  await page.keyboard.press("Enter");
  await page.waitForSelector(".monaco-editor .view-lines", { timeout });

  if (process.env.PROBE_MODE === "missing") {
    // The binary is missing: the extension must say how to install it.
    out.step = "missing binary";
    await page.waitForFunction(
      () => [...document.querySelectorAll(".notification-toast, .notifications-toasts")].some((e) => /cargo install --path \./.test(e.textContent ?? "")),
      null,
      { timeout },
    );
    out.missingBinary = (await texts(".notification-toast")).filter((t) => /codomyrmex/i.test(t));
    out.statusBar = (await texts(".statusbar-item", "aria-label")).filter((t) => /codomyrmex/i.test(t));
    out.step = "done";
    out.ok = true;
    throw null;
  }

  out.step = "diagnostics";
  await page.waitForSelector(".squiggly-warning, .squiggly-error, .squiggly-info", { timeout });
  await page.keyboard.press("Control+Shift+M");
  await page.waitForSelector(".markers-panel .monaco-list-row", { timeout });
  await page.waitForTimeout(500);
  out.problems = await texts(".markers-panel .monaco-list-row", "aria-label");
  // The row text carries the source and code ("codomyrmex(python.bare-except)"); the aria-label does not.
  out.problemRows = await texts(".markers-panel .monaco-list-row");

  out.step = "status bar";
  out.statusBar = (await texts(".statusbar-item", "aria-label")).filter((t) => /codomyrmex/i.test(t));
  if (out.statusBar.length === 0) out.statusBar = (await texts(".statusbar-item")).filter((t) => /codomyrmex/i.test(t));

  out.step = "hover";
  // Focus the editor again (the Problems panel took focus).
  await page.click(".monaco-editor .view-lines");
  await gotoLine(line, col);
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I");
  await page.waitForFunction(
    () => [...document.querySelectorAll(".monaco-hover-content")].some((e) => (e.textContent ?? "").trim() !== ""),
    null,
    { timeout },
  );
  out.hover = await texts(".monaco-hover-content");
  await page.keyboard.press("Escape");
  await page.waitForTimeout(300);

  out.step = "code actions";
  await gotoLine(line, col);
  await page.keyboard.press("Control+.");
  await page.waitForSelector(".action-widget .monaco-list-row", { timeout });
  await page.waitForTimeout(500);
  out.codeActions = await texts(".action-widget .monaco-list-row");
  await page.keyboard.press("Escape");
  await page.waitForTimeout(300);

  // Progress: run "Codomyrmex: Rebuild index" from the palette; server-created work-done progress
  // should show in the status bar item while it runs (informational for a fast real index).
  out.step = "rebuild index";
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { timeout });
  await page.keyboard.type("Codomyrmex: Rebuild index");
  await page.waitForTimeout(500);
  await page.keyboard.press("Enter");
  const deadline = Date.now() + 8000;
  out.progressSeen = [];
  while (Date.now() < deadline) {
    const s = (await texts(".statusbar-item", "aria-label")).filter((t) => /codomyrmex/i.test(t) && /indexing|Running:|Index: building/i.test(t));
    if (s.length > 0) {
      out.progressSeen = s;
      break;
    }
    await page.waitForTimeout(200);
  }

  // "Codomyrmex: Doctor" writes the doctor report to the Codomyrmex output channel.
  out.step = "doctor";
  await page.keyboard.press("Escape");
  await page.keyboard.press("F1");
  await page.waitForSelector(".quick-input-widget input", { timeout });
  await page.keyboard.type("Codomyrmex: Doctor");
  await page.waitForTimeout(500);
  await page.keyboard.press("Enter");
  await page.waitForFunction(
    () => [...document.querySelectorAll(".panel .view-lines")].some((e) => /ollama/i.test(e.textContent ?? "") && /provider|cache dir|index/i.test(e.textContent ?? "")),
    null,
    { timeout: 30000 },
  ).catch(() => {});
  out.doctor = (await texts(".panel .view-lines")).filter((t) => /ollama/i.test(t)).map((t) => t.slice(-1500));
  out.step = "done";
  out.ok = true;
} catch (err) {
  if (err !== null) out.error = String(err).slice(0, 500);
} finally {
  if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT }).catch(() => {});
  await browser.close();
  console.log(JSON.stringify(out));
}
