; Code-quality rules for Python (metadata: config/rules/quality/python.yaml).

; python.bare-except
(except_clause
  !value
  "except" @python.bare-except)

; python.mutable-default-argument
(default_parameter
  value: [(list) (dictionary) (set) (list_comprehension) (dictionary_comprehension) (set_comprehension)] @python.mutable-default-argument)
(typed_default_parameter
  value: [(list) (dictionary) (set) (list_comprehension) (dictionary_comprehension) (set_comprehension)] @python.mutable-default-argument)
(default_parameter
  value: (call
    function: (identifier) @_ctor
    (#any-of? @_ctor "list" "dict" "set" "bytearray")) @python.mutable-default-argument)
(typed_default_parameter
  value: (call
    function: (identifier) @_ctor
    (#any-of? @_ctor "list" "dict" "set" "bytearray")) @python.mutable-default-argument)

; python.eq-none
((comparison_operator
  .
  (_)
  .
  operators: "==" @_op
  .
  (none)
  .) @python.eq-none)
((comparison_operator
  .
  (none)
  .
  operators: "==" @_op
  .
  (_)
  .) @python.eq-none)

; python.ne-none
((comparison_operator
  .
  (_)
  .
  operators: "!=" @_op
  .
  (none)
  .) @python.ne-none)
((comparison_operator
  .
  (none)
  .
  operators: "!=" @_op
  .
  (_)
  .) @python.ne-none)

; python.type-comparison
((comparison_operator
  (call
    function: (identifier) @_type
    arguments: (argument_list . (_) .))
  .
  operators: ["==" "!="]) @python.type-comparison
  (#eq? @_type "type"))
((comparison_operator
  (_) @_left
  .
  operators: ["==" "!="]
  .
  (call
    function: (identifier) @_type
    arguments: (argument_list . (_) .))) @python.type-comparison
  (#eq? @_type "type")
  (#not-match? @_left "^type\\s*\\("))

; python.assert-tuple
(assert_statement
  .
  (tuple . (_)) @python.assert-tuple)

; python.f-string-missing-placeholders
; A part of an implicit concatenation (`f"a " f"{b}"`) is not reported, like ruff and pyflakes:
; the string must sit directly in one of these common parents (never in `concatenated_string`).
(argument_list
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(keyword_argument
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(assignment
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(augmented_assignment
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(expression_statement
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(return_statement
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(pair
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(tuple
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(list
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(set
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(binary_operator
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(parenthesized_expression
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(conditional_expression
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(subscript
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(attribute
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(default_parameter
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))
(expression_list
  (string
    .
    (string_start) @_start
    .
    (string_content)?
    .
    (string_end)
    .) @python.f-string-missing-placeholders
  (#match? @_start "^[rR]?[fF]"))

; python.except-pass
(except_clause
  !value
  (block . (pass_statement) .)) @python.except-pass
(except_clause
  value: (identifier) @_exc
  (block . (pass_statement) .)
  (#any-of? @_exc "Exception" "BaseException")) @python.except-pass

; python.debugger
((call
  function: (identifier) @_fn
  arguments: (argument_list)) @python.debugger
  (#eq? @_fn "breakpoint"))
((call
  function: (attribute
    object: (identifier) @_mod
    attribute: (identifier) @_fn)) @python.debugger
  (#any-of? @_mod "pdb" "ipdb" "pudb")
  (#eq? @_fn "set_trace"))

; python.not-in
((not_operator
  argument: (comparison_operator
    .
    (_) @_left
    .
    operators: "in"
    .
    (_) @_right
    .)) @python.not-in)

; python.raise-not-implemented
(raise_statement
  .
  [
    (identifier) @_name @python.raise-not-implemented
    (call function: (identifier) @_name @python.raise-not-implemented)
  ]
  (#eq? @_name "NotImplemented"))

; python.is-literal
((comparison_operator
  .
  (_)
  .
  operators: ["is" "is not"] @_op
  .
  [(string) (integer) (float) (concatenated_string) (tuple) (list) (dictionary) (set)]
  .) @python.is-literal)
((comparison_operator
  .
  [(string) (integer) (float) (concatenated_string) (tuple) (list) (dictionary) (set)]
  .
  operators: ["is" "is not"] @_op
  .
  (_)
  .) @python.is-literal)
