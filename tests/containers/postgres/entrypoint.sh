#!/bin/sh
# The official image's contract: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB; arguments
# starting with "-" go to postgres.
set -e
[ "${1#-}" != "$1" ] && set -- postgres "$@"
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  mkdir -p "$PGDATA" && chown -R postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
  echo "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" > /tmp/pwfile && chown postgres /tmp/pwfile
  su postgres -c "initdb -D '$PGDATA' -U '$user' --pwfile=/tmp/pwfile -A scram-sha-256 -E UTF8 --locale=C.UTF-8" >/dev/null
  rm /tmp/pwfile
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  su postgres -c "pg_ctl -D '$PGDATA' -w -o '-c listen_addresses=' start" >/dev/null
  if [ "$db" != postgres ]; then su postgres -c "psql -q -U '$user' -d postgres -c 'CREATE DATABASE \"$db\"'"; fi
  su postgres -c "pg_ctl -D '$PGDATA' -m fast -w stop" >/dev/null
fi
if [ "$1" = postgres ]; then
  shift
  exec su postgres -c "exec postgres -D '$PGDATA' -c listen_addresses='*' $*"
fi
exec "$@"
