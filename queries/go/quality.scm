; Code-quality rules for Go, in the spirit of staticcheck, errcheck and go-critic
; (metadata: config/rules/quality/go.yaml).

; go.ignored-error
; Heuristic: by convention the last result of a call is its error.
((short_var_declaration
  left: (expression_list
    (_)
    (identifier) @_blank
    .)
  right: (expression_list
    .
    (call_expression)
    .)) @go.ignored-error
  (#eq? @_blank "_"))
((assignment_statement
  left: (expression_list
    (identifier) @_blank
    .)
  operator: "="
  right: (expression_list
    .
    (call_expression)
    .)) @go.ignored-error
  (#eq? @_blank "_"))

; go.defer-in-loop
(for_statement
  body: (block
    (statement_list
      (defer_statement) @go.defer-in-loop)))
(for_statement
  body: (block
    (statement_list
      (if_statement
        consequence: (block
          (statement_list
            (defer_statement) @go.defer-in-loop))))))

; go.empty-error-check
((if_statement
  condition: (binary_expression
    left: (identifier) @_err
    operator: "!="
    right: (nil))
  consequence: (block
    "{"
    .
    "}")) @go.empty-error-check
  (#match? @_err "^(err|.*Err)$"))

; go.time-since
((call_expression
  function: (selector_expression
    operand: (call_expression
      function: (selector_expression
        operand: (identifier) @_pkg
        field: (field_identifier) @_now)
      arguments: (argument_list
        "("
        .
        ")"))
    field: (field_identifier) @_sub)
  arguments: (argument_list
    .
    (_) @_arg
    .)) @go.time-since
  (#eq? @_pkg "time")
  (#eq? @_now "Now")
  (#eq? @_sub "Sub"))

; go.sprintf-no-args
((call_expression
  function: (selector_expression
    operand: (identifier) @_pkg
    field: (field_identifier) @_fn)
  arguments: (argument_list
    .
    [(interpreted_string_literal) (raw_string_literal)] @_format
    .)) @go.sprintf-no-args
  (#eq? @_pkg "fmt")
  (#eq? @_fn "Sprintf")
  (#not-match? @_format "%"))

; go.errors-new-sprintf
((call_expression
  function: (selector_expression
    operand: (identifier) @_errors
    field: (field_identifier) @_new)
  arguments: (argument_list
    .
    (call_expression
      function: (selector_expression
        operand: (identifier) @_fmt
        field: (field_identifier) @_sprintf)
      arguments: (argument_list) @_args)
    .)) @go.errors-new-sprintf
  (#eq? @_errors "errors")
  (#eq? @_new "New")
  (#eq? @_fmt "fmt")
  (#eq? @_sprintf "Sprintf"))

; go.equal-fold
((binary_expression
  left: (call_expression
    function: (selector_expression
      operand: (identifier) @_pkg1
      field: (field_identifier) @_case1)
    arguments: (argument_list
      .
      (_) @_a
      .))
  operator: "=="
  right: (call_expression
    function: (selector_expression
      operand: (identifier) @_pkg2
      field: (field_identifier) @_case2)
    arguments: (argument_list
      .
      (_) @_b
      .))) @go.equal-fold
  (#eq? @_pkg1 "strings")
  (#eq? @_pkg2 "strings")
  (#any-of? @_case1 "ToLower" "ToUpper")
  (#eq? @_case1 @_case2))

; go.self-comparison
((binary_expression
  left: (_) @_left
  operator: ["==" "!=" "<" "<=" ">" ">=" "&&" "||"]
  right: (_) @_right) @go.self-comparison
  (#eq? @_left @_right))
