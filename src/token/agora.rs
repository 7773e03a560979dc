//! Agora's token formats: AccessToken2 (`007…`) and the legacy AccessToken (`006…`), as Agora's
//! own builders write them (AgoraIO/Tools `DynamicKey/AgoraDynamicKey/`). All integers are
//! little-endian; a string is a u16 length and its bytes.
//!
//! ```text
//! 007 = "007" + base64(zlib(str(signature) ‖ signing_info))
//! signing_info = str(app_id) ‖ u32 issue_ts ‖ u32 expire ‖ u32 salt ‖ u16 n ‖ service*
//! service = u16 type ‖ u16 m ‖ (u16 privilege ‖ u32 seconds after issue_ts)* ‖ type's fields
//! signature = HMAC(HMAC(u32 salt, HMAC(u32 issue_ts, certificate)), signing_info)
//!
//! 006 = "006" + app_id + base64(str(signature) ‖ u32 crc32(channel) ‖ u32 crc32(uid) ‖ str(m))
//! m = u32 salt ‖ u32 ts ‖ u16 n ‖ (u16 privilege ‖ u32 absolute unix seconds)*
//! signature = HMAC(certificate, app_id ‖ channel ‖ uid ‖ m)
//! ```
//!
//! Decoding is as tolerant as Agora's parsers: either base64 alphabet, padding or not, any valid
//! zlib stream (each language's build compresses differently), parsing stops at a service type
//! it does not know and still succeeds, and the signature is checked over the bytes as received.

use std::io::Read as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value, json};
use sha2::Sha256;

use crate::secret::Secret;

pub const PREFIX_007: &str = "007";
pub const PREFIX_006: &str = "006";

/// The most bytes a 007 payload inflates to: far above any real token, and a bound on a zlib bomb.
const MAX_INFLATED: u64 = 1 << 20;

type HmacSha256 = Hmac<Sha256>;

/// A service type of AccessToken2: its number, its name, its privileges' names.
pub struct ServiceType {
    pub number: u16,
    pub name: &'static str,
    pub privileges: &'static [(u16, &'static str)],
}

/// Every service type Agora's current builders write (npm agora-token 2.0.6), in type order.
pub static SERVICE_TYPES: &[ServiceType] = &[
    ServiceType {
        number: 1,
        name: "rtc",
        privileges: &[
            (1, "join_channel"),
            (2, "publish_audio"),
            (3, "publish_video"),
            (4, "publish_data"),
        ],
    },
    ServiceType {
        number: 2,
        name: "rtm",
        privileges: &[(1, "login")],
    },
    ServiceType {
        number: 3,
        name: "streaming",
        privileges: &[(1, "publish_mix_stream"), (2, "publish_raw_stream")],
    },
    ServiceType {
        number: 4,
        name: "fpa",
        privileges: &[(1, "login")],
    },
    ServiceType {
        number: 5,
        name: "chat",
        privileges: &[(1, "user"), (2, "app")],
    },
    ServiceType {
        number: 6,
        name: "fcdn",
        privileges: &[(1, "publish"), (2, "play")],
    },
    ServiceType {
        number: 7,
        name: "apaas",
        privileges: &[(1, "room_user"), (2, "user"), (3, "app")],
    },
    ServiceType {
        number: 8,
        name: "rtm2",
        privileges: &[(1, "login")],
    },
    ServiceType {
        number: 9,
        name: "convoai",
        privileges: &[],
    },
    ServiceType {
        number: 10,
        name: "stt",
        privileges: &[],
    },
];

/// The token's `expire` and every privilege name of AccessToken2's services: the claims that
/// hold seconds after `issue_ts`.
pub const PRIVILEGE_NAMES_AND_EXPIRE: [&str; 13] = [
    "expire",
    "join_channel",
    "publish_audio",
    "publish_video",
    "publish_data",
    "login",
    "publish_mix_stream",
    "publish_raw_stream",
    "user",
    "app",
    "publish",
    "play",
    "room_user",
];

pub fn service_type(number: u16) -> Option<&'static ServiceType> {
    SERVICE_TYPES.iter().find(|s| s.number == number)
}

pub fn service_type_named(name: &str) -> Option<&'static ServiceType> {
    SERVICE_TYPES.iter().find(|s| s.name == name)
}

/// RTM2 resource types and permission types, as the builders number them.
const RTM2_RESOURCES: [&str; 5] = [
    "message_channels",
    "stream_channels",
    "group_channels",
    "server_groups",
    "users",
];
const RTM2_PERMISSIONS: [&str; 2] = ["read", "write"];

/// RTM2 permissions: resource type → permission type → names.
pub type Rtm2Permissions = Vec<(u16, Vec<(u16, Vec<String>)>)>;

