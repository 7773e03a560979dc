//! Keys as people hold them: an HMAC secret, a PEM (RSA PKCS#1 or PKCS#8, EC SEC1 or PKCS#8,
//! Ed25519 PKCS#8, SPKI public keys, X.509 certificates), the same in DER, a JWK, or a JWKS; and
//! which key of a set checks a token (the `kid`, then what fits its `alg`).

use base64::Engine as _;
use pkcs8::DecodePrivateKey as _;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};
use serde_json::{Map, Value};

use super::jwa::{Alg, Curve, Family, PrivateKey, PublicKey};
use crate::secret::Secret;

/// Why a key could not be read; one sentence for the user, never the key itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct KeyError(pub String);

fn error(message: impl Into<String>) -> KeyError {
    KeyError(message.into())
}

/// What one key is.
#[derive(Clone, Debug)]
pub enum Material {
    /// An HMAC secret: text, bytes, or an `oct` JWK.
    Secret(Secret),
    Public(PublicKey),
    Private(PrivateKey),
}

impl Material {
    pub fn family(&self) -> Family {
        match self {
            Material::Secret(_) => Family::Hmac,
            Material::Public(key) => key.family(),
            Material::Private(key) => key.family(),
        }
    }

    /// The public key that checks signatures (a private key's public half).
    pub fn public(&self) -> Option<PublicKey> {
        match self {
            Material::Secret(_) => None,
            Material::Public(key) => Some(key.clone()),
            Material::Private(key) => Some(key.public()),
        }
    }

    pub fn rsa_bits(&self) -> Option<usize> {
        self.public().and_then(|key| key.rsa_bits())
    }

    /// "an RSA-2048 private key", "an HMAC secret of 32 bytes".
    pub fn describe(&self) -> String {
        match self {
            Material::Secret(secret) => format!("an HMAC secret of {} bytes", secret.len()),
            Material::Public(key) => key.describe(),
            Material::Private(key) => key.describe(),
        }
    }
}

/// The form a key was given in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Pkcs8,
    Pkcs1,
    Sec1,
    Spki,
    Pkcs1Public,
    Certificate,
    Jwk,
    Secret,
}

impl Format {
    pub fn label(self) -> &'static str {
        match self {
            Format::Pkcs8 => "PKCS#8",
            Format::Pkcs1 => "PKCS#1",
            Format::Sec1 => "SEC1",
            Format::Spki => "SPKI",
            Format::Pkcs1Public => "PKCS#1",
            Format::Certificate => "X.509 certificate",
            Format::Jwk => "JWK",
            Format::Secret => "secret",
        }
    }
}

/// One key, and what a JWK says about it.
#[derive(Clone, Debug)]
pub struct Key {
    pub material: Material,
    pub format: Format,
    pub kid: Option<String>,
    /// The JWK's `alg`: the one algorithm the key is for, when it says.
    pub alg: Option<String>,
    /// The JWK's `use` (`sig` or `enc`).
    pub usage: Option<String>,
    /// The JWK's `key_ops`.
    pub key_ops: Option<Vec<String>>,
}

impl Key {
    fn plain(material: Material, format: Format) -> Key {
        Key {
            material,
            format,
            kid: None,
            alg: None,
            usage: None,
            key_ops: None,
        }
    }

    /// "an RSA-2048 public key (JWK, kid rsa-a)".
    pub fn describe(&self) -> String {
        let mut text = self.material.describe();
        if self.format != Format::Secret {
            text.push_str(&format!(" ({}", self.format.label()));
            if let Some(kid) = &self.kid {
                text.push_str(&format!(", kid {kid}"));
            }
            text.push(')');
        }
        text
    }

    /// Whether the key may check a token of `alg`: its family (and curve), its JWK's `alg` if it
    /// has one, and its `use` and `key_ops` if it says.
    pub fn fits(&self, alg: Alg) -> bool {
        self.material.family() == alg.family()
            && self
                .alg
                .as_deref()
                .is_none_or(|declared| alg.answers_to(declared))
            && self.usage.as_deref().is_none_or(|usage| usage == "sig")
            && self
                .key_ops
                .as_ref()
                .is_none_or(|ops| ops.iter().any(|op| op == "verify" || op == "sign"))
    }
}

