; Code-quality rules for Java, in the spirit of PMD, SpotBugs and Error Prone
; (metadata: config/rules/quality/java.yaml).

; java.empty-catch
(catch_clause
  body: (block
    "{"
    .
    "}") @java.empty-catch)

; java.system-println
((method_invocation
  object: (field_access
    object: (identifier) @_system
    field: (identifier) @_stream)
  name: (identifier) @_method) @java.system-println
  (#eq? @_system "System")
  (#any-of? @_stream "out" "err")
  (#any-of? @_method "println" "print" "printf" "format"))

; java.print-stack-trace
((method_invocation
  object: (_)
  name: (identifier) @_method
  arguments: (argument_list
    "("
    .
    ")")) @java.print-stack-trace
  (#eq? @_method "printStackTrace"))

; java.string-equality
(binary_expression
  left: (string_literal) @_literal
  operator: "=="
  right: (_) @_other) @java.string-equality
((binary_expression
  left: (_) @_other
  operator: "=="
  right: (string_literal) @_literal) @java.string-equality
  (#not-match? @_other "^\""))

; java.string-inequality
(binary_expression
  left: (string_literal) @_literal
  operator: "!="
  right: (_) @_other) @java.string-inequality
((binary_expression
  left: (_) @_other
  operator: "!="
  right: (string_literal) @_literal) @java.string-inequality
  (#not-match? @_other "^\""))

; java.catch-generic
(catch_formal_parameter
  (catch_type
    (type_identifier) @_type @java.catch-generic)
  (#any-of? @_type "Exception" "Throwable" "RuntimeException"))

; java.boxed-constructor
((object_creation_expression
  !type_arguments
  type: (type_identifier) @_type
  arguments: (argument_list
    .
    (_)
    .) @_args
  !body) @java.boxed-constructor
  (#any-of? @_type "Integer" "Long" "Short" "Byte" "Double" "Float" "Boolean" "Character"))

; java.size-zero
((binary_expression
  left: (method_invocation
    object: (_) @_recv
    name: (identifier) @_size
    arguments: (argument_list
      "("
      .
      ")"))
  operator: "=="
  right: (decimal_integer_literal) @_zero) @java.size-zero
  (#eq? @_size "size")
  (#eq? @_zero "0")
  ; `this.size() == 0` is how `isEmpty` itself is written: the fix would recurse.
  (#not-eq? @_recv "this"))
