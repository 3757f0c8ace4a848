#!/usr/bin/env bash
# Runs every test of pgshuttle: unit tests (*Test, no I/O), integration and end-to-end tests
# (*IT, against a real RabbitMQ on localhost:5672 and throwaway PostgreSQL 15 clusters), and the
# formatting check. Installs RabbitMQ, PostgreSQL 15 and Chromium (for the dashboard's browser
# test) with apt-get when run as root and they are missing, and starts RabbitMQ when it does not
# answer. Extra arguments go to Maven, e.g.
#   scripts/test.sh -o                      (offline)
#   scripts/test.sh -pl deploy -Dit.test=SubmitIT
# Environment: PGSHUTTLE_TEST_AMQP_URI (another broker), PGSHUTTLE_TEST_PG_BINDIR (other binaries).
set -euo pipefail
cd "$(dirname "$0")/.."

PG_BINDIR=${PGSHUTTLE_TEST_PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_BINDIR_VARIABLE=PGSHUTTLE_TEST_PG_BINDIR
# shellcheck source=scripts/lib/prerequisites.sh
. scripts/lib/prerequisites.sh

require_java_and_maven
require_postgresql
require_chromium
if [ -z "${PGSHUTTLE_TEST_AMQP_URI:-}" ]; then
  require_rabbitmq
fi

say "mvn -B verify $*"
exec mvn -B verify "$@"
