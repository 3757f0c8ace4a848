#!/usr/bin/env bash
# Migration speed: builds the benchmark database on a throwaway source cluster (pgbench -i at the
# given scale, then bench/fixture.sql: about 2.7 GB at scale 100), then moves it into a throwaway
# target cluster with each reference method and with pgshuttle, one after the other in one run,
# and prints their wall times side by side. pgshuttle's time runs from `submit` to SUCCEEDED,
# VERIFY included, with the complete dump kept on the auxiliary disk until CLEANUP.
#
#   bench/migration.sh                  (scale 100, every method)
#   bench/migration.sh --scale 10       (a quick run of the harness itself)
#   bench/migration.sh --jobs 2 --keep  (keep the work directory and its logs)
#   bench/migration.sh --only pgshuttle (skip the reference methods)
#   bench/migration.sh --only pgshuttle --pgshuttle OTHER/deploy/target/pgshuttle/bin/pgshuttle
#                                       (another build, such as the commit before a change)
#   bench/migration.sh --runs 3         (every method 3 times, in rounds that each start one method
#                                       later; the table gives each method's median and the median
#                                       of its per-round ratios: runs of one method vary by seconds)
#   bench/migration.sh --only pgshuttle --runs 3 --baseline OTHER/.../bin/pgshuttle
#                                       (this build and another one in turns, 3 runs each)
#
# Needs what scripts/demo.sh needs, plus pgbench (Debian: postgresql-contrib-15 or
# postgresql-client-15) and python3 (installed here when root). pgcopydb is used when installed
# (apt-get install pgcopydb, done here when root); without it its row is left out. Work goes under
# $TMPDIR (about 4x the database's size).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)

scale=100
jobs=2
pgshuttle=
baseline=
runs=1
keep=false
only=
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale=${2:?--scale needs a number}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a number}; shift 2 ;;
    --only) only=${2:?--only needs a method: naive, directory, uncompressed, pgcopydb, pgshuttle}; shift 2 ;;
    --keep) keep=true; shift ;;
    --pgshuttle) pgshuttle=${2:?--pgshuttle needs the path of bin/pgshuttle}; shift 2 ;;
    --baseline) baseline=${2:?--baseline needs the path of another build\'s bin/pgshuttle}; shift 2 ;;
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'error: unknown argument %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done
for value in "$scale" "$jobs" "$runs"; do
  [[ "$value" =~ ^[1-9][0-9]*$ ]] || { printf 'error: %s is not a positive number\n' "$value" >&2; exit 2; }
done
case "$only" in ''|naive|directory|uncompressed|pgcopydb|pgshuttle) ;;
  *) printf 'error: --only %s: use naive, directory, uncompressed, pgcopydb or pgshuttle\n' "$only" >&2
     exit 2 ;;
esac

PG_BINDIR=${PGSHUTTLE_PG_BINDIR:-/usr/lib/postgresql/15/bin}
# shellcheck source=scripts/lib/prerequisites.sh
. scripts/lib/prerequisites.sh

pgshuttle=${pgshuttle:-$repo/deploy/target/pgshuttle/bin/pgshuttle}
namespace=pgshuttle-bench-$$
instance=bench-vm
database=bench
work=$(mktemp -d "${TMPDIR:-/tmp}/pgshuttle-bench.XXXXXX")
chmod 755 "$work"
# shellcheck source=scripts/lib/installation.sh
. scripts/lib/installation.sh

on_failure=show_daemon_logs
stop_on_exit

require_java_and_maven
require_postgresql
pgbench=$PG_BINDIR/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench || true)
if [ -z "$pgbench" ]; then
  apt_install postgresql-contrib-15 >/dev/null 2>&1 || true
  pgbench=$(command -v pgbench || true)
fi
[ -n "$pgbench" ] || die "pgbench not found: install postgresql-contrib-15 (Debian) and run again"
if ! command -v python3 >/dev/null 2>&1; then
  apt_install python3 >/dev/null 2>&1 || true
