'use strict';
// Mint an Agora AccessToken2 ("007") with every builder the agora-token 2.0.6 npm package exports.
//
//   node agora_mint.js BUILDER APP_ID CERTIFICATE [ARGS...] [--now UNIX_SECONDS] [--salt N]
//   node agora_mint.js list                      (prints the builders and their parameters)
//
// BUILDER is Class.method exactly as exported by require('agora-token') (index.js), e.g.
// RtcTokenBuilder.buildTokenWithUid; ARGS are the method's remaining parameters in order
// (see `list`). The script calls exactly that method, once, with
//   (APP_ID, CERTIFICATE, ...ARGS)
// and nothing else of the package except AccessToken2.from_string (src/AccessToken2.js) to
// read back what was minted (`decoded`).
//
// Argument conversion: parameters listed as numbers (uid, role, expires, salt-like values)
// are passed as JS numbers; `role` also accepts publisher / subscriber. Prefix a value with
// "str:" to pass it as a string as-is (e.g. str:0: the package writes the number 0 as ""
// but the string "0" as "0"). RTM2 `permissions` is JSON: {"RESOURCE": {"PERMISSION":
// ["name", ...]}} with numeric ids (resources 0 messageChannels, 1 streamChannels,
// 2 groupChannels, 3 serverGroups, 4 users; permissions 0 read, 1 write), fed to
// Rtm2Permissions.add(resource, permission, names) in key order.
//
// Pinning (the builders take neither issue_ts nor salt):
//   --now S   for the duration of the call, globalThis.Date is replaced by a subclass whose
//             argument-less constructor and Date.now() return S*1000 ms. AccessToken2's
//             constructor computes issueTs = new Date().getTime() / 1000 (it is not
//             rounded; u32 packing truncates it), so the token's issue_ts becomes S.
//   --salt N  for the duration of the call, Math.random returns (N - 0.5) / 99999999, so
//             the constructor's salt = Math.floor(Math.random() * 99999999) + 1 becomes N.
//             N must be in 1..99999999 (the only values the package can produce).
//             The script checks the decoded salt equals N and fails otherwise.
//   Without them the real clock and a random salt are used; `decoded` reports both.
//
// Prints one JSON object:
//   {builder, token, inputs: {param: value...}, now, salt, decoded: {parsed, app_id,
//    issue_ts, expire, salt, services: [{type, privileges: {id: seconds}, ...}]}}
// An empty token ("") is what the package returns for an app id or certificate that is
// not 32 hex characters; it is reported, not treated as a script failure.
const agora = require('agora-token');
const { AccessToken2 } = require('agora-token/src/AccessToken2');
const { parseArgs, parseUnix, out, fail } = require('./lib/common');

