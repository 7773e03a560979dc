'use strict';
// Verify a JWT with jose 6 (panva/jose) against a key file in any format, as jwt.io does.
//
//   node jose_verify.js TOKEN KEYFILE [--alg A] [--now UNIX_SECONDS] [--key-as auto|raw]
//                       [--import auto|jose]
//
// TOKEN may be "-" (read from stdin).
//
// Calls  await jwtVerify(TOKEN, KEY, {algorithms?: [A], currentDate?, clockTolerance})
//   --alg A   the verifier pins A: KEY is imported for A and algorithms: [A] is passed.
//             Without it KEY is imported for the token header's own alg (what jwt.io does)
//             and no algorithms list is passed.
//   --now S   currentDate: new Date(S * 1000), clockTolerance 0: exp/nbf are checked at S.
//             Without it clockTolerance is Number.MAX_SAFE_INTEGER (seconds), i.e. exp and nbf
//             are never failed (jose still rejects a non-numeric exp/nbf/iat).
//
// KEY is read from KEYFILE according to what the file holds (ALG = --alg or the header's alg):
//   "-----BEGIN PUBLIC KEY-----" (SPKI)         importSPKI(pem, ALG)
//   "-----BEGIN CERTIFICATE-----"               importX509(pem, ALG)
//   "-----BEGIN RSA PUBLIC KEY-----" (PKCS#1)   jose has no importer: node:crypto
//       createPublicKey(pem) → KeyObject (jose accepts KeyObjects in Node)
//   a private key PEM (PKCS#8 "BEGIN PRIVATE KEY", PKCS#1, SEC1 "BEGIN EC PRIVATE KEY"):
//       node:crypto createPublicKey(pem) derives the public KeyObject
//   a JSON object with "keys" (JWKS)            createLocalJWKSet(jwks) (picks by kid/alg/kty/crv)
//   a JSON object with "kty" (JWK)              importJWK(jwk, ALG) (oct → Uint8Array); a private
//       JWK (with "d"): node:crypto createPublicKey({key: jwk, format: "jwk"}) → KeyObject
//   anything else                               the file's raw bytes as a Uint8Array (HMAC secret)
// --import jose: no node:crypto help; the private PEM/JWK goes to importPKCS8/importJWK and a
//   PKCS#1/SEC1 PEM to importPKCS8/importSPKI, so jose's own refusal shows.
// --key-as raw: the raw bytes of KEYFILE are the key whatever they are (e.g. an RSA public PEM's
//   bytes as an HMAC secret: the key-confusion check).
//
// When a JWKS gives ERR_JWKS_MULTIPLE_MATCHING_KEYS, the recipe from jose's createLocalJWKSet
// docs is also run: `for await (const key of error)` try jwtVerify(TOKEN, key, options), skipping
// ERR_JWS_SIGNATURE_VERIFICATION_FAILED; its verdict is in "jwks_iteration".
//
// Prints one JSON object:
//   valid          jwtVerify resolved
//   error          jose's error "Name: message" (or the key import's), else null
//   error_code     jose's error .code (ERR_JWS_SIGNATURE_VERIFICATION_FAILED, ...) or the JS error name
//   stage          "import" | "verify" where it failed, else null
//   key_import     the call that produced KEY
//   alg            the alg KEY was imported for;  algorithms  the allow-list passed, or null
//   clock          {current_date: S or null, clock_tolerance}
//   jwks_iteration {valid, error, error_code, tried} or null (see above)
//   header, payload  jose's protectedHeader/payload when valid, else a tolerant decode
const crypto = require('crypto');
const fs = require('fs');
const { parseArgs, argOrStdin, decodeJwt, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['alg', 'now', 'key-as', 'import']);
if (positional.length !== 2) fail('usage: jose_verify.js TOKEN KEYFILE [--alg A] [--now UNIX_SECONDS] [--key-as auto|raw] [--import auto|jose]');
const token = argOrStdin(positional[0]);
const keyFile = positional[1];
const keyAs = options['key-as'] || 'auto';
const importMode = options.import || 'auto';
if (!['auto', 'raw'].includes(keyAs)) fail('--key-as must be auto or raw');
if (!['auto', 'jose'].includes(importMode)) fail('--import must be auto or jose');
const now = parseUnix(options.now, '--now');

const decoded = decodeJwt(token);
const alg = options.alg !== undefined ? options.alg : decoded.header && decoded.header.alg;

const verifyOptions = {};
if (options.alg !== undefined) verifyOptions.algorithms = [options.alg];
if (now !== undefined) {
  verifyOptions.currentDate = new Date(now * 1000);
  verifyOptions.clockTolerance = 0;
} else {
  verifyOptions.clockTolerance = Number.MAX_SAFE_INTEGER;
}

