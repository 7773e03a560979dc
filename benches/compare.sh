#!/usr/bin/env bash
# Whole-process comparisons for BENCHMARKS.md, each printed with its ratio against its baseline
# (the targets of DESIGN.md "Quality bars"), measured in this one run:
#   1. bulk minting of Zoom HS256 tokens against the `jsonwebtoken` npm package (string secret,
#      as vendor code calls it, and a prebuilt KeyObject) and PyJWT;
#   2. legacy T1 and Agora 007 bulk minting against a Zoom token's cost;
#   3. relaybox and opentok JWTs against a raw HMAC-SHA256 loop over the same bytes with a
#      prepared key (the side-by-side rounds of `cargo bench --bench mint`);
#   4. RS256 (vonage) against `openssl speed rsa2048`, one core and `-multi 2`, and --jobs 2
#      against --jobs 1;
#   5. serve's RS256 route against the two-core OpenSSL sign rate (examples/serve_load), and a
#      Vonage keystroke in the workbench against its 1 ms bound (`cargo bench --bench frame`);
#   6. `tokenbench inspect TOKEN` against `jwt decode TOKEN` from jwt-cli: time and peak RSS.
#
#   benches/compare.sh
#
# Environment (all optional): TB_COUNT tokens for tokenbench (default 1000000), NODE_COUNT for
# jsonwebtoken with a string secret (5000: it takes ~0.3 ms a token), NODE_KO_COUNT for the
# KeyObject path (100000), PY_COUNT for PyJWT (50000), RS_COUNT RS256 tokens (4000), RUNS for
# hyperfine (300), CARGO_TARGET_DIR as cargo reads it.
#
# What it sets up on first use, all under the target directory except the apt packages:
#   - the npm packages of tests/interop (`npm ci`), where the jsonwebtoken peer finds its module;
#   - PyJWT in a virtual environment, TARGET/bench-venv (`pip install pyjwt`);
#   - jwt-cli in TARGET/tools (`cargo install jwt-cli --locked`: a few minutes on 2 cores);
#   - hyperfine and openssl (`apt-get install`, when missing and apt-get can run).
# Not part of `cargo test`: run it by hand, on a machine as quiet as you can get.
set -euo pipefail
cd "$(dirname "$0")/.."

TB_COUNT=${TB_COUNT:-1000000}
NODE_COUNT=${NODE_COUNT:-5000}
NODE_KO_COUNT=${NODE_KO_COUNT:-100000}
PY_COUNT=${PY_COUNT:-50000}
RS_COUNT=${RS_COUNT:-4000}
RUNS=${RUNS:-300}
TARGET=${CARGO_TARGET_DIR:-target}
# The bench credentials of benches/peers/*: not a secret.
KEY=bench_sdk_key_0000000000
export TB_BENCH_SECRET=bench-sdk-secret-not-a-real-one-0123456789
IAT=1795341600
OUT=$TARGET/compare
mkdir -p "$OUT"

say() { printf '%s\n' "$*" >&2; }

# --- set-up -----------------------------------------------------------------------------------
say "building tokenbench (release)…"
# A copy: `cargo bench` below builds the binary again with the bench profile (no LTO) into the
# same folder, and every whole-process figure here is of the release build.
cp "$(scripts/release-bin)" "$OUT/tokenbench"
TB=$OUT/tokenbench

if [ ! -f tests/interop/node_modules/jsonwebtoken/package.json ]; then
    say "installing the npm packages of tests/interop…"
    (cd tests/interop && npm ci --no-audit --no-fund >&2)
fi
PY=$TARGET/bench-venv/bin/python
if ! "$PY" -c 'import jwt' 2>/dev/null; then
    say "installing PyJWT into $TARGET/bench-venv…"
    python3 -m venv "$TARGET/bench-venv"
    "$TARGET/bench-venv/bin/pip" install --quiet pyjwt >&2
fi
JWT=$TARGET/tools/bin/jwt
if [ ! -x "$JWT" ]; then
    say "installing jwt-cli into $TARGET/tools (a few minutes)…"
    # From outside the project, so that its .cargo/config.toml (a static build) does not apply:
    # jwt-cli is measured as `cargo install` builds it anywhere else.
    tools=$(mkdir -p "$TARGET/tools" && cd "$TARGET/tools" && pwd)
    (cd "${TMPDIR:-/tmp}" && cargo install jwt-cli --locked --root "$tools") >&2
fi
for tool in hyperfine openssl; do
    if ! command -v "$tool" >/dev/null; then
        say "installing $tool…"
        { apt-get install -y "$tool" || sudo apt-get install -y "$tool"; } >&2
    fi
