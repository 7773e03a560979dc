//! Compact JWS: encode, tolerant decode, verify. No platform knowledge here.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};
use serde_json::{Map, Value};
use sha2::{Sha256, Sha384, Sha512};

use super::claims::{ClaimSink, ClaimValue};
use crate::secret::{Secret, decode_base64_any};

/// A decoded compact JWS. Decoding never checks the signature or the times: a debugger shows
/// what it can, and the rules say what is wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct Jwt {
    pub header: Value,
    pub claims: Value,
    /// The token as read, without surrounding space or a `Bearer ` prefix.
    compact: String,
    /// Where the signature part starts (after the second dot).
    signature_start: usize,
}

impl Jwt {
    pub fn compact(&self) -> &str {
        &self.compact
    }

    /// `base64url(header) + "." + base64url(claims)`, the bytes that are signed.
    pub fn signing_input(&self) -> &[u8] {
        &self.compact.as_bytes()[..self.signature_start - 1]
    }

    pub fn signature_part(&self) -> &str {
        &self.compact[self.signature_start..]
    }

    /// The `alg` header as written, if it is a string.
    pub fn alg_name(&self) -> Option<&str> {
        self.header.get("alg").and_then(Value::as_str)
    }

    pub fn algorithm(&self) -> Option<Algorithm> {
        self.alg_name().and_then(|name| name.parse().ok())
    }

    pub fn claim(&self, name: &str) -> Option<&Value> {
        self.claims.get(name)
    }

    /// Checks the signature with `key`. A key of the wrong kind for the token's `alg`, an
    /// `alg` of `none` or an unknown one, or a garbled signature all count as invalid.
    pub fn verify(&self, key: &VerifyKey) -> bool {
        let Some(algorithm) = self.algorithm() else {
            return false;
        };
        let Some(signature) = decode_base64_any(self.signature_part()) else {
            return false;
        };
        match (key, algorithm) {
            (VerifyKey::Secret(secret), Algorithm::HS256) => {
                verify_hmac::<Hmac<Sha256>>(secret, self.signing_input(), &signature)
            }
            (VerifyKey::Secret(secret), Algorithm::HS384) => {
                verify_hmac::<Hmac<Sha384>>(secret, self.signing_input(), &signature)
            }
            (VerifyKey::Secret(secret), Algorithm::HS512) => {
                verify_hmac::<Hmac<Sha512>>(secret, self.signing_input(), &signature)
            }
            (VerifyKey::Secret(_), _) => false,
            (VerifyKey::Public(decoding_key), algorithm) => jsonwebtoken::crypto::verify(
                self.signature_part(),
                self.signing_input(),
                decoding_key,
                algorithm,
            )
            .unwrap_or(false),
        }
    }
}

fn verify_hmac<M: Mac + hmac::digest::KeyInit>(
    secret: &Secret,
    input: &[u8],
    signature: &[u8],
) -> bool {
    let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(secret.expose()) else {
        return false;
    };
    mac.update(input);
    mac.verify_slice(signature).is_ok()
}

/// What a signature is checked with.
pub enum VerifyKey {
    /// HMAC secret (HS256/384/512).
    Secret(Secret),
    /// A public key (RS/PS/ES/EdDSA), possibly derived from a private key.
    Public(DecodingKey),
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyKey::Secret(_) => f.write_str("VerifyKey::Secret(<redacted>)"),
            VerifyKey::Public(_) => f.write_str("VerifyKey::Public"),
        }
    }
}

impl VerifyKey {
    /// A key for an RS256 token from PEM text: a public key, or a private key whose public
    /// half is derived (so the key that minted a token also verifies it).
    pub fn rsa_from_pem(pem: &[u8]) -> Result<VerifyKey, String> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        use rsa::traits::PublicKeyParts;
        let text =
            std::str::from_utf8(pem).map_err(|_| "the RSA key is not PEM text".to_string())?;
        if text.contains("PUBLIC KEY") {
            return DecodingKey::from_rsa_pem(pem)
                .map(VerifyKey::Public)
                .map_err(|_| "the RSA public key PEM could not be read".to_string());
        }
        let private = rsa::RsaPrivateKey::from_pkcs8_pem(text)
            .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(text))
            .map_err(|_| {
                "the RSA key could not be read: expected a PEM private key (PKCS#8 or PKCS#1) or public key"
                    .to_string()
            })?;
        Ok(VerifyKey::Public(DecodingKey::from_rsa_raw_components(
            &private.n().to_bytes_be(),
            &private.e().to_bytes_be(),
        )))
    }
}

