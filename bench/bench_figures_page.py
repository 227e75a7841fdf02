"""The figures page at demo scale: its size and the server's time, counted live and from the snapshot.

Builds (or reuses) the demo world in its own database, then asks for ``/figures/`` in-process through
Django's test client, as a kommun's nurse (her kommun) and as a governance member (the whole region):
the time is the server's whole answer (view, queries, template), without network. Prints the figures;
asserts nothing (``tests/figures/test_story.py`` holds the page-size bound).

    .venv/bin/python bench/bench_figures_page.py                      # SQLite in /tmp
    .venv/bin/python bench/bench_figures_page.py --database-url postgres://postgres@127.0.0.1:5432/hsv_demo
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/hs_figures_bench.sqlite3")
    parser.add_argument("--repeat", type=int, default=7)
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
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    from directory.models import Membership, Role

    setup_test_environment()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)

    def measure(username: str, label: str) -> None:
        from django.contrib.auth import get_user_model

        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(username=username))
        times, size = [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get("/figures/")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
            size = len(response.content)
        print(
            f"  {label:<32} {size / 1024:6.1f} KB   first {times[0]:6.0f} ms   "
            f"median of the rest {statistics.median(times[1:]):6.0f} ms"
        )

    nurse = Membership.objects.filter(role=Role.NURSE, organisation__kind="kommun").order_by("pk").first()
    governance = Membership.objects.filter(role=Role.GOVERNANCE).order_by("pk").first()
    assert nurse is not None
    assert governance is not None
    users = [(nurse.user.username, "kommun (nurse)"), (governance.user.username, "region (governance)")]
    print("figures page, counted live:")
    for username, label in users:
        measure(username, label)
    call_command("refresh_figures", verbosity=0)
    print("figures page, from the snapshot:")
    for username, label in users:
        measure(username, label)


if __name__ == "__main__":
    main()
