'use strict';
// Verify a Zoom Video SDK JWT (HS256) with the libraries Zoom's own samples use.
//
//   node zoom_verify.js TOKEN SECRET [--now UNIX_SECONDS]
//
// TOKEN may be "-" (read from stdin). The time checks (exp, iat, nbf) are made at
// --now when given, else at the token's own `iat` (so tokens minted with a fixed
// `--now` in the past still verify), else at the current time.
//
// Prints one JSON object:
//   jsrsasign               KJUR.jws.JWS.verifyJWT(token, {utf8: SECRET}, {alg: ["HS256"], verifyAt})
//                           (secret taken as UTF-8 bytes, unambiguously)
//   jsrsasign_sample_style  the same, but the secret passed as a bare string, exactly as
//                           zoom/videosdk-auth-endpoint-sample passes it to KJUR.jws.JWS.sign.
//                           Quirk: jsrsasign treats a bare string made only of an even number
//                           of hex digits as HEX, so for such secrets this is false while the
//                           UTF-8 check is true (Zoom's sample would sign with other key bytes).
//   jsonwebtoken            jsonwebtoken.verify(token, SECRET, {algorithms: ["HS256"], clockTimestamp})
//   jsonwebtoken_error      its error message, or null
//   verify_at, header, claims
const { KJUR } = require('jsrsasign');
const jsonwebtoken = require('jsonwebtoken');
const { parseArgs, argOrStdin, decodeJwt, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['now']);
if (positional.length !== 2) fail('usage: zoom_verify.js TOKEN SECRET [--now UNIX_SECONDS]');
const token = argOrStdin(positional[0]);
const secret = positional[1];
const { header, claims } = decodeJwt(token);

let verifyAt = parseUnix(options.now, '--now');
if (verifyAt === undefined && claims && typeof claims.iat === 'number') verifyAt = claims.iat;
if (verifyAt === undefined) verifyAt = Math.floor(Date.now() / 1000);

function jsrsasign(key) {
  try {
    return KJUR.jws.JWS.verifyJWT(token, key, { alg: ['HS256'], verifyAt }) === true;
  } catch (_) {
    return false;
  }
}

let jwtOk = false;
let jwtError = null;
try {
  jsonwebtoken.verify(token, secret, { algorithms: ['HS256'], clockTimestamp: verifyAt });
  jwtOk = true;
} catch (e) {
  jwtError = String(e && e.message ? e.message : e);
}

out({
  jsrsasign: jsrsasign({ utf8: secret }),
  jsrsasign_sample_style: jsrsasign(secret),
  jsonwebtoken: jwtOk,
  jsonwebtoken_error: jwtError,
  verify_at: verifyAt,
  header,
  claims,
});
