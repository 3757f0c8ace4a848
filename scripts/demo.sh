#!/usr/bin/env bash
# Runs one real migration on this machine: throwaway source, target and store PostgreSQL clusters
# on free ports, a sample database on the source, the coordinator and an agent from the
# distribution, then `pgshuttle submit --wait` with its progress and the final, verified status.
# Everything it started is stopped and removed on exit, also on failure or Ctrl-C.
#
# Needs Java 17+ and Maven; installs RabbitMQ and PostgreSQL 15 with apt-get when run as root and
# they are missing. Environment:
#   PGSHUTTLE_AMQP_URI   use this broker instead of the local one
#   PGSHUTTLE_PG_BINDIR  PostgreSQL programs (default /usr/lib/postgresql/15/bin)
#   DEMO_ROWS            rows of the big table (default 300000)
#   DEMO_KEEP=1          keep the work directory (logs, clusters' files) after the run
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd -P)

PG_BINDIR=${PGSHUTTLE_PG_BINDIR:-/usr/lib/postgresql/15/bin}
# shellcheck source=scripts/lib/prerequisites.sh
. scripts/lib/prerequisites.sh

rows=${DEMO_ROWS:-300000}
instance=demo-vm
namespace=pgshuttle-demo-$$
pgshuttle=$repo/deploy/target/pgshuttle/bin/pgshuttle
work=$(mktemp -d "${TMPDIR:-/tmp}/pgshuttle-demo.XXXXXX")
chmod 755 "$work" # the clusters run as user postgres when we are root
daemon_pids=()
cluster_dirs=()
vhost=

as_postgres() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop_process() {
  local pid=$1 waited=0
  kill -TERM "$pid" 2>/dev/null || return 0
  while kill -0 "$pid" 2>/dev/null && [ $waited -lt 30 ]; do
    sleep 1
    waited=$((waited + 1))
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  if [ $status -ne 0 ]; then
    for log in "$work"/coordinator.log "$work"/agent.log; do
      if [ -s "$log" ]; then
        printf '\n---- last lines of %s ----\n' "$(basename "$log")" >&2
        tail -n 40 "$log" >&2
      fi
    done
  fi
  say "stopping and removing what the demo started"
  local pid dir
  for pid in "${daemon_pids[@]}"; do stop_process "$pid"; done
  for dir in "${cluster_dirs[@]}"; do
    as_postgres "$PG_BINDIR/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1
  done
  if [ -n "$vhost" ]; then
    rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1
  fi
  stop_rabbitmq_if_started
  if [ "${DEMO_KEEP:-}" = 1 ]; then
    say "kept $work"
  else
    rm -rf "$work"
  fi
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

taken_ports=" "
# Sets REPLY to a TCP port nothing listens on and this script has not taken yet.
take_free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    case $taken_ports in *" $port "*) continue ;; esac
    if ! port_open "$port"; then
      taken_ports="$taken_ports$port "
      REPLY=$port
      return
    fi
  done
}

# start_cluster NAME PORT [SUPERUSER_PASSWORD]: initdb and start a cluster under $work/NAME.
start_cluster() {
  local name=$1 port=$2 password=${3:-} dir=$work/$1
  mkdir -p "$dir"
  is_root && chown postgres: "$dir"
  local auth=(--auth-local=trust --auth-host=trust)
  if [ -n "$password" ]; then
    (umask 077 && printf '%s\n' "$password" >"$dir/pwfile")
    is_root && chown postgres: "$dir/pwfile"
    auth=(--auth-local=trust --auth-host=scram-sha-256 "--pwfile=$dir/pwfile")
  fi
  as_postgres "$PG_BINDIR/initdb" -D "$dir/data" -U postgres --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync "${auth[@]}" >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb of the $name cluster failed"; }
  rm -f "$dir/pwfile"
  cluster_dirs+=("$dir/data")
  as_postgres "$PG_BINDIR/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir" start >/dev/null ||
    { cat "$dir/server.log" >&2; die "the $name cluster did not start"; }
  say "$name cluster on 127.0.0.1:$port"
}

# psql_on PORT DATABASE: runs SQL from stdin as the superuser, stopping at the first error.
psql_on() {
  PGPASSFILE=$work/pgpass "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" \
    -U postgres -d "$2"
}

# wait_for_log NAME PID FILE TEXT: waits until the daemon logs TEXT; fails if it dies or is slow.
wait_for_log() {
  local name=$1 pid=$2 file=$3 text=$4 waited=0
  until grep -q "$text" "$file" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || die "the $name stopped while starting (its log follows)"
    [ $waited -lt 120 ] || die "the $name did not start within 120 s (its log follows)"
    sleep 1
    waited=$((waited + 1))
  done
  say "$name running (log: $file)"
}

