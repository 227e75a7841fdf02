"""Every demo role on a fresh quick-start database: each page the navigation and My work link to answers
without a server error.

The world is the one ``bin/demo`` builds (``manage.py seed_demo`` with its defaults: 4,100 patients and
150 cases in every state, background work run in the process), seeded into the test database. Then each
demo user signs in once per membership, as after choosing that role, opens My work and follows every
link on it (the navigation's too), one level deep, with GET only.

The suite runs on PostgreSQL and the quick start on SQLite, so the same test runs again in a subprocess
on SQLite with the quick start's settings (``HEMSJUKVARD_ENV=development``). There it walks as one
membership of each role in each kind of organisation: a query SQLite cannot run fails for all of them
alike, and the walk as every membership takes minutes (the figures page draws its charts anew for
each person).
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import pytest
from django.core.management import call_command
from django.db import connection

from directory.models import Membership
from tests.fixtures.clients import signed_in

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

# Set by the SQLite run below: walk as one membership of each role in each kind of organisation (a
# query SQLite cannot run fails for all of them alike), not as every one of them.
ONE_OF_EACH = os.environ.get("DEMO_WALK_ONE_OF_EACH") == "1"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith(("//", "/static/")):
            self.found.add(urldefrag(href).url)


def links_on(html: str) -> set[str]:
    """The site's own pages a page links to."""
    parser = _Links()
    parser.feed(html)
    return parser.found


# Pages reached through a form rather than a link: the patient list searched (accents and all) and
# filtered, and the case search of coordinators, MAS and MAR (403 for others, never a 500).
FORM_PAGES = (
    "/patients/?q=m%C3%A4rta&housing=special_housing&enrolled=yes&open_case=yes",
    "/patients/?q=19400312-0000",
    "/cases/search/?q=and&status=in_review",
)


def walk_as(membership: Membership) -> tuple[int, list[str]]:
    """My work and every page it links to, as ``membership``: how many pages, and the server errors."""
    who = f"{membership.user.username} as {membership.role} in {membership.organisation.name}"
    client = signed_in(membership.user, membership)
    home = client.get("/")
    if home.status_code != 200:
        return 1, [f"{who}: My work answered {home.status_code}"]
    errors = []
    pages = sorted(links_on(home.content.decode()) - {"/"}) + list(FORM_PAGES)
    for page in pages:
        try:
            response = client.get(page, follow=True)
        except Exception as error:
            errors.append(f"{who}: GET {page} raised {error!r}")
            continue
        if response.status_code >= 500:
            errors.append(f"{who}: GET {page} answered {response.status_code}")
    # My work narrowed and sorted as a person may keep it (the ranks of the sort).
    client.post(
        "/my-work/filters/", {"urgent": "on", "overdue": "on", "status": "in_review", "sort": "urgent"}
    )
    narrowed = client.get("/")
    if narrowed.status_code != 200:
        errors.append(f"{who}: My work, filtered, answered {narrowed.status_code}")
    return 2 + len(pages), errors


@pytest.mark.django_db
def test_every_page_as_every_demo_role(
    eager_celery: None, django_capture_on_commit_callbacks: Any, own_rate_limit_counters: None
) -> None:
    # As bin/demo: the demo world with its defaults, and the work it queues done in the process.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    memberships = list(
        Membership.objects.active().select_related("user", "organisation").order_by("user__username", "pk")
    )
    assert len(memberships) > 100
    if ONE_OF_EACH:
        kinds = {(m.role, m.organisation.kind): m for m in reversed(memberships)}
        memberships = sorted(kinds.values(), key=lambda m: (m.user.username, m.pk))
    visited, errors = 0, []
    for membership in memberships:
        pages, found = walk_as(membership)
        visited += pages
        errors += found
    assert not errors, "\n".join(errors)
    assert visited > 3 * len(memberships), "My work links to almost nothing: the walk proves little"


def test_every_page_as_every_demo_role_on_sqlite(tmp_path: Path) -> None:
    if connection.vendor == "sqlite":
        pytest.skip("the suite itself runs on SQLite: the test above is this one")
    env = {
        **os.environ,
        "HEMSJUKVARD_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DEMO_WALK_ONE_OF_EACH": "1",
    }
    env.pop("CACHE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "--tb=short",
            "--show-capture=no",
            f"{Path(__file__).relative_to(ROOT)}::test_every_page_as_every_demo_role",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, f"{done.stdout[-6000:]}\n{done.stderr[-3000:]}"
    assert "1 passed" in done.stdout, done.stdout[-3000:]
