// Samples for config/rules/security/javascript-extra.yaml (one `ruleid:` and one `ok:` case per rule at least).
const { spawn, execFile } = require("child_process");
const crypto = require("crypto");
const Ajv = require("ajv");
const session = require("express-session");
const cookieSession = require("cookie-session");
const listing = require("serve-index");
const toSource = require("serialize-javascript");
const puppeteer = require("puppeteer");
const createNodesFromMarkup = require("fbjs/lib/createNodesFromMarkup");

angular.module("shop", []).config(function ($sceProvider, $sceDelegateProvider) {
  // ruleid: javascript.angular-sce-disabled
  $sceProvider.enabled(false);
  // ok: javascript.angular-sce-disabled
  $sceProvider.enabled(true);
  // ruleid: javascript.angular-resource-url-wildcard
  $sceDelegateProvider.resourceUrlWhitelist(["self", "https://**.cdn.example.net/**"]);
  // ok: javascript.angular-resource-url-wildcard
  $sceDelegateProvider.resourceUrlWhitelist(["self", "https://cdn.example.net/templates/*"]);
});

function goBack($window, returnTo) {
  // ruleid: javascript.angular-window-location
  $window.location.href = returnTo + "#done";
  // ok: javascript.angular-window-location
  $window.location.href = "/home";
}

module.exports.database = {
  production: {
    // ruleid: javascript.sequelize-no-tls
    db: { dialect: "postgres", host: "db.internal.example", username: "shop" },
    // ok: javascript.sequelize-no-tls
    replica: { dialect: "postgres", host: "db2.internal.example", dialectOptions: { ssl: { require: true } } },
  },
};

function validators() {
  // ruleid: javascript.ajv-all-errors
  const loose = new Ajv({ strict: true, allErrors: true });
  // ok: javascript.ajv-all-errors
  const strict = new Ajv({ strict: true });
  return [loose, strict];
}

function chat(user, hmac) {
  // ruleid: javascript.intercom-no-user-hash
  window.intercomSettings = { app_id: "k3q9x", user_id: user.id, name: user.name };
  // ok: javascript.intercom-no-user-hash
  window.intercomSettings = { app_id: "k3q9x", user_id: user.id, user_hash: hmac };
}

function plugins(src) {
  // ruleid: javascript.jquery-global-eval
  jQuery.globalEval("init(" + src + ")");
  // ok: javascript.jquery-global-eval
  jQuery.globalEval("init()");
}

function sessions(app, secret) {
  // ruleid: javascript.session-cookie-not-secure
  app.use(session({ secret, resave: false, cookie: { httpOnly: true, maxAge: 3600000 } }));
  // ok: javascript.session-cookie-not-secure
  app.use(session({ secret, resave: false, cookie: { secure: true, httpOnly: true } }));
  // ok: javascript.session-cookie-not-secure
  app.use(cookieSession({ name: "s", keys: [secret], secure: true }));
  // ruleid: javascript.cookie-httponly-false
  app.use(cookieSession({ name: "s", keys: [secret], secure: true, httpOnly: false }));
  // ok: javascript.cookie-httponly-false
  app.use(cookieSession({ name: "s", keys: [secret], secure: true, httpOnly: true }));
}

function files(app, express) {
  // ruleid: javascript.directory-listing
  app.use("/uploads", listing("uploads", { icons: true }));
  // ok: javascript.directory-listing
  app.use("/uploads", express.static("uploads", { index: false }));
}

function escaping(Mustache, $select) {
  // ruleid: javascript.template-escape-disabled
  Mustache.escape = (text) => text;
  // ok: javascript.template-escape-disabled
  Mustache.escape = (text) => encode(text);
  $select.select2({
    // ruleid: javascript.template-escape-disabled
    escapeMarkup: function (markup) { return markup; },
  });
}