// Parameter lists after (appId, appCertificate), from the package's own signatures
// (src/*TokenBuilder*.js). n = number, s = string, role, perm = RTM2 permissions JSON.
const BUILDERS = {
  'RtcTokenBuilder.buildTokenWithUid': [['channelName', 's'], ['uid', 'n'], ['role', 'role'], ['tokenExpire', 'n'], ['privilegeExpire', 'n?']],
  'RtcTokenBuilder.buildTokenWithUserAccount': [['channelName', 's'], ['account', 's'], ['role', 'role'], ['tokenExpire', 'n'], ['privilegeExpire', 'n?']],
  'RtcTokenBuilder.buildTokenWithUidAndPrivilege': [['channelName', 's'], ['uid', 'n'], ['tokenExpire', 'n'], ['joinChannelPrivilegeExpire', 'n'], ['pubAudioPrivilegeExpire', 'n'], ['pubVideoPrivilegeExpire', 'n'], ['pubDataStreamPrivilegeExpire', 'n']],
  'RtcTokenBuilder.BuildTokenWithUserAccountAndPrivilege': [['channelName', 's'], ['account', 's'], ['tokenExpire', 'n'], ['joinChannelPrivilegeExpire', 'n'], ['pubAudioPrivilegeExpire', 'n'], ['pubVideoPrivilegeExpire', 'n'], ['pubDataStreamPrivilegeExpire', 'n']],
  'RtcTokenBuilder.buildTokenWithRtm': [['channelName', 's'], ['account', 's'], ['role', 'role'], ['tokenExpire', 'n'], ['privilegeExpire', 'n?']],
  'RtcTokenBuilder.buildTokenWithRtm2': [['channelName', 's'], ['rtcAccount', 's'], ['rtcRole', 'role'], ['rtcTokenExpire', 'n'], ['joinChannelPrivilegeExpire', 'n'], ['pubAudioPrivilegeExpire', 'n'], ['pubVideoPrivilegeExpire', 'n'], ['pubDataStreamPrivilegeExpire', 'n'], ['rtmUserId', 's'], ['rtmTokenExpire', 'n']],
  'RtmTokenBuilder.buildToken': [['userId', 's'], ['expire', 'n']],
  'RtmTokenBuilder.buildTokenWithPermissions': [['userId', 's'], ['permissions', 'perm'], ['expire', 'n']],
  'ChatTokenBuilder.buildUserToken': [['userUuid', 's'], ['expire', 'n']],
  'ChatTokenBuilder.buildAppToken': [['expire', 'n']],
  'ApaasTokenBuilder.buildRoomUserToken': [['roomUuid', 's'], ['userUuid', 's'], ['role', 'n'], ['expire', 'n']],
  'ApaasTokenBuilder.buildUserToken': [['userUuid', 's'], ['expire', 'n']],
  'ApaasTokenBuilder.buildAppToken': [['expire', 'n']],
  'EducationTokenBuilder.buildRoomUserToken': [['roomUuid', 's'], ['userUuid', 's'], ['role', 'n'], ['expire', 'n']],
  'EducationTokenBuilder.buildUserToken': [['userUuid', 's'], ['expire', 'n']],
  'EducationTokenBuilder.buildAppToken': [['expire', 'n']],
  'FpaTokenBuilder.buildToken': [],
  'ConvoAITokenBuilder.buildToken': [['channelName', 's'], ['rtcAccount', 's'], ['rtcRole', 'role'], ['rtcTokenExpire', 'n'], ['joinChannelPrivilegeExpire', 'n'], ['pubAudioPrivilegeExpire', 'n'], ['pubVideoPrivilegeExpire', 'n'], ['pubDataStreamPrivilegeExpire', 'n'], ['rtmUserId', 's'], ['rtmTokenExpire', 'n']],
  'SttTokenBuilder.buildToken': [['channelName', 's'], ['rtcAccount', 's'], ['rtcRole', 'role'], ['rtcTokenExpire', 'n'], ['joinChannelPrivilegeExpire', 'n'], ['pubAudioPrivilegeExpire', 'n'], ['pubVideoPrivilegeExpire', 'n'], ['pubDataStreamPrivilegeExpire', 'n'], ['rtmUserId', 's'], ['rtmTokenExpire', 'n']],
};

const { positional, options } = parseArgs(process.argv.slice(2), ['now', 'salt']);
if (positional[0] === 'list') {
  const list = {};
  for (const [k, params] of Object.entries(BUILDERS)) list[k] = ['appId', 'appCertificate', ...params.map(([n, t]) => (t.endsWith('?') ? `[${n}]` : n))];
  out({ builders: list });
  process.exit(0);
}
if (positional.length < 3) fail('usage: agora_mint.js BUILDER APP_ID CERTIFICATE [ARGS...] [--now S] [--salt N]  (or: agora_mint.js list)');
const [builder, appId, certificate, ...rest] = positional;
const spec = BUILDERS[builder];
if (!spec) fail(`unknown builder ${JSON.stringify(builder)} (see: agora_mint.js list)`);
const [cls, method] = builder.split('.');
if (!agora[cls] || typeof agora[cls][method] !== 'function') fail(`agora-token does not export ${builder}`);
const required = spec.filter(([, t]) => !t.endsWith('?')).length;
if (rest.length < required || rest.length > spec.length) {
  fail(`${builder} takes ${spec.map(([n, t]) => (t.endsWith('?') ? `[${n}]` : n)).join(' ')} after APP_ID CERTIFICATE; got ${rest.length} argument(s)`);
}

