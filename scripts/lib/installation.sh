# Shared by scripts/demo.sh and bench/migration.sh (sourced after scripts/lib/prerequisites.sh):
# throwaway PostgreSQL clusters on free ports and a pgshuttle coordinator and agent from the
# distribution, all under the directory $work, which the sourcing script makes first.
# stop_installation stops everything these functions started; stop_on_exit arranges for that.

daemon_pids=()
cluster_dirs=()
vhost=
taken_ports=" "

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

# Stops the daemons and clusters started here, deletes the private virtual host, runs the
# broker_restore expression (rabbitmqctl eval) when one is set, and stops the broker if
# require_rabbitmq started it. Never fails.
stop_installation() {
  local pid dir
  for pid in "${daemon_pids[@]}"; do stop_process "$pid"; done
  for dir in "${cluster_dirs[@]}"; do
    as_postgres "$PG_BINDIR/pg_ctl" -D "$dir" -m immediate -w stop >/dev/null 2>&1
  done
  if [ -n "$vhost" ]; then
    rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1
  fi
  if [ -n "${broker_restore:-}" ]; then
    rabbitmqctl -q eval "$broker_restore" >/dev/null 2>&1
  fi
  stop_rabbitmq_if_started
}

# Stops everything on exit, also on failure or Ctrl-C: first, if the script failed, the function
# named by on_failure (when set, such as show_daemon_logs); then stop_installation; then $work is
# removed unless keep=true.
stop_on_exit() {
  trap finish_installation EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

finish_installation() {
  local status=$?
  set +e
  trap - EXIT INT TERM
  if [ $status -ne 0 ] && [ -n "${on_failure:-}" ]; then
    "$on_failure"
  fi
  say "stopping and removing what this run started"
  stop_installation
  if [ "${keep:-false}" = true ]; then say "kept $work"; else rm -rf "$work"; fi
  exit $status
}

# Prints the last lines of the daemons' logs, for a run that failed.
show_daemon_logs() {
  local log
  for log in "$work"/coordinator.log "$work"/agent.log; do
    if [ -s "$log" ]; then
      printf '\n---- last lines of %s ----\n' "$(basename "$log")" >&2
      tail -n 40 "$log" >&2
    fi
  done
}

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

# start_cluster NAME PORT [SUPERUSER_PASSWORD]: initdb and start a cluster under $work/NAME, with
# the server settings in CLUSTER_SETTINGS (such as "-c shared_buffers=1GB") if set.
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
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir ${CLUSTER_SETTINGS:-}" \
    start >/dev/null ||
    { cat "$dir/server.log" >&2; die "the $name cluster did not start"; }
  say "$name cluster on 127.0.0.1:$port"
}

