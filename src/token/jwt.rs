//! Compact JWS: encode, tolerant decode, verify. No platform knowledge here.

use hmac::{Hmac, Mac};

use super::mac::{HashedPrefix, common_prefix_len};
use serde_json::{Map, Value};
use sha2::{Sha256, Sha384, Sha512};

use super::claims::Claims;
use super::jwa::{Alg, Family, PrivateKey, PublicKey};
pub use super::keys::KeyError;
use super::keys::{Key, Material};
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

    pub fn algorithm(&self) -> Option<Alg> {
        self.alg_name().and_then(Alg::from_name)
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
        match key {
            VerifyKey::Secret(secret) => {
                algorithm.verify_hmac(secret, self.signing_input(), &signature)
            }
            VerifyKey::Public(public) => public.verify(algorithm, self.signing_input(), &signature),
        }
    }
}

/// A signature that could not be made (the library refused the key).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{algorithm} signing failed: {reason}")]
pub struct SignError {
    pub algorithm: &'static str,
    pub reason: String,
}

/// What a signature is checked with.
#[derive(Clone)]
pub enum VerifyKey {
    /// HMAC secret (HS256/384/512).
    Secret(Secret),
    /// A public key (RS/PS/ES/EdDSA), possibly derived from a private key.
    Public(PublicKey),
}

impl std::fmt::Debug for VerifyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VerifyKey::Secret(_) => f.write_str("VerifyKey::Secret(<redacted>)"),
            VerifyKey::Public(key) => write!(f, "VerifyKey::Public({})", key.describe()),
        }
    }
}

impl VerifyKey {
    /// A key for an RS256 token from PEM text: a public key, or a private key whose public
    /// half is derived (so the key that minted a token also verifies it).
    pub fn rsa_from_pem(pem: &[u8]) -> Result<VerifyKey, KeyError> {
        let not_rsa = || {
            KeyError(
                "the RSA key could not be read: expected a PEM private key (PKCS#8 or PKCS#1) or public key".into(),
            )
        };
        let set = super::keys::parse(pem).map_err(|_| not_rsa())?;
        match set.keys.first().and_then(|key| key.material.public()) {
            Some(public) if public.family() == Family::Rsa && !set.is_set => {
                Ok(VerifyKey::Public(public))
            }
            _ => Err(not_rsa()),
        }
    }
}

/// What a token is signed with. Built once per key so that minting many tokens reuses the
/// prepared HMAC state.
#[derive(Clone)]
pub enum Signer {
    Hs256(Hmac<Sha256>),
    Hs384(Hmac<Sha384>),
    Hs512(Hmac<Sha512>),
    /// RS, PS, ES or EdDSA with a private key of the algorithm's family.
    Private {
        alg: Alg,
        key: PrivateKey,
    },
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Signer::{}(<redacted>)", self.alg())
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

    pub fn rs256_from_pem(pem: &[u8]) -> Result<Signer, KeyError> {
        let not_rsa = || {
            KeyError(
                "the private key could not be read: expected an RSA private key in PEM form".into(),
            )
        };
        let set = super::keys::parse(pem).map_err(|_| not_rsa())?;
        match set.keys.first().map(|key| &key.material) {
            Some(Material::Private(key)) if key.family() == Family::Rsa && !set.is_set => {
                Ok(Signer::Private {
                    alg: Alg::Rs256,
                    key: key.clone(),
                })
            }
            _ => Err(not_rsa()),
        }
    }

