"""Mint a Twilio Access Token with the twilio PyPI package itself (twilio 9.13.0,
twilio/jwt/access_token/__init__.py and grants.py, signing through PyJWT).

    .venv/bin/python twilio_mint.py ACCOUNT_SID API_KEY_SID API_SECRET
        [--identity ID] [--ttl SECONDS] [--nbf UNIX|none] [--valid-until UNIX] [--region R]
        [--algorithm HS256] [--now UNIX]
        [--video-room NAME]
        [--voice-incoming true|false] [--voice-app-sid AP...] [--voice-app-params JSON]
        [--voice-push-credential-sid CR...] [--voice-endpoint-id ID]
        [--chat-service-sid IS...] [--chat-endpoint-id ID] [--chat-deployment-role-sid RL...]
        [--chat-push-credential-sid CR...]
        [--sync-service-sid IS...] [--sync-endpoint-id ID]
        [--taskrouter-workspace-sid WS...] [--taskrouter-worker-sid WK...] [--taskrouter-role ROLE]
        [--playback-grant-json JSON]

The same inputs as twilio_mint.js (plus --valid-until and --nbf none, which only the Python SDK has).
Calls
    t = AccessToken(ACCOUNT_SID, API_KEY_SID, API_SECRET, identity=..., ttl=..., nbf=...,
                    valid_until=..., region=...)
    t.add_grant(VideoGrant(room=...))                                   # any --video-*
    t.add_grant(VoiceGrant(incoming_allow=..., outgoing_application_sid=...,
                outgoing_application_params=..., push_credential_sid=..., endpoint_id=...))
    t.add_grant(ChatGrant(service_sid=..., endpoint_id=..., deployment_role_sid=...,
                push_credential_sid=...))
    t.add_grant(SyncGrant(service_sid=..., endpoint_id=...))
    t.add_grant(TaskRouterGrant(workspace_sid=..., worker_sid=..., role=...))
    t.add_grant(PlaybackGrant(grant=JSON))
    t.to_jwt()
in that order (the same order as twilio_mint.js). Defaults: identity "alice", the SDK's ttl 3600,
the SDK's nbf (Jwt.GENERATE = now; "--nbf none" passes nbf=None, which omits the claim).
twilio-python's AccessToken always signs HS256 (no algorithm option): --algorithm accepts HS256 only.

Differences from the Node SDK that this shows: no `iat`; `nbf` = now by default; `identity` is
written after the grants and only when truthy (an empty identity is not refused); ttl 0 is kept
(exp = now); the header is written by PyJWT with sorted keys.

Clock: the SDK reads time.time() (jti, exp, nbf: three separate reads). With --now, time.time is
replaced by a constant for the duration of to_jwt() only. Without it, the real clock.
Nothing is sent anywhere. Prints {"token", "header", "payload", "warnings"} (header/payload
decoded from the token; warnings = PyJWT warnings such as InsecureKeyLengthWarning for an HMAC
key under 32 bytes), or {"token": null, "error"} when the SDK raises. Exit 2 = called wrongly.
"""
import base64
import json
import os
import sys
import time
import warnings

NAME = os.path.basename(sys.argv[0])


def fail(message):
    sys.stderr.write(f"{NAME}: {message}\n")
    sys.exit(2)


KNOWN = [
    "identity", "ttl", "nbf", "valid-until", "region", "algorithm", "now",
    "video-room",
    "voice-incoming", "voice-app-sid", "voice-app-params", "voice-push-credential-sid", "voice-endpoint-id",
    "chat-service-sid", "chat-endpoint-id", "chat-deployment-role-sid", "chat-push-credential-sid",
    "sync-service-sid", "sync-endpoint-id",
    "taskrouter-workspace-sid", "taskrouter-worker-sid", "taskrouter-role",
    "playback-grant-json",
]


def parse_args(argv, known):
    """Same rules as lib/common.js parseArgs: positionals and `--name value` / `--name=value`."""
    positional, options = [], {}
    i = 0
    while i < len(argv):
        a = argv[i]
        if a.startswith("--") and len(a) > 2:
            name, eq, value = a[2:].partition("=")
            if name not in known:
                fail(f"unknown option --{name} (known: {', '.join('--' + k for k in known)})")
            if not eq:
                if i + 1 >= len(argv):
                    fail(f"option --{name} needs a value")
                i += 1
                value = argv[i]
            options[name] = value
        else:
            positional.append(a)
        i += 1
    return positional, options


