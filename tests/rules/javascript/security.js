// Samples for config/rules/security/javascript.yaml (one `ruleid:` and one `ok:` case per rule at least).
const { exec, execFile, spawn } = require("child_process");
const cp = require("node:child_process");
const crypto = require("crypto");
const fs = require("fs");
const jwt = require("jsonwebtoken");
const session = require("express-session");
const axios = require("axios");
const vm = require("vm");
const serialize = require("node-serialize");

function commands(dir, userCmd) {
  // ruleid: javascript.child-process-exec
  exec("ls " + dir);
  // ruleid: javascript.child-process-exec
  cp.execSync(`du -sh ${dir}`);
  // ok: javascript.child-process-exec
  exec("ls -l /tmp");
  // ok: javascript.child-process-exec
  execFile("ls", ["-l", dir]);
  // ruleid: javascript.spawn-shell
  spawn(userCmd, [], { shell: true });
  // ok: javascript.spawn-shell
  spawn("ls", ["-l"], { shell: true });
}

function code(expr, name) {
  // ruleid: javascript.code-injection
  eval(expr);
  // ruleid: javascript.code-injection
  const f = new Function("a", "return a." + name);
  // ruleid: javascript.code-injection
  vm.runInNewContext(expr, {});
  // ok: javascript.code-injection
  eval("1 + 2");
  // ruleid: javascript.string-timer
  setTimeout("update(" + name + ")", 100);
  // ok: javascript.string-timer
  setTimeout(() => update(name), 100);
  return f;
}

function sql(db, knex, sequelize, id) {
  // ruleid: javascript.sql-injection
  db.query("SELECT * FROM users WHERE id = " + id);
  // ruleid: javascript.sql-injection
  sequelize.query(`SELECT * FROM users WHERE id = ${id}`);
  // ruleid: javascript.sql-injection
  knex.raw("SELECT * FROM t WHERE a = '" + id + "'");
  // ok: javascript.sql-injection
  db.query("SELECT * FROM users WHERE id = ?", [id]);
  // ok: javascript.sql-injection
  db.query("SELECT * FROM users WHERE id = " + "1");
}

function data(body) {
  // ruleid: javascript.unsafe-deserialization
  serialize.unserialize(body);
  // ok: javascript.unsafe-deserialization
  JSON.parse(body);
}

function primitives(key, data) {
  // ruleid: javascript.weak-hash
  crypto.createHash("md5").update(data);
  // ok: javascript.weak-hash
  crypto.createHash("sha256").update(data);
  // ruleid: javascript.weak-cipher
  crypto.createCipheriv("des-ede3", key, Buffer.alloc(8));
  // ruleid: javascript.weak-cipher
  crypto.createCipheriv("aes-128-ecb", key, null);
  // ok: javascript.weak-cipher
  crypto.createCipheriv("aes-256-gcm", key, crypto.randomBytes(12));
  // ruleid: javascript.weak-cipher-no-iv
  crypto.createCipher("aes-256-cbc", key);
  // ok: javascript.weak-cipher-no-iv
  crypto.createCipheriv("aes-256-cbc", key, crypto.randomBytes(16));
  // ruleid: javascript.insecure-random
  const resetToken = Math.random().toString(36);
  // ok: javascript.insecure-random
  const jitter = Math.random() * 100;
  // ok: javascript.insecure-random
  const sessionId = crypto.randomUUID();
  return [resetToken, jitter, sessionId];
}

function transport(url) {
  const https = require("https");
  // ruleid: javascript.tls-verify-disabled
  const agent = new https.Agent({ rejectUnauthorized: false });
  // ok: javascript.tls-verify-disabled
  const agent2 = new https.Agent({ rejectUnauthorized: true });
  // ruleid: javascript.tls-verify-disabled
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";
  // ok: javascript.tls-verify-disabled
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = "1";
  // ruleid: javascript.weak-tls-version
  https.request({ host: "example.com", secureProtocol: "TLSv1_method" });
  // ok: javascript.weak-tls-version
  https.request({ host: "example.com", minVersion: "TLSv1.2" });
  const api = "http://api.example.com/v1";
  // ruleid: javascript.cleartext-transport
  fetch(api);
  // ruleid: javascript.cleartext-transport
  axios({ method: "get", url: "http://api.example.com/users" });
  // ok: javascript.cleartext-transport
  axios.get("https://api.example.com/users");
  // ok: javascript.cleartext-transport
  fetch("http://localhost:3000/health");
  const Telnet = require("telnet-client");
  // ruleid: javascript.cleartext-protocol
  const connection = new Telnet();
  // ok: javascript.cleartext-protocol
  const other = new Map();
  return [agent, agent2, connection, other, url];
}

function tokens(payload, token) {
  // ruleid: javascript.hardcoded-secret
  jwt.sign(payload, "shhhhh");
  // ok: javascript.hardcoded-secret
  jwt.sign(payload, process.env.JWT_SECRET);
  // ruleid: javascript.hardcoded-secret-option
  session({ secret: "keyboard cat", resave: false });
  // ruleid: javascript.xss-html-template
  const card = `<div class="c">${payload.name}</div>`;
  // ok: javascript.xss-html-template
  const label = `Hello ${payload.name}`;
  // ok: javascript.hardcoded-secret-option
  session({ secret: process.env.SESSION_SECRET, resave: false });
  // ruleid: javascript.jwt-none-algorithm
  jwt.verify(token, process.env.KEY, { algorithms: ["none"] });
  // ok: javascript.jwt-none-algorithm
  jwt.verify(token, process.env.KEY, { algorithms: ["HS256"] });
  // ruleid: javascript.jwt-decode-unverified
  const claims = jwt.decode(token);
  // ok: javascript.jwt-decode-unverified
  const verified = jwt.verify(token, process.env.KEY, { algorithms: ["HS256"] });
  return [claims, verified, card, label];
}

