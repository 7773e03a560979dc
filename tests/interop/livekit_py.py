"""Verify or mint a LiveKit access token with the PyPI package livekit-api itself.

    .venv/bin/python livekit_py.py verify TOKEN API_KEY API_SECRET [--now UNIX_SECONDS] [--leeway S]
    .venv/bin/python livekit_py.py mint [--api-key K] [--api-secret S] [--identity ID] [--name N]
        [--room R] [--ttl T] [--metadata M] [--attribute K=V]... [--grant-json JSON]
        [--sip-json JSON] [--agent-json JSON] [--inference-json JSON] [--observability-json JSON]
        [--kind KIND] [--room-config-json JSON] [--room-preset P] [--sha256 B64] [--now UNIX_SECONDS]

TOKEN may be "-" (read from stdin). --key / --secret are accepted for --api-key / --api-secret;
without them the SDK itself falls back to LIVEKIT_API_KEY / LIVEKIT_API_SECRET.

verify calls, from livekit-api 1.2.2 (livekit/api/access_token.py):
    TokenVerifier(API_KEY, API_SECRET[, leeway=timedelta(seconds=S)]).verify(TOKEN)
which is PyJWT 2.15.1 jwt.decode(token, API_SECRET, issuer=API_KEY, algorithms=["HS256"],
leeway=60 s by default, options={"require": ["exp"]}) followed by building a `Claims` dataclass.
    -> {"valid", "error"?, "error_type"?, "claims", "header", "verified_at", "warnings"}
`claims` is the returned Claims object as a dict with the SDK's own (snake_case) field names
(dataclasses.asdict; room_config rendered with protobuf MessageToDict), null when verify raised.
Note the SDK fills `video`, `sip`, `inference`, `observability` with dataclass defaults even
when the token has no such claim (so video.can_publish etc. read True).

mint calls AccessToken(K, S) and its with_identity / with_name / with_ttl / with_metadata /
with_attributes / with_grants(VideoGrants(...)) / with_sip_grants(SIPGrants(...)) /
with_agent_grants(AgentGrants(...)) / with_inference_grants / with_observability_grants /
with_kind / with_room_config(ParseDict(JSON, RoomConfiguration())) / with_room_preset /
with_sha256, then to_jwt(). The *-json options take the token's camelCase names
(canPublishSources, roomJoin, simulationAdmin ...); they are turned into the dataclass's
snake_case fields with the SDK's own camel_to_snake. --room (with or without --grant-json)
makes a VideoGrants, whose defaults write canPublish, canSubscribe and canPublishData as
explicit true. --ttl: seconds, or a number with s/m/h/d (timedelta); default 6 h (the SDK's).
    -> {"token" (null when the SDK refused; then "error"), "header", "claims", "warnings"}

The SDK and PyJWT read the real clock. --now pins it for this process only, by replacing the
`datetime` class that livekit.api.access_token and jwt.api_jwt look up with one whose now()
returns UNIX_SECONDS. Python warnings (PyJWT's InsecureKeyLengthWarning for HMAC keys under
32 bytes) are captured into "warnings" instead of stderr. Exit 0 unless the script broke (2).
"""

import base64
import dataclasses
import datetime as _dt
import json
import re
import sys
import types
import warnings


def fail(message):
    sys.stderr.write("livekit_py.py: %s\n" % message)
    sys.exit(2)


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")


try:
    import jwt
    import jwt.api_jwt
    from google.protobuf.json_format import MessageToDict, ParseDict
    from livekit import api
    from livekit.api import access_token as lk_access_token
    from livekit.protocol.room import RoomConfiguration
except Exception as e:  # noqa: BLE001
    fail("cannot import livekit-api: %s" % e)

REPEATABLE = {"attribute"}
VERIFY_OPTIONS = {"now", "leeway"}
MINT_OPTIONS = {
    "api-key", "api-secret", "key", "secret", "identity", "name", "room", "ttl", "metadata",
    "attribute", "grant-json", "sip-json", "agent-json", "inference-json", "observability-json",
    "kind", "room-config-json", "room-preset", "sha256", "now",
}


