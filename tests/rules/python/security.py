# Samples for config/rules/security/python.yaml (one `ruleid:` and one `ok:` case per rule at least).
import hashlib
import os
import pickle
import random
import secrets
import shlex
import ssl
import subprocess
import subprocess as sp
import tempfile
from hashlib import md5 as h

import flask
import jwt
import requests
import yaml
from flask import Flask, Markup, make_response, redirect, render_template, render_template_string, request

app = Flask(__name__)


def commands(user_dir, cmd):
    # ruleid: python.os-system
    os.system("ls " + user_dir)
    # ruleid: python.os-system
    os.popen(f"du -sh {user_dir}")
    # ok: python.os-system
    os.system("ls -l /tmp")
    # ok: python.os-system
    os.system("ls " + shlex.quote(user_dir))
    # ruleid: python.subprocess-shell-true
    sp.call(cmd, shell=True)
    # ruleid: python.subprocess-shell-true
    subprocess.run("grep -R {} .".format(user_dir), shell=True)
    # ok: python.subprocess-shell-true
    subprocess.run("ls -l", shell=True)
    # ok: python.subprocess-shell-true
    subprocess.run(["ls", "-l", user_dir])
    # ruleid: python.subprocess-dynamic-command
    subprocess.Popen(cmd)
    # ok: python.subprocess-dynamic-command
    subprocess.Popen(["echo", "hello"])
    # ruleid: python.os-exec-spawn
    os.execvp(cmd, [cmd, "-x"])
    # ok: python.os-exec-spawn
    os.spawnl(os.P_WAIT, "/bin/ls", "ls")
    # ruleid: python.shell-wildcard
    os.system("tar czf backup.tgz *")
    # ok: python.shell-wildcard
    os.system("tar czf backup.tgz ./*")


async def remote(client, host):
    # ruleid: python.exec-command-method
    client.exec_command("ping -c 1 " + host)
    # ok: python.exec-command-method
    client.exec_command("uptime")


def code(expr, name):
    # ruleid: python.code-injection
    eval(expr)
    # ruleid: python.code-injection
    exec("import " + name)
    # ok: python.code-injection
    eval("1 + 2")
    # ruleid: python.dynamic-globals-access
    handler = globals().get(name)
    # ok: python.dynamic-globals-access
    handler = globals().get("main")
    # ruleid: python.server-side-template-injection
    render_template_string("<h1>Hello " + name + "</h1>")
    # ok: python.server-side-template-injection
    render_template_string("<h1>Hello {{ name }}</h1>", name=name)
    return handler


def sql(cursor, engine, user_id, Person):
    # ruleid: python.sql-injection
    cursor.execute(f"SELECT * FROM users WHERE id = {user_id}")
    query = "SELECT * FROM users WHERE name = '%s'" % user_id
    # ruleid: python.sql-injection
    engine.execute(query)
    # ruleid: python.sql-injection
    Person.objects.raw("SELECT * FROM person WHERE id = {}".format(user_id))
    # ok: python.sql-injection
    cursor.execute("SELECT * FROM users WHERE id = %s", (user_id,))
    # ok: python.sql-injection
    cursor.execute("SELECT * FROM users WHERE id = %s" % "1")
    # ruleid: python.django-queryset-extra
    Person.objects.filter(active=True).extra(where=["id = 1"])
    # ok: python.django-queryset-extra
    Person.objects.filter(active=True).annotate()


def deserialise(blob, stream):
    # ruleid: python.unsafe-deserialization
    pickle.loads(blob)
    # ok: python.unsafe-deserialization
    secrets.token_hex(blob)
    # ruleid: python.yaml-unsafe-load
    yaml.load(stream, Loader=yaml.Loader)
    # ruleid: python.yaml-unsafe-load
    yaml.unsafe_load(stream)
    # ok: python.yaml-unsafe-load
    yaml.load(stream, Loader=yaml.SafeLoader)
    # ok: python.yaml-unsafe-load
    yaml.safe_load(stream)


