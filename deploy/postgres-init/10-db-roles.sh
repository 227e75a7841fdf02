#!/usr/bin/env bash
# Run by the postgres image on its first start (an empty data volume), as POSTGRES_USER over the
# local socket: creates the owner and the application's role before `migrate` first connects.
set -euo pipefail
exec /deploy/db-roles.sh
