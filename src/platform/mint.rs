//! The one mint pipeline: a [`Prepared`] platform (credentials read and signer built once) mints
//! a form at a time; a [`Minter`] mints token after token reusing its buffers. The command line,
//! bulk runs, `serve` and the workbench all mint through here.

use chrono::{DateTime, Utc};
use rand::RngCore;
use rand::rngs::StdRng;
use serde_json::Value;

use super::field::PinnedRng;
use super::{CredentialError, Credentials, Form, Platform};
use crate::token::jwt::SignError;
use crate::token::{Claims, Signer, VerifyKey, jwt};

/// Why a form did not mint; one sentence for the user.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MintError {
    /// A field holds a value the platform cannot put in a token.
    #[error("{message}")]
    Field {
        field: &'static str,
        message: String,
    },
    #[error(transparent)]
    Sign(#[from] SignError),
}

impl MintError {
    pub fn field(field: impl Into<&'static str>, message: impl Into<String>) -> Self {
        MintError::Field {
            field: field.into(),
            message: message.into(),
        }
    }
}

pub struct MintContext<'a> {
    pub now: DateTime<Utc>,
    /// For the random fields (`jti`, `nonce`): seeded from `--now` when it is given.
    pub rng: &'a mut dyn RngCore,
}

/// The token format a form mints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenFormat {
    /// A JWT: the platform writes its header and claims, the pipeline encodes and signs.
    Jwt,
    /// A format of the platform's own (OpenTok's `T1==`, Agora's `007`): the platform mints it
    /// whole ([`Platform::mint_other`]).
    Other,
}

/// Mints tokens of a format of a platform's own ([`TokenFormat::Other`]) one after another,
/// keeping what is costly to prepare (a keyed MAC) from token to token.
pub trait OtherMinter {
    fn mint(
        &mut self,
        form: &Form,
        ctx: &mut MintContext,
        out: &mut Vec<u8>,
    ) -> Result<(), MintError>;
}

/// The minter of a platform that keeps nothing between tokens: [`Platform::mint_other`].
struct EachAlone<'a> {
    platform: &'a dyn Platform,
    credentials: &'a Credentials,
}

impl OtherMinter for EachAlone<'_> {
    fn mint(
        &mut self,
        form: &Form,
        ctx: &mut MintContext,
        out: &mut Vec<u8>,
    ) -> Result<(), MintError> {
        self.platform.mint_other(form, self.credentials, ctx, out)
    }
}

/// A platform with its credentials read and its signer built: what minting needs, made once
/// (RSA keys are slow to parse).
pub struct Prepared {
    pub platform: &'static dyn Platform,
    pub credentials: Credentials,
    signer: Signer,
    /// The key that checks what the signer signs (a Vonage private key's public half), derived
    /// once: parsing an RSA private key costs as much as a signature.
    verify_key: Result<VerifyKey, CredentialError>,
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("platform", &self.platform.id())
            .field("key", &self.credentials.key)
            .finish_non_exhaustive()
    }
}

impl Prepared {
    pub fn new(
        platform: &'static dyn Platform,
        credentials: Credentials,
    ) -> Result<Prepared, CredentialError> {
        let signer = platform.signer(&credentials)?;
        let verify_key = platform.verify_key(&platform.split_secret(credentials.secret.clone()).1);
        Ok(Prepared {
            platform,
            credentials,
            signer,
            verify_key,
        })
    }

    pub fn signer(&self) -> &Signer {
        &self.signer
    }

    /// The key that checks this signer's tokens, as a report of one needs it.
    pub fn verify_key(&self) -> Result<&VerifyKey, &CredentialError> {
        self.verify_key.as_ref()
    }

    /// A minter for many tokens of this platform and key.
    pub fn minter(&self) -> Minter<'_> {
        Minter {
            prepared: self,
            jwt: None,
            other_minter: None,
            other: Vec::new(),
        }
    }

    /// Mints one token.
    pub fn mint(&self, form: &Form, ctx: &mut MintContext) -> Result<String, MintError> {
        self.minter()
            .mint(form, ctx)
            .map(|token| String::from_utf8(token.to_vec()).expect("tokens are ASCII"))
    }

    /// Mints one token at `now` with random fields drawn as `pinned` says: from the form's
    /// pinned generator (`--now`, tests), else from the operating system.
    pub fn mint_at(
        &self,
        form: &Form,
        now: DateTime<Utc>,
        pinned: bool,
    ) -> Result<String, MintError> {
        let mut entropy = None;
        let mut pinned_rng = None;
        let rng: &mut dyn RngCore = if pinned {
            pinned_rng.insert(form.pinned_rng(self.platform.fields(), now))
        } else {
            entropy.insert(<StdRng as rand::SeedableRng>::from_entropy())
        };
        self.mint(form, &mut MintContext { now, rng })
    }
}