def primitives(data, password):
    # ruleid: python.weak-hash
    h(data)
    # ruleid: python.weak-hash
    hashlib.sha1(data)
    # ok: python.weak-hash
    hashlib.sha256(data)
    # ok: python.weak-hash
    hashlib.md5(data, usedforsecurity=False)
    # ruleid: python.weak-hash-name
    hashlib.new("md5", data)
    # ok: python.weak-hash-name
    hashlib.new("sha256", data)
    from Crypto.Cipher import AES, DES

    # ruleid: python.weak-cipher
    DES.new(password)
    # ruleid: python.weak-cipher
    AES.new(password, AES.MODE_ECB)
    # ok: python.weak-cipher
    AES.new(password, AES.MODE_GCM)
    from cryptography.hazmat.primitives.asymmetric import rsa

    # ruleid: python.weak-key-size
    rsa.generate_private_key(public_exponent=65537, key_size=1024)
    # ok: python.weak-key-size
    rsa.generate_private_key(public_exponent=65537, key_size=4096)
    # ruleid: python.weak-tls-version
    ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_TLSv1)
    # ok: python.weak-tls-version
    ssl.wrap_socket(sock, ssl_version=ssl.PROTOCOL_TLS_CLIENT)
    # ruleid: python.insecure-random
    reset_token = random.randint(100000, 999999)
    # ok: python.insecure-random
    dice = random.randint(1, 6)
    # ok: python.insecure-random
    reset_token = secrets.randbelow(999999)
    return reset_token, dice


def transport(url):
    # ruleid: python.tls-verify-disabled
    requests.get(url, verify=False)
    # ok: python.tls-verify-disabled
    requests.get(url, verify=True)
    # ruleid: python.tls-unverified-context
    ctx = ssl._create_unverified_context()
    # ok: python.tls-unverified-context
    ctx = ssl.create_default_context()
    endpoint = "http://example.com/api"
    # ruleid: python.cleartext-transport
    requests.get(endpoint)
    # ok: python.cleartext-transport
    requests.get("https://example.com/api")
    # ok: python.cleartext-transport
    requests.get("http://localhost:8080/health")
    import ftplib

    # ruleid: python.cleartext-protocol
    ftplib.FTP("ftp.example.com")
    # ok: python.cleartext-protocol
    ftplib.FTP_TLS("ftp.example.com")
    import paramiko

    client = paramiko.SSHClient()
    # ruleid: python.ssh-auto-add-host-key
    client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    # ok: python.ssh-auto-add-host-key
    client.set_missing_host_key_policy(paramiko.RejectPolicy())
    return ctx


def files_and_xml(data):
    # ruleid: python.insecure-temp-file
    name = tempfile.mktemp()
    # ok: python.insecure-temp-file
    fd, name = tempfile.mkstemp()
    from lxml import etree

    # ruleid: python.xml-external-entities
    parser = etree.XMLParser(resolve_entities=True)
    # ok: python.xml-external-entities
    parser = etree.XMLParser(resolve_entities=False)
    import xml.etree.ElementTree as ET

    # ruleid: python.xml-unsafe-parser
    ET.fromstring(data)
    # ok: python.xml-unsafe-parser
    ET.fromstring("<config/>")
    # ruleid: python.file-permissions
    os.chmod(name, 0o777)
    # ok: python.file-permissions
    os.chmod(name, 0o600)
    return parser, fd


@app.route("/files/<name>")
def download(name):
    # ruleid: python.path-traversal
    return open(os.path.join("/srv/files", name)).read()


@app.route("/safe-files/<name>")
def safe_download(name):
    # ok: python.path-traversal
    return open(os.path.join("/srv/files", os.path.basename(name))).read()


def helper(path):
    # ok: python.path-traversal
    return open(path).read()


@app.route("/go")
def go():
    target = request.args.get("next")
    # ruleid: python.open-redirect
    return redirect(target)


@app.route("/home")
def home():
    # ok: python.open-redirect
    return redirect("/index")


@app.route("/fetch")
def fetch():
    # ruleid: python.ssrf
    return requests.get(request.args["url"]).text


@app.route("/fetch-fixed")
def fetch_fixed():
    # ok: python.ssrf
    return requests.get("https://api.example.com/status").text


@app.route("/hello")
def hello():
    name = request.args.get("name", "")
    # ruleid: python.xss-response
    resp = make_response("<p>Hello " + name + "</p>")
    # ok: python.xss-response
    resp = make_response(render_template("hello.html", name=name))
    # ruleid: python.template-unescaped-extension
    body = render_template("hello.txt", name=name)
    # ok: python.template-unescaped-extension
    body = render_template("hello.html", name=name)
    # ruleid: python.template-context-locals
    page = render_template("page.html", **locals())
    # ok: python.template-context-locals
    page = render_template("page.html", name=name)
    return resp, body, page


def markup(comment):
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    # ruleid: python.xss-mark-safe
    mark_safe("<b>" + comment + "</b>")
    # ruleid: python.xss-mark-safe
    Markup(comment)
    # ok: python.xss-mark-safe
    mark_safe("<br>")
    # ruleid: python.xss-format-html-preformatted
    format_html(f"<b>{comment}</b>")
    # ok: python.xss-format-html-preformatted
    format_html("<b>{}</b>", comment)


