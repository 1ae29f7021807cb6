#!/usr/bin/env bash
# The official postgres image's contract, as far as the tests and docker-compose.yml use it:
# - POSTGRES_PASSWORD (required) is the password of POSTGRES_USER (default postgres), the
#   superuser; POSTGRES_DB (default: POSTGRES_USER) is created on first start, owned by it;
# - first-start initialisation runs on a temporary server that listens on the Unix socket
#   only, then /docker-entrypoint-initdb.d/*.sh and *.sql run (in name order) against
#   POSTGRES_DB, then that server stops: nothing can connect over TCP until the database
#   exists and the real server has started;
# - arguments starting with "-" are options of postgres, and reach the init server too;
# - the server runs as the postgres user, listening on every address.
set -Eeuo pipefail

if [ "${1:0:1}" = - ]; then
  set -- postgres "$@"
fi

if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ "$1" = postgres ]; then
  shift
  export HOME=/var/lib/postgresql
  user=${POSTGRES_USER:-postgres}
  db=${POSTGRES_DB:-$user}
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    # shellcheck disable=SC2086 # POSTGRES_INITDB_ARGS is a list of options, as in the official image
    initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C.UTF-8 ${POSTGRES_INITDB_ARGS:-} >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"

    # Every local connection needs the password too (scram-sha-256 above), so the init
    # steps carry it, as the official image does.
    export PGPASSWORD=$POSTGRES_PASSWORD PGUSER=$user PGHOST=/var/run/postgresql PGPORT=5432
    pg_ctl -D "$PGDATA" -w -o "$(printf '%q ' "$@" -c listen_addresses= -p 5432)" start >/dev/null
    psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --no-password -q)
    if [ "$db" != postgres ] &&
       [ -z "$("${psql[@]}" -d postgres -tA -v db="$db" <<<"SELECT 1 FROM pg_database WHERE datname = :'db'")" ]; then
      "${psql[@]}" -d postgres -v db="$db" <<<'CREATE DATABASE :"db";'
    fi
    for f in /docker-entrypoint-initdb.d/*; do
      case $f in
        *.sh)
          echo "$0: running $f"
          if [ -x "$f" ]; then "$f"; else
            # shellcheck disable=SC1090
            . "$f"
          fi ;;
        *.sql) echo "$0: running $f"; "${psql[@]}" -d "$db" -f "$f" ;;
        *) if [ -e "$f" ]; then echo "$0: ignoring $f"; fi ;;
      esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    unset PGPASSWORD PGUSER PGHOST PGPORT
    echo "PostgreSQL init process complete; ready for start up."
  fi
  exec postgres -D "$PGDATA" -c listen_addresses='*' "$@"
fi

exec "$@"
