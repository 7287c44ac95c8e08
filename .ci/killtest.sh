#!/bin/sh
# killtest.sh: the long durability loop CI runs. It builds lhcr-sandbox, puts it under load, kills it
# with SIGKILL at random moments 20 times (LHCR_KILL_CYCLES to change), restarts it on the same
# database each time, and checks that every acknowledged write, app registration and used jti
# survived and that PRAGMA integrity_check is ok. A failure prints LHCR_KILL_SEED to replay it.
set -eu
cd "$(dirname "$0")/.."
LHCR_KILL_CYCLES="${LHCR_KILL_CYCLES:-20}" exec go test -count=1 -run '^TestKillDurability$' -v ./sandbox/ "$@"
