#!/bin/sh
# As the official image: arguments starting with "-" are options of redis-server.
set -e
[ "${1#-}" != "$1" ] && set -- redis-server "$@"
if [ "$1" = redis-server ]; then
  shift
  exec redis-server --bind 0.0.0.0 --protected-mode no --daemonize no --logfile "" "$@"
fi
exec "$@"
