#!/usr/bin/env bash
# PostgreSQL 15 on 127.0.0.1 with one database per service, in a cluster of the project's own
# under var/. Usage: deploy/postgres.sh up|down|status
#
# Environment: POSTGRES_PORT (5432), POSTGRES_USER/POSTGRES_PASSWORD (bayanat/bayanat, the role
# the services use; it may create databases, which the tests do), BAYANAT_VAR (<repo>/var).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
var=${BAYANAT_VAR:-$root/var}
port=${POSTGRES_PORT:-5432}
user=${POSTGRES_USER:-bayanat}
password=${POSTGRES_PASSWORD:-bayanat}
state="$var/postgres-$port"
mkdir -p "$var"
# As root the cluster belongs to the postgres user, who must reach its folder: a checkout under
# a private home directory is out of its reach, and the cluster then lives under /var/tmp.
if [ "$(id -u)" = 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$var"; then
  state="/var/tmp/bayanat-postgres-$port"
fi
data="$state/data"
log="$state/postgres.log"
services="catalog governance reuse metrics"

pg_bin() {
  for dir in "${PG_BIN:-}" /usr/lib/postgresql/15/bin "$(pg_config --bindir 2>/dev/null || true)"; do
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return 0; fi
  done
  return 1
}

ensure_installed() {
  if pg_bin >/dev/null; then return 0; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "postgres: installing PostgreSQL 15 from Debian's packages"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
  fi
  pg_bin >/dev/null || { echo "postgres: PostgreSQL 15 server binaries not found (set PG_BIN)" >&2; exit 1; }
}

# initdb refuses root: as root, the cluster belongs to the postgres system user.
as_owner() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

psql_admin() {
  as_owner "$(pg_bin)/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA "$@"
}

running() {
  [ -f "$data/postmaster.pid" ] && as_owner "$(pg_bin)/pg_ctl" -D "$data" status >/dev/null 2>&1
}

up() {
  ensure_installed
  local bin; bin=$(pg_bin)
  mkdir -p "$state"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$state"; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$state/initdb.log" 2>&1 \
      || { cat "$state/initdb.log" >&2; exit 1; }
  fi
  if running; then
    echo "postgres: already running on 127.0.0.1:$port"
  else
    as_owner "$bin/pg_ctl" -D "$data" -l "$log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k $state -c fsync=off -c max_connections=200" start >/dev/null
  fi
  until as_owner "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q; do sleep 0.5; done
  if [ "$(psql_admin -c "select 1 from pg_roles where rolname='$user'")" != 1 ]; then
    psql_admin -c "create role \"$user\" login createdb password '$password'"
  fi
  for service in $services; do
    if [ "$(psql_admin -c "select 1 from pg_database where datname='bayanat_$service'")" != 1 ]; then
      psql_admin -c "create database \"bayanat_$service\" owner \"$user\""
    fi
  done
  echo "postgres: ready on 127.0.0.1:$port (databases: $(printf 'bayanat_%s ' $services)) data in $data"
}

down() {
  ensure_installed
  if running; then
    as_owner "$(pg_bin)/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "postgres: stopped"
  else
    echo "postgres: not running"
  fi
}

status() {
  if running; then echo "postgres: running on 127.0.0.1:$port"; else echo "postgres: not running"; return 1; fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
