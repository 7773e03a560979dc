"""Verify a JWT with PyJWT 2.15.1 (+ cryptography) against a key file in any format.

    .venv/bin/python pyjwt_verify.py TOKEN KEYFILE [--alg A] [--now UNIX_SECONDS]
                                      [--key-as auto|raw] [--import auto|pyjwt]

TOKEN may be "-" (read from stdin). Same conventions as the Node scripts (lib/common.js): one
JSON object on stdout, exit 0 unless the script itself broke (then 2, one line on stderr).

Calls  jwt.decode_complete(TOKEN, KEY, algorithms=[ALG], options=OPTIONS)
  ALG      --alg, else the token header's own alg (what jwt.io does; PyJWT's docs warn against
           taking it from the token in real verifiers).
  OPTIONS  without --now: {"verify_exp": False, "verify_nbf": False, "verify_iat": False,
           "verify_aud": False} (signature only);
           with --now: the time checks are on and made at S: PyJWT has no clock option, so
           jwt.api_jwt.datetime (the name api_jwt's _validate_claims calls .now() on) is
           replaced by a datetime subclass whose now() returns S. "verify_aud" stays False
           (like jose, no audience is checked unless asked; PyJWT would otherwise reject any
           token carrying "aud").

KEY is built from KEYFILE according to what the file holds:
  "-----BEGIN CERTIFICATE-----"       cryptography x509.load_pem_x509_certificate(...).public_key()
  "-----BEGIN PUBLIC KEY-----" / "-----BEGIN RSA PUBLIC KEY-----"
                                      serialization.load_pem_public_key
  a private key PEM (PKCS#8, PKCS#1, SEC1)
                                      serialization.load_pem_private_key(..., None).public_key()
                                      (--import pyjwt: the private key object itself)
  a JSON object with "keys" (JWKS)    jwt.PyJWKSet.from_dict(obj)[header.get("kid")]
                                      (PyJWKSet's own lookup: a token without kid gets the
                                      first member without kid, if any)
  a JSON object with "kty" (JWK)      jwt.PyJWK(obj, algorithm=ALG); if it holds a private
                                      key, its .key.public_key() (--import pyjwt: the PyJWK)
  anything else                       the file's raw bytes (HMAC secret)
--key-as raw: the raw bytes of KEYFILE go to PyJWT as-is, so PyJWT's own prepare_key parses
  (or refuses) them: PEM keys load, a certificate PEM does not, and the HMAC algorithms refuse
  PEM/SSH/DER/JWK-looking secrets (PyJWT's key-confusion guard).

When a JWKS lookup fails (or verification with the picked key fails) and the token has no kid,
every member is also tried in turn (jwt.decode_complete(TOKEN, member, algorithms=[ALG])):
its verdict is in "jwks_iteration" (PyJWT has no such helper; this is the obvious loop).

Prints one JSON object:
  valid        decode_complete returned
  error        "ExceptionName: message", else null;  error_code  the exception class name
  stage        "import" | "select" | "verify" where it failed, else null
  key_import   the call that produced KEY
  alg, algorithms, clock {now: S or null, verify_exp, verify_nbf, verify_iat}
  warnings     messages of warnings PyJWT raised (e.g. InsecureKeyLengthWarning)
  jwks_iteration  {valid, matched_index, matched_kid, tried} or null
  header, payload  PyJWT's when valid, else a tolerant decode
"""
import base64
import datetime as _dt
import json
import os
import sys
import warnings

import jwt
import jwt.api_jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

KNOWN = ["alg", "now", "key-as", "import"]
USAGE = "usage: pyjwt_verify.py TOKEN KEYFILE [--alg A] [--now UNIX_SECONDS] [--key-as auto|raw] [--import auto|pyjwt]"


def fail(message):
    sys.stderr.write(f"{os.path.basename(sys.argv[0])}: {message}\n")
    sys.exit(2)


def parse_args(argv, known):
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


def b64url_json(part):
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except Exception:
        return None


def decode_jwt(token):
    parts = token.split(".")
    if len(parts) != 3:
        return None, None
    return b64url_json(parts[0]), b64url_json(parts[1])


def err_text(e):
    return f"{type(e).__name__}: {e}"


def out(obj):
    sys.stdout.write(json.dumps(obj) + "\n")


