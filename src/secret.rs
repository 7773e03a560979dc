//! Secrets and where they come from.
//!
//! A [`Secret`] never prints its bytes (`Debug` and `Display` are redacted), is zeroed when
//! dropped, and no error message built here ever contains it.

use std::fmt;
use std::io::Read;

use base64::Engine as _;
use zeroize::Zeroizing;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Secret(Zeroizing::new(bytes.into()))
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The secret as text, for the workbench's reveal toggle and editing.
    pub fn expose_text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// How a secret was given, which decides the findings it brings (a literal on the command
/// line is visible in `ps` and shell history).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SecretOrigin {
    Literal,
    Env(String),
    File(String),
    Base64,
    Stdin,
}

/// The accepted forms, for error messages.
pub const SECRET_FORMS: &str =
    "env:NAME, @path, b64:BASE64, - (standard input) or the secret itself";

/// The most a secret file or standard input may hold: the largest keys (an RSA-4096 PEM, a
/// JWKS of a few keys) are a few KiB, so anything past this is not a secret, and is not read on.
pub const MAX_SECRET_BYTES: usize = 64 * 1024;

/// Why a secret could not be read; one sentence for the user, never the secret itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("the environment variable {0} is not set")]
    EnvNotSet(String),
    #[error("cannot read the secret file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("the b64: secret is not valid base64")]
    Base64,
    #[error("cannot read the secret from standard input: {0}")]
    Stdin(String),
    #[error("the secret {from} holds more than {limit} KiB, more than any secret or key: check it is the right one", limit = MAX_SECRET_BYTES / 1024)]
    TooLarge { from: String },
}

/// Reads a secret from `env:NAME`, `@path`, `b64:…`, `-` (stdin) or takes `spec` literally.
/// Trailing newlines from files and stdin are dropped, since `echo secret > file` adds one.
pub fn resolve(
    spec: &str,
    env: &dyn Fn(&str) -> Option<String>,
    stdin: &mut dyn Read,
) -> Result<(Secret, SecretOrigin), SecretError> {
    if let Some(name) = spec.strip_prefix("env:") {
        let value = env(name).ok_or_else(|| SecretError::EnvNotSet(name.to_string()))?;
        return Ok((Secret::new(value), SecretOrigin::Env(name.to_string())));
    }
    if let Some(path) = spec.strip_prefix('@') {
        let bytes = read_file(path)?;
        return Ok((
            Secret::new(trim_newline(bytes)),
            SecretOrigin::File(path.to_string()),
        ));
    }
    if let Some(encoded) = spec.strip_prefix("b64:") {
        let bytes = decode_base64_any(encoded.trim()).ok_or(SecretError::Base64)?;
        return Ok((Secret::new(bytes), SecretOrigin::Base64));
    }
    if spec == "-" {
        let bytes = read_bounded(stdin, "from standard input")
            .map_err(|e| e.unwrap_or_else(|e| SecretError::Stdin(e.to_string())))?;
        return Ok((Secret::new(trim_newline(bytes)), SecretOrigin::Stdin));
    }
    Ok((Secret::new(spec.as_bytes()), SecretOrigin::Literal))
}

/// The secret sources of the process: its environment and its standard input.
pub fn resolve_from_process(spec: &str) -> Result<(Secret, SecretOrigin), SecretError> {
    resolve(
        spec,
        &|name| std::env::var(name).ok(),
        &mut std::io::stdin(),
    )
}

/// A secret or key file, at most [`MAX_SECRET_BYTES`] (`/dev/zero` is refused, not read on).
pub fn read_file(path: &str) -> Result<Vec<u8>, SecretError> {
    let file_error = |e: &std::io::Error| SecretError::File {
        path: path.to_string(),
        reason: io_reason(e),
    };
    let mut file = std::fs::File::open(path).map_err(|e| file_error(&e))?;
    read_bounded(&mut file, &format!("file {path}"))
        .map_err(|e| e.unwrap_or_else(|e| file_error(&e)))
}

/// Everything `reader` holds, up to [`MAX_SECRET_BYTES`]; past that, `TooLarge` for `from`.
fn read_bounded(
    reader: &mut dyn Read,
    from: &str,
) -> Result<Vec<u8>, Result<SecretError, std::io::Error>> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_SECRET_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(Err)?;
    if bytes.len() > MAX_SECRET_BYTES {
        bytes.fill(0);
        return Err(Ok(SecretError::TooLarge {
            from: from.to_string(),
        }));
    }
    Ok(bytes)
}