/// Mints token after token for one prepared platform, reusing its buffers.
pub struct Minter<'a> {
    prepared: &'a Prepared,
    /// The JWT encoder and the header it was made with (the header can follow the form).
    jwt: Option<(Value, jwt::Encoder<'a>)>,
    /// The platform's own minter, made at the first token of its format.
    other_minter: Option<Box<dyn OtherMinter + 'a>>,
    other: Vec<u8>,
}

impl<'a> Minter<'a> {
    /// The token `form` mints, ASCII, as bytes so that a bulk run writes it out unchecked; it
    /// lives until the next call.
    pub fn mint(&mut self, form: &Form, ctx: &mut MintContext) -> Result<&[u8], MintError> {
        let prepared = self.prepared;
        let (platform, credentials) = (prepared.platform, &prepared.credentials);
        let mut write = |mut claims: Claims| {
            platform.write_claims(form, credentials, ctx, &mut claims)?;
            claims.finish();
            Ok::<(), MintError>(())
        };
        match platform.format(form) {
            TokenFormat::Jwt => {
                let stale = match &self.jwt {
                    None => true,
                    Some((header, _)) => {
                        platform.header_follows_form()
                            && *header
                                != platform.jwt_header(prepared.signer.alg(), form, credentials)
                    }
                };
                if stale {
                    let header = platform.jwt_header(prepared.signer.alg(), form, credentials);
                    let encoder = jwt::Encoder::new(&header, &prepared.signer);
                    self.jwt = Some((header, encoder));
                }
                let (_, encoder) = self.jwt.as_mut().expect("an encoder was just made");
                encoder.encode(|buffer| write(Claims::json(buffer, form.extra_claims())))
            }
            TokenFormat::Other => {
                self.other.clear();
                self.other_minter
                    .get_or_insert_with(|| {
                        platform.other_minter(credentials).unwrap_or_else(|| {
                            Box::new(EachAlone {
                                platform,
                                credentials,
                            })
                        })
                    })
                    .mint(form, ctx, &mut self.other)?;
                Ok(&self.other)
            }
        }
    }
}

/// The random source of one token (`jti`, `nonce`). With a pinned clock (`--now`) it is
/// [`Form::pinned_rng`], so the same inputs give the same token alone and in bulk, and the
/// seeding happens only when a platform draws. Otherwise it draws from one generator of the
/// run, seeded once from the operating system.
pub enum TokenRng<'a> {
    Pinned {
        form: &'a Form,
        platform: &'a dyn Platform,
        now: DateTime<Utc>,
        rng: Option<PinnedRng>,
    },
    Run(&'a mut StdRng),
}

impl<'a> TokenRng<'a> {
    /// The source for `form` at `pinned` when the clock is pinned, else `run`.
    pub fn new(
        platform: &'a dyn Platform,
        form: &'a Form,
        pinned: Option<DateTime<Utc>>,
        run: &'a mut StdRng,
    ) -> Self {
        match pinned {
            Some(now) => TokenRng::Pinned {
                form,
                platform,
                now,
                rng: None,
            },
            None => TokenRng::Run(run),
        }
    }

    fn rng(&mut self) -> &mut dyn RngCore {
        match self {
            TokenRng::Pinned {
                form,
                platform,
                now,
                rng,
            } => rng.get_or_insert_with(|| form.pinned_rng(platform.fields(), *now)),
            TokenRng::Run(rng) => rng,
        }
    }
}

impl RngCore for TokenRng<'_> {
    fn next_u32(&mut self) -> u32 {
        self.rng().next_u32()
    }

    fn next_u64(&mut self) -> u64 {
        self.rng().next_u64()
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.rng().fill_bytes(dest)
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.rng().try_fill_bytes(dest)
    }
}
