#!/usr/bin/env bash
# The client's own time: `pgshuttle submit --wait` of a small database (pgbench -i -s 1, 15 MB)
# through one installation (store, coordinator, agent of this checkout), and how much of the
# command's wall time is not the migration's: from its start to the coordinator's intake (the
# status's createdAt), and from the status's finishedAt to its exit.
#
#   bench/client.sh                                (5 runs of this checkout's client)
#   bench/client.sh --runs 10
#   bench/client.sh --baseline OTHER/deploy/target/pgshuttle/bin/pgshuttle
#                                                  (another build's client in turns with this one,
#                                                  against this checkout's daemons)
#
# Needs what scripts/demo.sh needs, plus pgbench (Debian: postgresql-contrib-15) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)

runs=5
baseline=
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?--runs needs a number}; shift 2 ;;
    --baseline) baseline=${2:?--baseline needs the path of another build\'s bin/pgshuttle}; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) printf 'error: unknown argument %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
done
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { printf 'error: --runs %s is not a positive number\n' "$runs" >&2; exit 2; }

PG_BINDIR=${PGSHUTTLE_PG_BINDIR:-/usr/lib/postgresql/15/bin}
# shellcheck source=scripts/lib/prerequisites.sh
. scripts/lib/prerequisites.sh

pgshuttle=$repo/deploy/target/pgshuttle/bin/pgshuttle
namespace=pgshuttle-client-bench-$$
instance=client-bench-vm
database=bench
work=$(mktemp -d "${TMPDIR:-/tmp}/pgshuttle-client-bench.XXXXXX")
chmod 755 "$work"
# shellcheck source=scripts/lib/installation.sh
. scripts/lib/installation.sh
keep=false
on_failure=show_daemon_logs
stop_on_exit

require_java_and_maven
require_postgresql
require_distribution "$pgshuttle"
if [ -n "$baseline" ]; then
  [ -x "$baseline" ] || die "--baseline $baseline is not an executable bin/pgshuttle: build that checkout (mvn -DskipTests package)"
fi
command -v python3 >/dev/null 2>&1 || die "python3 not found (it prints the table): install python3 and run again"
pgbench=$PG_BINDIR/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench || true)
[ -n "$pgbench" ] || die "pgbench not found: install postgresql-contrib-15 (Debian) and run again"

target_password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
take_free_port; source_port=$REPLY
take_free_port; target_port=$REPLY
(umask 077 && printf '127.0.0.1:%s:*:postgres:%s\n' "$target_port" "$target_password" >"$work/pgpass")
export PGPASSFILE=$work/pgpass
start_cluster source "$source_port"
start_cluster target "$target_port" "$target_password"
psql_on "$source_port" postgres <<<"CREATE DATABASE $database;" >/dev/null
"$pgbench" -i -q -s 1 -h 127.0.0.1 -p "$source_port" -U postgres "$database" >"$work/pgbench.log" 2>&1 ||
  { cat "$work/pgbench.log" >&2; die "pgbench -i failed"; }
start_pgshuttle "$pgshuttle" "$namespace" "$instance" "$source_port"

clients=("this=$pgshuttle")
[ -n "$baseline" ] && clients+=("baseline=$baseline")
results=()
for ((run = 1; run <= runs; run++)); do
  for client in "${clients[@]}"; do
    name=${client%%=*} bin=${client#*=}
    psql_on "$target_port" postgres <<<"SET client_min_messages = warning;
      DROP DATABASE IF EXISTS $database WITH (FORCE);" >/dev/null
    begin=$(date +%s.%N)
    PGSHUTTLE_TARGET_PASSWORD=$target_password "$bin" submit --instance "$instance" \
      --target "postgresql://postgres@127.0.0.1:$target_port" --database "$database" \
      --wait --json >"$work/status-$name-$run.json" 2>"$work/submit-$name-$run.log" ||
      { cat "$work/submit-$name-$run.log" >&2; die "$name's submit --wait failed (run $run)"; }
    end=$(date +%s.%N)
    results+=("$name" "$begin" "$end" "$work/status-$name-$run.json")
  done
done

python3 - "${results[@]}" <<'PY'
import datetime, json, statistics, sys
def at(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
rows = {}
args = sys.argv[1:]
for name, begin, end, status in zip(args[0::4], args[1::4], args[2::4], args[3::4]):
    d = json.load(open(status))
    begin, end = float(begin), float(end)
    rows.setdefault(name, []).append(
        (end - begin, at(d["createdAt"]) - begin, at(d["finishedAt"]) - at(d["createdAt"]), end - at(d["finishedAt"])))
print(f"{'client':10s} {'run':>3s} {'wall':>7s} {'start→intake':>13s} {'migration':>10s} {'end→exit':>9s}")
for name, runs in rows.items():
    for i, r in enumerate(runs, 1):
        print(f"{name:10s} {i:3d} {r[0]:6.2f}s {r[1]:12.2f}s {r[2]:9.2f}s {r[3]:8.2f}s")
for name, runs in rows.items():
    med = [statistics.median(c) for c in zip(*runs)]
    print(f"{name:10s} med {med[0]:6.2f}s {med[1]:12.2f}s {med[2]:9.2f}s {med[3]:8.2f}s")
PY
