'use strict';
// Decode and verify an Agora token with Agora's own npm packages.
//
//   node agora_verify.js TOKEN CERTIFICATE [--app-id ID] [--flip OFFSET]
//                                         [--channel NAME --uid UID]      (006 only)
//
// TOKEN may be "-" (read from stdin).
//
// 007 (AccessToken2), agora-token 2.0.6, src/AccessToken2.js:
//   new AccessToken2('', '', 0, 0).from_string(TOKEN)      parse (inflate, unpack; stops, and
//                                                           still returns true, at the first
//                                                           service type it does not know)
//   .verifySignature(CERTIFICATE)                          the package's own verify path:
//                                                           HMAC over the signing_info bytes
//                                                           exactly as received, timing-safe
//                                                           compare; false unless the parsed
//                                                           app id and CERTIFICATE are 32 hex
//   Everything below "services" is read from the package's parsed service objects
//   (__privileges, __channel_name, __uid, __user_id, __account, __room_uuid, __user_uuid,
//   __role, __permissions.details), in the order the package keeps them (token order).
//   Not from the package (plain Buffer reads by this script, to expose what the package
//   hides): `declared_service_count` (the u16 count inside the token; larger than
//   services.length when the package stopped at an unknown type), `payload_hex` (the
//   inflated bytes) and `signature_hex`.
//   APaaS `role`: the package reads this i16 with readUInt16LE, so -1 comes back as
//   65535; `role` here is the signed value, `role_as_parsed` the package's number.
//
// 006 (legacy AccessToken), agora-access-token 2.0.4, src/AccessToken.js: the package has
//   no verify function, so the signature is recomputed with the package's own class:
//     p = new AccessToken('', '', '', ''); p.fromString(TOKEN)   (salt, ts, messages, CRCs)
//     k = new AccessToken(APP_ID_FROM_TOKEN, CERTIFICATE, CHANNEL, UID); k.salt = p.salt;
//     k.ts = p.ts; k.messages = p.messages; valid = (k.build() === TOKEN)
//   (build() always re-encodes; a 006 token is plain base64 without zlib, so byte-for-byte
//   equality is a fair test.) --channel and --uid are required: only their CRC32s are in
//   the token. --uid 0 is tried as "" (what the package writes for the number 0) and as
//   "0" (what it writes for the string "0"), and the one whose CRC32 matches is used.
//
// --app-id ID   also require the token's app id to equal ID (exact string).
// --flip OFFSET 007: XOR 0x01 into byte OFFSET of the inflated payload, re-deflate with
//               Node's zlib (not a vendor call) and base64, then parse and verify that
//               tampered token instead; `flipped` reports it. For negative tests.
//
// Prints one JSON object:
//   {format: "007"|"006"|null, parsed, valid, signature_valid, app_id_match (null when
//    --app-id is absent), app_id, issue_ts, expire, salt, declared_service_count,
//    services: [{type, name, privileges: {name: seconds}, privilege_ids: {id: seconds},
//    ...tail fields}], signature_hex, payload_hex, error}
//   for 006: {format: "006", parsed, valid, app_id, ts, salt, privileges, privilege_ids,
//    crc_channel, crc_uid, channel_crc_match, uid_crc_match, uid_used, error}
// `valid` = signature_valid && app_id_match !== false.
const zlib = require('zlib');
const { AccessToken2 } = require('agora-token/src/AccessToken2');
const { AccessToken: AccessToken006, priviledges: PRIV006 } = require('agora-access-token/src/AccessToken');
const { parseArgs, argOrStdin, out, fail } = require('./lib/common');

const { positional, options } = parseArgs(process.argv.slice(2), ['app-id', 'flip', 'channel', 'uid']);
if (positional.length !== 2) {
  fail('usage: agora_verify.js TOKEN CERTIFICATE [--app-id ID] [--flip OFFSET] [--channel NAME --uid UID]');
}
let token = argOrStdin(positional[0]);
const certificate = positional[1];
const wantAppId = options['app-id'];

