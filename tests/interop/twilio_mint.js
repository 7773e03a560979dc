'use strict';
// Mint a Twilio Access Token with the twilio npm package itself (twilio 6.3.1, lib/jwt/AccessToken.js).
//
//   node twilio_mint.js ACCOUNT_SID API_KEY_SID API_SECRET
//        [--identity ID] [--ttl SECONDS] [--nbf UNIX] [--region R] [--algorithm HS256|HS384|HS512]
//        [--now UNIX]
//        [--video-room NAME]
//        [--voice-incoming true|false] [--voice-app-sid AP...] [--voice-app-params JSON]
//        [--voice-push-credential-sid CR...] [--voice-endpoint-id ID]
//        [--chat-service-sid IS...] [--chat-endpoint-id ID] [--chat-deployment-role-sid RL...]
//        [--chat-push-credential-sid CR...]
//        [--sync-service-sid IS...] [--sync-endpoint-id ID]
//        [--taskrouter-workspace-sid WS...] [--taskrouter-worker-sid WK...] [--taskrouter-role ROLE]
//        [--playback-grant-json JSON]
//
// Calls
//     const t = new twilio.jwt.AccessToken(ACCOUNT_SID, API_KEY_SID, API_SECRET,
//                                          {identity, ttl, nbf, region});
//     t.addGrant(new AccessToken.VideoGrant({room}))            // when any --video-* is given
//     t.addGrant(new AccessToken.VoiceGrant({incomingAllow, outgoingApplicationSid,
//                outgoingApplicationParams, pushCredentialSid, endpointId}))   // any --voice-*
//     t.addGrant(new AccessToken.ChatGrant({serviceSid, endpointId, deploymentRoleSid,
//                pushCredentialSid}))                          // any --chat-*
//     t.addGrant(new AccessToken.SyncGrant({serviceSid, endpointId}))         // any --sync-*
//     t.addGrant(new AccessToken.TaskRouterGrant({workspaceSid, workerSid, role})) // any --taskrouter-*
//     t.addGrant(new AccessToken.PlaybackGrant({grant: JSON}))  // --playback-grant-json
//     t.toJwt(algorithm)                                        // jsonwebtoken.sign inside
// Grants are added in exactly that order (the SDK writes `grants` in addGrant order, after
// `identity`). A grant whose options are all empty (e.g. --video-room "") is still added and
// serialises as {} -- that is how the SDK behaves.
//
// Defaults: --identity "alice", no --ttl (the SDK's 3600), no nbf, no region, HS256.
// Note: the SDK does `ttl = options.ttl || 3600`, so --ttl 0 gives 3600.
//
// Clock: neither the SDK nor jsonwebtoken takes a clock; both read Date.now() (jti "<SK>-<now>",
// iat, exp = iat + ttl). With --now, Date.now is replaced by a constant (UNIX * 1000) for the
// duration of the toJwt() call only, so the output is deterministic. Without it, the real clock.
//
// Nothing is sent anywhere: twilio.jwt.AccessToken is pure local signing.
// Prints {"token", "header", "payload"} (header/payload decoded from the token itself), or
// {"token": null, "error": "<the SDK's message>"} when the SDK refuses (e.g. empty identity);
// exit 2 only when this script is called wrongly.
const twilio = require('twilio');
const { parseArgs, decodeJwt, parseUnix, out, fail } = require('./lib/common');

const KNOWN = [
  'identity', 'ttl', 'nbf', 'region', 'algorithm', 'now',
  'video-room',
  'voice-incoming', 'voice-app-sid', 'voice-app-params', 'voice-push-credential-sid', 'voice-endpoint-id',
  'chat-service-sid', 'chat-endpoint-id', 'chat-deployment-role-sid', 'chat-push-credential-sid',
  'sync-service-sid', 'sync-endpoint-id',
  'taskrouter-workspace-sid', 'taskrouter-worker-sid', 'taskrouter-role',
  'playback-grant-json',
];
const USAGE = 'usage: twilio_mint.js ACCOUNT_SID API_KEY_SID API_SECRET [--identity ID] [--ttl S] [--nbf UNIX] '
  + '[--region R] [--algorithm A] [--now UNIX] [grant options, see the header comment]';

const { positional, options } = parseArgs(process.argv.slice(2), KNOWN);
if (positional.length !== 3) fail(USAGE);
const [accountSid, keySid, secret] = positional;

function json(name) {
  if (options[name] === undefined) return undefined;
  try {
    return JSON.parse(options[name]);
  } catch (e) {
    return fail(`--${name} is not JSON: ${e.message}`);
  }
}
function bool(name) {
  const v = options[name];
  if (v === undefined) return undefined;
  if (v !== 'true' && v !== 'false') fail(`--${name} must be true or false`);
  return v === 'true';
}
const any = (prefix) => Object.keys(options).some((k) => k.startsWith(prefix));

const AccessToken = twilio.jwt.AccessToken;
const tokenOptions = { identity: options.identity === undefined ? 'alice' : options.identity };
if (options.ttl !== undefined) tokenOptions.ttl = parseUnix(options.ttl, '--ttl');
if (options.nbf !== undefined) tokenOptions.nbf = parseUnix(options.nbf, '--nbf');
if (options.region !== undefined) tokenOptions.region = options.region;
const now = parseUnix(options.now, '--now');

let token;
try {
  const t = new AccessToken(accountSid, keySid, secret, tokenOptions);
  if (any('video-')) t.addGrant(new AccessToken.VideoGrant({ room: options['video-room'] }));
  if (any('voice-')) {
    t.addGrant(new AccessToken.VoiceGrant({
      incomingAllow: bool('voice-incoming'),
      outgoingApplicationSid: options['voice-app-sid'],
      outgoingApplicationParams: json('voice-app-params'),
      pushCredentialSid: options['voice-push-credential-sid'],
      endpointId: options['voice-endpoint-id'],
    }));
  }
  if (any('chat-')) {
    t.addGrant(new AccessToken.ChatGrant({
      serviceSid: options['chat-service-sid'],
      endpointId: options['chat-endpoint-id'],
      deploymentRoleSid: options['chat-deployment-role-sid'],
      pushCredentialSid: options['chat-push-credential-sid'],
    }));
  }
  if (any('sync-')) {
    t.addGrant(new AccessToken.SyncGrant({
      serviceSid: options['sync-service-sid'],
      endpointId: options['sync-endpoint-id'],
    }));
  }
  if (any('taskrouter-')) {
    t.addGrant(new AccessToken.TaskRouterGrant({
      workspaceSid: options['taskrouter-workspace-sid'],
      workerSid: options['taskrouter-worker-sid'],
      role: options['taskrouter-role'],
    }));
  }
  if (options['playback-grant-json'] !== undefined) {
    t.addGrant(new AccessToken.PlaybackGrant({ grant: json('playback-grant-json') }));
  }

  const realNow = Date.now;
  if (now !== undefined) Date.now = () => now * 1000;
  try {
    token = t.toJwt(options.algorithm);
  } finally {
    Date.now = realNow;
  }
} catch (e) {
  out({ token: null, error: String(e && e.message ? e.message : e) });
  process.exit(0);
}

const { header, claims } = decodeJwt(token);
out({ token, header, payload: claims });
