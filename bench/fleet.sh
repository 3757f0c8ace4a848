#!/usr/bin/env bash
# Fleet throughput: RabbitMQ's own PerfTest on the broker (quorum queue, persistent messages of
# --message-size bytes, default 500, with confirms), then a real coordinator on a throwaway store
# cluster with N simulated agents in one JVM, in the same run: N requests at once and the time
# until every migration is SUCCEEDED and every event stored (events, padded to the same mean size,
# folded per second, beside PerfTest's msgs/s: the mean of a PerfTest run before and one after;
# lost = published - stored), then requests at a fixed rate and the time from a request's
# publish to its command's delivery at the agent (p50/p95/p99), then the heap. Prints a table.
#
#   bench/fleet.sh                              (10,000 migrations, 20 events each, 200 requests/s)
#   bench/fleet.sh --migrations 500             (a quick run of the harness itself)
#   bench/fleet.sh --warmup-migrations 0        (no warm-up: by default 1,000 migrations run
#                                                through the coordinator before the clock starts,
#                                                so it is measured compiled, as a fleet's runs)
#   bench/fleet.sh --events-per-migration 30 --rate 100 --perftest-seconds 20 --keep
#   bench/fleet.sh --build OTHER/bench/fleet/target
#                                               (another build, such as the commit before a change:
#                                                its classes/ and lib/, not rebuilt)
#   bench/fleet.sh --migrations 1000 --profile /tmp/prof
#                                               (a Java Flight Recording of the benchmark's JVM in
#                                                /tmp/prof/fleet.jfr; the store's top statements from
#                                                pg_stat_statements and its tables' row counters from
#                                                pg_stat_user_tables in /tmp/prof/store-statements.txt;
#                                                the plan of dispatch's due look-up every 4 s in
#                                                /tmp/prof/due-plans.txt)
#   bench/fleet.sh --quorum-tick-interval 60000 (as root, on the local broker: quorum queues declared
#                                                during the run tick every 60 s, not every 5 s, as a
#                                                fleet's broker should; restored at the end)
#
# Needs what scripts/demo.sh needs (Java 17+, Maven, PostgreSQL 15, RabbitMQ on localhost:5672 or
# PGSHUTTLE_AMQP_URI). As root it runs in a virtual host of its own, deleted at the end; without,
# in a namespace of its own whose queues and exchanges it deletes. Work goes under $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)

migrations=10000
warmup=1000
events=20
rate=200
size=500
latency_seconds=20
perftest_seconds=30
keep=false
build=
profile=
quorum_tick=
while [ $# -gt 0 ]; do
  case "$1" in
    --migrations) migrations=${2:?--migrations needs a number}; shift 2 ;;
    --warmup-migrations) warmup=${2:?--warmup-migrations needs a number}; shift 2 ;;
    --events-per-migration) events=${2:?--events-per-migration needs a number}; shift 2 ;;
    --rate) rate=${2:?--rate needs a number of requests per second}; shift 2 ;;
    --message-size) size=${2:?--message-size needs a number of bytes}; shift 2 ;;
    --latency-seconds) latency_seconds=${2:?--latency-seconds needs a number}; shift 2 ;;
    --perftest-seconds) perftest_seconds=${2:?--perftest-seconds needs a number}; shift 2 ;;
    --keep) keep=true; shift ;;
    --build) build=${2:?--build needs a directory with classes/ and lib/ of bench/fleet/target}; shift 2 ;;
    --profile) profile=${2:?--profile needs a directory for the recording and statements}; shift 2 ;;
    --quorum-tick-interval) quorum_tick=${2:?--quorum-tick-interval needs milliseconds}; shift 2 ;;
    -h|--help) sed -n '2,32p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'error: unknown argument %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done
for value in "$migrations" "$events" "$rate" "$size" "$latency_seconds" "$perftest_seconds" \
  ${quorum_tick:+"$quorum_tick"}; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || { printf 'error: %s is not a positive number\n' "$value" >&2; exit 2; }
done
[[ "$warmup" =~ ^[0-9]+$ ]] && [ "$warmup" -le "$migrations" ] || {
  printf 'error: --warmup-migrations must be a number from 0 to --migrations (%s)\n' "$migrations" >&2
  exit 2
}
[ "$events" -ge 17 ] || { printf 'error: --events-per-migration must be at least 17\n' >&2; exit 2; }

PG_BINDIR=${PGSHUTTLE_PG_BINDIR:-/usr/lib/postgresql/15/bin}
# shellcheck source=scripts/lib/prerequisites.sh
. scripts/lib/prerequisites.sh

namespace=pgshuttle-fleet-$$
work=$(mktemp -d "${TMPDIR:-/tmp}/pgshuttle-fleet.XXXXXX")
chmod 755 "$work"
# shellcheck source=scripts/lib/installation.sh
. scripts/lib/installation.sh

show_perftest_log() {
  local log
  for log in "$work"/perftest-*.log; do
    if [ -s "$log" ]; then
      printf '\n---- last lines of %s ----\n' "${log##*/}" >&2
      tail -n 20 "$log" >&2
    fi
  done
}
on_failure=show_perftest_log
stop_on_exit