/// What follows a service's privileges: its own fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServiceFields {
    /// RTC: the channel and the uid as text (`""` is uid 0, the wildcard).
    Rtc {
        channel: String,
        uid: String,
    },
    Rtm {
        user_id: String,
    },
    Streaming {
        channel: String,
        account: String,
    },
    Fpa,
    Chat {
        user_id: String,
    },
    Fcdn {
        channel: String,
        account: String,
    },
    Apaas {
        room_uuid: String,
        user_uuid: String,
        role: i16,
    },
    /// RTM2: the user and its permissions, resource type → permission type → names.
    Rtm2 {
        user_id: String,
        permissions: Rtm2Permissions,
    },
    ConvoAi,
    Stt,
}

/// One service of a token: its type, its privileges (id → seconds after issue_ts, as packed)
/// and its fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub number: u16,
    pub privileges: Vec<(u16, u32)>,
    pub fields: ServiceFields,
}

impl Service {
    pub fn rtc(channel: &str, uid: &str, privileges: Vec<(u16, u32)>) -> Service {
        Service {
            number: 1,
            privileges,
            fields: ServiceFields::Rtc {
                channel: channel.into(),
                uid: uid.into(),
            },
        }
    }

    pub fn name(&self) -> &'static str {
        service_type(self.number).map_or("unknown", |s| s.name)
    }

    /// A privilege's value; a repeated privilege keeps its last value, as Agora's parsers do.
    pub fn privilege(&self, id: u16) -> Option<u32> {
        self.privileges
            .iter()
            .rev()
            .find(|(p, _)| *p == id)
            .map(|(_, v)| *v)
    }

    /// The privilege name of `id` in this service, or its number.
    pub fn privilege_name(&self, id: u16) -> String {
        privilege_name(self.number, id)
    }

    /// The privilege that lets a client in (RTC join, RTM/FPA/RTM2 login, the chat privilege):
    /// its expiry is when a new join is refused and when a connected client is put out.
    pub fn entry_privilege(&self) -> Option<(u16, u32)> {
        match self.number {
            1 | 2 | 4 | 8 => self.privilege(1).map(|v| (1, v)),
            5 => [1, 2]
                .into_iter()
                .find_map(|id| self.privilege(id).map(|v| (id, v))),
            _ => None,
        }
    }

    /// The identity this service names (RTC uid, RTM/Chat user, account).
    pub fn identity(&self) -> Option<&str> {
        match &self.fields {
            ServiceFields::Rtc { uid, .. } => Some(uid),
            ServiceFields::Rtm { user_id }
            | ServiceFields::Chat { user_id }
            | ServiceFields::Rtm2 { user_id, .. } => Some(user_id),
            ServiceFields::Streaming { account, .. } | ServiceFields::Fcdn { account, .. } => {
                Some(account)
            }
            ServiceFields::Apaas { user_uuid, .. } => Some(user_uuid),
            ServiceFields::Fpa | ServiceFields::ConvoAi | ServiceFields::Stt => None,
        }
    }

    /// The channel this service names.
    pub fn channel(&self) -> Option<&str> {
        match &self.fields {
            ServiceFields::Rtc { channel, .. }
            | ServiceFields::Streaming { channel, .. }
            | ServiceFields::Fcdn { channel, .. } => Some(channel),
            ServiceFields::Apaas { room_uuid, .. } => Some(room_uuid),
            _ => None,
        }
    }

    fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("type".into(), Value::from(self.name()));
        let put = |object: &mut Map<String, Value>, name: &str, value: &str| {
            object.insert(name.into(), Value::from(value));
        };
        match &self.fields {
            ServiceFields::Rtc { channel, uid } => {
                put(&mut object, "channel", channel);
                put(&mut object, "uid", uid);
            }
            ServiceFields::Rtm { user_id } | ServiceFields::Chat { user_id } => {
                put(&mut object, "user_id", user_id)
            }
            ServiceFields::Streaming { channel, account }
            | ServiceFields::Fcdn { channel, account } => {
                put(&mut object, "channel", channel);
                put(&mut object, "account", account);
            }
            ServiceFields::Apaas {
                room_uuid,
                user_uuid,
                role,
            } => {
                put(&mut object, "room_uuid", room_uuid);
                put(&mut object, "user_uuid", user_uuid);
                object.insert("role".into(), Value::from(*role));
            }
            ServiceFields::Rtm2 {
                user_id,
                permissions,
            } => {
                put(&mut object, "user_id", user_id);
                let resources: Map<String, Value> = permissions
                    .iter()
                    .map(|(resource, kinds)| {
                        let kinds: Map<String, Value> = kinds
                            .iter()
                            .map(|(kind, names)| {
                                (named(&RTM2_PERMISSIONS, *kind), Value::from(names.clone()))
                            })
                            .collect();
                        (named(&RTM2_RESOURCES, *resource), Value::Object(kinds))
                    })
                    .collect();
                object.insert("permissions".into(), Value::Object(resources));
            }
            ServiceFields::Fpa | ServiceFields::ConvoAi | ServiceFields::Stt => {}
        }
        let privileges: Map<String, Value> = self
            .privileges
            .iter()
            .map(|(id, value)| (self.privilege_name(*id), Value::from(*value)))
            .collect();
        object.insert("privileges".into(), Value::Object(privileges));
        Value::Object(object)
    }
}

