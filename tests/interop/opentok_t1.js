'use strict';
// Mint a legacy OpenTok `T1==` token with the opentok npm package itself.
//
//   node opentok_t1.js API_KEY API_SECRET SESSION_ID [--role R] [--data TEXT] [--ttl SECONDS]
//
// Calls  new OpenTok(API_KEY, API_SECRET).generateToken(SESSION_ID,
//            {role, data, expireTime: now + ttl}, true)
// (defaults: role "publisher", data "name=Alice", ttl 3600). In opentok 2.23.2
// (lib/opentok.js) the third argument `generateT1Token = true` selects the legacy
// encoder (opentok-token's encodeToken: HMAC-SHA1 over the querystring data string);
// without it the package now mints an HS256 JWT. The package uses the real clock for
// create_time and refuses an expireTime in the past, so the token is valid from now.
//
// SESSION_ID must belong to API_KEY: opentok-node decodes it (strip 2 chars, base64url,
// split on "~") and requires field 1 == API_KEY. Build one as
//     "1_" + base64url_nopad("1~" + API_KEY + "~~" + <ms> + "~" + <random> + "~")
//
// Nothing is sent anywhere: the constructor only stores configuration.
// Prints {"token": "T1==...", "partner_id", "sig", "data_string", "self_check": bool}
// where self_check recomputes hex(HMAC-SHA1(API_SECRET, data_string)) == sig.
const crypto = require('crypto');
const OpenTok = require('opentok');
const { parseArgs, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['role', 'data', 'ttl']);
if (positional.length !== 3) fail('usage: opentok_t1.js API_KEY API_SECRET SESSION_ID [--role R] [--data TEXT] [--ttl SECONDS]');
const [apiKey, apiSecret, sessionId] = positional;
const ttl = options.ttl === undefined ? 3600 : parseUnix(options.ttl, '--ttl');

let token;
try {
  const ot = new OpenTok(apiKey, apiSecret);
  token = ot.generateToken(
    sessionId,
    {
      role: options.role || 'publisher',
      data: options.data === undefined ? 'name=Alice' : options.data,
      expireTime: Math.round(Date.now() / 1000) + ttl,
    },
    true,
  );
} catch (e) {
  fail(`opentok refused to mint: ${e.message}`);
}

if (!token.startsWith('T1==')) fail(`opentok did not return a T1 token: ${token.slice(0, 20)}…`);
const inner = Buffer.from(token.slice(4), 'base64').toString('utf8');
const colon = inner.indexOf(':');
const head = new URLSearchParams(inner.slice(0, colon));
const dataString = inner.slice(colon + 1);
const sig = head.get('sig');
const expected = crypto.createHmac('sha1', apiSecret).update(dataString).digest('hex');

out({
  token,
  partner_id: head.get('partner_id'),
  sig,
  data_string: dataString,
  self_check: sig === expected,
});
