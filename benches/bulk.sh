#!/usr/bin/env bash
# W5 (route-install) and W6 (event-ingest): C libmnl and this library, interleaved in one
# namespace, so that both see the same load. Usage (as root):
#   PERF=/path/to/perf benches/bulk.sh > bulk.txt
# PERF is a copy of the anchor folder with c-mnl/nlbench-mnl built (c-mnl/build.sh).
# Knobs: ROUNDS=5 (W5 rounds), EVENT_RUNS=10 (W6 runs per consumer), W6=1, COUNT=10000.
# Every line is "<row> <workload line>"; the load average is printed at start and end.
set -euo pipefail
PERF=${PERF:?set PERF to the anchor folder}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-5}; EVENT_RUNS=${EVENT_RUNS:-10}; COUNT=${COUNT:-10000}
NS=nlbench-bulk-$$
MNL=$PERF/c-mnl/nlbench-mnl
(cd "$ROOT" && cargo build --release --example nlbench -q)
RS=$ROOT/target/release/examples/nlbench
"$PERF/fixture.sh" small "$NS"
trap '"$PERF/fixture.sh" small-down "$NS"' EXIT
echo "load start: $(cat /proc/loadavg)"
for _ in $(seq "$ROUNDS"); do
  "$MNL" route-install -n "$NS" -c "$COUNT" -w 64 | sed 's/^/mnl-w64 /'
  "$RS" route-install -n "$NS" -c "$COUNT" -w 64 | sed 's/^/rs-w64 /'
  "$RS" route-install -n "$NS" -c "$COUNT" -w 0 | sed 's/^/rs-auto /'
  "$MNL" route-install-serial -n "$NS" -c "$COUNT" | sed 's/^/mnl-serial /'
  "$RS" route-install-serial -n "$NS" -c "$COUNT" | sed 's/^/rs-serial /'
done
if [ "${W6:-1}" = 1 ]; then
  for _ in $(seq "$EVENT_RUNS"); do
    "$MNL" event-ingest -p "$MNL" -n "$NS" -c "$COUNT" -w 64 | sed 's/^/mnl-w6 /'
    "$RS" event-ingest -p "$MNL" -n "$NS" -c "$COUNT" -w 64 | sed 's/^/rs-w6 /'
  done
fi
echo "load end: $(cat /proc/loadavg)"