const errorCode = (e) => (e && (e.code || e.name)) || null;
const errorText = (e) => (e && e.name ? `${e.name}: ${e.message}` : String(e));

async function loadKey(jose) {
  let bytes;
  try {
    bytes = fs.readFileSync(keyFile);
  } catch (e) {
    fail(`cannot read ${keyFile}: ${e.message}`);
  }
  if (keyAs === 'raw') return { key: new Uint8Array(bytes), keyImport: 'raw file bytes as Uint8Array (--key-as raw)' };
  const trimmed = bytes.toString('utf8').trim();
  if (trimmed.startsWith('{')) {
    let obj;
    try {
      obj = JSON.parse(trimmed);
    } catch (e) {
      fail(`${keyFile} looks like JSON but is not: ${e.message}`);
    }
    if (obj && Array.isArray(obj.keys)) return { key: jose.createLocalJWKSet(obj), keyImport: 'createLocalJWKSet', jwks: true };
    if (obj && typeof obj.d === 'string' && importMode === 'auto') {
      return { key: crypto.createPublicKey({ key: obj, format: 'jwk' }), keyImport: 'crypto.createPublicKey (private JWK) -> public KeyObject' };
    }
    return { key: await jose.importJWK(obj, alg), keyImport: 'importJWK' };
  }
  if (trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) return { key: await jose.importSPKI(trimmed, alg), keyImport: 'importSPKI' };
  if (trimmed.startsWith('-----BEGIN CERTIFICATE-----')) return { key: await jose.importX509(trimmed, alg), keyImport: 'importX509' };
  if (trimmed.startsWith('-----BEGIN RSA PUBLIC KEY-----')) {
    if (importMode === 'jose') return { key: await jose.importSPKI(trimmed, alg), keyImport: 'importSPKI (--import jose)' };
    return { key: crypto.createPublicKey(trimmed), keyImport: 'crypto.createPublicKey (PKCS#1 public PEM) -> KeyObject' };
  }
  if (/^-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(trimmed)) {
    if (importMode === 'jose') return { key: await jose.importPKCS8(trimmed, alg), keyImport: 'importPKCS8 (--import jose)' };
    return { key: crypto.createPublicKey(trimmed), keyImport: 'crypto.createPublicKey (private key PEM) -> public KeyObject' };
  }
  return { key: new Uint8Array(bytes), keyImport: 'raw file bytes as Uint8Array' };
}

// jose's documented recipe for ERR_JWKS_MULTIPLE_MATCHING_KEYS (createLocalJWKSet docs).
async function iterateCandidates(jose, error) {
  let tried = 0;
  for await (const publicKey of error) {
    tried++;
    try {
      const r = await jose.jwtVerify(token, publicKey, verifyOptions);
      return { valid: true, error: null, error_code: null, tried, result: r };
    } catch (inner) {
      if (inner && inner.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED') continue;
      return { valid: false, error: errorText(inner), error_code: errorCode(inner), tried };
    }
  }
  const e = new jose.errors.JWSSignatureVerificationFailed();
  return { valid: false, error: errorText(e), error_code: e.code, tried };
}

async function main() {
  const jose = await import('jose');
  const clock = { current_date: now === undefined ? null : now, clock_tolerance: verifyOptions.clockTolerance };
  const base = { alg: alg === undefined ? null : alg, algorithms: verifyOptions.algorithms || null, clock };
  let loaded;
  try {
    loaded = await loadKey(jose);
  } catch (e) {
    out({ valid: false, error: errorText(e), error_code: errorCode(e), stage: 'import', key_import: null, ...base, jwks_iteration: null, header: decoded.header, payload: decoded.claims });
    return;
  }
  try {
    const r = await jose.jwtVerify(token, loaded.key, verifyOptions);
    out({ valid: true, error: null, error_code: null, stage: null, key_import: loaded.keyImport, ...base, jwks_iteration: null, header: r.protectedHeader, payload: r.payload });
  } catch (e) {
    let iteration = null;
    let header = decoded.header;
    let payload = decoded.claims;
    if (loaded.jwks && e && e.code === 'ERR_JWKS_MULTIPLE_MATCHING_KEYS') {
      const it = await iterateCandidates(jose, e);
      if (it.result) {
        header = it.result.protectedHeader;
        payload = it.result.payload;
        delete it.result;
      }
      iteration = it;
    }
    out({ valid: false, error: errorText(e), error_code: errorCode(e), stage: 'verify', key_import: loaded.keyImport, ...base, jwks_iteration: iteration, header, payload });
  }
}

main().catch((e) => fail(`broke: ${e && e.message ? e.message : e}`));
