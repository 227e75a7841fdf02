"""Fill a dedicated PostgreSQL database with a national-scale world (benchmark data, not a test).

    .venv/bin/python bench/generate_national.py [--scale 1.0] [--database hsv_national] [--reset]

At ``--scale 1``: 21 regions and 290 kommuner (Region Halland and its six kommuner exactly as the demo
world has them, with the demo agreement; the other 20 regions with their real names, real number of
kommuner and synthetic kommun names such as "Kommun Skåne 07"), about 1,150 vårdcentraler, specialist
clinics, mobile teams and joint bodies per region, one user per role per organisation, 414,000 patients
(99 % with an open enrolment), 1,000,000 responsibility cases in every state with their tasks and
timelines (about six events each) and 20,000,000 access-log rows. ``--scale`` multiplies the patients,
cases and log rows (0.01 is a smoke size); the organisations are always all there.

The database is created and migrated here (``--reset`` drops it first); the name must not start with
``test`` so the test databases are never touched. The big tables are loaded with COPY (psycopg 3
``cursor.copy()``) in batches, with progress. While loading, the secondary indexes of the loaded tables
are dropped and afterwards re-created from the exact ``pg_get_indexdef`` text saved before, so the
schema ends as the migrations made it; foreign-key triggers are skipped during COPY
(``session_replication_role = replica``) and every foreign key of the loaded tables is checked with one
anti-join afterwards instead. The append-only triggers only fire on UPDATE/DELETE, which COPY never
does. At the end everything is VACUUM ANALYZEd and the figures' materialised view refreshed.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.national.access_log import access_log_load  # noqa: E402
from bench.national.cases import cases_load  # noqa: E402
from bench.national.copying import database_prepare, foreign_keys_check, secondary_indexes  # noqa: E402
from bench.national.organisations import organisations_build, patients_load  # noqa: E402
from bench.national.shape import FULL_ACCESS_LOG, FULL_CASES, FULL_PATIENTS, SEED, progress  # noqa: E402

# --- Putting it together --------------------------------------------------------------------------------


LOADED_TABLES = [
    "patients_patient",
    "patients_enrolment",
    "cases_responsibilitycase",
    "cases_casetask",
    "cases_caseevent",
    "audit_accesslogentry",
]


def timed(label: str, timings: list[tuple[str, float]], work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    timings.append((label, elapsed))
    progress(f"{label}: {elapsed:.1f} s")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national (414k patients, 1M cases)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("NATIONAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hsv_national"),
    )
    parser.add_argument("--reset", action="store_true", help="drop and re-create the database first")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--log-scale",
        type=float,
        default=None,
        help="the access log's own scale (default: --scale); 3.0 = 60 M rows, 20 M a year for three years",
    )
    parser.add_argument(
        "--unpartitioned",
        action="store_true",
        help="the access log as one table (audit migration 0006), for a before/after comparison",
    )
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 1.0:
        parser.error("--scale must be in (0, 1]")
    log_scale = args.scale if args.log_scale is None else args.log_scale
    if not 0 < log_scale <= 3.0:
        parser.error("--log-scale must be in (0, 3]")

    started = time.perf_counter()
    timings: list[tuple[str, float]] = []
    database_prepare(args.database_url, reset=args.reset)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("HEMSJUKVARD_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemsjukvard.settings")
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command

    timed("migrate", timings, lambda: call_command("migrate", verbosity=0))
    if args.unpartitioned:
        timed(
            "access log unpartitioned", timings, lambda: call_command("migrate", "audit", "0006", verbosity=0)
        )
        # Back at 0006 the role column is as short as it was then; the roles of today (migration
        # 0008_role_longer) must still fit, and 0007's conversion copies the column as it finds it.
        with psycopg.connect(args.database_url, autocommit=True) as conn:
            conn.execute("ALTER TABLE audit_accesslogentry ALTER COLUMN role TYPE varchar(32)")
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        if conn.execute("SELECT count(*) FROM patients_patient").fetchone()[0]:
            raise SystemExit("The database already holds patients: run with --reset to start again.")
    rng = random.Random(args.seed)
    world = timed("organisations, users, agreement", timings, lambda: organisations_build(rng))

    n_patients = max(50, round(FULL_PATIENTS * args.scale))
    n_cases = max(100, round(FULL_CASES * args.scale))
    n_log = max(1000, round(FULL_ACCESS_LOG * log_scale))
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        saved: list[tuple[str, str, str]] = []
        for table in LOADED_TABLES:
            for name, definition in secondary_indexes(conn, table):
                saved.append((table, name, definition))
                conn.execute(f'DROP INDEX "{name}"')
        progress(f"dropped {len(saved)} secondary indexes of {len(LOADED_TABLES)} tables for the load")
        if not args.unpartitioned:
            # The log is partitioned by month (audit migration 0007): a partition for every month of the
            # three years loaded, so no row waits in the DEFAULT partition.
            conn.execute(
                "SELECT audit_accesslog_create_partition(month::date) FROM generate_series("
                "date_trunc('month', (%s::timestamptz - interval '3 years 1 month') AT TIME ZONE 'UTC'), "
                "date_trunc('month', %s::timestamptz AT TIME ZONE 'UTC'), interval '1 month') AS month",
                [now, now],
            )

        patients = timed(
            f"patients + enrolments ({n_patients:,})",
            timings,
            lambda: patients_load(conn, world, n_patients, rng, now),
        )
        n_tasks, n_events, case_ids = timed(
            f"cases + tasks + events ({n_cases:,})",
            timings,
            lambda: cases_load(conn, world, patients, n_cases, rng, now),
        )
        timed(
            f"access log ({n_log:,})",
            timings,
            lambda: access_log_load(conn, world, patients, case_ids, n_log, rng, now),
        )

        def restore() -> None:
            for table, name, definition in saved:
                # A partitioned table's index is defined ON ONLY the parent; re-created on the parent, it
                # is built on every partition.
                conn.execute(definition.replace(" ON ONLY ", " ON "))
                progress(f"  re-created {name} on {table}")

        timed("indexes re-created", timings, restore)
        for table in LOADED_TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
        # Cases opened after the load take the next case numbers (cases.numbering), after the loaded ones.
        conn.execute(
            "INSERT INTO cases_casenumbercounter (name, value) "
            "SELECT 'case_number', COALESCE(max(id), 0) FROM cases_responsibilitycase "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value"
        )
        conn.execute("SET session_replication_role = DEFAULT")
        timed("foreign keys checked", timings, lambda: foreign_keys_check(conn, LOADED_TABLES))

        def vacuum() -> None:
            for table in LOADED_TABLES:
                conn.execute(f"VACUUM (ANALYZE) {table}")
            conn.execute("ANALYZE")

        timed("VACUUM ANALYZE", timings, vacuum)
        refresh = conn.execute(
            "SELECT 1 FROM pg_matviews WHERE matviewname = 'figures_case_facts'"
        ).fetchone()
        if refresh:
            timed(
                "figures materialised view refreshed",
                timings,
                lambda: conn.execute("REFRESH MATERIALIZED VIEW figures_case_facts"),
            )
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]

    total = time.perf_counter() - started
    print()
    print(f"National world at scale {args.scale}: {args.database_url.rsplit('/', 1)[-1]}, {size}")
    print(
        f"  patients {n_patients:,}, cases {n_cases:,}, tasks {n_tasks:,}, events {n_events:,}, "
        f"access log {n_log:,}"
    )
    for label, seconds in timings:
        print(f"  {label:<45} {seconds:8.1f} s")
    print(f"  {'total':<45} {total:8.1f} s ({total / 60:.1f} min) on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
