#!/bin/sh
# Writes PgBouncer's auth file (the application's role and password from .env, readable by PgBouncer
# only) and its configuration (deploy/pgbouncer.ini with its ${...} filled in), then runs PgBouncer.
set -eu
: "${DB_APP_USER:?DB_APP_USER is not set}"
: "${DB_APP_PASSWORD:?DB_APP_PASSWORD is not set}"
umask 077
dir=/tmp/pgbouncer
mkdir -p "$dir"
printf '"%s" "%s"\n' "$DB_APP_USER" "$DB_APP_PASSWORD" > "$dir/userlist.txt"
export PGBOUNCER_AUTH_FILE="$dir/userlist.txt"
export PGBOUNCER_LISTEN_ADDR="${PGBOUNCER_LISTEN_ADDR:-0.0.0.0}"
export PGBOUNCER_LISTEN_PORT="${PGBOUNCER_LISTEN_PORT:-6432}"
export PGBOUNCER_AUTH_TYPE="${PGBOUNCER_AUTH_TYPE:-scram-sha-256}"
export PGBOUNCER_MAX_CLIENT_CONN="${PGBOUNCER_MAX_CLIENT_CONN:-500}"
export PGBOUNCER_POOL_SIZE="${PGBOUNCER_POOL_SIZE:-20}"
envsubst '${PGBOUNCER_SERVER_HOST} ${PGBOUNCER_SERVER_PORT} ${PGBOUNCER_LISTEN_ADDR} ${PGBOUNCER_LISTEN_PORT} ${PGBOUNCER_AUTH_TYPE} ${PGBOUNCER_AUTH_FILE} ${PGBOUNCER_MAX_CLIENT_CONN} ${PGBOUNCER_POOL_SIZE}' \
  < /etc/pgbouncer/pgbouncer.ini.template > "$dir/pgbouncer.ini"
exec pgbouncer "$dir/pgbouncer.ini"
