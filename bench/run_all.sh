#!/usr/bin/env bash
# Every scale-and-speed benchmark from one command (bench/README.md). Not a test: it prints figures.
#   bench/run_all.sh                 national scale (generates hsv_national once; --generate to redo)
#   bench/run_all.sh --scale 0.001   a smoke size, generated afresh (about a minute)
# Needs PostgreSQL and Redis on their standard local addresses and wrk (apt-get install -y wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
exec nice -n "${BENCH_NICE:-5}" .venv/bin/python bench/run.py "$@"
