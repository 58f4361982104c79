#!/usr/bin/env bash
# Runs editors/emacs/codomyrmex-eglot.el in batch Emacs (apt emacs-nox + elpa-eglot) against the server.
# Env: CODOMYRMEX_BIN (default target/debug/codomyrmex). Prints ok/not ok lines; non-zero on failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${CODOMYRMEX_BIN:-$repo/target/debug/codomyrmex}"
case "$bin" in /*) ;; *) bin="$repo/$bin" ;; esac
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/proj"
ln -s "$bin" "$tmp/bin/codomyrmex"   # the snippet runs `codomyrmex' from PATH
touch "$tmp/proj/pyproject.toml"
printf 'import json\n\n\ndef load(path):\n    try:\n        with open(path) as f:\n            return json.load(f)\n    except:\n        return None\n' > "$tmp/proj/sample.py"
export CODOMYRMEX_CACHE_DIR="$tmp/cache" CODOMYRMEX_CONFIG_DIR="$tmp/cfg" HOME="$tmp"
(cd "$tmp/proj" && PATH="$tmp/bin:$PATH" SNIPPET="$repo/editors/emacs/codomyrmex-eglot.el" PY_FILE="$tmp/proj/sample.py" OUT="$tmp/out.json" \
  timeout 120 emacs --batch -Q -l "$here/emacs_probe.el") >"$tmp/emacs.log" 2>&1 || true
if [ ! -s "$tmp/out.json" ]; then
  echo "not ok - emacs: probe wrote no result"; tail -20 "$tmp/emacs.log" | sed 's/^/#   /'; exit 1
fi
python3 - "$tmp/out.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
bad = 0
for c in r["checks"]:
    bad += not c["ok"]
    print(f"{'ok' if c['ok'] else 'not ok'} - emacs {r['emacs']} + eglot: {c['name']}" + (f" ({c['detail']})" if not c["ok"] and c["detail"] else ""))
sys.exit(1 if bad else 0)
PY
