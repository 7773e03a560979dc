#!/usr/bin/env bash
# Whole-process comparisons for BENCHMARKS.md, printed with their ratios:
#   1. bulk minting of Zoom HS256 tokens: tokenbench against the `jsonwebtoken` npm package (string
#      secret, as vendor code calls it, and a prebuilt KeyObject) and PyJWT;
#   2. `tokenbench inspect TOKEN` against `jwt decode TOKEN` from jwt-cli: wall time per process
#      and peak RSS.
#
#   benches/compare.sh
#
# Environment (all optional): TB_COUNT tokens for tokenbench (default 1000000), NODE_COUNT for
# jsonwebtoken with a string secret (5000: it takes ~0.3 ms a token), NODE_KO_COUNT for the
# KeyObject path (100000), PY_COUNT for PyJWT (50000), RUNS for hyperfine (300).
#
# What it sets up on first use, all under target/ except the apt package:
#   - the npm packages of tests/interop (`npm ci`), where the jsonwebtoken peer finds its module;
#   - PyJWT in a virtual environment, target/bench-venv (`pip install pyjwt`);
#   - jwt-cli in target/tools (`cargo install jwt-cli --locked`: a few minutes on 2 cores);
#   - hyperfine (`apt-get install hyperfine`, when missing and apt-get can run).
# Not part of `cargo test`: run it by hand, on a machine as quiet as you can get.
set -euo pipefail
cd "$(dirname "$0")/.."

TB_COUNT=${TB_COUNT:-1000000}
NODE_COUNT=${NODE_COUNT:-5000}
NODE_KO_COUNT=${NODE_KO_COUNT:-100000}
PY_COUNT=${PY_COUNT:-50000}
RUNS=${RUNS:-300}
# The bench credentials of benches/peers/*: not a secret.
KEY=bench_sdk_key_0000000000
export TB_BENCH_SECRET=bench-sdk-secret-not-a-real-one-0123456789
IAT=1795341600
OUT=target/compare
mkdir -p "$OUT"

say() { printf '%s\n' "$*" >&2; }

# --- set-up -----------------------------------------------------------------------------------
say "building tokenbench (release)…"
cargo build --release --quiet
TB=target/release/tokenbench

if [ ! -f tests/interop/node_modules/jsonwebtoken/package.json ]; then
    say "installing the npm packages of tests/interop…"
    (cd tests/interop && npm ci --no-audit --no-fund >&2)
fi
PY=target/bench-venv/bin/python
if ! "$PY" -c 'import jwt' 2>/dev/null; then
    say "installing PyJWT into target/bench-venv…"
    python3 -m venv target/bench-venv
    target/bench-venv/bin/pip install --quiet pyjwt >&2
fi
JWT=target/tools/bin/jwt
if [ ! -x "$JWT" ]; then
    say "installing jwt-cli into target/tools (a few minutes)…"
    cargo install jwt-cli --locked --root target/tools >&2
fi
if ! command -v hyperfine >/dev/null; then
    say "installing hyperfine…"
    { apt-get install -y hyperfine || sudo apt-get install -y hyperfine; } >&2
fi

# --- 0. the peers mint the very same tokens -------------------------------------------------
tb_mint() { "$TB" mint zoom --count "$1" --token-only --topic 'room-{n}' --key "$KEY" \
    --secret env:TB_BENCH_SECRET --now "$IAT"; }
tb_mint 1000 > "$OUT/tokenbench.txt"
node benches/peers/jsonwebtoken_bulk.js 1000 --iat "$IAT" > "$OUT/jsonwebtoken.txt" 2>/dev/null
"$PY" benches/peers/pyjwt_bulk.py 1000 --iat "$IAT" > "$OUT/pyjwt.txt" 2>/dev/null
cmp -s "$OUT/tokenbench.txt" "$OUT/jsonwebtoken.txt" && cmp -s "$OUT/tokenbench.txt" "$OUT/pyjwt.txt" \
    || { say "the peers do not mint the same tokens as tokenbench: the comparison would be unfair"; exit 1; }
say "same claims, same bytes: tokenbench, jsonwebtoken and PyJWT mint identical tokens."

# --- 1. bulk minting --------------------------------------------------------------------------
hyperfine_mean() { # COMMAND… -> mean seconds
    hyperfine --style none --warmup 2 --runs "${2:-10}" --export-json "$OUT/h.json" -N "$1" >/dev/null 2>&1
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["mean"])' "$OUT/h.json"
}
peak_rss_kib() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }
peer_us() { sed -n 's/.*: \([0-9.]*\) us\/token.*/\1/p'; }

