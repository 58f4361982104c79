; Code-quality rules for JavaScript, also loaded for TypeScript and TSX
; (metadata: config/rules/quality/javascript.yaml). Use only node kinds that all three grammars have.

; javascript.debugger
(debugger_statement) @javascript.debugger

; javascript.eqeqeq
((binary_expression
  left: (_) @_left
  operator: ["==" "!="] @_op
  right: (_) @_right) @javascript.eqeqeq
  (#not-eq? @_left "null")
  (#not-eq? @_right "null")
  (#not-match? @_left "^typeof[ \t(]"))

; javascript.empty-catch
(catch_clause
  body: (statement_block
    "{"
    .
    "}") @javascript.empty-catch)

; javascript.no-var
(variable_declaration
  "var" @_kw) @javascript.no-var

; javascript.console
((call_expression
  function: (member_expression
    object: (identifier) @_obj
    property: (property_identifier) @_method)) @javascript.console
  (#eq? @_obj "console")
  (#any-of? @_method "log" "debug" "trace" "dir" "dirxml" "table" "time" "timeEnd" "count"))

; javascript.new-wrapper
((new_expression
  constructor: (identifier) @_ctor
  arguments: (arguments) @_args) @javascript.new-wrapper
  (#any-of? @_ctor "String" "Number" "Boolean"))

; javascript.throw-literal
(throw_statement
  [(string) (template_string)] @_value) @javascript.throw-literal

; javascript.cond-assign
(if_statement
  condition: (parenthesized_expression
    .
    (assignment_expression) @javascript.cond-assign
    .))
(while_statement
  condition: (parenthesized_expression
    .
    (assignment_expression) @javascript.cond-assign
    .))
(do_statement
  condition: (parenthesized_expression
    .
    (assignment_expression) @javascript.cond-assign
    .))

; javascript.self-compare
((binary_expression
  left: (_) @_left
  operator: ["===" "==" "!==" "!=" "<" "<=" ">" ">="]
  right: (_) @_right) @javascript.self-compare
  (#eq? @_left @_right))