fn named(names: &[&str], index: u16) -> String {
    names
        .get(usize::from(index))
        .map_or_else(|| index.to_string(), |name| name.to_string())
}

/// The name of privilege `id` of service type `service`, or its number as text.
pub fn privilege_name(service: u16, id: u16) -> String {
    service_type(service)
        .and_then(|s| s.privileges.iter().find(|(p, _)| *p == id))
        .map_or_else(|| id.to_string(), |(_, name)| name.to_string())
}

/// An AccessToken2 (`007…`), decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken2 {
    pub app_id: String,
    pub issue_ts: u32,
    /// Seconds after `issue_ts` the token is good for.
    pub expire: u32,
    pub salt: u32,
    /// The services read, in the token's order.
    pub services: Vec<Service>,
    /// How many services the token says it holds.
    pub declared_services: u16,
    /// The first service type this decoder does not know: reading stopped there, as Agora's
    /// parsers do.
    pub unknown_service: Option<u16>,
    pub signature: Vec<u8>,
    /// The signed bytes as received.
    signing_info: Vec<u8>,
}

impl AccessToken2 {
    /// The signed bytes, exactly as received (everything after the signature).
    pub fn signing_info(&self) -> &[u8] {
        &self.signing_info
    }

    /// Checks the signature with an app certificate (32 hex characters, used as text).
    pub fn verify(&self, certificate: &Secret) -> bool {
        if !is_32_hex(certificate.expose()) {
            return false;
        }
        let key = signing_key(certificate.expose(), self.issue_ts, self.salt);
        let Ok(mut mac) = <HmacSha256 as Mac>::new_from_slice(&key) else {
            return false;
        };
        mac.update(&self.signing_info);
        mac.verify_slice(&self.signature).is_ok()
    }

    /// The decoded structure, as `--json` shows it (times as the token holds them).
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("app_id".into(), Value::from(self.app_id.as_str()));
        object.insert("issue_ts".into(), Value::from(self.issue_ts));
        object.insert("expire".into(), Value::from(self.expire));
        object.insert("salt".into(), Value::from(self.salt));
        object.insert(
            "services".into(),
            Value::from(
                self.services
                    .iter()
                    .map(Service::to_json)
                    .collect::<Vec<_>>(),
            ),
        );
        if let Some(number) = self.unknown_service {
            object.insert("unknown_service_type".into(), Value::from(number));
        }
        Value::Object(object)
    }

    /// Seconds after issue_ts when a new join is refused: the token's expiry or the earliest
    /// entry privilege's, whichever comes first. A privilege of 0 follows the token (Agora's
    /// agent toolkit documents 0 as "same as the token"; unconfirmed on the server).
    pub fn join_refused_after(&self) -> u32 {
        self.services
            .iter()
            .filter_map(Service::entry_privilege)
            .map(|(_, value)| if value == 0 { self.expire } else { value })
            .fold(self.expire, u32::min)
    }
}

/// The signing key of a 007 token: `HMAC(u32 salt, HMAC(u32 issue_ts, certificate))`.
fn signing_key(certificate: &[u8], issue_ts: u32, salt: u32) -> [u8; 32] {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(&issue_ts.to_le_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(certificate);
    let k1 = mac.finalize().into_bytes();
    let mut mac = <HmacSha256 as Mac>::new_from_slice(&salt.to_le_bytes())
        .expect("HMAC takes keys of any length");
    mac.update(&k1);
    mac.finalize().into_bytes().into()
}

/// Whether an app id or certificate has Agora's shape: 32 hexadecimal characters.
pub fn is_32_hex(text: &[u8]) -> bool {
    text.len() == 32 && text.iter().all(u8::is_ascii_hexdigit)
}

/// What a 007 token is made of, before signing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contents<'a> {
    pub app_id: &'a str,
    pub issue_ts: u32,
    pub expire: u32,
    pub salt: u32,
    pub services: &'a [Service],
}

/// Signs and encodes a 007 token. Services are packed by type (stable, as Agora's builders
/// do), each service's privileges by id.
pub fn encode_007(contents: &Contents, certificate: &Secret) -> String {
    let mut token = Vec::new();
    Encoder007::new().encode(contents, certificate, &mut token);
    String::from_utf8(token).expect("a 007 token is ASCII")
}

/// Encodes 007 tokens one after another with one zlib compressor (its state is large, so making
/// one costs more than compressing a token) and reused buffers. The compression is zlib's
/// default, as Agora's C, Python and Java builders use.
pub struct Encoder007 {
    compress: flate2::Compress,
    info: Vec<u8>,
    content: Vec<u8>,
    compressed: Vec<u8>,
}

impl Default for Encoder007 {
    fn default() -> Self {
        Encoder007::new()
    }
}

