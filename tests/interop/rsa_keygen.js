'use strict';
// Write a throwaway RSA-2048 private key (PKCS#8 PEM, "BEGIN PRIVATE KEY", the shape of a
// Vonage application key file) to PATH, mode 0600.
//
//   node rsa_keygen.js PATH
//
// Prints {"private_key_path": PATH, "public_key_pem": "..."}.
const crypto = require('crypto');
const fs = require('fs');
const { parseArgs, out, fail } = require('./lib/common');

const { positional } = parseArgs(process.argv.slice(2), []);
if (positional.length !== 1) fail('usage: rsa_keygen.js PATH');
const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
fs.writeFileSync(positional[0], privateKey, { mode: 0o600 });
out({ private_key_path: positional[0], public_key_pem: publicKey });