/// The keys given: one key, or the members of a JWKS.
#[derive(Clone, Debug)]
pub struct KeySet {
    pub keys: Vec<Key>,
    /// A JWKS (a token's `kid` picks from it), rather than one key.
    pub is_set: bool,
    /// JWKS members that hold no key tokenbench reads (another `kty` or curve), left out.
    pub skipped: usize,
}

impl KeySet {
    /// One line on what the keys are: "an RSA-2048 public key (SPKI)", "a JWKS of 4 keys:
    /// rsa-a, ec-p256, ed25519, rsa-b".
    pub fn describe(&self) -> String {
        if !self.is_set {
            return self.keys.first().map(Key::describe).unwrap_or_default();
        }
        let names: Vec<String> = self
            .keys
            .iter()
            .map(|key| {
                key.kid
                    .clone()
                    .unwrap_or_else(|| key.material.family().describe())
            })
            .collect();
        let mut text = format!(
            "a JWKS of {} key{}: {}",
            self.keys.len(),
            if self.keys.len() == 1 { "" } else { "s" },
            names.join(", ")
        );
        if self.skipped > 0 {
            text.push_str(&format!(
                " ({} more it cannot read, left out)",
                self.skipped
            ));
        }
        text
    }

    /// The key that signs a token of `alg`: the one key given, or the JWKS member named `kid`,
    /// or the only private member that fits. It must be a private key (or a secret for HS).
    pub fn signing_key(&self, alg: Alg, kid: Option<&str>) -> Result<&Key, KeyError> {
        let key = if self.is_set {
            let private: Vec<&Key> = self
                .keys
                .iter()
                .filter(|k| !matches!(k.material, Material::Public(_)))
                .filter(|k| kid.is_none_or(|kid| k.kid.as_deref() == Some(kid)))
                .filter(|k| k.fits(alg))
                .collect();
            match private.as_slice() {
                [key] => *key,
                [] => {
                    return Err(error(format!(
                        "the JWKS holds no private key for {}{}: give the private key (a PEM or a private JWK)",
                        alg.name(),
                        kid.map(|k| format!(" with kid {k}")).unwrap_or_default()
                    )));
                }
                _ => {
                    return Err(error(format!(
                        "the JWKS holds {} private keys for {}: name one with --header kid=ID",
                        private.len(),
                        alg.name()
                    )));
                }
            }
        } else {
            self.keys.first().ok_or_else(|| error("no key was given"))?
        };
        match (&key.material, alg.family()) {
            (Material::Public(_), _) => Err(error(format!(
                "this is {}, which checks signatures but cannot make one: give the private key",
                key.describe()
            ))),
            (material, family) if material.family() != family => Err(error(format!(
                "{} signs with {}, and this is {}",
                alg.name(),
                family.describe(),
                key.describe()
            ))),
            (Material::Secret(secret), _) if secret.is_empty() => Err(error(
                "the secret is empty: give an HMAC secret (32 bytes or more for HS256)",
            )),
            _ => Ok(key),
        }
    }
}

/// Reads keys from what a file, a variable or a paste holds: PEM (one block, or the first key
/// of several), JSON (a JWK, or a JWKS with `keys`), DER (a public key, a PKCS#8 private key or a
/// certificate), or anything else as the bytes of an HMAC secret.
pub fn parse(bytes: &[u8]) -> Result<KeySet, KeyError> {
    let one = |key: Key| KeySet {
        keys: vec![key],
        is_set: false,
        skipped: 0,
    };
    if let Ok(text) = std::str::from_utf8(bytes) {
        let trimmed = text.trim();
        if trimmed.contains("-----BEGIN ") {
            // A PEM kept in an environment variable often has its line breaks as "\n".
            let unescaped = trimmed.replace("\\n", "\n");
            return pem(&unescaped).map(one);
        }
        if trimmed.starts_with('{') {
            let value: Value = serde_json::from_str(trimmed).map_err(|e| {
                error(format!(
                    "the key looks like JSON (a JWK or JWKS) but does not parse: {e}"
                ))
            })?;
            return json(&value);
        }
    }
    if bytes.first() == Some(&0x30)
        && let Some(key) = der(bytes)
    {
        return Ok(one(key));
    }
    Ok(one(Key::plain(
        Material::Secret(Secret::new(bytes.to_vec())),
        Format::Secret,
    )))
}