fi
command -v python3 >/dev/null 2>&1 || die "python3 not found (it prints the table): install python3 and run again"
if ! command -v pgcopydb >/dev/null 2>&1; then
  apt_install pgcopydb >/dev/null 2>&1 || say "pgcopydb not installed: its row will be skipped"
fi
if [ -z "$only" ] || [ "$only" = pgshuttle ]; then
  require_distribution "$pgshuttle"
  if [ -n "$baseline" ]; then
    [ -x "$baseline" ] || die "--baseline $baseline is not an executable bin/pgshuttle: build that checkout (mvn -DskipTests package)"
  fi
fi

# The same server settings for every method: a modest production-like configuration.
CLUSTER_SETTINGS="-c shared_buffers=1GB -c maintenance_work_mem=512MB -c max_wal_size=8GB"
CLUSTER_SETTINGS+=" -c checkpoint_timeout=30min -c max_parallel_maintenance_workers=2"
target_password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
take_free_port; source_port=$REPLY
take_free_port; target_port=$REPLY
(umask 077 && printf '127.0.0.1:%s:*:postgres:%s\n' "$target_port" "$target_password" >"$work/pgpass")
start_cluster source "$source_port"
start_cluster target "$target_port" "$target_password"
export PGPASSFILE=$work/pgpass
source_url="host=127.0.0.1 port=$source_port user=postgres dbname=$database"
target_admin="host=127.0.0.1 port=$target_port user=postgres dbname=postgres"

say "building the benchmark database: pgbench -i -s $scale, then bench/fixture.sql"
started=$(date +%s)
psql_on "$source_port" postgres <<<"CREATE DATABASE $database;"
"$pgbench" -i -q -s "$scale" -h 127.0.0.1 -p "$source_port" -U postgres "$database" \
  >"$work/pgbench.log" 2>&1 || { cat "$work/pgbench.log" >&2; die "pgbench -i failed"; }
psql_on "$source_port" "$database" <bench/fixture.sql >/dev/null
size=$(psql_on "$source_port" postgres -tA <<<"SELECT pg_size_pretty(pg_database_size('$database'));")
say "built $size in $(($(date +%s) - started)) s"

# A new cluster creates each WAL segment when it first needs it, writing 16 MB of zeros and syncing
# them; later runs reuse the segments a checkpoint recycled. So the first method into the target
# paid for that alone (a pgshuttle run into a new target took 38 s, later ones 26 s). The target
# writes about as much WAL once (1.3 times the database's size), and a checkpoint recycles it,
# before any method runs.
started=$(date +%s)
bytes=$(psql_on "$source_port" postgres -tA <<<"SELECT pg_database_size('$database');")
psql_on "$target_port" postgres <<<"CREATE TABLE wal_segments_once AS
    SELECT repeat('x', 1000) AS pad FROM generate_series(1, $bytes * 13 / 10 / 1170);
  DROP TABLE wal_segments_once;
  CHECKPOINT;" >/dev/null
say "the target wrote $((bytes * 13 / 10 >> 20)) MB of WAL once, in $(($(date +%s) - started)) s"

# Drops what a method left on the target and on the disk, and checkpoints both clusters, so that
# no method pays for the WAL of the one before.
reset_target() {
  psql_on "$target_port" postgres <<<"SET client_min_messages = warning;
    DROP DATABASE IF EXISTS $database WITH (FORCE);" >/dev/null
  rm -rf "$work/disk"
  mkdir -p "$work/disk"
  psql_on "$target_port" postgres <<<"CHECKPOINT;" >/dev/null
  psql_on "$source_port" postgres <<<"CHECKPOINT;" >/dev/null
  sync
}

declare -A seconds=()
runs_measured=()

