"""Verify a Twilio Access Token with the twilio PyPI package itself (twilio 9.13.0,
twilio/jwt/__init__.py `Jwt.from_jwt`, inherited by twilio.jwt.access_token.AccessToken).

    .venv/bin/python twilio_verify.py TOKEN API_SECRET [--now UNIX]

TOKEN may be "-" (read from stdin). Calls  AccessToken.from_jwt(TOKEN, API_SECRET), which is:
    header = jwt.get_unverified_header(TOKEN); header["alg"] must be exactly "HS256"
    jwt.decode(TOKEN, API_SECRET, algorithms=["HS256"],
               options={"verify_signature": bool(API_SECRET), "verify_exp": True, "verify_nbf": True})
with PyJWT 2.15.1's other defaults (leeway 0; verify_iat: an `iat` in the future is refused;
`sub` and `jti` must be strings; an `aud` claim is refused since no audience is passed).
Any failure is raised as twilio.jwt.JwtDecodeError(str(cause)).
An EMPTY API_SECRET ("") makes the SDK skip the signature check (exp/nbf still checked): the
output then says "signature_checked": false.

Clock: PyJWT reads datetime.now() in jwt/api_jwt.py. With --now, that module's `datetime` is
replaced for the duration of the call by one whose now() is UNIX; without it, the real clock
(exactly what the SDK does).

Prints one JSON object:
    valid              from_jwt returned (no exception)
    error              the JwtDecodeError message, or null
    error_cause        class name of the PyJWT exception behind it (ExpiredSignatureError,
                       ImmatureSignatureError, InvalidSignatureError, DecodeError, ValueError...),
                       or null
    signature_checked  bool(API_SECRET)
    returned_type      class of the object from_jwt returns ("Jwt": the base class, not AccessToken)
    headers, payload   .headers / .payload of the returned object (grants as decoded); when not
                       valid, the unverified decode of the token instead, with decoded_unverified true
    decoded_unverified
    headers_error / payload_error   only when reading .headers/.payload of the returned object
                       raised (the SDK does for an empty {} payload: NotImplementedError)
    warnings           PyJWT warnings (e.g. InsecureKeyLengthWarning for an HMAC key < 32 bytes)
    verify_at          --now, or null for the real clock
Exit 2 only when the script is called wrongly.
"""
import json
import os
import sys
import warnings
from datetime import datetime, timezone

NAME = os.path.basename(sys.argv[0])


def fail(message):
    sys.stderr.write(f"{NAME}: {message}\n")
    sys.exit(2)


def main():
    argv = sys.argv[1:]
    positional, now = [], None
    i = 0
    while i < len(argv):
        a = argv[i]
        if a == "--now" or a.startswith("--now="):
            if a == "--now":
                if i + 1 >= len(argv):
                    fail("option --now needs a value")
                i += 1
                value = argv[i]
            else:
                value = a[len("--now="):]
            if not value.isdigit():
                fail(f"--now must be unix seconds, got {json.dumps(value)}")
            now = int(value)
        elif a.startswith("--") and len(a) > 2:
            fail(f"unknown option {a.split('=')[0]} (known: --now)")
        else:
            positional.append(a)
        i += 1
    if len(positional) != 2:
        fail("usage: twilio_verify.py TOKEN API_SECRET [--now UNIX]")
    token = sys.stdin.read().strip() if positional[0] == "-" else positional[0]
    secret = positional[1]

    import jwt as pyjwt
    import jwt.api_jwt as api_jwt
    from twilio.jwt import JwtDecodeError
    from twilio.jwt.access_token import AccessToken

    real_datetime = api_jwt.datetime
    if now is not None:
        class _Pinned(datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.fromtimestamp(now, tz or timezone.utc)
        api_jwt.datetime = _Pinned

    result = {"valid": False, "error": None, "error_cause": None, "signature_checked": bool(secret), "returned_type": None,
              "headers": None, "payload": None, "decoded_unverified": False, "warnings": [],
              "verify_at": now}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                decoded = AccessToken.from_jwt(token, secret)
                result["valid"] = True
                result["returned_type"] = type(decoded).__name__
                # The SDK keeps the decoded parts only when they are truthy: for an empty
                # header or payload ({}), .headers/.payload fall back to *generating* one, and
                # the base Jwt class raises NotImplementedError. Report that, do not crash.
                for name in ("headers", "payload"):
                    try:
                        result[name] = getattr(decoded, name)
                    except Exception as e:
                        result[name] = None
                        result[name + "_error"] = f"{type(e).__name__}: {e}"
            except JwtDecodeError as e:
                result["error"] = str(e)
                # from_jwt raises JwtDecodeError inside its `except`, so the PyJWT exception
                # is kept as __context__: ExpiredSignatureError, ImmatureSignatureError,
                # InvalidSignatureError, DecodeError, ValueError (alg not HS256) ...
                cause = e.__cause__ or e.__context__
                result["error_cause"] = type(cause).__name__ if cause is not None else None
        result["warnings"] = [f"{w.category.__name__}: {w.message}" for w in caught]
    finally:
        api_jwt.datetime = real_datetime

    if not result["valid"]:
        result["decoded_unverified"] = True
        try:
            result["headers"] = pyjwt.get_unverified_header(token)
        except Exception:
            result["headers"] = None
        try:
            result["payload"] = pyjwt.decode(token, options={"verify_signature": False})
        except Exception:
            result["payload"] = None
    print(json.dumps(result))


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # this script broke: one line, exit 2 (tests/interop convention)
        fail(f"unexpected {type(e).__name__}: {e}")