async function browsers(port) {
  // ruleid: javascript.devtools-remote-debugging
  const debug = await puppeteer.launch({ headless: true, args: ["--no-sandbox", `--remote-debugging-port=${port}`] });
  // ok: javascript.devtools-remote-debugging
  const plain = await puppeteer.launch({ headless: true, args: ["--no-sandbox"] });
  return [debug, plain];
}

function sockets(host) {
  // ruleid: javascript.insecure-websocket
  const live = new WebSocket("ws://stream.example.org/feed");
  // ok: javascript.insecure-websocket
  const safe = new WebSocket("wss://stream.example.org/feed");
  // ok: javascript.insecure-websocket
  const dev = new WebSocket("ws://localhost:8080/feed");
  return [live, safe, dev, host];
}

function buffers(buf, at) {
  // ruleid: javascript.buffer-noassert
  const n = buf.readUInt32LE(at, true);
  // ok: javascript.buffer-noassert
  const m = buf.readUInt32LE(at);
  return n + m;
}

function checkout(repoUrl, dir) {
  // ruleid: javascript.git-argument-injection
  spawn("git", ["clone", "--depth", "1", repoUrl, dir]);
  // ok: javascript.git-argument-injection
  spawn("git", ["clone", "--depth", "1", "--", repoUrl, dir]);
  // ok: javascript.git-argument-injection
  execFile("git", ["status", "--short"]);
}

