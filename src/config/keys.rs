//! The optional encrypted API key file, `security/api_keys.yaml` in the user config dir.
//!
//! Only the user config dir is read: a workspace `.codomyrmex/security/api_keys.yaml` is ignored
//! with a warning. The passphrase comes from `CODOMYRMEX_KEY_PASSPHRASE`.
//!
//! # Format (version 1)
//!
//! ```yaml
//! format: codomyrmex-api-keys-v1
//! kdf: scrypt
//! kdf_params: { log_n: 15, r: 8, p: 1 }
//! salt: "<hex, 16 bytes>"
//! nonce: "<hex, 12 bytes>"
//! ciphertext: "<hex>"
//! ```
//!
//! * key = scrypt(passphrase as UTF-8, salt, N = 2^log_n, r, p, 32 bytes)
//! * plaintext = a JSON object mapping provider entry names to keys: `{"openai": "sk-..."}`
//! * ciphertext = ChaCha20-Poly1305(key, nonce, plaintext, AAD = `codomyrmex-api-keys-v1`),
//!   tag appended (the usual AEAD output)
//!
//! [`encrypt_key_file`] writes one; `config/security/api_keys.example.yaml` shows how to make one
//! with nothing but Python (`hashlib.scrypt` and the `cryptography` package).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use secrecy::zeroize::Zeroize;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

/// The format tag, also the AEAD associated data.
pub const FORMAT: &str = "codomyrmex-api-keys-v1";
/// Environment variable holding the passphrase.
pub const PASSPHRASE_ENV: &str = "CODOMYRMEX_KEY_PASSPHRASE";
/// Path of the key file inside a config dir.
pub const KEY_FILE_REL: &str = "security/api_keys.yaml";

/// scrypt cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfParams {
    pub log_n: u8,
    pub r: u32,
    pub p: u32,
}

impl Default for KdfParams {
    /// N = 2^15, r = 8, p = 1: 32 MiB, the scrypt paper's interactive setting.
    fn default() -> Self {
        KdfParams {
            log_n: 15,
            r: 8,
            p: 1,
        }
    }
}

/// Why a key file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    #[error("not a codomyrmex key file: {0}")]
    Format(String),
    #[error("unsupported key derivation `{0}` (expected `scrypt`)")]
    UnsupportedKdf(String),
    #[error("scrypt parameters out of range (log_n 10..=22, r 1..=32, p 1..=16)")]
    BadParams,
    #[error("wrong passphrase or damaged key file (authentication failed)")]
    Decrypt,
    #[error("{PASSPHRASE_ENV} is not set; it is needed to open the encrypted key file")]
    NoPassphrase,
    #[error("could not encrypt the key file")]
    Encrypt,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyFile {
    format: String,
    kdf: String,
    kdf_params: KdfParams,
    salt: String,
    nonce: String,
    ciphertext: String,
}

/// `<user config dir>/security/api_keys.yaml`.
pub fn key_file_path() -> Option<PathBuf> {
    super::paths::user_config_dir().map(|dir| dir.join(KEY_FILE_REL))
}

/// The passphrase from the environment, if set and non-empty.
pub fn passphrase_from_env() -> Option<SecretString> {
    std::env::var(PASSPHRASE_ENV)
        .ok()
        .filter(|p| !p.is_empty())
        .map(SecretString::from)
}

fn derive_key(
    passphrase: &SecretString,
    salt: &[u8],
    params: KdfParams,
) -> Result<[u8; 32], KeyFileError> {
    if !(10..=22).contains(&params.log_n)
        || !(1..=32).contains(&params.r)
        || !(1..=16).contains(&params.p)
    {
        return Err(KeyFileError::BadParams);
    }
    let scrypt_params = scrypt::Params::new(params.log_n, params.r, params.p, 32)
        .map_err(|_| KeyFileError::BadParams)?;
    let mut key = [0u8; 32];
    scrypt::scrypt(
        passphrase.expose_secret().as_bytes(),
        salt,
        &scrypt_params,
        &mut key,
    )
    .map_err(|_| KeyFileError::BadParams)?;
    Ok(key)
}

/// Encrypts `keys` (provider entry name → key) into the YAML text of a key file.
pub fn encrypt_key_file(
    keys: &BTreeMap<String, SecretString>,
    passphrase: &SecretString,
    params: KdfParams,
) -> Result<String, KeyFileError> {
    let mut salt = [0u8; 16];
    let mut nonce = [0u8; 12];
    rand::fill(&mut salt);
    rand::fill(&mut nonce);
    let mut key = derive_key(passphrase, &salt, params)?;
    let plain_map: BTreeMap<&str, &str> = keys
        .iter()
        .map(|(k, v)| (k.as_str(), v.expose_secret()))
        .collect();
    let mut plaintext = serde_json::to_vec(&plain_map).map_err(|_| KeyFileError::Encrypt)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
    let sealed = cipher.encrypt(
        Nonce::from_slice(&nonce),
        Payload {
            msg: &plaintext,
            aad: FORMAT.as_bytes(),
        },
    );
    plaintext.zeroize();
    key.zeroize();
    let ciphertext = sealed.map_err(|_| KeyFileError::Encrypt)?;
    Ok(format!(
        "# codomyrmex encrypted API keys (format: see config/security/api_keys.example.yaml)\n\
         format: {FORMAT}\n\
         kdf: scrypt\n\
         kdf_params: {{ log_n: {}, r: {}, p: {} }}\n\
         salt: \"{}\"\n\
         nonce: \"{}\"\n\
         ciphertext: \"{}\"\n",
        params.log_n,
        params.r,
        params.p,
        hex::encode(salt),
        hex::encode(nonce),
        hex::encode(ciphertext),
    ))
}

