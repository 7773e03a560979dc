#!/usr/bin/env python3
"""Peer benchmark: bulk-mint Zoom-like HS256 JWTs with PyJWT, for benches/compare.sh.

    python3 benches/peers/pyjwt_bulk.py N [--iat SECONDS] > tokens.txt

stdout: N tokens, one per line (collected in memory and written once, so that output cost is not
        counted per token).
stderr: "pyjwt: X.XX us/token" (time of the timed mint loop only, divided by N; an untimed
        warm-up of min(N, 500) tokens runs first).

The claims and their order mirror `tokenbench mint zoom --count N --topic 'room-{n}'` and
jsonwebtoken_bulk.js: {app_key, role_type, tpc: "room-" + i, version: 1, iat, exp}, one iat for
the run (now, or --iat), exp = iat + 7200. The secret is a string, as vendor code passes it.

PyJWT is not a dependency of tokenbench: compare.sh installs it (`pip install pyjwt`) into a
virtual environment under target/bench-venv and runs this script with that interpreter.
"""
import sys
import time

try:
    import jwt
except ImportError:
    sys.stderr.write("pyjwt_bulk.py: PyJWT is not installed; run `pip install pyjwt` (compare.sh does)\n")
    sys.exit(2)

KEY = "bench_sdk_key_0000000000"
SECRET = "bench-sdk-secret-not-a-real-one-0123456789"


def main(argv):
    args = list(argv)
    iat = int(time.time())
    if "--iat" in args:
        at = args.index("--iat")
        iat = int(args[at + 1])
        del args[at : at + 2]
    if len(args) != 1 or not args[0].isdigit() or int(args[0]) < 1:
        sys.stderr.write("usage: pyjwt_bulk.py N [--iat SECONDS]   (N >= 1 tokens)\n")
        return 2
    n = int(args[0])
    exp = iat + 7200

    def sign(topic):
        claims = {"app_key": KEY, "role_type": 1, "tpc": topic, "version": 1, "iat": iat, "exp": exp}
        return jwt.encode(claims, SECRET, algorithm="HS256")

    for i in range(min(n, 500)):
        sign("warmup-%d" % i)
    start = time.perf_counter_ns()
    out = [sign("room-%d" % i) for i in range(n)]
    elapsed = time.perf_counter_ns() - start
    sys.stdout.write("\n".join(out) + "\n")
    sys.stderr.write("pyjwt: %.2f us/token\n" % (elapsed / 1000 / n))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