def main():
    positional, options = parse_args(sys.argv[1:], KNOWN)
    if len(positional) != 2:
        fail(USAGE)
    token = sys.stdin.read().strip() if positional[0] == "-" else positional[0]
    key_file = positional[1]
    key_as = options.get("key-as", "auto")
    import_mode = options.get("import", "auto")
    if key_as not in ("auto", "raw"):
        fail("--key-as must be auto or raw")
    if import_mode not in ("auto", "pyjwt"):
        fail("--import must be auto or pyjwt")
    now = options.get("now")
    if now is not None:
        if not now.isdigit():
            fail(f"--now must be unix seconds, got {json.dumps(now)}")
        now = int(now)

    header, payload = decode_jwt(token)
    alg = options.get("alg") or (header.get("alg") if isinstance(header, dict) else None)
    algorithms = [alg] if alg is not None else None
    time_checks = now is not None
    decode_options = {"verify_exp": time_checks, "verify_nbf": time_checks, "verify_iat": time_checks, "verify_aud": False}
    clock = {"now": now, "verify_exp": time_checks, "verify_nbf": time_checks, "verify_iat": time_checks}

    if now is not None:
        pinned = now

        class _PinnedDatetime(_dt.datetime):
            @classmethod
            def now(cls, tz=None):
                return _dt.datetime.fromtimestamp(pinned, tz)

        jwt.api_jwt.datetime = _PinnedDatetime

    try:
        with open(key_file, "rb") as f:
            raw = f.read()
    except OSError as e:
        fail(f"cannot read {key_file}: {e}")

    result = {"valid": False, "error": None, "error_code": None, "stage": None, "key_import": None,
              "alg": alg, "algorithms": algorithms, "clock": clock, "warnings": [], "jwks_iteration": None,
              "header": header, "payload": payload}
    caught = []

    def finish():
        result["warnings"] = [str(w.message) for w in caught]
        out(result)

    def failed(stage, e):
        result.update(valid=False, error=err_text(e), error_code=type(e).__name__, stage=stage)

    def decode(key):
        return jwt.decode_complete(token, key, algorithms=algorithms, options=decode_options)

    with warnings.catch_warnings(record=True) as caught_now:
        warnings.simplefilter("always")
        caught = caught_now
        # --- import
        jwks = None
        try:
            text = raw.decode("utf-8", errors="replace").strip()
            if key_as == "raw":
                key, how = raw, "raw file bytes to PyJWT (--key-as raw)"
            elif text.startswith("{"):
                obj = json.loads(text)
                if isinstance(obj, dict) and isinstance(obj.get("keys"), list):
                    jwks = jwt.PyJWKSet.from_dict(obj)
                    key, how = None, "jwt.PyJWKSet.from_dict(obj)[kid]"
                else:
                    pyjwk = jwt.PyJWK(obj, algorithm=alg)
                    if "d" in obj and import_mode == "auto":
                        key, how = pyjwk.key.public_key(), "jwt.PyJWK(obj, algorithm=ALG).key.public_key() (private JWK)"
                    else:
                        key, how = pyjwk, "jwt.PyJWK(obj, algorithm=ALG)"
            elif text.startswith("-----BEGIN CERTIFICATE-----"):
                key, how = x509.load_pem_x509_certificate(raw).public_key(), "x509.load_pem_x509_certificate(...).public_key()"
            elif text.startswith("-----BEGIN PUBLIC KEY-----") or text.startswith("-----BEGIN RSA PUBLIC KEY-----"):
                key, how = serialization.load_pem_public_key(raw), "serialization.load_pem_public_key"
            elif text.startswith("-----BEGIN") and "PRIVATE KEY-----" in text.split("\n", 1)[0]:
                private = serialization.load_pem_private_key(raw, password=None)
                if import_mode == "auto":
                    key, how = private.public_key(), "serialization.load_pem_private_key(...).public_key()"
                else:
                    key, how = private, "serialization.load_pem_private_key (--import pyjwt)"
            else:
                key, how = raw, "raw file bytes (HMAC secret)"
            result["key_import"] = how
        except Exception as e:  # the library refused the key
            failed("import", e)
            finish()
            return

        # --- select (JWKS)
        if jwks is not None:
            kid = header.get("kid") if isinstance(header, dict) else None
            try:
                key = jwks[kid]
            except Exception as e:
                failed("select", e)
                key = None

        # --- verify
        if key is not None:
            try:
                r = decode(key)
                result.update(valid=True, error=None, error_code=None, stage=None, header=r["header"], payload=r["payload"])
            except Exception as e:
                failed("verify", e)

        if jwks is not None and not result["valid"] and not (isinstance(header, dict) and "kid" in header):
            it = {"valid": False, "matched_index": None, "matched_kid": None, "tried": 0}
            for index, member in enumerate(jwks.keys):
                it["tried"] += 1
                try:
                    r = decode(member)
                except Exception:
                    continue
                it.update(valid=True, matched_index=index, matched_kid=member.key_id)
                break
            result["jwks_iteration"] = it
        finish()


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # the script itself broke
        fail(f"broke: {err_text(e)}")
