#!/usr/bin/env bash
# W5 route-install: this library against its peers, interleaved round by round in one
# namespace that the script makes and removes itself. Usage (as root):
#   MNL=/path/nlbench-mnl NELI=/path/neli-bench RNL=/path/rust-netlink-bench benches/w5-compare.sh
# or PERF=/path/to/anchor-folder (then MNL, NELI and RNL default to its c-mnl/ and
# rust-peers/target/release/ programs). A peer whose variable is empty is left out.
# Knobs: ROUNDS=9 COUNT=10000 WINDOW=64 NLBENCH=target/release/examples/nlbench (built with
# cargo unless NO_BUILD=1), CPU=1 (also the CPU time of each run through `perf stat`, when
# perf is installed), SERIAL=1 (the one-at-a-time rows too), RAW=1 (print every run's line),
# SETTLE=SECONDS (a pause after each run), BASE=/path/to/another/nlbench (an extra row, e.g. a
# build before a change).
# Prints, per row: the median in-process rate (ops_per_sec), min and max, the median CPU
# time per request when measured, and the ratio of the medians to C libmnl and to the
# fastest peer, and the median of the per-round ratios to libmnl (paired_mnl). The rows run in
# a rotating order. Exits 1 if a run's items or checksum differ from the workload's.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-9}; COUNT=${COUNT:-10000}; WINDOW=${WINDOW:-64}
if [ -n "${PERF:-}" ]; then
  MNL=${MNL-$PERF/c-mnl/nlbench-mnl}
  NELI=${NELI-$PERF/rust-peers/target/release/neli-bench}
  RNL=${RNL-$PERF/rust-peers/target/release/rust-netlink-bench}
fi
MNL=${MNL:-}; NELI=${NELI:-}; RNL=${RNL:-}
NLBENCH=${NLBENCH:-$ROOT/target/release/examples/nlbench}
if [ "${NO_BUILD:-0}" != 1 ]; then
  (cd "$ROOT" && cargo build --release --example nlbench -q)
fi
for p in "$NLBENCH" ${BASE:-} $MNL $NELI $RNL; do
  [ -x "$p" ] || { echo "not an executable: $p" >&2; exit 2; }
done
USE_PERF=0
if [ "${CPU:-1}" = 1 ] && command -v perf >/dev/null 2>&1; then USE_PERF=1; fi

# The namespace of the anchors' `fixture.sh small`: lo up, veth va/vb up, va 10.0.0.1/24.
NS=w5cmp-$$
TMP=$(mktemp -d)
trap 'ip netns del "$NS" 2>/dev/null || true; rm -rf "$TMP"' EXIT
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add va type veth peer name vb
ip -n "$NS" addr add 10.0.0.1/24 dev va
ip -n "$NS" link set va up
ip -n "$NS" link set vb up

# Σ x*256+y over 10.x.y.0 of routes 0..COUNT-1 (the workload's checksum).
WANT_SUM=0; for ((i = 0; i < COUNT; i++)); do WANT_SUM=$((WANT_SUM + (1 + i / 256) * 256 + i % 256)); done
WANT_ITEMS=$((2 * COUNT))

ROWS=()
declare -A CMD
row() { ROWS+=("$1"); CMD[$1]=$2; }
row "ours-w$WINDOW" "$NLBENCH route-install -n $NS -c $COUNT -w $WINDOW"
row "ours-auto" "$NLBENCH route-install -n $NS -c $COUNT -w 0"
[ -n "${BASE:-}" ] && row "base-w$WINDOW" "$BASE route-install -n $NS -c $COUNT -w $WINDOW"
[ -n "$MNL" ] && row "libmnl-w$WINDOW" "$MNL route-install -n $NS -c $COUNT -w $WINDOW"
[ -n "$NELI" ] && row "neli-batch" "$NELI route-install -n $NS -c $COUNT -w $WINDOW --batch"
[ -n "$RNL" ] && row "rust-netlink-sys" "$RNL route-install -n $NS -c $COUNT -w $WINDOW"
if [ "${SERIAL:-0}" = 1 ]; then
  row "ours-serial" "$NLBENCH route-install-serial -n $NS -c $COUNT"
  [ -n "$MNL" ] && row "libmnl-serial" "$MNL route-install-serial -n $NS -c $COUNT"
fi