def templates():
    import jinja2

    # ruleid: python.template-autoescape-disabled
    env = jinja2.Environment(autoescape=False)
    # ok: python.template-autoescape-disabled
    env = jinja2.Environment(autoescape=True)
    # ruleid: python.template-autoescape-missing
    env = jinja2.Environment(loader=None)
    # ok: python.template-autoescape-missing
    env = jinja2.Environment(loader=None, autoescape=jinja2.select_autoescape())
    return env


def tokens(token, key):
    # ruleid: python.jwt-unverified
    jwt.decode(token, verify=False)
    # ruleid: python.jwt-unverified
    jwt.decode(token, key, options={"verify_signature": False})
    # ok: python.jwt-unverified
    jwt.decode(token, key, algorithms=["HS256"])
    # ruleid: python.jwt-none-algorithm
    jwt.encode({"a": 1}, None, algorithm="none")
    # ok: python.jwt-none-algorithm
    jwt.encode({"a": 1}, key, algorithm="HS256")


def servers(sock, response):
    # ruleid: python.bind-all-interfaces
    sock.bind(("0.0.0.0", 8080))
    # ok: python.bind-all-interfaces
    sock.bind(("127.0.0.1", 8080))
    # ruleid: python.debug-enabled
    app.run(host="127.0.0.1", debug=True)
    # ok: python.debug-enabled
    app.run(host="127.0.0.1", debug=False)
    # ruleid: python.cookie-insecure
    response.set_cookie("session", "abc")
    # ok: python.cookie-insecure
    response.set_cookie("session", "abc", secure=True, httponly=True)
    # ruleid: python.cookie-no-httponly
    response.set_cookie("session", "abc", secure=True)
    # ok: python.cookie-no-httponly
    response.set_cookie("session", "abc", secure=True, httponly=True, samesite="Lax")
    # ruleid: python.csrf-disabled
    app.config["WTF_CSRF_ENABLED"] = False
    # ok: python.csrf-disabled
    app.config["WTF_CSRF_ENABLED"] = True


# ruleid: python.debug-enabled
DEBUG = True
# ok: python.debug-enabled
TESTING_DEBUG = True


def more_tokens(payload):
    # ruleid: python.jwt-hardcoded-secret
    jwt.encode(payload, "secret", algorithm="HS256")
    # ok: python.jwt-hardcoded-secret
    jwt.encode(payload, os.environ["JWT_SECRET"], algorithm="HS256")
    # ruleid: python.cleartext-credentials, python.cleartext-transport
    requests.get("http://api.example.com/me", auth=("user", "pass"))
    # ok: python.cleartext-credentials
    requests.get("https://api.example.com/me", auth=("user", "pass"))


def patterns(text):
    import re

    # ruleid: python.redos
    re.match(r"^(\w+\s?)*$", text)
    # ok: python.redos
    re.match(r"^[\w\s]*$", text)


from django import template
from django.utils.safestring import SafeString

register = template.Library()


# ruleid: python.xss-safe-marking
@register.filter(is_safe=True)
def shout(value):
    return value.upper()


# ok: python.xss-safe-marking
@register.filter(is_safe=False)
def whisper(value):
    return value.lower()


# ruleid: python.xss-safe-marking
class Trusted(SafeString):
    pass


# ok: python.xss-safe-marking
class Plain(str):
    pass


def pipelines(message):
    from airflow.operators.bash import BashOperator
    from ruamel.yaml import YAML

    # ruleid: python.airflow-bash-command
    BashOperator(task_id="echo", bash_command="echo " + message)
    # ok: python.airflow-bash-command
    BashOperator(task_id="echo", bash_command="echo $MESSAGE", env={"MESSAGE": message})
    # ruleid: python.ruamel-unsafe-yaml
    YAML(typ="unsafe")
    # ok: python.ruamel-unsafe-yaml
    YAML(typ="safe")


def ids(settings):
    from hashids import Hashids

    # ruleid: python.hashids-secret-salt
    Hashids(salt=settings.SECRET_KEY, min_length=8)
    # ok: python.hashids-secret-salt
    Hashids(salt=settings.HASHIDS_SALT, min_length=8)


def fetch_any(url):
    import urllib.request

    opener = urllib.request.URLopener()
    # ruleid: python.urllib-dynamic-url
    opener.open(url)
    # ok: python.urllib-dynamic-url
    opener.open("https://example.com/feed")