// Names as AgoraIO/Tools DynamicKey/AgoraDynamicKey/parse.py prints them.
const SERVICES = {
  1: { name: 'RTC', privileges: { 1: 'joinChannel', 2: 'publishAudioStream', 3: 'publishVideoStream', 4: 'publishDataStream' } },
  2: { name: 'RTM', privileges: { 1: 'login' } },
  3: { name: 'Streaming', privileges: { 1: 'publishMixStream', 2: 'publishRawStream' } },
  4: { name: 'FPA', privileges: { 1: 'login' } },
  5: { name: 'Chat', privileges: { 1: 'user', 2: 'app' } },
  6: { name: 'FCDN', privileges: { 1: 'publish', 2: 'play' } },
  7: { name: 'APaaS', privileges: { 1: 'roomUser', 2: 'user', 3: 'app' } },
  8: { name: 'RTM2', privileges: { 1: 'login' } },
  9: { name: 'ConvoAI', privileges: {} },
  10: { name: 'STT', privileges: {} },
};
const RTM2_RESOURCES = { 0: 'messageChannels', 1: 'streamChannels', 2: 'groupChannels', 3: 'serverGroups', 4: 'users' };
const RTM2_PERMISSIONS = { 0: 'read', 1: 'write' };
const PRIV006_NAMES = Object.fromEntries(Object.entries(PRIV006).map(([k, v]) => [v, k]));

const str = (b) => (b === undefined || b === null ? undefined : Buffer.from(b).toString('utf8'));

function privilegeMaps(map, names) {
  const ids = Object.keys(map).map(Number).sort((a, b) => a - b);
  const byName = {};
  const byId = {};
  for (const id of ids) {
    byName[names[id] || String(id)] = map[id];
    byId[String(id)] = map[id];
  }
  return { privileges: byName, privilege_ids: byId };
}

function describeService(s) {
  const type = s.service_type();
  const info = SERVICES[type] || { name: null, privileges: {} };
  const o = { type, name: info.name, ...privilegeMaps(s.__privileges || {}, info.privileges) };
  switch (type) {
    case 1: o.channel = str(s.__channel_name); o.uid = str(s.__uid); break;
    case 2: case 5: o.user_id = str(s.__user_id); break;
    case 3: case 6: o.channel = str(s.__channel_name); o.account = str(s.__account); break;
    case 7:
      o.room_uuid = str(s.__room_uuid); o.user_uuid = str(s.__user_uuid);
      o.role_as_parsed = s.__role;
      o.role = typeof s.__role === 'number' ? ((s.__role << 16) >> 16) : s.__role;
      break;
    case 8: {
      o.user_id = str(s.__user_id);
      const details = (s.__permissions && s.__permissions.details) || {};
      o.permissions = Object.keys(details).map(Number).sort((a, b) => a - b).map((r) => ({
        resource: r,
        resource_name: RTM2_RESOURCES[r] || null,
        permissions: Object.keys(details[r]).map(Number).sort((a, b) => a - b).map((p) => ({
          permission: p, permission_name: RTM2_PERMISSIONS[p] || null, resources: details[r][p],
        })),
      }));
      break;
    }
    default: break;
  }
  return o;
}

// Plain reads of the inflated payload (see header): signature and declared service count.
function payloadFacts(payload) {
  const f = { signature_hex: null, declared_service_count: null };
  try {
    let pos = 0;
    const sigLen = payload.readUInt16LE(pos); pos += 2;
    f.signature_hex = payload.subarray(pos, pos + sigLen).toString('hex'); pos += sigLen;
    const appLen = payload.readUInt16LE(pos); pos += 2 + appLen + 12;
    f.declared_service_count = payload.readUInt16LE(pos);
  } catch (_) { /* short payload: leave nulls */ }
  return f;
}