/// A binary key file: an SPKI public key, a PKCS#8 private key, or a certificate.
fn der(bytes: &[u8]) -> Option<Key> {
    spki_der(bytes)
        .map(|key| Key::plain(Material::Public(key), Format::Spki))
        .or_else(|_| pkcs8_der(bytes).map(|key| Key::plain(Material::Private(key), Format::Pkcs8)))
        .or_else(|_| {
            certificate_der(bytes).map(|key| Key::plain(Material::Public(key), Format::Certificate))
        })
        .ok()
}

/// The blocks of a PEM text: (label, base64 body).
fn pem_blocks(text: &str) -> Vec<(&str, &str)> {
    let mut blocks = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let Some(label_end) = after.find("-----") else {
            break;
        };
        let label = after[..label_end].trim();
        let body_start = &after[label_end + 5..];
        let end_marker = format!("-----END {label}-----");
        let Some(body_end) = body_start.find(&end_marker) else {
            blocks.push((label, ""));
            break;
        };
        blocks.push((label, &body_start[..body_end]));
        rest = &body_start[body_end + end_marker.len()..];
    }
    blocks
}

fn pem(text: &str) -> Result<Key, KeyError> {
    let blocks = pem_blocks(text);
    let Some((label, body)) = blocks
        .iter()
        .find(|(label, _)| *label != "EC PARAMETERS")
        .copied()
    else {
        return Err(error(
            "the PEM has no complete block: it needs its -----BEGIN …----- and -----END …----- lines",
        ));
    };
    if label == "ENCRYPTED PRIVATE KEY" || body.contains("Proc-Type:") {
        return Err(error(
            "the private key is encrypted: decrypt it first (openssl pkey -in KEY -out plain.pem)",
        ));
    }
    if label == "OPENSSH PRIVATE KEY" {
        return Err(error(
            "this is an OpenSSH private key: convert it to PKCS#8 PEM (ssh-keygen -p -m PKCS8 -f KEY)",
        ));
    }
    let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(compact.trim_end_matches('='))
        .map_err(|_| error(format!("the PEM {label} block is not valid base64")))?;
    let unreadable = |what: &str, e: String| error(format!("the {what} could not be read: {e}"));
    match label {
        "PRIVATE KEY" => pkcs8_der(&der)
            .map(|key| Key::plain(Material::Private(key), Format::Pkcs8))
            .map_err(|e| unreadable("PKCS#8 private key", e)),
        "RSA PRIVATE KEY" => RsaPrivateKey::from_pkcs1_der(&der)
            .map(|key| Key::plain(Material::Private(PrivateKey::rsa(key)), Format::Pkcs1))
            .map_err(|e| unreadable("RSA private key (PKCS#1)", e.to_string())),
        "EC PRIVATE KEY" => sec1_der(&der)
            .map(|key| Key::plain(Material::Private(key), Format::Sec1))
            .map_err(|e| unreadable("EC private key (SEC1)", e)),
        "PUBLIC KEY" => spki_der(&der)
            .map(|key| Key::plain(Material::Public(key), Format::Spki))
            .map_err(|e| unreadable("public key (SPKI)", e)),
        "RSA PUBLIC KEY" => RsaPublicKey::from_pkcs1_der(&der)
            .map(|key| Key::plain(Material::Public(PublicKey::Rsa(key)), Format::Pkcs1Public))
            .map_err(|e| unreadable("RSA public key (PKCS#1)", e.to_string())),
        "CERTIFICATE" => certificate_der(&der)
            .map(|key| Key::plain(Material::Public(key), Format::Certificate))
            .map_err(|e| unreadable("certificate", e)),
        other => Err(error(format!(
            "a PEM {other} block holds no key tokenbench reads: give a public key, a private key or a certificate"
        ))),
    }
}

