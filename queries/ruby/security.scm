; Security rules for Ruby (and Rails). Metadata: config/rules/security/ruby.yaml.
; Captures starting with `_` are helpers; the capture named after a rule id is the reported range.

; ruby.command-injection
; Kernel command methods with an interpolated or concatenated command string.
(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list . [(string (interpolation)) (binary)] @_arg)
  (#any-of? @_fn "system" "exec" "spawn" "syscall")
  (#match? @_arg "^\"|^'[^']*'\\s*\\+|^%[Qq]?[(\\[{<|!]")) @ruby.command-injection

; ruby.command-injection
; Kernel#open runs a command when the path starts with `|`; an interpolated prefix can supply it.
(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#eq? @_fn "open")
  (#match? @_arg "^\"(\\|[^\"]*)?#\\{|^[A-Za-z_][A-Za-z0-9_]*\\s*\\+|^(params|cookies)\\[")) @ruby.command-injection

(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . [(string (interpolation)) (binary)] @_arg)
  (#match? @_recv "^(::)?(Kernel|Process|IO|Open3|PTY|POSIX::Spawn)$")
  (#any-of? @_fn "system" "exec" "spawn" "popen" "popen2" "popen2e" "popen3" "capture2" "capture2e" "capture3" "pipeline" "pipeline_r" "pipeline_w" "pipeline_rw" "pipeline_start" "open")
  (#match? @_arg "^\"|^'[^']*'\\s*\\+|^%[Qq]?[(\\[{<|!]")) @ruby.command-injection

(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . (hash) . [(string (interpolation)) (binary)] @_arg)
  (#match? @_recv "^(::)?(Kernel|Process|IO|Open3|PTY)$")
  (#any-of? @_fn "system" "exec" "spawn" "popen" "popen2" "popen2e" "popen3" "capture2" "capture2e" "capture3" "pipeline")) @ruby.command-injection

; ruby.command-injection
; Backticks and %x() with interpolation.
((subshell (interpolation)) @ruby.command-injection)

; ruby.command-injection
; A shell with -c followed by a non-literal: system("sh", "-c", cmd), exec(["bash", "-c", cmd]).
(call
  method: (identifier) @_fn
  arguments: (argument_list
    (string (string_content) @_flag)
    .
    (_) @_arg)
  (#any-of? @_fn "system" "exec" "spawn" "popen" "popen2" "popen2e" "popen3" "capture2" "capture2e" "capture3" "pipeline" "pipeline_r" "pipeline_w" "pipeline_rw")
  (#any-of? @_flag "-c" "/c" "/C")) @ruby.command-injection

(call
  method: (identifier) @_fn
  arguments: (argument_list
    (array
      (string (string_content) @_flag)
      .
      (_) @_arg))
  (#any-of? @_fn "system" "exec" "spawn" "popen" "popen2" "popen2e" "popen3" "capture2" "capture2e" "capture3" "pipeline" "pipeline_r" "pipeline_w" "pipeline_rw")
  (#any-of? @_flag "-c" "/c" "/C")) @ruby.command-injection

; ruby.command-injection-dynamic
; A command method receives a variable as the whole command.
(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list . [(identifier) (element_reference) (call) (array . [(identifier) (element_reference) (call)])] @_arg)
  (#any-of? @_fn "system" "exec" "spawn")) @ruby.command-injection-dynamic

(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . [(identifier) (element_reference) (call) (array . [(identifier) (element_reference) (call)])] @_arg)
  (#match? @_recv "^(::)?(Kernel|Process|IO|Open3|PTY)$")
  (#any-of? @_fn "system" "exec" "spawn" "popen" "popen2" "popen2e" "popen3" "capture2" "capture2e" "capture3" "pipeline")) @ruby.command-injection-dynamic

; ruby.code-injection
; eval and friends on a non-literal string (blocks are fine).
(call
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_fn "eval" "instance_eval" "class_eval" "module_eval" "class_exec" "instance_exec")
  (#not-match? @_arg "^[&:]")) @ruby.code-injection

; ruby.unsafe-reflection
; Request data chooses a method, class or constant (the rule's `tainted source` check keeps only
; values built from params, cookies or the request, also through local variables).
(call
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_fn "send" "public_send" "__send__" "try" "method" "const_get" "instance_variable_get" "instance_variable_set" "define_method")) @ruby.unsafe-reflection

(call
  receiver: (_) @_arg
  method: (identifier) @_fn
  (#any-of? @_fn "constantize" "safe_constantize")) @ruby.unsafe-reflection

; ruby.sql-injection
; ActiveRecord query methods with SQL built by interpolation, `+`, `%`, `<<` or sprintf
; (the rule's `is-formatted-string` check confirms the string is built, not constant).
(call
  method: (identifier) @_fn
  arguments: (argument_list . [(string (interpolation)) (binary) (call) (array . [(string (interpolation)) (binary) (call)])] @_arg)
  (#any-of? @_fn "where" "not" "rewhere" "find_by_sql" "count_by_sql" "order" "reorder" "group" "having" "joins" "from" "select" "pluck" "lock" "exists?" "delete_all" "update_all" "destroy_all" "find_by" "find_by!" "calculate" "sum" "average" "minimum" "maximum" "execute" "exec_query" "exec_update" "exec_delete" "exec_insert" "select_all" "select_one" "select_value" "select_values" "select_rows" "sanitize_sql" "in_order_of")
  (#not-match? @_arg "^\\[?\"#\\{[A-Za-z_.]*\\}\"$")) @ruby.sql-injection

; ruby.sql-injection
; Database drivers (pg, mysql2, sqlite3, Sequel) with SQL built by interpolation or concatenation.
(call
  receiver: (_)
  method: (identifier) @_fn
  arguments: (argument_list . [(string (interpolation)) (binary) (call)] @_arg)
  (#any-of? @_fn "exec" "async_exec" "exec_params" "query" "execute" "execute_batch" "execute2" "get_first_row" "get_first_value" "prepare" "run" "fetch" "sql" "with_sql")
  (#match? @_arg "(?i)\\b(select|insert|update|delete|drop|alter|create|truncate|where|values|union|order\\s+by|group\\s+by)\\b")) @ruby.sql-injection

(element_reference
  object: (constant) @_db
  . [(string (interpolation)) (binary)] @_arg
  (#match? @_db "^(DB|Db|SEQUEL_DB)$")
  (#match? @_arg "(?i)\\b(select|insert|update|delete|where|from)\\b")) @ruby.sql-injection

; ruby.sql-injection
; The SQL is a variable; the rule's `is-formatted-string` check keeps it only when it was built by
; interpolation or concatenation.
(call
  receiver: (_)
  method: (identifier) @_fn
  arguments: (argument_list . (identifier) @_arg)
  (#any-of? @_fn "where" "find_by_sql" "count_by_sql" "order" "reorder" "group" "having" "joins" "from" "pluck" "exists?" "delete_all" "update_all" "find_by" "execute" "exec_query" "select_all" "select_one" "select_value" "select_values" "select_rows" "exec" "async_exec" "query" "fetch" "run")) @ruby.sql-injection

; ruby.unsafe-deserialization
(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#match? @_recv "^(::)?Marshal$")
  (#any-of? @_fn "load" "restore")) @ruby.unsafe-deserialization

(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg .)
  (#match? @_recv "^(::)?(Oj|CSV)$")
  (#any-of? @_fn "load" "object_load")) @ruby.unsafe-deserialization

(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  (#match? @_recv "^(::)?(YAML|Psych)$")
  (#any-of? @_fn "unsafe_load" "unsafe_load_file" "load_stream")) @ruby.unsafe-deserialization

; ruby.yaml-unsafe-load
; YAML.load on data that is not plainly a local file (YAML.load_file, File.read, ERB templates).
(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg) @_args
  (#match? @_recv "^(::)?(YAML|Psych)$")
  (#eq? @_fn "load")
  (#not-match? @_args "safe:\\s*true|permitted_classes")
  (#not-match? @_arg "File\\.read|IO\\.read|ERB\\.new|Rails\\.root|__FILE__|__dir__|\\.ya?ml\\b|(?i)file|path|template|config")) @ruby.yaml-unsafe-load

; ruby.weak-hash
(scope_resolution
  scope: (_) @_scope
  name: (constant) @_algo
  (#match? @_scope "^(::)?(Digest|OpenSSL::Digest)$")
  (#any-of? @_algo "MD5" "SHA1" "MD4" "RMD160")) @ruby.weak-hash

(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . (string (string_content) @_algo))
  (#match? @_recv "^(::)?OpenSSL::Digest$")
  (#any-of? @_fn "new" "digest" "hexdigest" "base64digest")
  (#match? @_algo "(?i)^(md5|sha1|md4)$")) @ruby.weak-hash

; ruby.weak-cipher
(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . (string (string_content) @_algo))
  (#match? @_recv "^(::)?OpenSSL::Cipher$")
  (#eq? @_fn "new")
  (#match? @_algo "(?i)^(des|des3|des-ede|rc2|rc4|bf|blowfish|cast|idea|seed)(\\b|-)|-ecb$")) @ruby.weak-cipher

(scope_resolution
  scope: (_) @_scope
  name: (constant) @_algo
  (#match? @_scope "^(::)?OpenSSL::Cipher$")
  (#any-of? @_algo "DES" "RC2" "RC4" "BF" "CAST5")) @ruby.weak-cipher

; ruby.weak-rsa-key
(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . (integer) @_bits)
  (#match? @_recv "^(::)?OpenSSL::PKey::(RSA|DSA)$")
  (#any-of? @_fn "new" "generate")
  (#match? @_bits "^([0-9]{1,3}|1[0-9]{3}|20[0-3][0-9]|204[0-7])$")) @ruby.weak-rsa-key

; ruby.insecure-random
(assignment
  left: (_) @_name
  right: (_) @ruby.insecure-random
  (#match? @_name "(?i)token|secret|passw|nonce|salt|otp|session|api_?key|csrf|key$|^@?key")
  (#match? @ruby.insecure-random "(^|[^A-Za-z0-9_.:])(rand|srand|Random\\.rand|Random\\.new|Kernel\\.rand)\\b")
  (#not-match? @ruby.insecure-random "SecureRandom"))

; ruby.tls-verify-none
(scope_resolution
  scope: (_) @_scope
  name: (constant) @_mode
  (#match? @_scope "^(::)?OpenSSL::SSL$")
  (#eq? @_mode "VERIFY_NONE")) @ruby.tls-verify-none

(pair
  key: [(hash_key_symbol) (simple_symbol)] @_key
  value: (false) @_value
  (#match? @_key "^:?(verify_ssl|ssl_verify|verify_peer|ssl_verify_peer|verify)$")) @ruby.tls-verify-none

; ruby.xxe
(call
  receiver: (_) @_recv
  method: (_) @_fn
  arguments: (argument_list) @_args
  (#match? @_recv "^(::)?Nokogiri(::XML(::Document)?)?$")
  (#match? @_fn "^(XML|parse)$")
  (#match? @_args "NOENT|DTDLOAD|HUGE")) @ruby.xxe

(call
  method: (identifier) @_fn
  (#any-of? @_fn "noent" "dtdload")) @ruby.xxe

(assignment
  left: (call method: (identifier) @_setting)
  right: (true)
  (#eq? @_setting "default_substitute_entities")) @ruby.xxe

(assignment
  left: (call receiver: (_) @_recv method: (identifier) @_setting)
  right: (string (string_content) @_backend)
  (#match? @_recv "XmlMini$")
  (#eq? @_setting "backend")
  (#match? @_backend "^LibXML")) @ruby.xxe

; ruby.open-redirect
(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_fn "redirect_to" "redirect_back")
  (#not-match? @_arg "\\.merge!?\\W.*(only_path|:host\\b|host:)")
  (#match? @_arg "^(params|cookies|request\\.(params|query_parameters|request_parameters|referer|referrer|headers|env|url|original_url))\\b|^\"#\\{\\s*(params|cookies|request\\.)|^url_for\\(\\s*params|^(fallback_location:\\s*)?params")) @ruby.open-redirect

; ruby.path-traversal
; File APIs, send_file and render file:/template:/partial: given a path; the rule's
; `tainted source` check keeps only paths built from params, cookies or the request
; (also through local variables).
(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#match? @_recv "^(::)?(File|IO|Dir|FileUtils|Pathname|Kernel|PStore|Zip::File|Tempfile|CSV)$")
  (#not-any-of? @_fn "basename" "extname" "dirname" "split" "join")) @ruby.path-traversal

(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_fn "send_file")) @ruby.path-traversal

(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list
    (pair key: (_) @_key value: (_) @_arg))
  (#any-of? @_fn "render" "render_to_string")
  (#match? @_key "^:?(file|template|partial|action|layout)$")) @ruby.path-traversal

(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list . [(identifier) (element_reference) (call) (string (interpolation)) (binary)] @_arg)
  (#any-of? @_fn "render" "render_to_string")) @ruby.path-traversal

; ruby.xss-html-safe
(call
  receiver: (_) @_arg
  method: (identifier) @_fn
  (#eq? @_fn "html_safe")
  (#not-match? @_arg "^(\"[^\"#]*\"|'[^']*')$")) @ruby.xss-html-safe

(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#eq? @_fn "raw")) @ruby.xss-html-safe

(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list (pair key: (hash_key_symbol) @_key value: (_) @_arg))
  (#eq? @_fn "render")
  (#any-of? @_key "inline" "text" "html" "body")
  (#match? @_arg "#\\{[^}]*\\b(params|cookies|request\\.(params|query_parameters|request_parameters|headers|url|referer))|%\\s*\\[?\\s*(params|cookies)\\b|^(params|cookies)\\b|\\+\\s*(params|cookies)\\b")) @ruby.xss-html-safe

; ruby.mass-assignment
(call
  receiver: (_) @_recv
  method: (identifier) @_fn
  (#match? @_recv "^params")
  (#eq? @_fn "permit!")) @ruby.mass-assignment

(pair
  key: [(hash_key_symbol) (simple_symbol)] @_key
  value: (true)
  (#match? @_key "^:?without_protection$")) @ruby.mass-assignment

; ruby.mass-assignment
; Privilege-bearing attributes opened to mass assignment.
(call
  method: (identifier) @_fn
  arguments: (argument_list (simple_symbol) @_attr)
  (#any-of? @_fn "permit" "attr_accessible")
  (#match? @_attr "^:(admin|is_admin|superuser|super_admin|role|roles|role_id|banned|account_id|owner_id|user_id|permissions|permission|privileges|approved|verified|confirmed|activated|staff|moderator)$")) @ruby.mass-assignment

; ruby.csrf-disabled
(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list . (simple_symbol) @_filter)
  (#any-of? @_fn "skip_before_action" "skip_before_filter" "skip_around_action")
  (#eq? @_filter ":verify_authenticity_token")) @ruby.csrf-disabled

(call
  !receiver
  method: (identifier) @_fn
  (#eq? @_fn "skip_forgery_protection")) @ruby.csrf-disabled

((identifier) @ruby.csrf-disabled
  (#eq? @ruby.csrf-disabled "skip_forgery_protection"))

; ruby.cookie-insecure-flag
(pair
  key: [(hash_key_symbol) (simple_symbol) (string)] @_key
  value: (false) @_value
  (#match? @_key "^:?[\"']?(httponly|http_only|session_http_only|secure|session_secure)[\"']?$")) @ruby.cookie-insecure-flag

; ruby.force-ssl-disabled
(assignment
  left: (call method: (identifier) @_setting)
  right: (false) @_value
  (#eq? @_setting "force_ssl")) @ruby.force-ssl-disabled

; ruby.jwt-none-algorithm
(call
  receiver: (constant) @_jwt
  method: (identifier) @_fn
  arguments: (argument_list (string (string_content) @_alg))
  (#eq? @_jwt "JWT")
  (#eq? @_fn "encode")
  (#eq? @_alg "none")) @ruby.jwt-none-algorithm

; ruby.nosql-injection
; A MongoDB `$where` clause (server-side JavaScript) built by interpolation or concatenation.
(pair
  key: [(string (string_content) @_op) (simple_symbol) @_op]
  value: [(string (interpolation)) (binary)] @_arg
  (#match? @_op "^:?\"?\\$where\"?$")) @ruby.nosql-injection

; ruby.validation-regex-anchors
; A format validation whose regex is not anchored with \A … \z: `^`/`$` match at any line, so
; "valid\n<script>…" passes.
(call
  method: (identifier) @_fn
  arguments: (argument_list
    (pair
      key: (_) @_key
      value: (regex) @_re))
  (#any-of? @_fn "validates" "validates_format_of")
  (#match? @_key "^:?(format|with)$")
  (#not-match? @_re "^/\\\\A.*\\\\[zZ]/[a-z]*$")) @ruby.validation-regex-anchors

(call
  method: (identifier) @_fn
  arguments: (argument_list
    (pair
      key: (_) @_key
      value: (hash
        (pair
          key: (_) @_with
          value: (regex) @_re))))
  (#any-of? @_fn "validates" "validates_format_of")
  (#match? @_key "^:?format$")
  (#match? @_with "^:?with$")
  (#not-match? @_re "^/\\\\A.*\\\\[zZ]/[a-z]*$")) @ruby.validation-regex-anchors

; ruby.auth-filter-skipped-with-except
; Skipping an authentication filter for every action except a list (a deny-list): new actions
; are unauthenticated by default.
(call
  !receiver
  method: (identifier) @_fn
  arguments: (argument_list
    .
    (simple_symbol) @_filter
    (pair key: (_) @_key))
  (#any-of? @_fn "skip_before_action" "skip_before_filter" "skip_filter" "skip_action_callback")
  (#match? @_filter "(?i)auth|login|logged_in|signed_in|require_user|require_admin|current_user|verify")
  (#not-eq? @_filter ":verify_authenticity_token")
  (#match? @_key "^:?except$")) @ruby.auth-filter-skipped-with-except