done

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
interleaved() { # ROUNDS COMMAND… -> the median wall seconds of each command, on one line
    # Each round runs every command once, in turn: a host that slows down for a while slows
    # them all alike, where runs of one command after the other would charge it to one.
    python3 - "$@" <<'PY'
import shlex, statistics, subprocess, sys, time
rounds, commands = int(sys.argv[1]), sys.argv[2:]
times = [[] for _ in commands]
for _ in range(rounds):
    for command, taken in zip(commands, times):
        start = time.perf_counter()
        subprocess.run(shlex.split(command), stdout=subprocess.DEVNULL, check=True)
        taken.append(time.perf_counter() - start)
print(*(statistics.median(taken) for taken in times))
PY
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

say "bulk: legacy T1 and Agora 007 against Zoom, $TB_COUNT tokens each…"
formats=$(interleaved 7 "$TB mint zoom --count $TB_COUNT --token-only --now $IAT" \
    "$TB mint opentok --legacy-t1 --count $TB_COUNT --token-only --now $IAT" \
    "$TB mint agora --count $TB_COUNT --token-only --now $IAT")
read -r zoom_s t1_s agora_s <<< "$formats"

say "bulk: relaybox and opentok against a raw HMAC-SHA256 loop (cargo bench --bench mint)…"
cargo bench --quiet --bench mint -- no_criterion_benchmark_matches_this 2>/dev/null \
    | grep '^side by side/' > "$OUT/side_by_side.txt"

say "the workbench: a keystroke that re-mints, re-checks and redraws (cargo bench --bench frame)…"
cargo bench --quiet --bench frame -- --quiet keystroke 2>/dev/null > "$OUT/keystroke.txt"

say "RS256: openssl speed rsa2048 (1 core, then -multi 2) and vonage, $RS_COUNT tokens, --jobs 1 and 2…"
openssl_rate() { # extra openssl args -> RSA-2048 signs per second
    openssl speed -seconds 5 "$@" rsa2048 2>/dev/null | awk '/^rsa 2048 bits/ {print $(NF-1)}'
}
ossl_1=$(openssl_rate)
ossl_2=$(openssl_rate -multi 2)
jobs=$(interleaved 5 "$TB mint vonage --count $RS_COUNT --token-only --now $IAT --jobs 1" \
    "$TB mint vonage --count $RS_COUNT --token-only --now $IAT --jobs 2")
read -r rs_1 rs_2 <<< "$jobs"

say "serve: examples/serve_load (20000 requests over 50 connections a route)…"
cargo run --quiet --release --example serve_load > "$OUT/serve_load.txt"
serve_rs=$(awk '/vonage/ {print $(NF-4)}' "$OUT/serve_load.txt")

# --- 2. inspect against jwt decode ------------------------------------------------------------
token=$("$TB" mint zoom --token-only)
say "inspect: $RUNS runs each of tokenbench inspect and jwt decode…"
inspect_s=$(hyperfine_mean "$TB inspect $token" "$RUNS")
decode_s=$(hyperfine_mean "$JWT decode $token" "$RUNS")
inspect_rss=$(peak_rss_kib "$TB" inspect "$token")
decode_rss=$(peak_rss_kib "$JWT" decode "$token")
# How much of the function order (build.rs, scripts/startup-order) this binary still matches.
order_listed=$(grep -vc '^#' link/startup.order)
order_found=$(nm --defined-only "$TB" | awk '{ print $3 }' | sort -u |
    awk 'NR == FNR { defined[$0] = 1; next } !/^#/ && ($0 in defined)' - link/startup.order | wc -l)

# --- report -----------------------------------------------------------------------------------
python3 - "$tb_us" "$tb_seconds" "$tb_rss" "$node_us" "$node_ko_us" "$py_us" \
    "$inspect_s" "$decode_s" "$inspect_rss" "$decode_rss" "$TB_COUNT" "$rs_1" "$rs_2" \
    "$zoom_s" "$t1_s" "$agora_s" "$ossl_1" "$ossl_2" "$RS_COUNT" "$serve_rs" \
    "$OUT/side_by_side.txt" "$OUT/serve_load.txt" "$order_found" "$order_listed" \
    "$OUT/keystroke.txt" <<'EOF'
import sys
a = sys.argv[1:]
tb_us, tb_s, tb_rss, node, node_ko, py, insp, dec, insp_rss, dec_rss = map(float, a[0:10])
count = int(a[10])
rs_1, rs_2, zoom_s, t1_s, agora_s, ossl_1, ossl_2 = map(float, a[11:18])
rs_count, serve_rs = int(a[18]), float(a[19])
side_by_side, serve_load = open(a[20]).read(), open(a[21]).read()
order_found, order_listed = int(a[22]), int(a[23])
# criterion's lines: the bench's name, then "time: [low estimate high]", each with its unit.
keystroke, name = {}, None
for line in open(a[24]).read().splitlines():
    if line.strip().startswith("time:"):
        value, unit = line.split("[")[1].split()[2:4]
        keystroke[name] = float(value) * {"ns": 1e-3, "µs": 1, "us": 1, "ms": 1e3, "s": 1e6}[unit]
    elif line.strip():
        name = line.strip()
cpu = open('/proc/cpuinfo').read()
print(f"machine: {cpu.split('model name')[1].split(':')[1].splitlines()[0].strip()}, "
      f"{sum(1 for l in cpu.splitlines() if l.startswith('processor'))} cores, "
      f"load average {open('/proc/loadavg').read().split()[0]} at the end")
print()
print("bulk minting, Zoom HS256, µs per token (tokenbench: whole process incl. start-up and output;")
print("peers: their timed mint loop only)")
print(f"  tokenbench mint --count {count:<8} {tb_us:9.3f} µs   ({tb_s:.3f} s, peak RSS {tb_rss/1024:.1f} MiB)")
print(f"  jsonwebtoken, string secret     {node:9.2f} µs   tokenbench is {node/tb_us:7.0f}x faster (target >= 500x)")
print(f"  jsonwebtoken, KeyObject         {node_ko:9.2f} µs   tokenbench is {node_ko/tb_us:7.0f}x faster")
print(f"  PyJWT                           {py:9.2f} µs   tokenbench is {py/tb_us:7.0f}x faster")
print()
print(f"other formats against a Zoom token, whole process, {count} tokens each (median of 7 interleaved runs)")
print(f"  zoom {zoom_s*1e6/count:.3f} µs, legacy T1 {t1_s*1e6/count:.3f} µs = {t1_s/zoom_s:.2f}x (target <= 2x), "
      f"agora 007 {agora_s*1e6/count:.3f} µs = {agora_s/zoom_s:.2f}x (target <= 3x)")
print()
print("HS256 against a raw HMAC-SHA256 loop over the same bytes (target <= 1.5x)")
for line in side_by_side.splitlines():
    print("  " + line.removeprefix("side by side/"))
print()
print(f"RS256 (vonage, RSA-2048), {rs_count} tokens, whole process (median of 5 interleaved runs)")
ossl_1_us, ossl_2_us = 1e6 / ossl_1, 1e6 / ossl_2
print(f"  --jobs 1 {rs_1*1e6/rs_count:6.0f} µs a token; openssl speed rsa2048 {ossl_1_us:5.0f} µs a sign "
      f"({ossl_1:.0f}/s): {rs_1*1e6/rs_count/ossl_1_us:.2f}x (target <= 1.3x)")
print(f"  --jobs 2 {rs_2*1e6/rs_count:6.0f} µs a token: {rs_1/rs_2:.2f}x --jobs 1 (target >= 1.8x); "
      f"openssl -multi 2 {ossl_2_us:5.0f} µs ({ossl_2:.0f}/s): {rs_2*1e6/rs_count/ossl_2_us:.2f}x")
print(f"  serve POST /vonage/token {serve_rs:.0f} req/s = {serve_rs/ossl_2:.0%} of the two-core OpenSSL rate "
      "(target >= 60%; the load client shares the 2 cores)")
print()
print("the workbench, one keystroke in a form field: update (re-mint, re-check) and a 120x40 redraw")
print(f"  vonage (RS256) {keystroke['keystroke_remint_redraw_120x40_rs256_vonage']:6.0f} µs (target < 1000 µs), "
      f"zoom (HS256) {keystroke['keystroke_remint_redraw_120x40_hs256_zoom']:4.0f} µs")
print()
print("serve under load (examples/serve_load)")
for line in serve_load.splitlines():
    print("  " + line)
print()
print("one token read, whole process (mean wall time; peak RSS)")
print(f"  tokenbench inspect  {insp*1e3:7.2f} ms  {insp_rss/1024:6.1f} MiB")
print(f"  jwt decode          {dec*1e3:7.2f} ms  {dec_rss/1024:6.1f} MiB")
print(f"  ratio inspect/decode: time {insp/dec:.2f}x (target <= 1x), peak RSS {insp_rss/dec_rss:.2f}x (target <= 1x) "
      "(inspect also finds the key, verifies and runs the rules)")
stale = "" if order_found >= 0.9 * order_listed else ": stale, run scripts/startup-order"
print(f"  link/startup.order: the binary defines {order_found} of its {order_listed} functions{stale}")
EOF
