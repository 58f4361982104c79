#!/usr/bin/env bash
# Runs tests/editors/nvim_probe.lua in headless Neovim against the server.
# Usage: tests/editors/nvim-probe.sh [NVIM [METHOD]]   (env: CODOMYRMEX_BIN, default target/debug/codomyrmex)
# METHOD forces the plugin's start path: enable (0.11+), start (0.8+) or start_client (0.7+).
# Prints one line per check ("ok - …" / "not ok - …") and exits non-zero if any failed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
nvim="${1:-nvim}"
case "$nvim" in */*) nvim="$(cd "$(dirname "$nvim")" && pwd)/$(basename "$nvim")" ;; esac
bin="${CODOMYRMEX_BIN:-$repo/target/debug/codomyrmex}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

mkdir -p "$tmp/proj" "$tmp/xdg/config" "$tmp/xdg/data" "$tmp/xdg/state" "$tmp/xdg/cache"
touch "$tmp/proj/pyproject.toml"
cat > "$tmp/proj/sample.py" <<'PY'
import json


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except:
        return None
PY
cat > "$tmp/proj/sample.js" <<'JS'
function total(xs) {
  debugger;
  return xs.reduce((a, b) => a + b, 0);
}
JS

export XDG_CONFIG_HOME="$tmp/xdg/config" XDG_DATA_HOME="$tmp/xdg/data" XDG_STATE_HOME="$tmp/xdg/state" XDG_CACHE_HOME="$tmp/xdg/cache"
export CODOMYRMEX_CACHE_DIR="$tmp/cache" CODOMYRMEX_CONFIG_DIR="$tmp/cdmx-config"
export PLUGIN_DIR="$repo/editors/neovim" CODOMYRMEX_BIN="$bin" PY_FILE="$tmp/proj/sample.py" JS_FILE="$tmp/proj/sample.js"
export OUT="$tmp/out.json" TIMEOUT_MS="${TIMEOUT_MS:-20000}" NVIM_METHOD="${2:-}"

version="$("$nvim" --version | head -1)"
rc=0
(cd "$tmp/proj" && timeout 180 "$nvim" --headless --clean -u NONE -c "luafile $here/nvim_probe.lua") >"$tmp/nvim.log" 2>&1 || rc=$?
if [ ! -s "$OUT" ]; then
  echo "not ok - $version: probe wrote no result (exit $rc)"
  sed 's/^/#   /' "$tmp/nvim.log" | tail -20
  lsplog="$(find "$tmp/xdg" -name 'lsp.log' | head -1)"; [ -n "$lsplog" ] && tail -20 "$lsplog" | sed 's/^/#   lsp.log: /'
  exit 1
fi
# Second run: no binary anywhere (PATH without codomyrmex, empty HOME).
mkdir -p "$tmp/emptyhome"
(cd "$tmp/proj" && env -u CODOMYRMEX_BIN HOME="$tmp/emptyhome" CARGO_HOME="$tmp/emptyhome/.cargo" PATH="/usr/bin:/bin" OUT="$tmp/missing.json" \
  timeout 60 "$nvim" --headless --clean -u NONE -c "luafile $here/nvim_missing.lua") >"$tmp/nvim-missing.log" 2>&1 || true
python3 - "$OUT" "$version" "$tmp/missing.json" <<'PY'
import json, os, sys
r = json.load(open(sys.argv[1]))
label = sys.argv[2]
if os.path.exists(sys.argv[3]) and os.path.getsize(sys.argv[3]) > 0:
    r["checks"] += json.load(open(sys.argv[3]))["checks"]
else:
    r["checks"].append({"name": "missing-binary probe wrote a result", "ok": False, "detail": ""})
bad = 0
for c in r["checks"]:
    status = "ok" if c["ok"] else "not ok"
    bad += not c["ok"]
    detail = f" ({c['detail']})" if c["detail"] and not c["ok"] else ""
    print(f"{status} - {label} [{r.get('method')}]: {c['name']}{detail}")
if r.get("ai_run_answer"):
    print(f"# {label}: codomyrmex.ai.run answered: {r['ai_run_answer'][:200]}")
if bad:
    for l in r.get("checkhealth", [])[:60]:
        print("#   checkhealth:", l)
sys.exit(1 if bad else 0)
PY
