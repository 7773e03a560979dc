'use strict';
// Peer benchmark: bulk-mint Zoom-like HS256 JWTs with the npm `jsonwebtoken` package, the
// baseline for tokenbench's "bulk minting at least 500x jsonwebtoken" target (DESIGN.md).
//
//   node benches/peers/jsonwebtoken_bulk.js N [--key-object] [--iat SECONDS] > tokens.txt
//
// stdout: N tokens, one per line (collected in memory and written once, so that output cost
//         is not counted per token).
// stderr: "jsonwebtoken: X.XX us/token" (wall time of the timed mint loop only, divided by N;
//         an untimed warm-up of min(N, 500) tokens runs first).
//
// The secret is passed as a string, the way vendor code calls it (relaybox-rest-js, Zoom-style
// endpoints: jwt.sign(payload, secretString, …)). jsonwebtoken 9 then tries
// crypto.createPrivateKey(secret) on every call, which throws, before falling back to
// createSecretKey: that costs far more than the HMAC itself (hundreds of µs vs a few µs here).
// `--key-object` passes one prebuilt crypto.createSecretKey() KeyObject instead, the library's
// fast path, and labels the line "jsonwebtoken-keyobject: X.XX us/token". Report both.
//
// Where jsonwebtoken comes from: this script has no node_modules of its own. It resolves the
// exact package pinned in tests/interop/package-lock.json, by path relative to this file:
//     require(path.join(__dirname, '../../tests/interop/node_modules/jsonwebtoken'))
// so run `npm ci` in tests/interop first (scripts/test does). No NODE_PATH needed.
//
// The claims mirror `tokenbench mint zoom --count N` with `--topic room-{n}`:
// {app_key, role_type, tpc: "room-" + i, version: 1, iat, exp}, one fixed iat for the run (now, or
// --iat, with which benches/compare.sh checks that every peer mints the very same tokens).
const path = require('path');

let jwt;
try {
  jwt = require(path.join(__dirname, '../../tests/interop/node_modules/jsonwebtoken'));
} catch (e) {
  process.stderr.write('jsonwebtoken_bulk.js: jsonwebtoken is not installed; run `npm ci` in tests/interop first\n');
  process.exit(2);
}

const args = process.argv.slice(2);
const keyObject = args.includes('--key-object');
let rest = args.filter((a) => a !== '--key-object');
let fixedIat = null;
const iatAt = rest.indexOf('--iat');
if (iatAt >= 0) {
  fixedIat = Number(rest[iatAt + 1]);
  rest = rest.slice(0, iatAt).concat(rest.slice(iatAt + 2));
}
const n = Number(rest[0]);
if (rest.length !== 1 || !Number.isInteger(n) || n < 1 || (fixedIat !== null && !Number.isInteger(fixedIat))) {
  process.stderr.write('usage: jsonwebtoken_bulk.js N [--key-object] [--iat SECONDS]   (N >= 1 tokens)\n');
  process.exit(2);
}

// Demo-style credentials: this is a benchmark, not a secret.
const KEY = 'bench_sdk_key_0000000000';
const SECRET_TEXT = 'bench-sdk-secret-not-a-real-one-0123456789';
const SECRET = keyObject ? require('crypto').createSecretKey(Buffer.from(SECRET_TEXT)) : SECRET_TEXT;
const iat = fixedIat !== null ? fixedIat : Math.floor(Date.now() / 1000);
const exp = iat + 7200;

// Warm-up (not timed, not printed): lets V8 optimise the sign path, so the peer is measured
// at its best and the comparison stays fair.
for (let i = 0; i < Math.min(n, 500); i++) {
  jwt.sign({ app_key: KEY, role_type: 1, tpc: 'warmup-' + i, version: 1, iat, exp }, SECRET, { algorithm: 'HS256' });
}

const out = new Array(n);
const t0 = process.hrtime.bigint();
for (let i = 0; i < n; i++) {
  out[i] = jwt.sign(
    { app_key: KEY, role_type: 1, tpc: 'room-' + i, version: 1, iat, exp },
    SECRET,
    { algorithm: 'HS256' },
  );
}
const t1 = process.hrtime.bigint();

process.stdout.write(out.join('\n') + '\n');
const us = Number(t1 - t0) / 1000 / n;
process.stderr.write(`jsonwebtoken${keyObject ? '-keyobject' : ''}: ${us.toFixed(2)} us/token\n`);