# psql_on PORT DATABASE [PSQL_OPTION...]: runs SQL from stdin as the superuser, stopping at the
# first error.
psql_on() {
  local port=$1 database=$2
  shift 2
  PGPASSFILE=$work/pgpass "$PG_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" \
    -U postgres -d "$database" "$@"
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

# Sets amqp_uri: PGSHUTTLE_AMQP_URI if set, else the local broker (started or installed if need
# be), in a virtual host named NAMESPACE of its own when this user may manage the broker.
choose_broker() {
  local namespace=$1
  if [ -n "${PGSHUTTLE_AMQP_URI:-}" ]; then
    amqp_uri=$PGSHUTTLE_AMQP_URI
    return
  fi
  require_rabbitmq
  amqp_uri="amqp://guest:guest@127.0.0.1:5672/%2f"
  if is_root && rabbitmqctl -q add_vhost "$namespace" >/dev/null 2>&1; then
    vhost=$namespace
    rabbitmqctl -q set_permissions -p "$vhost" guest '.*' '.*' '.*' >/dev/null
    amqp_uri="amqp://guest:guest@127.0.0.1:5672/$vhost"
  fi
}

# start_pgshuttle PGSHUTTLE NAMESPACE INSTANCE SOURCE_PORT: a store cluster, the coordinator and
# one agent for INSTANCE on the source at SOURCE_PORT, its disks under $work/disks. Exports what
# the client commands need (PGSHUTTLE_AMQP_URI, PGSHUTTLE_NAMESPACE, PGSHUTTLE_COORDINATOR_URL and
# PGSHUTTLE_API_TOKEN, a fresh operate token the coordinator is given in its environment).
start_pgshuttle() {
  local pgshuttle=$1 namespace=$2 instance=$3 source_port=$4 store_port http_port
  choose_broker "$namespace"
  take_free_port; store_port=$REPLY
  take_free_port; http_port=$REPLY
  start_cluster store "$store_port"
  psql_on "$store_port" postgres <<<'CREATE DATABASE pgshuttle;'
  export PGSHUTTLE_AMQP_URI=$amqp_uri
  export PGSHUTTLE_NAMESPACE=$namespace
  export PGSHUTTLE_COORDINATOR_URL=http://127.0.0.1:$http_port
  PGSHUTTLE_API_TOKEN=$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
  export PGSHUTTLE_API_TOKEN
  mkdir -p "$work/disks" "$work/agent-state"
  # Keys as an operator makes them: the coordinator's two pairs, the agent's pair, and the agent's
  # public key registered in the coordinator's agent-key directory.
  "$pgshuttle" keys coordinator --out "$work/keys" >"$work/keys.log"
  "$pgshuttle" keys agent --instance "$instance" --out "$work/agent-keys" >>"$work/keys.log"
  mkdir -p "$work/keys/agents"
  cp "$work/agent-keys/$instance".*.pub "$work/keys/agents/"

  PGSHUTTLE_STORE_URL=jdbc:postgresql://127.0.0.1:$store_port/pgshuttle \
    PGSHUTTLE_STORE_USER=postgres \
    PGSHUTTLE_HTTP_PORT=$http_port \
    PGSHUTTLE_API_TOKENS=demo:operate:$PGSHUTTLE_API_TOKEN \
    PGSHUTTLE_SIGNING_KEY=$work/keys/coordinator.ed25519.key \
    PGSHUTTLE_EVENT_KEYS=$work/keys/coordinator.x25519.key \
    PGSHUTTLE_AGENT_KEYS=$work/keys/agents \
    "$pgshuttle" coordinator >"$work/coordinator.log" 2>&1 &
  daemon_pids+=($!)
  wait_for_log coordinator $! "$work/coordinator.log" "coordinator running"

  PGSHUTTLE_INSTANCE=$instance \
    PGSHUTTLE_SOURCE_URL=postgresql://postgres@127.0.0.1:$source_port \
    PGSHUTTLE_PG_BINDIR=$PG_BINDIR \
    PGSHUTTLE_IAAS=local \
    PGSHUTTLE_LOCAL_DISK_ROOT=$work/disks \
    PGSHUTTLE_STATE_DIR=$work/agent-state \
    PGSHUTTLE_SEALING_KEY=$work/agent-keys/$instance.x25519.key \
    PGSHUTTLE_COORDINATOR_KEYS=$work/keys/coordinator.ed25519.pub \
    PGSHUTTLE_COORDINATOR_EVENT_KEY=$work/keys/coordinator.x25519.pub \
    "$pgshuttle" agent >"$work/agent.log" 2>&1 &
  daemon_pids+=($!)
  wait_for_log agent $! "$work/agent.log" "agent running"
}

# Builds this checkout's distribution unless PGSHUTTLE (its bin/pgshuttle) is there.
require_distribution() {
  local pgshuttle=$1
  if [ ! -x "$pgshuttle" ]; then
    say "building pgshuttle (mvn -B -q -DskipTests package)"
    mvn -B -q -DskipTests package
  fi
  [ -x "$pgshuttle" ] || die "$pgshuttle is missing: build that checkout (mvn -DskipTests package)"
}