/// What a token is signed with. Built once per key so that minting many tokens reuses the
/// prepared HMAC state.
#[derive(Clone)]
pub enum Signer {
    Hs256(Hmac<Sha256>),
    Rs256(EncodingKey),
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Signer::Hs256(_) => "Signer::Hs256(<redacted>)",
            Signer::Rs256(_) => "Signer::Rs256(<redacted>)",
        })
    }
}

impl Signer {
    pub fn hs256(secret: &Secret) -> Signer {
        // HMAC accepts keys of any length, so this cannot fail.
        Signer::Hs256(
            <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret.expose())
                .expect("HMAC takes keys of any length"),
        )
    }

    pub fn rs256_from_pem(pem: &[u8]) -> Result<Signer, String> {
        EncodingKey::from_rsa_pem(pem)
            .map(Signer::Rs256)
            .map_err(|_| {
                "the private key could not be read: expected an RSA private key in PEM form"
                    .to_string()
            })
    }

    pub fn algorithm(&self) -> Algorithm {
        match self {
            Signer::Hs256(_) => Algorithm::HS256,
            Signer::Rs256(_) => Algorithm::RS256,
        }
    }

    /// Signs everything in `out` so far (the signing input) and appends `.signature`.
    pub fn sign_into(&self, out: &mut String) -> Result<(), String> {
        match self {
            Signer::Hs256(prepared) => {
                let mut mac = prepared.clone();
                mac.update(out.as_bytes());
                let tag = mac.finalize().into_bytes();
                out.push('.');
                URL_SAFE_NO_PAD.encode_string(tag, out);
            }
            Signer::Rs256(key) => {
                let signature = jsonwebtoken::crypto::sign(out.as_bytes(), key, Algorithm::RS256)
                    .map_err(|e| format!("RS256 signing failed: {e}"))?;
                out.push('.');
                out.push_str(&signature);
            }
        }
        Ok(())
    }
}

/// Encodes and signs: `base64url(header).base64url(claims).signature`.
pub fn encode(
    header: &Value,
    claims: &Map<String, Value>,
    signer: &Signer,
) -> Result<String, String> {
    Encoder::new(header)
        .encode(signer, |sink| {
            for (name, value) in claims {
                sink.put(name, ClaimValue::Json(value));
            }
            Ok(())
        })
        .map(str::to_string)
}

/// Encodes JWTs with one header, reusing its buffers from token to token: the header's base64
/// is computed once, the claims are serialised straight into a buffer (no claim map) and
/// base64-encoded into the token, which is then signed in place.
pub struct Encoder {
    header_b64: String,
    claims_json: Vec<u8>,
    token: String,
}

impl Encoder {
    pub fn new(header: &Value) -> Encoder {
        let header_json = serde_json::to_vec(header).expect("JSON values always serialise");
        Encoder {
            header_b64: URL_SAFE_NO_PAD.encode(header_json),
            claims_json: Vec::with_capacity(512),
            token: String::with_capacity(1024),
        }
    }

    /// The header tokenbench mints with: `{"alg":…,"typ":"JWT"}`, as the vendors' SDKs write it.
    pub fn for_signer(signer: &Signer) -> Encoder {
        let alg = match signer.algorithm() {
            Algorithm::RS256 => "RS256",
            _ => "HS256",
        };
        Encoder::new(&serde_json::json!({"alg": alg, "typ": "JWT"}))
    }

    /// Encodes the claims `write` puts, in order, and signs. The token lives until the next call.
    pub fn encode(
        &mut self,
        signer: &Signer,
        write: impl FnOnce(&mut dyn ClaimSink) -> Result<(), String>,
    ) -> Result<&str, String> {
        self.claims_json.clear();
        write(&mut JsonObject(&mut self.claims_json))?;
        JsonObject(&mut self.claims_json).close();
        self.token.clear();
        self.token.push_str(&self.header_b64);
        self.token.push('.');
        URL_SAFE_NO_PAD.encode_string(&self.claims_json, &mut self.token);
        signer.sign_into(&mut self.token)?;
        Ok(&self.token)
    }
}

/// A JSON object written member by member into a buffer, exactly as serde_json writes a map.
struct JsonObject<'a>(&'a mut Vec<u8>);

impl JsonObject<'_> {
    fn close(self) {
        if self.0.is_empty() {
            self.0.push(b'{');
        }
        self.0.push(b'}');
    }

    fn write<T: serde::Serialize + ?Sized>(&mut self, value: &T) {
        serde_json::to_writer(&mut *self.0, value).expect("JSON values always serialise");
    }
}

impl ClaimSink for JsonObject<'_> {
    fn put(&mut self, name: &str, value: ClaimValue<'_>) {
        self.0.push(if self.0.is_empty() { b'{' } else { b',' });
        self.write(name);
        self.0.push(b':');
        match value {
            ClaimValue::Str(text) => self.write(text),
            ClaimValue::Int(number) => self.write(&number),
            ClaimValue::Json(json) => self.write(json),
        }
    }
}

