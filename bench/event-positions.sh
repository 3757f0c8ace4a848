#!/usr/bin/env bash
# The store-level cost of the commit-order event positions (Flyway V4, V8): a throwaway store
# cluster with the coordinator's schema (V1..Vn as Flyway applies them), then pgbench storing
# events as a folded batch does, --batch events (200) of --message-size bytes (500) in one
# multi-row insert and one durable commit per transaction, for --seconds (10) each way: with the
# trigger events_position_at_commit numbering them at commit ("with"), with it disabled and no
# positions ("without"), and numbered as they are inserted under the positions' advisory lock, as
# the fold stores them since V8 ("numbered"); twice each, in turn. Prints events/s for each run.
#
#   bench/event-positions.sh
#   bench/event-positions.sh --batch 50 --seconds 20
#
# Needs PostgreSQL 15 (server and pgbench). Work goes under $TMPDIR and is removed.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)

batch=200
size=500
seconds=10
keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --batch) batch=${2:?--batch needs a number of events}; shift 2 ;;
    --message-size) size=${2:?--message-size needs a number of bytes}; shift 2 ;;
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'error: unknown argument %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done
for value in "$batch" "$size" "$seconds"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || { printf 'error: %s is not a positive number\n' "$value" >&2; exit 2; }
done

PG_BINDIR=${PGSHUTTLE_PG_BINDIR:-/usr/lib/postgresql/15/bin}
# shellcheck source=scripts/lib/prerequisites.sh
. scripts/lib/prerequisites.sh
work=$(mktemp -d "${TMPDIR:-/tmp}/pgshuttle-positions.XXXXXX")
chmod 755 "$work"
# shellcheck source=scripts/lib/installation.sh
. scripts/lib/installation.sh
stop_on_exit
require_postgresql

take_free_port; port=$REPLY
# As bench/fleet.sh's store: durable commits (fsync, synchronous_commit on).
CLUSTER_SETTINGS="-c shared_buffers=512MB"
start_cluster store "$port"
psql_on "$port" postgres <<<'CREATE SCHEMA pgshuttle;'
for migration in "$repo"/coordinator/src/main/resources/db/migration/V*.sql; do
  PGOPTIONS="-c search_path=pgshuttle" psql_on "$port" postgres -f "$migration" >/dev/null
done

# The envelope column holds the event as received: padded to --message-size bytes.
pad=$(head -c "$((size > 12 ? size - 12 : 1))" /dev/zero | tr '\0' x)
cat >"$work/batch.sql" <<SQL
BEGIN;
WITH m AS (
  INSERT INTO pgshuttle.migrations (migration_id, request_id, instance_id, state, max_attempts, request)
  VALUES (gen_random_uuid(), gen_random_uuid()::text, gen_random_uuid()::text, 'SUCCEEDED', 3, '{}')
  RETURNING migration_id)
INSERT INTO pgshuttle.events (migration_id, attempt, seq, type, message_id, emitted_at, applied, envelope)
  SELECT m.migration_id, 1, g, 'StepProgress', gen_random_uuid(), now(), true, '{"pad":"$pad"}'::json
  FROM m, generate_series(1, $batch) g;
COMMIT;
SQL
chmod 644 "$work/batch.sql"

# The fold's way since V8: the lock first (the last the transaction takes), positions as inserted.
sed -e 's/^INSERT INTO pgshuttle.events (\(.*\), envelope)$/INSERT INTO pgshuttle.events (\1, envelope, position)/' \
  -e "s/'::json\$/'::json, nextval('pgshuttle.event_positions')/" \
  -e "s/^BEGIN;\$/BEGIN;\nSELECT pg_advisory_xact_lock(8099569347333483569), pg_notify('pgshuttle_events', '');/" \
  "$work/batch.sql" >"$work/numbered.sql"
grep -q "nextval('pgshuttle.event_positions')" "$work/numbered.sql" || die "cannot write numbered.sql"
chmod 644 "$work/numbered.sql"

say "$batch events of $size bytes per transaction, $seconds s per run, one client"
for way in with without numbered with without numbered; do
  if [ "$way" = without ]; then action=DISABLE; else action=ENABLE; fi
  if [ "$way" = numbered ]; then script=numbered.sql; else script=batch.sql; fi
  # A run without the trigger leaves its events without positions, which the coordinator's store
  # never has (every committed event has one): they get theirs before the next run, outside the
  # timing, and every run starts from a vacuumed table.
  psql_on "$port" postgres <<SQL >/dev/null
UPDATE pgshuttle.events SET position = nextval('pgshuttle.event_positions') WHERE position IS NULL;
VACUUM ANALYZE pgshuttle.events;
ALTER TABLE pgshuttle.events $action TRIGGER events_position_at_commit;
SQL
  tps=$(as_postgres "$PG_BINDIR/pgbench" -n -h 127.0.0.1 -p "$port" -U postgres -c 1 -T "$seconds" \
    -f "$work/$script" postgres 2>&1 | awk '/^tps/ {print $3}')
  [ -n "$tps" ] || die "pgbench printed no rate"
  awk -v way="$way" -v tps="$tps" -v batch="$batch" \
    'BEGIN { printf "%-8s: %8.1f transactions/s  %8.0f events/s\n", way, tps, tps * batch }'
done