echo "load start: $(cat /proc/loadavg)"
BAD=0
NROWS=${#ROWS[@]}
for r in $(seq "$ROUNDS"); do
  # Each round starts one row later, so that no row always follows the same one (a run
  # leaves deferred kernel work, RCU frees of the route trie, to whatever runs next).
  for k in $(seq 0 $((NROWS - 1))); do
    name=${ROWS[$(( (k + r) % NROWS ))]}
    if [ "$USE_PERF" = 1 ]; then
      out=$(perf stat -x, -e task-clock -o "$TMP/stat" -- ${CMD[$name]}) || { echo "$name failed: $out" >&2; BAD=1; continue; }
      cpu=$(awk -F, '/task-clock/ {print $1}' "$TMP/stat")
    else
      out=$(${CMD[$name]}) || { echo "$name failed: $out" >&2; BAD=1; continue; }
      cpu=
    fi
    line=$(printf '%s\n' "$out" | grep -m1 '^route-install')
    items=$(sed -n 's/.* items=\([0-9]*\).*/\1/p' <<<"$line")
    sum=$(sed -n 's/.* checksum=\([0-9]*\).*/\1/p' <<<"$line")
    ops=$(sed -n 's/.* ops_per_sec=\([0-9.]*\).*/\1/p' <<<"$line")
    if [ "$items" != "$WANT_ITEMS" ] || [ "$sum" != "$WANT_SUM" ]; then
      echo "$name round $r: items=$items checksum=$sum, want $WANT_ITEMS and $WANT_SUM" >&2
      BAD=1
    fi
    echo "$ops" >>"$TMP/$name.ops"
    echo "$r $ops" >>"$TMP/$name.rops"
    [ -n "$cpu" ] && echo "$cpu" >>"$TMP/$name.cpu"
    [ -n "${SETTLE:-}" ] && sleep "$SETTLE"
    [ "${RAW:-0}" = 1 ] && echo "$name $line${cpu:+ task_clock_ms=$cpu}"
  done
done
echo "load end: $(cat /proc/loadavg)"

median() { sort -g "$1" | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
declare -A MED
for name in "${ROWS[@]}"; do
  [ -s "$TMP/$name.ops" ] && MED[$name]=$(median "$TMP/$name.ops")
done
REF=${MED[libmnl-w$WINDOW]:-}
BEST=0; BEST_NAME=
for name in "${ROWS[@]}"; do
  case $name in ours-*|base-*|*serial) continue ;; esac
  m=${MED[$name]:-0}
  if awk -v a="$m" -v b="$BEST" 'BEGIN {exit !(a > b)}'; then BEST=$m; BEST_NAME=$name; fi
done
# The median over rounds of each round's ratio to libmnl (pairs runs made close in time).
paired() {
  [ -s "$TMP/$1.rops" ] && [ -s "$TMP/libmnl-w$WINDOW.rops" ] || { echo -; return; }
  join "$TMP/$1.rops" "$TMP/libmnl-w$WINDOW.rops" | awk '{print $2 / $3}' >"$TMP/$1.ratio"
  awk -v m="$(median "$TMP/$1.ratio")" 'BEGIN {printf "%.3fx", m}'
}
printf '%-18s %12s %12s %12s %14s %10s %10s %12s\n' row median_ops/s min max cpu_ns/request vs_libmnl vs_best paired_mnl
for name in "${ROWS[@]}"; do
  [ -s "$TMP/$name.ops" ] || continue
  m=${MED[$name]}
  lo=$(sort -g "$TMP/$name.ops" | head -1); hi=$(sort -g "$TMP/$name.ops" | tail -1)
  cpu=-
  if [ -s "$TMP/$name.cpu" ]; then
    cpu=$(awk -v ms="$(median "$TMP/$name.cpu")" -v n="$WANT_ITEMS" 'BEGIN {printf "%.0f", ms * 1e6 / n}')
  fi
  vr=-; vb=-
  [ -n "$REF" ] && vr=$(awk -v a="$m" -v b="$REF" 'BEGIN {printf "%.3fx", a / b}')
  [ -n "$BEST_NAME" ] && vb=$(awk -v a="$m" -v b="$BEST" 'BEGIN {printf "%.3fx", a / b}')
  printf '%-18s %12.0f %12.0f %12.0f %14s %10s %10s %12s\n' "$name" "$m" "$lo" "$hi" "$cpu" "$vr" "$vb" "$(paired "$name")"
done
[ -n "$BEST_NAME" ] && echo "fastest peer: $BEST_NAME; rounds: $ROUNDS; count: $COUNT; window: $WINDOW"
exit "$BAD"
