use std::process::Command;

fn commands(user: &str) {
    // ruleid: rust.command-injection
    let out = Command::new("sh").arg("-c").arg(user).output();
    // ruleid: rust.command-injection
    let out = Command::new("bash").args(["-c", user]).output();
    let mut cmd = Command::new("sh");
    // ruleid: rust.command-injection
    cmd.arg("-c").arg(format!("tar czf {}.tgz .", user));
    // ruleid: rust.command-injection
    let out = Command::new(format!("/opt/tools/{}", user)).output();
    // ok: rust.command-injection
    let out = Command::new("sh").arg("-c").arg("ls -la").output();
    // ok: rust.command-injection
    let out = Command::new("tar").arg("czf").arg(user).output();
}

async fn queries(pool: &PgPool, name: &str, conn: &Connection) {
    // ruleid: rust.sql-injection
    let rows = sqlx::query(&format!("SELECT * FROM users WHERE name = '{}'", name)).fetch_all(pool).await;
    // ruleid: rust.sql-injection
    conn.execute(&format!("DELETE FROM users WHERE name = '{name}'"), []);
    // ok: rust.sql-injection
    let rows = sqlx::query("SELECT * FROM users WHERE name = $1").bind(name).fetch_all(pool).await;
    // ok: rust.sql-injection
    let msg = format!("user {} logged in", name);
    let q = format!("SELECT id FROM users WHERE email = '{}'", name);
    // ruleid: rust.sql-injection
    let row = conn.query_row(&q, [], |r| r.get(0));
    let q2 = String::from("SELECT id FROM users");
    // ok: rust.sql-injection
    let rows = sqlx::query(&q2).fetch_all(pool).await;
}

fn hashes(data: &[u8]) {
    // ruleid: rust.weak-hash
    let mut hasher = Md5::new();
    // ruleid: rust.weak-hash
    let digest = md5::compute(data);
    // ruleid: rust.weak-hash
    let mut s = sha1::Sha1::new();
    // ok: rust.weak-hash
    let mut good = Sha256::new();
    // ruleid: rust.weak-cipher
    let c = Des::new_from_slice(key);
    // ok: rust.weak-cipher
    let c = Aes256Gcm::new_from_slice(key);
    // ruleid: rust.weak-cipher
    let c = openssl::symm::Cipher::aes_128_ecb();
    // ok: rust.weak-cipher
    let c = openssl::symm::Cipher::aes_256_gcm();
}

fn tls() {
    // ruleid: rust.tls-accept-invalid-certs
    let client = reqwest::Client::builder().danger_accept_invalid_certs(true).build();
    // ok: rust.tls-accept-invalid-certs
    let client = reqwest::Client::builder().danger_accept_invalid_certs(false).build();
    // ruleid: rust.tls-verify-none
    builder.set_verify(SslVerifyMode::NONE);
    // ok: rust.tls-verify-none
    builder.set_verify(SslVerifyMode::PEER);
    // ruleid: rust.tls-custom-verifier
    config.dangerous().set_certificate_verifier(verifier);
    // ok: rust.tls-custom-verifier
    config.set_certificate_verifier(verifier);
}

fn servers() {
    // ruleid: rust.bind-all-interfaces
    let listener = TcpListener::bind("0.0.0.0:8080");
    // ok: rust.bind-all-interfaces
    let listener = TcpListener::bind("127.0.0.1:8080");
    let mut validation = Validation::new(Algorithm::HS256);
    // ruleid: rust.jwt-signature-validation-disabled
    validation.insecure_disable_signature_validation();
    // ok: rust.jwt-signature-validation-disabled
    validation.validate_exp = true;
}
