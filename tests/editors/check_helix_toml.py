#!/usr/bin/env python3
"""Checks editors/helix/languages.toml against Helix's documented languages.toml keys.

Without `hx` (no registry ships it), this is what can be checked: the types Helix's serde
structs accept for `[language-server.*]` and `[[language]]`, that every `language-servers`
item names a server defined here or one of Helix's default servers, that codomyrmex is added
to every language the issue names, and that each language keeps Helix's default servers.
When `hx` is on PATH it also runs `hx --health LANG` with this file as the user config.

Prints TAP-like lines and a final "N passed, N failed" line; exits 1 on failure.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
PATH = sys.argv[1] if len(sys.argv) > 1 else os.path.join(REPO, "editors", "helix", "languages.toml")

# Keys of `[language-server.NAME]` (helix-core LanguageServerConfiguration).
SERVER_KEYS = {"command", "args", "environment", "config", "timeout", "required-root-patterns"}

# Helix's default `language-servers` for the languages we extend (helix-editor/helix languages.toml,
# 25.07 era). Every one of them must be kept, in this order, ahead of codomyrmex.
HELIX_DEFAULTS = {
    "python": ["ty", "ruff", "jedi", "pylsp"],
    "rust": ["rust-analyzer"],
    "javascript": ["typescript-language-server"],
    "typescript": ["typescript-language-server"],
    "tsx": ["typescript-language-server"],
    "go": ["gopls", "golangci-lint-lsp"],
    "java": ["jdtls"],
    "c": ["clangd"],
    "cpp": ["clangd"],
    "ruby": ["ruby-lsp", "solargraph"],
    "bash": ["bash-language-server"],
}
# Server names Helix defines by default and that a user might add to these languages.
HELIX_DEFAULT_SERVERS = set(sum(HELIX_DEFAULTS.values(), [])) | {
    "pyright", "basedpyright", "pylyzer", "pyrefly", "zuban", "vscode-eslint-language-server",
    "biome", "deno", "rubocop", "sorbet", "clangd", "ccls",
}
# helix-view LanguageServerFeature names (for only-features / except-features).
FEATURES = {
    "format", "goto-declaration", "goto-definition", "goto-type-definition", "goto-reference",
    "goto-implementation", "signature-help", "hover", "document-highlight", "completion",
    "code-action", "workspace-command", "document-symbols", "workspace-symbols", "diagnostics",
    "rename-symbol", "inlay-hints", "document-colors",
}
WANTED = list(HELIX_DEFAULTS)

results = []


def check(name, ok, detail=""):
    results.append((name, bool(ok), detail))
    return bool(ok)


def main():
    with open(PATH, "rb") as f:
        data = tomllib.load(f)
    check("parses as TOML", True)

    servers = data.get("language-server", {})
    check("defines [language-server.codomyrmex]", "codomyrmex" in servers)
    for name, srv in servers.items():
        unknown = set(srv) - SERVER_KEYS
        check(f"language-server.{name}: only documented keys", not unknown, f"unknown: {sorted(unknown)}")
        check(f"language-server.{name}: command is a string", isinstance(srv.get("command"), str) and srv["command"] != "")
        args = srv.get("args", [])
        check(f"language-server.{name}: args is a list of strings", isinstance(args, list) and all(isinstance(a, str) for a in args))
        if "config" in srv:
            check(f"language-server.{name}: config is a table (sent as initializationOptions)", isinstance(srv["config"], dict))
        if "timeout" in srv:
            check(f"language-server.{name}: timeout is a positive integer", isinstance(srv["timeout"], int) and srv["timeout"] > 0)
        if "environment" in srv:
            env = srv["environment"]
            check(f"language-server.{name}: environment maps strings", isinstance(env, dict) and all(isinstance(v, str) for v in env.values()))
            check(f"language-server.{name}: no API key in environment", not any(re.search(r"KEY|TOKEN|SECRET", k, re.I) for k in env))

    cdmx = servers.get("codomyrmex", {})
    check("codomyrmex runs `codomyrmex lsp`", cdmx.get("command") == "codomyrmex" and cdmx.get("args") == ["lsp"], f"{cdmx.get('command')} {cdmx.get('args')}")
    cfg = cdmx.get("config", {})
    known = {"trusted", "client", "providers", "models", "privacy", "ai", "rules", "index"}
    check("codomyrmex config follows initializationOptions shape", isinstance(cfg.get("trusted", True), bool) and set(cfg) <= known, f"{sorted(cfg)}")
    flat = repr(cfg)
    check("codomyrmex config holds no API key", not re.search(r"api_key|sk-[A-Za-z0-9]", flat), flat)

    langs = data.get("language", [])
    check("[[language]] is an array of tables", isinstance(langs, list) and all(isinstance(l, dict) for l in langs))
    by_name = {}
    for lang in langs:
        name = lang.get("name")
        check(f"language {name!r}: has a name", isinstance(name, str) and name)
        check(f"language {name}: defined once", name not in by_name)
        by_name[name] = lang
        items = lang.get("language-servers")
        if not check(f"language {name}: language-servers is a list", isinstance(items, list)):
            continue
        names = []
        for item in items:
            if isinstance(item, str):
                names.append(item)
            elif isinstance(item, dict):
                extra = set(item) - {"name", "only-features", "except-features"}
                check(f"language {name}: server table keys", not extra and isinstance(item.get("name"), str), f"{item}")
                for k in ("only-features", "except-features"):
                    if k in item:
                        bad = [x for x in item[k] if x not in FEATURES]
                        check(f"language {name}: {k} are features", not bad, f"unknown {bad}")
                check(f"language {name}: not both only- and except-features", not ("only-features" in item and "except-features" in item))
                names.append(item.get("name"))
            else:
                check(f"language {name}: server item is a string or table", False, repr(item))
        for n in names:
            check(f"language {name}: server {n!r} is defined", n in servers or n in HELIX_DEFAULT_SERVERS)
        check(f"language {name}: no duplicate servers", len(names) == len(set(names)), f"{names}")

    for name in WANTED:
        lang = by_name.get(name)
        if not check(f"language {name}: present", lang is not None):
            continue
        names = [i if isinstance(i, str) else i.get("name") for i in lang.get("language-servers", [])]
        check(f"language {name}: codomyrmex added", "codomyrmex" in names, f"{names}")
        check(f"language {name}: keeps Helix defaults {HELIX_DEFAULTS[name]} first", names[: len(HELIX_DEFAULTS[name])] == HELIX_DEFAULTS[name], f"{names}")
        check(f"language {name}: codomyrmex last (default server answers hover/goto)", names and names[-1] == "codomyrmex", f"{names}")

    # Optional: a real Helix, if one is installed.
    hx = shutil.which("hx")
    if hx:
        with tempfile.TemporaryDirectory() as tmp:
            os.makedirs(os.path.join(tmp, "helix"))
            shutil.copy(PATH, os.path.join(tmp, "helix", "languages.toml"))
            for name in WANTED:
                p = subprocess.run([hx, "--health", name], env=dict(os.environ, XDG_CONFIG_HOME=tmp), capture_output=True, text=True, timeout=30)
                out = re.sub(r"\x1b\[[0-9;]*m", "", p.stdout + p.stderr)
                check(f"hx --health {name}: parses", "Error parsing" not in out, out[:300])
                check(f"hx --health {name}: lists codomyrmex", "codomyrmex" in out, out[:300])

    failed = 0
    for name, ok, detail in results:
        failed += not ok
        print(f"{'ok' if ok else 'not ok'} - helix languages.toml: {name}" + (f" ({detail})" if detail and not ok else ""))
    return failed


if __name__ == "__main__":
    try:
        failed = main()
    except tomllib.TOMLDecodeError as e:
        print(f"not ok - helix languages.toml: parses as TOML ({e})")
        failed = 1
    passed = sum(ok for _, ok, _ in results)
    print(f"helix: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
