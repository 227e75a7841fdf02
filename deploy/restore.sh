#!/usr/bin/env bash
# Restore a backup.sh dump into an existing PostgreSQL database.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: restore.sh [-h] [-y] DUMPFILE [DATABASE]

Restores DUMPFILE, a custom-format dump from backup.sh, into an existing database:
  pg_restore --clean --if-exists --no-owner --single-transaction
Every object in the dump is dropped and recreated from it, so what the target held
in those tables is replaced; the restored objects are owned by the connecting role.
It runs as one transaction: on any error nothing changes. Then it runs ANALYZE.

Stop what writes to the database first (docker compose stop web worker beat). To
restore into a new database, create it first (createdb, or CREATE DATABASE).

Options:
  -y, --yes     do not ask for confirmation (required when not run on a terminal)
  -h, --help    show this text

Where it connects, first match wins:
  DATABASE      a database name (on the server below) or a postgres:// URI
  DATABASE_URL  the application's setting, postgres://user:password@host:port/name
  PG* variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, ...
                and ~/.pgpass, as for psql
A DATABASE name replaces only the database of DATABASE_URL (or PGDATABASE).

Examples:
  docker compose exec postgres /deploy/restore.sh /backups/hemsjukvard_20250101T020000Z.dump
  docker compose exec -T postgres /deploy/restore.sh --yes /backups/x.dump hemsjukvard_check
  PGHOST=127.0.0.1 PGUSER=postgres deploy/restore.sh backups/x.dump hemsjukvard_copy
EOF
}

die() {
    echo "restore.sh: $*" >&2
    exit 1
}

# shellcheck source=deploy/pg_connection.sh
source "$(dirname "${BASH_SOURCE[0]}")/pg_connection.sh"

assume_yes=false
while [[ $# -gt 0 ]]; do
    case "$1" in
        -h | --help)
            usage
            exit 0
            ;;
        -y | --yes)
            assume_yes=true
            shift
            ;;
        --)
            shift
            break
            ;;
        -*)
            usage >&2
            die "unknown option: $1"
            ;;
        *) break ;;
    esac
done
if [[ $# -lt 1 || $# -gt 2 || -z "$1" ]]; then
    usage >&2
    exit 2
fi
dump=$1
connection "${2-}"

for tool in pg_restore psql; do
    command -v "$tool" >/dev/null || die "$tool not found: install the PostgreSQL client tools"
done

[[ -f "$dump" && -r "$dump" ]] || die "cannot read $dump"
pg_restore --list -- "$dump" >/dev/null || die "$dump is not a custom-format dump pg_restore can read"

psql_query() {
    psql --no-psqlrc --no-align --tuples-only --set=ON_ERROR_STOP=1 \
        ${CONN[@]+"${CONN[@]}"} --command="$1"
}
target=$(psql_query 'SELECT current_user || chr(9) || current_database()') ||
    die "cannot connect to the target database (does it exist? create it with createdb)"
role=${target%%$'\t'*}
database=${target#*$'\t'}
# pg_restore without --dbname writes an SQL script to stdout instead of restoring.
if [[ ${#CONN[@]} -eq 0 ]]; then
    CONN=("--dbname=$database")
fi

echo "restore.sh: restoring $dump into database \"$database\" as role \"$role\"." >&2
echo "restore.sh: its tables, data and functions from the dump are dropped and replaced." >&2
if [[ "$assume_yes" != true ]]; then
    [[ -t 0 ]] || die "not on a terminal: pass --yes to confirm"
    read -r -p "Type the database name ($database) to go on: " answer
    [[ "$answer" == "$database" ]] || die "not confirmed; nothing changed"
fi

pg_restore --clean --if-exists --no-owner --single-transaction \
    ${CONN[@]+"${CONN[@]}"} -- "$dump"
psql_query 'ANALYZE' >/dev/null

echo "restore.sh: restored $dump into database \"$database\"." >&2
