'use strict';
// Mint a LiveKit access token with livekit-server-sdk's own AccessToken.
//
//   node livekit_mint.js [--api-key K] [--api-secret S] [--identity ID] [--name N] [--room R]
//        [--ttl T] [--metadata M] [--attribute K=V]... [--grant-json JSON] [--sip-json JSON]
//        [--inference-json JSON] [--observability-json JSON] [--agent-json JSON] [--kind KIND]
//        [--room-config-json JSON] [--room-preset P] [--sha256 B64] [--now UNIX_SECONDS]
//
// (--key / --secret are accepted for --api-key / --api-secret.) Without them the SDK itself
// falls back to LIVEKIT_API_KEY / LIVEKIT_API_SECRET.
//
// Calls, from livekit-server-sdk 2.19.2 (src/AccessToken.ts):
//   at = new AccessToken(K, S, {identity, name, ttl, metadata, attributes})
//   at.addGrant({room: R})             when --room is given
//   at.addGrant(JSON)                  --grant-json, merged into the video grant (after --room)
//   at.addSIPGrant / addInferenceGrant / addObservabilityGrant(JSON)
//   at.kind = KIND; at.roomPreset = P; at.sha256 = B64
//   at.roomConfig = RoomConfiguration.fromJson(JSON)   (@livekit/protocol 1.51.0, the SDK's own
//                                                      dependency; accepts camelCase and
//                                                      snake_case names, rejects unknown ones)
//   await at.toJwt()
// --ttl: all digits = seconds (a number, which the SDK turns into "<n>s"), anything else is
// passed as a string (jose time span: "10m", "2 hours"). The SDK treats 0 as unset (6 h).
// canPublishSources in --grant-json may be the names camera, microphone, screen_share,
// screen_share_audio (mapped to the TrackSource enum the SDK expects) or enum numbers.
// --agent-json: this SDK version has no agent-grant method; the script writes it into the
// token's internal `grants` object (which toJwt serialises as is) and says so in `notes`.
//
// The SDK stamps nbf and exp from the real clock (exp = now + ttl, nbf = now, no iat).
// --now pins the clock for this process only (the global Date is replaced by one whose
// no-argument constructor and Date.now() return UNIX_SECONDS), so the output is repeatable.
//
// Prints one JSON object:
//   token    the JWT, or null when the SDK refused (then `error` holds its message)
//   header   decoded protected header; claims  decoded payload (in the SDK's key order)
//   notes    present when something was done outside the SDK's public API
const { parseArgs, decodeJwt, parseUnix, out, fail } = require('./lib/common');

// --attribute may repeat; lib/common's parser keeps only the last value, so pull them out first.
const argv = process.argv.slice(2);
const attributes = [];
const rest = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--attribute') {
    if (i + 1 >= argv.length) fail('option --attribute needs a value');
    attributes.push(argv[++i]);
  } else if (a.startsWith('--attribute=')) {
    attributes.push(a.slice('--attribute='.length));
  } else {
    rest.push(a);
  }
}
const known = ['api-key', 'api-secret', 'key', 'secret', 'identity', 'name', 'room', 'ttl', 'metadata',
  'grant-json', 'sip-json', 'inference-json', 'observability-json', 'agent-json', 'kind',
  'room-config-json', 'room-preset', 'sha256', 'now', 'attribute'];
const { positional, options } = parseArgs(rest, known);
if (positional.length !== 0) fail(`unexpected argument ${JSON.stringify(positional[0])} (all inputs are --options)`);

function json(name) {
  const text = options[name];
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    return fail(`--${name} is not JSON: ${e.message}`);
  }
}

const attrs = {};
for (const pair of attributes) {
  const eq = pair.indexOf('=');
  if (eq <= 0) fail(`--attribute wants KEY=VALUE, got ${JSON.stringify(pair)}`);
  attrs[pair.slice(0, eq)] = pair.slice(eq + 1);
}

const now = parseUnix(options.now, '--now');
if (now !== undefined) pinClock(now);

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

let sdk;
let protocol;
try {
  sdk = require('livekit-server-sdk');
  protocol = require('@livekit/protocol');
} catch (e) {
  fail(`cannot load livekit-server-sdk / @livekit/protocol: ${e.message}`);
}
const { AccessToken } = sdk;
const { RoomConfiguration, TrackSource } = protocol;

const SOURCES = {
  camera: TrackSource.CAMERA,
  microphone: TrackSource.MICROPHONE,
  screen_share: TrackSource.SCREEN_SHARE,
  screen_share_audio: TrackSource.SCREEN_SHARE_AUDIO,
};

const grant = json('grant-json');
if (grant !== undefined && (grant === null || typeof grant !== 'object' || Array.isArray(grant))) {
  fail('--grant-json must be a JSON object');
}
if (grant && Array.isArray(grant.canPublishSources)) {
  grant.canPublishSources = grant.canPublishSources.map((s) => {
    if (typeof s === 'number') return s;
    if (typeof s === 'string' && Object.prototype.hasOwnProperty.call(SOURCES, s)) return SOURCES[s];
    return fail(`--grant-json canPublishSources: ${JSON.stringify(s)} is not a source this SDK can encode`);
  });
}

(async () => {
  const notes = [];
  const opts = {};
  if (options.identity !== undefined) opts.identity = options.identity;
  if (options.name !== undefined) opts.name = options.name;
  if (options.metadata !== undefined) opts.metadata = options.metadata;
  if (attributes.length) opts.attributes = attrs;
  if (options.ttl !== undefined) opts.ttl = /^\d+$/.test(options.ttl) ? Number(options.ttl) : options.ttl;

  const key = options['api-key'] ?? options.key;
  const secret = options['api-secret'] ?? options.secret;
  let at;
  try {
    at = new AccessToken(key, secret, opts);
  } catch (e) {
    out({ token: null, error: String(e.message || e) });
    return;
  }
  if (options.room !== undefined) at.addGrant({ room: options.room });
  if (grant !== undefined) at.addGrant(grant);
  const sip = json('sip-json');
  if (sip !== undefined) at.addSIPGrant(sip);
  const inference = json('inference-json');
  if (inference !== undefined) at.addInferenceGrant(inference);
  const observability = json('observability-json');
  if (observability !== undefined) at.addObservabilityGrant(observability);
  const agent = json('agent-json');
  if (agent !== undefined) {
    // Not a public API in livekit-server-sdk 2.19.2 (no addAgentGrant): write the claim directly.
    at.grants.agent = agent;
    notes.push('agent grant written into AccessToken.grants directly: livekit-server-sdk 2.19.2 has no agent-grant method');
  }
  if (options.kind !== undefined) at.kind = options.kind;
  if (options['room-preset'] !== undefined) at.roomPreset = options['room-preset'];
  if (options.sha256 !== undefined) at.sha256 = options.sha256;
  const roomConfig = json('room-config-json');
  if (roomConfig !== undefined) {
    try {
      at.roomConfig = RoomConfiguration.fromJson(roomConfig);
    } catch (e) {
      out({ token: null, error: `RoomConfiguration.fromJson: ${e.message || e}` });
      return;
    }
  }

  let token;
  try {
    token = await at.toJwt();
  } catch (e) {
    out({ token: null, error: String(e.message || e) });
    return;
  }
  const { header, claims } = decodeJwt(token);
  const result = { token, header, claims };
  if (notes.length) result.notes = notes;
  out(result);
})().catch((e) => fail(`unexpected failure: ${e && e.message ? e.message : e}`));
