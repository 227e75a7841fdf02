# Shared by backup.sh and restore.sh: how a database is chosen. Sourced, not run.
# Needs a die() function defined by the caller.

# Sets CONN to the arguments that select the database for psql, pg_dump and pg_restore: a URI from
# DATABASE_URL or the DATABASE argument, or just a database name with the rest left to the PG* variables.
connection() {
    local target=${1-} url=${DATABASE_URL-}
    case "$target" in
        *://*) url=$target target="" ;;
    esac
    CONN=()
    if [[ -n "$url" ]]; then
        case "$url" in
            postgres://* | postgresql://*) ;;
            pgsql://* | psql://* | postgis://*) url="postgresql://${url#*://}" ;;
            *) die "not a PostgreSQL URL: ${url%%://*}://..." ;;
        esac
        if [[ -n "$target" ]]; then
            # Keep scheme, credentials, host and query; replace the database name.
            local rest=${url#*://} authority query=""
            authority=${rest%%/*}
            rest=${rest#"$authority"}
            [[ "$rest" == *\?* ]] && query="?${rest#*\?}"
            url="${url%%://*}://${authority}/${target}${query}"
        fi
        CONN=("--dbname=$url")
    elif [[ -n "$target" ]]; then
        CONN=("--dbname=$target")
    fi
}

