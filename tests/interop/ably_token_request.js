'use strict';
// Create a signed Ably TokenRequest with the ably npm package itself (ably 2.28.0,
// src/common/lib/client/auth.ts `createTokenRequest`, built as build/ably-node.js).
//
//   node ably_token_request.js KEY [--client-id ID] [--ttl MS] [--capability JSON]
//                                  [--timestamp MS] [--nonce N]
//
// KEY is the whole API key "appId.keyId:secret". Calls
//     new Ably.Rest({key: KEY}).auth.createTokenRequest(tokenParams, null)
// with tokenParams built from the options given, in this order: ttl (a number, milliseconds),
// capability (the JSON text as given: the SDK parses and canonicalises it), clientId, timestamp
// (a number, ms since the epoch), nonce. Options not given are not put in tokenParams, so the
// SDK's own behaviour applies: no ttl/capability/clientId -> the field is absent from the
// TokenRequest and "" in the signed text; no timestamp -> the SDK's local clock (queryTime is
// off by default, so no request to Ably's /time is made); no nonce -> the SDK's random 16 digits.
// The constructor and createTokenRequest send nothing anywhere when the timestamp is given or
// queryTime is off.
//
// The TokenRequest's JSON field order is the SDK's: keyName, then tokenParams in the order above,
// then timestamp/nonce when the SDK generated them, then mac.
//
// Prints {"token_request": {...exactly what the SDK returned...},
//         "sign_text": the text the mac should cover per ably.com/docs/api/token-request-spec
//                      (keyName, ttl, capability, clientId, timestamp, nonce, each + "\n"),
//         "self_check": base64(HMAC-SHA256(secret, sign_text)) == token_request.mac}
// or {"token_request": null, "error": "...", "code": <Ably error code or null>} when the SDK
// refuses (e.g. an empty clientId: 40012; a key without ":secret": 40101). Exit 2 = called wrongly.
const crypto = require('crypto');
const Ably = require('ably');
const { parseArgs, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['client-id', 'ttl', 'capability', 'timestamp', 'nonce']);
if (positional.length !== 1) {
  fail('usage: ably_token_request.js KEY [--client-id ID] [--ttl MS] [--capability JSON] [--timestamp MS] [--nonce N]');
}
const key = positional[0];
function ms(name) {
  const v = options[name];
  if (!/^\d+$/.test(v)) fail(`--${name} must be milliseconds (digits), got ${JSON.stringify(v)}`);
  return Number(v);
}

const tokenParams = {};
if (options.ttl !== undefined) tokenParams.ttl = ms('ttl');
if (options.capability !== undefined) tokenParams.capability = options.capability;
if (options['client-id'] !== undefined) tokenParams.clientId = options['client-id'];
if (options.timestamp !== undefined) tokenParams.timestamp = ms('timestamp');
if (options.nonce !== undefined) tokenParams.nonce = options.nonce;

(async () => {
  let tr;
  try {
    const rest = new Ably.Rest({ key, logLevel: 0 });
    tr = await rest.auth.createTokenRequest(tokenParams, null);
  } catch (e) {
    out({ token_request: null, error: String(e && e.message ? e.message : e), code: (e && e.code) || null });
    return;
  }
  const secret = key.slice(key.indexOf(':') + 1);
  const field = (v) => (v === undefined || v === null ? '' : String(v));
  const signText = [tr.keyName, field(tr.ttl), field(tr.capability), field(tr.clientId), field(tr.timestamp), field(tr.nonce)]
    .map((f) => f + '\n').join('');
  const mac = crypto.createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(signText, 'utf8')).digest('base64');
  out({ token_request: tr, sign_text: signText, self_check: mac === tr.mac });
})().catch((e) => fail(`unexpected: ${e && e.message ? e.message : e}`));
