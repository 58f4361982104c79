; Security rules for Java. Metadata: config/rules/security/java.yaml.
; Captures starting with `_` are helpers; the capture named after a rule id is the reported range.

; java.command-injection
; Runtime.exec / ProcessBuilder with a command built by concatenation or String.format.
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list . (binary_expression operator: "+") @_arg)
  (#eq? @_fn "exec")
  (#match? @_arg "\\+\\s*[A-Za-z_(]|[A-Za-z_)\\]]\\s*\\+")) @java.command-injection

(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list
    .
    (method_invocation
      object: (identifier) @_string
      name: (identifier) @_format) @_arg)
  (#eq? @_fn "exec")
  (#eq? @_string "String")
  (#eq? @_format "format")) @java.command-injection

(object_creation_expression
  type: (type_identifier) @_type
  arguments: (argument_list . [(binary_expression operator: "+") (method_invocation name: (identifier) @_format)] @_arg)
  (#eq? @_type "ProcessBuilder")
  (#match? @_arg "^String\\.format\\(|\\+\\s*[A-Za-z_(]|[A-Za-z_)\\]]\\s*\\+")) @java.command-injection

; java.command-injection
; A shell flag followed by a non-literal: exec("bash", "-c", cmd), new ProcessBuilder("sh", "-c", cmd),
; builder.command("cmd", "/c", cmd), new String[]{"/bin/sh", "-c", cmd}.
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list
    (string_literal (string_fragment) @_flag)
    .
    (_) @_arg)
  (#any-of? @_fn "exec" "command")
  (#any-of? @_flag "-c" "/c" "/C" "-Command")) @java.command-injection

(object_creation_expression
  type: (type_identifier) @_type
  arguments: (argument_list
    (string_literal (string_fragment) @_flag)
    .
    (_) @_arg)
  (#eq? @_type "ProcessBuilder")
  (#any-of? @_flag "-c" "/c" "/C" "-Command")) @java.command-injection

(array_creation_expression
  value: (array_initializer
    (string_literal (string_fragment) @_flag)
    .
    (_) @_arg)
  (#any-of? @_flag "-c" "/c" "/C" "-Command")) @java.command-injection

(method_invocation
  object: (identifier) @_arrays
  name: (identifier) @_aslist
  arguments: (argument_list
    (string_literal (string_fragment) @_flag)
    .
    (_) @_arg)
  (#any-of? @_arrays "Arrays" "List")
  (#any-of? @_aslist "asList" "of")
  (#any-of? @_flag "-c" "/c" "/C" "-Command")) @java.command-injection

; java.command-injection-dynamic
; The whole command is a variable: Runtime.getRuntime().exec(cmd), new ProcessBuilder(cmd), builder.command(cmd).
(method_invocation
  object: (method_invocation
    object: (identifier) @_runtime
    name: (identifier) @_get)
  name: (identifier) @_fn
  arguments: (argument_list . [(identifier) (field_access) (array_access)] @_arg)
  (#eq? @_runtime "Runtime")
  (#eq? @_get "getRuntime")
  (#eq? @_fn "exec")) @java.command-injection-dynamic

(object_creation_expression
  type: (type_identifier) @_type
  arguments: (argument_list . [(identifier) (field_access) (array_access)] @_arg .)
  (#eq? @_type "ProcessBuilder")) @java.command-injection-dynamic

(method_invocation
  object: (_) @_builder
  name: (identifier) @_fn
  arguments: (argument_list . [(identifier) (field_access) (array_access)] @_arg .)
  (#eq? @_fn "command")
  (#match? @_builder "(?i)(builder|pb|process)")) @java.command-injection-dynamic

; java.sql-injection
; A JDBC/JPA/Hibernate/Spring call whose SQL is concatenated or formatted with a non-literal value.
(method_invocation
  name: (identifier) @_sink
  arguments: (argument_list . (binary_expression operator: "+") @_arg)
  (#any-of? @_sink "executeQuery" "executeUpdate" "executeLargeUpdate" "execute" "addBatch" "prepareStatement" "prepareCall" "createQuery" "createNativeQuery" "createSQLQuery" "createStatement" "query" "queryForObject" "queryForList" "queryForMap" "queryForRowSet" "queryForLong" "queryForInt" "update" "batchUpdate" "newQuery" "executeSql" "rawQuery" "execSQL" "preparedQuery")
  (#match? @_arg "(?i)\\b(select|insert|update|delete|drop|alter|create|truncate|merge|where|values|union|from|order\\s+by|group\\s+by|set)\\b")
  (#match? @_arg "\\+\\s*[A-Za-z_(]|[A-Za-z_)\\]]\\s*\\+")) @java.sql-injection

(method_invocation
  name: (identifier) @_sink
  arguments: (argument_list
    .
    (method_invocation
      object: (identifier) @_string
      name: (identifier) @_format
      arguments: (argument_list . (_) . (_))) @_arg)
  (#any-of? @_sink "executeQuery" "executeUpdate" "executeLargeUpdate" "execute" "addBatch" "prepareStatement" "prepareCall" "createQuery" "createNativeQuery" "createSQLQuery" "query" "queryForObject" "queryForList" "queryForMap" "queryForRowSet" "queryForLong" "queryForInt" "update" "batchUpdate" "newQuery" "executeSql" "rawQuery" "execSQL" "preparedQuery")
  (#eq? @_string "String")
  (#eq? @_format "format")) @java.sql-injection

; java.sql-injection
; The SQL is a variable; the rule's `is-formatted-string` check keeps it only when it was built by
; concatenation or String.format (through local assignments and `+=`).
(method_invocation
  name: (identifier) @_sink
  arguments: (argument_list . (identifier) @_arg)
  (#any-of? @_sink "executeQuery" "executeUpdate" "executeLargeUpdate" "execute" "addBatch" "prepareStatement" "prepareCall" "createQuery" "createNativeQuery" "createSQLQuery" "query" "queryForObject" "queryForList" "queryForMap" "queryForRowSet" "queryForLong" "queryForInt" "update" "batchUpdate" "newQuery" "executeSql" "rawQuery" "execSQL" "preparedQuery")) @java.sql-injection

; java.sql-injection-nonconstant
; Statement.executeQuery(sql) and friends with a non-constant string: only a PreparedStatement with
; bound parameters is safe, and it takes no SQL at execution time.
(method_invocation
  name: (identifier) @_sink
  arguments: (argument_list . [(identifier) (field_access)] @_arg)
  (#any-of? @_sink "executeQuery" "executeUpdate" "executeLargeUpdate" "addBatch")) @java.sql-injection-nonconstant

(method_invocation
  name: (identifier) @_sink
  arguments: (argument_list . (identifier) @_arg)
  (#any-of? @_sink "execute" "createQuery" "createNativeQuery" "createSQLQuery" "prepareStatement" "prepareCall")
  (#match? @_arg "(?i)(sql|query|hql|jpql|stmt|statement)")) @java.sql-injection-nonconstant

; java.sql-injection-nonconstant
; Spring JdbcTemplate / NamedParameterJdbcTemplate and JPA/Hibernate query factories with a
; non-constant SQL string.
(method_invocation
  object: (_) @_recv
  name: (identifier) @_sink
  arguments: (argument_list . [(identifier) (field_access)] @_arg)
  (#match? @_recv "(?i)(jdbc|template)")
  (#any-of? @_sink "query" "queryForObject" "queryForList" "queryForMap" "queryForRowSet" "queryForStream" "queryForLong" "queryForInt" "update" "batchUpdate" "execute")) @java.sql-injection-nonconstant

(object_creation_expression
  type: (type_identifier) @_type
  arguments: (argument_list . [(identifier) (field_access)] @_arg)
  (#any-of? @_type "PreparedStatementCreatorFactory" "SqlQuery" "SqlUpdate" "MappingSqlQuery")) @java.sql-injection-nonconstant

; java.code-injection
; Script engines and expression languages evaluating a non-literal string.
(method_invocation
  object: (_) @_engine
  name: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#eq? @_fn "eval")
  (#match? @_engine "(?i)(engine|script|nashorn|graal|rhino|js|getEngineBy)")) @java.code-injection

(method_invocation
  object: (_) @_shell
  name: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_fn "evaluate" "parse" "run" "parseClass")
  (#match? @_shell "(?i)(groovy|shell)|GroovyClassLoader|^Eval$")) @java.code-injection

(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#eq? @_class "Eval")
  (#any-of? @_fn "me" "x" "xy" "xyz")) @java.code-injection

(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_fn "parseExpression" "parseRaw")) @java.code-injection

(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list . (_) . (_) @_arg)
  (#any-of? @_fn "createValueExpression" "createMethodExpression")) @java.code-injection

(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  arguments: (argument_list . (_) @_arg)
  (#any-of? @_class "Ognl" "OgnlUtil" "ognlUtil" "MVEL")
  (#any-of? @_fn "getValue" "setValue" "parseExpression" "compile" "compileExpression" "eval" "executeExpression" "callMethod")) @java.code-injection

; java.unsafe-deserialization
(object_creation_expression
  type: (type_identifier) @_type
  (#any-of? @_type "ObjectInputStream" "XMLDecoder")) @java.unsafe-deserialization

(method_invocation
  name: (identifier) @_fn
  (#any-of? @_fn "enableDefaultTyping" "activateDefaultTyping")) @java.unsafe-deserialization

(annotation
  name: (identifier) @_name
  arguments: (annotation_argument_list
    (element_value_pair
      key: (identifier) @_key
      value: (field_access) @_value))
  (#eq? @_name "JsonTypeInfo")
  (#eq? @_key "use")
  (#match? @_value "Id\\.(CLASS|MINIMAL_CLASS)$")) @java.unsafe-deserialization

(method_invocation
  object: (identifier) @_xstream
  name: (identifier) @_fn
  (#match? @_xstream "(?i)xstream")
  (#eq? @_fn "fromXML")) @java.unsafe-deserialization

(object_creation_expression
  type: (type_identifier) @_type
  arguments: (argument_list) @_args
  (#eq? @_type "Yaml")
  (#match? @_args "^\\(\\s*\\)$")) @java.unsafe-deserialization

; java.weak-hash
(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  arguments: (argument_list . (string_literal (string_fragment) @_algo) @_value)
  (#eq? @_class "MessageDigest")
  (#eq? @_fn "getInstance")
  (#match? @_algo "(?i)^(md2|md4|md5|sha|sha1|sha-1)$")) @java.weak-hash

; java.weak-hash-helper
(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  (#eq? @_class "DigestUtils")
  (#match? @_fn "^(md2|md5|sha1|sha|getMd2Digest|getMd5Digest|getSha1Digest|getShaDigest)(Hex)?$")) @java.weak-hash-helper

(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  (#eq? @_class "Hashing")
  (#any-of? @_fn "md5" "sha1")) @java.weak-hash-helper

; java.weak-cipher
(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  arguments: (argument_list . (string_literal (string_fragment) @_algo))
  (#eq? @_class "Cipher")
  (#eq? @_fn "getInstance")
  (#match? @_algo "(?i)^(des|desede|tripledes|3des|rc2|rc4|arcfour|blowfish|aes|null)(/|$)|/ecb/")
  (#not-match? @_algo "(?i)^(aes|rsa|ec|chacha20)[^/]*/(gcm|cbc|ctr|cfb|ofb|none|cts)|^aes_(128|256)/(gcm|cbc)|^(rsa|ec)")) @java.weak-cipher

(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  arguments: (argument_list . (string_literal (string_fragment) @_algo))
  (#any-of? @_class "KeyGenerator" "SecretKeyFactory")
  (#eq? @_fn "getInstance")
  (#match? @_algo "(?i)^(des|desede|tripledes|3des|rc2|rc4|arcfour|blowfish)(/|$)")) @java.weak-cipher

(object_creation_expression
  type: (type_identifier) @_type
  (#eq? @_type "NullCipher")) @java.weak-cipher

; java.rsa-no-padding
(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  arguments: (argument_list . (string_literal (string_fragment) @_algo))
  (#eq? @_class "Cipher")
  (#eq? @_fn "getInstance")
  (#match? @_algo "(?i)^rsa/[^/]*/nopadding$")) @java.rsa-no-padding

; java.weak-ssl-context
(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  arguments: (argument_list . (string_literal (string_fragment) @_proto) @_value)
  (#eq? @_class "SSLContext")
  (#eq? @_fn "getInstance")
  (#any-of? @_proto "SSL" "SSLv2" "SSLv3" "TLSv1" "TLSv1.1")) @java.weak-ssl-context

; java.insecure-random
; java.util.Random / Math.random / RandomStringUtils feeding something named like a secret.
(local_variable_declaration
  declarator: (variable_declarator
    name: (identifier) @_name
    value: (_) @java.insecure-random)
  (#match? @_name "(?i)token|secret|passw|nonce|salt|otp|session|apikey|api_key|csrf|rememberme|key$|^key|^iv$")
  (#match? @java.insecure-random "new\\s+(java\\.util\\.)?Random\\s*\\(|\\bMath\\.random\\(|\\bRandomStringUtils\\.random|\\bThreadLocalRandom\\.current\\(")
  (#not-match? @java.insecure-random "SecureRandom"))

(assignment_expression
  left: (_) @_name
  right: (_) @java.insecure-random
  (#match? @_name "(?i)token|secret|passw|nonce|salt|otp|session|apikey|api_key|csrf|rememberme|key$|^key|\\biv$")
  (#match? @java.insecure-random "new\\s+(java\\.util\\.)?Random\\s*\\(|\\bMath\\.random\\(|\\bRandomStringUtils\\.random|\\bThreadLocalRandom\\.current\\(")
  (#not-match? @java.insecure-random "SecureRandom"))

(method_declaration
  name: (identifier) @_name
  body: (block
    (return_statement (_) @java.insecure-random))
  (#match? @_name "(?i)token|secret|passw|nonce|salt|otp|session|apikey|csrf")
  (#match? @java.insecure-random "new\\s+(java\\.util\\.)?Random\\s*\\(|\\bMath\\.random\\(|\\bRandomStringUtils\\.random|\\bThreadLocalRandom\\.current\\(")
  (#not-match? @java.insecure-random "SecureRandom"))

; java.tls-trust-all-certificates
; An X509TrustManager whose check method is empty (comments only) accepts every certificate.
(method_declaration
  name: (identifier) @_name
  body: (block) @_body
  (#any-of? @_name "checkServerTrusted" "checkClientTrusted")
  (#match? @_body "^\\{(\\s|//[^\\n]*\\n|/\\*([^*]|\\*[^/])*\\*/)*\\}$")) @java.tls-trust-all-certificates

; java.tls-hostname-verifier-accept-all
(method_declaration
  name: (identifier) @_name
  parameters: (formal_parameters . (formal_parameter) . (formal_parameter type: (type_identifier) @_session) .)
  body: (block . (return_statement (true)) .)
  (#eq? @_name "verify")
  (#eq? @_session "SSLSession")) @java.tls-hostname-verifier-accept-all

(lambda_expression
  parameters: (inferred_parameters . (identifier) . (identifier) @_session .)
  body: (true)
  (#match? @_session "(?i)session")) @java.tls-hostname-verifier-accept-all

(object_creation_expression
  type: (type_identifier) @_type
  (#any-of? @_type "NoopHostnameVerifier" "AllowAllHostnameVerifier")) @java.tls-hostname-verifier-accept-all

(field_access
  field: (identifier) @_field
  (#eq? @_field "ALLOW_ALL_HOSTNAME_VERIFIER")) @java.tls-hostname-verifier-accept-all

(field_access
  object: (identifier) @_class
  field: (identifier) @_field
  (#eq? @_class "NoopHostnameVerifier")
  (#eq? @_field "INSTANCE")) @java.tls-hostname-verifier-accept-all

; java.xxe
; A parser is created from a factory made in this class, and the class never hardens it.
((class_body
  (method_declaration
    body: (block
      [(local_variable_declaration
         declarator: (variable_declarator
           value: (method_invocation name: (identifier) @_fn) @java.xxe))
       (expression_statement
         (assignment_expression
           right: (method_invocation name: (identifier) @_fn) @java.xxe))
       (expression_statement
         (method_invocation name: (identifier) @_fn) @java.xxe)
       (return_statement
         (method_invocation name: (identifier) @_fn) @java.xxe)
       (try_statement
         body: (block
           [(local_variable_declaration
              declarator: (variable_declarator
                value: (method_invocation name: (identifier) @_fn) @java.xxe))
            (expression_statement
              (assignment_expression
                right: (method_invocation name: (identifier) @_fn) @java.xxe))]))])))
  @_class
  (#any-of? @_fn "newDocumentBuilder" "newSAXParser" "newTransformer" "newSchema" "newValidator")
  (#match? @_class "(DocumentBuilderFactory|SAXParserFactory|TransformerFactory|SchemaFactory)\\.(newInstance|newFactory|newDefaultFactory)\\(")
  (#not-match? @_class "disallow-doctype-decl|FEATURE_SECURE_PROCESSING|external-general-entities|ACCESS_EXTERNAL_DTD|ACCESS_EXTERNAL_SCHEMA|SUPPORT_DTD|IS_SUPPORTING_EXTERNAL_ENTITIES|supportDTD|isSupportingExternalEntities|load-external-dtd"))

; java.xxe
; StAX: an XMLInputFactory made in a class that never turns off DTDs or external entities.
((class_body
  [(method_declaration
     body: (block
       (local_variable_declaration
         declarator: (variable_declarator
           value: (method_invocation object: (identifier) @_factory name: (identifier) @_new) @java.xxe))))
   (constructor_declaration
     body: (constructor_body
       (local_variable_declaration
         declarator: (variable_declarator
           value: (method_invocation object: (identifier) @_factory name: (identifier) @_new) @java.xxe))))
   (field_declaration
     declarator: (variable_declarator
       value: (method_invocation object: (identifier) @_factory name: (identifier) @_new) @java.xxe))])
  @_class
  (#eq? @_factory "XMLInputFactory")
  (#any-of? @_new "newInstance" "newFactory" "newDefaultFactory")
  (#not-match? @_class "SUPPORT_DTD|IS_SUPPORTING_EXTERNAL_ENTITIES|supportDTD|isSupportingExternalEntities|ACCESS_EXTERNAL_DTD"))

; java.xxe-feature-enabled
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list
    .
    (string_literal (string_fragment) @_feature)
    .
    (false) @_value)
  (#eq? @_fn "setFeature")
  (#match? @_feature "disallow-doctype-decl$")) @java.xxe-feature-enabled

(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list
    .
    (string_literal (string_fragment) @_feature)
    .
    (true) @_value)
  (#eq? @_fn "setFeature")
  (#match? @_feature "external-(general|parameter)-entities$|load-external-dtd$")) @java.xxe-feature-enabled

(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list
    .
    (_) @_feature
    .
    [(true) (method_invocation)] @_value)
  (#eq? @_fn "setProperty")
  (#match? @_feature "IS_SUPPORTING_EXTERNAL_ENTITIES|isSupportingExternalEntities|SUPPORT_DTD|supportDTD")
  (#match? @_value "^(true|Boolean\\.TRUE|Boolean\\.valueOf\\(true\\))$")) @java.xxe-feature-enabled

; java.open-redirect
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list . (_) @_arg .)
  (#eq? @_fn "sendRedirect")
  (#match? @_arg "getParameter|getHeader|getQueryString|getRequestURL|getPathInfo|getCookies")) @java.open-redirect

(binary_expression
  left: (string_literal (string_fragment) @_prefix)
  operator: "+"
  right: [(identifier) (method_invocation) (field_access)] @_arg
  (#match? @_prefix "^redirect:$")) @java.open-redirect

; java.open-redirect-parameter
; The redirect target is a method parameter or a variable, passed straight to sendRedirect.
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list . (identifier) @_arg .)
  (#eq? @_fn "sendRedirect")) @java.open-redirect-parameter

; java.cookie-insecure-flag
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list . (false) @_value .)
  (#any-of? @_fn "setSecure" "setHttpOnly")) @java.cookie-insecure-flag

; java.cookie-missing-secure
((block
  (local_variable_declaration
    declarator: (variable_declarator
      name: (identifier) @_var
      value: (object_creation_expression type: (type_identifier) @_type)))
  (expression_statement
    (method_invocation
      name: (identifier) @_add
      arguments: (argument_list . (identifier) @_use .)) @java.cookie-missing-secure))
  @_body
  (#eq? @_type "Cookie")
  (#eq? @_add "addCookie")
  (#eq? @_var @_use)
  (#not-match? @_body "setSecure\\(\\s*([^f\\s)]|f[^a])"))

; java.cookie-missing-httponly
((block
  (local_variable_declaration
    declarator: (variable_declarator
      name: (identifier) @_var
      value: (object_creation_expression type: (type_identifier) @_type)))
  (expression_statement
    (method_invocation
      name: (identifier) @_add
      arguments: (argument_list . (identifier) @_use .)) @java.cookie-missing-httponly))
  @_body
  (#eq? @_type "Cookie")
  (#eq? @_add "addCookie")
  (#eq? @_var @_use)
  (#not-match? @_body "setHttpOnly\\(\\s*([^f\\s)]|f[^a])"))

; java.path-traversal
(object_creation_expression
  type: (_) @_type
  arguments: (argument_list) @_args
  (#match? @_type "(^|\\.)(File|FileInputStream|FileOutputStream|FileReader|FileWriter|RandomAccessFile|PrintWriter)$")
  (#match? @_args "getParameter\\(|getHeader\\(|getPathInfo\\(|getQueryString\\(|getRequestURI\\(|getOriginalFilename\\(")) @java.path-traversal

(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  arguments: (argument_list) @_args
  (#any-of? @_class "Paths" "Path" "Files" "FileUtils")
  (#match? @_args "getParameter\\(|getHeader\\(|getPathInfo\\(|getQueryString\\(|getRequestURI\\(|getOriginalFilename\\(")) @java.path-traversal

; java.permissive-cors
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list
    .
    (string_literal (string_fragment) @_header)
    .
    (string_literal (string_fragment) @_value))
  (#any-of? @_fn "setHeader" "addHeader")
  (#match? @_header "(?i)^access-control-allow-origin$")
  (#any-of? @_value "*" "null")) @java.permissive-cors

(annotation
  name: (identifier) @_name
  arguments: (annotation_argument_list) @_args
  (#eq? @_name "CrossOrigin")
  (#match? @_args "\"\\*\"")) @java.permissive-cors

(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list . (string_literal (string_fragment) @_value) .)
  (#any-of? @_fn "allowedOrigins" "addAllowedOrigin" "allowedOriginPatterns" "addAllowedOriginPattern")
  (#eq? @_value "*")) @java.permissive-cors

; java.csrf-disabled
(method_invocation
  object: (method_invocation name: (identifier) @_csrf)
  name: (identifier) @_fn
  (#eq? @_csrf "csrf")
  (#eq? @_fn "disable")) @java.csrf-disabled

(method_invocation
  name: (identifier) @_csrf
  arguments: (argument_list . [(method_reference) (lambda_expression)] @_arg .)
  (#eq? @_csrf "csrf")
  (#match? @_arg "disable")) @java.csrf-disabled

; java.ldap-injection
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list . (_) . (binary_expression operator: "+") @_arg)
  (#eq? @_fn "search")
  (#match? @_arg "\"[^\"]*\\([^\"]*=[^\"]*\"\\s*\\+")) @java.ldap-injection

; java.xpath-injection
(method_invocation
  name: (identifier) @_fn
  arguments: (argument_list . (binary_expression operator: "+") @_arg)
  (#any-of? @_fn "evaluate" "compile" "selectNodes" "selectSingleNode")
  (#match? @_arg "\"[^\"]*(/|\\[@|=)[^\"]*\"\\s*\\+")
  (#match? @_arg "\\+\\s*[A-Za-z_(]|[A-Za-z_)\\]]\\s*\\+")) @java.xpath-injection

; java.jwt-none-algorithm
(method_invocation
  object: (identifier) @_class
  name: (identifier) @_fn
  (#eq? @_class "Algorithm")
  (#eq? @_fn "none")) @java.jwt-none-algorithm

(field_access
  object: (identifier) @_class
  field: (identifier) @_field
  (#eq? @_class "SignatureAlgorithm")
  (#eq? @_field "NONE")) @java.jwt-none-algorithm

; java.weak-rsa-key
(block
  (local_variable_declaration
    declarator: (variable_declarator
      name: (identifier) @_var
      value: (method_invocation
        object: (identifier) @_class
        arguments: (argument_list . (string_literal (string_fragment) @_algo)))))
  (expression_statement
    (method_invocation
      object: (identifier) @_use
      name: (identifier) @_fn
      arguments: (argument_list . (decimal_integer_literal) @_bits)) @java.weak-rsa-key)
  (#eq? @_class "KeyPairGenerator")
  (#any-of? @_algo "RSA" "DSA" "DH" "DiffieHellman")
  (#eq? @_var @_use)
  (#eq? @_fn "initialize")
  (#match? @_bits "^([0-9]{1,3}|1[0-9]{3}|20[0-3][0-9]|204[0-7])$"))

; java.default-http-client
(object_creation_expression
  type: (type_identifier) @_type
  (#eq? @_type "DefaultHttpClient")) @java.default-http-client

; java.nosql-injection
; A MongoDB `$where` clause (server-side JavaScript) built by concatenation.
(method_invocation
  arguments: (argument_list
    .
    (string_literal (string_fragment) @_op)
    .
    (binary_expression operator: "+") @_arg)
  (#eq? @_op "$where")) @java.nosql-injection

(object_creation_expression
  arguments: (argument_list
    .
    (string_literal (string_fragment) @_op)
    .
    (binary_expression operator: "+") @_arg)
  (#eq? @_op "$where")) @java.nosql-injection

; java.xss-response-writer
; Request data written to the servlet response writer; the rule's `tainted source` check keeps only
; values built from the request (or a handler's parameters).
(method_invocation
  object: (method_invocation name: (identifier) @_get)
  name: (identifier) @_fn
  arguments: (argument_list (_) @_arg)
  (#eq? @_get "getWriter")
  (#any-of? @_fn "write" "print" "println" "printf" "format" "append")) @java.xss-response-writer

(method_invocation
  object: (identifier) @_out
  name: (identifier) @_fn
  arguments: (argument_list (_) @_arg)
  (#match? @_out "^(out|writer|pw|printWriter|respWriter|responseWriter)$")
  (#any-of? @_fn "write" "print" "println" "printf" "format" "append")) @java.xss-response-writer

; java.static-iv
; An IV or nonce that is a constant (array literal or string bytes) instead of fresh random bytes.
(variable_declarator
  name: (identifier) @_name
  value: [(array_initializer) (array_creation_expression value: (array_initializer))]
  (#match? @_name "(?i)^(iv|ivbytes|ivspec|nonce|initvector|initializationvector|.*_iv|.*[a-z]IV|.*[a-z]Iv)$")) @java.static-iv

(object_creation_expression
  type: (type_identifier) @_type
  arguments: (argument_list
    [(array_creation_expression value: (array_initializer))
     (method_invocation object: (string_literal) name: (identifier) @_getbytes)] @_arg)
  (#any-of? @_type "IvParameterSpec" "GCMParameterSpec" "ChaCha20ParameterSpec")) @java.static-iv