require_java_and_maven
require_postgresql
if [ -z "$build" ]; then
  say "building the benchmark (mvn -B -q -pl bench/fleet -am -DskipTests package)"
  mvn -B -q -pl bench/fleet -am -DskipTests package >"$work/build.log" 2>&1 ||
    { cat "$work/build.log" >&2; die "the build failed"; }
  build=$repo/bench/fleet/target
fi
[ -d "$build/classes" ] && [ -d "$build/lib" ] || die "$build has no classes/ and lib/: build it first"

choose_broker "$namespace"
if [ -n "$quorum_tick" ]; then
  [ -n "$vhost" ] ||
    die "--quorum-tick-interval needs root and the local broker (it sets it with rabbitmqctl eval)"
  # Each quorum queue ticks (metrics, checks) every quorum_tick_interval; RabbitMQ reads it when
  # a queue starts, so it applies to the queues this run declares.
  previous=$(rabbitmqctl -q eval 'application:get_env(rabbit, quorum_tick_interval).')
  if [[ "$previous" =~ ^\{ok,([0-9]+)\}$ ]]; then
    broker_restore="application:set_env(rabbit, quorum_tick_interval, ${BASH_REMATCH[1]})."
  else
    broker_restore="application:unset_env(rabbit, quorum_tick_interval)."
  fi
  rabbitmqctl -q eval "application:set_env(rabbit, quorum_tick_interval, $quorum_tick)." >/dev/null
  say "quorum queues declared from now on tick every $quorum_tick ms (restored at the end)"
fi
take_free_port; store_port=$REPLY
# A store as a modest production one: durable commits (fsync, synchronous_commit on).
CLUSTER_SETTINGS="-c shared_buffers=512MB -c max_connections=100"
java_profile=()
if [ -n "$profile" ]; then
  mkdir -p "$profile"
  profile=$(cd "$profile" && pwd -P)
  CLUSTER_SETTINGS+=" -c shared_preload_libraries=pg_stat_statements"
  java_profile=(-XX:StartFlightRecording=filename="$profile/fleet.jfr",settings=profile)
fi
start_cluster store "$store_port"
psql_on "$store_port" postgres <<<'CREATE DATABASE pgshuttle;'
if [ -n "$profile" ]; then
  psql_on "$store_port" pgshuttle <<<'CREATE EXTENSION pg_stat_statements;'
  # The store goes with the run: its statements are written down every few seconds until then.
  (
    while sleep 4; do
      psql_on "$store_port" pgshuttle >"$profile/store-statements.tmp" 2>/dev/null <<'SQL' || break
SELECT calls, round(total_exec_time) AS total_ms, round(mean_exec_time::numeric, 3) AS mean_ms,
       rows, left(regexp_replace(query, '\s+', ' ', 'g'), 160) AS statement
FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 40;
SELECT relname AS "table", n_tup_ins AS inserted, n_tup_upd AS updated, n_tup_hot_upd AS hot,
       n_tup_del AS deleted, n_dead_tup AS dead, autovacuum_count AS autovacuums
FROM pg_stat_user_tables ORDER BY n_tup_ins + n_tup_upd DESC LIMIT 10
SQL
      mv "$profile/store-statements.tmp" "$profile/store-statements.txt"
      # How the store runs dispatch's look-up of due migrations right now: the query and setting
      # of the store function lock_due_migrations (V10), without its locks. Nothing to plan until
      # the coordinator has made its tables.
      { date +%T; psql_on "$store_port" pgshuttle 2>/dev/null <<'SQL' || true; } >>"$profile/due-plans.txt"
SET enable_sort = off;
EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)
SELECT migration_id FROM pgshuttle.migrations
WHERE next_attempt_at <= now() AND state IN ('PENDING', 'RUNNING') AND attempt < max_attempts
ORDER BY next_attempt_at LIMIT 200
SQL
    done
  ) &
fi

# The benchmark runs in the foreground, so it is stopped like any child on Ctrl-C; it deletes
# its own queues and exchanges, and the virtual host goes with stop_installation.
java -Xmx2g -XX:+UseG1GC "${java_profile[@]}" \
  -cp "$build/classes:$build/lib/*" \
  io.pgshuttle.bench.fleet.FleetBenchmark \
  --amqp-uri "$amqp_uri" --namespace "$namespace" \
  --store-url "jdbc:postgresql://127.0.0.1:$store_port/pgshuttle" --store-user postgres \
  --migrations "$migrations" --warmup-migrations "$warmup" --events-per-migration "$events" \
  --rate "$rate" --message-size "$size" --latency-seconds "$latency_seconds" \
  --perftest-seconds "$perftest_seconds" --work "$work"
printf '\n%s migrations x %s events, %s cores, RabbitMQ %s%s, store: PostgreSQL on this machine\n' \
  "$migrations" "$events" "$(nproc)" "$(rabbitmqctl version 2>/dev/null || echo '?')" \
  "${quorum_tick:+ (quorum_tick_interval $quorum_tick ms)}"
