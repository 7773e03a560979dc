'use strict';
// What a Vonage Video client token looks like when @vonage/video mints it, fully offline:
// a throwaway RSA key is generated in-process and `new Video({applicationId, privateKey})`
// only builds an Auth object (no request is made); generateClientToken() signs locally
// through @vonage/jwt's tokenGenerate.
//
//   node vonage_claims.js [--app-id UUID] [--session-id SID] [--role R] [--data TEXT]
//                         [--expire-time UNIX_SECONDS] [--layout "class1 class2"]
//
// Defaults: a made-up application id, a made-up session id, role "moderator", data "name=bob"
// (connection data set), no expireTime (the SDK's 24 h default), no layout classes.
// Prints {"header": {...}, "claim_names": [sorted], "claims": {...}, "self_verified": bool}.
const crypto = require('crypto');
const { Video } = require('@vonage/video');
const { verifySignature } = require('@vonage/jwt');
const { parseArgs, decodeJwt, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), [
  'app-id', 'session-id', 'role', 'data', 'expire-time', 'layout',
]);
if (positional.length !== 0) fail('usage: vonage_claims.js [--app-id UUID] [--session-id SID] [--role R] [--data TEXT] [--expire-time UNIX] [--layout "a b"]');

const applicationId = options['app-id'] || '3f1c2a9e-5b7d-4e8f-9a6b-0c1d2e3f4a5b';
const sessionId = options['session-id'] || '1_MX4zZjFjMmE5ZS01YjdkLTRlOGYtOWE2Yi0wYzFkMmUzZjRhNWJ-fjE3OTUzNDE2MDAwMDB-aW50ZXJvcH4';
const { privateKey } = crypto.generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

const video = new Video({ applicationId, privateKey });
const tokenOptions = { role: options.role || 'moderator', data: options.data === undefined ? 'name=bob' : options.data };
if (options['expire-time'] !== undefined) tokenOptions.expireTime = parseUnix(options['expire-time'], '--expire-time');
if (options.layout !== undefined) tokenOptions.initialLayoutClassList = options.layout.split(' ').filter(Boolean);

const token = video.generateClientToken(sessionId, tokenOptions);
const { header, claims } = decodeJwt(token);
out({
  header,
  claim_names: Object.keys(claims).sort(),
  claims,
  self_verified: verifySignature(token, privateKey),
});
