#!/usr/bin/env bash
# Back up the hemsjukvard PostgreSQL database into a timestamped pg_dump custom-format file.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: backup.sh [-h] DIRECTORY [DATABASE]

Dumps a PostgreSQL database with `pg_dump --format=custom` into
DIRECTORY/<database>_<UTC date>T<time>Z.dump, checks that pg_restore can read the
file, and prints its path. The directory is created if missing; the dump is
readable by its owner only (it holds patient data).

Where it connects, first match wins:
  DATABASE      a database name (on the server below) or a postgres:// URI
  DATABASE_URL  the application's setting, postgres://user:password@host:port/name
  PG* variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, PGSSLMODE, ...
                and ~/.pgpass, as for psql
A DATABASE name replaces only the database of DATABASE_URL (or PGDATABASE).

Examples:
  docker compose exec postgres /deploy/backup.sh /backups
  deploy/backup.sh /var/backups/hemsjukvard                  (DATABASE_URL set)
  PGHOST=127.0.0.1 PGUSER=postgres deploy/backup.sh /var/backups/hemsjukvard hemsjukvard

Needs the PostgreSQL client tools (pg_dump, pg_restore, psql) of the server's major
version or newer. Restore with restore.sh.
EOF
}

die() {
    echo "backup.sh: $*" >&2
    exit 1
}

# shellcheck source=deploy/pg_connection.sh
source "$(dirname "${BASH_SOURCE[0]}")/pg_connection.sh"

while [[ $# -gt 0 ]]; do
    case "$1" in
        -h | --help)
            usage
            exit 0
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
directory=$1
connection "${2-}"

for tool in pg_dump pg_restore psql; do
    command -v "$tool" >/dev/null || die "$tool not found: install the PostgreSQL client tools"
done

# The dump holds patient data: nothing it writes is readable by anyone else.
umask 077
mkdir -p -- "$directory"
[[ -w "$directory" ]] || die "cannot write to $directory"

database=$(psql --no-psqlrc --no-align --tuples-only --set=ON_ERROR_STOP=1 \
    ${CONN[@]+"${CONN[@]}"} --command='SELECT current_database()') ||
    die "cannot connect to the database"
safe_name=$(printf '%s' "$database" | tr -c 'A-Za-z0-9_.-' '_')
final="${directory%/}/${safe_name}_$(date -u +%Y%m%dT%H%M%SZ).dump"
[[ -e "$final" ]] && die "$final already exists"
partial="${directory%/}/.${safe_name}.$$.partial"
trap 'rm -f -- "$partial"' EXIT

echo "backup.sh: dumping database $database ..." >&2
pg_dump --format=custom --file="$partial" ${CONN[@]+"${CONN[@]}"}
pg_restore --list -- "$partial" >/dev/null || die "the dump cannot be read back: $partial"
mv -- "$partial" "$final"
trap - EXIT

echo "backup.sh: wrote $final ($(du -h -- "$final" | cut -f1))" >&2
printf '%s\n' "$final"