function convert(name, type, raw) {
  if (raw.startsWith('str:')) return raw.slice(4);
  const t = type.replace('?', '');
  if (t === 's') return raw;
  if (t === 'role') {
    if (raw === 'publisher') return agora.RtcRole.PUBLISHER;
    if (raw === 'subscriber') return agora.RtcRole.SUBSCRIBER;
  }
  if (t === 'perm') {
    let obj;
    try { obj = JSON.parse(raw); } catch (_) { fail(`${name} must be JSON like {"0":{"0":["chan"]}}`); }
    const p = new agora.Rtm2Permissions();
    for (const r of Object.keys(obj)) for (const k of Object.keys(obj[r])) p.add(Number(r), Number(k), obj[r][k]);
    return p;
  }
  if (!/^-?\d+(\.\d+)?$/.test(raw)) fail(`${name} must be a number (or str:VALUE for a string), got ${JSON.stringify(raw)}`);
  return Number(raw);
}
const inputs = { appId, appCertificate: certificate };
const args = [appId, certificate];
rest.forEach((raw, i) => {
  const [name, type] = spec[i];
  const v = convert(name, type, raw);
  args.push(v);
  inputs[name] = v instanceof agora.Rtm2Permissions ? v.details : v;
});

const now = parseUnix(options.now, '--now');
let salt;
if (options.salt !== undefined) {
  salt = parseUnix(options.salt, '--salt');
  if (salt < 1 || salt > 99999999) fail('--salt must be in 1..99999999 (the range AccessToken2 draws from)');
}

function withPins(fn) {
  const RealDate = globalThis.Date;
  const realRandom = Math.random;
  if (now !== undefined) {
    const ms = now * 1000;
    class PinnedDate extends RealDate {
      constructor(...a) { if (a.length === 0) super(ms); else super(...a); }
      static now() { return ms; }
    }
    globalThis.Date = PinnedDate;
  }
  if (salt !== undefined) Math.random = () => (salt - 0.5) / 99999999;
  try { return fn(); } finally { globalThis.Date = RealDate; Math.random = realRandom; }
}

let token;
try {
  token = withPins(() => agora[cls][method](...args));
} catch (e) {
  fail(`${builder} threw: ${e.message}`);
}

function decode(t) {
  const p = new AccessToken2('', '', 0, 0);
  const parsed = typeof t === 'string' && t !== '' && p.from_string(t) === true;
  if (!parsed) return { parsed: false };
  const s8 = (b) => (b === undefined ? undefined : Buffer.from(b).toString('utf8'));
  return {
    parsed: true, app_id: s8(p.appId), issue_ts: p.issueTs, expire: p.expire, salt: p.salt,
    services: p.services.map((s) => {
      const o = { type: s.service_type(), privileges: { ...s.__privileges } };
      for (const [k, f] of [['channel', '__channel_name'], ['uid', '__uid'], ['user_id', '__user_id'], ['account', '__account'], ['room_uuid', '__room_uuid'], ['user_uuid', '__user_uuid']]) {
        if (s[f] !== undefined) o[k] = s8(s[f]);
      }
      if (s.__role !== undefined) o.role = (s.__role << 16) >> 16;
      if (s.__permissions !== undefined) o.permissions = s.__permissions.details;
      return o;
    }),
  };
}

const decoded = decode(token);
if (salt !== undefined && decoded.parsed && decoded.salt !== salt) fail(`salt pinning failed: asked ${salt}, token has ${decoded.salt}`);
if (now !== undefined && decoded.parsed && decoded.issue_ts !== now) fail(`clock pinning failed: asked ${now}, token has ${decoded.issue_ts}`);
out({ builder, token, inputs, now: now === undefined ? null : now, salt: salt === undefined ? null : salt, decoded });
