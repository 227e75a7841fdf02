"""Keeping in step with ``updated_since`` and ``after_id``: lists ordered by ``(updated_at, id)``, paged by
the last record seen, while records change between the pages.

A client sends ``updated_since`` and ``after_id`` from the last record of each page. Every record must
come exactly once per change: never skipped (a gap), never twice with the same ``updated_at`` (a
repeat); a record changed after it was seen comes again with its new ``updated_at``; and at the end the
client has every record as it now is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Count
from django.utils import timezone

from cases.models import CaseStatus, Notification, ResponsibilityCase
from directory.models import User
from tests.fixtures.cases import CaseDriver

pytestmark = pytest.mark.django_db

PAGE = 2


def sync(
    client: Any, path: str, since: datetime.datetime, between: Callable[[int], None]
) -> list[tuple[str, str]]:
    """Page through ``path`` from ``since`` by the last record seen; ``between(n)`` runs after page n."""
    seen: list[tuple[str, str]] = []
    query: dict[str, Any] = {"updated_since": since.isoformat(), "page_size": PAGE, "unread": "false"}
    for page in range(50):
        answer = client.get(path, query)
        assert answer.status_code == 200, answer.content
        results = answer.json()["results"]
        stamps = [(r["updated_at"], r["id"]) for r in results]
        assert stamps == sorted(stamps, key=lambda s: (datetime.datetime.fromisoformat(s[0]), s[1]))
        seen += [(r["id"], r["updated_at"]) for r in results]
        if not results:
            return seen
        query = {**query, "updated_since": results[-1]["updated_at"], "after_id": results[-1]["id"]}
        between(page)
    raise AssertionError("the sync did not end")


def _check(seen: list[tuple[str, str]], now: dict[str, str]) -> None:
    assert len(seen) == len(set(seen)), "a record came twice with the same updated_at"
    last = {}
    for record_id, stamp in seen:
        last[record_id] = stamp
    assert set(last) == set(now), "a record was never listed"
    assert last == now, "a record's last listing is not how it now is"


def _stamp(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def test_cases_are_synced_without_gaps_or_repeats_while_they_change(world, halland, api):
    drive = CaseDriver(world)
    since = timezone.now()
    cases = [drive.open() for _ in range(7)]
    client = api(world.users["nurse_a"])

    def change(page: int) -> None:
        # After the first page: one case already seen and one not yet seen change.
        if page == 0:
            drive.submit(cases[0])
            drive.submit(cases[5])

    seen = sync(client, "/api/v1/cases", since, change)
    now = {
        str(c.public_id): c.updated_at
        for c in ResponsibilityCase.objects.filter(pk__in=[c.pk for c in cases])
    }
    listed = {record_id for record_id, _stamp in seen}
    assert listed == set(now)
    assert sum(1 for record_id, _ in seen if record_id == str(cases[0].public_id)) == 2
    assert sum(1 for record_id, _ in seen if record_id == str(cases[5].public_id)) == 1
    _check(
        [(i, datetime.datetime.fromisoformat(s).isoformat()) for i, s in seen],
        {i: datetime.datetime.fromisoformat(_stamp(m)).isoformat() for i, m in now.items()},
    )


def test_notifications_are_synced_without_gaps_or_repeats_while_they_change(world, halland, api):
    drive = CaseDriver(world)
    since = timezone.now()
    for _ in range(4):
        drive.submit(drive.open())
    # Whoever the submissions told most often.
    busiest = Notification.objects.values("user").annotate(n=Count("pk")).order_by("-n", "user")[0]
    reader = User.objects.get(pk=busiest["user"])
    notices = list(Notification.objects.filter(user=reader).order_by("pk"))
    assert len(notices) >= 4
    client = api(reader)

    def change(page: int) -> None:
        if page == 0:
            client.post(f"/api/v1/notifications/{notices[0].public_id}/read")  # seen: comes again
            drive.submit(drive.open())  # a new one, after everything seen

    seen = sync(client, "/api/v1/notifications", since, change)
    now = {
        str(n.public_id): datetime.datetime.fromisoformat(_stamp(n.updated_at)).isoformat()
        for n in Notification.objects.filter(user=reader)
    }
    _check([(i, datetime.datetime.fromisoformat(s).isoformat()) for i, s in seen], now)


def test_after_id_needs_updated_since(world, api):
    answer = api(world.users["nurse_a"]).get(
        "/api/v1/cases", {"after_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
    )
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"after_id"}


def test_a_task_review_and_a_risk_analysis_relist_their_case(world, halland, api):
    """Tasks and risk analyses are parts of their case: each change of one moves the case's
    ``updated_at`` (and ETag), so a client syncing cases is told, and reads the parts again."""
    drive = CaseDriver(world)
    reviewed = drive.submit(drive.open())
    analysed = drive.to(CaseStatus.RISK_ANALYSIS)
    untouched = drive.submit(drive.open())
    client = api(world.users["nurse_a"])
    since = timezone.now()
    assert sync(client, "/api/v1/cases", since, lambda page: None) == []

    drive.accept(reviewed)
    drive.analyse(analysed)
    seen = {record_id for record_id, _stamp in sync(client, "/api/v1/cases", since, lambda page: None)}
    assert seen == {str(reviewed.public_id), str(analysed.public_id)}
    assert str(untouched.public_id) not in seen
    tasks = client.get(f"/api/v1/cases/{reviewed.public_id}/tasks").json()
    assert tasks
    assert {t["review_state"] for t in tasks} == {"accepted"}
    analyses = client.get(f"/api/v1/cases/{analysed.public_id}/risk-analyses").json()
    assert len(analyses) == 1