impl Encoder007 {
    pub fn new() -> Encoder007 {
        Encoder007 {
            compress: flate2::Compress::new(Compression::default(), true),
            info: Vec::with_capacity(256),
            content: Vec::with_capacity(512),
            compressed: Vec::with_capacity(512),
        }
    }

    /// Signs `contents` and appends the token to `out`.
    pub fn encode(&mut self, contents: &Contents, certificate: &Secret, out: &mut Vec<u8>) {
        let info = &mut self.info;
        info.clear();
        put_str(info, contents.app_id.as_bytes());
        info.extend_from_slice(&contents.issue_ts.to_le_bytes());
        info.extend_from_slice(&contents.expire.to_le_bytes());
        info.extend_from_slice(&contents.salt.to_le_bytes());
        let mut services: Vec<&Service> = contents.services.iter().collect();
        services.sort_by_key(|s| s.number);
        put_u16(info, services.len());
        for service in services {
            pack_service(info, service);
        }
        let key = signing_key(certificate.expose(), contents.issue_ts, contents.salt);
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&key).expect("HMAC takes keys of any length");
        mac.update(info);
        let signature = mac.finalize().into_bytes();
        self.content.clear();
        put_str(&mut self.content, &signature);
        self.content.extend_from_slice(info);
        self.compress.reset();
        self.compressed.clear();
        self.compressed.reserve(self.content.len() + 64);
        // One call with room for the whole stream: a stream this small never needs a second.
        while let Ok(status) = self.compress.compress_vec(
            &self.content[self.compress.total_in() as usize..],
            &mut self.compressed,
            flate2::FlushCompress::Finish,
        ) {
            if status == flate2::Status::StreamEnd {
                break;
            }
            self.compressed.reserve(256);
        }
        out.extend_from_slice(PREFIX_007.as_bytes());
        base64_simd::STANDARD.encode_append(&self.compressed, out);
    }
}

fn pack_service(out: &mut Vec<u8>, service: &Service) {
    put_u16(out, usize::from(service.number));
    let mut privileges = service.privileges.clone();
    privileges.sort_by_key(|(id, _)| *id);
    put_u16(out, privileges.len());
    for (id, value) in privileges {
        out.extend_from_slice(&id.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    }
    match &service.fields {
        ServiceFields::Rtc { channel, uid } => {
            put_str(out, channel.as_bytes());
            put_str(out, uid.as_bytes());
        }
        ServiceFields::Rtm { user_id } | ServiceFields::Chat { user_id } => {
            put_str(out, user_id.as_bytes())
        }
        ServiceFields::Streaming { channel, account }
        | ServiceFields::Fcdn { channel, account } => {
            put_str(out, channel.as_bytes());
            put_str(out, account.as_bytes());
        }
        ServiceFields::Apaas {
            room_uuid,
            user_uuid,
            role,
        } => {
            put_str(out, room_uuid.as_bytes());
            put_str(out, user_uuid.as_bytes());
            out.extend_from_slice(&role.to_le_bytes());
        }
        ServiceFields::Rtm2 {
            user_id,
            permissions,
        } => {
            put_str(out, user_id.as_bytes());
            let mut resources = permissions.clone();
            resources.sort_by_key(|(resource, _)| *resource);
            put_u16(out, resources.len());
            for (resource, mut kinds) in resources {
                out.extend_from_slice(&resource.to_le_bytes());
                kinds.sort_by_key(|(kind, _)| *kind);
                put_u16(out, kinds.len());
                for (kind, names) in kinds {
                    out.extend_from_slice(&kind.to_le_bytes());
                    put_u16(out, names.len());
                    for name in names {
                        put_str(out, name.as_bytes());
                    }
                }
            }
        }
        ServiceFields::Fpa | ServiceFields::ConvoAi | ServiceFields::Stt => {}
    }
}

/// Lengths and counts are u16 on the wire; the builders of this crate keep them in range (a
/// field of more than 65 535 bytes is refused before minting), so this truncation never bites.
fn put_u16(out: &mut Vec<u8>, value: usize) {
    out.extend_from_slice(&(value.min(usize::from(u16::MAX)) as u16).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, bytes: &[u8]) {
    let len = bytes.len().min(usize::from(u16::MAX));
    put_u16(out, len);
    out.extend_from_slice(&bytes[..len]);
}

/// Reads little-endian fields, saying which one was cut short.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&end| end <= self.bytes.len());
        let Some(end) = end else {
            return Err(format!("the token ends inside its {what}"));
        };
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn u16(&mut self, what: &str) -> Result<u16, String> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, String> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn bytes(&mut self, what: &str) -> Result<&'a [u8], String> {
        let len = self.u16(what)?;
        self.take(usize::from(len), what)
    }

    fn string(&mut self, what: &str) -> Result<String, String> {
        Ok(String::from_utf8_lossy(self.bytes(what)?).into_owned())
    }

    fn rest(&self) -> &'a [u8] {
        &self.bytes[self.at..]
    }
}

