//! JSON Web Algorithms (RFC 7518, RFC 8037): the JWS signature algorithms, and the public and
//! private keys they sign and verify with. No key formats here (those are in [`super::keys`]).

use hmac::{Hmac, Mac};
use rsa::traits::PublicKeyParts;
use rsa::{Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use sha2::{Digest, Sha256, Sha384, Sha512};

use crate::secret::Secret;

/// A JWS `alg` that tokenbench signs and verifies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Alg {
    Hs256,
    Hs384,
    Hs512,
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
    Es256,
    Es384,
    Es512,
    EdDsa,
    /// The fully specified name for EdDSA over Ed25519 (jose 6 writes it; most verifiers know
    /// only `EdDSA`): the same signature.
    Ed25519,
}

/// The hash inside an algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hash {
    Sha256,
    Sha384,
    Sha512,
}

impl Hash {
    fn digest(self, input: &[u8]) -> Vec<u8> {
        match self {
            Hash::Sha256 => Sha256::digest(input).to_vec(),
            Hash::Sha384 => Sha384::digest(input).to_vec(),
            Hash::Sha512 => Sha512::digest(input).to_vec(),
        }
    }

    fn pkcs1v15(self) -> Pkcs1v15Sign {
        match self {
            Hash::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
            Hash::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
            Hash::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
        }
    }

    /// PSS with a salt as long as the hash (RFC 7518 §3.5).
    fn pss(self) -> Pss {
        match self {
            Hash::Sha256 => Pss::new::<Sha256>(),
            Hash::Sha384 => Pss::new::<Sha384>(),
            Hash::Sha512 => Pss::new::<Sha512>(),
        }
    }
}

/// The kind of key an algorithm takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    Hmac,
    Rsa,
    Ec(Curve),
    Ed25519,
}

