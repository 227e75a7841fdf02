#!/usr/bin/env bash
# Create or update the database's two roles: the owner (migrations) and the application's role.
set -euo pipefail

usage() {
    cat <<'USAGE'
Usage: db-roles.sh [-h]

Makes DB_OWNER_USER own the application's database and everything in it, and lets DB_APP_USER
(web, worker, beat) read and write rows only: no TRUNCATE, no DDL, no disabling of triggers, no row
changes of the access log, its reviews and its extracts. Tables created later by the owner (by
migrations) are granted to the application's role by default privileges. See deploy/README.md,
"Database roles". Safe to run again; run it after restoring a backup.

Connects as a superuser with the PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE),
defaulting PGUSER to POSTGRES_USER and PGDATABASE to POSTGRES_DB, as in the postgres container:
  docker compose exec postgres /deploy/db-roles.sh

Reads: DB_OWNER_USER, DB_OWNER_PASSWORD, DB_APP_USER, DB_APP_PASSWORD (an empty password keeps
the role's current one; a new role needs one). The postgres container runs it on its first start
(deploy/postgres-init/).
USAGE
}

die() {
    echo "db-roles.sh: $*" >&2
    exit 1
}

case "${1-}" in
    -h | --help)
        usage
        exit 0
        ;;
    "") ;;
    *)
        usage >&2
        exit 2
        ;;
esac
command -v psql >/dev/null || die "psql is not installed"
: "${DB_OWNER_USER:?db-roles.sh: set DB_OWNER_USER}"
: "${DB_APP_USER:?db-roles.sh: set DB_APP_USER}"
export PGUSER=${PGUSER:-${POSTGRES_USER:-postgres}}
export PGDATABASE=${PGDATABASE:-${POSTGRES_DB:-${PGUSER}}}
# Never the application's DATABASE_URL: this needs a superuser.
unset DATABASE_URL

export DB_OWNER_PASSWORD=${DB_OWNER_PASSWORD-} DB_APP_PASSWORD=${DB_APP_PASSWORD-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# The names and passwords go from the environment into psql variables (\getenv), never onto a
# command line that `ps` shows, and from there into settings the SQL reads.
psql -X -q -v ON_ERROR_STOP=1 <<SQL
BEGIN;
\\getenv owner_role DB_OWNER_USER
\\getenv owner_password DB_OWNER_PASSWORD
\\getenv app_role DB_APP_USER
\\getenv app_password DB_APP_PASSWORD
SELECT set_config('hemsjukvard.owner_role', :'owner_role', true),
       set_config('hemsjukvard.owner_password', :'owner_password', true),
       set_config('hemsjukvard.app_role', :'app_role', true),
       set_config('hemsjukvard.app_password', :'app_password', true) \\g /dev/null
\\i '$here/db-roles.sql'
COMMIT;
SQL
echo "db-roles.sh: database \"$PGDATABASE\" is owned by \"$DB_OWNER_USER\"; \"$DB_APP_USER\" reads and writes rows." >&2
