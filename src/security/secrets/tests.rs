//! Unit tests of the secrets engine.

use super::*;

#[test]
fn data_compiles() {
    assert!(data::build().is_ok(), "{:?}", data::build().err());
}

/// Recall and flagged `ok` lines on the semgrep-rules `generic/secrets` tests, by scanning the
/// files directly (the CLI route is `scripts/eval-security --secrets-only`). Prints figures;
/// run with `cargo test --lib security::secrets -- --ignored --nocapture corpus`.
#[test]
#[ignore = "needs ../shared/corpora; prints figures"]
fn corpus_secrets_recall() {
    use std::collections::{BTreeMap, BTreeSet};
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/semgrep-rules");
    let Ok(tsv) = std::fs::read_to_string(root.join("expectations.tsv")) else {
        eprintln!("corpus not found under {}", root.display());
        return;
    };
    let mut labels: BTreeMap<(String, usize), (String, String)> = BTreeMap::new();
    for row in tsv.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        if cols.len() < 5 || !cols[0].starts_with("generic/secrets/") {
            continue;
        }
        let Ok(line) = cols[2].parse::<usize>() else {
            continue;
        };
        labels.insert(
            (cols[0].to_string(), line),
            (cols[3].to_string(), cols[4].to_string()),
        );
    }
    let files: BTreeSet<String> = labels.keys().map(|(f, _)| f.clone()).collect();
    let mut flagged: BTreeMap<(String, usize), Vec<String>> = BTreeMap::new();
    let mut all = 0;
    for f in &files {
        let Ok(bytes) = std::fs::read(root.join("tests").join(f)) else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for m in scan(&text) {
            let line = text[..m.range.start].matches('\n').count() + 1;
            all += 1;
            flagged
                .entry((f.clone(), line))
                .or_default()
                .push(format!("{} {}", m.kind, m.masked));
        }
    }
    let (mut tp, mut pos, mut fp, mut neg) = (0, 0, 0, 0);
    for ((f, line), (kind, rule)) in &labels {
        let hit = flagged.get(&(f.clone(), *line));
        if kind == "ruleid" {
            pos += 1;
            if hit.is_some() {
                tp += 1
            } else {
                eprintln!("MISS {f}:{line} [{rule}]")
            }
        } else {
            neg += 1;
            if let Some(h) = hit {
                fp += 1;
                eprintln!("FLAGGED-OK {f}:{line} [{rule}] {h:?}")
            }
        }
    }
    for ((f, line), h) in &flagged {
        if !labels.contains_key(&(f.clone(), *line)) {
            eprintln!("unlabelled {f}:{line} {h:?}");
        }
    }
    eprintln!(
        "secrets recall {tp}/{pos} = {:.3}; ok lines flagged {fp}/{neg}; findings {all}",
        tp as f64 / pos as f64
    );
}

#[test]
#[ignore = "debug helper: SECRET_DEBUG='text' cargo test --lib secrets::tests::debug_one -- --ignored --nocapture"]
fn debug_one() {
    let t = std::env::var("SECRET_DEBUG")
        .unwrap_or_default()
        .replace("\\n", "\n");
    for m in scan(&t) {
        eprintln!("{} {:?} {} {:?}", m.kind, m.range, m.masked, m.confidence);
    }
}

// ---------------------------------------------------------------------------------------------
// Synthetic values: a tiny deterministic generator, so no credential-looking literal sits in the
// source (and push protection has nothing to match).

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX: &str = "0123456789abcdef";
const UPNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

fn gen_str(alphabet: &str, n: usize, seed: u64) -> String {
    let a = alphabet.as_bytes();
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(a[(x % a.len() as u64) as usize])
        })
        .collect()
}

fn kinds_in(text: &str) -> Vec<&'static str> {
    scan(text).into_iter().map(|m| m.kind).collect()
}

