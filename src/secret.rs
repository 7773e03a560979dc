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

/// Reads a secret from `env:NAME`, `@path`, `b64:…`, `-` (stdin) or takes `spec` literally.
/// Trailing newlines from files and stdin are dropped, since `echo secret > file` adds one.
pub fn resolve(
    spec: &str,
    env: &dyn Fn(&str) -> Option<String>,
    stdin: &mut dyn Read,
) -> Result<(Secret, SecretOrigin), String> {
    if let Some(name) = spec.strip_prefix("env:") {
        let value =
            env(name).ok_or_else(|| format!("the environment variable {name} is not set"))?;
        return Ok((Secret::new(value), SecretOrigin::Env(name.to_string())));
    }
    if let Some(path) = spec.strip_prefix('@') {
        let bytes = std::fs::read(path)
            .map_err(|e| format!("cannot read the secret file {path}: {}", io_reason(&e)))?;
        return Ok((
            Secret::new(trim_newline(bytes)),
            SecretOrigin::File(path.to_string()),
        ));
    }
    if let Some(encoded) = spec.strip_prefix("b64:") {
        let bytes = decode_base64_any(encoded.trim())
            .ok_or_else(|| "the b64: secret is not valid base64".to_string())?;
        return Ok((Secret::new(bytes), SecretOrigin::Base64));
    }
    if spec == "-" {
        let mut bytes = Vec::new();
        stdin
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read the secret from standard input: {e}"))?;
        return Ok((Secret::new(trim_newline(bytes)), SecretOrigin::Stdin));
    }
    Ok((Secret::new(spec.as_bytes()), SecretOrigin::Literal))
}

/// The secret sources of the process: its environment and its standard input.
pub fn resolve_from_process(spec: &str) -> Result<(Secret, SecretOrigin), String> {
    resolve(
        spec,
        &|name| std::env::var(name).ok(),
        &mut std::io::stdin(),
    )
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

    fn resolve_plain(spec: &str) -> Result<(Secret, SecretOrigin), String> {
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
        assert_eq!(error, "the environment variable TB_MISSING is not set");
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
            error,
            "cannot read the secret file /no/such/file: no such file"
        );
    }

    #[test]
    fn base64_secret_in_either_alphabet() {
        assert_eq!(resolve_plain("b64:aGk_").unwrap().0.expose(), b"hi?");
        assert_eq!(resolve_plain("b64:aGk/").unwrap().0.expose(), b"hi?");
        assert_eq!(resolve_plain("b64:aGk=").unwrap().0.expose(), b"hi");
        let error = resolve_plain("b64:not base64!").unwrap_err();
        assert_eq!(error, "the b64: secret is not valid base64");
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
        assert!(!error.contains("super-secret-value"));
    }
}
