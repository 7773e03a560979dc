'use strict';
// Verify an HS256 JWT with jsonwebtoken, as the OpenTok and Relaybox servers' stacks do:
// relaybox/auth and relaybox-rest-js `verifyAuthToken` call jsonwebtoken.verify(token, secret,
// {issuer}); OpenTok API-key JWTs are jsonwebtoken.sign(claims, apiSecret) in opentok-node.
//
//   node jwt_verify.js TOKEN SECRET [--now UNIX_SECONDS] [--issuer ISS]
//
// TOKEN may be "-" (read from stdin). Time checks are made at --now when given, else at the
// token's own `iat`, else at the current time. With --issuer, `iss` must equal it.
//
// Prints one JSON object:
//   jsonwebtoken        jsonwebtoken.verify(TOKEN, SECRET, {algorithms: ["HS256"], clockTimestamp, issuer?})
//   jsonwebtoken_error  its error message, or null
//   verify_at, header, claims
const jsonwebtoken = require('jsonwebtoken');
const { parseArgs, argOrStdin, decodeJwt, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['now', 'issuer']);
if (positional.length !== 2) fail('usage: jwt_verify.js TOKEN SECRET [--now UNIX_SECONDS] [--issuer ISS]');
const token = argOrStdin(positional[0]);
const secret = positional[1];
const { header, claims } = decodeJwt(token);

let verifyAt = parseUnix(options.now, '--now');
if (verifyAt === undefined && claims && typeof claims.iat === 'number') verifyAt = claims.iat;
if (verifyAt === undefined) verifyAt = Math.floor(Date.now() / 1000);

const verifyOptions = { algorithms: ['HS256'], clockTimestamp: verifyAt };
if (options.issuer !== undefined) verifyOptions.issuer = options.issuer;

let ok = false;
let error = null;
try {
  jsonwebtoken.verify(token, secret, verifyOptions);
  ok = true;
} catch (e) {
  error = String(e && e.message ? e.message : e);
}

out({ jsonwebtoken: ok, jsonwebtoken_error: error, verify_at: verifyAt, header, claims });
