'use strict';
// Verify an Ably JWT the way Ably's docs describe it (ably.com/docs/auth/token/jwt, ably/docs
// src/pages/docs/auth/token/jwt.mdx): HS256 signed with the API key's secret, header `kid` = the
// key name "appId.keyId", claims `iat` and `exp` required, `x-ably-capability` required and a
// JSON *string*, `x-ably-clientId` optional. Ably's own JS examples sign with jsonwebtoken
// (`jwt.sign(claims, keySecret, {algorithm: 'HS256', keyid: keyName, expiresIn})`), so the
// signature and clock are checked with jsonwebtoken here. ably-js itself never verifies a JWT:
// it passes the token string to Ably unchanged.
//
//   node ably_jwt_verify.js TOKEN KEY [--now UNIX_SECONDS]
//
// TOKEN may be "-" (read from stdin). KEY is "appId.keyId:secret" (split at the first ":").
// Time checks are made at --now when given, else at the token's own `iat`, else the current time.
//
// Prints one JSON object:
//   valid              jsonwebtoken.verify(TOKEN, secret, {algorithms: ["HS256"], clockTimestamp})
//   error              its error message, or null
//   kid, key_name, kid_matches   header.kid, the key's name, and whether they are equal
//   capability         x-ably-capability parsed (JSON.parse of the string), or null
//   capability_error   why it is not usable (absent, not a string, not JSON, not an object of
//                      arrays of strings), or null
//   client_id          x-ably-clientId, or null
//   required_claims    {iat, exp, "x-ably-capability"}: whether each is present
//   ably_ok            valid && kid_matches && capability_error === null && every required claim
//   verify_at, header, claims
const jsonwebtoken = require('jsonwebtoken');
const { parseArgs, argOrStdin, decodeJwt, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['now']);
if (positional.length !== 2) fail('usage: ably_jwt_verify.js TOKEN KEY [--now UNIX_SECONDS]');
const token = argOrStdin(positional[0]);
const key = positional[1];
const colon = key.indexOf(':');
if (colon <= 0 || colon === key.length - 1) fail('KEY must be "appId.keyId:secret"');
const keyName = key.slice(0, colon);
const secret = key.slice(colon + 1);
const { header, claims } = decodeJwt(token);

let verifyAt = parseUnix(options.now, '--now');
if (verifyAt === undefined && claims && typeof claims.iat === 'number') verifyAt = claims.iat;
if (verifyAt === undefined) verifyAt = Math.floor(Date.now() / 1000);

let valid = false;
let error = null;
try {
  jsonwebtoken.verify(token, secret, { algorithms: ['HS256'], clockTimestamp: verifyAt });
  valid = true;
} catch (e) {
  error = String(e && e.message ? e.message : e);
}

const kid = header && typeof header.kid === 'string' ? header.kid : null;
let capability = null;
let capabilityError = null;
const raw = claims ? claims['x-ably-capability'] : undefined;
if (raw === undefined) {
  capabilityError = 'x-ably-capability is absent';
} else if (typeof raw !== 'string') {
  capabilityError = `x-ably-capability is a JSON ${Array.isArray(raw) ? 'array' : typeof raw}, not a string`;
} else {
  try {
    capability = JSON.parse(raw);
    const ok = capability && typeof capability === 'object' && !Array.isArray(capability)
      && Object.values(capability).every((ops) => Array.isArray(ops) && ops.every((op) => typeof op === 'string'));
    if (!ok) capabilityError = 'x-ably-capability is not an object of arrays of strings';
  } catch (e) {
    capabilityError = `x-ably-capability is not JSON: ${e.message}`;
  }
}
const required = {
  iat: !!claims && claims.iat !== undefined,
  exp: !!claims && claims.exp !== undefined,
  'x-ably-capability': raw !== undefined,
};
const kidMatches = kid === keyName;
out({
  valid,
  error,
  kid,
  key_name: keyName,
  kid_matches: kidMatches,
  capability,
  capability_error: capabilityError,
  client_id: claims && claims['x-ably-clientId'] !== undefined ? claims['x-ably-clientId'] : null,
  required_claims: required,
  ably_ok: valid && kidMatches && capabilityError === null && Object.values(required).every(Boolean),
  verify_at: verifyAt,
  header,
  claims,
});
