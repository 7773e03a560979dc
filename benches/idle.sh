#!/usr/bin/env bash
# Idle CPU and peak memory of a terminal UI left alone in tmux, read from /proc.
#   benches/idle.sh [SECONDS] [COMMAND…]
# Default: 30 s of the release binary's `tokenbench tui` (the workbench, its countdown running).
# Example for the comparison: benches/idle.sh 30 jwtui "$("$(scripts/release-bin)" mint zoom --token-only)"
# KEYS="p p p p c" benches/idle.sh … sends those tmux keys first (every tab, a copy), so the
# peak memory includes them.
# Prints the CPU time the process (all its threads) used over the window, as a share of one
# core, and its peak resident memory (VmHWM).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-30}
shift || true
if [ "$#" -eq 0 ]; then
  set -- "$(scripts/release-bin)" tui
fi

socket="tokenbench-idle-$$"
tmux_() { tmux -L "$socket" -f /dev/null "$@"; }
trap 'tmux_ kill-server 2>/dev/null || true' EXIT

tmux_ new-session -d -s idle -x 120 -y 40 "exec $(printf '%q ' "$@")"
sleep 3   # start-up is not idle time
if [ -n "${KEYS:-}" ]; then
  # shellcheck disable=SC2086 # one tmux key per word
  tmux_ send-keys -t idle $KEYS
  sleep 2
fi
pid=$(tmux_ display-message -p -t idle '#{pane_pid}')

# Nanoseconds on CPU, summed over the threads (schedstat); and clock ticks (stat) as a check.
cpu_ns() { cat /proc/"$pid"/task/*/schedstat | awk '{ sum += $1 } END { print sum }'; }
ticks() { awk '{ print $14 + $15 }' /proc/"$pid"/stat; }

ns0=$(cpu_ns); t0=$(ticks); start=$(date +%s.%N)
sleep "$seconds"
ns1=$(cpu_ns); t1=$(ticks); end=$(date +%s.%N)

hz=$(getconf CLK_TCK)
awk -v ns="$((ns1 - ns0))" -v t="$((t1 - t0))" -v hz="$hz" -v s0="$start" -v s1="$end" \
    -v cmd="$*" -v hwm="$(awk '/VmHWM/ { print $2 }' /proc/"$pid"/status)" \
    -v threads="$(ls /proc/"$pid"/task | wc -l)" 'BEGIN {
  wall = s1 - s0
  printf "command:        %s\n", cmd
  printf "window:         %.1f s idle in tmux 120x40\n", wall
  printf "cpu:            %.4f %% of one core (%.1f ms on CPU; /proc/stat ticks: %d)\n", ns / 1e9 / wall * 100, ns / 1e6, t
  printf "peak rss:       %.1f MB (VmHWM %d kB), %d threads\n", hwm / 1024, hwm, threads
}'