impl Family {
    /// "an RSA key", for sentences.
    pub fn describe(self) -> String {
        match self {
            Family::Hmac => "an HMAC secret".into(),
            Family::Rsa => "an RSA key".into(),
            Family::Ec(curve) => format!("an EC {} key", curve.name()),
            Family::Ed25519 => "an Ed25519 key".into(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    /// The curve's name, as a JWK's `crv` writes it.
    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }
}

impl Alg {
    pub const ALL: [Alg; 14] = [
        Alg::Hs256,
        Alg::Hs384,
        Alg::Hs512,
        Alg::Rs256,
        Alg::Rs384,
        Alg::Rs512,
        Alg::Ps256,
        Alg::Ps384,
        Alg::Ps512,
        Alg::Es256,
        Alg::Es384,
        Alg::Es512,
        Alg::EdDsa,
        Alg::Ed25519,
    ];

    /// The `alg` header value.
    pub fn name(self) -> &'static str {
        match self {
            Alg::Hs256 => "HS256",
            Alg::Hs384 => "HS384",
            Alg::Hs512 => "HS512",
            Alg::Rs256 => "RS256",
            Alg::Rs384 => "RS384",
            Alg::Rs512 => "RS512",
            Alg::Ps256 => "PS256",
            Alg::Ps384 => "PS384",
            Alg::Ps512 => "PS512",
            Alg::Es256 => "ES256",
            Alg::Es384 => "ES384",
            Alg::Es512 => "ES512",
            Alg::EdDsa => "EdDSA",
            Alg::Ed25519 => "Ed25519",
        }
    }

    /// The algorithm an `alg` header names, exactly as RFC 7518 spells it (verifiers compare
    /// case-sensitively: `hs256` and `None` are not algorithms).
    pub fn from_name(name: &str) -> Option<Alg> {
        Alg::ALL.into_iter().find(|alg| alg.name() == name)
    }

    pub fn family(self) -> Family {
        match self {
            Alg::Hs256 | Alg::Hs384 | Alg::Hs512 => Family::Hmac,
            Alg::Rs256 | Alg::Rs384 | Alg::Rs512 | Alg::Ps256 | Alg::Ps384 | Alg::Ps512 => {
                Family::Rsa
            }
            Alg::Es256 => Family::Ec(Curve::P256),
            Alg::Es384 => Family::Ec(Curve::P384),
            Alg::Es512 => Family::Ec(Curve::P521),
            Alg::EdDsa | Alg::Ed25519 => Family::Ed25519,
        }
    }

    /// Whether a key whose JWK says `alg: declared` may check this algorithm (the two names of
    /// Ed25519 signatures are one signature).
    pub fn answers_to(self, declared: &str) -> bool {
        declared == self.name()
            || (self.family() == Family::Ed25519
                && Alg::from_name(declared).is_some_and(|a| a.family() == Family::Ed25519))
    }

    fn hash(self) -> Hash {
        match self {
            Alg::Hs256 | Alg::Rs256 | Alg::Ps256 | Alg::Es256 => Hash::Sha256,
            Alg::Hs384 | Alg::Rs384 | Alg::Ps384 | Alg::Es384 => Hash::Sha384,
            Alg::Hs512 | Alg::Rs512 | Alg::Ps512 | Alg::Es512 | Alg::EdDsa | Alg::Ed25519 => {
                Hash::Sha512
            }
        }
    }

    /// The shortest HMAC secret RFC 7518 §3.2 allows: as long as the hash.
    pub fn min_secret_len(self) -> Option<usize> {
        match self {
            Alg::Hs256 => Some(32),
            Alg::Hs384 => Some(48),
            Alg::Hs512 => Some(64),
            _ => None,
        }
    }

    fn is_pss(self) -> bool {
        matches!(self, Alg::Ps256 | Alg::Ps384 | Alg::Ps512)
    }

    /// The HMAC of `input` with `secret` (an HS algorithm; `None` for any other).
    pub fn hmac(self, secret: &[u8], input: &[u8]) -> Option<Vec<u8>> {
        fn mac<M: Mac + hmac::digest::KeyInit>(secret: &[u8], input: &[u8]) -> Vec<u8> {
            let mut mac = <M as hmac::digest::KeyInit>::new_from_slice(secret)
                .expect("HMAC takes keys of any length");
            mac.update(input);
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            Alg::Hs256 => Some(mac::<Hmac<Sha256>>(secret, input)),
            Alg::Hs384 => Some(mac::<Hmac<Sha384>>(secret, input)),
            Alg::Hs512 => Some(mac::<Hmac<Sha512>>(secret, input)),
            _ => None,
        }
    }

    /// Checks an HMAC signature in constant time.
    pub fn verify_hmac(self, secret: &Secret, input: &[u8], signature: &[u8]) -> bool {
        fn check<M: Mac + hmac::digest::KeyInit>(secret: &[u8], input: &[u8], tag: &[u8]) -> bool {
            let Ok(mut mac) = <M as hmac::digest::KeyInit>::new_from_slice(secret) else {
                return false;
            };
            mac.update(input);
            mac.verify_slice(tag).is_ok()
        }
        match self {
            Alg::Hs256 => check::<Hmac<Sha256>>(secret.expose(), input, signature),
            Alg::Hs384 => check::<Hmac<Sha384>>(secret.expose(), input, signature),
            Alg::Hs512 => check::<Hmac<Sha512>>(secret.expose(), input, signature),
            _ => false,
        }
    }
}

/// A public key that checks RS/PS/ES/EdDSA signatures.
#[derive(Clone)]
pub enum PublicKey {
    Rsa(RsaPublicKey),
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    P521(p521::ecdsa::VerifyingKey),
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.describe())
    }
}

impl PublicKey {
    pub fn family(&self) -> Family {
        match self {
            PublicKey::Rsa(_) => Family::Rsa,
            PublicKey::P256(_) => Family::Ec(Curve::P256),
            PublicKey::P384(_) => Family::Ec(Curve::P384),
            PublicKey::P521(_) => Family::Ec(Curve::P521),
            PublicKey::Ed25519(_) => Family::Ed25519,
        }
    }

