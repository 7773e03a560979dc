'use strict';
// Shared helpers for the interop scripts. No network, no state.
//
// Conventions for every script in tests/interop/:
//   * input comes from argv (a token may be given as "-" to read it from stdin);
//   * exactly ONE JSON object is printed on stdout;
//   * exit 0 whenever the script itself worked, even if a verification failed
//     (the verdict is in the JSON); exit 2 with one sentence on stderr when the
//     script was called wrongly or broke.

const fs = require('fs');

// Splits argv into positional arguments and `--name value` options.
// `known` lists the option names the script accepts.
function parseArgs(argv, known) {
  const positional = [];
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--') && a.length > 2) {
      const eq = a.indexOf('=');
      const name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      if (!known.includes(name)) fail(`unknown option --${name} (known: ${known.map((k) => '--' + k).join(', ') || 'none'})`);
      if (eq !== -1) {
        options[name] = a.slice(eq + 1);
      } else {
        if (i + 1 >= argv.length) fail(`option --${name} needs a value`);
        options[name] = argv[++i];
      }
    } else {
      positional.push(a);
    }
  }
  return { positional, options };
}

// "-" means: read the value from stdin (trimmed).
function argOrStdin(value) {
  if (value === '-') return fs.readFileSync(0, 'utf8').trim();
  return value;
}

function b64urlJson(part) {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (_) {
    return null;
  }
}

// Tolerant compact-JWS decode: header and claims, or null where unreadable.
function decodeJwt(token) {
  const parts = String(token).split('.');
  if (parts.length !== 3) return { header: null, claims: null };
  return { header: b64urlJson(parts[0]), claims: b64urlJson(parts[1]) };
}

function parseUnix(s, what) {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s)) fail(`${what} must be unix seconds, got ${JSON.stringify(s)}`);
  return Number(s);
}

function out(obj) {
  process.stdout.write(JSON.stringify(obj) + '\n');
}

function fail(message) {
  process.stderr.write(`${require('path').basename(process.argv[1])}: ${message}\n`);
  process.exit(2);
}

module.exports = { parseArgs, argOrStdin, decodeJwt, parseUnix, out, fail };
