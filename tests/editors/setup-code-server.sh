#!/usr/bin/env bash
# Installs code-server 4.100.3 (VS Code 1.100.3, the newest that runs on Node 20) from npm without
# its postinstall (which breaks under npm 11 and downloads from GitHub), plus playwright-core.
# Recipe: ../shared/notes/clients.md. Idempotent; ~95 s cold, seconds when cached.
# Usage: tests/editors/setup-code-server.sh DIR   → DIR/package/out/node/entry.js, DIR/pw/node_modules/playwright-core
set -euo pipefail
dir="${1:?usage: setup-code-server.sh DIR}"
version="${CODE_SERVER_VERSION:-4.100.3}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"
cs="$dir/package"

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  need=()
  for p in chromium libkrb5-dev libsecret-1-dev libxkbfile-dev ripgrep g++ make; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "# apt-get install ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    }
  fi
fi

if [ -f "$cs/.codomyrmex-ready" ] && node "$cs/out/node/entry.js" --version >/dev/null 2>&1; then
  echo "# code-server $version ready in $cs"
else
  echo "# installing code-server $version into $dir"
  rm -rf "$cs"
  (cd "$dir" && npm pack --silent "code-server@$version" >/dev/null)
  tar -xzf "$dir/code-server-$version.tgz" -C "$dir"
  # node-gyp: use the distro Node's headers instead of downloading them.
  nodedir="$(dirname "$(dirname "$(readlink -f "$(command -v node)")")")"
  export npm_config_nodedir="$nodedir"
  export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
  (cd "$cs" && npm install --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
  (cd "$cs/lib/vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
  (cd "$cs/lib/vscode/extensions" && npm install --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null 2>&1)
  if [ -f "$cs/lib/vscode/extensions/postinstall.mjs" ]; then
    (cd "$cs/lib/vscode/extensions" && node postinstall.mjs >/dev/null 2>&1) || echo "# extensions postinstall failed (ignored)"
  fi
  (cd "$cs" && npm rebuild argon2 >/dev/null 2>&1) || echo "# argon2 rebuild failed (only needed for password auth)"
  (cd "$cs/lib/vscode" && npm rebuild @parcel/watcher @vscode/spdlog kerberos native-watchdog node-pty @vscode/deviceid >/dev/null 2>&1) ||
    echo "# some native rebuilds reported errors (node-pty's compile_commands step is known to fail harmlessly)"
  for f in spdlog.node watchdog.node kerberos.node pty.node; do
    if ! find "$cs/lib/vscode/node_modules" -name "$f" -path '*Release*' | grep -q .; then
      echo "missing native module $f" >&2
      exit 1
    fi
  done
  # What postinstall.sh would have done.
  (cd "$cs/lib/vscode" && rm -rf node_modules.asar && ln -s node_modules node_modules.asar)
  (cd "$cs/lib/vscode/bin/remote-cli" && rm -f code-server && ln -s code-linux.sh code-server)
  (cd "$cs/lib/vscode/bin/helpers" && rm -f browser.sh && ln -s browser-linux.sh browser.sh)
  rgdir="$cs/lib/vscode/node_modules/@vscode/ripgrep/bin"
  mkdir -p "$rgdir" && ln -sf "$(command -v rg)" "$rgdir/rg"
  node "$cs/out/node/entry.js" --version
  touch "$cs/.codomyrmex-ready"
fi

if [ ! -d "$dir/pw/node_modules/playwright-core" ]; then
  mkdir -p "$dir/pw"
  (cd "$dir/pw" && { [ -f package.json ] || echo '{"private":true}' > package.json; } &&
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --silent --no-audit --no-fund playwright-core@1 >/dev/null 2>&1)
fi
echo "# playwright-core $(node -p "require('$dir/pw/node_modules/playwright-core/package.json').version")"
