"""Escalation climbs one level per decision, however many requests race.

The attack: twenty parallel ``escalate`` requests with ``If-Match: *`` took a case up two levels of the
ladder. Now a transition refuses ``*`` (428), and an escalation is idempotent per level: a request for
the level the case already stands at answers the case as it is and moves nothing. The requests run in
threads, each with its own PostgreSQL connection, through the whole API stack.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import CaseEvent, EventKind, ResponsibilityCase
from tests.fixtures.cases import etag

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 20


def _race(clients: list[APIClient], send: Callable[[APIClient], Any]) -> list[Any]:
    barrier = threading.Barrier(len(clients))
    responses: list[Any] = [None] * len(clients)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = send(clients[index])
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return responses


def _escalations(case: ResponsibilityCase) -> int:
    return CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).count()


@pytest.fixture
def coordinators(world: Any, api: Callable[..., APIClient]) -> list[APIClient]:
    return [api(world.users["coordinator_a"]) for _ in range(PARALLEL)]


def test_if_match_star_is_refused_on_a_transition(world, halland, case_in, coordinators):
    case = case_in("disputed")
    version = ResponsibilityCase.objects.get(pk=case.pk).version
    url = f"/api/v1/cases/{case.public_id}/escalate"
    responses = _race(
        coordinators, lambda c: c.post(url, {"reason": "Oenighet."}, format="json", HTTP_IF_MATCH="*")
    )
    assert {r.status_code for r in responses} == {428}
    assert {r.json()["error"]["code"] for r in responses} == {"if_match_wildcard"}
    case.refresh_from_db()
    assert (case.status, case.escalation_level, case.version) == ("disputed", None, version)
    assert _escalations(case) == 0


def test_parallel_escalations_to_one_level_give_one_answer(world, halland, case_in, coordinators):
    case = case_in("disputed")
    read = etag(case)
    version = case.version
    url = f"/api/v1/cases/{case.public_id}/escalate"
    responses = _race(
        coordinators,
        lambda c: c.post(url, {"reason": "Oenighet.", "level": 1}, format="json", HTTP_IF_MATCH=read),
    )
    assert [r.status_code for r in responses] == [200] * PARALLEL, [r.content for r in responses]
    assert {(r.json()["status"], r.json()["escalation_level"]) for r in responses} == {("escalated", 1)}
    assert len({r["ETag"] for r in responses}) == 1
    case.refresh_from_db()
    assert (case.escalation_level, case.escalation_body, case.version) == (1, halland.lokal_a, version + 1)
    assert _escalations(case) == 1


def test_parallel_escalations_without_a_level_climb_one_level(world, halland, case_in, coordinators):
    case = case_in("disputed")
    read = etag(case)
    url = f"/api/v1/cases/{case.public_id}/escalate"
    responses = _race(
        coordinators, lambda c: c.post(url, {"reason": "Oenighet."}, format="json", HTTP_IF_MATCH=read)
    )
    statuses = [r.status_code for r in responses]
    # Whoever read the case before the first escalation committed gets the same answer; whoever read it
    # after holds a stale ETag (412). Nobody climbs further.
    assert set(statuses) <= {200, 412}, [r.content for r in responses]
    assert 200 in statuses
    assert {r.json()["escalation_level"] for r in responses if r.status_code == 200} == {1}
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert _escalations(case) == 1


def test_a_repeated_escalation_answers_the_same_and_a_skipped_level_is_refused(world, halland, case_in, api):
    case = case_in("disputed")
    coordinator = api(world.users["coordinator_a"])
    url = f"/api/v1/cases/{case.public_id}/escalate"
    before = etag(case)
    first = coordinator.post(url, {"reason": "Oenighet.", "level": 1}, format="json", HTTP_IF_MATCH=before)
    assert first.status_code == 200
    # The client did not see the answer and sends the same request again, with its old ETag.
    again = coordinator.post(url, {"reason": "Oenighet.", "level": 1}, format="json", HTTP_IF_MATCH=before)
    assert again.status_code == 200
    assert again.json()["escalation_level"] == 1
    assert again["ETag"] == first["ETag"]
    # With the old ETag, the next level is stale; levels are climbed one at a time.
    stale = coordinator.post(url, {"reason": "Vidare.", "level": 2}, format="json", HTTP_IF_MATCH=before)
    assert stale.status_code == 412
    skipped = coordinator.post(
        url, {"reason": "Vidare.", "level": 3}, format="json", HTTP_IF_MATCH=etag(case)
    )
    assert skipped.status_code == 409
    # A nurse cannot have a repeat answered either: the role is checked first.
    nurse = api(world.users["nurse_a"])
    refused = nurse.post(url, {"reason": "x", "level": 1}, format="json", HTTP_IF_MATCH=before)
    assert refused.status_code == 403
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert _escalations(case) == 1
    # Once level 1 cannot settle the case (here its deadline passed), the coordinator goes on to level 2
    # with the current ETag.
    ResponsibilityCase.objects.filter(pk=case.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    onward = coordinator.post(url, {"reason": "Vidare.", "level": 2}, format="json", HTTP_IF_MATCH=etag(case))
    assert onward.status_code == 200
    assert onward.json()["escalation_level"] == 2