/// The only match in `text` is of `kind` and covers `value` exactly.
#[track_caller]
fn assert_finds(text: &str, kind: &str, value: &str) {
    let found = scan(text);
    assert_eq!(found.len(), 1, "{text:?}: {found:?}");
    assert_eq!(found[0].kind, kind, "{text:?}");
    assert_eq!(&text[found[0].range.clone()], value, "{text:?}");
    assert_eq!(found[0].rule_id, format!("secrets.{kind}"));
}

#[track_caller]
fn assert_clean(text: &str) {
    let found = scan(text);
    assert!(found.is_empty(), "{text:?}: {found:?}");
}

#[test]
fn provider_formats_are_found() {
    let cases: Vec<(&str, String)> = vec![
        (
            "aws-access-key-id",
            format!("AKIA{}", gen_str(UPNUM, 16, 1)),
        ),
        ("github-token", format!("ghp_{}", gen_str(ALNUM, 36, 2))),
        ("github-token", format!("gho_{}", gen_str(ALNUM, 36, 3))),
        ("github-token", format!("ghs_{}", gen_str(ALNUM, 36, 4))),
        (
            "github-fine-grained-token",
            format!(
                "github_pat_{}_{}",
                gen_str(ALNUM, 22, 5),
                gen_str(ALNUM, 59, 6)
            ),
        ),
        ("gitlab-token", format!("glpat-{}", gen_str(URLSAFE, 20, 7))),
        (
            "slack-token",
            format!(
                "xoxb-{}-{}-{}",
                gen_str("0123456789", 12, 8),
                gen_str("0123456789", 13, 9),
                gen_str(ALNUM, 24, 10)
            ),
        ),
        (
            "stripe-secret-key",
            format!("sk_live_{}", gen_str(ALNUM, 24, 11)),
        ),
        (
            "stripe-secret-key",
            format!("rk_live_{}", gen_str(ALNUM, 24, 12)),
        ),
        (
            "openai-api-key",
            format!("sk-proj-{}", gen_str(URLSAFE, 64, 13)),
        ),
        (
            "anthropic-api-key",
            format!("sk-ant-api03-{}AA", gen_str(URLSAFE, 93, 14)),
        ),
        (
            "google-api-key",
            format!("AIza{}", gen_str(URLSAFE, 35, 15)),
        ),
        (
            "sendgrid-api-key",
            format!(
                "SG.{}.{}",
                gen_str(URLSAFE, 22, 16),
                gen_str(URLSAFE, 43, 17)
            ),
        ),
        ("npm-token", format!("npm_{}", gen_str(ALNUM, 36, 18))),
        ("twilio-api-key", format!("SK{}", gen_str(HEX, 32, 19))),
        ("twilio-account-sid", format!("AC{}", gen_str(HEX, 32, 20))),
        (
            "huggingface-token",
            format!(
                "hf_{}",
                gen_str(
                    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                    34,
                    21
                )
            ),
        ),
        (
            "digitalocean-token",
            format!("dop_v1_{}", gen_str(HEX, 64, 22)),
        ),
        ("shopify-token", format!("shpat_{}", gen_str(HEX, 32, 23))),
        (
            "pypi-token",
            format!("pypi-AgEIcHlwaS5vcmc{}", gen_str(URLSAFE, 70, 24)),
        ),
        (
            "hashicorp-vault-token",
            format!("hvs.{}", gen_str(URLSAFE, 90, 25)),
        ),
        (
            "telegram-bot-token",
            format!(
                "{}:AA{}",
                gen_str("123456789", 10, 26),
                gen_str(URLSAFE, 33, 27)
            ),
        ),
    ];
    for (kind, value) in &cases {
        // Bare, quoted in code, and in a .env line.
        assert_finds(value, kind, value);
        assert_finds(&format!("deploy = \"{value}\"\n"), kind, value);
        assert_finds(&format!("export DEPLOY={value}\n"), kind, value);
    }
}