    /// The modulus length of an RSA key, in bits.
    pub fn rsa_bits(&self) -> Option<usize> {
        match self {
            PublicKey::Rsa(key) => Some(key.n().bits()),
            _ => None,
        }
    }

    /// "an RSA-2048 public key", for sentences.
    pub fn describe(&self) -> String {
        match self.rsa_bits() {
            Some(bits) => format!("an RSA-{bits} public key"),
            None => self.family().describe().replace(" key", " public key"),
        }
    }

    /// Checks `signature` over `input`. False for an algorithm of another family, and for a
    /// signature of the wrong length or form.
    pub fn verify(&self, alg: Alg, input: &[u8], signature: &[u8]) -> bool {
        use p256::ecdsa::signature::Verifier;
        if alg.family() != self.family() {
            return false;
        }
        match self {
            PublicKey::Rsa(key) => verify_rsa(key, alg, input, signature),
            PublicKey::P256(key) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|s| key.verify(input, &s).is_ok()),
            PublicKey::P384(key) => p384::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|s| key.verify(input, &s).is_ok()),
            PublicKey::P521(key) => p521::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|s| key.verify(input, &s).is_ok()),
            PublicKey::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|s| key.verify(input, &s).is_ok()),
        }
    }
}

/// AWS-LC's verification parameters and signing padding for an RS/PS algorithm.
fn aws_lc_rsa(
    alg: Alg,
) -> (
    &'static aws_lc_rs::signature::RsaParameters,
    &'static dyn aws_lc_rs::signature::RsaEncoding,
) {
    use aws_lc_rs::signature as aws;
    match (alg.hash(), alg.is_pss()) {
        (Hash::Sha256, false) => (&aws::RSA_PKCS1_2048_8192_SHA256, &aws::RSA_PKCS1_SHA256),
        (Hash::Sha384, false) => (&aws::RSA_PKCS1_2048_8192_SHA384, &aws::RSA_PKCS1_SHA384),
        (Hash::Sha512, false) => (&aws::RSA_PKCS1_2048_8192_SHA512, &aws::RSA_PKCS1_SHA512),
        (Hash::Sha256, true) => (&aws::RSA_PSS_2048_8192_SHA256, &aws::RSA_PSS_SHA256),
        (Hash::Sha384, true) => (&aws::RSA_PSS_2048_8192_SHA384, &aws::RSA_PSS_SHA384),
        (Hash::Sha512, true) => (&aws::RSA_PSS_2048_8192_SHA512, &aws::RSA_PSS_SHA512),
    }
}

/// Checks an RS/PS signature: with AWS-LC for the sizes it takes (2048 to 8192 bits: several
/// times faster than RustCrypto, which a keystroke on an RS256 tab feels), else with RustCrypto,
/// so a short key is still checked (and reported by `jwt.rsa-key-short`).
fn verify_rsa(key: &RsaPublicKey, alg: Alg, input: &[u8], signature: &[u8]) -> bool {
    use aws_lc_rs::signature::RsaPublicKeyComponents;
    if (2048..=8192).contains(&key.n().bits()) {
        let (parameters, _) = aws_lc_rsa(alg);
        let components = RsaPublicKeyComponents {
            n: key.n().to_bytes_be(),
            e: key.e().to_bytes_be(),
        };
        return components.verify(parameters, input, signature).is_ok();
    }
    let hashed = alg.hash().digest(input);
    if alg.is_pss() {
        key.verify(alg.hash().pss(), &hashed, signature).is_ok()
    } else {
        key.verify(alg.hash().pkcs1v15(), &hashed, signature)
            .is_ok()
    }
}