function verify007() {
  const result = {
    format: '007', parsed: false, valid: false, signature_valid: false, app_id_match: null,
    app_id: null, issue_ts: null, expire: null, salt: null, declared_service_count: null,
    services: [], signature_hex: null, payload_hex: null, flipped: null, error: null,
  };
  let payload = null;
  try { payload = zlib.inflateSync(Buffer.from(token.slice(3), 'base64')); } catch (e) { result.error = `inflate: ${e.message}`; }
  if (payload && options.flip !== undefined) {
    const off = Number(options.flip);
    if (!Number.isInteger(off) || off < 0 || off >= payload.length) fail(`--flip must be an offset in 0..${payload.length - 1}`);
    payload = Buffer.from(payload);
    payload[off] ^= 0x01;
    token = '007' + zlib.deflateSync(payload).toString('base64');
    result.flipped = { offset: off, token };
  }
  if (payload) {
    result.payload_hex = payload.toString('hex');
    Object.assign(result, payloadFacts(payload));
  }
  const t = new AccessToken2('', '', 0, 0);
  let ok = false;
  try { ok = t.from_string(token); } catch (e) { result.error = `from_string threw: ${e.message}`; }
  result.parsed = ok === true;
  if (!result.parsed) { if (!result.error) result.error = 'from_string returned false'; return result; }
  result.app_id = str(t.appId);
  result.issue_ts = t.issueTs;
  result.expire = t.expire;
  result.salt = t.salt;
  result.services = t.services.map(describeService);
  result.signature_valid = t.verifySignature(certificate) === true;
  if (wantAppId !== undefined) result.app_id_match = result.app_id === wantAppId;
  result.valid = result.signature_valid && result.app_id_match !== false;
  return result;
}

function verify006() {
  const result = {
    format: '006', parsed: false, valid: false, signature_valid: false, app_id_match: null,
    app_id: null, ts: null, salt: null, privileges: {}, privilege_ids: {}, crc_channel: null,
    crc_uid: null, channel_crc_match: null, uid_crc_match: null, uid_used: null, error: null,
  };
  if (options.channel === undefined || options.uid === undefined) {
    fail('a 006 token needs --channel NAME and --uid UID (only their CRC32s are inside the token)');
  }
  const p = new AccessToken006('', '', '', '');
  const origLog = console.log;
  console.log = () => {}; // fromString console.logs its exceptions; keep stdout one JSON object
  let ok;
  try { ok = p.fromString(token); } finally { console.log = origLog; }
  result.parsed = ok === true;
  if (!result.parsed) { result.error = 'fromString returned false'; return result; }
  result.app_id = token.substr(3, 32);
  result.ts = p.ts;
  result.salt = p.salt;
  result.crc_channel = p.crc_channel_name;
  result.crc_uid = p.crc_uid;
  Object.assign(result, privilegeMaps(p.messages, PRIV006_NAMES));
  const u32 = (s) => zlib.crc32(Buffer.from(s, 'utf8')) >>> 0;
  result.channel_crc_match = u32(options.channel) === p.crc_channel_name;
  let uidArg = options.uid;
  let uidString = uidArg;
  if (uidArg === '0' || uidArg === '') {
    uidString = p.crc_uid === u32('0') ? '0' : '';
    uidArg = uidString === '' ? 0 : '0';
  }
  result.uid_used = uidString;
  result.uid_crc_match = u32(uidString) === p.crc_uid;
  const k = new AccessToken006(result.app_id, certificate, options.channel, uidArg);
  k.salt = p.salt;
  k.ts = p.ts;
  k.messages = p.messages;
  result.signature_valid = k.build() === token;
  if (wantAppId !== undefined) result.app_id_match = result.app_id === wantAppId;
  result.valid = result.signature_valid && result.app_id_match !== false;
  return result;
}

try {
  if (token.startsWith('006')) out(verify006());
  else if (token.startsWith('007')) out(verify007());
  else out({ format: null, parsed: false, valid: false, error: 'not a 006 or 007 token (prefix)' });
} catch (e) {
  fail(`internal error: ${e.message}`);
}
