; Code-quality rules for Rust, in the spirit of clippy (metadata: config/rules/quality/rust.yaml).

; rust.dbg-macro
; `dbg!(x)` with a lone identifier: the fix keeps `x`.
((macro_invocation
  macro: (identifier) @_macro
  (token_tree
    (identifier) @_inner) @_tokens) @rust.dbg-macro
  (#eq? @_macro "dbg")
  (#match? @_tokens "^\\(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)$"))
; Anything else: the fix keeps the token tree, `dbg!(a + b)` -> `(a + b)`, `dbg!(a, b)` -> `(a, b)`.
((macro_invocation
  macro: (identifier) @_macro
  (token_tree) @_inner) @rust.dbg-macro
  (#eq? @_macro "dbg")
  (#not-match? @_inner "^\\(\\s*[A-Za-z_][A-Za-z0-9_]*\\s*\\)$"))

; rust.todo
((macro_invocation
  macro: (identifier) @_macro) @rust.todo
  (#eq? @_macro "todo"))

; rust.unimplemented
((macro_invocation
  macro: (identifier) @_macro) @rust.unimplemented
  (#eq? @_macro "unimplemented"))

; rust.mem-forget
((call_expression
  function: (scoped_identifier
    path: (_) @_path
    name: (identifier) @_name)) @rust.mem-forget
  (#eq? @_name "forget")
  (#match? @_path "^((::)?(std|core)::)?mem$"))

; rust.unwrap-used
((call_expression
  function: (field_expression
    field: (field_identifier) @_method)
  arguments: (arguments "(" . ")")) @rust.unwrap-used
  (#eq? @_method "unwrap"))

; rust.bool-comparison
(binary_expression
  left: (_)
  operator: ["==" "!="]
  right: (boolean_literal)) @rust.bool-comparison
(binary_expression
  left: (boolean_literal)
  operator: ["==" "!="]
  right: (_)) @rust.bool-comparison

; rust.len-zero
((binary_expression
  left: (call_expression
    function: (field_expression
      value: (_) @_recv
      field: (field_identifier) @_len)
    arguments: (arguments "(" . ")"))
  operator: "=="
  right: (integer_literal) @_zero) @rust.len-zero
  (#eq? @_len "len")
  (#eq? @_zero "0")
  ; `self.len() == 0` is how `is_empty` itself is written: the fix would recurse.
  (#not-eq? @_recv "self"))