const RSA: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const RSA_PSS: pkcs8::ObjectIdentifier =
    pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10");
const EC: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.101.112");
const ED448: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.101.113");
const P256: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.132.0.34");
const P521: pkcs8::ObjectIdentifier = pkcs8::ObjectIdentifier::new_unwrap("1.3.132.0.35");

fn curve_of(oid: Option<pkcs8::ObjectIdentifier>) -> Result<Curve, String> {
    match oid {
        Some(P256) => Ok(Curve::P256),
        Some(P384) => Ok(Curve::P384),
        Some(P521) => Ok(Curve::P521),
        Some(other) => Err(format!(
            "its curve ({other}) is none of P-256, P-384 and P-521, the curves of ES256, ES384 and ES512"
        )),
        None => Err("it names no curve".into()),
    }
}

fn unsupported_algorithm(oid: pkcs8::ObjectIdentifier) -> String {
    if oid == ED448 {
        "Ed448 keys are not supported (EdDSA here is Ed25519)".into()
    } else {
        format!("its algorithm ({oid}) is none of RSA, EC and Ed25519")
    }
}

fn pkcs8_der(der: &[u8]) -> Result<PrivateKey, String> {
    let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|e| e.to_string())?;
    let oid = info.algorithm.oid;
    match oid {
        RSA | RSA_PSS => RsaPrivateKey::from_pkcs1_der(info.private_key)
            .map(PrivateKey::rsa)
            .map_err(|e| e.to_string()),
        EC => match curve_of(info.algorithm.parameters_oid().ok())? {
            Curve::P256 => p256::SecretKey::from_pkcs8_der(der)
                .map(|key| PrivateKey::P256(key.into()))
                .map_err(|e| e.to_string()),
            Curve::P384 => p384::SecretKey::from_pkcs8_der(der)
                .map(|key| PrivateKey::P384(key.into()))
                .map_err(|e| e.to_string()),
            Curve::P521 => p521::SecretKey::from_pkcs8_der(der)
                .map_err(|e| e.to_string())
                .and_then(|key| {
                    p521::ecdsa::SigningKey::from_bytes(&key.to_bytes())
                        .map(PrivateKey::P521)
                        .map_err(|e| e.to_string())
                }),
        },
        ED25519 => ed25519_dalek::SigningKey::from_pkcs8_der(der)
            .map(PrivateKey::Ed25519)
            .map_err(|e| e.to_string()),
        other => Err(unsupported_algorithm(other)),
    }
}

fn sec1_der(der: &[u8]) -> Result<PrivateKey, String> {
    let key = sec1::EcPrivateKey::try_from(der).map_err(|e| e.to_string())?;
    let named = key.parameters.and_then(|p| p.named_curve());
    // Without parameters the curve follows from the key's length.
    let curve = match (named, key.private_key.len()) {
        (Some(oid), _) => curve_of(Some(oid))?,
        (None, 32) => Curve::P256,
        (None, 48) => Curve::P384,
        (None, 65 | 66) => Curve::P521,
        (None, _) => return Err("it names no curve".into()),
    };
    ec_private(curve, key.private_key)
}

fn ec_private(curve: Curve, scalar: &[u8]) -> Result<PrivateKey, String> {
    let failed = |e: p256::ecdsa::Error| e.to_string();
    match curve {
        Curve::P256 => p256::ecdsa::SigningKey::from_slice(scalar)
            .map(PrivateKey::P256)
            .map_err(failed),
        Curve::P384 => p384::ecdsa::SigningKey::from_slice(scalar)
            .map(PrivateKey::P384)
            .map_err(failed),
        Curve::P521 => p521::ecdsa::SigningKey::from_slice(scalar)
            .map(PrivateKey::P521)
            .map_err(failed),
    }
}