def unix(options, name):
    v = options.get(name)
    if v is None:
        return None
    if not v.isdigit():
        fail(f"--{name} must be unix seconds, got {json.dumps(v)}")
    return int(v)


def b64url_json(part):
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except Exception:
        return None


def main():
    positional, options = parse_args(sys.argv[1:], KNOWN)
    if len(positional) != 3:
        fail("usage: twilio_mint.py ACCOUNT_SID API_KEY_SID API_SECRET [--identity ID] [--ttl S] "
             "[--nbf UNIX|none] [--valid-until UNIX] [--region R] [--now UNIX] [grant options]")
    account_sid, key_sid, secret = positional

    if options.get("algorithm", "HS256") != "HS256":
        fail("twilio-python's AccessToken always signs HS256; it has no algorithm option")

    def js(name):
        if name not in options:
            return None
        try:
            return json.loads(options[name])
        except ValueError as e:
            fail(f"--{name} is not JSON: {e}")

    def flag(name):
        if name not in options:
            return None
        if options[name] not in ("true", "false"):
            fail(f"--{name} must be true or false")
        return options[name] == "true"

    def any_(prefix):
        return any(k.startswith(prefix) for k in options)

    from twilio.jwt.access_token import AccessToken
    from twilio.jwt.access_token.grants import (
        ChatGrant, PlaybackGrant, SyncGrant, TaskRouterGrant, VideoGrant, VoiceGrant,
    )

    kwargs = {"identity": options.get("identity", "alice")}
    if "ttl" in options:
        kwargs["ttl"] = unix(options, "ttl")
    if options.get("nbf") == "none":
        kwargs["nbf"] = None
    elif "nbf" in options:
        kwargs["nbf"] = unix(options, "nbf")
    if "valid-until" in options:
        kwargs["valid_until"] = unix(options, "valid-until")
    if "region" in options:
        kwargs["region"] = options["region"]
    now = unix(options, "now")

    caught = []
    try:
        t = AccessToken(account_sid, key_sid, secret, **kwargs)
        if any_("video-"):
            t.add_grant(VideoGrant(room=options.get("video-room")))
        if any_("voice-"):
            t.add_grant(VoiceGrant(
                incoming_allow=flag("voice-incoming"),
                outgoing_application_sid=options.get("voice-app-sid"),
                outgoing_application_params=js("voice-app-params"),
                push_credential_sid=options.get("voice-push-credential-sid"),
                endpoint_id=options.get("voice-endpoint-id"),
            ))
        if any_("chat-"):
            t.add_grant(ChatGrant(
                service_sid=options.get("chat-service-sid"),
                endpoint_id=options.get("chat-endpoint-id"),
                deployment_role_sid=options.get("chat-deployment-role-sid"),
                push_credential_sid=options.get("chat-push-credential-sid"),
            ))
        if any_("sync-"):
            t.add_grant(SyncGrant(
                service_sid=options.get("sync-service-sid"),
                endpoint_id=options.get("sync-endpoint-id"),
            ))
        if any_("taskrouter-"):
            t.add_grant(TaskRouterGrant(
                workspace_sid=options.get("taskrouter-workspace-sid"),
                worker_sid=options.get("taskrouter-worker-sid"),
                role=options.get("taskrouter-role"),
            ))
        if "playback-grant-json" in options:
            t.add_grant(PlaybackGrant(grant=js("playback-grant-json")))

        real_time = time.time
        if now is not None:
            time.time = lambda: float(now)
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                token = t.to_jwt()
        finally:
            time.time = real_time
    except Exception as e:  # the SDK's own refusal
        print(json.dumps({"token": None, "error": f"{type(e).__name__}: {e}"}))
        return

    parts = token.split(".")
    print(json.dumps({
        "token": token,
        "header": b64url_json(parts[0]) if len(parts) == 3 else None,
        "payload": b64url_json(parts[1]) if len(parts) == 3 else None,
        "warnings": [f"{w.category.__name__}: {w.message}" for w in caught],
    }))


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # this script broke: one line, exit 2 (tests/interop convention)
        fail(f"unexpected {type(e).__name__}: {e}")
