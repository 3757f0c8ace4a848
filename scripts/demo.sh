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
# shellcheck source=scripts/lib/installation.sh
. scripts/lib/installation.sh

keep=false
if [ "${DEMO_KEEP:-}" = 1 ]; then keep=true; fi
on_failure=show_daemon_logs
stop_on_exit

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
require_distribution "$pgshuttle"

# ---- clusters, sample data, coordinator and agent ----
target_password=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
take_free_port; source_port=$REPLY
take_free_port; target_port=$REPLY
(umask 077 && printf '127.0.0.1:%s:*:postgres:%s\n' "$target_port" "$target_password" >"$work/pgpass")
start_cluster source "$source_port"
start_cluster target "$target_port" "$target_password"
load_sample_data "$source_port"
start_pgshuttle "$pgshuttle" "$namespace" "$instance" "$source_port"

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