fn ec_public(curve: Curve, sec1_point: &[u8]) -> Result<PublicKey, String> {
    let failed = |e: p256::ecdsa::Error| e.to_string();
    match curve {
        Curve::P256 => p256::ecdsa::VerifyingKey::from_sec1_bytes(sec1_point)
            .map(PublicKey::P256)
            .map_err(failed),
        Curve::P384 => p384::ecdsa::VerifyingKey::from_sec1_bytes(sec1_point)
            .map(PublicKey::P384)
            .map_err(failed),
        Curve::P521 => p521::ecdsa::VerifyingKey::from_sec1_bytes(sec1_point)
            .map(PublicKey::P521)
            .map_err(failed),
    }
}

fn spki_der(der: &[u8]) -> Result<PublicKey, String> {
    let info = spki::SubjectPublicKeyInfoRef::try_from(der).map_err(|e| e.to_string())?;
    let bits = info
        .subject_public_key
        .as_bytes()
        .ok_or("its key bits are not whole bytes")?;
    match info.algorithm.oid {
        RSA | RSA_PSS => RsaPublicKey::from_pkcs1_der(bits)
            .map(PublicKey::Rsa)
            .map_err(|e| e.to_string()),
        EC => ec_public(curve_of(info.algorithm.parameters_oid().ok())?, bits),
        ED25519 => {
            let bytes: [u8; 32] = bits.try_into().map_err(|_| "an Ed25519 key is 32 bytes")?;
            ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                .map(PublicKey::Ed25519)
                .map_err(|e| e.to_string())
        }
        other => Err(unsupported_algorithm(other)),
    }
}

/// The subject's public key of an X.509 certificate (its dates, issuer and usage are not
/// checked: a JWT verifier takes the key, as jose's importX509 does).
fn certificate_der(der: &[u8]) -> Result<PublicKey, String> {
    use x509_cert::der::{Decode as _, Encode as _};
    let certificate = x509_cert::Certificate::from_der(der).map_err(|e| e.to_string())?;
    let spki = certificate
        .tbs_certificate
        .subject_public_key_info
        .to_der()
        .map_err(|e| e.to_string())?;
    spki_der(&spki)
}

fn json(value: &Value) -> Result<KeySet, KeyError> {
    let object = value
        .as_object()
        .ok_or_else(|| error("the key is JSON but not an object"))?;
    if let Some(members) = object.get("keys") {
        let members = members
            .as_array()
            .ok_or_else(|| error("the JWKS's keys is not a list"))?;
        let mut keys = Vec::new();
        let mut first_problem = None;
        for member in members {
            match member
                .as_object()
                .ok_or_else(|| error("a JWKS member is not an object"))
                .and_then(jwk)
            {
                Ok(key) => keys.push(key),
                Err(problem) => {
                    first_problem.get_or_insert(problem);
                }
            }
        }
        if keys.is_empty() {
            return Err(match first_problem {
                Some(problem) => {
                    error(format!("the JWKS holds no key tokenbench reads: {problem}"))
                }
                None => error("the JWKS is empty"),
            });
        }
        let skipped = members.len() - keys.len();
        return Ok(KeySet {
            keys,
            is_set: true,
            skipped,
        });
    }
    if object.contains_key("kty") {
        return Ok(KeySet {
            keys: vec![jwk(object)?],
            is_set: false,
            skipped: 0,
        });
    }
    Err(error(
        "the key is JSON but neither a JWK (with kty) nor a JWKS (with keys)",
    ))
}

