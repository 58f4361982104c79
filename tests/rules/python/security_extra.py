# Samples for config/rules/security/python-extra.yaml (one `ruleid:` and one `ok:` case per rule at least).
import asyncio
import hashlib
import importlib
import logging
import logging.config
import ssl
import http.client
from code import InteractiveInterpreter

import docker
import urllib3
from jinja2 import Environment, select_autoescape
from markupsafe import Markup
from pyramid.authentication import AuthTktAuthenticationPolicy, AuthTktCookieHelper
from pyramid.view import view_config

log = logging.getLogger(__name__)


def cookies(resp, token):
    resp.set_cookie(
        "sid",
        token,
        secure=True,
        # ruleid: python.cookie-httponly-false
        httponly=False,
    )
    # ok: python.cookie-httponly-false
    resp.set_cookie("sid", token, secure=True, httponly=True, samesite="Strict")
    resp.set_cookie(
        "prefs",
        token,
        # ruleid: python.cookie-samesite-none
        samesite=None,
        secure=True,
        httponly=True,
    )
    # ok: python.cookie-samesite-none
    resp.set_cookie("prefs", token, samesite="Lax", secure=True, httponly=True)


def auth_policies(key, settings):
    # ruleid: python.pyramid-authtkt-not-secure, python.pyramid-authtkt-not-httponly
    helper = AuthTktCookieHelper(key, hashalg="sha512")
    # ruleid: python.pyramid-authtkt-not-secure
    policy = AuthTktAuthenticationPolicy(key, secure=False, httponly=True)
    # ok: python.pyramid-authtkt-not-secure, python.pyramid-authtkt-not-httponly
    good = AuthTktAuthenticationPolicy(key, secure=True, httponly=True, hashalg="sha512")
    # ok: python.pyramid-authtkt-not-secure, python.pyramid-authtkt-not-httponly
    configured = AuthTktCookieHelper(**settings)
    return helper, policy, good, configured


# ruleid: python.csrf-check-disabled
@view_config(route_name="hook", request_method="POST", require_csrf=False)
def webhook(request):
    return {}


# ok: python.csrf-check-disabled
@view_config(route_name="form", request_method="POST", require_csrf=True)
def form(request):
    return {}


def flask_settings(app):
    # ruleid: python.csrf-check-disabled
    app.config.WTF_CSRF_ENABLED = False
    # ok: python.csrf-check-disabled
    app.config.WTF_CSRF_ENABLED = True


def digests(blob):
    # ruleid: python.weak-hash-keyword
    a = hashlib.new(name="sha1", data=blob)
    # ok: python.weak-hash-keyword
    b = hashlib.new(name="sha3_256", data=blob)
    return a, b


def tls(sock, host):
    # ruleid: python.ssl-wrap-socket
    legacy = ssl.wrap_socket(sock)
    ctx = ssl.create_default_context()
    # ok: python.ssl-wrap-socket
    modern = ctx.wrap_socket(sock, server_hostname=host)
    return legacy, modern


# ruleid: python.tls-default-context-unverified
ssl._create_default_https_context = ssl._create_unverified_context
# ok: python.tls-default-context-unverified
ssl._create_default_https_context = ssl.create_default_context


def hidden_calls(os, cmd):
    # ruleid: python.dynamic-dangerous-function
    runner = getattr(os, "popen")
    # ruleid: python.dynamic-dangerous-function
    getattr(__import__("subprocess"), "check_output")(cmd)
    # ok: python.dynamic-dangerous-function
    sep = getattr(os, "sep")
    return runner, sep


def log_things(user, api_token):
    # ruleid: python.logging-sensitive-data
    log.debug("calling upstream with token=%s", api_token)
    # ok: python.logging-sensitive-data
    log.debug("calling upstream for user %s", user)
    # ok: python.logging-sensitive-data
    log.warning("token refresh failed, retrying")


def save_profile(request, Profile):
    # ruleid: python.mass-assignment
    Profile.objects.create(**request.POST)
    # ruleid: python.mass-assignment
    Profile(**request.data.dict())
    # ok: python.mass-assignment
    Profile.objects.create(name=request.POST["name"])


def containers(client, image_name):
    # ruleid: python.docker-dynamic-image
    client.containers.run(image_name, "true")
    # ok: python.docker-dynamic-image
    client.containers.run("alpine:3.20", "true")