function quoting(name) {
  // ruleid: javascript.incomplete-sanitization
  const sql = "'" + name.replace("'", "''") + "'";
  // ok: javascript.incomplete-sanitization
  const sql2 = "'" + name.replace(/'/g, "''") + "'";
  // ok: javascript.incomplete-sanitization
  const label = name.replace("draft", "final");
  return [sql, sql2, label];
}

window.addEventListener("message", (event) => {
  const msg = JSON.parse(event.data);
  // ruleid: javascript.unsafe-dynamic-method
  window[msg.action](msg.args);
  // ok: javascript.unsafe-dynamic-method
  window["refresh"](msg.args);
});

function setPath(target, path, value) {
  const keys = path.split(".");
  const last = keys.pop();
  let node = target;
  for (const part of keys) {
    // ruleid: javascript.prototype-pollution-loop
    node = node[part] || (node[part] = {});
  }
  node[last] = value;
  let row = target.rows;
  for (let i = 0; i < 3; i++) {
    // ok: javascript.prototype-pollution-loop
    row = row[i];
  }
  return row;
}

function state(data) {
  // ruleid: javascript.serialize-javascript-unsafe
  const inline = toSource(data, { unsafe: true });
  // ok: javascript.serialize-javascript-unsafe
  const escaped = toSource(data, { isJSON: true });
  return inline + escaped;
}

function open(key, iv, tag, body) {
  const mode = "aes-256-gcm";
  // ruleid: javascript.gcm-no-tag-length
  const d1 = crypto.createDecipheriv(mode, key, iv);
  // ok: javascript.gcm-no-tag-length
  const d2 = crypto.createDecipheriv(mode, key, iv, { authTagLength: 16 });
  // ok: javascript.gcm-no-tag-length
  const d3 = crypto.createDecipheriv("aes-256-cbc", key, iv);
  d1.setAuthTag(tag);
  return [d1.update(body), d2, d3];
}

function fragments(title) {
  // ruleid: javascript.create-nodes-from-markup
  const nodes = createNodesFromMarkup("<h2>" + title + "</h2>");
  // ok: javascript.create-nodes-from-markup
  const fixed = createNodesFromMarkup("<hr>");
  return [nodes, fixed];
}

function hover(word) {
  return {
    contents: [
      // ruleid: javascript.monaco-trusted-html
      { supportHtml: true, value: `<b>${word}</b>` },
      // ok: javascript.monaco-trusted-html
      { supportHtml: true, value: "<b>keyword</b>" },
      // ok: javascript.monaco-trusted-html
      { value: `**${word}**` },
    ],
  };
}

function headers(res, cors) {
  // ruleid: javascript.cors-any-origin
  res.setHeader("Access-Control-Allow-Origin", "*");
  // ok: javascript.cors-any-origin
  res.setHeader("Access-Control-Allow-Origin", "https://app.example.com");
  // ruleid: javascript.cors-any-origin
  const open = cors({ origin: "*" });
  // ok: javascript.cors-any-origin
  const closed = cors({ origin: ["https://app.example.com"] });
  return [open, closed];
}

// ruleid: javascript.url-regex-unescaped-dot
const allowedOrigin = /^https:\/\/admin.example.com$/;
// ok: javascript.url-regex-unescaped-dot
const allowedOrigin2 = /^https:\/\/admin\.example\.com$/;

function render(React, ReactMarkdown, text) {
  return [
    // ruleid: javascript.react-markdown-raw-html
    <ReactMarkdown allowDangerousHtml children={text} />,
    // ruleid: javascript.react-markdown-raw-html
    <ReactMarkdown escapeHtml={false}>{text}</ReactMarkdown>,
    // ok: javascript.react-markdown-raw-html
    <ReactMarkdown children={text} />,
  ];
}

function sandboxed(userCode, done) {
  const Sandbox = require("sandbox");
  const box = new Sandbox();
  // ruleid: javascript.sandbox-code-injection
  box.run("main(" + userCode + ")", done);
  // ok: javascript.sandbox-code-injection
  box.run("main()", done);
}

function protect(app, expressJwt, denyList) {
  const auth = require("express-jwt");
  // ruleid: javascript.express-jwt-no-revocation
  app.use(auth({ secret: process.env.JWT_KEY, algorithms: ["HS256"] }));
  // ok: javascript.express-jwt-no-revocation
  app.use(auth({ secret: process.env.JWT_KEY, algorithms: ["HS256"], isRevoked: denyList.check }));
}

function saveUser(db, email, role) {
  // ruleid: javascript.sql-string-formatting
  const insert = `INSERT INTO members (email, role) VALUES ('${email}', '${role}')`;
  // ok: javascript.sql-string-formatting
  const insert2 = "INSERT INTO members (email, role) VALUES (?, ?)";
  // ok: javascript.sql-string-formatting
  const greeting = `Selected ${email} from the list`;
  return db.query(insert2, [email, role]).then(() => db.query(insert));
}

// ruleid: javascript.insecure-websocket
const streamScheme = "ws://";

async function snapshot(page, target, markup) {
  // ruleid: javascript.phantom-page-injection
  await page.openUrl(target, {}, {});
  // ruleid: javascript.phantom-page-injection
  await page.property("content", markup);
  // ok: javascript.phantom-page-injection
  await page.property("viewportSize", { width: 800, height: 600 });
  // ok: javascript.phantom-page-injection
  await page.openUrl("https://status.example.org/", {}, {});
}

function trusted($sceDelegateProvider) {
  // ok: javascript.angular-resource-url-wildcard
  $sceDelegateProvider.resourceUrlWhitelist(["self", "https://cdn.example.net/partials/**"]);
}

async function findNotes(Notes, owner) {
  // ruleid: javascript.nosql-where-injection
  const mine = await Notes.find({ $where: "this.owner === '" + owner + "'" });
  // ok: javascript.nosql-where-injection
  const recent = await Notes.find({ $where: "this.createdAt > this.updatedAt" });
  // ok: javascript.nosql-where-injection
  const safe = await Notes.find({ owner });
  return [mine, recent, safe];
}

function keys(NodeRSA) {
  // ruleid: javascript.weak-rsa-key
  const a = crypto.generateKeyPairSync("rsa", { modulusLength: 1024 });
  // ok: javascript.weak-rsa-key
  const b = crypto.generateKeyPairSync("rsa", { modulusLength: 3072 });
  // ruleid: javascript.weak-rsa-key
  const c = new NodeRSA({ b: 512 });
  // ok: javascript.weak-rsa-key
  const d = new NodeRSA({ b: 2048 });
  return [a, b, c, d];
}