    /// The signer for `alg` with `key`: a secret for HS, a private key of the algorithm's family
    /// (and curve) for the others.
    pub fn new(alg: Alg, key: &Key) -> Result<Signer, KeyError> {
        match (&key.material, alg) {
            (Material::Secret(secret), Alg::Hs256) => Ok(Signer::hs256(secret)),
            (Material::Secret(secret), Alg::Hs384) => Ok(Signer::Hs384(
                <Hmac<Sha384> as hmac::digest::KeyInit>::new_from_slice(secret.expose())
                    .expect("HMAC takes keys of any length"),
            )),
            (Material::Secret(secret), Alg::Hs512) => Ok(Signer::Hs512(
                <Hmac<Sha512> as hmac::digest::KeyInit>::new_from_slice(secret.expose())
                    .expect("HMAC takes keys of any length"),
            )),
            (Material::Private(private), alg) if private.family() == alg.family() => {
                Ok(Signer::Private {
                    alg,
                    key: private.clone(),
                })
            }
            (Material::Public(_), _) => Err(KeyError(format!(
                "this is {}, which checks signatures but cannot make one: give the private key",
                key.describe()
            ))),
            _ => Err(KeyError(format!(
                "{} signs with {}, and this is {}",
                alg.name(),
                alg.family().describe(),
                key.describe()
            ))),
        }
    }

    pub fn algorithm(&self) -> Alg {
        match self {
            Signer::Hs256(_) => Alg::Hs256,
            Signer::Hs384(_) => Alg::Hs384,
            Signer::Hs512(_) => Alg::Hs512,
            Signer::Private { alg, .. } => *alg,
        }
    }

    /// The `alg` header value.
    pub fn alg(&self) -> &'static str {
        self.algorithm().name()
    }

    /// Whether a signature costs enough (a private-key operation) for threads and small
    /// batches to pay.
    pub fn is_slow(&self) -> bool {
        matches!(self, Signer::Private { .. })
    }

    /// Signs everything in `out` so far (the signing input) and appends `.signature`. The first
    /// `unchanged` bytes of `out` are those of the input `prefix` last saw, which lets HS256 skip
    /// hashing them again.
    #[inline]
    fn sign_into(
        &self,
        out: &mut Vec<u8>,
        unchanged: usize,
        prefix: &mut HashedPrefix<Hmac<Sha256>>,
    ) -> Result<(), SignError> {
        let signature = match self {
            Signer::Hs256(prepared) => {
                let tag = prefix.mac(prepared, out, unchanged);
                out.push(b'.');
                append_base64url(&tag, out);
                return Ok(());
            }
            Signer::Hs384(prepared) => {
                let mut mac = prepared.clone();
                mac.update(out);
                mac.finalize().into_bytes().to_vec()
            }
            Signer::Hs512(prepared) => {
                let mut mac = prepared.clone();
                mac.update(out);
                mac.finalize().into_bytes().to_vec()
            }
            Signer::Private { alg, key } => key.sign(*alg, out).map_err(|reason| SignError {
                algorithm: alg.name(),
                reason,
            })?,
        };
        out.push(b'.');
        append_base64url(&signature, out);
        Ok(())
    }
}

/// Encodes and signs: `base64url(header).base64url(claims).signature`.
pub fn encode(
    header: &Value,
    claims: &Map<String, Value>,
    signer: &Signer,
) -> Result<String, SignError> {
    Encoder::new(header, signer)
        .encode(|buffer| {
            let mut writer = Claims::json(buffer, &[]);
            for (name, value) in claims {
                writer.put(name, value);
            }
            writer.finish();
            Ok(())
        })
        .map(|token| String::from_utf8(token.to_vec()).expect("a JWT is ASCII"))
}

/// Encodes an unsigned token (`alg: none`): `base64url(header).base64url(claims).`, with an
/// empty signature.
pub fn encode_unsigned(header: &Value, claims: &Map<String, Value>) -> String {
    let mut out = Vec::new();
    append_base64url(
        &serde_json::to_vec(header).expect("JSON values always serialise"),
        &mut out,
    );
    out.push(b'.');
    append_base64url(
        &serde_json::to_vec(claims).expect("JSON values always serialise"),
        &mut out,
    );
    out.push(b'.');
    String::from_utf8(out).expect("a JWT is ASCII")
}

