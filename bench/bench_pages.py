"""Every page's server time at demo scale, as each role opens it: median and p95, and the page's size.

Builds the demo world in its own database (SQLite in /tmp by default, or the database given), then asks
for each page in-process through Django's test client, signed in as the demo user who works there: the
time is the server's whole answer (view, queries, access log, template), without network. The figures
page is measured from its snapshot, as the worker keeps it. Prints the figures; asserts nothing.

    .venv/bin/python bench/bench_pages.py                     # SQLite in /tmp, 15 requests a page
    .venv/bin/python bench/bench_pages.py --database-url postgres://postgres@127.0.0.1:5432/hsv_pages
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/hs_pages_bench.sqlite3")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true", help="keep the demo world already in the database")
    args = parser.parse_args()
    if "/test" in args.database_url.rsplit("/", 1)[-1][:5]:
        raise SystemExit("refusing a test database")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("HEMSJUKVARD_ENV", "development")
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemsjukvard.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from cases.models import CaseStatus, ResponsibilityCase
    from sip.models import Sip

    setup_test_environment()
    call_command("migrate", verbosity=0)
    if not args.reuse:
        call_command("seed_demo", verbosity=0)
    call_command("refresh_figures", verbosity=0)

    case = (
        ResponsibilityCase.objects.filter(kommun__name="Varbergs kommun", status=CaseStatus.ACTIVE)
        .order_by("pk")
        .first()
    )
    sip = Sip.objects.filter(patient__folkbokforing_kommun__name="Varbergs kommun").order_by("pk").first()
    if case is None or sip is None:
        raise SystemExit("the demo world has no active Varberg case or SIP")
    patient = case.patient.public_id
    # (role as the demo names it, username, page)
    pages: list[tuple[str, str, str]] = [
        ("nurse", "nurse.varberg", "/"),
        ("nurse", "nurse.varberg", "/inbox/"),
        ("nurse", "nurse.varberg", "/patients/"),
        ("nurse", "nurse.varberg", f"/patients/{patient}/"),
        ("nurse", "nurse.varberg", f"/patients/{patient}/overview/"),
        ("nurse", "nurse.varberg", f"/cases/{case.public_id}/"),
        ("nurse", "nurse.varberg", f"/cases/new/{patient}/"),
        ("nurse", "nurse.varberg", f"/sip/{sip.public_id}/"),
        ("nurse", "nurse.varberg", "/competence/"),
        ("mas", "mas.varberg", "/access-log/"),
        ("coordinator", "coordinator.varberg", "/cases/search/?q=HSV"),
        ("coordinator", "coordinator.varberg", "/teams/"),
        ("coordinator", "coordinator.varberg", "/figures/"),
    ]
    users = get_user_model().objects
    engine = args.database_url.split(":")[0]
    print(f"Server time per page, {args.repeat} requests each after a warm-up ({engine}):")
    print(f"  {'role':<12} {'page':<58} {'KB':>6} {'median':>8} {'p95':>8}")
    for role, username, path in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        user = users.filter(username=username).first()
        if user is None:
            print(f"  {role:<12} {path:<58}  (no demo user {username})")
            continue
        client.force_login(user)
        answer: Any = client.get(path)  # warm-up: template and query caches, as a running server has them
        times: list[float] = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            answer = client.get(path)
            times.append((time.perf_counter() - started) * 1000)
        if answer.status_code != 200:
            print(f"  {role:<12} {path:<58}  answered {answer.status_code}")
            continue
        shown = path if len(path) <= 58 else path[:55] + "…"
        print(
            f"  {role:<12} {shown:<58} {len(answer.content) / 1024:6.1f} "
            f"{statistics.median(times):6.0f} ms {_p95(times):6.0f} ms"
        )


if __name__ == "__main__":
    main()