/// One JWK (RFC 7517, 7518 §6, 8037).
fn jwk(object: &Map<String, Value>) -> Result<Key, KeyError> {
    let text = |name: &str| object.get(name).and_then(Value::as_str);
    let kid = text("kid").map(str::to_string);
    let named = |what: &str| match &kid {
        Some(kid) => format!("the JWK {kid}: {what}"),
        None => format!("the JWK: {what}"),
    };
    let bytes = |name: &str| -> Result<Option<Vec<u8>>, KeyError> {
        match text(name) {
            None => Ok(None),
            Some(encoded) => base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(encoded.trim_end_matches('='))
                .map(Some)
                .map_err(|_| error(named(&format!("{name} is not base64url")))),
        }
    };
    let required = |name: &str| -> Result<Vec<u8>, KeyError> {
        bytes(name)?.ok_or_else(|| error(named(&format!("it has no {name}"))))
    };
    let material = match text("kty") {
        Some("oct") => Material::Secret(Secret::new(required("k")?)),
        Some("RSA") => {
            let n = BigUint::from_bytes_be(&required("n")?);
            let e = BigUint::from_bytes_be(&required("e")?);
            match bytes("d")? {
                Some(d) => {
                    let primes = match (bytes("p")?, bytes("q")?) {
                        (Some(p), Some(q)) => {
                            vec![BigUint::from_bytes_be(&p), BigUint::from_bytes_be(&q)]
                        }
                        _ => Vec::new(),
                    };
                    let mut key =
                        RsaPrivateKey::from_components(n, e, BigUint::from_bytes_be(&d), primes)
                            .map_err(|e| {
                                error(named(&format!("its RSA private key is not valid ({e})")))
                            })?;
                    key.precompute().map_err(|e| {
                        error(named(&format!("its RSA private key is not valid ({e})")))
                    })?;
                    Material::Private(PrivateKey::rsa(key))
                }
                None => Material::Public(PublicKey::Rsa(
                    RsaPublicKey::new(n, e)
                        .map_err(|e| error(named(&format!("its RSA key is not valid ({e})"))))?,
                )),
            }
        }
        Some("EC") => {
            let curve = match text("crv") {
                Some("P-256") => Curve::P256,
                Some("P-384") => Curve::P384,
                Some("P-521") => Curve::P521,
                Some(other) => {
                    return Err(error(named(&format!(
                        "its curve {other} is none of P-256, P-384 and P-521"
                    ))));
                }
                None => return Err(error(named("it has no crv"))),
            };
            match bytes("d")? {
                Some(d) => Material::Private(
                    ec_private(curve, &d)
                        .map_err(|e| error(named(&format!("its d is not a key ({e})"))))?,
                ),
                None => {
                    let mut point = vec![0x04];
                    point.extend(required("x")?);
                    point.extend(required("y")?);
                    Material::Public(ec_public(curve, &point).map_err(|e| {
                        error(named(&format!(
                            "x and y are not a point of {} ({e})",
                            curve.name()
                        )))
                    })?)
                }
            }
        }
        Some("OKP") => {
            match text("crv") {
                Some("Ed25519") => {}
                Some(other) => {
                    return Err(error(named(&format!(
                        "its curve {other} signs nothing tokenbench checks (EdDSA here is Ed25519)"
                    ))));
                }
                None => return Err(error(named("it has no crv"))),
            }
            let fixed = |name: &str, bytes: Vec<u8>| -> Result<[u8; 32], KeyError> {
                bytes
                    .try_into()
                    .map_err(|_| error(named(&format!("its {name} is not 32 bytes"))))
            };
            match bytes("d")? {
                Some(d) => Material::Private(PrivateKey::Ed25519(
                    ed25519_dalek::SigningKey::from_bytes(&fixed("d", d)?),
                )),
                None => Material::Public(PublicKey::Ed25519(
                    ed25519_dalek::VerifyingKey::from_bytes(&fixed("x", required("x")?)?)
                        .map_err(|_| error(named("its x is not an Ed25519 point")))?,
                )),
            }
        }
        Some(other) => {
            return Err(error(named(&format!(
                "its kty {other} is none of oct, RSA, EC and OKP"
            ))));
        }
        None => return Err(error(named("it has no kty"))),
    };
    Ok(Key {
        material,
        format: Format::Jwk,
        kid,
        alg: text("alg").map(str::to_string),
        usage: text("use").map(str::to_string),
        key_ops: object.get("key_ops").and_then(Value::as_array).map(|ops| {
            ops.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        }),
    })
}

