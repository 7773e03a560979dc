'use strict';
// Mint a legacy Agora "006" AccessToken with the agora-access-token 2.0.4 npm package.
//
//   node agora006_mint.js rtc-uid     APP_ID CERTIFICATE CHANNEL UID     ROLE PRIVILEGE_EXPIRED_TS [--now S] [--salt N]
//   node agora006_mint.js rtc-account APP_ID CERTIFICATE CHANNEL ACCOUNT ROLE PRIVILEGE_EXPIRED_TS [--now S] [--salt N]
//   node agora006_mint.js rtm         APP_ID CERTIFICATE ACCOUNT              PRIVILEGE_EXPIRED_TS [--now S] [--salt N]
//
// Calls exactly one of (require('agora-access-token'), index.js):
//   rtc-uid      RtcTokenBuilder.buildTokenWithUid(APP_ID, CERTIFICATE, CHANNEL, UID, ROLE, TS)
//   rtc-account  RtcTokenBuilder.buildTokenWithAccount(APP_ID, CERTIFICATE, CHANNEL, ACCOUNT, ROLE, TS)
//   rtm          RtmTokenBuilder.buildToken(APP_ID, CERTIFICATE, ACCOUNT, RtmRole.Rtm_User, TS)
// then reads the result back with the package's AccessToken.fromString (src/AccessToken.js).
//
// PRIVILEGE_EXPIRED_TS is ABSOLUTE unix seconds (006 semantics; 0 is passed through as 0).
// ROLE: publisher (1), subscriber (2), attendee (0, deprecated = publisher), admin (101,
// deprecated = publisher), or the number. Only subscriber gets joinChannel alone; the other
// roles add publishAudio/Video/Data with the same timestamp (src/RtcTokenBuilder.js).
// UID for rtc-uid is passed as a JS number when it is all digits (the package writes the
// number 0 as "" = any uid); prefix str: to pass a string (str:0 is written as "0").
//
// Pinning (the builders take neither):
//   --now S   `ts` (the token's own expiry, not a privilege) is set by the AccessToken
//             constructor to Math.floor(new Date() / 1000) + 24 * 3600. During the call
//             globalThis.Date is replaced by a subclass whose argument-less constructor
//             returns S*1000 ms, so ts = S + 86400.
//   --salt N  the package draws ONE salt per process, at module load:
//             randomInt = Math.floor(Math.random() * 0xFFFFFFFF) (every token minted in
//             the same process shares it). This script patches Math.random to return
//             (N + 0.5) / 0xFFFFFFFF before require()-ing the package, so salt = N
//             (0 <= N <= 4294967294), and checks it.
//
// Prints one JSON object:
//   {command, token, inputs, now, salt, decoded: {parsed, app_id, salt, ts, crc_channel,
//    crc_uid, privileges: {id: absolute_ts}}, uid_string, self_check}
// self_check: a second AccessToken built with the package's class from the decoded salt,
// ts and privileges re-encodes to the same token (true = the package agrees with itself).
const { parseArgs, parseUnix, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['now', 'salt']);
const USAGE = 'usage: agora006_mint.js rtc-uid|rtc-account APP_ID CERT CHANNEL UID ROLE PRIVILEGE_EXPIRED_TS | rtm APP_ID CERT ACCOUNT PRIVILEGE_EXPIRED_TS  [--now S] [--salt N]';
const command = positional[0];
if (!['rtc-uid', 'rtc-account', 'rtm'].includes(command)) fail(USAGE);
const wanted = command === 'rtm' ? 5 : 7;
if (positional.length !== wanted) fail(USAGE);

const now = parseUnix(options.now, '--now');
let salt;
if (options.salt !== undefined) {
  salt = parseUnix(options.salt, '--salt');
  if (salt > 0xFFFFFFFE) fail('--salt must be in 0..4294967294');
}

// Salt is fixed at module load: patch Math.random before the first require.
const realRandom = Math.random;
if (salt !== undefined) Math.random = () => (salt + 0.5) / 0xFFFFFFFF;
const { RtcTokenBuilder, RtcRole, RtmTokenBuilder, RtmRole } = require('agora-access-token');
const { AccessToken } = require('agora-access-token/src/AccessToken');
Math.random = realRandom;

