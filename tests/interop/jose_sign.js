'use strict';
// Mint a JWT with jose 6 (panva/jose), for any JWS algorithm and any key file format.
//
//   node jose_sign.js ALG KEYFILE [--kid K] [--header JSON] [--claims JSON] [--now UNIX_SECONDS]
//                     [--key-as auto|raw] [--import auto|jose]
//
// Calls  await new SignJWT(CLAIMS).setProtectedHeader({alg: ALG, ...HEADER, kid?: K}).sign(KEY)
// (for ALG "none": new UnsecuredJWT(CLAIMS).encode(), KEYFILE is ignored and may be "-"; that
// API always writes the header {"alg":"none"}, so --kid/--header are refused with it).
// CLAIMS default to {"sub":"jose-test","iat":NOW,"exp":NOW+3600}, NOW = --now or the real
// clock; --claims replaces them entirely (a JSON object). No "typ" is added unless --header
// has it (SignJWT writes exactly the protected header it is given, in that key order: alg,
// then --header's members, then kid).
//
// KEY is read from KEYFILE according to what the file holds:
//   "-----BEGIN PRIVATE KEY-----" (PKCS#8)      importPKCS8(pem, ALG)
//   "-----BEGIN RSA PRIVATE KEY-----" (PKCS#1) or "-----BEGIN EC PRIVATE KEY-----" (SEC1):
//       jose has no importer for these; node:crypto createPrivateKey(pem) and the KeyObject is
//       passed to sign() (jose accepts KeyObjects in Node). With --import jose, importPKCS8 is
//       called on them anyway, to show jose's own error.
//   "-----BEGIN PUBLIC KEY-----"                importSPKI(pem, ALG)   (sign() then refuses it)
//   "-----BEGIN CERTIFICATE-----"               importX509(pem, ALG)   (likewise)
//   a JSON object with "kty"                    importJWK(jwk, ALG)    (oct → Uint8Array)
//   a JSON object with "keys" (a JWKS)          refused: a JWKS holds public keys
//   anything else                               the file's raw bytes as a Uint8Array (HMAC secret)
// --key-as raw skips the sniffing: the raw bytes of KEYFILE are the key whatever they are
// (jose then HMACs with e.g. a PEM's bytes: how a key-confusion token is forged).
//
// Prints one JSON object:
//   token       the compact JWT, or null when jose refused to sign
//   error       jose's error "Name: message" when it refused (or the import failed), else null
//   error_code  jose's error .code (e.g. ERR_JOSE_NOT_SUPPORTED) or the JS error name, else null
//   stage       "import" | "sign" where it failed, else null
//   key_import  the call that produced KEY (e.g. "importPKCS8")
//   header, payload   what was (to be) signed
const crypto = require('crypto');
const fs = require('fs');
const { parseArgs, decodeJwt, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['kid', 'header', 'claims', 'now', 'key-as', 'import']);
if (positional.length !== 2) fail('usage: jose_sign.js ALG KEYFILE [--kid K] [--header JSON] [--claims JSON] [--now UNIX_SECONDS] [--key-as auto|raw] [--import auto|jose]');
const [alg, keyFile] = positional;
const keyAs = options['key-as'] || 'auto';
const importMode = options.import || 'auto';
if (!['auto', 'raw'].includes(keyAs)) fail('--key-as must be auto or raw');
if (!['auto', 'jose'].includes(importMode)) fail('--import must be auto or jose');

function parseJsonObject(text, what) {
  let v;
  try {
    v = JSON.parse(text);
  } catch (e) {
    fail(`${what} is not JSON: ${e.message}`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(`${what} must be a JSON object`);
  return v;
}

const now = options.now === undefined ? Math.floor(Date.now() / 1000) : parseUnix(options.now, '--now');
const claims = options.claims === undefined ? { sub: 'jose-test', iat: now, exp: now + 3600 } : parseJsonObject(options.claims, '--claims');
const extraHeader = options.header === undefined ? {} : parseJsonObject(options.header, '--header');
if (extraHeader.alg !== undefined && extraHeader.alg !== alg) fail(`--header alg ${JSON.stringify(extraHeader.alg)} differs from ALG ${JSON.stringify(alg)}`);
const header = { alg, ...extraHeader };
if (options.kid !== undefined) header.kid = options.kid;

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
  const text = bytes.toString('utf8');
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const obj = parseJsonObject(trimmed, keyFile);
    if (Array.isArray(obj.keys)) fail('KEYFILE is a JWKS (public keys); sign with a private JWK or PEM');
    return { key: await jose.importJWK(obj, alg), keyImport: 'importJWK' };
  }
  if (trimmed.startsWith('-----BEGIN PRIVATE KEY-----')) return { key: await jose.importPKCS8(trimmed, alg), keyImport: 'importPKCS8' };
  if (trimmed.startsWith('-----BEGIN RSA PRIVATE KEY-----') || trimmed.startsWith('-----BEGIN EC PRIVATE KEY-----')) {
    if (importMode === 'jose') return { key: await jose.importPKCS8(trimmed, alg), keyImport: 'importPKCS8 (--import jose)' };
    return { key: crypto.createPrivateKey(trimmed), keyImport: 'crypto.createPrivateKey (PKCS#1/SEC1 PEM) -> KeyObject' };
  }
  if (trimmed.startsWith('-----BEGIN PUBLIC KEY-----')) return { key: await jose.importSPKI(trimmed, alg), keyImport: 'importSPKI' };
  if (trimmed.startsWith('-----BEGIN CERTIFICATE-----')) return { key: await jose.importX509(trimmed, alg), keyImport: 'importX509' };
  if (trimmed.startsWith('-----BEGIN RSA PUBLIC KEY-----')) {
    if (importMode === 'jose') return { key: await jose.importSPKI(trimmed, alg), keyImport: 'importSPKI (--import jose)' };
    return { key: crypto.createPublicKey(trimmed), keyImport: 'crypto.createPublicKey (PKCS#1 public PEM) -> KeyObject' };
  }
  return { key: new Uint8Array(bytes), keyImport: 'raw file bytes as Uint8Array' };
}

async function main() {
  const jose = await import('jose');
  if (alg === 'none') {
    if (options.kid !== undefined || options.header !== undefined) fail('UnsecuredJWT writes only {"alg":"none"}: --kid/--header cannot be used with ALG none');
    const token = new jose.UnsecuredJWT(claims).encode();
    const d = decodeJwt(token);
    out({ token, error: null, error_code: null, stage: null, key_import: 'none (UnsecuredJWT, no key)', header: d.header, payload: d.claims });
    return;
  }
  let loaded;
  try {
    loaded = await loadKey(jose);
  } catch (e) {
    out({ token: null, error: errorText(e), error_code: errorCode(e), stage: 'import', key_import: null, header, payload: claims });
    return;
  }
  let token;
  try {
    token = await new jose.SignJWT(claims).setProtectedHeader(header).sign(loaded.key);
  } catch (e) {
    out({ token: null, error: errorText(e), error_code: errorCode(e), stage: 'sign', key_import: loaded.keyImport, header, payload: claims });
    return;
  }
  const d = decodeJwt(token);
  out({ token, error: null, error_code: null, stage: null, key_import: loaded.keyImport, header: d.header, payload: d.claims });
}

main().catch((e) => fail(`broke: ${e && e.message ? e.message : e}`));