say "bulk: tokenbench, $TB_COUNT tokens per process…"
tb_cmd="$TB mint zoom --count $TB_COUNT --token-only --topic room-{n} --key $KEY --secret env:TB_BENCH_SECRET --now $IAT"
tb_seconds=$(hyperfine_mean "$tb_cmd" 10)
tb_rss=$(peak_rss_kib $tb_cmd)
tb_us=$(python3 -c "print($tb_seconds * 1e6 / $TB_COUNT)")
say "bulk: jsonwebtoken (string secret, $NODE_COUNT), (KeyObject, $NODE_KO_COUNT), PyJWT ($PY_COUNT)…"
node_us=$(node benches/peers/jsonwebtoken_bulk.js "$NODE_COUNT" 2>&1 >/dev/null | peer_us)
node_ko_us=$(node benches/peers/jsonwebtoken_bulk.js "$NODE_KO_COUNT" --key-object 2>&1 >/dev/null | peer_us)
py_us=$("$PY" benches/peers/pyjwt_bulk.py "$PY_COUNT" 2>&1 >/dev/null | peer_us)

say "bulk: vonage RS256, 2000 tokens, --jobs 1 and --jobs 2…"
rs_1=$(hyperfine_mean "$TB mint vonage --count 2000 --token-only --now $IAT --jobs 1" 3)
rs_2=$(hyperfine_mean "$TB mint vonage --count 2000 --token-only --now $IAT --jobs 2" 3)

# --- 2. inspect against jwt decode ------------------------------------------------------------
token=$("$TB" mint zoom --token-only)
say "inspect: $RUNS runs each of tokenbench inspect and jwt decode…"
inspect_s=$(hyperfine_mean "$TB inspect $token" "$RUNS")
decode_s=$(hyperfine_mean "$JWT decode $token" "$RUNS")
inspect_rss=$(peak_rss_kib "$TB" inspect "$token")
decode_rss=$(peak_rss_kib "$JWT" decode "$token")

# --- report -----------------------------------------------------------------------------------
python3 - "$tb_us" "$tb_seconds" "$tb_rss" "$node_us" "$node_ko_us" "$py_us" \
    "$inspect_s" "$decode_s" "$inspect_rss" "$decode_rss" "$TB_COUNT" "$rs_1" "$rs_2" <<'EOF'
import sys
tb_us, tb_s, tb_rss, node, node_ko, py, insp, dec, insp_rss, dec_rss = map(float, sys.argv[1:11])
count = int(sys.argv[11])
rs_1, rs_2 = map(float, sys.argv[12:14])
print(f"machine: {open('/proc/cpuinfo').read().split('model name')[1].split(':')[1].splitlines()[0].strip()}, "
      f"{sum(1 for l in open('/proc/cpuinfo') if l.startswith('processor'))} cores")
print()
print("bulk minting, Zoom HS256, µs per token (tokenbench: whole process incl. start-up and output;")
print("peers: their timed mint loop only)")
print(f"  tokenbench mint --count {count:<8} {tb_us:9.3f} µs   ({tb_s:.3f} s, peak RSS {tb_rss/1024:.1f} MiB)")
print(f"  jsonwebtoken, string secret     {node:9.2f} µs   tokenbench is {node/tb_us:7.0f}x faster (target >= 500x)")
print(f"  jsonwebtoken, KeyObject         {node_ko:9.2f} µs   tokenbench is {node_ko/tb_us:7.0f}x faster")
print(f"  PyJWT                           {py:9.2f} µs   tokenbench is {py/tb_us:7.0f}x faster")
print(f"  vonage RS256, 2000 tokens: --jobs 1 {rs_1*1e6/2000:.0f} µs, --jobs 2 {rs_2*1e6/2000:.0f} µs a token "
      f"({rs_1/rs_2:.2f}x)")
print()
print("one token read, whole process (mean wall time; peak RSS)")
print(f"  tokenbench inspect  {insp*1e3:7.2f} ms  {insp_rss/1024:6.1f} MiB")
print(f"  jwt decode          {dec*1e3:7.2f} ms  {dec_rss/1024:6.1f} MiB")
print(f"  ratio inspect/decode: time {insp/dec:.2f}x, peak RSS {insp_rss/dec_rss:.2f}x "
      "(inspect also finds the key, verifies and runs the rules)")
EOF