#[test]
fn slack_webhook_and_url_passwords() {
    let hook = format!(
        "T{}/B{}/{}",
        gen_str(UPNUM, 8, 30),
        gen_str(UPNUM, 10, 31),
        gen_str(ALNUM, 24, 32)
    );
    assert_finds(
        &format!("notify: https://hooks.slack.com/services/{hook}\n"),
        "slack-webhook",
        &hook,
    );
    assert_clean(
        "notify: https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n",
    );

    let pw = gen_str(ALNUM, 16, 33);
    assert_finds(
        &format!("DATABASE_URL=postgres://app:{pw}@db.internal:5432/app\n"),
        "url-password",
        &pw,
    );
    assert_finds(
        &format!("curl \"https://ci:{pw}@ci.internal/job\"\n"),
        "url-password",
        &pw,
    );
    assert_clean("REDIS_URL=redis://cache:${REDIS_PASSWORD}@cache:6379\n");
    assert_clean("f\"https://{user}:{token}@github.com/org/repo\"\n");
    assert_clean("https://user:********@example.com\n");
    assert_clean("https://registry.example.org:4443/team/image@sha256:0123\n");
    assert_clean("postgres://postgres:postgres@localhost/db\n");
    assert_clean("see https://docs.example.org/page?user=a:b\n");
}

#[test]
fn aws_secret_key_and_fake_values() {
    let secret = gen_str(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+",
        40,
        40,
    );
    assert_finds(
        &format!("aws_secret_access_key = {secret}\n"),
        "aws-secret-access-key",
        &secret,
    );
    // Documentation examples say so.
    assert_clean("aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n");
    assert_clean("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
    assert_clean("AWS_SECRET_ACCESS_KEY=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    // Low entropy tokens with a real prefix.
    assert_clean(&format!("token: ghp_{}\n", "ab".repeat(18)));
    assert_clean("SLACK_BOT_TOKEN=xoxb-0000000000-example\n");
    assert_clean("secretKey: 'sk_test_XXXXXXXXXXXXXXXXXXXXXX'\n");
    assert_clean("sk_live_\n");
}

#[test]
fn private_key_blocks() {
    let body: Vec<String> = (0..5).map(|i| gen_str(ALNUM, 64, 50 + i)).collect();
    let block = format!(
        "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----",
        body.join("\n")
    );
    let text = format!("key = \"\"\"{block}\"\"\"\n");
    let found = scan(&text);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, "private-key");
    assert_eq!(&text[found[0].range.clone()], block);
    assert_eq!(found[0].confidence, Confidence::High);
    assert!(
        found[0]
            .masked
            .starts_with("-----BEGIN RSA PRIVATE KEY-----\u{2026}")
    );
    // Escaped newlines in a JSON string.
    let json = format!(
        "{{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n\"}}",
        body.join("\\n")
    );
    assert_eq!(kinds_in(&json), vec!["private-key"]);
    // Unterminated, body up to the blank line.
    let open = format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n\nnext", body[0]);
    assert_eq!(kinds_in(&open), vec!["private-key"]);
    // Placeholders and public keys.
    assert_clean("-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----\n");
    assert_clean("-----BEGIN ENCRYPTED PRIVATE KEY-----\nabababababababababababababababab\n");
    assert_clean(&format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        body[1]
    ));
}