function dom(el, comment) {
  // ruleid: javascript.xss-inner-html
  el.innerHTML = "<p>" + comment + "</p>";
  // ok: javascript.xss-inner-html
  el.innerHTML = "<p>static</p>";
  // ok: javascript.xss-inner-html
  el.textContent = comment;
  // ruleid: javascript.xss-document-write
  document.write(location.hash.substring(1));
  // ok: javascript.xss-document-write
  document.write("<p>hello</p>");
  // ruleid: javascript.xss-jquery
  $("#out").html(comment);
  // ok: javascript.xss-jquery
  $("#out").text(comment);
  // ruleid: javascript.xss-jquery-selector
  $(location.hash);
  // ok: javascript.xss-jquery-selector
  $("#main");
  // ruleid: javascript.open-redirect-location
  window.location.href = new URLSearchParams(location.search).get("next");
  // ok: javascript.open-redirect-location
  window.location.href = "/home";
  // ruleid: javascript.postmessage-wildcard
  window.parent.postMessage(comment, "*");
  // ok: javascript.postmessage-wildcard
  window.parent.postMessage(comment, "https://app.example.com");
  // ruleid: javascript.postmessage-no-origin-check
  window.addEventListener("message", (event) => { el.textContent = event.data; });
  // ok: javascript.postmessage-no-origin-check
  window.addEventListener("message", (event) => { if (event.origin === "https://a.example") { el.textContent = event.data; } });
}

function angular($sce, value) {
  // ruleid: javascript.xss-trusted-html
  return $sce.trustAsHtml(value);
}

function angularSafe($sce) {
  // ok: javascript.xss-trusted-html
  return $sce.trustAsHtml("<b>static</b>");
}

function server(app, express, libxmljs) {
  app.get("/go", (req, res) => {
    // ruleid: javascript.open-redirect
    res.redirect(req.query.next);
  });
  app.get("/home", (req, res) => {
    // ok: javascript.open-redirect
    res.redirect("/index");
  });
  app.get("/file", (req, res) => {
    // ruleid: javascript.path-traversal
    fs.readFile("/srv/files/" + req.query.name, (err, data) => res.send(data));
    // ok: javascript.path-traversal
    fs.readFile("/srv/files/index.html", (err, data) => res.send(data));
  });
  app.get("/proxy", async (req, res) => {
    // ruleid: javascript.ssrf
    const r = await axios.get(req.query.url);
    // ok: javascript.ssrf
    const s = await axios.get("https://api.example.com/status");
    res.json([r.data, s.data]);
  });
  app.get("/shot", async (req, res) => {
    const page = await req.app.locals.browser.newPage();
    // ruleid: javascript.headless-browser-injection
    await page.goto(req.query.target);
    // ok: javascript.headless-browser-injection
    await page.goto("https://example.com");
    res.end();
  });
  app.get("/search", (req, res) => {
    // ruleid: javascript.regex-injection
    const re = new RegExp(req.query.q);
    // ok: javascript.regex-injection
    const fixed = new RegExp("^[a-z]+$");
    res.json([re.test("x"), fixed.test("x")]);
  });
  app.post("/xml", (req, res) => {
    // ruleid: javascript.xml-external-entities
    const doc = libxmljs.parseXml(req.body, { noent: true });
    // ok: javascript.xml-external-entities
    const doc2 = libxmljs.parseXml(req.body, { noent: false });
    res.send([doc, doc2]);
  });
  // ruleid: javascript.bind-all-interfaces
  app.listen(8080, "0.0.0.0");
  // ok: javascript.bind-all-interfaces
  app.listen(8080, "127.0.0.1");
}

function patterns(text, token, jwtSimple) {
  // ruleid: javascript.redos
  const a = /^([a-z]+)+$/.test(text);
  // ruleid: javascript.redos
  const b = new RegExp("(\\w+\\s?)*$").test(text);
  // ok: javascript.redos
  const c = /^[a-z]+$/.test(text);
  // ruleid: javascript.token-in-web-storage
  localStorage.setItem("auth_token", token);
  // ok: javascript.token-in-web-storage
  localStorage.setItem("theme", "dark");
  const jwts = require("jwt-simple");
  // ruleid: javascript.jwt-simple-noverify
  const claims = jwts.decode(token, process.env.KEY, true);
  // ruleid: javascript.jwt-simple-noverify
  const unchecked = jwts.decode(token, process.env.KEY, "HS256");
  // ok: javascript.jwt-simple-noverify
  const verified = jwts.decode(token, process.env.KEY);
  // ok: javascript.jwt-simple-noverify
  const verified2 = jwts.decode(token, process.env.KEY, false);
  // ruleid: javascript.pseudo-random-bytes
  const weak = crypto.pseudoRandomBytes(16);
  // ok: javascript.pseudo-random-bytes
  const strong = crypto.randomBytes(16);
  return [a, b, c, claims, unchecked, verified, verified2, weak, strong, jwtSimple];
}

function Comment({ html }) {
  // ruleid: javascript.xss-dangerously-set-inner-html
  return React.createElement("div", { dangerouslySetInnerHTML: { __html: html } });
}

function Static() {
  // ok: javascript.xss-dangerously-set-inner-html
  return React.createElement("div", { dangerouslySetInnerHTML: { __html: "<b>hi</b>" } });
}

module.exports = { patterns, commands, code, sql, data, primitives, transport, tokens, dom, angular, angularSafe, server, Comment, Static };
