'use strict';
// Write a throwaway key set for every JWS algorithm family into OUTDIR, in every file format
// a JWT verifier meets (the formats jwt.io's "verify signature" box takes).
//
//   node jose_keys.js OUTDIR
//
// OUTDIR is created if missing (its parent must exist); existing files with these names are overwritten. Private key
// files are written mode 0600.
//
// Calls:
//   node:crypto generateKeyPairSync("rsa", {modulusLength: 2048 | 1024}), ("ec", {namedCurve:
//     "P-256" | "P-384" | "P-521"}), ("ed25519"), then KeyObject.export({format: "pem", type:
//     "pkcs1" | "pkcs8" | "sec1" | "spki"}) for the PEMs (jose itself only writes PKCS#8/SPKI,
//     and only for keys it holds, so node's exporter is used for all PEMs alike);
//   jose 6 exportJWK(KeyObject) for every JWK (then kid, alg and use: "sig" are added);
//   openssl req -x509 -new -key <PKCS#8 PEM> -days 1 -subj "/CN=tokenbench interop <family>"
//     [-sha256] -out <cert> for the self-signed certificates (node cannot create certificates);
//   node:crypto randomBytes for the HMAC secrets.
//
// Keys (kid, JWK alg):
//   rsa      RSA-2048 "rsa-a"  RS256        rsa2     second RSA-2048 "rsa-b"  RS256
//   rsa1024  RSA-1024 "rsa-1024" RS256 (too short for jose: it refuses < 2048 bits)
//   ec_p256  "ec-p256" ES256    ec_p384 "ec-p384" ES384    ec_p521 "ec-p521" ES512
//   ed25519  "ed25519" EdDSA (the one Ed25519 alg name both jose 6 and PyJWT accept)
//   hmac_secret       32 random bytes, raw (not text);  hmac_secret_short  5 random ASCII letters
//   hmac_secret_jwk   {"kty":"oct","k":<hmac_secret>,"kid":"hs-1","alg":"HS256"}
// JWKS files (public keys only):
//   jwks         rsa-a, ec-p256, ed25519, rsa-b   with kid and alg
//   jwks_no_alg  the same keys with kid, without alg
//   jwks_no_kid  the same keys with alg, without kid
//
// Prints {"files": {name: path, ...}, "kids": {name: kid}, "hmac_secret_base64url": "...",
//         "hmac_secret_short_text": "..."}. The names are stable across runs (the keys are not).
const crypto = require('crypto');
const v8 = require('v8');
const vm = require('vm');
const fs = require('fs');
const path = require('path');
const { execFileSync } = require('child_process');
const { parseArgs, out, fail } = require('./lib/common');

const { positional } = parseArgs(process.argv.slice(2), []);
if (positional.length !== 1) fail('usage: jose_keys.js OUTDIR');
const outdir = path.resolve(positional[0]);

// Node 20 can deadlock exporting a JWK: when the export's allocation starts a garbage
// collection that destroys the finished job of an earlier generateKeyPairSync, the job's
// destructor waits on a mutex the export holds (seen here: ExportJWKEcKey → GC →
// ~KeyGenJob → uv_mutex_lock, the script stuck for good). Collecting right after each
// generation destroys the job before any export runs.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');
function generateKeyPair(type, options) {
  const pair = crypto.generateKeyPairSync(type, options);
  collectGarbage();
  return pair;
}

// A random HMAC secret that the readers' key-file detection cannot take for text: jose_verify.js
// decodes a file lossily and trims it, so a draw that began with '{' after any whitespace (about
// one in 250) was read as broken JSON and failed the run ("looks like JSON but is not"); a first
// byte 0x30 or a PEM header would send tokenbench down its DER or PEM path first.
function binarySecret() {
  for (;;) {
    const secret = crypto.randomBytes(32);
    const text = secret.toString('utf8').trim();
    if (!text.startsWith('{') && !text.includes('-----BEGIN ') && secret[0] !== 0x30) return secret;
  }
}