/// Why the keys given do not check a token: each is a finding of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The header has no `alg`, or one that is not a JWS algorithm.
    UnknownAlg(Option<String>),
    /// An HS token checked with a public or private key: a verifier that HMACs with the key's
    /// bytes accepts a forged token.
    KeyConfusion { alg: Alg, key: String },
    /// The key is of another family or curve than `alg`, or (a JWKS) none of its keys fits.
    AlgKeyMismatch { alg: Alg, key: String },
    /// The token's `kid` is not in the JWKS.
    KidNotFound { kid: String, kids: Vec<String> },
    /// No `kid`, and several keys of the JWKS fit: each was tried.
    Ambiguous {
        candidates: usize,
        verified_by: Option<String>,
    },
    /// An RSA key under 2048 bits (jose refuses those).
    ShortRsa { bits: usize },
}

impl Problem {
    /// Whether this problem is why the signature was not found valid (the generic "does not
    /// match this key" would then mislead).
    pub fn explains_signature(&self) -> bool {
        !matches!(self, Problem::Ambiguous { .. } | Problem::ShortRsa { .. })
    }
}

/// The verdict on a JWT's signature with a key set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub signature: super::Signature,
    pub problems: Vec<Problem>,
    /// The length of the HMAC secret that checked it, when one did.
    pub hmac_len: Option<usize>,
}

/// Checks `jwt` with `keys`: picks the key (the `kid` in a JWKS; else every key that fits the
/// `alg`, tried in turn, as jose's documented recipe does), refusing a key of the wrong kind
/// for the algorithm before any signature is computed.
pub fn verify(jwt: &super::Jwt, keys: &KeySet) -> Verification {
    use super::Signature;
    let verdict = |signature, problems| Verification {
        signature,
        problems,
        hmac_len: None,
    };
    let name = jwt.alg_name();
    if name.is_some_and(|n| n.eq_ignore_ascii_case("none")) {
        // Unsigned: the alg-none rule says so.
        return verdict(Signature::Invalid, Vec::new());
    }
    let Some(alg) = name.and_then(Alg::from_name) else {
        return verdict(
            Signature::Invalid,
            vec![Problem::UnknownAlg(name.map(str::to_string))],
        );
    };
    let kid = jwt.header.get("kid").and_then(Value::as_str);
    let candidates: Vec<&Key> = if keys.is_set {
        let named: Vec<&Key> = match kid {
            Some(kid) => keys
                .keys
                .iter()
                .filter(|k| k.kid.as_deref() == Some(kid))
                .collect(),
            None => keys.keys.iter().collect(),
        };
        if let Some(kid) = kid
            && named.is_empty()
        {
            return verdict(
                Signature::Unverified,
                vec![Problem::KidNotFound {
                    kid: kid.to_string(),
                    kids: keys.keys.iter().filter_map(|k| k.kid.clone()).collect(),
                }],
            );
        }
        let fitting: Vec<&Key> = named.iter().copied().filter(|k| k.fits(alg)).collect();
        if fitting.is_empty() {
            // The kid's key is of the wrong kind for the alg (a verifier refuses the token), or
            // no key of the set is for it (the token's key is not among them).
            return match (kid, named.as_slice()) {
                (Some(_), [key]) => verdict(Signature::Invalid, vec![mismatch(alg, key)]),
                _ => verdict(
                    Signature::Unverified,
                    vec![Problem::AlgKeyMismatch {
                        alg,
                        key: format!("{}, none of which is for {}", keys.describe(), alg.name()),
                    }],
                ),
            };
        }
        fitting
    } else {
        let Some(key) = keys.keys.first() else {
            return verdict(Signature::Unverified, Vec::new());
        };
        if key.material.family() != alg.family() {
            return verdict(Signature::Invalid, vec![mismatch(alg, key)]);
        }
        vec![key]
    };
    let Some(signature) = crate::secret::decode_base64_any(jwt.signature_part()) else {
        return verdict(Signature::Invalid, Vec::new());
    };
    let mut problems = Vec::new();
    let checks = |key: &Key| match &key.material {
        Material::Secret(secret) => alg.verify_hmac(secret, jwt.signing_input(), &signature),
        material => material
            .public()
            .is_some_and(|public| public.verify(alg, jwt.signing_input(), &signature)),
    };
    let verified = candidates.iter().copied().find(|key| checks(key));
    if candidates.len() > 1 {
        problems.push(Problem::Ambiguous {
            candidates: candidates.len(),
            verified_by: verified.map(Key::describe),
        });
    }
    let used = verified.or(candidates.first().copied());
    if let Some(bits) = used
        .and_then(|key| key.material.rsa_bits())
        .filter(|b| *b < 2048)
    {
        problems.push(Problem::ShortRsa { bits });
    }
    Verification {
        signature: if verified.is_some() {
            Signature::Valid
        } else {
            Signature::Invalid
        },
        problems,
        hmac_len: match used.map(|k| &k.material) {
            Some(Material::Secret(secret)) => Some(secret.len()),
            _ => None,
        },
    }
}

