'use strict';
// Verify a LiveKit access token with livekit-server-sdk's own TokenVerifier.
//
//   node livekit_verify.js TOKEN API_KEY API_SECRET [--now UNIX_SECONDS] [--clock-tolerance S]
//
// TOKEN may be "-" (read from stdin).
//
// Calls  await new TokenVerifier(API_KEY, API_SECRET).verify(TOKEN[, clockTolerance])
// from livekit-server-sdk 2.19.2 (src/AccessToken.ts). That method is
//     jose.jwtVerify(token, utf8(API_SECRET), {issuer: API_KEY, clockTolerance (default 10 s),
//                                              requiredClaims: ['exp']})
// and returns the jose payload unchanged (every claim, camelCase, as in the token). It sets
// no `algorithms` list, so jose 5.10 accepts HS256, HS384 and HS512 with the secret (the
// LiveKit server accepts HS256 only). jose checks: `iss` present and equal to API_KEY; `exp`
// present, a number, and exp > now - tolerance; `nbf` (if present) a number and
// nbf <= now + tolerance; `iat` (if present) a number, never compared with the clock.
//
// The SDK reads the real clock. --now pins it for this process only: the global Date is
// replaced by one whose no-argument constructor and Date.now() return UNIX_SECONDS (jose
// reads the time through `new Date()`). Without --now the real time is used.
//
// Prints one JSON object:
//   valid        true when verify() resolved
//   error        the SDK's (jose's) error message when it threw, else absent
//   error_code   jose's error code (ERR_JWT_EXPIRED, ERR_JWT_CLAIM_VALIDATION_FAILED,
//                ERR_JWS_SIGNATURE_VERIFICATION_FAILED, ERR_JWS_INVALID, ...) when it threw
//   claims       what verify() returned (null when it threw)
//   header       the token's protected header, decoded without verification (or null)
//   verified_at  the unix time the check used
const { parseArgs, argOrStdin, decodeJwt, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['now', 'clock-tolerance']);
if (positional.length !== 3) {
  fail('usage: livekit_verify.js TOKEN API_KEY API_SECRET [--now UNIX_SECONDS] [--clock-tolerance S]');
}
const token = argOrStdin(positional[0]);
const [, apiKey, apiSecret] = positional;

const now = parseUnix(options.now, '--now');
if (now !== undefined) pinClock(now);
let tolerance;
if (options['clock-tolerance'] !== undefined) {
  const t = options['clock-tolerance'];
  // jose takes a number of seconds or a time-span string ("10s", "1 minute").
  tolerance = /^\d+(\.\d+)?$/.test(t) ? Number(t) : t;
}

// Replace the global Date so that `new Date()` and Date.now() read UNIX_SECONDS.
function pinClock(unixSeconds) {
  const RealDate = Date;
  const fixedMs = unixSeconds * 1000;
  class PinnedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fixedMs);
      else super(...args);
    }

    static now() {
      return fixedMs;
    }
  }
  globalThis.Date = PinnedDate;
}

let TokenVerifier;
try {
  ({ TokenVerifier } = require('livekit-server-sdk'));
} catch (e) {
  fail(`cannot load livekit-server-sdk: ${e.message}`);
}

(async () => {
  const { header } = decodeJwt(token);
  const verifiedAt = Math.floor(Date.now() / 1000);
  let verifier;
  try {
    verifier = new TokenVerifier(apiKey, apiSecret);
  } catch (e) {
    fail(`TokenVerifier constructor threw: ${e.message}`);
  }
  try {
    const claims = tolerance === undefined ? await verifier.verify(token) : await verifier.verify(token, tolerance);
    out({ valid: true, claims, header, verified_at: verifiedAt });
  } catch (e) {
    const result = { valid: false, error: String(e && e.message ? e.message : e) };
    if (e && e.code) result.error_code = e.code;
    result.claims = null;
    result.header = header;
    result.verified_at = verifiedAt;
    out(result);
  }
})().catch((e) => fail(`unexpected failure: ${e && e.message ? e.message : e}`));
