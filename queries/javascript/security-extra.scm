; Additional security rules for JavaScript (also loaded for TypeScript and TSX): framework
; settings (Angular, Sequelize, AWS CDK, CORS), escaping that is turned off, crypto and Node API
; misuse. Metadata: config/rules/security/javascript-extra.yaml.
; Samples: tests/rules/{javascript,typescript}/security_extra.*.
; Captures starting with `_` are helpers; the capture named after a rule id is the reported range.

; javascript.angular-sce-disabled
(call_expression
  function: (member_expression
    object: (identifier) @_obj
    property: (property_identifier) @_m)
  arguments: (arguments . (false))
  (#eq? @_obj "$sceProvider")
  (#eq? @_m "enabled")) @javascript.angular-sce-disabled

; javascript.angular-resource-url-wildcard
; `$sceDelegateProvider.resourceUrlWhitelist(['**'])`: `**` as a whole entry or in the host part
; matches any origin (`https://example.com/**` limits only the path and is not reported).
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (array) @_list)
  (#any-of? @_m "resourceUrlWhitelist" "trustedResourceUrlList" "resourceUrlAllowlist")
  (#match? @_list "['\"`](\\*\\*['\"`]|([a-z]+:)?//[^/'\"`]*\\*\\*)")) @javascript.angular-resource-url-wildcard

; javascript.angular-window-location
; `$window.location.href = value`: Angular's injected window, same sink as `window.location`.
(assignment_expression
  left: (member_expression) @_target
  right: (_) @_arg
  (#match? @_target "^\\$window\\.location(\\.href)?$")) @javascript.angular-window-location

; javascript.sequelize-no-tls
; A Sequelize/`config.json`-style connection object for a network database without `ssl`.
((object
  (pair
    key: [(property_identifier) (string)] @_key
    value: (string (string_fragment) @_dialect))) @javascript.sequelize-no-tls
  (#match? @_key "^['\"]?dialect['\"]?$")
  (#any-of? @_dialect "postgres" "mysql" "mariadb" "mssql")
  (#not-match? @javascript.sequelize-no-tls "ssl['\"]?\\s*:\\s*(true|\\{)|encrypt['\"]?\\s*:\\s*true|\\.\\.\\."))

; javascript.ajv-all-errors
(new_expression
  constructor: (_) @_fn
  arguments: (arguments
    (object
      (pair
        key: (property_identifier) @_key
        value: (true)) @_opt))
  (#match? @_fn "(?i)(^|\\.)ajv$")
  (#eq? @_key "allErrors")) @javascript.ajv-all-errors

; javascript.intercom-no-user-hash
; Intercom settings that identify the user (`user_id`/`email`) without the HMAC `user_hash`.
((object
  (pair key: (property_identifier) @_app)) @javascript.intercom-no-user-hash
  (#eq? @_app "app_id")
  (#match? @javascript.intercom-no-user-hash "\\b(user_id|email)['\"]?\\s*:")
  (#not-match? @javascript.intercom-no-user-hash "\\buser_hash\\b"))

; javascript.jquery-global-eval
(call_expression
  function: (member_expression
    object: (identifier) @_obj
    property: (property_identifier) @_m)
  arguments: (arguments . (_) @_arg)
  (#any-of? @_obj "$" "jQuery")
  (#eq? @_m "globalEval")) @javascript.jquery-global-eval

; javascript.session-cookie-not-secure
; `session({...})` (express-session, cookie-session) whose options never set `secure: true`.
(call_expression
  function: (identifier) @_fn
  arguments: (arguments . [(object) (call_expression)] @_opts)
  (#not-match? @_opts "secure['\"]?\\s*:\\s*(true|['\"]auto['\"])|\\.\\.\\.")) @javascript.session-cookie-not-secure

; javascript.cookie-httponly-false
(pair
  key: [(property_identifier) (string)] @_key
  value: (false)
  (#match? @_key "^['\"]?httpOnly['\"]?$")) @javascript.cookie-httponly-false

; javascript.directory-listing
(call_expression
  function: (_) @_fn) @javascript.directory-listing

; javascript.template-escape-disabled
; `Mustache.escape = (s) => s`, `escapeMarkup: function (m) { return m; }`, `x.escapeMarkup = false`.
(assignment_expression
  left: (member_expression property: (property_identifier) @_p)
  right: [
    (function_expression
      parameters: (formal_parameters . (identifier) @_a .)
      body: (statement_block . (return_statement (identifier) @_r) .))
    (arrow_function
      parameters: (formal_parameters . (identifier) @_a .)
      body: (statement_block . (return_statement (identifier) @_r) .))
    (arrow_function
      parameter: (identifier) @_a
      body: (identifier) @_r)
    (arrow_function
      parameters: (formal_parameters . (identifier) @_a .)
      body: (identifier) @_r)
  ]
  (#any-of? @_p "escape" "escapeMarkup" "escapeHtml" "escapeExpression" "sanitize")
  (#eq? @_a @_r)) @javascript.template-escape-disabled
(pair
  key: (property_identifier) @_p
  value: [
    (function_expression
      parameters: (formal_parameters . (identifier) @_a .)
      body: (statement_block . (return_statement (identifier) @_r) .))
    (arrow_function
      parameters: (formal_parameters . (identifier) @_a .)
      body: (statement_block . (return_statement (identifier) @_r) .))
    (arrow_function
      parameter: (identifier) @_a
      body: (identifier) @_r)
    (arrow_function
      parameters: (formal_parameters . (identifier) @_a .)
      body: (identifier) @_r)
  ]
  (#any-of? @_p "escape" "escapeMarkup" "escapeHtml" "escapeExpression" "sanitize")
  (#eq? @_a @_r)) @javascript.template-escape-disabled
(assignment_expression
  left: (member_expression property: (property_identifier) @_p)
  right: (false)
  (#any-of? @_p "escapeMarkup" "escapeHtml" "autoescape" "autoEscape")) @javascript.template-escape-disabled

; javascript.devtools-remote-debugging
; `puppeteer.launch({ args: ["--remote-debugging-port=9222"] })`, also Playwright's launchers.
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments
    (object
      (pair
        key: (property_identifier) @_key
        value: (array) @_argv)))
  (#any-of? @_m "launch" "launchPersistentContext" "launchServer")
  (#eq? @_key "args")
  (#match? @_argv "--remote-debugging-(port|address|pipe)")) @javascript.devtools-remote-debugging

; javascript.insecure-websocket
((string (string_fragment) @_url) @javascript.insecure-websocket
  (#match? @_url "^ws://")
  (#not-match? @_url "^ws://(localhost|127\\.|0\\.0\\.0\\.0|\\[::1\\])"))
((template_string) @javascript.insecure-websocket
  (#match? @javascript.insecure-websocket "^`ws://")
  (#not-match? @javascript.insecure-websocket "^`ws://(localhost|127\\.|0\\.0\\.0\\.0|\\[::1\\])"))

; javascript.buffer-noassert
; `buf.readUInt32LE(offset, true)`: the trailing `noAssert` skips the bounds check (Node < 10).
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments (_) (true) .)
  (#match? @_m "^(read|write)(U?Int(8|16|32)(BE|LE)?|U?Int(BE|LE)|Float(BE|LE)|Double(BE|LE))$")) @javascript.buffer-noassert

; javascript.git-argument-injection
; `spawn("git", ["clone", url])`: a value that starts with `-` becomes an option
; (`--upload-pack=…` runs a command). `--` before the values ends option parsing.
(call_expression
  function: (_) @_fn
  arguments: (arguments
    .
    (string (string_fragment) @_prog)
    .
    (array) @_argv)
  (#any-of? @_prog "git" "hg" "svn")
  (#not-match? @_argv "['\"`]--['\"`]")) @javascript.git-argument-injection

; javascript.incomplete-sanitization
; `s.replace("'", "''")` with a string pattern replaces only the first occurrence.
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (string) @_pat . (_))
  (#eq? @_m "replace")
  (#match? @_pat "^(\"(['<>&`]|\\\\\")\"|'([\"<>&`]|\\\\')'|[\"']\\\\\\\\[\"'])$")) @javascript.incomplete-sanitization

; javascript.unsafe-dynamic-method
; `window[name](…)` / `const fn = window[name]`: any global function chosen by the caller.
(call_expression
  function: (subscript_expression
    object: (identifier) @_global
    index: (_) @_arg) @javascript.unsafe-dynamic-method
  (#any-of? @_global "window" "self" "globalThis" "global"))
(variable_declarator
  value: (subscript_expression
    object: (identifier) @_global
    index: (_) @_arg) @javascript.unsafe-dynamic-method
  (#any-of? @_global "window" "self" "globalThis" "global"))

; javascript.prototype-pollution-loop
; `obj = obj[key]` (walking a path of keys): with `__proto__` or `constructor` in the path the
; walk reaches `Object.prototype`, and the final assignment pollutes every object.
(assignment_expression
  left: (identifier) @_a
  right: [
    (subscript_expression object: (identifier) @_b index: (identifier) @_key)
    (binary_expression
      left: (subscript_expression object: (identifier) @_b index: (identifier) @_key))
  ]
  (#eq? @_a @_b)
  (#not-match? @_key "^(i|j|n|idx|index|pos|offset|len|count|level|depth)$")) @javascript.prototype-pollution-loop

; javascript.serialize-javascript-unsafe
(call_expression
  function: (_) @_fn
  arguments: (arguments
    (object
      (pair
        key: (property_identifier) @_key
        value: (true))))
  (#eq? @_key "unsafe")) @javascript.serialize-javascript-unsafe

; javascript.gcm-no-tag-length
; `createDecipheriv("aes-256-gcm", key, iv)` without `{ authTagLength }`: a truncated tag passes.
(call_expression
  function: (_) @_fn
  arguments: (arguments . (_) @_alg . (_) . (_) .)) @javascript.gcm-no-tag-length

; javascript.create-nodes-from-markup
(call_expression
  function: (identifier) @_fn
  arguments: (arguments . (_) @_arg)
  (#eq? @_fn "createNodesFromMarkup")) @javascript.create-nodes-from-markup

; javascript.monaco-trusted-html
; A Monaco `IMarkdownString` with `supportHtml: true` whose value is built from data.
(object
  (pair key: (property_identifier) @_flag value: (true))
  (pair key: (property_identifier) @_value value: (_) @_arg)
  (#eq? @_flag "supportHtml")
  (#eq? @_value "value")) @javascript.monaco-trusted-html
(object
  (pair key: (property_identifier) @_value value: (_) @_arg)
  (pair key: (property_identifier) @_flag value: (true))
  (#eq? @_flag "supportHtml")
  (#eq? @_value "value")) @javascript.monaco-trusted-html

; javascript.cors-any-origin
; NestJS `enableCors()` / `{ cors: true }` (reflects any origin), `origin: "*"`, and
; `Access-Control-Allow-Origin: *` set by hand.
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments) @_args
  (#eq? @_m "enableCors")
  (#match? @_args "^\\(\\s*\\)$|origin['\"]?\\s*:\\s*(['\"`]\\*['\"`]|true)")) @javascript.cors-any-origin
(pair
  key: (property_identifier) @_key
  value: [(true) (object)] @_value
  (#eq? @_key "cors")
  (#match? @_value "^true$|origin['\"]?\\s*:\\s*(['\"`]\\*['\"`]|true)")) @javascript.cors-any-origin
(call_expression
  function: [(identifier) @_m (member_expression property: (property_identifier) @_m)]
  arguments: (arguments
    .
    (string (string_fragment) @_header)
    .
    (string (string_fragment) @_value))
  (#any-of? @_m "setHeader" "header" "set" "Header" "append")
  (#match? @_header "^(?i)access-control-allow-origin$")
  (#eq? @_value "*")) @javascript.cors-any-origin
(call_expression
  function: (identifier) @_m
  arguments: (arguments . (object) @_opts)
  (#eq? @_m "cors")
  (#match? @_opts "origin['\"]?\\s*:\\s*(['\"`]\\*['\"`]|true)")) @javascript.cors-any-origin

; javascript.url-regex-unescaped-dot
; `/^https:\/\/www.example.com$/`: the unescaped `.` also matches `wwwXexample.com`, a host an
; attacker can register.
((regex pattern: (regex_pattern) @_p) @javascript.url-regex-unescaped-dot
  (#match? @_p "^\\^?\\(?[a-z|]*\\)?s?\\??:\\\\/\\\\/")
  (#match? @_p "[a-zA-Z0-9)][.][a-zA-Z(]"))

; javascript.awscdk-bucket-unencrypted
; javascript.awscdk-bucket-no-enforce-ssl
; javascript.awscdk-queue-unencrypted
(new_expression
  constructor: [(identifier) @_c (member_expression property: (property_identifier) @_c)] @_fn
  arguments: (arguments) @_args
  (#eq? @_c "Bucket")
  (#not-match? @_args "encryption\\s*:\\s*[\\w.]*BucketEncryption\\.(S3_MANAGED|KMS_MANAGED|KMS|DSSE|DSSE_MANAGED)\\b|encryptionKey\\s*:|\\.\\.\\.")) @javascript.awscdk-bucket-unencrypted
(new_expression
  constructor: [(identifier) @_c (member_expression property: (property_identifier) @_c)] @_fn
  arguments: (arguments) @_args
  (#eq? @_c "Bucket")
  (#not-match? @_args "enforceSSL\\s*:\\s*true|\\.\\.\\.")) @javascript.awscdk-bucket-no-enforce-ssl
(new_expression
  constructor: [(identifier) @_c (member_expression property: (property_identifier) @_c)] @_fn
  arguments: (arguments) @_args
  (#eq? @_c "Queue")
  (#not-match? @_args "encryption\\s*:\\s*[\\w.]*QueueEncryption\\.(KMS_MANAGED|KMS|SQS_MANAGED)\\b|encryptionMasterKey\\s*:|\\.\\.\\.")) @javascript.awscdk-queue-unencrypted

; javascript.react-markdown-raw-html
; `<ReactMarkdown allowDangerousHtml>` / `escapeHtml={false}`: raw HTML in Markdown is rendered.
(jsx_self_closing_element
  (jsx_attribute (property_identifier) @_attr) @javascript.react-markdown-raw-html
  (#eq? @_attr "allowDangerousHtml"))
(jsx_opening_element
  (jsx_attribute (property_identifier) @_attr) @javascript.react-markdown-raw-html
  (#eq? @_attr "allowDangerousHtml"))
(jsx_self_closing_element
  (jsx_attribute
    (property_identifier) @_attr
    (jsx_expression (false))) @javascript.react-markdown-raw-html
  (#eq? @_attr "escapeHtml"))
(jsx_opening_element
  (jsx_attribute
    (property_identifier) @_attr
    (jsx_expression (false))) @javascript.react-markdown-raw-html
  (#eq? @_attr "escapeHtml"))

; javascript.sandbox-code-injection
; `new Sandbox().run(code)` (the `sandbox` package): not an isolation boundary.
(call_expression
  function: (member_expression property: (property_identifier) @_m) @_fn
  arguments: (arguments . (_) @_arg)
  (#eq? @_m "run")) @javascript.sandbox-code-injection

; javascript.express-jwt-no-revocation
(call_expression
  function: (identifier) @_fn
  arguments: (arguments . (object) @_opts)
  (#match? @_opts "\\bsecret\\b")
  (#not-match? @_opts "\\bisRevoked\\b|\\.\\.\\.")) @javascript.express-jwt-no-revocation

; javascript.sql-string-formatting
; A SQL statement built by formatting or concatenation and stored for later use (the call with
; an inline query is javascript.sql-injection).
(variable_declarator
  value: [(template_string) (binary_expression)] @_arg) @javascript.sql-string-formatting
(assignment_expression
  right: [(template_string) (binary_expression)] @_arg) @javascript.sql-string-formatting

; javascript.phantom-page-injection
; PhantomJS pages: `page.openUrl(url)` and `page.property("content" | "url", value)`.
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (_) @_arg)
  (#eq? @_m "openUrl")) @javascript.phantom-page-injection
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (string (string_fragment) @_prop) . (_) @_arg)
  (#eq? @_m "property")
  (#any-of? @_prop "content" "url" "frameContent")) @javascript.phantom-page-injection

; javascript.nosql-where-injection
; MongoDB `$where` runs JavaScript on the server: `{ $where: "this.owner == '" + name + "'" }`,
; `Model.find().$where(code)`.
(pair
  key: [(property_identifier) (string)] @_key
  value: (_) @_arg
  (#match? @_key "^['\"]?\\$where['\"]?$")) @javascript.nosql-where-injection
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (_) @_arg)
  (#eq? @_m "$where")) @javascript.nosql-where-injection

; javascript.weak-rsa-key
; `generateKeyPairSync("rsa", { modulusLength: 1024 })`, `new NodeRSA({ b: 512 })`.
(pair
  key: (property_identifier) @_key
  value: (number) @_bits
  (#eq? @_key "modulusLength")
  (#match? @_bits "^([0-9]{1,3}|1[0-9]{3}|20[0-3][0-9]|204[0-7])$")) @javascript.weak-rsa-key
(new_expression
  constructor: (_) @_fn
  arguments: (arguments
    .
    (object
      (pair
        key: (property_identifier) @_key
        value: (number) @_bits)))
  (#match? @_fn "(?i)(^|\\.)NodeRSA$")
  (#eq? @_key "b")
  (#match? @_bits "^([0-9]{1,3}|1[0-9]{3}|20[0-3][0-9]|204[0-7])$")) @javascript.weak-rsa-key