/// An RSA private key, parsed once: its public half, and the prepared key AWS-LC signs with
/// (within a few percent of OpenSSL; RustCrypto's `rsa` is several times slower). AWS-LC refuses
/// keys under 2048 bits and over 8192: those sign with RustCrypto.
pub struct RsaKey {
    key: RsaPrivateKey,
    public: RsaPublicKey,
    prepared: Option<aws_lc_rs::rsa::KeyPair>,
}

impl RsaKey {
    pub fn new(key: RsaPrivateKey) -> RsaKey {
        use rsa::pkcs8::EncodePrivateKey;
        let prepared = key
            .to_pkcs8_der()
            .ok()
            .and_then(|der| aws_lc_rs::rsa::KeyPair::from_pkcs8(der.as_bytes()).ok());
        RsaKey {
            public: key.to_public_key(),
            key,
            prepared,
        }
    }

    /// Signs the hash of `input` (PKCS#1 v1.5, or PSS with a random salt as long as the hash).
    fn sign(&self, alg: Alg, input: &[u8]) -> Result<Vec<u8>, String> {
        if let Some(prepared) = &self.prepared {
            let (_, padding) = aws_lc_rsa(alg);
            let mut out = vec![0; prepared.public_modulus_len()];
            return prepared
                .sign(
                    padding,
                    &aws_lc_rs::rand::SystemRandom::new(),
                    input,
                    &mut out,
                )
                .map(|()| out)
                .map_err(|_| "the RSA signature could not be made".to_string());
        }
        let hashed = alg.hash().digest(input);
        let mut rng = rand::thread_rng();
        let signed = if alg.is_pss() {
            self.key.sign_with_rng(&mut rng, alg.hash().pss(), &hashed)
        } else {
            self.key
                .sign_with_rng(&mut rng, alg.hash().pkcs1v15(), &hashed)
        };
        signed.map_err(|e| e.to_string())
    }
}

/// A private key that signs RS/PS/ES/EdDSA tokens (and, through its public half, checks them).
#[derive(Clone)]
pub enum PrivateKey {
    Rsa(std::sync::Arc<RsaKey>),
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
}

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PrivateKey({}, <redacted>)", self.describe())
    }
}

impl PrivateKey {
    pub fn public(&self) -> PublicKey {
        match self {
            PrivateKey::Rsa(key) => PublicKey::Rsa(key.public.clone()),
            PrivateKey::P256(key) => PublicKey::P256(*key.verifying_key()),
            PrivateKey::P384(key) => PublicKey::P384(*key.verifying_key()),
            PrivateKey::P521(key) => PublicKey::P521(p521::ecdsa::VerifyingKey::from(key)),
            PrivateKey::Ed25519(key) => PublicKey::Ed25519(key.verifying_key()),
        }
    }

    pub fn family(&self) -> Family {
        match self {
            // Without cloning the modulus, as signing asks on every token.
            PrivateKey::Rsa(_) => Family::Rsa,
            other => other.public().family(),
        }
    }

    /// An RSA private key, prepared for signing.
    pub fn rsa(key: RsaPrivateKey) -> PrivateKey {
        PrivateKey::Rsa(std::sync::Arc::new(RsaKey::new(key)))
    }

    /// "an RSA-2048 private key", for sentences.
    pub fn describe(&self) -> String {
        self.public().describe().replace("public", "private")
    }