/// Encodes JWTs with one header, reusing its buffers from token to token: the header's base64
/// is computed once, the claims are serialised straight into a buffer (no claim map) and
/// base64-encoded into the token, which is then signed in place. Base64 works on groups of three
/// bytes, so the groups a token's claims share with the previous token's (in a bulk run, all
/// but the end) are not encoded again: their base64 is still in place; nor are the whole SHA-256
/// blocks they make hashed again ([`HashedPrefix`]).
pub struct Encoder<'s> {
    /// One signer for every token: the hashed prefix is only good for its key.
    signer: &'s Signer,
    claims_json: Vec<u8>,
    /// The claims of the token in `token`; empty when there is none.
    previous_json: Vec<u8>,
    /// `base64url(header).`, then the claims and signature of the last token.
    token: Vec<u8>,
    header_len: usize,
    hashed: HashedPrefix<Hmac<Sha256>>,
}

impl<'s> Encoder<'s> {
    pub fn new(header: &Value, signer: &'s Signer) -> Encoder<'s> {
        let header_json = serde_json::to_vec(header).expect("JSON values always serialise");
        let mut token = Vec::with_capacity(1024);
        append_base64url(&header_json, &mut token);
        token.push(b'.');
        Encoder {
            signer,
            header_len: token.len(),
            token,
            claims_json: Vec::with_capacity(512),
            previous_json: Vec::with_capacity(512),
            hashed: HashedPrefix::default(),
        }
    }

    /// Encodes the JSON object `write` puts into the buffer it is given (with
    /// [`Claims::json`]), and signs. The token is ASCII, given as bytes so that a bulk run writes
    /// it out unchecked; it lives until the next call.
    pub fn encode<E: From<SignError>>(
        &mut self,
        write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>,
    ) -> Result<&[u8], E> {
        std::mem::swap(&mut self.claims_json, &mut self.previous_json);
        self.claims_json.clear();
        let signed = write(&mut self.claims_json).and_then(|()| {
            let shared_groups = common_prefix_len(&self.claims_json, &self.previous_json) / 3;
            let unchanged = self.header_len + shared_groups * 4;
            self.token.truncate(unchanged);
            append_base64url(&self.claims_json[shared_groups * 3..], &mut self.token);
            self.signer
                .sign_into(&mut self.token, unchanged, &mut self.hashed)
                .map_err(E::from)
        });
        if let Err(error) = signed {
            // The token in the buffer no longer matches any claims: start afresh next time.
            self.claims_json.clear();
            self.token.truncate(self.header_len);
            return Err(error);
        }
        Ok(&self.token)
    }
}

/// Appends `base64url(bytes)` (no padding) to `out`, with the vector instructions the machine
/// has: in a bulk run, base64 costs more than anything but the hash.
fn append_base64url(bytes: &[u8], out: &mut Vec<u8>) {
    base64_simd::URL_SAFE_NO_PAD.encode_append(bytes, out);
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
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::json;

    #[test]
    fn base64url_appends_what_the_base64_crate_encodes() {
        let bytes: Vec<u8> = (0..=255u8).cycle().take(700).collect();
        for len in 0..bytes.len() {
            let mut out = b"kept.".to_vec();
            append_base64url(&bytes[len / 3..len], &mut out);
            assert_eq!(
                out,
                [
                    &b"kept."[..],
                    URL_SAFE_NO_PAD.encode(&bytes[len / 3..len]).as_bytes()
                ]
                .concat()
            );
        }
    }

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
        // Claims changed after signing, the signature kept: it no longer verifies.
        let mut changed = claims();
        changed.insert("sub".into(), "someone-else".into());
        let parts: Vec<&str> = token.split('.').collect();
        let changed_b64 = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&changed).unwrap());
        let tampered = format!("{}.{changed_b64}.{}", parts[0], parts[2]);
        assert_ne!(tampered, token);
        assert!(
            !decode(&tampered)
                .unwrap()
                .verify(&VerifyKey::Secret(secret))
        );
    }

    #[test]
    fn common_prefix_agrees_with_byte_by_byte() {
        for len in 0..20 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut text = vec![b'a'; len];
                    text[at] = byte;
                    let other = vec![b'a'; len + 1];
                    let naive_shared = if byte == b'a' { len } else { at };
                    assert_eq!(common_prefix_len(&text, &other), naive_shared);
                }
            }
        }
    }

    #[test]
    fn claims_are_written_as_serde_json_writes_the_map() {
        let claims = json!({
            "plain": "text", "quote\"d": "a \"b\" \\ c", "control": "tab\there\u{1}",
            "unicode": "é ✓ \u{7f}", "empty": "", "zero": 0, "negative": -1,
            "min": i64::MIN, "max": i64::MAX, "big": u64::MAX, "float": 0.1,
            "nested": {"a": [1, "x", null, true]}
        });
        let claims = claims.as_object().unwrap();
        let mut json = Vec::new();
        let mut writer = Claims::json(&mut json, &[]);
        for (name, value) in claims {
            match value {
                Value::String(text) => writer.put(name, text.as_str()),
                Value::Number(n) if n.is_i64() => writer.put(name, n.as_i64().unwrap()),
                other => writer.put(name, other),
            }
        }
        writer.finish();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            serde_json::to_string(claims).unwrap()
        );
    }

    #[test]
    fn one_encoder_gives_every_token_a_fresh_encode_gives() {
        let claim_sets = [
            json!({"app_key": "k", "iat": 1, "user": "user-1"}),
            json!({"app_key": "k", "iat": 1, "user": "user-2"}),
            json!({"app_key": "k", "iat": 1, "user": "user-10"}),
            json!({"app_key": "k", "iat": 1, "user": "user-10"}),
            json!({"app_key": "k", "iat": 1}),
            json!({"app_key": "k", "iat": 1, "user": "user-10", "more": "x".repeat(40)}),
            json!({}),
            json!({"b": 1}),
            json!({"app_key": "k", "iat": 2}),
        ];
        let sequence: Vec<_> = claim_sets
            .iter()
            .enumerate()
            .map(|(i, claims)| (i == 4, claims.as_object().unwrap().clone()))
            .collect();
        assert_encoder_agrees(&sequence);
    }

    /// Mints `sequence` through one encoder, a failed token first where it says so, and checks
    /// each token against a fresh `encode`.
    fn assert_encoder_agrees(sequence: &[(bool, Map<String, Value>)]) {
        let signer = Signer::hs256(&Secret::new("s"));
        let mut encoder = Encoder::new(&header(), &signer);
        for (i, (fail_first, claims)) in sequence.iter().enumerate() {
            if *fail_first {
                let failed = encoder.encode(|buffer| {
                    buffer.extend_from_slice(b"{\"half");
                    Err(SignError {
                        algorithm: "HS256",
                        reason: "refused".into(),
                    })
                });
                assert_eq!(failed.unwrap_err().reason, "refused");
            }
            let token = encoder
                .encode(|buffer| {
                    let mut writer = Claims::json(buffer, &[]);
                    for (name, value) in claims {
                        writer.put(name, value);
                    }
                    writer.finish();
                    Ok::<(), SignError>(())
                })
                .unwrap()
                .to_vec();
            assert_eq!(
                String::from_utf8(token).unwrap(),
                encode(&header(), claims, &signer).unwrap(),
                "token {i}"
            );
        }
    }

    proptest::proptest! {
        /// Long claims that change anywhere, grow and shrink across SHA-256 block boundaries:
        /// reusing base64 groups and hashed blocks never changes a token.
        #[test]
        fn reuse_across_tokens_never_changes_a_token(
            sequence in proptest::collection::vec(
                (
                    proptest::bool::weighted(0.1),
                    0..400usize,
                    proptest::collection::vec((0..3usize, 0..3usize, 0..200usize), 0..4),
                ),
                1..12,
            )
        ) {
            // A common stem, then claims of varied names and lengths: tokens share prefixes of
            // every length, some beyond several blocks.
            let sequence: Vec<_> = sequence
                .into_iter()
                .map(|(fail_first, stem, tail)| {
                    let mut claims = Map::new();
                    claims.insert("stem".into(), "s".repeat(stem).into());
                    for (name, fill, len) in tail {
                        let text: String = "abc".chars().cycle().skip(fill).take(len).collect();
                        claims.insert(format!("c{name}"), text.into());
                    }
                    (fail_first, claims)
                })
                .collect();
            assert_encoder_agrees(&sequence);
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
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            &claims(),
            &jsonwebtoken::EncodingKey::from_secret(secret.expose()),
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
