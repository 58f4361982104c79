; Security rules for Rust. Metadata: config/rules/security/rust.yaml.
; Captures starting with `_` are helpers; the capture named after a rule id is the reported range.

; rust.command-injection
; A shell started with `-c` and a non-literal script: Command::new("sh").arg("-c").arg(cmd).
(call_expression
  function: (field_expression
    value: (call_expression
      function: (field_expression
        value: (_) @_cmd
        field: (field_identifier) @_arg1)
      arguments: (arguments . (string_literal (string_content) @_flag) .))
    field: (field_identifier) @_arg2)
  arguments: (arguments . (_) @_arg .)
  (#eq? @_arg1 "arg")
  (#eq? @_arg2 "arg")
  (#any-of? @_flag "-c" "/C" "/c" "-Command")
  (#match? @_cmd "Command::new\\(\\s*\"(/usr)?(/bin/)?(sh|bash|zsh|dash|ksh|fish|cmd|cmd\\.exe|powershell|pwsh|powershell\\.exe)\"")) @rust.command-injection

(call_expression
  function: (field_expression
    value: (_) @_cmd
    field: (field_identifier) @_args)
  arguments: (arguments
    [(array_expression (string_literal (string_content) @_flag) . (_) @_arg)
     (reference_expression
       value: (array_expression (string_literal (string_content) @_flag) . (_) @_arg))
     (macro_invocation
       macro: (identifier) @_vec
       (token_tree (string_literal (string_content) @_flag) . (_) @_arg))])
  (#eq? @_args "args")
  (#any-of? @_flag "-c" "/C" "/c" "-Command")
  (#match? @_cmd "Command::new\\(\\s*\"(/usr)?(/bin/)?(sh|bash|zsh|dash|ksh|fish|cmd|cmd\\.exe|powershell|pwsh|powershell\\.exe)\"")) @rust.command-injection

; rust.command-injection
; The shell command is created in a `let`, and `-c` plus a non-literal script are added later in the same block.
((block
  (let_declaration
    pattern: (_) @_var
    value: (call_expression
      function: (scoped_identifier name: (identifier) @_new)
      arguments: (arguments . (string_literal (string_content) @_shell) .)))
  (expression_statement
    (call_expression
      function: (field_expression
        value: (call_expression
          function: (field_expression
            value: (identifier) @_use
            field: (field_identifier) @_arg1)
          arguments: (arguments . (string_literal (string_content) @_flag) .))
        field: (field_identifier) @_arg2)
      arguments: (arguments . (_) @_arg .)) @rust.command-injection))
  (#eq? @_new "new")
  (#match? @_var "^(mut\\s+)?[A-Za-z_][A-Za-z0-9_]*$")
  (#match? @_shell "^(/usr)?(/bin/)?(sh|bash|zsh|dash|ksh|fish|cmd|cmd\\.exe|powershell|pwsh|powershell\\.exe)$")
  (#eq? @_arg1 "arg")
  (#eq? @_arg2 "arg")
  (#any-of? @_flag "-c" "/C" "/c" "-Command"))

; rust.command-injection
; Command::new(format!(…)): the program path is formatted from data.
(call_expression
  function: (scoped_identifier
    path: (_) @_type
    name: (identifier) @_new)
  arguments: (arguments . [(macro_invocation macro: (identifier) @_fmt) (reference_expression value: (macro_invocation macro: (identifier) @_fmt))] @_arg .)
  (#match? @_type "(^|::)Command$")
  (#eq? @_new "new")
  (#eq? @_fmt "format")) @rust.command-injection

; rust.sql-injection
; sqlx / diesel / postgres / rusqlite calls whose SQL comes from format!.
(call_expression
  function: [(scoped_identifier name: (identifier) @_sink)
             (field_expression field: (field_identifier) @_sink)
             (identifier) @_sink
             (generic_function function: [(scoped_identifier name: (identifier) @_sink) (identifier) @_sink])]
  arguments: (arguments
    .
    [(macro_invocation macro: (identifier) @_fmt (token_tree . (string_literal) @_sql)) @_arg
     (reference_expression value: (macro_invocation macro: (identifier) @_fmt (token_tree . (string_literal) @_sql)) @_arg)
     (call_expression
       function: (field_expression
         value: (macro_invocation macro: (identifier) @_fmt (token_tree . (string_literal) @_sql)) @_arg))])
  (#any-of? @_sink "query" "query_as" "query_scalar" "query_unchecked" "query_as_unchecked" "query_with" "query_as_with" "sql_query" "raw_sql" "execute" "execute_batch" "batch_execute" "query_one" "query_opt" "query_raw" "prepare" "prepare_cached" "query_row" "query_map" "simple_query" "exec" "exec_drop" "exec_first" "query_drop" "query_first")
  (#eq? @_fmt "format")
  (#match? @_sql "(?i)\\b(select|insert|update|delete|drop|alter|create|truncate|replace|merge|where|values|union|pragma|order\\s+by|group\\s+by)\\b")
  (#match? @_arg "\\{[^}]*\\}|,")) @rust.sql-injection

; rust.sql-injection
; The SQL is a variable; the rule's `is-formatted-string` check keeps it only when it was built with
; format! or concatenation (through `let` bindings).
(call_expression
  function: [(scoped_identifier name: (identifier) @_sink)
             (field_expression field: (field_identifier) @_sink)
             (identifier) @_sink
             (generic_function function: [(scoped_identifier name: (identifier) @_sink) (identifier) @_sink])]
  arguments: (arguments
    .
    [(identifier) @_arg
     (reference_expression value: (identifier) @_arg)
     (call_expression function: (field_expression value: (identifier) @_arg field: (field_identifier) @_as_str))])
  (#any-of? @_sink "query" "query_as" "query_scalar" "query_unchecked" "query_as_unchecked" "query_with" "query_as_with" "sql_query" "raw_sql" "execute" "execute_batch" "batch_execute" "query_one" "query_opt" "query_raw" "prepare" "prepare_cached" "query_row" "query_map" "simple_query" "exec" "exec_drop" "exec_first" "query_drop" "query_first")) @rust.sql-injection

; rust.weak-hash
(call_expression
  function: (scoped_identifier
    path: (_) @_algo
    name: (identifier) @_fn)
  (#match? @_algo "(^|::)(Md2|Md4|Md5|Sha1|Sha0|Ripemd128|Ripemd160)$")
  (#any-of? @_fn "new" "default" "digest" "new_with_prefix" "from" "chain")) @rust.weak-hash

(call_expression
  function: (scoped_identifier
    path: (_) @_algo
    name: (identifier) @_fn)
  (#match? @_algo "(^|::)md5$")
  (#eq? @_fn "compute")) @rust.weak-hash

(call_expression
  function: (scoped_identifier
    path: (_) @_algo
    name: (identifier) @_fn)
  (#match? @_algo "(^|::)MessageDigest$")
  (#any-of? @_fn "md5" "sha1" "md4" "ripemd160")) @rust.weak-hash

(scoped_identifier
  name: (identifier) @_algo
  (#eq? @_algo "SHA1_FOR_LEGACY_USE_ONLY")) @rust.weak-hash

; rust.weak-cipher
(call_expression
  function: (scoped_identifier
    path: (_) @_algo
    name: (identifier) @_fn)
  (#match? @_algo "(^|::)(Des|TdesEde2|TdesEde3|TdesEee2|TdesEee3|Rc2|Rc4|Blowfish)(<[^>]*>)?$")
  (#any-of? @_fn "new" "new_from_slice" "new_from_slices" "new_with_eff_key_len")) @rust.weak-cipher

(call_expression
  function: (scoped_identifier
    path: (_) @_type
    name: (identifier) @_algo)
  (#match? @_type "(^|::)Cipher$")
  (#match? @_algo "^(des_|rc4|rc2_|bf_|aes_(128|192|256)_ecb|des_ede3)")) @rust.weak-cipher

(generic_type
  type: (_) @_type
  (#match? @_type "(^|::)ecb::(Encryptor|Decryptor)$")) @rust.weak-cipher

; rust.tls-accept-invalid-certs
(call_expression
  function: (field_expression
    field: (field_identifier) @_fn)
  arguments: (arguments . (boolean_literal) @_value .)
  (#any-of? @_fn "danger_accept_invalid_certs" "danger_accept_invalid_hostnames" "danger_accept_invalid_hostnames_for_testing" "tls_danger_accept_invalid_certs" "tls_danger_accept_invalid_hostnames" "accept_invalid_certs" "accept_invalid_hostnames")
  (#eq? @_value "true")) @rust.tls-accept-invalid-certs

; rust.tls-verify-none
(call_expression
  function: (field_expression
    field: (field_identifier) @_fn)
  arguments: (arguments . [(scoped_identifier) (identifier)] @_value .)
  (#any-of? @_fn "set_verify" "set_verify_callback")
  (#match? @_value "(^|::)(NONE|SSL_VERIFY_NONE)$")) @rust.tls-verify-none

; rust.tls-custom-verifier
(call_expression
  function: (field_expression
    value: (call_expression
      function: (field_expression field: (field_identifier) @_dangerous))
    field: (field_identifier) @_fn)
  (#eq? @_dangerous "dangerous")
  (#eq? @_fn "set_certificate_verifier")) @rust.tls-custom-verifier

(struct_expression
  name: (_) @_type
  (#match? @_type "(^|::)DangerousClientConfig$")) @rust.tls-custom-verifier

(call_expression
  function: (scoped_identifier
    path: (_) @_type
    name: (identifier) @_fn)
  (#match? @_type "(^|::)ClientConfig$")
  (#eq? @_fn "dangerous")) @rust.tls-custom-verifier

; rust.bind-all-interfaces
(call_expression
  function: [(field_expression field: (field_identifier) @_fn)
             (scoped_identifier name: (identifier) @_fn)]
  arguments: (arguments
    .
    [(string_literal (string_content) @_addr)
     (tuple_expression . (string_literal (string_content) @_addr))])
  (#any-of? @_fn "bind" "bind_addr" "listen")
  (#match? @_addr "^(0\\.0\\.0\\.0|\\[::\\]|::)(:[0-9]+)?$")) @rust.bind-all-interfaces

; rust.jwt-signature-validation-disabled
(call_expression
  function: (field_expression field: (field_identifier) @_fn)
  (#eq? @_fn "insecure_disable_signature_validation")) @rust.jwt-signature-validation-disabled

(call_expression
  function: (scoped_identifier name: (identifier) @_fn)
  (#eq? @_fn "dangerous_insecure_decode")) @rust.jwt-signature-validation-disabled