def parse_args(argv, known):
    positional, options = [], {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and len(a) > 2:
            name, eq, value = a[2:].partition("=")
            if name not in known:
                fail("unknown option --%s (known: %s)" % (name, ", ".join("--" + k for k in sorted(known))))
            if not eq:
                if i + 1 >= len(argv):
                    fail("option --%s needs a value" % name)
                i += 1
                value = argv[i]
            if name in REPEATABLE:
                options.setdefault(name, []).append(value)
            else:
                options[name] = value
        else:
            positional.append(a)
        i += 1
    return positional, options


def parse_unix(text, what):
    if text is None:
        return None
    if not re.fullmatch(r"\d+", text):
        fail("%s must be unix seconds, got %r" % (what, text))
    return int(text)


def pin_clock(unix_seconds):
    """Make datetime.now() return unix_seconds inside the SDK and PyJWT."""
    fixed = _dt.datetime.fromtimestamp(unix_seconds, tz=_dt.timezone.utc)

    class PinnedDatetime(_dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return fixed if tz is None else fixed.astimezone(tz)

        @classmethod
        def utcnow(cls):
            return fixed.replace(tzinfo=None)

    jwt.api_jwt.datetime = PinnedDatetime
    lk_access_token.datetime = types.SimpleNamespace(
        datetime=PinnedDatetime, timezone=_dt.timezone, timedelta=_dt.timedelta
    )


def b64json(part):
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except Exception:  # noqa: BLE001
        return None


def decode(token):
    parts = str(token).split(".")
    if len(parts) != 3:
        return None, None
    return b64json(parts[0]), b64json(parts[1])


def claims_to_dict(claims):
    d = dataclasses.asdict(claims)
    if claims.room_config is not None:
        d["room_config"] = MessageToDict(claims.room_config)
    return d


def verify(argv):
    positional, options = parse_args(argv, VERIFY_OPTIONS)
    if len(positional) != 3:
        fail("usage: livekit_py.py verify TOKEN API_KEY API_SECRET [--now UNIX_SECONDS] [--leeway S]")
    token, key, secret = positional
    if token == "-":
        token = sys.stdin.read().strip()
    now = parse_unix(options.get("now"), "--now")
    if now is not None:
        pin_clock(now)
    kwargs = {}
    if "leeway" in options:
        try:
            kwargs["leeway"] = _dt.timedelta(seconds=float(options["leeway"]))
        except ValueError:
            fail("--leeway must be seconds")
    header, _ = decode(token)
    verified_at = jwt.api_jwt.datetime.now(tz=_dt.timezone.utc).timestamp()
    result = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            claims = api.TokenVerifier(key, secret, **kwargs).verify(token)
            result = {"valid": True, "claims": claims_to_dict(claims)}
        except Exception as e:  # noqa: BLE001  (the SDK's verdict)
            result = {"valid": False, "error": str(e), "error_type": type(e).__name__, "claims": None}
    result["header"] = header
    result["verified_at"] = int(verified_at)
    result["warnings"] = [str(w.message) for w in caught]
    out(result)


def load_json(options, name):
    if name not in options:
        return None
    try:
        return json.loads(options[name])
    except ValueError as e:
        fail("--%s is not JSON: %s" % (name, e))


def dataclass_from_camel(cls, obj, what):
    if not isinstance(obj, dict):
        fail("--%s must be a JSON object" % what)
    fields = {lk_access_token.camel_to_snake(k): v for k, v in obj.items()}
    return cls(**fields)  # an unknown field raises TypeError: reported as the SDK's refusal


def parse_ttl(text):
    m = re.fullmatch(r"(\d+(?:\.\d+)?)([smhd]?)", text)
    if not m:
        fail("--ttl must be seconds or a number with s/m/h/d, got %r" % text)
    value = float(m.group(1))
    unit = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]
    return _dt.timedelta(seconds=value * unit)


def mint(argv):
    positional, options = parse_args(argv, MINT_OPTIONS)
    if positional:
        fail("unexpected argument %r (all mint inputs are --options)" % positional[0])
    now = parse_unix(options.get("now"), "--now")
    if now is not None:
        pin_clock(now)
    attributes = {}
    for pair in options.get("attribute", []):
        k, eq, v = pair.partition("=")
        if not eq or not k:
            fail("--attribute wants KEY=VALUE, got %r" % pair)
        attributes[k] = v
    grant_json = load_json(options, "grant-json")
    sip_json = load_json(options, "sip-json")
    agent_json = load_json(options, "agent-json")
    inference_json = load_json(options, "inference-json")
    observability_json = load_json(options, "observability-json")
    room_config_json = load_json(options, "room-config-json")
    ttl = parse_ttl(options["ttl"]) if "ttl" in options else None

    result = {}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            at = api.AccessToken(
                options.get("api-key", options.get("key")),
                options.get("api-secret", options.get("secret")),
            )
            if "identity" in options:
                at.with_identity(options["identity"])
            if "name" in options:
                at.with_name(options["name"])
            if ttl is not None:
                at.with_ttl(ttl)
            if "metadata" in options:
                at.with_metadata(options["metadata"])
            if "attribute" in options:
                at.with_attributes(attributes)
            if grant_json is not None or "room" in options:
                video = dict(grant_json or {})
                if "room" in options:
                    video.setdefault("room", options["room"])
                at.with_grants(dataclass_from_camel(api.VideoGrants, video, "grant-json"))
            if sip_json is not None:
                at.with_sip_grants(dataclass_from_camel(api.SIPGrants, sip_json, "sip-json"))
            if agent_json is not None:
                at.with_agent_grants(dataclass_from_camel(lk_access_token.AgentGrants, agent_json, "agent-json"))
            if inference_json is not None:
                at.with_inference_grants(
                    dataclass_from_camel(lk_access_token.InferenceGrants, inference_json, "inference-json"))
            if observability_json is not None:
                at.with_observability_grants(
                    dataclass_from_camel(lk_access_token.ObservabilityGrants, observability_json,
                                         "observability-json"))
            if "kind" in options:
                at.with_kind(options["kind"])
            if room_config_json is not None:
                at.with_room_config(ParseDict(room_config_json, RoomConfiguration()))
            if "room-preset" in options:
                at.with_room_preset(options["room-preset"])
            if "sha256" in options:
                at.with_sha256(options["sha256"])
            token = at.to_jwt()
            header, claims = decode(token)
            result = {"token": token, "header": header, "claims": claims}
        except Exception as e:  # noqa: BLE001  (the SDK's refusal)
            result = {"token": None, "error": "%s: %s" % (type(e).__name__, e)}
    result["warnings"] = [str(w.message) for w in caught]
    out(result)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("verify", "mint"):
        fail("usage: livekit_py.py verify TOKEN API_KEY API_SECRET [...] | livekit_py.py mint [--options]")
    try:
        (verify if sys.argv[1] == "verify" else mint)(sys.argv[2:])
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001
        fail("unexpected failure: %s" % e)


if __name__ == "__main__":
    main()
