#!/usr/bin/env bash
# Benchmark: `wegwijs demo` (the catalogue, the offices, the searches and the demo's city-year through gRPC) on
# database and topic prefixes and ports of its own, beside whatever else runs on the stack, from fresh databases.
# Prints the services' start, the demo's own steps, its wall time, the load average and each service's CPU seconds
# (and the demo's own: the loader making the gRPC calls).
#
#   bench/demo_year.sh                                   # on the stack of deploy/local/stack (must be up)
#   WEGWIJS_MONGO_URL=mongodb://127.0.0.1:27119 bench/demo_year.sh   # on another FerretDB
#
# Env: BENCH_PORTS (72: ports 7251-7254, HSDS 7263), BENCH_LIMIT (1500 s), BENCH_KEEP (leave the services running).
# The databases (prefix demo<time>_) and topics (demo<time>.) stay: drop them when done.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=$ROOT/.local/venv/bin/python
cd "$ROOT"
# shellcheck source=../deploy/local/env
source deploy/local/env
TAG=demo$(date +%H%M%S)
B=${BENCH_PORTS:-72}
OUT=$ROOT/.local/logs/bench-$TAG
mkdir -p "$OUT"
export WEGWIJS_DB_PREFIX=${TAG}_ WEGWIJS_TOPIC_PREFIX=$TAG. WEGWIJS_LOG_JSON=true
export WEGWIJS_INTAKE_PORT=${B}51 WEGWIJS_REFERRAL_PORT=${B}52 WEGWIJS_CATALOGUE_PORT=${B}53 WEGWIJS_INSIGHTS_PORT=${B}54
export WEGWIJS_CATALOGUE_HSDS_PORT=${B}63
export WEGWIJS_INTAKE_ADDR=127.0.0.1:${B}51 WEGWIJS_REFERRAL_ADDR=127.0.0.1:${B}52
export WEGWIJS_CATALOGUE_ADDR=127.0.0.1:${B}53 WEGWIJS_INSIGHTS_ADDR=127.0.0.1:${B}54
SERVICES=(intake referral catalogue insights)
declare -A PIDS

cpu() { awk '{printf "%.1f", ($14 + $15) / 100}' "/proc/$1/stat" 2>/dev/null || echo "?"; }
stop() {
  [[ -n "${BENCH_KEEP:-}" ]] && return
  for s in "${SERVICES[@]}"; do kill -TERM "${PIDS[$s]}" 2>/dev/null || true; done
}
trap stop EXIT

echo "demo year on ${WEGWIJS_MONGO_URL:-mongodb://127.0.0.1:27017}, prefix $TAG, logs in ${OUT#"$ROOT"/}; load $(cut -d' ' -f1-3 /proc/loadavg)"
t0=$EPOCHREALTIME
for s in "${SERVICES[@]}"; do
  setsid "$PY" -m "services.$s" >"$OUT/$s.log" 2>&1 </dev/null &
  PIDS[$s]=$!
done
for s in "${SERVICES[@]}"; do
  port_var=WEGWIJS_${s^^}_PORT
  until "$PY" -m services.plumbing.healthcheck "${!port_var}" 2>/dev/null; do
    kill -0 "${PIDS[$s]}" 2>/dev/null || { echo "$s exited at start; see $OUT/$s.log"; exit 1; }
    sleep 0.2
  done
done
t1=$EPOCHREALTIME
echo "services up in $(echo "$t1 - $t0" | bc) s"
status=0
/usr/bin/time -f "%U %S" -o "$OUT/demo.cpu" timeout "${BENCH_LIMIT:-1500}" .local/venv/bin/wegwijs demo \
  >"$OUT/demo.out" 2>&1 || status=$?
t2=$EPOCHREALTIME
grep -E "^ +[0-9]+ s|^the catalogue imported|the year loaded|the whole day|did not" "$OUT/demo.out" || tail -n 20 "$OUT/demo.out"
echo "demo: $(echo "$t2 - $t1" | bc) s (exit $status); load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${SERVICES[@]}"; do echo "  $s CPU $(cpu "${PIDS[$s]}") s"; done
echo "  the demo's own CPU (the loader: gRPC calls, tokens) $(awk '{printf "%.1f", $1 + $2}' "$OUT/demo.cpu") s"