/// Base64 as Agora's parsers read it: either alphabet, with or without padding, whitespace and
/// line breaks ignored.
fn lenient_base64(text: &str) -> Result<Vec<u8>, String> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            c => c,
        })
        .collect();
    let unpadded = cleaned.trim_end_matches('=');
    base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(unpadded)
        .map_err(|_| "the part after the version is not base64".to_string())
}

/// Decodes a `007…` token, the signature unchecked.
pub fn decode_007(text: &str) -> Result<AccessToken2, String> {
    let body = text
        .strip_prefix(PREFIX_007)
        .ok_or("an Agora AccessToken2 starts with 007")?;
    let compressed = lenient_base64(body)?;
    let mut content = Vec::new();
    flate2::read::ZlibDecoder::new(compressed.as_slice())
        .take(MAX_INFLATED + 1)
        .read_to_end(&mut content)
        .map_err(|_| "the part after 007 is not a zlib stream (or is cut short)".to_string())?;
    if content.len() as u64 > MAX_INFLATED {
        return Err(format!(
            "the 007 payload inflates to more than {MAX_INFLATED} bytes"
        ));
    }
    let mut reader = Reader {
        bytes: &content,
        at: 0,
    };
    let signature = reader.bytes("signature")?.to_vec();
    let signing_info = reader.rest().to_vec();
    let mut reader = Reader {
        bytes: &signing_info,
        at: 0,
    };
    let app_id = reader.string("app id")?;
    let issue_ts = reader.u32("issue_ts")?;
    let expire = reader.u32("expire")?;
    let salt = reader.u32("salt")?;
    let declared_services = reader.u16("service count")?;
    let mut services = Vec::new();
    let mut unknown_service = None;
    for _ in 0..declared_services {
        let number = reader.u16("service type")?;
        if service_type(number).is_none() {
            unknown_service = Some(number);
            break;
        }
        services.push(read_service(&mut reader, number)?);
    }
    Ok(AccessToken2 {
        app_id,
        issue_ts,
        expire,
        salt,
        services,
        declared_services,
        unknown_service,
        signature,
        signing_info,
    })
}

fn read_service(reader: &mut Reader, number: u16) -> Result<Service, String> {
    let count = reader.u16("privileges")?;
    let mut privileges = Vec::with_capacity(usize::from(count).min(16));
    for _ in 0..count {
        let id = reader.u16("privileges")?;
        privileges.push((id, reader.u32("privileges")?));
    }
    let fields = match number {
        1 => ServiceFields::Rtc {
            channel: reader.string("RTC channel")?,
            uid: reader.string("RTC uid")?,
        },
        2 => ServiceFields::Rtm {
            user_id: reader.string("RTM user id")?,
        },
        3 | 6 => {
            let channel = reader.string("channel")?;
            let account = reader.string("account")?;
            if number == 3 {
                ServiceFields::Streaming { channel, account }
            } else {
                ServiceFields::Fcdn { channel, account }
            }
        }
        4 => ServiceFields::Fpa,
        5 => ServiceFields::Chat {
            user_id: reader.string("chat user id")?,
        },
        7 => {
            let room_uuid = reader.string("APaaS room")?;
            let user_uuid = reader.string("APaaS user")?;
            let b = reader.take(2, "APaaS role")?;
            ServiceFields::Apaas {
                room_uuid,
                user_uuid,
                role: i16::from_le_bytes([b[0], b[1]]),
            }
        }
        8 => {
            let user_id = reader.string("RTM2 user id")?;
            let resources = reader.u16("RTM2 permissions")?;
            let mut permissions = Vec::new();
            for _ in 0..resources {
                let resource = reader.u16("RTM2 permissions")?;
                let kinds = reader.u16("RTM2 permissions")?;
                let mut by_kind = Vec::new();
                for _ in 0..kinds {
                    let kind = reader.u16("RTM2 permissions")?;
                    let names = reader.u16("RTM2 permissions")?;
                    let mut list = Vec::new();
                    for _ in 0..names {
                        list.push(reader.string("RTM2 permissions")?);
                    }
                    by_kind.push((kind, list));
                }
                permissions.push((resource, by_kind));
            }
            ServiceFields::Rtm2 {
                user_id,
                permissions,
            }
        }
        9 => ServiceFields::ConvoAi,
        _ => ServiceFields::Stt,
    };
    Ok(Service {
        number,
        privileges,
        fields,
    })
}

/// A legacy AccessToken (`006…`), decoded. Only the CRC32s of the channel and uid are inside,
/// so verifying needs them given ([`AccessToken006::with_names`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessToken006 {
    pub app_id: String,
    pub signature: Vec<u8>,
    pub crc_channel: u32,
    pub crc_uid: u32,
    pub salt: u32,
    /// The token's own expiry, absolute unix seconds.
    pub ts: u32,
    /// Privilege id → absolute unix seconds (0: no expiry given).
    pub privileges: Vec<(u16, u32)>,
    /// The signed message as received.
    message: Vec<u8>,
    /// The channel and uid the user gave, when they did.
    pub channel: Option<String>,
    pub uid: Option<String>,
}