load_sample_data() {
  local port=$1
  psql_on "$port" postgres >/dev/null <<'SQL'
CREATE ROLE shop_owner LOGIN;
CREATE ROLE shop_app LOGIN;
CREATE DATABASE shop OWNER shop_owner;
CREATE DATABASE analytics;
SQL
  psql_on "$port" shop >/dev/null <<SQL
CREATE SCHEMA sales AUTHORIZATION shop_owner;
CREATE TABLE sales.customers (
  id bigserial PRIMARY KEY,
  name text NOT NULL,
  email text UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO sales.customers (name, email)
  SELECT 'customer ' || g, 'customer' || g || '@example.com' FROM generate_series(1, 20000) g;
CREATE TABLE sales.orders (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES sales.customers,
  amount numeric(10, 2) NOT NULL,
  placed_at timestamptz NOT NULL);
INSERT INTO sales.orders (customer_id, amount, placed_at)
  SELECT 1 + g % 20000, (g % 10000) / 100.0, timestamptz '2024-01-01' + g * interval '1 minute'
  FROM generate_series(1, $rows) g;
CREATE INDEX orders_customer ON sales.orders (customer_id);
CREATE VIEW sales.revenue_per_customer AS
  SELECT customer_id, sum(amount) AS revenue FROM sales.orders GROUP BY customer_id;
CREATE SEQUENCE sales.invoice_number START 1000;
SELECT setval('sales.invoice_number', 4242);
SELECT lo_from_bytea(0, convert_to(repeat('pgshuttle demo large object. ', 2000), 'UTF8'));
GRANT USAGE ON SCHEMA sales TO shop_app;
GRANT SELECT ON ALL TABLES IN SCHEMA sales TO shop_app;
ALTER DATABASE shop SET statement_timeout = '5min';
SQL
  psql_on "$port" analytics >/dev/null <<'SQL'
CREATE TABLE daily_visits (day date PRIMARY KEY, visits integer NOT NULL);
INSERT INTO daily_visits
  SELECT d::date, (extract(doy FROM d) * 37)::integer % 1000
  FROM generate_series(date '2023-01-01', date '2023-12-31', interval '1 day') d;
CREATE MATERIALIZED VIEW monthly_visits AS
  SELECT date_trunc('month', day) AS month, sum(visits) AS visits FROM daily_visits GROUP BY 1;
SQL
  say "sample data loaded: databases shop ($rows orders, 20000 customers, a view, a sequence, a" \
    "large object, roles shop_owner and shop_app) and analytics (a materialized view)"
}

summarize() {
  local port=$1
  psql_on "$port" shop <<'SQL'
SELECT (SELECT count(*) FROM sales.orders) AS orders,
       (SELECT count(*) FROM sales.customers) AS customers,
       (SELECT last_value FROM sales.invoice_number) AS invoice_number,
       (SELECT count(*) FROM pg_largeobject_metadata) AS large_objects,
       (SELECT md5(string_agg(id::text || amount::text, ',' ORDER BY id)) FROM sales.orders)
         AS orders_md5;
SQL
}

# ---- prerequisites and build ----
require_java_and_maven
require_postgresql
if [ -n "${PGSHUTTLE_AMQP_URI:-}" ]; then
  amqp_uri=$PGSHUTTLE_AMQP_URI
else
  require_rabbitmq
  amqp_uri="amqp://guest:guest@127.0.0.1:5672/%2f"
  # A virtual host of its own, deleted at the end, when this user may manage the broker.
  if is_root && rabbitmqctl -q add_vhost "$namespace" >/dev/null 2>&1; then
    vhost=$namespace
    rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null
    amqp_uri="amqp://guest:guest@127.0.0.1:5672/$vhost"
  fi
fi
if [ ! -x "$pgshuttle" ]; then
  say "building pgshuttle (mvn -B -q -DskipTests package)"
  mvn -B -q -DskipTests package
fi

# ---- clusters and sample data ----
target_password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
take_free_port; source_port=$REPLY
take_free_port; target_port=$REPLY
take_free_port; store_port=$REPLY
take_free_port; http_port=$REPLY
(umask 077 && printf '127.0.0.1:%s:*:postgres:%s\n' "$target_port" "$target_password" >"$work/pgpass")
start_cluster source "$source_port"
start_cluster target "$target_port" "$target_password"
start_cluster store "$store_port"
psql_on "$store_port" postgres <<<'CREATE DATABASE pgshuttle;'
load_sample_data "$source_port"

# ---- coordinator and agent ----
export PGSHUTTLE_AMQP_URI=$amqp_uri
export PGSHUTTLE_NAMESPACE=$namespace
export PGSHUTTLE_COORDINATOR_URL=http://127.0.0.1:$http_port
mkdir -p "$work/disks" "$work/agent-state"

PGSHUTTLE_STORE_URL=jdbc:postgresql://127.0.0.1:$store_port/pgshuttle \
  PGSHUTTLE_STORE_USER=postgres \
  PGSHUTTLE_HTTP_PORT=$http_port \
  "$pgshuttle" coordinator >"$work/coordinator.log" 2>&1 &
daemon_pids+=($!)
wait_for_log coordinator $! "$work/coordinator.log" "coordinator running"

PGSHUTTLE_INSTANCE=$instance \
  PGSHUTTLE_SOURCE_URL=postgresql://postgres@127.0.0.1:$source_port \
  PGSHUTTLE_PG_BINDIR=$PG_BINDIR \
  PGSHUTTLE_IAAS=local \
  PGSHUTTLE_LOCAL_DISK_ROOT=$work/disks \
  PGSHUTTLE_STATE_DIR=$work/agent-state \
  "$pgshuttle" agent >"$work/agent.log" 2>&1 &
daemon_pids+=($!)
wait_for_log agent $! "$work/agent.log" "agent running"

# ---- the migration ----
source_summary=$(summarize "$source_port")
say "source before the migration:"
printf '%s\n' "$source_summary"
say "pgshuttle submit --instance $instance --target postgresql://postgres@127.0.0.1:$target_port --wait"
status=0
PGSHUTTLE_TARGET_PASSWORD=$target_password "$pgshuttle" submit --instance "$instance" \
  --target "postgresql://postgres@127.0.0.1:$target_port" --wait || status=$?
if [ $status -ne 0 ]; then
  die "the migration did not succeed (exit code $status)"
fi
target_summary=$(summarize "$target_port")
say "target after the migration:"
printf '%s\n' "$target_summary"
[ "$source_summary" = "$target_summary" ] ||
  die "the target's counts and checksum differ from the source's"
say "demo done: the migration SUCCEEDED and the target matches the source"
