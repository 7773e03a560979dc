"""Mint a JWT with PyJWT 2.15.1 (+ cryptography), for any algorithm and key file format.

    .venv/bin/python pyjwt_sign.py ALG KEYFILE [--kid K] [--header JSON] [--claims JSON]
                                    [--now UNIX_SECONDS] [--key-as auto|raw]

Same conventions as the Node scripts (lib/common.js): one JSON object on stdout, exit 0 unless
the script itself broke (then 2, one line on stderr).

Calls  jwt.encode(CLAIMS, KEY, algorithm=ALG, headers={**HEADER, "kid": K}?)
(ALG "none": KEY is None and KEYFILE is ignored, may be "-"). PyJWT adds "typ": "JWT" and
writes the header keys sorted (sort_headers=True), e.g. {"alg":..,"kid":..,"typ":"JWT"}.
CLAIMS default to {"sub": "pyjwt-test", "iat": NOW, "exp": NOW + 3600}, NOW = --now or the real
clock; --claims replaces them entirely (a JSON object).

KEY is built from KEYFILE according to what the file holds:
  a private key PEM (PKCS#8, PKCS#1, SEC1)   serialization.load_pem_private_key(raw, None)
  "-----BEGIN PUBLIC KEY-----"/"RSA PUBLIC KEY"/"CERTIFICATE"
                                           loaded like pyjwt_verify.py (PyJWT then fails to sign)
  a JSON object with "kty" (JWK)           jwt.PyJWK(obj, algorithm=ALG)
  anything else                            the file's raw bytes (HMAC secret)
--key-as raw: the raw bytes go to PyJWT as-is (PyJWT parses PEMs itself, and its HMAC
  algorithms refuse PEM/SSH/DER/JWK-looking secrets).

Prints one JSON object:
  token       the compact JWT, or null when PyJWT refused
  error       "ExceptionName: message", else null;  error_code  the exception class name
  stage       "import" | "sign" where it failed, else null
  key_import  the call that produced KEY
  warnings    messages of warnings PyJWT raised (e.g. InsecureKeyLengthWarning for a short
              HMAC secret or an RSA key < 2048 bits)
  header, payload   as signed (decoded from the token), or as requested when it failed
"""
import base64
import json
import os
import sys
import time
import warnings

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

KNOWN = ["kid", "header", "claims", "now", "key-as"]
USAGE = "usage: pyjwt_sign.py ALG KEYFILE [--kid K] [--header JSON] [--claims JSON] [--now UNIX_SECONDS] [--key-as auto|raw]"


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


def json_object(text, what):
    try:
        v = json.loads(text)
    except ValueError as e:
        fail(f"{what} is not JSON: {e}")
    if not isinstance(v, dict):
        fail(f"{what} must be a JSON object")
    return v


def b64url_json(part):
    try:
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except Exception:
        return None


def err_text(e):
    return f"{type(e).__name__}: {e}"


def main():
    positional, options = parse_args(sys.argv[1:], KNOWN)
    if len(positional) != 2:
        fail(USAGE)
    alg, key_file = positional
    key_as = options.get("key-as", "auto")
    if key_as not in ("auto", "raw"):
        fail("--key-as must be auto or raw")
    now = options.get("now")
    if now is None:
        now = int(time.time())
    elif not now.isdigit():
        fail(f"--now must be unix seconds, got {json.dumps(now)}")
    else:
        now = int(now)
    claims = json_object(options["claims"], "--claims") if "claims" in options else {"sub": "pyjwt-test", "iat": now, "exp": now + 3600}
    headers = json_object(options["header"], "--header") if "header" in options else {}
    if "alg" in headers and headers["alg"] != alg:
        fail(f"--header alg {json.dumps(headers['alg'])} differs from ALG {json.dumps(alg)}")
    if "kid" in options:
        headers["kid"] = options["kid"]

    result = {"token": None, "error": None, "error_code": None, "stage": None, "key_import": None,
              "warnings": [], "header": {**headers, "alg": alg}, "payload": claims}

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if alg == "none":
                key, how = None, "None (alg none)"
            else:
                try:
                    with open(key_file, "rb") as f:
                        raw = f.read()
                except OSError as e:
                    fail(f"cannot read {key_file}: {e}")
                text = raw.decode("utf-8", errors="replace").strip()
                first = text.split("\n", 1)[0]
                if key_as == "raw":
                    key, how = raw, "raw file bytes to PyJWT (--key-as raw)"
                elif text.startswith("{"):
                    obj = json.loads(text)
                    if isinstance(obj, dict) and isinstance(obj.get("keys"), list):
                        fail("KEYFILE is a JWKS (public keys); sign with a private JWK or PEM")
                    key, how = jwt.PyJWK(obj, algorithm=alg), "jwt.PyJWK(obj, algorithm=ALG)"
                elif first.startswith("-----BEGIN") and "PRIVATE KEY-----" in first:
                    key, how = serialization.load_pem_private_key(raw, password=None), "serialization.load_pem_private_key"
                elif first.startswith("-----BEGIN CERTIFICATE-----"):
                    key, how = x509.load_pem_x509_certificate(raw).public_key(), "x509.load_pem_x509_certificate(...).public_key()"
                elif first.startswith("-----BEGIN PUBLIC KEY-----") or first.startswith("-----BEGIN RSA PUBLIC KEY-----"):
                    key, how = serialization.load_pem_public_key(raw), "serialization.load_pem_public_key"
                else:
                    key, how = raw, "raw file bytes (HMAC secret)"
            result["key_import"] = how
        except SystemExit:
            raise
        except Exception as e:
            result.update(error=err_text(e), error_code=type(e).__name__, stage="import")
            key = how = None
        if result["stage"] is None:
            try:
                token = jwt.encode(claims, key, algorithm=alg, headers=headers or None)
                parts = token.split(".")
                result.update(token=token, header=b64url_json(parts[0]), payload=b64url_json(parts[1]))
            except Exception as e:
                result.update(error=err_text(e), error_code=type(e).__name__, stage="sign")
        result["warnings"] = [str(w.message) for w in caught]
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # the script itself broke
        fail(f"broke: {err_text(e)}")