/// 006 privilege names (agora-access-token's list).
const PRIVILEGES_006: [(u16, &str); 14] = [
    (1, "join_channel"),
    (2, "publish_audio"),
    (3, "publish_video"),
    (4, "publish_data"),
    (5, "publish_audio_cdn"),
    (6, "publish_video_cdn"),
    (7, "request_publish_audio"),
    (8, "request_publish_video"),
    (9, "request_publish_data"),
    (10, "invite_publish_audio"),
    (11, "invite_publish_video"),
    (12, "invite_publish_data"),
    (101, "administrate_channel"),
    (1000, "rtm_login"),
];

/// Every 006 privilege name and `ts`: the times of a 006 token's claims.
pub const TIMES_006: [&str; 15] = [
    "ts",
    "join_channel",
    "publish_audio",
    "publish_video",
    "publish_data",
    "publish_audio_cdn",
    "publish_video_cdn",
    "request_publish_audio",
    "request_publish_video",
    "request_publish_data",
    "invite_publish_audio",
    "invite_publish_video",
    "invite_publish_data",
    "administrate_channel",
    "rtm_login",
];

pub fn privilege_name_006(id: u16) -> String {
    PRIVILEGES_006
        .iter()
        .find(|(p, _)| *p == id)
        .map_or_else(|| id.to_string(), |(_, name)| name.to_string())
}

pub fn privilege_id_006(name: &str) -> Option<u16> {
    PRIVILEGES_006
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(id, _)| *id)
}

impl AccessToken006 {
    /// The same token with the channel and uid it was made for, as the user gives them. Uid 0
    /// is written as the empty text by the builders, or as "0" when it was given as a string:
    /// the one the token's CRC32 names is taken.
    pub fn with_names(mut self, channel: &str, uid: &str) -> AccessToken006 {
        let uid = match uid {
            "0" | "" if crc32("") == self.crc_uid => "",
            "" if crc32("0") == self.crc_uid => "0",
            uid => uid,
        };
        self.channel = Some(channel.into());
        self.uid = Some(uid.into());
        self
    }

    /// Whether the given names are those the token holds the CRC32s of.
    pub fn names_match(&self) -> Option<bool> {
        let (channel, uid) = (self.channel.as_ref()?, self.uid.as_ref()?);
        Some(crc32(channel) == self.crc_channel && crc32(uid) == self.crc_uid)
    }

    /// Checks the signature; false without the channel and uid.
    pub fn verify(&self, certificate: &Secret) -> bool {
        let (Some(channel), Some(uid)) = (&self.channel, &self.uid) else {
            return false;
        };
        let mut mac = <HmacSha256 as Mac>::new_from_slice(certificate.expose())
            .expect("HMAC takes keys of any length");
        mac.update(self.app_id.as_bytes());
        mac.update(channel.as_bytes());
        mac.update(uid.as_bytes());
        mac.update(&self.message);
        mac.verify_slice(&self.signature).is_ok()
    }

    pub fn privilege(&self, id: u16) -> Option<u32> {
        self.privileges
            .iter()
            .rev()
            .find(|(p, _)| *p == id)
            .map(|(_, v)| *v)
    }

    pub fn to_json(&self) -> Value {
        let privileges: Map<String, Value> = self
            .privileges
            .iter()
            .map(|(id, value)| (privilege_name_006(*id), Value::from(*value)))
            .collect();
        let mut object = json!({
            "app_id": self.app_id,
            "salt": self.salt,
            "ts": self.ts,
            "crc_channel": self.crc_channel,
            "crc_uid": self.crc_uid,
        });
        if let (Some(map), Some(channel), Some(uid)) =
            (object.as_object_mut(), &self.channel, &self.uid)
        {
            map.insert("channel".into(), Value::from(channel.as_str()));
            map.insert("uid".into(), Value::from(uid.as_str()));
        }
        if let Some(map) = object.as_object_mut() {
            map.insert("privileges".into(), Value::Object(privileges));
        }
        object
    }

    /// When a new join is refused: the token's `ts` or the join (or RTM login) privilege's
    /// time, whichever is earlier; a privilege of 0 gives no time of its own.
    pub fn join_refused_at(&self) -> u32 {
        [1, 1000]
            .into_iter()
            .filter_map(|id| self.privilege(id))
            .filter(|&at| at != 0)
            .fold(self.ts, u32::min)
    }
}

/// zlib's CRC-32 of a text's UTF-8 bytes.
pub fn crc32(text: &str) -> u32 {
    crc32fast::hash(text.as_bytes())
}

