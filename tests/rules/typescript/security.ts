// TypeScript samples for config/rules/security/javascript.yaml: ES imports, type annotations.
import * as cp from "node:child_process";
import { createHash } from "crypto";
import { Request, Response } from "express";

export function run(dir: string, count?: number): void {
  // ruleid: javascript.child-process-exec
  cp.exec(`ls ${dir}`);
  // ok: javascript.child-process-exec
  cp.exec("ls -l");
  console.log(count);
}

export function digest(data: string): string {
  // ruleid: javascript.weak-hash
  const a = createHash("sha1").update(data).digest("hex");
  // ok: javascript.weak-hash
  const b = createHash("sha512").update(data).digest("hex");
  return a + b;
}

export function handler(req: Request, res: Response): void {
  const target = req.query.next as string;
  // ruleid: javascript.open-redirect
  res.redirect(target);
  // ok: javascript.open-redirect
  res.redirect("/home");
}

export function render(el: HTMLElement, html: string): void {
  // ruleid: javascript.xss-inner-html
  el.innerHTML = html;
  // ok: javascript.xss-inner-html
  el.innerHTML = "";
}
