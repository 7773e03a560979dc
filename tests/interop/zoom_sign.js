'use strict';
// Mint a Zoom Video SDK JWT exactly the way zoom/videosdk-auth-endpoint-sample does:
// KJUR.jws.JWS.sign('HS256', JSON.stringify(header), JSON.stringify(payload), SECRET),
// with the secret passed as a bare string.
//
//   node zoom_sign.js KEY SECRET TOPIC ROLE_TYPE IAT [--ttl SECONDS]
//
// ROLE_TYPE is 0 or 1, IAT unix seconds (fixed, so the output is deterministic),
// --ttl defaults to 7200 like the sample. Prints {"token": "...", "header": {...}, "claims": {...}}.
const { KJUR } = require('jsrsasign');
const { parseArgs, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['ttl']);
if (positional.length !== 5) fail('usage: zoom_sign.js KEY SECRET TOPIC ROLE_TYPE IAT [--ttl SECONDS]');
const [key, secret, topic, roleText, iatText] = positional;
if (roleText !== '0' && roleText !== '1') fail('ROLE_TYPE must be 0 or 1');
const iat = parseUnix(iatText, 'IAT');
const ttl = options.ttl === undefined ? 7200 : parseUnix(options.ttl, '--ttl');

const header = { alg: 'HS256', typ: 'JWT' };
const claims = { app_key: key, role_type: Number(roleText), tpc: topic, version: 1, iat, exp: iat + ttl };
const token = KJUR.jws.JWS.sign('HS256', JSON.stringify(header), JSON.stringify(claims), secret);
out({ token, header, claims });