# measure NAME COMMAND...: runs COMMAND into a clean target and records its wall time.
measure() {
  local name=$1
  shift
  reset_target
  say "$name: $*"
  local begin end
  begin=$(date +%s.%N)
  if ! "$@" >"$work/$name.log" 2>&1; then
    cat "$work/$name.log" >&2
    die "$name failed"
  fi
  end=$(date +%s.%N)
  seconds[$name]=$(echo "$end - $begin" | bc)
  runs_measured+=("$name")
  say "$name: ${seconds[$name]} s"
}

dump_restore() { # FORMAT_ARGUMENTS... -- RESTORE_ARGUMENTS...
  local dump_args=() restore_args=()
  while [ "$1" != -- ]; do dump_args+=("$1"); shift; done
  shift
  restore_args=("$@")
  "$PG_BINDIR/pg_dump" "${dump_args[@]}" -d "$source_url" &&
    "$PG_BINDIR/pg_restore" --create --exit-on-error "${restore_args[@]}" -d "$target_admin"
}

# pgcopydb copies into a database that exists: a new one of the benchmark's name, which
# reset_target drops before the next method. In a process group of its own, as pgcopydb signals
# its whole group when it fails, which would end this script before it could say why.
copydb_clone() {
  psql_on "$target_port" postgres <<<"CREATE DATABASE $database;" >/dev/null &&
    setsid --wait pgcopydb clone --table-jobs "$jobs" --index-jobs "$jobs" --dir "$work/disk/pgcopydb" \
      --source "postgres://postgres@127.0.0.1:$source_port/$database" \
      --target "postgres://postgres@127.0.0.1:$target_port/$database"
}

# What the client needs to reach each installation (start_pgshuttle exports it), by build.
declare -A build_bin=() build_url=() build_token=() build_namespace=()
remember_installation() { # BUILD BIN
  build_bin[$1]=$2
  build_url[$1]=$PGSHUTTLE_COORDINATOR_URL
  build_token[$1]=$PGSHUTTLE_API_TOKEN
  build_namespace[$1]=$PGSHUTTLE_NAMESPACE
}

# migrate BUILD STATUS_FILE: one migration through BUILD's installation, from request to SUCCEEDED.
migrate() {
  local build=$1 status=$2
  (
    export PGSHUTTLE_COORDINATOR_URL=${build_url[$build]} PGSHUTTLE_API_TOKEN=${build_token[$build]}
    export PGSHUTTLE_NAMESPACE=${build_namespace[$build]} PGSHUTTLE_TARGET_PASSWORD=$target_password
    "${build_bin[$build]}" submit --instance "$instance" \
      --target "postgresql://postgres@127.0.0.1:$target_port" --database "$database" \
      --jobs "$jobs" --wait --json >"$status"
  )
}

# run_method METHOD NAME: one run of METHOD, recorded as NAME.
run_method() {
  local method=$1 name=$2
  case "$method" in
    naive) measure "$name" dump_restore -Fc -f "$work/disk/dump.fc" -- "$work/disk/dump.fc" ;;
    directory) measure "$name" dump_restore -Fd -j "$jobs" -f "$work/disk/dump.d" -- -j "$jobs" "$work/disk/dump.d" ;;
    uncompressed) measure "$name" dump_restore -Fd -Z0 -j "$jobs" -f "$work/disk/dump.d" -- -j "$jobs" "$work/disk/dump.d" ;;
    pgcopydb) measure "$name" copydb_clone ;;
    pgshuttle|baseline)
      measure "$name" migrate "$method" "$work/status-$name.json"
      status_files+=("$name=$work/status-$name.json")
      ;;
  esac
}

# The methods of this run, in the order of the first round.
selected=()
for method in naive directory uncompressed pgcopydb pgshuttle; do
  [ -z "$only" ] || [ "$only" = "$method" ] || continue
  if [ "$method" = pgcopydb ] && ! command -v pgcopydb >/dev/null 2>&1; then
    continue
  fi
  selected+=("$method")
