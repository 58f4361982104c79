; Security rules for JavaScript (also loaded for TypeScript and TSX).
; Metadata: config/rules/security/javascript.yaml.
; Captures starting with `_` are helpers; the capture named after a rule id is the reported range.
; Callee names are checked by the `resolves-to` check through the file's `require`/`import`
; bindings, so `const { exec } = require("child_process")` and `import * as cp from "node:child_process"`
; are found. Rules that only differ by callee share one pattern with several rule captures
; (tree-sitter allows at most three captures on one node, hence several copies).

; Shared patterns. Rules that differ only by callee share one pattern: the query engine matches
; each call once, and each rule's checks (`resolves-to`, `tainted`, …) keep or drop it.
; tree-sitter allows at most three captures on one node, so rule captures are spread over the
; call (reported range: the whole call), its callee (the callee) and its argument list.

; javascript.child-process-exec
; javascript.sql-injection
; javascript.path-traversal
; javascript.code-injection
; javascript.unsafe-deserialization
; javascript.weak-hash
; javascript.weak-cipher
(call_expression
  function: (_) @_fn @javascript.code-injection @javascript.unsafe-deserialization
  arguments: (arguments . (_) @_arg) @_args @javascript.weak-hash @javascript.weak-cipher) @javascript.child-process-exec @javascript.sql-injection @javascript.path-traversal

; javascript.ssrf
; javascript.open-redirect
; javascript.xss-document-write
; javascript.headless-browser-injection
; javascript.regex-injection
; javascript.cleartext-transport
(call_expression
  function: (_) @_fn @javascript.xss-document-write @javascript.headless-browser-injection
  arguments: (arguments . (_) @_arg) @_args @javascript.regex-injection @javascript.cleartext-transport) @javascript.ssrf @javascript.open-redirect

; `new Function("a", "b", body)`: the body is the last argument.
(new_expression
  constructor: (_) @_fn
  arguments: (arguments (_) @_arg .) @_args) @javascript.code-injection
(new_expression
  constructor: (_) @_fn
  arguments: (arguments . (_) @_arg) @_args) @javascript.regex-injection

; javascript.insecure-random
; javascript.weak-cipher-no-iv
; javascript.cleartext-protocol
; javascript.jwt-decode-unverified
(call_expression
  function: (_) @_fn @javascript.jwt-decode-unverified) @javascript.insecure-random @javascript.weak-cipher-no-iv @javascript.cleartext-protocol
(new_expression
  constructor: (_) @_fn) @javascript.cleartext-protocol

; javascript.hardcoded-secret
; `jwt.sign(payload, "secret")`, `jwt.verify(token, "secret")`, `createHmac(alg, "key")`.
(call_expression
  function: (_) @_fn
  arguments: (arguments . (_) . (_) @_arg)) @javascript.hardcoded-secret