    /// Signs `input` with `alg`, which must be of the key's family. RSA signs with blinding
    /// (PKCS#1 v1.5 signatures come out the same; PSS salts are random); ECDSA is deterministic
    /// (RFC 6979), its signature the fixed-length `r ‖ s` of JWS.
    pub fn sign(&self, alg: Alg, input: &[u8]) -> Result<Vec<u8>, String> {
        use p256::ecdsa::signature::Signer;
        if alg.family() != self.family() {
            return Err(format!(
                "{} needs {}, not {}",
                alg.name(),
                alg.family().describe(),
                self.describe()
            ));
        }
        match self {
            PrivateKey::Rsa(key) => key.sign(alg, input),
            PrivateKey::P256(key) => {
                let signature: p256::ecdsa::Signature = key.sign(input);
                Ok(signature.to_bytes().to_vec())
            }
            PrivateKey::P384(key) => {
                let signature: p384::ecdsa::Signature = key.sign(input);
                Ok(signature.to_bytes().to_vec())
            }
            PrivateKey::P521(key) => {
                let signature: p521::ecdsa::Signature = key.sign(input);
                Ok(signature.to_bytes().to_vec())
            }
            PrivateKey::Ed25519(key) => Ok(key.sign(input).to_bytes().to_vec()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_exact_and_families_right() {
        for alg in Alg::ALL {
            assert_eq!(Alg::from_name(alg.name()), Some(alg));
        }
        assert_eq!(Alg::from_name("hs256"), None);
        assert_eq!(Alg::from_name("none"), None);
        assert_eq!(Alg::from_name("ES521"), None);
        assert_eq!(Alg::Es512.family(), Family::Ec(Curve::P521));
        assert!(Alg::EdDsa.answers_to("Ed25519") && Alg::Ed25519.answers_to("EdDSA"));
        assert!(!Alg::Ps256.answers_to("RS256"));
    }

    #[test]
    fn rsa_signatures_verify_with_aws_lc_as_with_rustcrypto() {
        use rsa::pkcs8::DecodePrivateKey;
        let pem = include_str!("../../assets/demo/vonage-private-key.pem");
        let key = RsaPrivateKey::from_pkcs8_pem(pem).unwrap();
        let public = key.to_public_key();
        let key = PrivateKey::rsa(key);
        let rustcrypto = |alg: Alg, input: &[u8], signature: &[u8]| {
            let hashed = alg.hash().digest(input);
            if alg.is_pss() {
                public.verify(alg.hash().pss(), &hashed, signature).is_ok()
            } else {
                public
                    .verify(alg.hash().pkcs1v15(), &hashed, signature)
                    .is_ok()
            }
        };
        let algs = [
            Alg::Rs256,
            Alg::Rs384,
            Alg::Rs512,
            Alg::Ps256,
            Alg::Ps384,
            Alg::Ps512,
        ];
        for alg in algs {
            let signature = key.sign(alg, b"input").unwrap();
            let mut tampered = signature.clone();
            tampered[100] ^= 1;
            for other in algs {
                for (input, signature) in [
                    (&b"input"[..], &signature),
                    (b"other", &signature),
                    (b"input", &tampered),
                ] {
                    assert_eq!(
                        verify_rsa(&public, other, input, signature),
                        rustcrypto(other, input, signature),
                        "{alg:?} checked as {other:?}"
                    );
                }
            }
            assert!(verify_rsa(&public, alg, b"input", &signature), "{alg:?}");
            assert!(!verify_rsa(&public, alg, b"input", &tampered), "{alg:?}");
        }
    }

    #[test]
    fn every_curve_signs_and_verifies_and_refuses_other_algorithms() {
        let mut rng = rand::thread_rng();
        let keys = [
            (
                PrivateKey::P256(p256::ecdsa::SigningKey::random(&mut rng)),
                Alg::Es256,
                64,
            ),
            (
                PrivateKey::P384(p384::ecdsa::SigningKey::random(&mut rng)),
                Alg::Es384,
                96,
            ),
            (
                PrivateKey::P521(p521::ecdsa::SigningKey::random(&mut rng)),
                Alg::Es512,
                132,
            ),
            (
                PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&[7; 32])),
                Alg::EdDsa,
                64,
            ),
        ];
        for (key, alg, len) in keys {
            let signature = key.sign(alg, b"input").unwrap();
            assert_eq!(signature.len(), len, "{alg:?}");
            assert!(key.public().verify(alg, b"input", &signature));
            assert!(!key.public().verify(alg, b"other", &signature));
            assert!(!key.public().verify(Alg::Rs256, b"input", &signature));
            assert!(key.sign(Alg::Hs256, b"input").is_err());
        }
    }
}