/// Decrypts the YAML text of a key file.
pub fn decrypt_key_file(
    text: &str,
    passphrase: &SecretString,
) -> Result<BTreeMap<String, SecretString>, KeyFileError> {
    let file: KeyFile = serde_saphyr::from_str(text)
        .map_err(|e| KeyFileError::Format(e.without_snippet().to_string()))?;
    if file.format != FORMAT {
        return Err(KeyFileError::Format(format!(
            "`format` is `{}`, expected `{FORMAT}`",
            file.format
        )));
    }
    if file.kdf != "scrypt" {
        return Err(KeyFileError::UnsupportedKdf(file.kdf));
    }
    let salt = hex::decode(file.salt.trim())
        .map_err(|_| KeyFileError::Format("`salt` is not hex".into()))?;
    let nonce = hex::decode(file.nonce.trim())
        .map_err(|_| KeyFileError::Format("`nonce` is not hex".into()))?;
    if nonce.len() != 12 || salt.len() < 8 {
        return Err(KeyFileError::Format(
            "`nonce` must be 12 bytes and `salt` at least 8".into(),
        ));
    }
    let ciphertext = hex::decode(file.ciphertext.trim())
        .map_err(|_| KeyFileError::Format("`ciphertext` is not hex".into()))?;
    let mut key = derive_key(passphrase, &salt, file.kdf_params)?;
    let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
    let opened = cipher.decrypt(
        Nonce::from_slice(&nonce),
        Payload {
            msg: &ciphertext,
            aad: FORMAT.as_bytes(),
        },
    );
    key.zeroize();
    let mut plaintext = opened.map_err(|_| KeyFileError::Decrypt)?;
    let parsed: Result<BTreeMap<String, String>, _> = serde_json::from_slice(&plaintext);
    plaintext.zeroize();
    let map = parsed.map_err(|_| {
        KeyFileError::Format("decrypted content is not a JSON object of strings".into())
    })?;
    Ok(map
        .into_iter()
        .map(|(k, v)| (k, SecretString::from(v)))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn small() -> KdfParams {
        KdfParams {
            log_n: 10,
            r: 8,
            p: 1,
        }
    }

    #[test]
    fn round_trip_and_wrong_passphrase() {
        let mut keys = BTreeMap::new();
        keys.insert(
            "openai".to_string(),
            SecretString::from("sk-test-0123456789"),
        );
        let pass = SecretString::from("correct horse");
        let text = encrypt_key_file(&keys, &pass, small()).expect("encrypt");
        assert!(!text.contains("sk-test"), "plaintext key in file: {text}");
        let back = decrypt_key_file(&text, &pass).expect("decrypt");
        assert_eq!(
            back.get("openai").map(|s| s.expose_secret().to_string()),
            Some("sk-test-0123456789".to_string())
        );
        let wrong = decrypt_key_file(&text, &SecretString::from("battery staple"));
        assert!(matches!(wrong, Err(KeyFileError::Decrypt)));
    }

    #[test]
    fn tampered_ciphertext_is_rejected() {
        let mut keys = BTreeMap::new();
        keys.insert("anthropic".to_string(), SecretString::from("sk-ant-xyz"));
        let pass = SecretString::from("p");
        let text = encrypt_key_file(&keys, &pass, small()).expect("encrypt");
        let line = text
            .lines()
            .find(|l| l.starts_with("ciphertext"))
            .expect("line");
        let flipped = if line.ends_with("0\"") {
            line.replacen("0\"", "1\"", 1)
        } else {
            format!("{}0\"", &line[..line.len() - 2])
        };
        let tampered = text.replace(line, &flipped);
        assert!(matches!(
            decrypt_key_file(&tampered, &pass),
            Err(KeyFileError::Decrypt)
        ));
    }

    #[test]
    fn rejects_absurd_params() {
        let text = "format: codomyrmex-api-keys-v1\nkdf: scrypt\nkdf_params: { log_n: 40, r: 8, p: 1 }\nsalt: \"00112233445566778899aabbccddeeff\"\nnonce: \"000000000000000000000000\"\nciphertext: \"00\"\n";
        assert!(matches!(
            decrypt_key_file(text, &SecretString::from("p")),
            Err(KeyFileError::BadParams)
        ));
    }
}