fn mismatch(alg: Alg, key: &Key) -> Problem {
    if alg.family() == Family::Hmac {
        Problem::KeyConfusion {
            alg,
            key: key.describe(),
        }
    } else {
        Problem::AlgKeyMismatch {
            alg,
            key: key.describe(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anything_that_is_no_key_is_an_hmac_secret_and_broken_keys_say_why() {
        let set = parse(b"my-secret").unwrap();
        assert!(matches!(set.keys[0].material, Material::Secret(_)));
        assert_eq!(set.describe(), "an HMAC secret of 9 bytes");
        assert!(
            parse(b"-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----")
                .unwrap_err()
                .0
                .contains("not valid base64")
        );
        assert!(
            parse(
                b"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----"
            )
            .unwrap_err()
            .0
            .contains("encrypted")
        );
        assert!(
            parse(b"{\"kty\": \"XYZ\"}")
                .unwrap_err()
                .0
                .contains("kty XYZ")
        );
        assert!(
            parse(b"{\"nope\": 1}")
                .unwrap_err()
                .0
                .contains("neither a JWK")
        );
        assert!(parse(b"{broken").unwrap_err().0.contains("does not parse"));
    }

    #[test]
    fn pem_blocks_are_found_wherever_the_line_breaks_are() {
        let blocks = pem_blocks(
            "junk -----BEGIN EC PARAMETERS----- BggqhkjOPQMBBw== -----END EC PARAMETERS-----\n-----BEGIN EC PRIVATE KEY-----\nAB\nCD\n-----END EC PRIVATE KEY-----",
        );
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[1].0, "EC PRIVATE KEY");
        assert_eq!(blocks[1].1.trim(), "AB\nCD");
    }

    #[test]
    fn jwk_keys_of_each_kind() {
        let secret = parse(br#"{"kty":"oct","k":"c2VjcmV0","kid":"hs-1"}"#).unwrap();
        assert_eq!(secret.keys[0].kid.as_deref(), Some("hs-1"));
        assert!(matches!(&secret.keys[0].material, Material::Secret(s) if s.expose() == b"secret"));
        let ed = parse(
            br#"{"kty":"OKP","crv":"Ed25519","d":"BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc"}"#,
        )
        .unwrap();
        assert_eq!(ed.describe(), "an Ed25519 private key (JWK)");
        let set = parse(br#"{"keys":[{"kty":"oct","k":"c2VjcmV0","kid":"a"},{"kty":"OKP","crv":"X25519","x":"AA"}]}"#)
            .unwrap();
        assert_eq!((set.keys.len(), set.skipped, set.is_set), (1, 1, true));
        assert!(set.describe().contains("1 more it cannot read"));
    }
}