; javascript.hardcoded-secret-option
; `session({ secret: "…" })`, `expressJwt({ secret: "…" })`, `{ secretOrKey: "…" }`.
(pair
  key: [(property_identifier) (string)] @_key
  value: (_) @_arg
  (#match? @_key "^['\"]?(secret|secretOrKey|secretOrPrivateKey|jwtSecret|sessionSecret|cookieSecret|signingKey)['\"]?$")) @javascript.hardcoded-secret-option

; javascript.xss-html-template
; A template literal that builds HTML markup from substitutions.
((template_string) @_arg @javascript.xss-html-template
  (#match? @_arg "<[a-zA-Z][^>]*>[^`]*\\$\\{|\\$\\{[^`]*</[a-zA-Z]"))

; javascript.spawn-shell
(call_expression
  function: (_) @_fn
  arguments: (arguments
    .
    (_) @_arg
    (object
      (pair
        key: (property_identifier) @_key
        value: (true)) @_shell))
  (#eq? @_key "shell")) @javascript.spawn-shell

; javascript.code-injection
; `setTimeout("code", …)`: a string, not a function.
(call_expression
  function: [(identifier) @_timer (member_expression property: (property_identifier) @_timer)]
  arguments: (arguments . [(string) (template_string) (binary_expression)] @_arg)
  (#any-of? @_timer "setTimeout" "setInterval" "setImmediate" "execScript")) @javascript.string-timer

; javascript.tls-verify-disabled
(pair
  key: [(property_identifier) (string)] @_key
  value: (false) @_false
  (#match? @_key "^['\"]?(rejectUnauthorized|strictSSL|verifySSL|secure)['\"]?$")) @javascript.tls-verify-disabled
(assignment_expression
  left: [(member_expression property: (property_identifier) @_name)
         (subscript_expression index: (string (string_fragment) @_name))]
  right: [(string (string_fragment) @_value) (number) @_value]
  (#eq? @_name "NODE_TLS_REJECT_UNAUTHORIZED")
  (#eq? @_value "0")) @javascript.tls-verify-disabled

; javascript.weak-tls-version
(pair
  key: [(property_identifier) (string)] @_key
  value: (string (string_fragment) @_value)
  (#match? @_key "^['\"]?(secureProtocol|minVersion|maxVersion)['\"]?$")
  (#match? @_value "^(SSLv2|SSLv3|TLSv1|TLSv1\\.1|TLSv1_method|TLSv1_1_method|SSLv23_method|SSLv3_method|SSLv2_method)$")) @javascript.weak-tls-version

; javascript.cleartext-transport
; `axios({ url: "http://…" })`, `request({ uri: "http://…" })`.
(call_expression
  function: (_) @_fn
  arguments: (arguments
    (object
      (pair
        key: (property_identifier) @_key
        value: (_) @_arg)))
  (#any-of? @_key "url" "uri" "baseURL" "baseUrl")) @javascript.cleartext-transport

; javascript.xss-inner-html
(assignment_expression
  left: (member_expression property: (property_identifier) @_prop)
  right: (_) @_arg
  (#any-of? @_prop "innerHTML" "outerHTML")) @javascript.xss-inner-html
(augmented_assignment_expression
  left: (member_expression property: (property_identifier) @_prop)
  right: (_) @_arg
  (#any-of? @_prop "innerHTML" "outerHTML")) @javascript.xss-inner-html
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments (_) . (_) @_arg .)
  (#eq? @_m "insertAdjacentHTML")) @javascript.xss-inner-html
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (_) @_arg)
  (#any-of? @_m "createContextualFragment" "parseFromString" "createNodesFromMarkup")) @javascript.xss-inner-html

; javascript.xss-dangerously-set-inner-html
; `dangerouslySetInnerHTML={{ __html: x }}` (matched on the object, so it compiles for TypeScript too).
(pair
  key: (property_identifier) @_key
  value: (_) @_arg
  (#eq? @_key "__html")) @javascript.xss-dangerously-set-inner-html

; javascript.xss-jquery
; `$(…).html(x)`, `.append(x)`, … on a jQuery object.
(call_expression
  function: (member_expression
    object: (_) @_recv
    property: (property_identifier) @_m)
  arguments: (arguments . (_) @_arg)
  (#any-of? @_m "html" "append" "prepend" "before" "after" "replaceWith" "wrap" "wrapAll" "wrapInner" "insertAfter" "insertBefore" "appendTo" "prependTo" "replaceAll")
  (#match? @_recv "^(\\$|jQuery)")) @javascript.xss-jquery
; `$(x)` with a selector from outside builds elements from HTML.
(call_expression
  function: (identifier) @_fn
  arguments: (arguments . (_) @_arg)
  (#any-of? @_fn "$" "jQuery")) @javascript.xss-jquery-selector

; javascript.xss-trusted-html
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments . (_) @_arg)
  (#match? @_m "^(trustAs(Html|Js|Css|Url|ResourceUrl)?|bypassSecurityTrust(Html|Script|Style|Url|ResourceUrl))$")) @javascript.xss-trusted-html

; javascript.open-redirect
(assignment_expression
  left: [(member_expression) @_target (identifier) @_target]
  right: (_) @_arg
  (#match? @_target "^((window|document|self|top)\\.)?location(\\.href)?$")) @javascript.open-redirect-location
(call_expression
  function: (member_expression
    object: (_) @_target
    property: (property_identifier) @_m)
  arguments: (arguments . (_) @_arg)
  (#match? @_target "^((window|document|self|top)\\.)?location$")
  (#any-of? @_m "assign" "replace")) @javascript.open-redirect-location

; javascript.postmessage-wildcard
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments (_) . (string) @_origin)
  (#eq? @_m "postMessage")
  (#match? @_origin "^['\"]\\*['\"]$")) @javascript.postmessage-wildcard

; javascript.postmessage-no-origin-check
(call_expression
  function: [(identifier) @_m (member_expression property: (property_identifier) @_m)]
  arguments: (arguments
    .
    (string (string_fragment) @_event)
    .
    [(function_expression) (arrow_function)] @_handler)
  (#eq? @_m "addEventListener")
  (#eq? @_event "message")
  (#not-match? @_handler "\\.origin|\\borigin\\b\\s*[!=]=|\\{[^}]*\\borigin\\b[^}]*\\}\\s*=")) @javascript.postmessage-no-origin-check

; javascript.bind-all-interfaces
(call_expression
  function: (member_expression property: (property_identifier) @_m)
  arguments: (arguments (string (string_fragment) @_host))
  (#eq? @_m "listen")
  (#any-of? @_host "0.0.0.0" "::")) @javascript.bind-all-interfaces

; javascript.xml-external-entities
(call_expression
  function: (_) @_fn
  arguments: (arguments
    (object
      (pair
        key: (property_identifier) @_key
        value: (true))))
  (#eq? @_key "noent")) @javascript.xml-external-entities

; javascript.jwt-none-algorithm
(call_expression
  function: (_) @_fn
  arguments: (arguments
    (object
      (pair
        key: (property_identifier) @_key
        value: [(string) (array)] @_value)))
  (#any-of? @_key "algorithm" "algorithms")
  (#match? @_value "['\"](?i)none['\"]")) @javascript.jwt-none-algorithm

; javascript.redos
; A constant pattern with a quantified group that is itself quantified: `(a+)+`, `(\w+\s?)*`.
((regex pattern: (regex_pattern) @_arg) @javascript.redos
  (#match? @_arg "\\((?:(?:\\[[^\\]]*\\]|\\\\{1,2}.|\\w)[+*?])+\\)[+*{]"))
(new_expression
  constructor: (_) @_fn
  arguments: (arguments . (_) @_arg)) @javascript.redos

; javascript.token-in-web-storage
(call_expression
  function: (member_expression
    object: (_) @_storage
    property: (property_identifier) @_m)
  arguments: (arguments) @_args
  (#match? @_storage "(^|\\.)(localStorage|sessionStorage)$")
  (#eq? @_m "setItem")
  (#match? @_args "(?i)(token|jwt|bearer|auth|session|credential|password)")) @javascript.token-in-web-storage

; javascript.jwt-simple-noverify
; `decode(token, key, noVerify)`: any truthy third argument turns verification off.
(call_expression
  function: (_) @_fn
  arguments: (arguments . (_) . (_) . (_) @_flag)
  (#not-match? @_flag "^(false|undefined|null|0|''|\"\")$")) @javascript.jwt-simple-noverify

; javascript.pseudo-random-bytes
((member_expression
  property: (property_identifier) @_p) @javascript.pseudo-random-bytes
  (#eq? @_p "pseudoRandomBytes"))
