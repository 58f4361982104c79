#!/usr/bin/env python3
"""Starts llama.cpp's server (via the xllamacpp wheel) on loopback for codomyrmex's tests.

Prints `LISTENING <url>` on stdout once the server answers `/health`, then runs until SIGTERM
or SIGINT. It never contacts a model hub (`offline`).

Usage: xllamacpp_server.py --model M.gguf --port P [--threads 1] [--alias NAME] [--api-key K]
                           [--embedding] [--ctx 2048] [--parallel 2]
"""

import argparse
import signal
import sys
import threading
import time
import urllib.request

import xllamacpp


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--alias", default="tiny")
    parser.add_argument("--api-key", default=None)
    parser.add_argument("--embedding", action="store_true")
    parser.add_argument("--ctx", type=int, default=2048)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    params = xllamacpp.CommonParams()
    params.model.path = args.model
    params.hostnames = [args.host]
    params.port = args.port
    params.n_ctx = args.ctx
    params.n_parallel = args.parallel
    params.cpuparams.n_threads = args.threads
    params.cpuparams_batch.n_threads = args.threads
    params.sampling.seed = args.seed
    params.ui = False
    params.offline = True
    params.warmup = False
    params.model_alias = {args.alias} if isinstance(params.model_alias, (set, frozenset)) else args.alias
    if args.api_key:
        params.api_keys = [args.api_key]
    if args.embedding:
        params.embedding = True
        params.pooling_type = xllamacpp.llama_pooling_type.LLAMA_POOLING_TYPE_MEAN

    server = xllamacpp.Server(params)
    url = f"http://{args.host}:{args.port}"

    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2) as resp:
                if resp.status == 200:
                    break
        except Exception:  # noqa: BLE001 - any failure means "not up yet"
            pass
        if time.monotonic() > deadline:
            print(f"server on {url} did not become healthy", file=sys.stderr)
            sys.exit(1)
        time.sleep(0.05)

    print(f"LISTENING {url}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    del server
    sys.exit(0)


if __name__ == "__main__":
    main()
