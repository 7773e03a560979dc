'use strict';
// Verify a Vonage Video client token (RS256) with @vonage/jwt's own verifySignature.
//
//   node vonage_verify.js TOKEN PRIVATE_KEY_PEM_PATH [--now UNIX_SECONDS]
//
// TOKEN may be "-" (read from stdin).
//
// @vonage/jwt 1.17.1 (dist/cjs/verifySignature.js) is
//     verifySignature(jwt, privateKey) =>
//       jsonwebtoken.verify(jwt, privateKey, {algorithms: ["RS256", "HS256"]}) ? true : false
// i.e. it takes the *private* key PEM (a string or Buffer; the name says so) and jsonwebtoken
// derives the public key from it; a public key PEM works too. It has no clock option: it checks
// `exp`/`nbf` against the real current time, so only tokens that are valid *now* pass.
//
// Prints one JSON object:
//   verifySignature            verifySignature(TOKEN, <private key PEM>)       (vendor call, real time)
//   verifySignature_public_key verifySignature(TOKEN, <public key PEM derived from it>)
//   signature_only             jsonwebtoken.verify(TOKEN, key, {algorithms: ["RS256"], clockTimestamp})
//                              at --now, else the token's iat: the signature without the clock
//   error                      jsonwebtoken's reason when verifySignature is false, else null
//   header, claims
const crypto = require('crypto');
const fs = require('fs');
const jsonwebtoken = require('jsonwebtoken');
const { verifySignature } = require('@vonage/jwt');
const { parseArgs, argOrStdin, decodeJwt, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['now']);
if (positional.length !== 2) fail('usage: vonage_verify.js TOKEN PRIVATE_KEY_PEM_PATH [--now UNIX_SECONDS]');
const token = argOrStdin(positional[0]);
let privatePem;
try {
  privatePem = fs.readFileSync(positional[1], 'utf8');
} catch (e) {
  fail(`cannot read ${positional[1]}: ${e.message}`);
}
let publicPem;
try {
  publicPem = crypto.createPublicKey(privatePem).export({ type: 'spki', format: 'pem' });
} catch (e) {
  fail(`${positional[1]} is not a usable RSA key: ${e.message}`);
}
const { header, claims } = decodeJwt(token);

let at = parseUnix(options.now, '--now');
if (at === undefined && claims && typeof claims.iat === 'number') at = claims.iat;
if (at === undefined) at = Math.floor(Date.now() / 1000);

function reason(opts) {
  try {
    jsonwebtoken.verify(token, privatePem, opts);
    return null;
  } catch (e) {
    return String(e && e.message ? e.message : e);
  }
}

const vendor = verifySignature(token, privatePem);
out({
  verifySignature: vendor,
  verifySignature_public_key: verifySignature(token, publicPem),
  signature_only: reason({ algorithms: ['RS256'], clockTimestamp: at }) === null,
  error: vendor ? null : reason({ algorithms: ['RS256', 'HS256'] }),
  header,
  claims,
});
