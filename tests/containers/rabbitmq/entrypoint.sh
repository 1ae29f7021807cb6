#!/bin/sh
# The official image's contract: RABBITMQ_DEFAULT_USER and RABBITMQ_DEFAULT_PASS; logs on stdout.
set -e
cat > /etc/rabbitmq/rabbitmq.conf <<CONF
default_user = ${RABBITMQ_DEFAULT_USER:-guest}
default_pass = ${RABBITMQ_DEFAULT_PASS:-guest}
loopback_users = none
listeners.tcp.default = 5672
management.tcp.port = 15672
disk_free_limit.absolute = 50MB
CONF
export RABBITMQ_LOGS=- HOME=/var/lib/rabbitmq
if [ "$1" = rabbitmq-server ]; then
  exec /usr/lib/rabbitmq/bin/rabbitmq-server
fi
exec "$@"