fn io_reason(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}

fn trim_newline(mut bytes: Vec<u8>) -> Vec<u8> {
    while matches!(bytes.last(), Some(b'\n' | b'\r')) {
        bytes.pop();
    }
    bytes
}

/// Standard or URL-safe alphabet, padded or not.
pub fn decode_base64_any(text: &str) -> Option<Vec<u8>> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let unpadded = text.trim_end_matches('=');
    URL_SAFE_NO_PAD
        .decode(unpadded)
        .or_else(|_| STANDARD_NO_PAD.decode(unpadded))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn resolve_plain(spec: &str) -> Result<(Secret, SecretOrigin), SecretError> {
        resolve(spec, &no_env, &mut std::io::empty())
    }

    #[test]
    fn debug_and_display_are_redacted() {
        let secret = Secret::new("hunter2-hunter2");
        assert_eq!(format!("{secret:?}"), "Secret(<redacted>)");
        assert_eq!(format!("{secret}"), "<redacted>");
        assert!(!format!("{:?}", (secret.clone(), 1)).contains("hunter2"));
    }

    #[test]
    fn literal_secret() {
        let (secret, origin) = resolve_plain("s3cret").unwrap();
        assert_eq!(secret.expose(), b"s3cret");
        assert_eq!(origin, SecretOrigin::Literal);
    }

    #[test]
    fn env_secret_and_missing_variable() {
        let env = |name: &str| (name == "TB_SECRET").then(|| "from-env".to_string());
        let (secret, origin) = resolve("env:TB_SECRET", &env, &mut std::io::empty()).unwrap();
        assert_eq!(secret.expose(), b"from-env");
        assert_eq!(origin, SecretOrigin::Env("TB_SECRET".into()));
        let error = resolve("env:TB_MISSING", &env, &mut std::io::empty()).unwrap_err();
        assert_eq!(
            error.to_string(),
            "the environment variable TB_MISSING is not set"
        );
    }

    #[test]
    fn file_secret_drops_the_trailing_newline() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.txt");
        std::fs::write(&path, "file-secret\n").unwrap();
        let (secret, _) = resolve_plain(&format!("@{}", path.display())).unwrap();
        assert_eq!(secret.expose(), b"file-secret");
        let error = resolve_plain("@/no/such/file").unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot read the secret file /no/such/file: no such file"
        );
    }

    #[test]
    fn base64_secret_in_either_alphabet() {
        assert_eq!(resolve_plain("b64:aGk_").unwrap().0.expose(), b"hi?");
        assert_eq!(resolve_plain("b64:aGk/").unwrap().0.expose(), b"hi?");
        assert_eq!(resolve_plain("b64:aGk=").unwrap().0.expose(), b"hi");
        let error = resolve_plain("b64:not base64!").unwrap_err();
        assert_eq!(error.to_string(), "the b64: secret is not valid base64");
    }

    #[test]
    fn stdin_secret() {
        let mut input = std::io::Cursor::new(b"piped\r\n".to_vec());
        let (secret, origin) = resolve("-", &no_env, &mut input).unwrap();
        assert_eq!(secret.expose(), b"piped");
        assert_eq!(origin, SecretOrigin::Stdin);
    }

    #[test]
    fn errors_never_contain_the_secret() {
        let error = resolve_plain("b64:super-secret-value!").unwrap_err();
        assert!(!error.to_string().contains("super-secret-value"));
    }

    #[test]
    fn files_and_stdin_past_the_limit_are_refused_without_reading_on() {
        let error = resolve_plain("@/dev/zero").unwrap_err();
        assert_eq!(
            error,
            SecretError::TooLarge {
                from: "file /dev/zero".into()
            }
        );
        let mut endless = std::io::repeat(b'x');
        let error = resolve("-", &no_env, &mut endless).unwrap_err();
        assert!(error.to_string().contains("64 KiB"), "{error}");
        let mut just_fits = std::io::Cursor::new(vec![b'k'; MAX_SECRET_BYTES]);
        assert_eq!(
            resolve("-", &no_env, &mut just_fits).unwrap().0.len(),
            MAX_SECRET_BYTES
        );
    }
}
