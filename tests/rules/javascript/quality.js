// Samples for config/rules/quality/javascript.yaml (codomyrmex rules test).

function debugging(x) {
  // ruleid: javascript.debugger
  debugger;
  // ruleid: javascript.console
  console.log("x is", x);
  // ruleid: javascript.console
  console.debug(x);
  // ok: javascript.console
  console.error("failed", x);
  // ok: javascript.console
  logger.log(x);
  // ok: javascript.debugger
  const debuggerEnabled = false;
  return debuggerEnabled;
}

function equality(a, b) {
  // ruleid: javascript.eqeqeq
  if (a == b) {}
  // ruleid: javascript.eqeqeq
  if (a != "0") {}
  // ok: javascript.eqeqeq
  if (a === b || a !== b) {}
  // ok: javascript.eqeqeq
  if (a == null || null != b) {}
  // ok: javascript.eqeqeq
  if (typeof a == "string") {}
}

function catching() {
  try {
    risky();
  // ruleid: javascript.empty-catch
  } catch (err) {}
  try {
    risky();
  // ruleid: javascript.empty-catch
  } catch {
  }
  try {
    risky();
  // ok: javascript.empty-catch
  } catch (err) {
    // Optional feature: absence is fine.
  }
  try {
    risky();
  // ok: javascript.empty-catch
  } catch (err) {
    report(err);
  }
}

// ruleid: javascript.no-var
var counter = 0;
// ok: javascript.no-var
let total = 0;
// ok: javascript.no-var
const limit = 10;
for (
  // ruleid: javascript.no-var
  var i = 0;
  i < limit;
  i++
) {}

// ruleid: javascript.new-wrapper
const s = new String("text");
// ruleid: javascript.new-wrapper
const flag = new Boolean(false);
// ok: javascript.new-wrapper
const n = Number("42");
// ok: javascript.new-wrapper
const d = new Date(0);

function fail(kind) {
  if (kind === 1) {
    // ruleid: javascript.throw-literal
    throw "something broke";
  }
  if (kind === 2) {
    // ruleid: javascript.throw-literal
    throw `bad kind ${kind}`;
  }
  // ok: javascript.throw-literal
  throw new Error("something broke");
}

function conditions(x, y, re, str) {
  // ruleid: javascript.cond-assign
  if (x = y) {}
  let m;
  // ruleid: javascript.cond-assign
  while (m = re.exec(str)) {}
  // ok: javascript.cond-assign
  while ((m = re.exec(str))) {}
  // ok: javascript.cond-assign
  if (x === y) {}
}

function selfCompare(x, y, obj) {
  // ruleid: javascript.self-compare
  if (x === x) {}
  // ruleid: javascript.self-compare
  if (obj.size > obj.size) {}
  // ok: javascript.self-compare
  if (x === y) {}
  // ok: javascript.self-compare
  if (Number.isNaN(x)) {}
}
