"""Every scale-and-speed benchmark in one run (not a test: it prints figures and asserts nothing).

    bench/run_all.sh [--scale 1.0] [--generate] [--duration 15]

1. Makes sure the national-scale database exists (``bench/generate_national.py``; at ``--scale`` below 1
   a separate small database is generated afresh each run, the national one only with ``--generate``)
   and migrates it.
2. In-process (Django, production settings): query counts of the case list at 25 and 100 rows (and of the
   plain baseline), the dashboard KPIs for a kommun, the largest region and the whole country, the rule
   proposal (load + engine) and PDF rendering of escalation notices from national data, and
   ``EXPLAIN (ANALYZE, BUFFERS)`` of the hot paths' SQL, written to ``bench/results/``.
3. Over HTTP: two gunicorns configured by ``deploy/gunicorn.conf.py`` with ``HEMSJUKVARD_ENV=production``
   on loopback (``bench.settings_bench``: one as in production plus the baseline endpoint, one with the
   access log turned off), driven by ``wrk`` (``bench/wrk_api.lua``): each pair of a ratio is measured
   in the same run, alternating, and every run is bounded in time and in requests.

Results: a table on stdout and ``bench/results/run-<scale>.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.suite.common import RESULTS, database_url, production_env, say  # noqa: E402
from bench.suite.http_load import load_benchmarks  # noqa: E402
from bench.suite.in_process import (  # noqa: E402
    Fixture,
    access_log_in_process,
    case_list_query_counts,
    dashboard_timings,
    ensure_database,
    kpi_refresh,
    kpi_timings,
    pdf_timings,
    proposal_timings,
)
from bench.suite.plans import hot_path_plans  # noqa: E402

# --- Main ------------------------------------------------------------------------------------------


def verdict(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def case_list_only(
    args: argparse.Namespace,
    fixture: Fixture,
    report: dict[str, Any],
    env: dict[str, str],
    duration: int,
    started: float,
) -> None:
    """The rest of a ``--case-list-only`` run: the case list's plans, its two HTTP benchmarks, a summary."""
    from django.db import connection

    RESULTS.mkdir(exist_ok=True)
    plans = RESULTS / f"plans-{args.scale}-case-list.txt"
    report["plans"] = hot_path_plans(fixture, plans, only=("case list (25, nurse, filtered)", "case detail"))
    say(f"query plans written to {plans}")
    connection.close()
    counts, in_process = report["query_counts"], report["access_log_in_process"]
    print()
    print(f"== Case list and access log at scale {args.scale} ({report['database']})")
    print(
        f"case list in-process: median {counts['real_median_ms']} ms, p95 {counts['real_p95_ms']} ms "
        f"(target p95 <= 100 ms): {verdict(counts['real_p95_ms'] <= 100)}"
    )
    print(
        f"access log cost in-process: {in_process['cost'] * 100:.1f} % (target <= 10 %): "
        f"{verdict(in_process['cost'] <= 0.10)}"
    )
    if not args.in_process_only:
        report["http"] = load_benchmarks(fixture, {}, env, duration, args.connections, case_list_only=True)
        http = report["http"]
        real, plain = http["case_list"]["case list API"], http["case_list"]["plain viewset"]
        on, off = (
            http["access_log"]["case list, access log on"],
            http["access_log"]["case list, access log off"],
        )
        ratio = real["rps"] / plain["rps"] if plain["rps"] else 0.0
        cost = 1 - on["rps"] / off["rps"] if off["rps"] else 0.0
        print(f"case list / plain viewset throughput: {ratio:.2f}x (target >= 2x): {verdict(ratio >= 2)}")
        p95 = real["p95_ms"]
        print(f"case list p95 over HTTP: {p95:.1f} ms (target <= 100 ms): {verdict(p95 <= 100)}")
        print(f"access log cost over HTTP: {cost * 100:.1f} % (target <= 10 %): {verdict(cost <= 0.10)}")
        report["summary"] = {"list_ratio": ratio, "list_p95_ms": real["p95_ms"], "log_cost": cost}
    out = RESULTS / f"run-{args.scale}-case-list{'-in-process' if args.in_process_only else ''}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"(details: {out}; {time.perf_counter() - started:.0f} s)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Scale and speed benchmarks (issue 9).")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--generate", action="store_true", help="re-generate the national database")
    parser.add_argument("--duration", type=int, default=0, help="seconds per load run (default 15, smoke 2)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--in-process-only", action="store_true", help="skip the HTTP load runs")
    parser.add_argument(
        "--case-list-only",
        action="store_true",
        help="only the case list and the access log on/off: in-process, their plans and (unless "
        "--in-process-only) their two HTTP benchmarks; migrates only the audit app",
    )
    args = parser.parse_args(argv)
    smoke = args.scale < 0.05
    duration = args.duration or (2 if smoke else 15)
    if not args.in_process_only and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    started = time.perf_counter()
    ensure_database(args.scale, generate=args.generate)
    url = database_url(args.scale)
    env = production_env(url)
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    # The partial run leaves other apps' migrations to a full run (they may be someone's work in progress).
    call_command(*(("migrate", "audit") if args.case_list_only else ("migrate",)), verbosity=0)
    # Pages are rendered with production's hashed static files: they need their manifest.
    call_command("collectstatic", "--noinput", verbosity=0)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE patients_patient")
    fixture = Fixture()
    say(
        f"{url.rsplit('/', 1)[-1]}: nurse {fixture.nurse.username} of {fixture.kommun.name} "
        f"({fixture.kommun_cases:,} cases), region {fixture.region.name}"
    )
    report: dict[str, Any] = {
        "scale": args.scale,
        "database": url.rsplit("/", 1)[-1],
        "at": datetime.datetime.now().isoformat(),
    }
    report["query_counts"] = case_list_query_counts(fixture)
    say(f"case list queries: {report['query_counts']}")
    report["access_log_in_process"] = access_log_in_process(
        fixture, rounds=2 if smoke else 4, requests=10 if smoke else 30
    )
    if args.case_list_only:
        case_list_only(args, fixture, report, env, duration, started)
        return
    report["kpis_refresh"] = kpi_refresh()
    report["kpis_in_process"] = kpi_timings(fixture, runs=3 if smoke else 5)
    report["dashboard_in_process"] = dashboard_timings(fixture, runs=3 if smoke else 10)
    proposal = proposal_timings(runs=30 if smoke else 300)
    from directory.authentication import token_issue
    from directory.models import Membership
    from patients.models import Enrolment

    # A nurse of the kommun where the proposal's patient is enrolled: anyone else's token answers 404.
    enrolling_kommun = Enrolment.objects.filter(
        patient__public_id=proposal["patient"], ends_on__isnull=True
    ).values_list("kommun_id", flat=True)[0]
    halland_nursing = (
        Membership.objects.filter(organisation_id=enrolling_kommun, role="nurse")
        .select_related("user")
        .order_by("pk")[0]
    )
    proposal["token"] = token_issue(user=halland_nursing.user, membership=halland_nursing)[0]
    report["proposal_in_process"] = {k: v for k, v in proposal.items() if k != "token"}
    report["pdf"] = pdf_timings(fixture, documents=3 if smoke else 10)
    RESULTS.mkdir(exist_ok=True)
    plans = RESULTS / f"plans-{args.scale}.txt"
    report["plans"] = hot_path_plans(fixture, plans)
    say(f"query plans written to {plans}")
    connection.close()
    if args.in_process_only:
        (RESULTS / f"run-{args.scale}-in-process.json").write_text(json.dumps(report, indent=2, default=str))
        return
    report["http"] = load_benchmarks(fixture, proposal, env, duration, args.connections)

    http = report["http"]
    real, plain = http["case_list"]["case list API"], http["case_list"]["plain viewset"]
    ratio = real["rps"] / plain["rps"] if plain["rps"] else 0.0
    log_on, log_off = (
        http["access_log"]["case list, access log on"],
        http["access_log"]["case list, access log off"],
    )
    cost = 1 - log_on["rps"] / log_off["rps"] if log_off["rps"] else 0.0
    counts = report["query_counts"]
    kpi = {**http["kpis"]}
    print()
    print(f"== Results at scale {args.scale} ({report['database']}), {time.perf_counter() - started:.0f} s")
    print(f"case list / plain viewset throughput: {ratio:.2f}x (target >= 2x): {verdict(ratio >= 2)}")
    print(f"case list p95: {real['p95_ms']:.1f} ms (target <= 100 ms): {verdict(real['p95_ms'] <= 100)}")
    same = counts["real_25"] == counts["real_100"]
    print(
        f"case list queries 25 rows / 100 rows: {counts['real_25']} / {counts['real_100']} (plain: "
        f"{counts['plain_25']} / {counts['plain_100']}): {verdict(same)}"
    )
    print(f"access log cost: {cost * 100:.1f} % of throughput (target <= 10 %): {verdict(cost <= 0.10)}")
    for label, row in kpi.items():
        if not row["requests"]:
            print(
                f"{label}: no response finished within a {duration} s run (target <= 1000 ms): MISSES target"
            )
            continue
        print(
            f"{label} p95 over HTTP: {row['p95_ms']:.0f} ms (target <= 1000 ms): "
            f"{verdict(row['p95_ms'] <= 1000)}"
        )
    refresh = report["kpis_refresh"]
    print(
        f"KPI snapshot refresh: {refresh['refresh_s']:.1f} s ({refresh['rows_written']:,} rows written), "
        f"country's key figures and regions' dashboards counted ahead in {refresh['count_ahead_s']:.1f} s"
    )
    for label, row in report["kpis_in_process"].items():
        if not isinstance(row, dict):
            continue
        print(
            f"KPIs {label} in-process, default period: first {row['first_ms']:.0f} ms, median "
            f"{row['median_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms; a new period: median "
            f"{row['new_period_median_ms']:.0f} ms, p95 {row['new_period_p95_ms']:.0f} ms "
            f"(target p95 <= 1000 ms): {verdict(max(row['p95_ms'], row['new_period_p95_ms']) <= 1000)}"
        )
    for label, row in report["dashboard_in_process"].items():
        print(
            f"Dashboard page {label} in-process, default period: first {row['first_ms']:.0f} ms, median "
            f"{row['median_ms']:.0f} ms, p95 {row['p95_ms']:.0f} ms (target <= 1000 ms): "
            f"{verdict(max(row['first_ms'], row['p95_ms']) <= 1000)}"
        )
    errors = sum(r["errors"] for group in http.values() for r in group.values())
    print(f"HTTP errors (non-2xx or socket) across all runs: {errors}")
    report["summary"] = {
        "list_ratio": ratio,
        "list_p95_ms": real["p95_ms"],
        "log_cost": cost,
        "errors": errors,
    }
    out = RESULTS / f"run-{args.scale}.json"
    out.write_text(json.dumps(report, indent=2, default=str))
    print(f"(details: {out})")


if __name__ == "__main__":
    main()
