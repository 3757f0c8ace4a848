#!/usr/bin/env bash
# Runs the chaos soak on its own: many migrations at once, each on a simulated instance (an agent
# process of its own), while agents and the coordinator are killed with SIGKILL and the broker's
# connections are closed at moments drawn from a seed. Ends with the checker's line,
#   chaos soak: lost=0 duplicates=0 orphans=0 mismatches=0
# or what it found, and exits non-zero if it found anything. The same seed replays the same faults.
#   scripts/chaos-soak.sh                         (seed from the clock, 20 migrations)
#   scripts/chaos-soak.sh --seed 7 --migrations 20 --faults 30
# Needs what scripts/test.sh needs (it installs or starts it the same way), and rabbitmq-server:
# the soak runs a RabbitMQ node of its own so that closing its connections disturbs nobody.
set -euo pipefail
cd "$(dirname "$0")/.."

seed=$(date +%s)
migrations=20
faults=""
while [ $# -gt 0 ]; do
  case "$1" in
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    --migrations) migrations=${2:?--migrations needs a number}; shift 2 ;;
    --faults) faults=${2:?--faults needs a number}; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'error: unknown argument %s: use --seed N, --migrations N, --faults N\n' "$1" >&2
       exit 2 ;;
  esac
done
for value in "$seed" "$migrations" ${faults:+"$faults"}; do
  [[ "$value" =~ ^[0-9]+$ ]] || { printf 'error: %s is not a whole number\n' "$value" >&2; exit 2; }
done

PG_BINDIR=${PGSHUTTLE_TEST_PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_BINDIR_VARIABLE=PGSHUTTLE_TEST_PG_BINDIR
# shellcheck source=scripts/lib/prerequisites.sh
. scripts/lib/prerequisites.sh
require_java_and_maven
require_postgresql
require_rabbitmq

say "chaos soak: seed $seed, $migrations migrations${faults:+, $faults faults}"
mvn -B -q install -DskipTests -Dspotless.check.skip=true
exec mvn -B -pl deploy verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=ChaosSoakIT -Dsoak.seed="$seed" -Dsoak.migrations="$migrations" \
    ${faults:+-Dsoak.faults="$faults"}
