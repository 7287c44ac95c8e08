#!/usr/bin/env bash
# Load runs of the LHCR sandbox beside their baselines, measured in the same run on this machine.
# Starts what it measures, runs bounded wrk loads on loopback, stops everything, prints one table.
#
#   bash bench/run.sh            # about 5 minutes; PATIENTS=10000 DURATION=10s CONNECTIONS=32
#   PRISM=0 bash bench/run.sh    # skip the Stoplight Prism comparison (needs npm)
set -euo pipefail
cd "$(dirname "$0")/.."
PATIENTS=${PATIENTS:-10000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
PRISM=${PRISM:-1}
SB=127.0.0.1:18180
BASE=127.0.0.1:18181
PRISM_ADDR=127.0.0.1:18183

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian)" >&2
  (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
fi

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

echo "building" >&2
go build -o "$work/lhcr-sandbox" ./cmd/lhcr-sandbox
go build -o "$work/baseline" ./bench/baseline
go build -o "$work/tokenload" ./bench/tokenload
"$work/tokenload" keys -out "$work"

secret=bench-secret-0123456789abcdefghijklmnopqrstuvwxyz
start_sandbox() {
  LHCR_TEST_CLIENT_SECRET=$secret LHCR_TEST_JWT_CLIENT_ID=bench-jwt LHCR_TEST_CLIENT_JWKS="$work/jwks.json" \
    "$work/lhcr-sandbox" --db "$work/bench.db" --patients "$PATIENTS" --addr "$SB" --token-ttl 1h --rate-limit 0 \
    --log-level error >"$work/banner.txt" 2>>"$work/sandbox.log" &
  pids+=($!)
}
wait_ready() { until curl -fs -o /dev/null "http://$1"; do sleep 0.01; done; }

echo "seeding $PATIENTS patients" >&2
seed_t0=$(date +%s%N)
start_sandbox
wait_ready "$SB/fhir/R4/metadata"
seed_ms=$(( ($(date +%s%N) - seed_t0) / 1000000 ))
seed_full=$(awk -v n="$PATIENTS" -v ms="$seed_ms" 'BEGIN { printf "%d", n * 1000 / ms }')
echo "  $PATIENTS patients seeded and serving after $seed_ms ms: $seed_full patients/s" >&2
token=$(curl -fsS -u "sandbox-test-app:$secret" -d grant_type=client_credentials "http://$SB/oauth2/token" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
auth="Authorization: Bearer $token"
curl -fsS -H "$auth" "http://$SB/fhir/R4/Patient/story-diabetes" >"$work/patient.json"
# Each scenario's answer, served as-is by the baseline: B0 for that scenario.
declare -A target=(
  [read]="/fhir/R4/Patient/story-diabetes"
  [search-patient]="/fhir/R4/Patient?family=murphy&_count=50"
  [search-hba1c]="/fhir/R4/Observation?patient=story-diabetes&code=http://loinc.org%7C4548-4"
  [everything]="/fhir/R4/Patient/story-copd-heart-failure/\$everything"
)
mkdir "$work/answers"
for s in "${!target[@]}"; do curl -fsS -H "$auth" "http://$SB${target[$s]}" >"$work/answers/$s"; done
# B1 reads a copy of the database (the sandbox holds its file exclusively); the sandbox is idle,
# so the file and its WAL copy consistently.
cp "$work/bench.db" "$work/b1.db"
if [ -f "$work/bench.db-wal" ]; then cp "$work/bench.db-wal" "$work/b1.db-wal"; fi
"$work/baseline" -addr "$BASE" -db "$work/b1.db" -body "$work/patient.json" -dir "$work/answers" -id story-diabetes &
pids+=($!)
wait_ready "$BASE/b0"

declare -A rps p99
measure() { # name url [header]
  local name=$1 url=$2 out
  if [ $# -ge 3 ]; then
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -H "$3" "$url")
  else
    out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency "$url")
  fi
  if echo "$out" | grep -q "Non-2xx"; then
    # A rate of errors is no throughput: fail loudly rather than report it.
    echo "$name: non-2xx responses, the run is invalid:" >&2; echo "$out" >&2
    exit 1
  fi
  rps[$name]=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
  p99[$name]=$(echo "$out" | awk '$1 == "99%" {print $2}')
  echo "  $name: ${rps[$name]} req/s, p99 ${p99[$name]}" >&2
}
echo "load runs: wrk -t2 -c$CONNECTIONS -d$DURATION" >&2
# The baselines get the same request as the sandbox, bearer token included: parsing a 440-byte
# Authorization header is the HTTP server's work, not the handler's. B0-bare shows its cost.
measure B0-bare "http://$BASE/b0"
measure B0 "http://$BASE/b0" "$auth"
measure B1 "http://$BASE/b1" "$auth"
for s in read search-patient search-hba1c everything; do
  measure "B0-$s" "http://$BASE/b0/$s" "$auth"
  measure "$s" "http://$SB${target[$s]}" "$auth"
done

echo "token issuance (Go load client, -c$CONNECTIONS)" >&2
read -r _ tok_secret tok_secret_p50 tok_secret_p99 tok_secret_fail < <("$work/tokenload" secret -url "http://$SB" -id sandbox-test-app -secret "$secret" -c "$CONNECTIONS" -d "$DURATION")
read -r _ tok_jwt tok_jwt_p50 tok_jwt_p99 tok_jwt_fail < <("$work/tokenload" jwt -url "http://$SB" -id bench-jwt -key "$work/key.pem" -c "$CONNECTIONS" -d "$DURATION")
echo "  secret: $tok_secret/s (failures $tok_secret_fail); jwt: $tok_jwt/s (failures $tok_jwt_fail)" >&2

echo "cold start on the $PATIENTS-patient database" >&2
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null || true
cold=()
for _ in 1 2 3; do
  t0=$(date +%s%N)
  start_sandbox
  wait_ready "$SB/fhir/R4/metadata"
  t1=$(date +%s%N)
  cold+=($(( (t1 - t0) / 1000000 )))
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
done
cold_ms=$(printf '%s\n' "${cold[@]}" | sort -n | sed -n 2p)
echo "  ${cold[*]} ms (median $cold_ms)" >&2

echo "seeding rate against B3 (go test -bench)" >&2
seedout=$(go test -run='^$' -bench='^BenchmarkSeed' -benchtime=3x ./sandbox/)
seed_rate=$(echo "$seedout" | awk '/^BenchmarkSeed-/ {for (i=1;i<=NF;i++) if ($(i+1)=="patients/s") print $i}')
b3_rate=$(echo "$seedout" | awk '/^BenchmarkSeedBaselineRawInsert/ {for (i=1;i<=NF;i++) if ($(i+1)=="patients/s") print $i}')

prism="n/a"
if [ "$PRISM" = 1 ] && command -v npx >/dev/null; then
  echo "Stoplight Prism (npx @stoplight/prism-cli mock)" >&2
  (cd "$work" && timeout 180 npm install --silent --no-audit --no-fund @stoplight/prism-cli@5 >/dev/null 2>&1) || true
  if [ -x "$work/node_modules/.bin/prism" ]; then
    "$work/node_modules/.bin/prism" mock -h 127.0.0.1 -p 18183 openapi/lhcr.yaml >"$work/prism.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 1 300); do curl -fs -o /dev/null -H "$auth" "http://$PRISM_ADDR/fhir/R4/Patient/story-diabetes" && break; sleep 0.1; done
    measure prism-read "http://$PRISM_ADDR/fhir/R4/Patient/story-diabetes" "$auth"
    prism=${rps[prism-read]}
  else
    echo "  prism could not be installed; skipped" >&2
  fi
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "n/a" }'; }
echo
echo "| scenario | req/s | p99 | B0 of the same bytes, req/s | vs B0 | vs B1 |"
echo "|---|---|---|---|---|---|"
echo "| B0 without the Authorization header | ${rps[B0-bare]} | ${p99[B0-bare]} | | $(ratio "${rps[B0-bare]}" "${rps[B0]}") | |"
echo "| B0 (the patient's bytes) | ${rps[B0]} | ${p99[B0]} | | 100% | |"
echo "| B1 (B0 + one SELECT) | ${rps[B1]} | ${p99[B1]} | | $(ratio "${rps[B1]}" "${rps[B0]}") | 100% |"
for s in read search-patient search-hba1c everything; do
  echo "| $s | ${rps[$s]} | ${p99[$s]} | ${rps[B0-$s]} | $(ratio "${rps[$s]}" "${rps[B0-$s]}") | $(ratio "${rps[$s]}" "${rps[B1]}") |"
done
echo "| Prism mock, same read | $prism | ${p99[prism-read]:-n/a} | | $(ratio "${prism/n\/a/0}" "${rps[B0]}") | sandbox read is $(awk -v a="${rps[read]}" -v b="${prism/n\/a/0}" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else print "n/a" }') Prism |"
echo
echo "| token issuance | tokens/s | p50 | p99 | failures |"
echo "|---|---|---|---|---|"
echo "| client secret | $tok_secret | $tok_secret_p50 | $tok_secret_p99 | $tok_secret_fail |"
echo "| private_key_jwt | $tok_jwt | $tok_jwt_p50 | $tok_jwt_p99 | $tok_jwt_fail |"
echo
echo "| other | value |"
echo "|---|---|"
echo "| seeding 1,000 patients (BenchmarkSeed; lhcr-sandbox's default population) | $seed_rate patients/s |"
echo "| B3: raw inserts of the same rows | $b3_rate patients/s ($(ratio "$seed_rate" "$b3_rate") of B3 for seeding) |"
echo "| cold start to first /metadata 200, $PATIENTS patients | $cold_ms ms (median of 3) |"
echo "| lhcr-sandbox --patients $PATIENTS, start to first 200 (seeding included) | $seed_ms ms: $seed_full patients/s |"
