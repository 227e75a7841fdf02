"""Two people write the same record at the same moment, through the API, on two database connections.

Each pair reads the same version (the same ETag) and sends its write at once, released by a barrier:
exactly one wins, the other gets 412 (the version moved on) or 409 (the status no longer allows it),
and the loser wrote nothing. (The sequential 412 cases are in tests/cases; the SIP race through the
services in tests/sip/test_concurrency.py. These go through HTTP handling, authentication and the
views as well.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from cases import services
from cases.models import AnalysisDecision, CaseEvent, CaseStatus, ResponsibilityCase
from directory.models import Role
from hemsjukvard.api.concurrency import etag_for
from sip import services as sip_services
from sip.models import Sip, SipEvent, SipVersion, VersionStatus
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.cases import ANALYSIS
from tests.fixtures.sip import fill
from tests.fixtures.world import as_actor, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads, released together; their responses, in the order given."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = calls[index]()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def one_winner(responses: list[Any]) -> tuple[Any, Any]:
    codes = sorted(r.status_code for r in responses)
    seen = [(r.status_code, r.content[:300]) for r in responses]
    assert codes[0] == 200, seen
    assert codes[1] in (409, 412), seen
    winner = next(r for r in responses if r.status_code == 200)
    loser = next(r for r in responses if r.status_code != 200)
    assert loser.json()["error"]["code"] in ("conflict", "precondition_failed", "stale"), loser.json()
    return winner, loser


def _tag(case: ResponsibilityCase) -> str:
    case.refresh_from_db()
    return etag_for(case, version=case.version)


def test_two_mas_approve_at_once_one_decision(world, halland, case_in, api) -> None:
    second_mas = make_user("mas2.a", (world.orgs["kommun_a"], Role.MAS))
    case = case_in(CaseStatus.RISK_ANALYSIS, tasks=(PD,))
    analysis = services.risk_analysis_create(
        actor=as_actor(world, "nurse_a"), case=case, expected_version=None, data=ANALYSIS
    )
    services.risk_analysis_sign(
        actor=as_actor(world, "specialist"), case=case, analysis=analysis, expected_version=None
    )
    tag = _tag(case)
    url = f"/api/v1/risk-analyses/{analysis.public_id}/approve"
    clients = [api(world.users["mas_a"]), api(second_mas)]
    one_winner(race(*(lambda c=c: c.post(url, {}, format="json", HTTP_IF_MATCH=tag) for c in clients)))
    assert AnalysisDecision.objects.filter(analysis=analysis).count() == 1
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED


def test_accept_and_dispute_at_once_one_transition(world, halland, case_in, api) -> None:
    # Wound care is the vårdcentral's to answer for: two of its GPs answer at once.
    case = case_in(CaseStatus.IN_REVIEW, tasks=(WOUND,))
    tag = _tag(case)
    version = case.version
    gp = api(world.users["gp_a"])
    other_gp = api(make_user("gp2.a", (world.orgs["vc_a"], Role.GP)))
    tasks = [str(t.public_id) for t in case.tasks.all()]
    base = f"/api/v1/cases/{case.public_id}"
    winner, _loser = one_winner(
        race(
            lambda: gp.post(f"{base}/accept", {}, format="json", HTTP_IF_MATCH=tag),
            lambda: other_gp.post(
                f"{base}/dispute",
                {"positions": [{"task": t, "text": "Specialistvården bör utföra."} for t in tasks]},
                format="json",
                HTTP_IF_MATCH=tag,
            ),
        )
    )
    case.refresh_from_db()
    assert case.version == version + 1, "exactly one write"
    assert case.status == winner.json()["status"]
    assert (
        CaseEvent.objects.filter(case=case, action__in=["accept", "dispute"])
        .values("action")
        .distinct()
        .count()
        == 1
    )


def test_two_finalisations_at_once_one_finalised_version(world, halland, case_in, api) -> None:
    case = case_in(CaseStatus.AGREED, tasks=(PD, WOUND))
    nurse = as_actor(world, "nurse_a")
    from cases.selectors import case_get

    sip = sip_services.sip_create_from_case(actor=nurse, case=case_get(actor=nurse, public_id=case.public_id))
    fill(sip, nurse, world)
    sip = Sip.objects.get(pk=sip.pk)
    tag = etag_for(sip, version=sip.revision)
    url = f"/api/v1/sips/{sip.public_id}/finalise"
    second_nurse = make_user("nurse2.a", (world.orgs["kommun_a"], Role.NURSE))
    clients = [api(world.users["nurse_a"]), api(second_nurse)]
    one_winner(race(*(lambda c=c: c.post(url, {}, format="json", HTTP_IF_MATCH=tag) for c in clients)))
    assert SipVersion.objects.filter(sip=sip, status=VersionStatus.FINALISED).count() == 1
    assert SipEvent.objects.filter(sip=sip, kind="finalised").count() == 1