/// Why a text is not a JWT, as the end of the sentence "this is not a token: …".
pub fn decode(text: &str) -> Result<Jwt, String> {
    let compact = strip_bearer(text.trim());
    let parts: Vec<&str> = compact.split('.').collect();
    match parts.len() {
        3 => {}
        5 => {
            return Err(
                "it looks like an encrypted JWT (JWE), and tokenbench reads signed JWTs only"
                    .into(),
            );
        }
        n => {
            return Err(format!(
                "a JWT has three base64url parts separated by dots, and this has {n}"
            ));
        }
    }
    let header = decode_json_part(parts[0]).ok_or("its header is not base64url-encoded JSON")?;
    if !header.is_object() {
        return Err("its header is not a JSON object".into());
    }
    let claims = decode_json_part(parts[1]).ok_or("its claims are not base64url-encoded JSON")?;
    Ok(Jwt {
        header,
        claims,
        signature_start: parts[0].len() + parts[1].len() + 2,
        compact: compact.to_string(),
    })
}

fn strip_bearer(text: &str) -> &str {
    match text.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("bearer ") => text[7..].trim_start(),
        _ => text,
    }
}

fn decode_json_part(part: &str) -> Option<Value> {
    serde_json::from_slice(&decode_base64_any(part)?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims() -> Map<String, Value> {
        json!({"sub": "demo", "iat": 1_795_341_600, "exp": 1_795_348_800})
            .as_object()
            .unwrap()
            .clone()
    }

    fn header() -> Value {
        json!({"alg": "HS256", "typ": "JWT"})
    }

    #[test]
    fn hs256_round_trip_and_tamper() {
        let secret = Secret::new("a-demo-secret-that-is-long-enough!!");
        let token = encode(&header(), &claims(), &Signer::hs256(&secret)).unwrap();
        let jwt = decode(&token).unwrap();
        assert_eq!(jwt.claims, Value::Object(claims()));
        assert!(jwt.verify(&VerifyKey::Secret(secret.clone())));
        assert!(!jwt.verify(&VerifyKey::Secret(Secret::new("other"))));
        let mut tampered = token.clone();
        tampered.insert(tampered.len() - 3, 'A');
        tampered.remove(tampered.len() - 3);
        if tampered != token {
            assert!(
                !decode(&tampered)
                    .unwrap()
                    .verify(&VerifyKey::Secret(secret))
            );
        }
    }

    #[test]
    fn agrees_with_jsonwebtoken_encode() {
        let secret = Secret::new("another-demo-secret-for-the-test!!");
        let ours = encode(
            &json!({"typ": "JWT", "alg": "HS256"}),
            &claims(),
            &Signer::hs256(&secret),
        )
        .unwrap();
        let theirs = jsonwebtoken::encode(
            &jsonwebtoken::Header::new(Algorithm::HS256),
            &claims(),
            &EncodingKey::from_secret(secret.expose()),
        )
        .unwrap();
        assert_eq!(ours, theirs);
    }

    #[test]
    fn rs256_round_trip_with_the_private_key_deriving_the_public_one() {
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/assets/demo/vonage-private-key.pem"
        ))
        .unwrap();
        let signer = Signer::rs256_from_pem(&pem).unwrap();
        let token = encode(&json!({"typ": "JWT", "alg": "RS256"}), &claims(), &signer).unwrap();
        let jwt = decode(&token).unwrap();
        assert!(jwt.verify(&VerifyKey::rsa_from_pem(&pem).unwrap()));
        assert!(!jwt.verify(&VerifyKey::Secret(Secret::new("x"))));
    }

    #[test]
    fn decode_is_tolerant_of_wrapping_but_not_of_garbage() {
        let secret = Secret::new("s");
        let token = encode(&header(), &claims(), &Signer::hs256(&secret)).unwrap();
        assert!(decode(&format!("  Bearer {token}\n")).is_ok());
        assert!(
            decode("hello")
                .unwrap_err()
                .contains("three base64url parts")
        );
        assert!(decode("a.b.c.d.e").unwrap_err().contains("JWE"));
        assert!(decode("!!.e30.").unwrap_err().contains("header"));
        assert!(decode("e30.!!.").unwrap_err().contains("claims"));
        assert!(decode("W10.e30.").unwrap_err().contains("object"));
    }

    #[test]
    fn unknown_or_none_alg_never_verifies() {
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode("{}")
        );
        let jwt = decode(&none).unwrap();
        assert!(!jwt.verify(&VerifyKey::Secret(Secret::new(""))));
    }
}
