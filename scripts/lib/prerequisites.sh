# Shared by scripts/demo.sh and scripts/test.sh (sourced, not run): checks and, where it can,
# installs what pgshuttle needs on this machine. Debian/Ubuntu; installs only when run as root.
# The sourcing script may set PG_BINDIR first (default: PostgreSQL 15 of Debian's packages), and
# PG_BINDIR_VARIABLE, the environment variable that sets it, for messages.

PG_BINDIR=${PG_BINDIR:-/usr/lib/postgresql/15/bin}
PG_BINDIR_VARIABLE=${PG_BINDIR_VARIABLE:-PGSHUTTLE_PG_BINDIR}

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" -eq 0 ]; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

apt_updated=false
apt_install() {
  if ! is_root; then
    return 1
  fi
  command -v apt-get >/dev/null 2>&1 || die "apt-get not found: install $* by hand"
  if ! $apt_updated; then
    say "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
    apt_updated=true
  fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >&2
}

require_java_and_maven() {
  command -v java >/dev/null 2>&1 ||
    die "java not found: install a JDK 17 or later (Debian: apt-get install openjdk-17-jdk-headless)"
  local major
  major=$(java -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p')
  [ -n "$major" ] && [ "$major" -ge 17 ] ||
    die "java is version ${major:-unknown}; pgshuttle needs 17 or later (set JAVA_HOME or PATH)"
  command -v mvn >/dev/null 2>&1 ||
    die "mvn not found: install Maven 3.8 or later (Debian: apt-get install maven)"
}

# PostgreSQL 15 client and server programs in $PG_BINDIR, and a postgres user to run initdb
# as when we are root (initdb refuses root).
require_postgresql() {
  local missing=()
  local program
  for program in initdb pg_ctl postgres psql pg_dump pg_dumpall pg_restore; do
    [ -x "$PG_BINDIR/$program" ] || missing+=("$program")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$PG_BINDIR" = /usr/lib/postgresql/15/bin ] && apt_install postgresql-15 postgresql-client-15; then
      :
    else
      die "PostgreSQL programs missing from $PG_BINDIR: ${missing[*]}. Install PostgreSQL 15" \
        "(Debian 12: sudo apt-get install postgresql-15) or set $PG_BINDIR_VARIABLE"
    fi
  fi
  if is_root && ! id postgres >/dev/null 2>&1; then
    say "creating the system user postgres (initdb refuses to run as root)"
    useradd --system --home-dir /var/lib/postgresql --shell /bin/sh postgres
  fi
}

# Debian's headless Chromium and its chromedriver, which the dashboard's browser test drives
# (nothing is downloaded at test time).
require_chromium() {
  if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
    return 0
  fi
  apt_install chromium chromium-driver ||
    die "/usr/bin/chromium or /usr/bin/chromedriver is missing: the dashboard's test (DashboardIT)" \
      "drives them. Run sudo apt-get install chromium chromium-driver"
}

rabbitmq_started_by_us=false

# A broker on localhost:5672: left alone if one answers; installed (as root) and started if not.
require_rabbitmq() {
  if port_open 5672; then
    return 0
  fi
  if ! command -v rabbitmq-server >/dev/null 2>&1; then
    apt_install rabbitmq-server ||
      die "RabbitMQ is not running on localhost:5672 and not installed:" \
        "run sudo apt-get install rabbitmq-server, or point PGSHUTTLE_AMQP_URI at a broker"
  fi
  if port_open 5672; then
    return 0 # the package's post-install started it
  fi
  is_root || die "RabbitMQ is installed but not running: start it (sudo systemctl start rabbitmq-server)"
  say "starting RabbitMQ"
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    systemctl start rabbitmq-server
  else
    rabbitmq-server -detached
  fi
  rabbitmq_started_by_us=true
  local waited=0
  until port_open 5672; do
    [ $waited -lt 120 ] || die "RabbitMQ did not open port 5672 within 120 s: see /var/log/rabbitmq/"
    sleep 1
    waited=$((waited + 1))
  done
  say "RabbitMQ is up"
}

# Stops the broker if require_rabbitmq started it.
stop_rabbitmq_if_started() {
  if $rabbitmq_started_by_us; then
    say "stopping the RabbitMQ this script started"
    if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
      systemctl stop rabbitmq-server || true
    else
      rabbitmqctl stop >/dev/null 2>&1 || true
    fi
  fi
}
