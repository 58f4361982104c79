; Additional security rules for Python (framework settings, cookie flags, dynamic lookups).
; Metadata: config/rules/security/python-extra.yaml. Samples: tests/rules/python/security_extra.py.
; Captures starting with `_` are helpers; the capture named after a rule id is the reported range.

; python.cookie-httponly-false
; `set_cookie(…, httponly=False)`, `AuthTktCookieHelper(…, httponly=False)`: reported on the keyword
; (the existing python.cookie-* rules report the call when the flag is missing).
(call
  function: [(identifier) @_m (attribute attribute: (identifier) @_m)]
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (false)) @python.cookie-httponly-false)
  (#any-of? @_m "set_cookie" "AuthTktCookieHelper" "AuthTktAuthenticationPolicy" "SignedCookieSessionFactory" "BaseCookieSessionFactory" "CookieCSRFStoragePolicy")
  (#any-of? @_kw "httponly" "http_only"))

; python.cookie-samesite-none
(call
  function: [(identifier) @_m (attribute attribute: (identifier) @_m)]
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: [(none) (string (string_content) @_v)] @_value) @python.cookie-samesite-none)
  (#any-of? @_m "set_cookie" "AuthTktCookieHelper" "AuthTktAuthenticationPolicy" "SignedCookieSessionFactory" "BaseCookieSessionFactory" "CookieCSRFStoragePolicy")
  (#eq? @_kw "samesite")
  (#match? @_value "^(None|['\"](?i)none['\"])$"))

; python.pyramid-authtkt-not-secure
; python.pyramid-authtkt-not-httponly
; Pyramid's auth-ticket cookie is sent over HTTP and readable by scripts unless told otherwise.
(call
  function: [(identifier) @_m (attribute attribute: (identifier) @_m)]
  arguments: (argument_list) @_args
  (#any-of? @_m "AuthTktCookieHelper" "AuthTktAuthenticationPolicy")
  (#not-match? @_args "\\bsecure\\s*=\\s*True|\\*\\*")) @python.pyramid-authtkt-not-secure
(call
  function: [(identifier) @_m (attribute attribute: (identifier) @_m)]
  arguments: (argument_list) @_args
  (#any-of? @_m "AuthTktCookieHelper" "AuthTktAuthenticationPolicy")
  (#not-match? @_args "\\bhttponly\\s*=\\s*True|\\*\\*")) @python.pyramid-authtkt-not-httponly

; python.csrf-check-disabled
; Pyramid `@view_config(require_csrf=False)`, `set_default_csrf_options(check_origin=False)`,
; Flask-WTF `app.config.WTF_CSRF_ENABLED = False` (attribute form).
(keyword_argument
  name: (identifier) @_kw
  value: (false)
  (#any-of? @_kw "require_csrf" "check_origin")) @python.csrf-check-disabled
(assignment
  left: (attribute attribute: (identifier) @_name)
  right: (false)
  (#any-of? @_name "WTF_CSRF_ENABLED" "WTF_CSRF_CHECK_DEFAULT")) @python.csrf-check-disabled

; python.weak-hash-keyword
; `hashlib.new(name="md5")`: the algorithm passed by keyword.
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (string (string_content) @_alg)))
  (#eq? @_kw "name")
  (#match? @_alg "^(?i)(md2|md4|md5|sha1|sha|ripemd160|md5-sha1)$")) @python.weak-hash-keyword

; python.ssl-wrap-socket
; The module function only: `ctx.wrap_socket(...)` on an `SSLContext` is the recommended API.
(call
  function: (attribute object: (identifier) @_mod attribute: (identifier) @_m) @_fn
  (#eq? @_mod "ssl")
  (#eq? @_m "wrap_socket")) @python.ssl-wrap-socket
(call
  function: (identifier) @_fn
  (#eq? @_fn "wrap_socket")) @python.ssl-wrap-socket

; python.logging-config-listen
(call
  function: (_) @_fn) @python.logging-config-listen

; python.tls-default-context-unverified
; `ssl._create_default_https_context = ssl._create_unverified_context` turns verification off for
; every later HTTPS connection in the process.
(assignment
  left: (attribute attribute: (identifier) @_target)
  right: (_) @_value
  (#eq? @_target "_create_default_https_context")
  (#match? @_value "_create_unverified_context$")) @python.tls-default-context-unverified

; python.dynamic-dangerous-function
; `getattr(os, "system")`, `getattr(__import__("os"), "popen")`: a shell or exec function looked up
; by name, which hides the call from reviewers and simple scanners.
(call
  function: (identifier) @_getattr
  arguments: (argument_list
    .
    [(identifier) @_mod
     (call function: (identifier) @_imp arguments: (argument_list . (string (string_content) @_mod)))]
    .
    (string (string_content) @_name))
  (#eq? @_getattr "getattr")
  (#any-of? @_mod "os" "subprocess" "commands" "pty" "builtins" "__builtins__")
  (#any-of? @_name "system" "popen" "popen2" "popen3" "spawn" "execl" "execle" "execlp" "execv" "execve" "execvp" "getoutput" "getstatusoutput" "call" "run" "Popen" "check_output" "check_call" "eval" "exec")) @python.dynamic-dangerous-function

; python.logging-sensitive-data
; `logger.info("api key %s", api_key)`: the message says it logs a secret and passes a value.
(call
  function: (attribute
    object: (_) @_logger
    attribute: (identifier) @_level)
  arguments: (argument_list
    .
    [(string) (concatenated_string)] @_msg
    .
    (_) @_arg)
  (#match? @_logger "(?i)(^|\\.)(log|logger|logging|_log|_logger|LOG|LOGGER)$")
  (#any-of? @_level "debug" "info" "warning" "warn" "error" "critical" "exception" "log" "fatal")
  (#match? @_msg "(?i)(password|passwd|secret|api[ _-]?key|access[ _-]?key|private[ _-]?key|token|credential)[^%{]*(%[sdr]|\\{)")) @python.logging-sensitive-data

; python.mass-assignment
; `Model.objects.create(**request.POST)`, `obj.update(**request.data)`: every field the client
; sends is written, including ones it should not control (`is_staff`, `owner_id`).
(call
  function: (_) @_fn
  arguments: (argument_list
    (dictionary_splat
      [(attribute object: (identifier) @_req attribute: (identifier) @_src)
       (call function: (attribute object: (attribute object: (identifier) @_req attribute: (identifier) @_src)))]))
  (#not-match? @_fn "(^|\\.)(dict|print|format|render|render_template|render_to_string|jsonify|urlencode|info|debug|warning|error)$")
  (#eq? @_req "request")
  (#any-of? @_src "POST" "GET" "data" "form" "json" "args" "values" "query_params")) @python.mass-assignment

; python.docker-dynamic-image
; `client.containers.run(image, …)` with an image that is not a constant.
(call
  function: (attribute
    object: (attribute attribute: (identifier) @_containers)
    attribute: (identifier) @_m)
  arguments: (argument_list . (_) @_arg)
  (#eq? @_containers "containers")
  (#any-of? @_m "run" "create")) @python.docker-dynamic-image

; python.template-context-autoescape-off
; `{"autoescape": False}` in a template context or in Django's `TEMPLATES[...]["OPTIONS"]`.
(pair
  key: (string (string_content) @_key)
  value: (false) @_value
  (#eq? @_key "autoescape")) @python.template-context-autoescape-off

; python.html-magic-method
; A class with `__html__` tells Jinja2/Django/MarkupSafe that its `str` is already safe HTML.
((function_definition
  name: (identifier) @_name) @python.html-magic-method
  (#eq? @_name "__html__"))

; python.markup-unescape
(call
  function: (attribute attribute: (identifier) @_m) @_fn
  (#eq? @_m "unescape")
  (#match? @_fn "(^|\\.)Markup(\\(.*\\))?\\.unescape$")) @python.markup-unescape

; python.dynamic-import
; python.cleartext-connection
(call
  function: (_) @_fn
  arguments: (argument_list . (_) @_arg)) @python.dynamic-import @python.cleartext-connection

; python.interactive-code-run
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . (_) @_arg)
  (#eq? @_m "runsource")) @python.interactive-code-run

; python.asyncio-subprocess-dynamic
; `loop.subprocess_exec(factory, program, …)` / `loop.subprocess_shell(factory, cmd)`: the command is
; the second argument (the first is the protocol factory).
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . (_) . (_) @_arg)
  (#any-of? @_m "subprocess_exec" "subprocess_shell")) @python.asyncio-subprocess-dynamic

; python.encryption-disabled
(keyword_argument
  name: (identifier) @_kw
  value: (false)
  (#any-of? @_kw "require_encryption" "use_tls" "use_ssl" "start_tls" "starttls")) @python.encryption-disabled

; python.hardcoded-password-default
; `def connect(password="letmein")`: a credential baked into the signature (word-like or all-digit
; values; random-looking ones are secrets.generic-password).
(default_parameter
  name: (identifier) @_name
  value: (string (string_content) @_value)
  (#match? @_name "(?i)^(password|passwd|pwd|pass|secret|secret_key|api_key|apikey|token|auth_token|access_token|private_key)$")
  (#match? @_value "^([A-Za-z][A-Za-z _.-]*|[0-9]+)$")
  (#not-match? @_value "^(?i)(x+|changeme|change_me|your[_-].*|none|null|password|secret|token|dummy|example|placeholder|redacted)$")) @python.hardcoded-password-default
(typed_default_parameter
  name: (identifier) @_name
  value: (string (string_content) @_value)
  (#match? @_name "(?i)^(password|passwd|pwd|pass|secret|secret_key|api_key|apikey|token|auth_token|access_token|private_key)$")
  (#match? @_value "^([A-Za-z][A-Za-z _.-]*|[0-9]+)$")
  (#not-match? @_value "^(?i)(x+|changeme|change_me|your[_-].*|none|null|password|secret|token|dummy|example|placeholder|redacted)$")) @python.hardcoded-password-default

; python.jinja2-autoescape-dynamic
; `Environment(autoescape=value)` with a value that is neither `True` nor `select_autoescape(...)`
; (the literal `False` is python.template-autoescape-disabled).
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (_) @_value) @python.jinja2-autoescape-dynamic)
  (#eq? @_kw "autoescape")
  (#not-match? @_value "^(True|False|true|false|1|0)$")
  (#not-match? @_value "(?i)select_autoescape|autoescape|guess|true|is_html|html"))

; python.tarfile-extract-unfiltered
; `tar.extractall(path)` without `filter=` (Python < 3.14 default): member names such as
; `../../etc/cron.d/x` or absolute paths, and links, are written outside the target ("tar slip").
(call
  function: (attribute attribute: (identifier) @_m) @_fn
  arguments: (argument_list) @_args
  (#any-of? @_m "extractall" "extract")
  (#not-match? @_args "\\bfilter\\s*=|\\*\\*")) @python.tarfile-extract-unfiltered
(with_statement
  (with_clause
    (with_item
      value: (as_pattern
        (call function: (attribute object: (identifier) @_mod attribute: (identifier) @_open))
        alias: (as_pattern_target (identifier) @_tar))))
  body: (block
    (expression_statement
      (call
        function: (attribute object: (identifier) @_recv attribute: (identifier) @_m)
        arguments: (argument_list) @_args) @python.tarfile-extract-unfiltered))
  (#eq? @_mod "tarfile")
  (#eq? @_open "open")
  (#eq? @_tar @_recv)
  (#any-of? @_m "extractall" "extract")
  (#not-match? @_args "\\bfilter\\s*=|\\*\\*"))

; python.subprocess-shell-kwargs
; `subprocess.run(cmd, **{"shell": True})`: `shell=True` passed through a dict literal.
(call
  function: (_) @_fn
  arguments: (argument_list
    .
    (_) @_arg
    (dictionary_splat
      (dictionary
        (pair
          key: (string (string_content) @_kw)
          value: (true)))))
  (#eq? @_kw "shell")) @python.subprocess-shell-kwargs

; python.hardcoded-credential-argument
; `psycopg2.connect(password="letmein")`, `Redis(password="…")`: a credential literal in a call.
; Only word-like or all-digit values: random-looking ones are reported by the secrets engine
; (secrets.generic-password), and one finding per value is enough.
(keyword_argument
  name: (identifier) @_name
  value: (string (string_content) @_value)
  (#match? @_name "(?i)^(password|passwd|pwd|db_password|secret|secret_key|client_secret|api_key|apikey|auth_token|access_token|private_key|token)$")
  (#match? @_value "^([A-Za-z][A-Za-z _.-]*|[0-9]+)$")
  (#not-match? @_value "^(?i)(x+|changeme|change_me|your[_-].*|none|null|password|secret|token|dummy|example|placeholder|redacted)$")) @python.hardcoded-credential-argument

; python.empty-password-argument
((keyword_argument
  name: (identifier) @_name
  value: (string) @_value) @python.empty-password-argument
  (#match? @_name "(?i)^(password|passwd|pwd|db_password)$")
  (#match? @_value "^[rbuRBU]?(''|\"\")$"))
