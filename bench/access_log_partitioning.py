"""The access log before and after partitioning by month (audit migration 0007), in one run.

    .venv/bin/python bench/access_log_partitioning.py [--scale 0.3] [--database-url URL] [--generate]
                                                      [--runs 7] [--inserts 50]

1. A national world (``bench/generate_national.py --unpartitioned``: the log as one table, migration
   0006), generated with ``--generate`` or used as it is.
2. Measured: the 25-row INSERT of a case list (in a transaction rolled back), the review's queries for the
   busiest kommun's MAS (count, the newest 50, unusual volume; 7 and 92 days, JIT off as the review
   runs them), one entry by id (the entry review), a patient's extract (its last entry and its rows),
   and the sizes.
3. Migration 0007 converts the table (timed), then VACUUM ANALYZE.
4. The same measurements again. Results in ``bench/results/partitioning-<scale>.json`` and the plans
   in ``bench/results/partitioning-plans-<scale>.txt``. A benchmark: it prints figures and asserts
   nothing.

``--review-period`` measures instead, on a log already partitioned, the review and the extract as they
were (the kommun's patients and staff as subqueries, built again for every month's partition; the
extract and the entry review by id alone, probing every month) against as they are (the care
provider's organisations and staff as lists computed once; the extract from the patient's registration,
the entry review on the entry's day), in the order before, after, after, before — and between them the
old definition with its sets computed once as lists (``before_as_lists``). Results in
``bench/results/review-period-<scale>.json`` and ``review-period-plans-<scale>.txt``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = Path(os.environ.get("BENCH_RESULTS_DIR") or ROOT / "bench" / "results")


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def timed(work: Callable[[], object], runs: int) -> dict[str, float]:
    """Median and spread (ms) of ``runs`` runs after one warm-up."""
    work()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "min_ms": round(samples[0], 2),
        "max_ms": round(samples[-1], 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
    }


def _old_insert_sql() -> str:
    """The INSERT of ``audit.services.access_log_record`` before migration 0007: ``at`` as an array."""
    from django.db import connection

    from audit.models import AccessLogEntry
    from audit.services import _COLUMNS

    fields = sorted(
        (field for field in AccessLogEntry._meta.concrete_fields if field.name in _COLUMNS),
        key=lambda field: _COLUMNS.index(field.name),
    )
    columns = ", ".join(f'"{field.column}"' for field in fields)
    arrays = ", ".join(f"%s::{str(field.db_type(connection)).split('(')[0]}[]" for field in fields)
    return f"INSERT INTO audit_accesslogentry ({columns}) SELECT * FROM UNNEST({arrays})"  # noqa: S608


def measure(*, label: str, partitioned: bool, runs: int, inserts: int, plans: list[str]) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from audit.models import AccessLogEntry, Outcome
    from audit.providers import provider_entries_q, provider_scope
    from audit.review import review_queries, unusual_volume
    from audit.services import _insert_sql
    from directory.models import Organisation

    results: dict[str, Any] = {"label": label}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sum(pg_total_relation_size(relid)), sum(pg_relation_size(relid)), count(*) FROM ("
            "SELECT 'audit_accesslogentry'::regclass AS relid WHERE NOT EXISTS (SELECT FROM pg_inherits "
            "WHERE inhparent = 'audit_accesslogentry'::regclass) "
            "UNION ALL SELECT inhrelid FROM pg_inherits WHERE inhparent = 'audit_accesslogentry'::regclass) t"
        )
        total, heap, tables = cursor.fetchone()
        cursor.execute("SELECT count(*), min(at), max(at) FROM audit_accesslogentry")
        rows, oldest, newest = cursor.fetchone()
        # The busiest kommun of the last week, a patient read yesterday and an entry of last month.
        cursor.execute(
            "SELECT o.id, o.name FROM directory_organisation o WHERE o.kind = 'kommun' ORDER BY ("
            "SELECT count(*) FROM audit_accesslogentry e WHERE e.organisation_id = o.id "
            "AND e.at >= %s - interval '7 days') DESC LIMIT 1",
            [newest],
        )
        kommun_id, kommun_name = cursor.fetchone()
        cursor.execute(
            "SELECT patient_id FROM audit_accesslogentry WHERE at >= %s - interval '1 day' "
            "AND patient_id IS NOT NULL ORDER BY at LIMIT 1",
            [newest],
        )
        (patient_id,) = cursor.fetchone()
        cursor.execute(
            "SELECT id FROM audit_accesslogentry WHERE at >= %s - interval '30 days' ORDER BY at LIMIT 1",
            [newest],
        )
        (entry_id,) = cursor.fetchone()
        cursor.execute("SELECT id, user_id FROM audit_accesslogentry WHERE user_id IS NOT NULL LIMIT 1")
        _id, user_id = cursor.fetchone()
        cursor.execute(
            "SELECT id FROM patients_patient WHERE folkbokforing_kommun_id = %s ORDER BY id LIMIT 25",
            [kommun_id],
        )
        patient_ids = [row[0] for row in cursor.fetchall()]
    results.update(
        rows=rows,
        oldest=oldest.isoformat(),
        newest=newest.isoformat(),
        tables=tables,
        size_total_mb=round(total / 2**20),
        size_heap_mb=round(heap / 2**20),
        kommun=kommun_name,
    )
    say(f"{label}: {rows:,} rows in {tables} table(s), {total / 2**30:.2f} GB; kommun {kommun_name}")

    # The INSERT of a case list: 25 rows, rolled back.
    count = len(patient_ids)
    arrays: list[Any] = [
        [user_id] * count,
        ["Bench (bench)"] * count,
        [""] * count,
        ["nurse"] * count,
        [kommun_id] * count,
        [kommun_name] * count,
        patient_ids,
        ["case"] * count,
        [str(index) for index in range(count)],
        ["list"] * count,
        ["granted"] * count,
        ["care_relationship"] * count,
        [""] * count,
        ["127.0.0.1"] * count,
    ]
    sql = _insert_sql() if partitioned else _old_insert_sql()

    def insert() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            now = timezone.now()
            cursor.execute(sql, [now, *arrays] if partitioned else [[now] * count, *arrays])
            transaction.set_rollback(True)

    results["insert_25_rows"] = timed(insert, inserts)

    end = newest
    for days in (7, 92):
        entries = AccessLogEntry.objects.filter(
            provider_entries_q(provider_scope(Organisation.objects.get(pk=kommun_id))),
            at__gte=end - datetime.timedelta(days=days),
            at__lt=end,
        )

        def count_(entries: Any = entries) -> object:
            with review_queries():
                return entries.count()

        def page(entries: Any = entries) -> object:
            with review_queries():
                return list(entries.order_by("-at", "-id")[:50])

        def volume(entries: Any = entries) -> object:
            with review_queries():
                return unusual_volume(entries=entries)

        results[f"review_count_{days}d"] = timed(count_, runs)
        results[f"review_page_{days}d"] = timed(page, runs)
        results[f"review_unusual_volume_{days}d"] = timed(volume, max(3, runs // 2))
        if days == 7:
            with review_queries(), connection.cursor() as cursor:
                query, params = entries.values("id").query.sql_with_params()
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({query}) q", params)  # noqa: S608
                plans.append(
                    f"--- {label}: review count, 7 days\n" + "\n".join(r[0] for r in cursor.fetchall())
                )
    results["review_entry_by_id"] = timed(
        lambda: AccessLogEntry.objects.filter(pk=entry_id).first(), runs * 3
    )
    of_patient = AccessLogEntry.objects.filter(patient_id=patient_id)
    results["extract_last_entry"] = timed(lambda: of_patient.aggregate(last=Max("pk")), runs * 3)
    rows_query = of_patient.filter(outcome=Outcome.GRANTED).only(
        "at", "organisation_label", "role", "record_type", "action", "purpose"
    )
    results["extract_rows"] = timed(lambda: list(rows_query.order_by("at", "pk")), runs * 3)
    results["extract_row_count"] = rows_query.count()
    with connection.cursor() as cursor:
        query, params = rows_query.order_by("at", "pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
        plans.append(f"--- {label}: extract rows\n" + "\n".join(r[0] for r in cursor.fetchall()))
    for key, value in results.items():
        if isinstance(value, dict):
            spread = f"(min {value['min_ms']}, max {value['max_ms']})"
            say(f"  {key:<32} median {value['median_ms']:9.2f} ms  {spread}")
    return results


def _kommun_entries_q_before(kommun_id: int, *, as_lists: bool = False) -> Any:
    """The review's definition before each care provider reviewed its own staff: the kommun's
    patients (folkbokförda, enrolled) and its staff as subqueries, which PostgreSQL builds once for
    every partition it scans; ``as_lists``: the same sets computed once, as lists of ids (the same
    definition, to tell the cost of the subqueries from that of the definition)."""
    from django.db.models import Exists, OuterRef, Q

    from directory.models import Membership
    from patients.models import Enrolment, Patient

    staff_on_the_day = Membership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=kommun_id, valid_from__lte=OuterRef("at")
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("at") - datetime.timedelta(days=1)))
    staff_ever = Membership.objects.filter(organisation_id=kommun_id).values("user_id")
    folkbokforda = Patient.objects.filter(folkbokforing_kommun_id=kommun_id).values("pk")
    enrolled = Enrolment.objects.filter(kommun_id=kommun_id).values("patient_id")
    if as_lists:
        return (
            Q(organisation_id=kommun_id)
            | Q(patient_id__id_in=list(folkbokforda.values_list("pk", flat=True)))
            | Q(patient_id__id_in=list(enrolled.values_list("patient_id", flat=True)))
            | (
                Q(user_id__id_in=list(staff_ever.values_list("user_id", flat=True)))
                & Q(Exists(staff_on_the_day))
            )
        )
    return (
        Q(organisation_id=kommun_id)
        | Q(patient_id__in=folkbokforda)
        | Q(patient_id__in=enrolled)
        | (Q(user_id__in=staff_ever) & Q(Exists(staff_on_the_day)))
    )


def _explain(queryset: Any, *, count: bool = False) -> str:
    from django.db import connection

    from audit.review import review_queries

    with review_queries(), connection.cursor() as cursor:
        query, params = queryset.query.sql_with_params()
        if count:
            query = f"SELECT count(*) FROM ({query}) q"  # noqa: S608
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {query}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def measure_review_period(*, variant: str, runs: int, plans: list[str]) -> dict[str, Any]:
    """The review's and the extract's queries as they were (``before``) or are (``after``)."""
    from django.db import connection
    from django.db.models import Max
    from django.utils import timezone

    from audit.extract import extract_period
    from audit.models import AccessLogEntry, Outcome
    from audit.providers import provider_entries_q, provider_scope
    from audit.review import entry_day, review_queries, unusual_volume
    from directory.models import Organisation
    from patients.models import Patient

    with connection.cursor() as cursor:
        cursor.execute("SELECT max(at), count(*) FROM audit_accesslogentry")
        newest, rows = cursor.fetchone()
        cursor.execute(
            "SELECT o.id FROM directory_organisation o WHERE o.kind = 'kommun' ORDER BY ("
            "SELECT count(*) FROM audit_accesslogentry e WHERE e.organisation_id = o.id "
            "AND e.at >= %s - interval '7 days') DESC LIMIT 1",
            [newest],
        )
        (kommun_id,) = cursor.fetchone()
        cursor.execute(
            "SELECT patient_id FROM audit_accesslogentry WHERE at >= %s - interval '1 day' "
            "AND patient_id IS NOT NULL ORDER BY at LIMIT 1",
            [newest],
        )
        (patient_id,) = cursor.fetchone()
        cursor.execute(
            "SELECT id, at FROM audit_accesslogentry WHERE at >= %s - interval '30 days' ORDER BY at LIMIT 1",
            [newest],
        )
        entry_id, entry_at = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'audit_accesslogentry'::regclass")
        (tables,) = cursor.fetchone()
    kommun = Organisation.objects.get(pk=kommun_id)
    results: dict[str, Any] = {"variant": variant, "rows": rows, "partitions": tables, "kommun": kommun.name}
    say(f"{variant}: {rows:,} rows in {tables} partitions; kommun {kommun.name}")
    for days in (7, 92):

        def entries(days: int = days) -> Any:
            # What the review builds per request: in ``after`` the provider's lists are computed here.
            if variant in ("before", "before_as_lists"):
                condition = _kommun_entries_q_before(kommun_id, as_lists=variant == "before_as_lists")
            else:
                condition = provider_entries_q(provider_scope(kommun))
            return AccessLogEntry.objects.filter(
                condition, at__gte=newest - datetime.timedelta(days=days), at__lt=newest
            )

        def count_(entries: Any = entries) -> object:
            with review_queries():
                return entries().count()

        def page(entries: Any = entries) -> object:
            with review_queries():
                return list(entries().order_by("-at", "-id")[:50])

        def volume(entries: Any = entries) -> object:
            with review_queries():
                return unusual_volume(entries=entries())

        results[f"review_count_{days}d"] = timed(count_, runs)
        results[f"review_page_{days}d"] = timed(page, runs)
        results[f"review_unusual_volume_{days}d"] = timed(volume, max(3, runs // 2))
        results[f"review_rows_{days}d"] = entries().count()
        if days == 7:
            plans.append(f"--- {variant}: review count, 7 days\n" + _explain(entries(), count=True))
    by_id = AccessLogEntry.objects.filter(pk=entry_id)
    if variant != "before":
        day = entry_day(entry_at.isoformat())
        assert day is not None
        by_id = by_id.filter(at__gte=day[0], at__lt=day[1])
    results["review_entry_by_id"] = timed(lambda: by_id.first(), runs * 3)
    plans.append(f"--- {variant}: entry by id\n" + _explain(by_id))
    of_patient = AccessLogEntry.objects.filter(patient_id=patient_id)
    if variant != "before":
        start, end = extract_period(Patient.objects.get(pk=patient_id), timezone.now())
        of_patient = of_patient.filter(at__gte=start, at__lt=end)
    results["extract_last_entry"] = timed(lambda: of_patient.aggregate(last=Max("pk")), runs * 3)
    rows_query = (
        of_patient.filter(outcome=Outcome.GRANTED)
        .only("at", "organisation_label", "role", "record_type", "action", "purpose")
        .order_by("at", "pk")
    )
    results["extract_rows"] = timed(lambda: list(rows_query.all()), runs * 3)
    results["extract_row_count"] = rows_query.count()
    plans.append(f"--- {variant}: extract rows\n" + _explain(rows_query))
    for key, value in results.items():
        if isinstance(value, dict):
            spread = f"(min {value['min_ms']}, max {value['max_ms']})"
            say(f"  {key:<32} median {value['median_ms']:9.2f} ms  {spread}")
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.3, help="1.0 = 20 M log rows over three years")
    parser.add_argument(
        "--log-scale",
        type=float,
        default=None,
        help="the log's own scale (3.0 = 20 M a year for three years)",
    )
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/hsv_partitioning")
    parser.add_argument("--generate", action="store_true", help="generate the world first (unpartitioned)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--inserts", type=int, default=50)
    parser.add_argument(
        "--measure-only",
        action="store_true",
        help="measure the log as it is (partitioned or not) and add the figures to "
        "partitioning-<scale>-repeats.json: repeats in the other order tell drift in the machine's load "
        "from the difference (migrate audit 0006 turns the log back into one table)",
    )
    parser.add_argument(
        "--review-period",
        action="store_true",
        help="on a partitioned log: the review and extract as they were against as they are, in the "
        "order before, after, after, before (bench/README.md)",
    )
    args = parser.parse_args(argv)
    # The results' name: the world's scale, and the log's where it has its own.
    tag = str(args.scale) if args.log_scale is None else f"{args.scale}-log{args.log_scale}"
    if args.generate:
        generator = [sys.executable, str(ROOT / "bench" / "generate_national.py"), "--scale", str(args.scale)]
        if args.log_scale is not None:
            generator += ["--log-scale", str(args.log_scale)]
        subprocess.run(  # noqa: S603
            [*generator, "--reset", "--unpartitioned", "--database-url", args.database_url],
            check=True,
        )
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("HEMSJUKVARD_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemsjukvard.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from audit import partitions

    if args.review_period:
        if not partitions.is_partitioned():
            raise SystemExit("The access log is not partitioned: generate the world without --unpartitioned.")
        period_plans: list[str] = []
        measured = []
        for variant in ("before", "before_as_lists", "after", "after", "before_as_lists", "before"):
            figures = measure_review_period(variant=variant, runs=args.runs, plans=period_plans)
            figures["measured_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            figures["load_average"] = os.getloadavg()
            measured.append(figures)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"review-period-{tag}.json").write_text(json.dumps(measured, indent=2, default=str) + "\n")
        (RESULTS / f"review-period-plans-{tag}.txt").write_text("\n\n".join(period_plans) + "\n")
        say(f"results in {RESULTS / f'review-period-{tag}.json'}")
        return
    if args.measure_only:
        partitioned = partitions.is_partitioned()
        label = "after" if partitioned else "before"
        figures = measure(
            label=label, partitioned=partitioned, runs=args.runs, inserts=args.inserts, plans=[]
        )
        figures["measured_at"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        figures["load_average"] = os.getloadavg()
        path = RESULTS / f"partitioning-{tag}-repeats.json"
        repeats = json.loads(path.read_text()) if path.exists() else []
        path.write_text(json.dumps([*repeats, figures], indent=2, default=str) + "\n")
        return
    if partitions.is_partitioned():
        raise SystemExit("The access log is already partitioned: generate the world with --unpartitioned.")
    plans: list[str] = []
    before = measure(label="before", partitioned=False, runs=args.runs, inserts=args.inserts, plans=plans)
    say("converting: migrate audit 0007")
    started = time.perf_counter()
    call_command("migrate", "audit", "0007", verbosity=0)
    converted = time.perf_counter() - started
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) audit_accesslogentry")
    vacuumed = time.perf_counter() - started
    say(f"converted in {converted:.1f} s, VACUUM ANALYZE {vacuumed:.1f} s")
    after = measure(label="after", partitioned=True, runs=args.runs, inserts=args.inserts, plans=plans)
    ratios = {
        key: round(after[key]["median_ms"] / before[key]["median_ms"], 2)
        for key, value in before.items()
        if isinstance(value, dict) and before[key]["median_ms"]
    }
    for key, ratio in ratios.items():
        say(f"  after / before {key:<32} {ratio:5.2f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    result = {
        "scale": args.scale,
        "log_scale": args.log_scale,
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
        "convert_s": round(converted, 1),
        "vacuum_analyze_s": round(vacuumed, 1),
        "before": before,
        "after": after,
        "after_over_before": ratios,
    }
    (RESULTS / f"partitioning-{tag}.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    (RESULTS / f"partitioning-plans-{tag}.txt").write_text("\n\n".join(plans) + "\n")
    say(f"results in {RESULTS / f'partitioning-{tag}.json'}")


if __name__ == "__main__":
    main()