#[test]
fn jwt_needs_a_json_header() {
    fn b64url(s: &str) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let b = s.as_bytes();
        let mut out = String::new();
        for chunk in b.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |acc, (i, &c)| acc | (u32::from(c) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(char::from(A[((n >> (18 - 6 * i)) & 63) as usize]));
            }
        }
        out
    }
    let jwt = format!(
        "{}.{}.{}",
        b64url(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64url(r#"{"sub":"sample","iat":1700000000}"#),
        gen_str(URLSAFE, 43, 60)
    );
    assert_finds(&format!("Authorization: Bearer {jwt}\n"), "jwt", &jwt);
    let not_jwt = format!(
        "{}.{}",
        b64url(r#"{"kind":"note","n":1}"#),
        b64url(r#"{"page":1,"size":20}"#)
    );
    assert_clean(&format!("cursor = \"{not_jwt}\"\n"));
    assert_clean("foreignKeyJsonObject.get(\n");
}

#[test]
fn generic_assignments_across_syntaxes() {
    let v = gen_str(ALNUM, 32, 70);
    let p = format!(
        "{}#{}",
        gen_str(ALNUM, 10, 71),
        gen_str("0123456789", 2, 72)
    );
    let secret_lines = [
        format!("api_key = \"{v}\""),     // Python, TOML
        format!("const apiKey = '{v}';"), // JavaScript
        format!("apiToken := \"{v}\""),   // Go
        format!("private static final String CLIENT_SECRET = \"{v}\";"), // Java
        format!("  auth_token: {v}"),     // YAML
        format!("{{\"client_secret\": \"{v}\"}}"), // JSON
        format!("SECRET_KEY={v}"),        // .env
        format!("app.jwt.secret={v}"),    // .properties
        format!("'api_key' => '{v}',"),   // PHP, Ruby
        format!("define('API_TOKEN', '{v}');"), // PHP define
        format!("<string name=\"service_api_key\">{v}</string>"), // Android resources
        format!("config[\"access_token\"] = \"{v}\""), // subscript
        format!("tool --token {v}"),      // CLI flag
        format!("headers = {{\"Authorization\": \"Bearer {v}\"}}"),
    ];
    for line in &secret_lines {
        let text = format!("{line}\n");
        assert_finds(&text, "generic-secret", &v);
    }
    for line in [
        format!("password = \"{p}\""),
        format!("db.password={p}"),
        format!("  DB_PASSWORD: \"{p}\""),
        format!("connect(user=\"app\", passwd=\"{p}\")"),
        format!("if password == \"{p}\":"),
    ] {
        let text = format!("{line}\n");
        assert_finds(&text, "generic-password", &p);
    }
}

#[test]
fn generic_allow_lists() {
    for text in [
        // placeholders and templates
        "api_key = \"YOUR_API_KEY\"",
        "api_key = \"<api-key>\"",
        "token: ${GITHUB_TOKEN}",
        "password: \"{{ vault_password }}\"",
        "password = \"%(password)s\"",
        "secret = \"changeme\"",
        "API_KEY=xxxxxxxxxxxxxxxxxxxxxxxx",
        "password: 'K1f...........'",
        // environment look-ups and code
        "api_key = os.environ[\"API_KEY\"]",
        "token = os.getenv(\"TOKEN\")",
        "const token = process.env.GITHUB_TOKEN;",
        "password := os.Getenv(\"DB_PASSWORD\")",
        "newPassword=this.mPassword",
        "var key = _step2.value.key;",
        "User.findOne({ 'token': req.query.token })",
        "secret_key = settings.SECRET_KEY",
        // names that describe a secret instead of holding one
        "password_field = \"password_confirmation1\"",
        "token_type = \"bearer\"",
        "secret_name = \"prod/db-credentials-2024\"",
        "this.txtCfmPassword.Name = \"txtCfmPassword\";",
        "publicKeyToken=\"31bf3856ad364e35\"",
        "\"pubkey\": \"asdsadsadsadsadsadsadsawAJbNbGKPFXCWuBvf9Ss623VQ5DA\",",
        "test_api_key = \"0123456789abcdefABCDEF\"",
        "\"Keywords\": \"asdsadsadsaUSAdusadusadsa\",",
        "secretary: 123567890123456789012345678901234567890s",
        // benign formats
        "request_token = \"9b2f4c1e-3d5a-4b6c-8e7f-0a1b2c3d4e5f\"",
        "integrity: sha512-AbCdEf0123456789abcdefABCDEF0123456789abcdef==",
        "go.mod h1:6dJC0mAP4ikYIbvyc7fijjWJddQyLn8Ig3JB5CqoB9Q=",
        "secret_arn: 'arn:aws:secretsmanager:us-west-2:123456789012:secret:prod-db-AbCdEf'",
        "private_key = \"certs/server-2024.pem\"",
        "token_version = \"2.14.3\"",
        "\"lastModifiedSecret\": 1556312220.133",
        "IMAGER_S3_KEY=AWS_S3_KEY",
        "api_key = \"abcd1234abcd1234abcd1234abcd1234\"",
        "clientToken: \"pub4306832bdc5f2b8b980c492ec2c11ef3\",",
        "cache-key: flutter-3.3.x",
        // code that looks like an assignment
        "pub Password: super::UNICODE_STRING,",
        "pub token: avx2::State,",
        "let tokens = quote! {",
        "let stream = \"x\".parse::<TokenStream>().unwrap();",
        "  [aux_sym_string_token1] = \"string_token1\",",
        "const FLOW_AUTH_METHOD_REGISTRATION_REQUIRED_V2 = \"FlowAuthMethodRegistrationRequiredV2\";",
        "MovedAttribute(\"HTTPPasswordMgr\", \"urllib2\", \"urllib.request\"),",
        "__all__ = ['HTTPPasswordMgrWithPriorAuth', 'AbstractBasicAuthHandler',",
        "_opword = r'(?:eq|ne|lt|gt|le|ge)'",
        "spf = pass:softfail/fail",
        "creds = \" --user \" + auth",
        "#password_encryption = scram-sha-256",
        "--jobserver-auth=fifo:PATH",
        "http://en.wikipedia.org/wiki/The_Secret_Saturdays:_Beasts_of_the_5th_Sun",
        // prose, comparisons with non-literals
        "password combination. R5: Regulatory--21",
        "if (keyCode === wysihtml5.ENTER_KEY) {",
        "the token expires in 3600 seconds",
    ] {
        assert_clean(&format!("{text}\n"));
    }
}

#[test]
fn uuid_counts_only_under_strong_names() {
    let u = "6f1c2a9e-0b7d-4e3a-9c55-1d2e3f405a6b";
    assert_finds(&format!("HEROKU_API_KEY = {u}\n"), "generic-secret", u);
    assert_finds(&format!("app.secret={u}\n"), "generic-secret", u);
    assert_clean(&format!("other_token: {u}\n"));
    assert_clean(&format!("const DEFAULT_CLIENT_ID = '{u}';\n"));
}

#[test]
fn words_split_identifiers() {
    assert_eq!(
        generic::words("UserCreationPasswordSecretKey"),
        ["user", "creation", "password", "secret", "key"]
    );
    assert_eq!(generic::words("APIKey"), ["api", "key"]);
    assert_eq!(generic::words("access_token1"), ["access", "token"]);
    assert_eq!(
        generic::words("My-SoftLayer-Api-Key"),
        ["my", "soft", "layer", "api", "key"]
    );
}

#[test]
fn entropy_and_heuristics() {
    assert!(heuristics::entropy("") == 0.0);
    assert!((heuristics::entropy("aaaa") - 0.0).abs() < 1e-9);
    assert!((heuristics::entropy("abcd") - 2.0).abs() < 1e-9);
    assert!(heuristics::entropy(&gen_str(ALNUM, 64, 80)) > 5.0);
    assert!(heuristics::is_uuid("6f1c2a9e-0b7d-4e3a-9c55-1d2e3f405a6b"));
    assert!(!heuristics::is_uuid("6f1c2a9e0b7d4e3a9c551d2e3f405a6b"));
    assert!(heuristics::is_periodic("abcd1234abcd1234abcd1234"));
    assert!(!heuristics::is_periodic(&gen_str(ALNUM, 24, 81)));
    assert!(heuristics::is_placeholder("ghp_xxxxxxxxxxxxxxxx", true));
    assert!(heuristics::is_placeholder("AKIAIOSFODNN7EXAMPLE", true));
    // A mixed-case marker inside a random token is chance, not a declaration.
    assert!(!heuristics::is_placeholder("Xw937qtWSXJss1lFaKe", true));
    assert_eq!(
        heuristics::base64_decode("eyJhIjoxfQ"),
        Some(b"{\"a\":1}".to_vec())
    );
}

#[test]
fn masking_never_reveals_the_value() {
    assert_eq!(
        mask("aws-access-key-id", "AKIAABCDEFGHIJKLMNXY"),
        "AKIA\u{2026}XY (20 chars)"
    );
    for n in [1usize, 3, 5, 8, 12, 20, 40, 200] {
        let v = gen_str(ALNUM, n, 90 + n as u64);
        let m = mask("generic-secret", &v);
        assert!(!m.contains(&v), "{m} reveals {v}");
        let shown = m.chars().filter(|c| c.is_ascii_alphanumeric()).count();
        // at most a third of the value (plus the digits of the length)
        assert!(
            shown <= n / 3 + 2 + n.to_string().len() + "chars".len(),
            "{m}"
        );
    }
    let text = format!("token = \"{}\"\n", gen_str(ALNUM, 32, 99));
    for m in scan(&text) {
        assert!(!m.masked.contains(&text[m.range.clone()]));
    }
}

#[test]
fn redaction_uses_stable_placeholders() {
    let a = gen_str(ALNUM, 36, 100);
    let b = gen_str(ALNUM, 36, 101);
    let k = gen_str(ALNUM, 32, 102);
    let text = format!(
        "one = \"ghp_{a}\"\ntwo = \"ghp_{b}\"\nagain = \"ghp_{a}\"\napi_key = \"{k}\"\nlog: ghp_{a}\n"
    );
    let r = redact(&text);
    assert_eq!(
        r.text,
        "one = \"<secret:github-token-1>\"\ntwo = \"<secret:github-token-2>\"\nagain = \"<secret:github-token-1>\"\napi_key = \"<secret:generic-secret-1>\"\nlog: <secret:github-token-1>\n"
    );
    assert_eq!(r.count, 5);
    assert_eq!(
        r.kinds,
        vec!["generic-secret".to_string(), "github-token".to_string()]
    );

    // A value seen once is also replaced where it appears without context.
    let pw = gen_str(ALNUM, 14, 103);
    let r = redact(&format!("password = \"{pw}\"\nprint('{pw}')\n"));
    assert_eq!(
        r.text,
        "password = \"<secret:generic-password-1>\"\nprint('<secret:generic-password-1>')\n"
    );

    let clean = "fn main() { println!(\"hello\"); }\n";
    assert_eq!(
        redact(clean),
        Redacted {
            text: clean.to_string(),
            count: 0,
            kinds: vec![]
        }
    );
}

#[test]
fn redacted_text_holds_no_scanned_value() {
    // Table of mixed texts: every value `scan` returns must be gone after `redact`.
    let mut texts = Vec::new();
    for seed in 0..40u64 {
        let pick = |i: u64| gen_str(ALNUM, 20 + (seed + i) as usize % 30, seed * 10 + i);
        texts.push(format!(
            "# config {seed}\napi_key = \"{}\"\nurl = \"https://u:{}@h.internal/x\"\nnote = \"ghp_{}\"\nDB_PASSWORD={}!{}\ncopy: {}\n",
            pick(1),
            pick(2),
            gen_str(ALNUM, 36, seed * 10 + 3),
            pick(4),
            seed,
            pick(1),
        ));
    }
    texts.push(format!(
        "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----\n",
        gen_str(ALNUM, 64, 7)
    ));
    for text in &texts {
        let found = scan(text);
        assert!(!found.is_empty(), "{text}");
        let red = redact(text);
        for m in &found {
            let v = &text[m.range.clone()];
            assert!(!red.text.contains(v), "{v:?} survives in {:?}", red.text);
        }
        assert!(scan(&red.text).is_empty(), "{:?}", red.text);
    }
}

#[test]
fn unicode_and_edge_input_do_not_panic() {
    for text in [
        "",
        "\n\n",
        "password=",
        "password = \"",
        "token: \u{2022}\u{2022}\u{2022}\u{2022}",
        "api_key = \"\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\"",
        "https://user:\u{2022}\u{2022}\u{2022}@host",
        "-----BEGIN RSA PRIVATE KEY-----",
        "-----BEGIN RSA PRIVATE KEY-----\n\u{e9}\u{e9}\u{e9}",
        "secret\u{e9}=\u{e9}abc123XYZ789",
    ] {
        let _ = scan(text);
        let _ = redact(text);
    }
    let long = format!("key={}", "k".repeat(100_000));
    let _ = scan(&long);
    // A minified line with a keyword every few bytes: linear, not quadratic.
    let minified = "a.key=b,c.token=d,e.password=f,".repeat(20_000);
    assert!(scan(&minified).is_empty());
}

#[test]
fn every_kind_has_a_rule() {
    use crate::rules::{RuleEngineKind, RuleMeta, Severity};
    #[derive(serde::Deserialize)]
    struct File {
        rules: Vec<RuleMeta>,
    }
    let yaml = include_str!("../../../config/rules/security/secrets.yaml");
    let file: File = serde_saphyr::from_str(yaml).expect("rules file parses");
    let ids: Vec<&str> = file.rules.iter().map(|r| r.id.as_str()).collect();
    for kind in kinds() {
        let id = format!("secrets.{kind}");
        assert!(ids.contains(&id.as_str()), "no rule {id}");
    }
    for r in &file.rules {
        let kind = r.id.strip_prefix("secrets.").expect("secrets.* id");
        assert!(kinds().any(|k| k == kind), "rule {} has no detector", r.id);
        assert_eq!(r.engine, RuleEngineKind::Secrets, "{}", r.id);
        assert!(
            matches!(r.severity, Severity::Error | Severity::Warning),
            "{}",
            r.id
        );
        assert!(r.cwe.iter().any(|c| c == "CWE-798"), "{}", r.id);
        assert!(r.tags.iter().any(|t| t == "security") && r.tags.iter().any(|t| t == "secrets"));
        assert!(!r.explanation.is_empty() && r.docs.is_some(), "{}", r.id);
        assert!(r.message.contains("{{masked}}"), "{}", r.id);
    }
}

/// The annotated samples under `tests/rules/generic/` hold, for every secrets rule, at least one
/// `ruleid` and one `ok` line, and the engine fires on exactly the `ruleid` lines of the rules a
/// file annotates (the semantics of `codomyrmex rules test`).
#[test]
fn annotated_samples_match() {
    use std::collections::{BTreeMap, BTreeSet};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules/generic");
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/rules/generic exists")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    let mut positive: BTreeSet<String> = BTreeSet::new();
    let mut negative: BTreeSet<String> = BTreeSet::new();
    let mut failures = Vec::new();
    for path in entries.iter().filter(|p| {
        p.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("secrets"))
    }) {
        let text = std::fs::read_to_string(path).expect("sample readable");
        let lines: Vec<&str> = text.split('\n').collect();
        let mut want: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        let mut oks: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim_start();
            for (marker, map) in [("# ruleid: ", &mut want), ("# ok: ", &mut oks)] {
                if let Some(id) = t.strip_prefix(marker) {
                    map.entry(id.trim().to_string()).or_default().insert(i + 1);
                }
            }
        }
        positive.extend(want.keys().cloned());
        negative.extend(oks.keys().cloned());
        let mut fired: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for m in scan(&text) {
            let line = text[..m.range.start].matches('\n').count();
            fired.entry(m.rule_id).or_default().insert(line);
        }
        let empty = BTreeSet::new();
        for id in want.keys().chain(oks.keys()) {
            let got = fired.get(id).unwrap_or(&empty);
            let exp = want.get(id).unwrap_or(&empty);
            for l in exp.difference(got) {
                failures.push(format!(
                    "{}:{}: {id}: expected a finding",
                    path.display(),
                    l + 1
                ));
            }
            for l in got.difference(exp) {
                failures.push(format!(
                    "{}:{}: {id}: unexpected finding: {}",
                    path.display(),
                    l + 1,
                    lines[*l]
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    for kind in kinds() {
        let id = format!("secrets.{kind}");
        assert!(positive.contains(&id), "no `ruleid: {id}` sample");
        assert!(negative.contains(&id), "no `ok: {id}` sample");
    }
}

/// Scans every file under `$SECRETS_SCAN_DIR` and prints findings per kind, a sample of each and
/// the time taken: a false-alarm and speed check on ordinary code.
#[test]
#[ignore = "set SECRETS_SCAN_DIR; prints figures"]
fn scan_directory() {
    use std::collections::BTreeMap;
    let Ok(dir) = std::env::var("SECRETS_SCAN_DIR") else {
        return;
    };
    let mut stack = vec![std::path::PathBuf::from(dir)];
    let (mut files, mut bytes) = (0usize, 0usize);
    let mut per_kind: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let mut elapsed = std::time::Duration::ZERO;
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                stack.extend(rd.flatten().map(|e| e.path()));
            }
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        files += 1;
        bytes += text.len();
        let t0 = std::time::Instant::now();
        let found = scan(&text);
        elapsed += t0.elapsed();
        for m in found {
            let line = text[..m.range.start].matches('\n').count() + 1;
            let ls = text[..m.range.start].rfind('\n').map_or(0, |i| i + 1);
            let le = text[m.range.start..]
                .find('\n')
                .map_or(text.len(), |i| m.range.start + i);
            let shown: String = text[ls..le]
                .replace(&text[m.range.clone()], &m.masked)
                .chars()
                .take(140)
                .collect();
            per_kind.entry(m.kind).or_default().push(format!(
                "{}:{line}: {}",
                p.display(),
                shown.trim()
            ));
        }
    }
    eprintln!(
        "{files} files, {:.1} MB, scan time {:?}",
        bytes as f64 / 1e6,
        elapsed
    );
    for (k, v) in &per_kind {
        eprintln!("{k}: {}", v.len());
        for s in v.iter().take(60) {
            eprintln!("    {s}");
        }
    }
}

mod props {
    use super::super::{redact, scan};
    use proptest::prelude::*;

    /// Lines built from secret-ish names, operators, quotes and random values.
    fn config_line() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec![
            "api_key",
            "password",
            "DB_PASSWORD",
            "token",
            "client_secret",
            "key",
            "auth",
            "url",
            "\"secret\"",
            "--token",
            "name",
        ]);
        let op = prop::sample::select(vec![" = ", "=", ": ", " := ", " => ", " "]);
        let quote = prop::sample::select(vec!["", "\"", "'"]);
        let value = prop_oneof![
            "[A-Za-z0-9]{4,48}",
            "[A-Za-z0-9+/=_.-]{8,40}",
            "ghp_[A-Za-z0-9]{36}",
            "https://[a-z]{3,8}:[A-Za-z0-9!]{6,16}@[a-z]{3,8}\\.example",
            ".{0,20}",
        ];
        (name, op, quote, value).prop_map(|(n, o, q, v)| format!("{n}{o}{q}{v}{q}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
            for m in scan(&text) {
                prop_assert!(text.is_char_boundary(m.range.start) && text.is_char_boundary(m.range.end));
                prop_assert!(!m.masked.contains(&text[m.range.clone()]) || m.range.len() < 3);
            }
            let _ = redact(&text);
        }

        #[test]
        fn redaction_removes_every_scanned_value(lines in prop::collection::vec(config_line(), 1..8)) {
            let text = lines.join("\n");
            let found = scan(&text);
            let red = redact(&text);
            for m in &found {
                let v = &text[m.range.clone()];
                // Short values may occur by chance inside other words or the placeholders.
                if v.len() >= 8 {
                    prop_assert!(!red.text.contains(v), "{v:?} in {:?}", red.text);
                }
            }
            prop_assert_eq!(red.count >= found.len(), true);
        }
    }
}