def django_context(request, render, shown):
    # ruleid: python.template-context-autoescape-off
    ctx = {"shown": shown, "autoescape": False}
    # ok: python.template-context-autoescape-off
    safe_ctx = {"shown": shown, "autoescape": True}
    return render(request, "page.html", ctx), safe_ctx


class Badge(str):
    # ruleid: python.html-magic-method
    def __html__(self):
        return "<b>" + self + "</b>"

    # ok: python.html-magic-method
    def __str__(self):
        return self


def markup(comment):
    # ruleid: python.markup-unescape
    raw = Markup(comment).unescape()
    # ok: python.markup-unescape
    text = Markup.escape(comment)
    return raw, text


def logging_server(port):
    # ruleid: python.logging-config-listen
    thread = logging.config.listen(port)
    # ok: python.logging-config-listen
    logging.config.dictConfig({"version": 1})
    return thread


def plugins(request):
    plugin_name = request.args.get("plugin")
    # ruleid: python.dynamic-import
    mod = importlib.import_module("plugins." + plugin_name)
    # ok: python.dynamic-import
    json_mod = importlib.import_module("json")
    return mod, json_mod


def load_codec(codec_name):
    # ok: python.dynamic-import
    return importlib.import_module("codecs_ext." + codec_name)


def connections():
    # ruleid: python.cleartext-connection
    conn = http.client.HTTPConnection("api.example.org")
    # ruleid: python.cleartext-connection
    pool = urllib3.HTTPConnectionPool("metrics.example.org", port=80)
    # ok: python.cleartext-connection
    secure = http.client.HTTPSConnection("api.example.org")
    # ok: python.cleartext-connection
    local = http.client.HTTPConnection("localhost", 8080)
    return conn, pool, secure, local


def console(source):
    interp = InteractiveInterpreter()
    # ruleid: python.interactive-code-run
    interp.runsource(source)
    # ok: python.interactive-code-run
    interp.runsource("print('ready')")


async def spawn(loop, factory, program):
    # ruleid: python.asyncio-subprocess-dynamic
    await loop.subprocess_exec(factory, program, "--version")
    # ok: python.asyncio-subprocess-dynamic
    await loop.subprocess_exec(factory, "/usr/bin/uptime")
    await asyncio.sleep(0)


def cluster(Security):
    # ruleid: python.encryption-disabled
    sec = Security(tls_ca_file="ca.pem", require_encryption=False)
    # ok: python.encryption-disabled
    strict = Security(tls_ca_file="ca.pem", require_encryption=True)
    return sec, strict


# ruleid: python.hardcoded-password-default
def connect_db(host, password="opensesame"):
    return host, password


# ok: python.hardcoded-password-default
def connect_db_env(host, password=None):
    return host, password


def templates(loader, want_escape):
    # ruleid: python.jinja2-autoescape-dynamic
    env = Environment(loader=loader, autoescape=want_escape)
    # ok: python.jinja2-autoescape-dynamic
    good = Environment(loader=loader, autoescape=select_autoescape(["html"]))
    return env, good


def unpack(archive, dest):
    import tarfile

    tar = tarfile.open(archive)
    # ruleid: python.tarfile-extract-unfiltered
    tar.extractall(dest)
    # ok: python.tarfile-extract-unfiltered
    tar.extractall(dest, filter="data")
    with tarfile.open(archive) as bundle:
        # ruleid: python.tarfile-extract-unfiltered
        bundle.extractall(dest)
    with tarfile.open(archive) as bundle:
        # ok: python.tarfile-extract-unfiltered
        bundle.extractall(dest, filter="data")


def shell_opts(pattern):
    import subprocess

    # ruleid: python.subprocess-shell-kwargs
    subprocess.run("grep -R " + pattern + " .", **{"shell": True})
    # ok: python.subprocess-shell-kwargs
    subprocess.run("uptime", **{"shell": True})


def databases(psycopg2, redis, os):
    # ruleid: python.hardcoded-credential-argument
    conn = psycopg2.connect(host="db", user="app", password="letmein")
    # ok: python.hardcoded-credential-argument
    conn2 = psycopg2.connect(host="db", user="app", password=os.environ["DB_PASSWORD"])
    # ruleid: python.empty-password-argument
    cache = redis.Redis(host="cache", password="")
    # ok: python.empty-password-argument
    cache2 = redis.Redis(host="cache", password=os.getenv("REDIS_PASSWORD", ""))
    return conn, conn2, cache, cache2