done
if [[ " ${selected[*]} " == *" pgshuttle "* ]]; then
  start_pgshuttle "$pgshuttle" "$namespace" "$instance" "$source_port"
  remember_installation pgshuttle "$pgshuttle"
  if [ -n "$baseline" ]; then
    # A second installation of its own (store, coordinator and agent) under $work/baseline, both
    # idle while the other one migrates.
    main_work=$work
    work=$main_work/baseline
    mkdir -p "$work"
    start_pgshuttle "$baseline" "$namespace-baseline" "$instance" "$source_port"
    remember_installation baseline "$baseline"
    work=$main_work
    selected+=(baseline)
  fi
fi

status_files=()
for ((run = 1; run <= runs; run++)); do
  # Each round starts one method later, so that no method always runs first (on a target that
  # just checkpointed, or right after the fixture's build) or always after the same one.
  count=${#selected[@]}
  for ((i = 0; i < count; i++)); do
    method=${selected[$(((i + run - 1) % count))]}
    name=$method
    [ "$runs" -gt 1 ] && name="$method #$run"
    run_method "$method" "$name"
  done
done

# ---- the table ----
arguments=()
for name in "${runs_measured[@]}"; do arguments+=("$name" "${seconds[$name]}"); done
python3 - "$runs" "$size" "$scale" "$jobs" "$(nproc)" "${arguments[@]}" -- "${status_files[@]}" <<'PY'
import json, statistics, sys
from datetime import datetime

runs, size, scale, jobs, cores = sys.argv[1:6]
runs = int(runs)
rest = sys.argv[6:]
split = rest.index("--")
walls = {name: float(wall) for name, wall in zip(rest[:split:2], rest[1:split:2])}
status_files = [pair.split("=", 1) for pair in rest[split + 1 :]]

def method_and_run(name):
    method, _, run = name.partition(" #")
    return method, int(run or 1)

by_method = {}
for name, wall in walls.items():
    method, run = method_and_run(name)
    by_method.setdefault(method, {})[run] = wall

def ratio(method, reference):
    """The median over the rounds of METHOD's time / REFERENCE's time in the same round."""
    if reference not in by_method:
        return "-"
    pairs = [
        wall / by_method[reference][run]
        for run, wall in by_method[method].items()
        if run in by_method[reference]
    ]
    return f"{statistics.median(pairs):.2f}" if pairs else "-"

if runs > 1:
    print(f"\n{'run':<16} {'wall (s)':>10}")
    for name, wall in walls.items():
        print(f"{name:<16} {wall:10.1f}")
    print(f"\nmedians of {runs} rounds (ratios: the median of each round's ratio):")
print(f"\n{'method':<14} {'wall (s)':>10} {'× naive':>10} {'× pgcopydb':>12}" + ("   range (s)" if runs > 1 else ""))
for method, by_run in by_method.items():
    values = list(by_run.values())
    line = f"{method:<14} {statistics.median(values):10.1f} {ratio(method, 'naive'):>10} {ratio(method, 'pgcopydb'):>12}"
    if runs > 1:
        line += f"   {min(values):.1f} to {max(values):.1f}"
    print(line)
print(f"\ndatabase {size} (pgbench scale {scale} + fixture), jobs {jobs}, {cores} cores")

def seconds(step):
    begin, end = step.get("startedAt"), step.get("finishedAt")
    if not (begin and end):
        return None
    parse = lambda text: datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (parse(end) - parse(begin)).total_seconds()

for name, path in status_files:
    status = json.load(open(path))
    print(f"\n{name} steps:")
    for step in status["steps"]:
        took = seconds(step)
        if took is not None:
            print(f"  {step['name']:<15} {took:8.1f} s")
        if step["name"] == "RESTORE" and step.get("summary"):
            # Where RESTORE's time went: loading, index builds beside it, the rest of the schema dump.
            print(f"  {'':<15} {step['summary']}")
PY
