"""A small size of bench/load_mixed.py for CI: 10 nurses, GPs and MAS for 5 seconds against gunicorn,
no errors. (The 50-user, 60-second run against the seeded demo world is ``bench/load_mixed.py``.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.load_mixed import run_load
from cases.models import CaseStatus
from directory.authentication import token_issue

from .conftest import Server, start_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def gunicorn(tmp_path: Path, transactional_db: None) -> Iterator[Server]:
    # The per-user rate limit would answer a load test with 429s; everything else as configured.
    with start_gunicorn(tmp_path, workers=2, threads=2, API_RATE_LIMIT_USER="1000000/min") as server:
        yield server


def test_ten_users_for_five_seconds_without_an_error(gunicorn: Server, world, halland, case_in) -> None:
    for status in (
        CaseStatus.DRAFT,
        CaseStatus.IN_REVIEW,
        CaseStatus.ESCALATED,
        CaseStatus.AWAITING_APPROVAL,
    ):
        case_in(status)
    tokens = {role: [token_issue(user=world.users[f"{role}_a"])[0]] for role in ("nurse", "gp", "mas")}
    run_load(base_url=gunicorn.url, tokens=tokens, users=4, duration=1)  # warm the workers up
    report = run_load(base_url=gunicorn.url, tokens=tokens, users=10, duration=5)
    print(report.table())
    assert report.error_count == 0, report.errors
    assert report.latencies["read timeline"], "every kind of request was made"
    assert report.requests >= 20
