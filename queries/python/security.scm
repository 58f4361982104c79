; Security rules for Python. Metadata: config/rules/security/python.yaml.
; Captures starting with `_` are helpers; the capture named after a rule id is the reported range.
; Callee names are checked by the `resolves-to` check (through the file's imports), so
; `import subprocess as sp; sp.call(...)` and `from hashlib import md5 as h; h()` are found.

; Shared patterns. Rules that differ only by callee share one pattern: the query engine matches
; each call once, and each rule's checks (`resolves-to`, `tainted`, …) keep or drop it.
; tree-sitter allows at most three captures on one node, so rule captures are spread over the
; call (reported range: the whole call), its callee (the callee) and its argument list.

; python.os-system
; python.server-side-template-injection
; python.xml-unsafe-parser
; python.code-injection
; python.unsafe-deserialization
; python.redos
; python.shell-wildcard
(call
  function: (_) @_fn @python.code-injection @python.unsafe-deserialization
  arguments: (argument_list . (_) @_arg) @_args @python.redos @python.shell-wildcard) @python.os-system @python.server-side-template-injection @python.xml-unsafe-parser

; python.path-traversal
; python.open-redirect
; python.xss-response
; python.xss-mark-safe
; python.xss-format-html-preformatted
; python.cleartext-transport
; python.ssrf
(call
  function: (_) @_fn @python.xss-mark-safe @python.xss-format-html-preformatted
  arguments: (argument_list . (_) @_arg) @_args @python.cleartext-transport @python.ssrf) @python.path-traversal @python.open-redirect @python.xss-response

; python.insecure-temp-file
; python.insecure-random
; python.weak-cipher
; python.tls-unverified-context
; python.cleartext-protocol
; python.os-exec-spawn
(call
  function: (_) @_fn @python.weak-cipher @python.tls-unverified-context
  arguments: (argument_list) @_args @python.cleartext-protocol @python.os-exec-spawn) @python.insecure-temp-file @python.insecure-random

; python.subprocess-shell-true
(call
  function: (_) @_fn
  arguments: (argument_list
    .
    (_) @_arg
    (keyword_argument
      name: (identifier) @_kw
      value: (true)) @_shell)
  (#eq? @_kw "shell")) @python.subprocess-shell-true

; python.subprocess-dynamic-command
; Without `shell=True` (that case is python.subprocess-shell-true): the program itself is not a
; constant, or the first element of the argument list is not, or the list runs `sh -c …`.
(call
  function: (_) @_fn
  arguments: (argument_list . (_) @_arg) @_args
  (#not-match? @_arg "^[\\[(]")
  (#not-match? @_args "shell\\s*=\\s*True")) @python.subprocess-dynamic-command
(call
  function: (_) @_fn
  arguments: (argument_list . [(list . (_) @_arg) (tuple . (_) @_arg)]) @_args
  (#not-match? @_args "shell\\s*=\\s*True")) @python.subprocess-dynamic-command
(call
  function: (_) @_fn
  arguments: (argument_list . [(list) (tuple)] @_arg) @_args
  (#match? @_arg "^[\\[(]\\s*['\"](/usr)?(/bin/)?(ba|z|da|k)?sh['\"]\\s*,\\s*['\"]-c['\"]")
  (#not-match? @_args "shell\\s*=\\s*True")) @python.subprocess-dynamic-command

; python.exec-command-method
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_m "exec_command" "create_subprocess_shell" "create_subprocess_exec" "subprocess_shell" "subprocess_exec")) @python.exec-command-method

; python.sql-injection
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_m "execute" "executemany" "executescript" "mogrify" "raw" "run" "fetch" "fetchrow" "fetchval" "fetchall" "copy_expert" "extra" "read_sql" "read_sql_query")) @python.sql-injection
(call
  function: [(identifier) @_m (attribute attribute: (identifier) @_m)]
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_m "RawSQL" "text" "literal_column")) @python.sql-injection
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (_) @_arg))
  (#eq? @_m "extra")
  (#any-of? @_kw "where" "select" "tables" "order_by")) @python.sql-injection

; python.yaml-unsafe-load
; `load`/`load_all` with a loader that is not safe (PyYAML 6 requires a loader argument).
(call
  function: (_) @_fn
  arguments: (argument_list (_) (_)) @_args
  (#match? @_args "Loader")
  (#not-match? @_args "(Safe|Base)Loader")) @python.yaml-unsafe-load
; `unsafe_load`, `full_load` and friends, whatever the arguments.
(call
  function: (_) @_fn
  (#match? @_fn "(unsafe_load|full_load)(_all)?$")) @python.yaml-unsafe-load

; python.weak-hash
(call
  function: (_) @_fn
  arguments: (argument_list) @_args
  (#not-match? @_args "usedforsecurity\\s*=\\s*False")) @python.weak-hash
(call
  function: (_) @_fn
  arguments: (argument_list . (string (string_content) @_alg))
  (#match? @_alg "^(?i)(md2|md4|md5|sha1|sha|ripemd160|md5-sha1)$")) @python.weak-hash-name

; python.weak-cipher
(attribute
  attribute: (identifier) @_mode
  (#any-of? @_mode "MODE_ECB" "ECB")) @python.weak-cipher

; python.weak-key-size
(call
  function: (_) @_fn
  arguments: (argument_list
    [(integer) @_size
     (keyword_argument name: (identifier) @_kw value: (integer) @_size)])
  (#match? @_size "^([0-9]{1,3}|1[0-9]{3}|20[0-3][0-9]|204[0-7])$")) @python.weak-key-size
(call
  function: (attribute attribute: (identifier) @_curve)
  (#any-of? @_curve "SECP192R1" "SECT163K1" "SECT163R2")) @python.weak-key-size

; python.weak-tls-version
((attribute
  attribute: (identifier) @_proto) @python.weak-tls-version
  (#any-of? @_proto "PROTOCOL_SSLv2" "PROTOCOL_SSLv3" "PROTOCOL_TLSv1" "PROTOCOL_TLSv1_1" "SSLv2_METHOD" "SSLv3_METHOD" "SSLv23_METHOD" "TLSv1_METHOD" "TLSv1_1_METHOD"))

; python.tls-verify-disabled
; (`jwt.decode(…, verify=False)` is python.jwt-unverified.)
(call
  function: (_) @_fn
  (#not-match? @_fn "(?i)(jwt|jws|jose)")
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (false) @_false) @python.tls-verify-disabled)
  (#any-of? @_kw "verify" "verify_ssl" "check_hostname" "validate_certs" "ssl_verify"))
(keyword_argument
  name: (identifier) @_kw
  value: [(attribute attribute: (identifier) @_none) (string (string_content) @_none)]
  (#any-of? @_kw "cert_reqs" "verify_mode")
  (#any-of? @_none "CERT_NONE" "CERT_OPTIONAL" "NONE" "OPTIONAL")) @python.tls-verify-disabled
(assignment
  left: (attribute attribute: (identifier) @_kw)
  right: [(false) (attribute attribute: (identifier) @_none (#eq? @_none "CERT_NONE"))]
  (#any-of? @_kw "check_hostname" "verify_mode" "verify")) @python.tls-verify-disabled

; python.xml-external-entities
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (true))
    )
  (#any-of? @_kw "resolve_entities" "load_dtd" "no_network")) @python.xml-external-entities

; python.ssrf
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument name: (identifier) @_kw value: (_) @_arg))
  (#eq? @_kw "url")) @python.ssrf

; python.bind-all-interfaces
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list
    (tuple . (string (string_content) @_host)))
  (#eq? @_m "bind")
  (#eq? @_host "0.0.0.0")) @python.bind-all-interfaces
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list
    (tuple . (string) @_host))
  (#eq? @_m "bind")
  (#any-of? @_host "''" "\"\"")) @python.bind-all-interfaces
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list
    [(string (string_content) @_host)
     (keyword_argument name: (identifier) @_kw value: (string (string_content) @_host))])
  (#any-of? @_m "run" "listen" "serve" "run_simple" "make_server")
  (#any-of? @_host "0.0.0.0" "::")) @python.bind-all-interfaces

; python.debug-enabled
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (true) @_value))
  (#eq? @_m "run")
  (#eq? @_kw "debug")) @python.debug-enabled
; `DEBUG = True` as a statement (module level or a config class). Not rooted at the module node,
; so changed-range checking stays incremental.
(expression_statement
  (assignment
    left: (identifier) @_name
    right: (true) @_value) @python.debug-enabled
  (#eq? @_name "DEBUG"))
(assignment
  left: (subscript
    value: (attribute attribute: (identifier) @_config)
    subscript: (string (string_content) @_name))
  right: (true) @_value
  (#eq? @_config "config")
  (#eq? @_name "DEBUG")) @python.debug-enabled

; python.template-autoescape-disabled
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (false) @_value))
  (#eq? @_kw "autoescape")) @python.template-autoescape-disabled
(call
  function: (_) @_fn
  arguments: (argument_list) @_args
  (#not-match? @_args "autoescape")) @python.template-autoescape-missing

; python.jwt-unverified
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (false)))
  (#eq? @_kw "verify")) @python.jwt-unverified
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (dictionary) @_value))
  (#eq? @_kw "options")
  (#match? @_value "verify_signature['\"]\\s*:\\s*False")) @python.jwt-unverified
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: [(string) (list)] @_value))
  (#any-of? @_kw "algorithm" "algorithms")
  (#match? @_value "['\"](?i)none['\"]")) @python.jwt-none-algorithm

; python.file-permissions
(call
  function: (_) @_fn
  arguments: (argument_list (_) . (_) @_mode .)) @python.file-permissions
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument name: (identifier) @_kw value: (_) @_mode))
  (#eq? @_kw "mode")) @python.file-permissions

; python.cookie-insecure
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . (_) . (_)) @_args
  (#eq? @_m "set_cookie")
  (#not-match? @_args "secure\\s*=|\\*\\*")) @python.cookie-insecure
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list
    (keyword_argument name: (identifier) @_kw value: (false)))
  (#eq? @_m "set_cookie")
  (#eq? @_kw "secure")) @python.cookie-insecure
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . (_) . (_)) @_args
  (#eq? @_m "set_cookie")
  (#match? @_args "secure\\s*=\\s*(True|true|1)")
  (#not-match? @_args "httponly\\s*=|\\*\\*")) @python.cookie-no-httponly

; python.csrf-disabled
(assignment
  left: [(identifier) @_name
         (subscript subscript: (string (string_content) @_name))]
  right: (false)
  (#any-of? @_name "WTF_CSRF_ENABLED" "WTF_CSRF_CHECK_DEFAULT")) @python.csrf-disabled
(keyword_argument
  name: (identifier) @_name
  value: (false)
  (#any-of? @_name "WTF_CSRF_ENABLED" "WTF_CSRF_CHECK_DEFAULT")) @python.csrf-disabled
(decorator
  [(identifier) @_name
   (attribute attribute: (identifier) @_name)]
  (#eq? @_name "csrf_exempt")) @python.csrf-disabled

; python.ssh-auto-add-host-key
(call
  function: (attribute attribute: (identifier) @_m)
  arguments: (argument_list . [(call function: (_) @_policy) (_) @_policy])
  (#eq? @_m "set_missing_host_key_policy")
  (#match? @_policy "(AutoAddPolicy|WarningPolicy)")) @python.ssh-auto-add-host-key

; python.template-unescaped-extension
; `render_template("x.txt", name=value)`: context values rendered without autoescaping.
(call
  function: (_) @_fn
  arguments: (argument_list . (_) @_arg (keyword_argument))) @python.template-unescaped-extension

; python.django-queryset-extra
(call
  function: (attribute
    object: (_) @_recv
    attribute: (identifier) @_m)
  (#eq? @_m "extra")
  (#match? @_recv "objects")) @python.django-queryset-extra

; python.dynamic-globals-access
(call
  function: (attribute
    object: (call function: (identifier) @_g)
    attribute: (identifier) @_m)
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_g "globals" "locals" "vars")
  (#eq? @_m "get")) @python.dynamic-globals-access
(subscript
  value: [(call function: (identifier) @_g)
          (attribute attribute: (identifier) @_g)]
  subscript: (_) @_arg
  (#any-of? @_g "globals" "locals" "vars" "__globals__" "__builtins__")) @python.dynamic-globals-access

; python.template-context-locals
(call
  arguments: (argument_list
    [(call function: (identifier) @_g arguments: (argument_list . ")"))
     (dictionary_splat (call function: (identifier) @_g))])
  (#any-of? @_g "globals" "locals")) @python.template-context-locals

; python.jwt-hardcoded-secret
(call
  function: (_) @_fn
  arguments: (argument_list . (_) . (_) @_arg)) @python.jwt-hardcoded-secret

; python.cleartext-credentials
(call
  function: (_) @_fn
  arguments: (argument_list
    .
    (_) @_arg
    (keyword_argument name: (identifier) @_kw))
  (#eq? @_kw "auth")) @python.cleartext-credentials

; python.xss-safe-marking
; A subclass of a "safe string" type, a filter declared `is_safe=True`, or `@html_safe`: values
; of these bypass autoescaping.
; (the superclasses of a class: the `parent` check of the rule keeps only those)
((argument_list (_) @_base) @_superclasses @python.xss-safe-marking
  (#match? @_base "(^|\\.)(SafeString|SafeText|SafeData|SafeBytes|Markup)$"))
(decorator
  (call
    function: (attribute attribute: (identifier) @_f)
    arguments: (argument_list
      (keyword_argument name: (identifier) @_k value: (true))))
  (#eq? @_f "filter")
  (#eq? @_k "is_safe")) @python.xss-safe-marking
(decorator
  [(identifier) @_name (attribute attribute: (identifier) @_name)]
  (#eq? @_name "html_safe")) @python.xss-safe-marking

; python.ruamel-unsafe-yaml
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (string (string_content) @_typ)))
  (#eq? @_kw "typ")
  (#eq? @_typ "unsafe")) @python.ruamel-unsafe-yaml

; python.airflow-bash-command
(call
  function: (_) @_fn
  arguments: (argument_list
    (keyword_argument
      name: (identifier) @_kw
      value: (_) @_arg))
  (#eq? @_kw "bash_command")) @python.airflow-bash-command

; python.hashids-secret-salt
(call
  function: (_) @_fn
  arguments: (argument_list) @_args
  (#match? @_args "(?i)secret_key")) @python.hashids-secret-salt

; python.urllib-dynamic-url
(call
  function: (_) @_fn
  arguments: (argument_list . (_) @_arg)) @python.urllib-dynamic-url