async function main() {
  const { exportJWK } = await import('jose');
  // Not {recursive: true}: node 20's recursive mkdirSync spins forever on some unwritable
  // parents (seen with /proc/...); only the last path component is created.
  if (!fs.existsSync(outdir)) {
    try {
      fs.mkdirSync(outdir);
    } catch (e) {
      fail(`cannot create ${outdir}: ${e.message}`);
    }
  }
  const files = {};
  const kids = {};

  function write(name, filename, data, secret) {
    const p = path.join(outdir, filename);
    fs.writeFileSync(p, data, { mode: secret ? 0o600 : 0o644 });
    if (secret) fs.chmodSync(p, 0o600);
    files[name] = p;
    return p;
  }
  const json = (obj) => JSON.stringify(obj, null, 2) + '\n';

  async function jwks(kid, alg, pair) {
    const pub = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
    const priv = { ...(await exportJWK(pair.privateKey)), kid, alg, use: 'sig' };
    return { pub, priv };
  }

  function certificate(name, keyPath, family, digest) {
    const certPath = path.join(outdir, `${name.replace(/_pem$/, '')}.pem`);
    const args = ['req', '-x509', '-new', '-key', keyPath, '-days', '1', '-subj', `/CN=tokenbench interop ${family}`, '-out', certPath];
    if (digest) args.push(digest);
    try {
      execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      fail(`openssl req -x509 failed for ${name}: ${String(e.stderr || e.message).trim().split('\n')[0]}`);
    }
    files[name] = certPath;
  }

  const publicJwks = {};

  // RSA: PKCS#1, PKCS#8, SPKI, certificate, JWKs.
  async function rsa(prefix, kid, bits, opts) {
    const pair = generateKeyPair('rsa', { modulusLength: bits });
    if (opts.pkcs1) {
      write(`${prefix}_pkcs1_private_pem`, `${prefix}_pkcs1_private.pem`, pair.privateKey.export({ type: 'pkcs1', format: 'pem' }), true);
      write(`${prefix}_pkcs1_public_pem`, `${prefix}_pkcs1_public.pem`, pair.publicKey.export({ type: 'pkcs1', format: 'pem' }));
    }
    const pkcs8 = write(`${prefix}_pkcs8_private_pem`, `${prefix}_pkcs8_private.pem`, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), true);
    write(`${prefix}_spki_public_pem`, `${prefix}_spki_public.pem`, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    if (opts.cert) certificate(`${prefix}_cert_pem`, pkcs8, `RSA-${bits}`, '-sha256');
    const { pub, priv } = await jwks(kid, 'RS256', pair);
    write(`${prefix}_public_jwk`, `${prefix}_public.jwk.json`, json(pub));
    write(`${prefix}_private_jwk`, `${prefix}_private.jwk.json`, json(priv), true);
    kids[prefix] = kid;
    publicJwks[prefix] = pub;
  }

  async function ec(prefix, kid, curve, alg, opts) {
    const pair = generateKeyPair('ec', { namedCurve: curve });
    write(`${prefix}_sec1_private_pem`, `${prefix}_sec1_private.pem`, pair.privateKey.export({ type: 'sec1', format: 'pem' }), true);
    const pkcs8 = write(`${prefix}_pkcs8_private_pem`, `${prefix}_pkcs8_private.pem`, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), true);
    write(`${prefix}_spki_public_pem`, `${prefix}_spki_public.pem`, pair.publicKey.export({ type: 'spki', format: 'pem' }));
    if (opts.cert) certificate(`${prefix}_cert_pem`, pkcs8, `EC ${curve}`, '-sha256');
    const { pub, priv } = await jwks(kid, alg, pair);
    write(`${prefix}_public_jwk`, `${prefix}_public.jwk.json`, json(pub));
    write(`${prefix}_private_jwk`, `${prefix}_private.jwk.json`, json(priv), true);
    kids[prefix] = kid;
    publicJwks[prefix] = pub;
  }

  await rsa('rsa', 'rsa-a', 2048, { pkcs1: true, cert: true });
  await rsa('rsa2', 'rsa-b', 2048, { pkcs1: true, cert: false });
  await rsa('rsa1024', 'rsa-1024', 1024, { pkcs1: false, cert: false });
  await ec('ec_p256', 'ec-p256', 'P-256', 'ES256', { cert: true });
  await ec('ec_p384', 'ec-p384', 'P-384', 'ES384', { cert: false });
  await ec('ec_p521', 'ec-p521', 'P-521', 'ES512', { cert: false });

  {
    const pair = generateKeyPair('ed25519');
    const pkcs8 = write('ed25519_pkcs8_private_pem', 'ed25519_pkcs8_private.pem', pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), true);
    write('ed25519_spki_public_pem', 'ed25519_spki_public.pem', pair.publicKey.export({ type: 'spki', format: 'pem' }));
    certificate('ed25519_cert_pem', pkcs8, 'Ed25519', null);
    const { pub, priv } = await jwks('ed25519', 'EdDSA', pair);
    write('ed25519_public_jwk', 'ed25519_public.jwk.json', json(pub));
    write('ed25519_private_jwk', 'ed25519_private.jwk.json', json(priv), true);
    kids.ed25519 = 'ed25519';
    publicJwks.ed25519 = pub;
  }

  const members = ['rsa', 'ec_p256', 'ed25519', 'rsa2'].map((k) => publicJwks[k]);
  write('jwks', 'jwks.json', json({ keys: members }));
  write('jwks_no_alg', 'jwks_no_alg.json', json({ keys: members.map(({ alg, ...rest }) => rest) }));
  write('jwks_no_kid', 'jwks_no_kid.json', json({ keys: members.map(({ kid, ...rest }) => rest) }));

  const secret = binarySecret();
  write('hmac_secret', 'hmac_secret.bin', secret, true);
  const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const short = Array.from(crypto.randomBytes(5), (b) => letters[b % letters.length]).join('');
  write('hmac_secret_short', 'hmac_secret_short.txt', short, true);
  write('hmac_secret_jwk', 'hmac_secret.jwk.json', json({ kty: 'oct', k: secret.toString('base64url'), kid: 'hs-1', alg: 'HS256' }), true);
  kids.hmac_secret = 'hs-1';

  out({ files, kids, hmac_secret_base64url: secret.toString('base64url'), hmac_secret_short_text: short });
}

main().catch((e) => fail(`broke: ${e && e.message ? e.message : e}`));
