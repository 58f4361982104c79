; Security rules for Go. Metadata: config/rules/security/go.yaml.
; Captures starting with `_` are helpers; the capture named after a rule id is the reported range.

; go.command-injection
; A shell (or interpreter) flag `-c` followed by a non-literal argument: exec.Command("sh", "-c", cmd).
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn) @_callee
  arguments: (argument_list
    (interpreted_string_literal (interpreted_string_literal_content) @_flag)
    .
    (_) @_arg)
  (#any-of? @_fn "Command" "CommandContext")
  (#any-of? @_flag "-c" "/c" "/C" "-Command" "-e")) @go.command-injection

; go.command-injection
; Any argument of exec.Command built with fmt.Sprintf.
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn) @_callee
  arguments: (argument_list
    (call_expression
      function: (selector_expression
        operand: (identifier) @_fmt
        field: (field_identifier) @_sprintf)) @_arg)
  (#any-of? @_fn "Command" "CommandContext")
  (#eq? @_fmt "fmt")
  (#any-of? @_sprintf "Sprintf" "Sprint" "Sprintln")) @go.command-injection

; go.command-injection
; Any argument of exec.Command built by concatenation.
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn) @_callee
  arguments: (argument_list
    (binary_expression operator: "+") @_arg)
  (#any-of? @_fn "Command" "CommandContext")) @go.command-injection

; go.command-injection-dynamic-program
; The program itself is not a literal: exec.Command(name, ...).
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn) @_callee
  arguments: (argument_list
    .
    [(identifier) (selector_expression) (index_expression)] @_arg)
  (#eq? @_fn "Command")) @go.command-injection-dynamic-program

(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn) @_callee
  arguments: (argument_list
    .
    (_)
    .
    [(identifier) (selector_expression) (index_expression)] @_arg)
  (#eq? @_fn "CommandContext")) @go.command-injection-dynamic-program

(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn) @_callee
  arguments: (argument_list
    .
    [(identifier) (selector_expression) (index_expression)] @_arg)
  (#any-of? @_fn "Exec" "ForkExec" "StartProcess")) @go.command-injection-dynamic-program

; go.sql-injection
; A database call whose query is built with fmt.Sprintf and looks like SQL.
(call_expression
  function: (selector_expression
    field: (field_identifier) @_sink)
  arguments: (argument_list
    (call_expression
      function: (selector_expression
        operand: (identifier) @_fmt
        field: (field_identifier) @_sprintf)
      arguments: (argument_list
        .
        (interpreted_string_literal) @_sql
        .
        (_))) @_arg)
  (#any-of? @_sink "Query" "QueryRow" "Exec" "QueryContext" "QueryRowContext" "ExecContext" "Prepare" "PrepareContext" "Queryx" "QueryRowx" "QueryxContext" "QueryRowxContext" "Select" "Get" "SelectContext" "GetContext" "MustExec" "MustExecContext" "NamedExec" "NamedQuery" "Raw" "QueryOne" "ExecOne" "QueryEx" "ExecEx" "QueryRowEx")
  (#eq? @_fmt "fmt")
  (#eq? @_sprintf "Sprintf")
  (#match? @_sql "(?i)\\b(select|insert|update|delete|drop|alter|create|truncate|replace|merge|where|values|union|order\\s+by|group\\s+by)\\b")) @go.sql-injection

; go.sql-injection
; A database call whose query is concatenated from SQL text and a non-literal value.
(call_expression
  function: (selector_expression
    field: (field_identifier) @_sink)
  arguments: (argument_list
    (binary_expression operator: "+") @_arg)
  (#any-of? @_sink "Query" "QueryRow" "Exec" "QueryContext" "QueryRowContext" "ExecContext" "Prepare" "PrepareContext" "Queryx" "QueryRowx" "QueryxContext" "QueryRowxContext" "Select" "Get" "SelectContext" "GetContext" "MustExec" "MustExecContext" "NamedExec" "NamedQuery" "Raw" "QueryOne" "ExecOne" "QueryEx" "ExecEx" "QueryRowEx")
  (#match? @_arg "(?i)\\b(select|insert|update|delete|drop|alter|create|truncate|replace|merge|where|values|union|order\\s+by|group\\s+by)\\b")
  (#match? @_arg "(^|\\+)\\s*[A-Za-z_][A-Za-z0-9_.]*(\\(|\\[|\\s*\\+|\\s*$)")) @go.sql-injection

; go.sql-injection
; ORM fragments (GORM, go-pg) built with fmt.Sprintf or concatenation: db.Where(fmt.Sprintf("name = '%s'", n)).
(call_expression
  function: (selector_expression
    field: (field_identifier) @_sink)
  arguments: (argument_list
    .
    [(call_expression
       function: (selector_expression
         operand: (identifier) @_fmt
         field: (field_identifier) @_sprintf))
     (binary_expression operator: "+")] @_arg)
  (#any-of? @_sink "Where" "Or" "Not" "Having" "Order" "Group" "Joins" "Raw" "WhereOr" "OrderExpr" "ColumnExpr" "TableExpr" "Exec" "Query")
  (#match? @_arg "^fmt\\.Sprintf\\(|\\+")
  (#match? @_arg "(^|\\+)\\s*[A-Za-z_][A-Za-z0-9_.]*(\\(|\\[|\\s*\\+|\\s*$)|%[sv]")
  (#match? @_arg "=|(?i)\\b(select|insert|update|delete|where|order|group|join|like|in|and|or|asc|desc)\\b")) @go.sql-injection

; go.sql-injection
; The query is a variable; the rule's `is-formatted-string` check keeps it only when that variable
; was built by fmt.Sprintf, `+` or `+=` (through local assignments).
(call_expression
  function: (selector_expression
    operand: (_) @_recv
    field: (field_identifier) @_sink)
  arguments: (argument_list (identifier) @_arg)
  (#any-of? @_sink "Query" "QueryRow" "Exec" "QueryContext" "QueryRowContext" "ExecContext" "Prepare" "PrepareContext" "Queryx" "QueryRowx" "QueryxContext" "QueryRowxContext" "Select" "Get" "SelectContext" "GetContext" "MustExec" "MustExecContext" "NamedExec" "NamedQuery" "Raw" "QueryOne" "ExecOne" "QueryEx" "ExecEx" "QueryRowEx" "Where" "WhereOr" "Or" "Not" "Having" "Order" "OrderExpr" "Group" "Joins" "ColumnExpr" "TableExpr")
  (#match? @_recv "(?i)(db|tx|conn|pool|sql|pg|database|gorm|orm|stmt|session|model|query)")) @go.sql-injection

; go.weak-hash
; md5/sha1 New and Sum, through any import alias (resolves-to in the rule).
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn) @_callee
  (#any-of? @_fn "New" "Sum")) @go.weak-hash

; go.weak-cipher
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn) @_callee
  (#any-of? @_fn "NewCipher" "NewTripleDESCipher" "NewSaltedCipher")) @go.weak-cipher

; go.insecure-random
; math/rand used to produce bytes (rand.Read is for keys, tokens and nonces).
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn) @_callee
  (#eq? @_fn "Read")
  (#match? @_pkg "(?i)r(a)?nd")) @go.insecure-random

; go.insecure-random
; math/rand in a variable whose name says it is a secret.
(short_var_declaration
  left: (expression_list . (identifier) @_name)
  right: (expression_list
    (call_expression
      function: (selector_expression
        operand: (identifier) @_pkg
        field: (field_identifier) @_fn) @_callee) @go.insecure-random)
  (#match? @_pkg "(?i)r(a)?nd")
  (#match? @_name "(?i)token|secret|passw|nonce|salt|otp|session|apikey|api_key|csrf|key$|^key")
  (#not-eq? @_fn "Read"))

(assignment_statement
  left: (expression_list . (_) @_name)
  right: (expression_list
    (call_expression
      function: (selector_expression
        operand: (identifier) @_pkg
        field: (field_identifier) @_fn) @_callee) @go.insecure-random)
  (#match? @_pkg "(?i)r(a)?nd")
  (#match? @_name "(?i)token|secret|passw|nonce|salt|otp|session|apikey|api_key|csrf|key$|^key")
  (#not-eq? @_fn "Read"))

; go.tls-insecure-skip-verify
(keyed_element
  key: (literal_element (identifier) @_key)
  value: (literal_element (true) @_value)
  (#eq? @_key "InsecureSkipVerify")) @go.tls-insecure-skip-verify

(assignment_statement
  left: (expression_list (selector_expression field: (field_identifier) @_key))
  right: (expression_list (true) @_value)
  (#eq? @_key "InsecureSkipVerify")) @go.tls-insecure-skip-verify

; go.tls-weak-version
(keyed_element
  key: (literal_element (identifier) @_key)
  value: (literal_element
    (selector_expression
      operand: (identifier) @_pkg
      field: (field_identifier) @_version) @_value)
  (#any-of? @_key "MinVersion" "MaxVersion")
  (#eq? @_pkg "tls")
  (#any-of? @_version "VersionSSL30" "VersionTLS10" "VersionTLS11")) @go.tls-weak-version

; go.tls-weak-cipher-suite
(selector_expression
  operand: (identifier) @_pkg
  field: (field_identifier) @_suite
  (#eq? @_pkg "tls")
  (#match? @_suite "^TLS_.*(_RC4_|_3DES_|_NULL_|_CBC_SHA256$|_EXPORT_|_DES_)")) @go.tls-weak-cipher-suite

; go.ssh-insecure-host-key
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  (#eq? @_pkg "ssh")
  (#eq? @_fn "InsecureIgnoreHostKey")) @go.ssh-insecure-host-key

; go.grpc-insecure-transport
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  (#eq? @_pkg "grpc")
  (#eq? @_fn "WithInsecure")) @go.grpc-insecure-transport

; go.weak-rsa-key
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  arguments: (argument_list (_) . (int_literal) @_bits .)
  (#eq? @_pkg "rsa")
  (#eq? @_fn "GenerateKey")
  (#match? @_bits "^([0-9]{1,3}|1[0-9]{3}|20[0-3][0-9]|204[0-7])$")) @go.weak-rsa-key

; go.bind-all-interfaces
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  arguments: (argument_list
    (interpreted_string_literal (interpreted_string_literal_content) @_addr))
  (#any-of? @_pkg "net" "http" "tls")
  (#any-of? @_fn "Listen" "ListenPacket" "ListenTCP" "ListenUDP" "ListenAndServe" "ListenAndServeTLS")
  (#match? @_addr "^(0\\.0\\.0\\.0|\\[::\\]|::)(:[0-9]*)?$")) @go.bind-all-interfaces

(keyed_element
  key: (literal_element (identifier) @_key)
  value: (literal_element (interpreted_string_literal (interpreted_string_literal_content) @_addr))
  (#eq? @_key "Addr")
  (#match? @_addr "^(0\\.0\\.0\\.0|\\[::\\])(:[0-9]*)?$")) @go.bind-all-interfaces

; go.insecure-temp-file
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  arguments: (argument_list
    .
    (interpreted_string_literal (interpreted_string_literal_content) @_path))
  (#any-of? @_pkg "os" "ioutil")
  (#any-of? @_fn "Create" "WriteFile" "OpenFile" "Mkdir" "MkdirAll")
  (#match? @_path "^/(var/)?tmp/")) @go.insecure-temp-file

; go.pprof-exposed
(import_spec
  name: (blank_identifier)
  path: (interpreted_string_literal (interpreted_string_literal_content) @_path)
  (#eq? @_path "net/http/pprof")) @go.pprof-exposed

; go.xss-unescaped-template-type
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_type)
  arguments: (argument_list . (_) @_arg .)
  (#eq? @_pkg "template")
  (#any-of? @_type "HTML" "HTMLAttr" "JS" "JSStr" "CSS" "URL" "Srcset")) @go.xss-unescaped-template-type

; go.open-redirect
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  arguments: (argument_list . (_) . (_) . (_) @_arg)
  (#eq? @_pkg "http")
  (#eq? @_fn "Redirect")
  (#match? @_arg "\\.(FormValue|PostFormValue|URL\\.Query\\(\\)|Query\\(\\)\\.Get|Form\\.Get|PostForm\\.Get|Header\\.Get|Referer)\\b|\\bmux\\.Vars\\(|\\.(Param|Query|DefaultQuery|PostForm|QueryParam|FormValue)\\(")) @go.open-redirect

; go.path-traversal
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  arguments: (argument_list (_) @_arg)
  (#any-of? @_pkg "os" "ioutil" "filepath" "path" "http")
  (#any-of? @_fn "Open" "OpenFile" "Create" "ReadFile" "WriteFile" "Remove" "RemoveAll" "ReadDir" "Join" "ServeFile")
  (#match? @_arg "\\.(FormValue|PostFormValue)\\(|\\.URL\\.(Query\\(\\)|Path\\b)|\\.Form\\.Get\\(|\\bmux\\.Vars\\(|^(c|ctx)\\.(Param|Query|DefaultQuery|PostForm|QueryParam|FormValue)\\(")) @go.path-traversal

; go.cookie-missing-secure
(composite_literal
  type: (qualified_type) @_type
  body: (literal_value) @_body
  (#any-of? @_type "http.Cookie" "sessions.Options")
  (#not-match? @_body "\\bSecure:\\s*true")) @go.cookie-missing-secure

; go.cookie-missing-httponly
(composite_literal
  type: (qualified_type) @_type
  body: (literal_value) @_body
  (#any-of? @_type "http.Cookie" "sessions.Options")
  (#not-match? @_body "\\bHttpOnly:\\s*true")) @go.cookie-missing-httponly

; go.nosql-injection
; A MongoDB `$where` clause (server-side JavaScript) built by concatenation or fmt.Sprintf.
(keyed_element
  key: (literal_element (interpreted_string_literal (interpreted_string_literal_content) @_op))
  value: (literal_element [(binary_expression operator: "+") (call_expression)] @_arg)
  (#eq? @_op "$where")) @go.nosql-injection

; go.xss-response-write
; Request data written straight into the response body (`w.Write`, `fmt.Fprintf(w, …)`,
; `io.WriteString(w, …)`); the rule's `tainted source` check keeps only request-derived values.
(call_expression
  function: (selector_expression
    operand: (_) @_w
    field: (field_identifier) @_fn)
  arguments: (argument_list
    .
    (type_conversion_expression
      type: (slice_type)
      operand: (_) @_arg))
  (#eq? @_fn "Write")
  (#match? @_w "(?i)^(\\(\\*)?(w|rw|wr|res|resp|response|writer|responsewriter)\\)?$")) @go.xss-response-write

(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  arguments: (argument_list
    .
    (_) @_w
    (_) @_arg)
  (#eq? @_pkg "fmt")
  (#any-of? @_fn "Fprintf" "Fprint" "Fprintln")
  (#match? @_w "(?i)^(w|rw|wr|res|resp|response|writer|responsewriter)$")) @go.xss-response-write

(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  arguments: (argument_list
    .
    (_) @_w
    .
    (_) @_arg)
  (#eq? @_pkg "io")
  (#eq? @_fn "WriteString")
  (#match? @_w "(?i)^(w|rw|wr|res|resp|response|writer|responsewriter)$")) @go.xss-response-write

; go.jwt-none-algorithm
(selector_expression
  operand: (identifier) @_pkg
  field: (field_identifier) @_field
  (#eq? @_pkg "jwt")
  (#any-of? @_field "SigningMethodNone" "UnsafeAllowNoneSignatureType")) @go.jwt-none-algorithm

; go.jwt-parse-unverified
(call_expression
  function: (selector_expression
    field: (field_identifier) @_fn)
  (#eq? @_fn "ParseUnverified")) @go.jwt-parse-unverified

; go.zip-slip
; An archive entry's name joined onto a directory: `../` in the entry escapes it.
(call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  arguments: (argument_list
    (selector_expression
      operand: (identifier) @_entry
      field: (field_identifier) @_name))
  (#any-of? @_pkg "filepath" "path")
  (#eq? @_fn "Join")
  (#eq? @_name "Name")
  (#match? @_entry "(?i)^(f|file|zf|zipfile|entry|e|hdr|header|h|item|fh)$")) @go.zip-slip