/// Decodes a `006…` token, the signature unchecked.
pub fn decode_006(text: &str) -> Result<AccessToken006, String> {
    let body = text
        .strip_prefix(PREFIX_006)
        .ok_or("an Agora AccessToken starts with 006")?;
    let (app_id, rest) = match (body.get(..32), body.get(32..)) {
        (Some(app_id), Some(rest)) => (app_id, rest),
        _ => return Err("a 006 token is longer: the app id alone is 32 characters".into()),
    };
    let content = lenient_base64(rest)?;
    let mut reader = Reader {
        bytes: &content,
        at: 0,
    };
    let signature = reader.bytes("signature")?.to_vec();
    let crc_channel = reader.u32("channel CRC")?;
    let crc_uid = reader.u32("uid CRC")?;
    let message = reader.bytes("message")?.to_vec();
    let mut inner = Reader {
        bytes: &message,
        at: 0,
    };
    let salt = inner.u32("salt")?;
    let ts = inner.u32("ts")?;
    let count = inner.u16("privileges")?;
    let mut privileges = Vec::new();
    for _ in 0..count {
        let id = inner.u16("privileges")?;
        privileges.push((id, inner.u32("privileges")?));
    }
    Ok(AccessToken006 {
        app_id: app_id.to_string(),
        signature,
        crc_channel,
        crc_uid,
        salt,
        ts,
        privileges,
        message,
        channel: None,
        uid: None,
    })
}

/// What a 006 token is made of, before signing.
pub struct Contents006<'a> {
    pub app_id: &'a str,
    pub channel: &'a str,
    pub uid: &'a str,
    pub salt: u32,
    pub ts: u32,
    pub privileges: &'a [(u16, u32)],
}