function role(raw) {
  const names = { publisher: RtcRole.PUBLISHER, subscriber: RtcRole.SUBSCRIBER, attendee: RtcRole.ATTENDEE, admin: RtcRole.ADMIN };
  if (raw in names) return names[raw];
  if (/^\d+$/.test(raw)) return Number(raw);
  return fail(`ROLE must be publisher, subscriber, attendee, admin or a number, got ${JSON.stringify(raw)}`);
}
const uidArg = (raw) => (raw.startsWith('str:') ? raw.slice(4) : (/^\d+$/.test(raw) ? Number(raw) : raw));

const [, appId, certificate] = positional;
let inputs;
let call;
if (command === 'rtm') {
  const account = positional[3];
  const ts = parseUnix(positional[4], 'PRIVILEGE_EXPIRED_TS');
  inputs = { appID: appId, appCertificate: certificate, account, role: RtmRole.Rtm_User, privilegeExpiredTs: ts };
  call = () => RtmTokenBuilder.buildToken(appId, certificate, account, RtmRole.Rtm_User, ts);
} else {
  const channelName = positional[3];
  const who = command === 'rtc-uid' ? uidArg(positional[4]) : positional[4].replace(/^str:/, '');
  const r = role(positional[5]);
  const ts = parseUnix(positional[6], 'PRIVILEGE_EXPIRED_TS');
  inputs = { appID: appId, appCertificate: certificate, channelName, [command === 'rtc-uid' ? 'uid' : 'account']: who, role: r, privilegeExpiredTs: ts };
  call = command === 'rtc-uid'
    ? () => RtcTokenBuilder.buildTokenWithUid(appId, certificate, channelName, who, r, ts)
    : () => RtcTokenBuilder.buildTokenWithAccount(appId, certificate, channelName, who, r, ts);
}

const RealDate = globalThis.Date;
let token;
try {
  if (now !== undefined) {
    const ms = now * 1000;
    globalThis.Date = class PinnedDate extends RealDate {
      constructor(...a) { if (a.length === 0) super(ms); else super(...a); }
      static now() { return ms; }
    };
  }
  token = call();
} catch (e) {
  fail(`builder threw: ${e.message}`);
} finally {
  globalThis.Date = RealDate;
}

const p = new AccessToken('', '', '', '');
const origLog = console.log;
console.log = () => {}; // fromString console.logs exceptions; keep stdout one JSON object
let parsed;
try { parsed = p.fromString(token) === true; } finally { console.log = origLog; }
const decoded = parsed
  ? { parsed, app_id: token.substr(3, 32), salt: p.salt, ts: p.ts, crc_channel: p.crc_channel_name, crc_uid: p.crc_uid, privileges: p.messages }
  : { parsed: false };

// What the package signed as uid: "" for the number 0, else String(uid); RTM signs account as
// the "channel" and "" as the uid (src/RtmTokenBuilder.js).
let channelSigned;
let uidSigned;
if (command === 'rtm') { channelSigned = inputs.account; uidSigned = ''; } else {
  channelSigned = inputs.channelName;
  const who = inputs.uid !== undefined ? inputs.uid : inputs.account;
  uidSigned = who === 0 ? '' : `${who}`;
}
let selfCheck = null;
if (parsed) {
  const k = new AccessToken(appId, certificate, channelSigned, uidSigned === '' ? 0 : uidSigned);
  k.salt = p.salt;
  k.ts = p.ts;
  k.messages = p.messages;
  selfCheck = k.build() === token;
}
if (salt !== undefined && parsed && p.salt !== salt) fail(`salt pinning failed: asked ${salt}, token has ${p.salt}`);
if (now !== undefined && parsed && p.ts !== now + 86400) fail(`clock pinning failed: expected ts ${now + 86400}, token has ${p.ts}`);
out({ command, token, inputs, now: now === undefined ? null : now, salt: salt === undefined ? null : salt, decoded, channel_signed: channelSigned, uid_string: uidSigned, self_check: selfCheck });
