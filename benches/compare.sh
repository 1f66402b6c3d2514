#!/usr/bin/env bash
# Runs this project's `nlbench` side by side with the other implementations of the same four
# workloads, in one run on one fixture, and prints a markdown table.
#
# Usage (as root, from the workspace root, after `cargo build --release --example nlbench`):
#   PERF=/path/to/perf benches/compare.sh > table.md
# PERF is a writable copy of the anchor programs, with the binaries already built:
#   $PERF/c-mnl/nlbench-mnl, $PERF/c-libnl/nlbench-libnl, $PERF/go-mdlayher/nlbench-go,
#   $PERF/rust-peers/target/release/{neli-bench,rust-netlink-bench}; missing ones are left out.
# Knobs: OURS (default target/release/examples/nlbench) RUNS=10 WARMUP=2 ROUTES=100000 PAIRS=500
#        RTT_COUNT=20000 CODEC_COUNT=1000000 NS=nlbcmp (the fixture namespace, deleted at the end)
#
# W1/W2: wall time of the whole program (hyperfine -N, median). W3/W4: the program's in-process
# ns_per_op (median of 3 runs). Every row's items/checksum are checked against C libmnl's.
set -euo pipefail
PERF=${PERF:?set PERF to the folder with the built anchor programs}
OURS=${OURS:-target/release/examples/nlbench}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
ROUTES=${ROUTES:-100000}
PAIRS=${PAIRS:-500}
RTT_COUNT=${RTT_COUNT:-20000}
CODEC_COUNT=${CODEC_COUNT:-1000000}
NS=${NS:-nlbcmp}
TMP=$(mktemp -d)
trap 'ip netns del "$NS" 2>/dev/null || true; rm -rf "$TMP"' EXIT

# The fixture of $PERF/fixture.sh (ROUTES /32 routes via a veth, PAIRS veth pairs), in our own
# namespace so that another harness's "nlbench" is left alone.
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" link add bench0 type veth peer name bench1
ip -n "$NS" link set bench0 up
ip -n "$NS" link set bench1 up
ip -n "$NS" addr add 10.200.0.1/16 dev bench0
python3 - "$ROUTES" "$PAIRS" > "$TMP/batch" <<'PY'
import sys
n, p = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    print(f"route add 172.{16 + (i >> 16)}.{(i >> 8) & 255}.{i & 255}/32 via 10.200.0.2 dev bench0 metric {i % 100}")
for i in range(p):
    print(f"link add bv{i}a type veth peer name bv{i}b")
PY
ip -n "$NS" -batch "$TMP/batch"
echo "fixture: $(ip -n "$NS" -4 route show table all | wc -l) IPv4 routes (all tables), $(ip -n "$NS" -o link show | wc -l) links" >&2

declare -a IMPLS=(
  "C libmnl|$PERF/c-mnl/nlbench-mnl"
  "netlink (this project)|$OURS"
  "C libnl-3|$PERF/c-libnl/nlbench-libnl"
  "Go mdlayher/netlink|$PERF/go-mdlayher/nlbench-go"
  "Rust neli 0.7|$PERF/rust-peers/target/release/neli-bench"
  "Rust rust-netlink (netlink-sys + packet-*)|$PERF/rust-peers/target/release/rust-netlink-bench"
)
MNL=$PERF/c-mnl/nlbench-mnl

key() { awk '{for (i = 1; i <= NF; i++) if ($i ~ /^(items|checksum|aux)=/) printf "%s ", $i}'; }
field() { tr ' ' '\n' | sed -n "s/^$1=//p"; }
median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }

echo "| workload | implementation | items | checksum | wall median (ms) | in-process ns/op | vs libmnl |"
echo "|---|---|---|---|---|---|---|"
for spec in "route-dump|-n $NS" "route-dump|-n $NS -b 8192" "link-dump|-n $NS" \
  "genl-rtt|-c $RTT_COUNT" "codec|-c $CODEC_COUNT"; do
  wl=${spec%%|*}
  args=${spec#*|}
  # shellcheck disable=SC2086
  ref=$("$MNL" "$wl" $args | head -1)
  refkey=$(echo "$ref" | key)
  refval=""
  for impl in "${IMPLS[@]}"; do
    label=${impl%%|*}
    bin=${impl#*|}
    [ -x "$bin" ] || continue
    # shellcheck disable=SC2086
    if ! line=$("$bin" "$wl" $args 2> "$TMP/err" | head -1) || [ -z "$line" ]; then
      echo "$label: $wl failed: $(head -c 300 "$TMP/err")" >&2
      continue
    fi
    if [ "$(echo "$line" | key)" != "$refkey" ]; then
      echo "MISMATCH $label $wl: '$line' vs libmnl '$ref'" >&2
      label="$label (MISMATCH)"
    fi
    items=$(echo "$line" | field items)
    sum=$(echo "$line" | field checksum)
    nsop=""
    if echo "$line" | grep -q ns_per_op; then
      # shellcheck disable=SC2086
      nsop=$(for _ in 1 2 3; do "$bin" "$wl" $args | head -1 | field ns_per_op; done | median)
      value=$nsop
    fi
    # shellcheck disable=SC2086
    hyperfine -N --style none --warmup "$WARMUP" --runs "$RUNS" --export-json "$TMP/h.json" \
      "$bin $wl $args" > /dev/null 2>&1
    wall=$(python3 -c "import json; print('%.1f' % (json.load(open('$TMP/h.json'))['results'][0]['median'] * 1000))")
    [ -n "$nsop" ] || value=$wall
    [ "$bin" = "$MNL" ] && refval=$value
    ratio=""
    [ -n "$refval" ] && ratio=$(python3 -c "print('%.2fx' % ($value / $refval))")
    echo "| $wl ${args//-n $NS/} | $label | $items | $sum | $wall | $nsop | $ratio |"
  done
done