/// Signs and encodes a 006 token (no compression: the same inputs give the same string as
/// Agora's builders).
pub fn encode_006(contents: &Contents006, certificate: &Secret) -> String {
    let mut message = Vec::with_capacity(64);
    message.extend_from_slice(&contents.salt.to_le_bytes());
    message.extend_from_slice(&contents.ts.to_le_bytes());
    let mut privileges = contents.privileges.to_vec();
    privileges.sort_by_key(|(id, _)| *id);
    put_u16(&mut message, privileges.len());
    for (id, value) in privileges {
        message.extend_from_slice(&id.to_le_bytes());
        message.extend_from_slice(&value.to_le_bytes());
    }
    let mut mac = <HmacSha256 as Mac>::new_from_slice(certificate.expose())
        .expect("HMAC takes keys of any length");
    mac.update(contents.app_id.as_bytes());
    mac.update(contents.channel.as_bytes());
    mac.update(contents.uid.as_bytes());
    mac.update(&message);
    let signature = mac.finalize().into_bytes();
    let mut content = Vec::with_capacity(message.len() + 48);
    put_str(&mut content, &signature);
    content.extend_from_slice(&crc32(contents.channel).to_le_bytes());
    content.extend_from_slice(&crc32(contents.uid).to_le_bytes());
    put_str(&mut content, &message);
    let mut token = String::with_capacity(3 + 32 + content.len() * 4 / 3 + 4);
    token.push_str(PREFIX_006);
    token.push_str(contents.app_id);
    STANDARD.encode_string(&content, &mut token);
    token
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP_ID: &str = "970CA35de60c44645bbae8a215061b33";
    const CERTIFICATE: &str = "5CFd2fd1755d40ecb72977518be15d3b";
    const CHANNEL: &str = "7d72365eb983485397e3e3f9d460bdda";
    /// AgoraIO/Tools python3/test/AccessToken2Test.py `test_service_rtc` (and nodejs).
    const RTC_JOIN: &str = "007eJxTYBBbsMMnKq7p9Hf/HcIX5kce9b518kCiQgSr5Zrp4X1Tu6UUGCzNDZwdjU1TUs0Mkk1MzExMk5ISUy0SjQxNDcwMk4yN3b8IMEQwMTAwMoAwBIL4CgzmKeZGxmamqUmWFsYmFqbGluapxqnGaZYpJmYGSSkpiVwMRhYWRsYmhkbmxgDCaiTj";
    /// python3/test/AccessTokenTest.py.
    const V006: &str = "006970CA35de60c44645bbae8a215061b33IACV0fZUBw+72cVoL9eyGGh3Q6Poi8bgjwVLnyKSJyOXR7dIfRBXoFHlEAABAAAAR/QQAAEAAQCvKDdW";

    fn certificate() -> Secret {
        Secret::new(CERTIFICATE)
    }

    #[test]
    fn the_official_rtc_vector_decodes_and_verifies() {
        let token = decode_007(RTC_JOIN).unwrap();
        assert_eq!(token.app_id, APP_ID);
        assert_eq!(
            (token.issue_ts, token.expire, token.salt),
            (1_111_111, 600, 1)
        );
        assert_eq!(
            token.services,
            vec![Service::rtc(CHANNEL, "2882341273", vec![(1, 600)])]
        );
        assert!(token.verify(&certificate()));
        assert!(!token.verify(&Secret::new("a".repeat(32))));
        assert!(!token.verify(&Secret::new("not hex")));
        assert_eq!(token.join_refused_after(), 600);
    }

    #[test]
    fn minting_the_vector_inputs_gives_the_vector() {
        let services = [Service::rtc(CHANNEL, "2882341273", vec![(1, 600)])];
        let contents = Contents {
            app_id: APP_ID,
            issue_ts: 1_111_111,
            expire: 600,
            salt: 1,
            services: &services,
        };
        assert_eq!(encode_007(&contents, &certificate()), RTC_JOIN);
    }

    #[test]
    fn a_changed_byte_fails_verification_but_still_decodes() {
        let token = decode_007(RTC_JOIN).unwrap();
        for at in [40, 60, 80, token.signing_info.len() - 1] {
            let mut changed = token.clone();
            changed.signing_info[at] ^= 1;
            assert!(!changed.verify(&certificate()), "byte {at}");
        }
    }

    #[test]
    fn an_unknown_service_stops_reading_and_still_verifies() {
        let mut info = Vec::new();
        put_str(&mut info, APP_ID.as_bytes());
        for value in [1_111_111u32, 600, 1] {
            info.extend_from_slice(&value.to_le_bytes());
        }
        put_u16(&mut info, 2);
        pack_service(&mut info, &Service::rtc("c", "", vec![(1, 600)]));
        info.extend_from_slice(&999u16.to_le_bytes());
        info.extend_from_slice(b"whatever follows");
        let key = signing_key(CERTIFICATE.as_bytes(), 1_111_111, 1);
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&key).unwrap();
        mac.update(&info);
        let mut content = Vec::new();
        put_str(&mut content, &mac.finalize().into_bytes());
        content.extend_from_slice(&info);
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Compression::fast());
        std::io::Write::write_all(&mut encoder, &content).unwrap();
        let text = format!("007{}", STANDARD.encode(encoder.finish().unwrap()));
        let token = decode_007(&text).unwrap();
        assert_eq!(token.services.len(), 1);
        assert_eq!(token.unknown_service, Some(999));
        assert_eq!(token.declared_services, 2);
        assert!(token.verify(&certificate()));
        assert_eq!(token.to_json()["unknown_service_type"], 999);
    }

    #[test]
    fn stored_blocks_other_headers_and_either_base64_alphabet_decode() {
        let plain = decode_007(RTC_JOIN).unwrap();
        let mut content = Vec::new();
        put_str(&mut content, &plain.signature);
        content.extend_from_slice(&plain.signing_info);
        for level in [
            Compression::none(),
            Compression::fast(),
            Compression::best(),
        ] {
            let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), level);
            std::io::Write::write_all(&mut encoder, &content).unwrap();
            let bytes = encoder.finish().unwrap();
            let standard = format!("007{}", STANDARD.encode(&bytes));
            let url_safe = format!(
                "007{}",
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes)
            );
            for text in [standard, url_safe] {
                let token = decode_007(&text).unwrap();
                assert_eq!(token.services, plain.services);
                assert!(token.verify(&certificate()));
            }
        }
    }

    #[test]
    fn garbage_is_refused_with_a_reason() {
        for text in [
            "007",
            "007invalid",
            "007eJxTYLC/xv0i87343FLb46KrG9gPxT+Vj8pojqvt",
        ] {
            assert!(decode_007(text).is_err(), "{text}");
        }
        for text in [
            "006",
            "006invalid",
            "006970CA35de60c44645bbae8a215061b33",
            "006970CA35de60c44645bbae8a215061b33IACV",
        ] {
            assert!(decode_006(text).is_err(), "{text}");
        }
    }

    #[test]
    fn the_official_006_vector_verifies_with_its_channel_and_uid() {
        let token = decode_006(V006).unwrap();
        assert_eq!(token.app_id, APP_ID);
        assert_eq!((token.salt, token.ts), (1, 1_111_111));
        assert_eq!(token.privileges, vec![(1, 1_446_455_471)]);
        assert!(!token.verify(&certificate()), "no names, no verification");
        let named = token.clone().with_names(CHANNEL, "2882341273");
        assert_eq!(named.names_match(), Some(true));
        assert!(named.verify(&certificate()));
        let wrong = token.with_names("other", "2882341273");
        assert_eq!(wrong.names_match(), Some(false));
        assert!(!wrong.verify(&certificate()));
    }

    #[test]
    fn minting_the_006_vector_inputs_gives_the_vector() {
        let contents = Contents006 {
            app_id: APP_ID,
            channel: CHANNEL,
            uid: "2882341273",
            salt: 1,
            ts: 1_111_111,
            privileges: &[(1, 1_446_455_471)],
        };
        assert_eq!(encode_006(&contents, &certificate()), V006);
    }

    #[test]
    fn the_json_names_services_and_privileges() {
        let json = decode_007(RTC_JOIN).unwrap().to_json();
        assert_eq!(
            json,
            json!({"app_id": APP_ID, "issue_ts": 1111111, "expire": 600, "salt": 1,
                   "services": [{"type": "rtc", "channel": CHANNEL, "uid": "2882341273",
                                 "privileges": {"join_channel": 600}}]})
        );
    }
}
