"""MAS approves nursing analyses, MAR rehabilitation ones (MAS where MAR is vacant); rejection loops back."""

from __future__ import annotations

import datetime

import pytest

from cases import services
from cases.models import AnalysisDecision, RiskAnalysis
from directory.models import Membership, Role
from tests.fixtures.agreements import PD, REHAB
from tests.fixtures.cases import ANALYSIS, etag
from tests.fixtures.world import as_actor, make_user

pytestmark = pytest.mark.django_db


def _to_approval(world, case_in, tasks, signer="gp_a"):
    case = case_in("risk_analysis", tasks=tasks)
    analysis = services.risk_analysis_create(
        actor=as_actor(world, "nurse_a"), case=case, expected_version=None, data=ANALYSIS
    )
    services.risk_analysis_sign(
        actor=as_actor(world, signer), case=case, analysis=analysis, expected_version=None
    )
    case.refresh_from_db()
    return case, analysis


def test_mar_approves_rehab_and_mas_may_not(world, case_in, act):
    case, analysis = _to_approval(world, case_in, (REHAB,))
    assert case.owner_role == "mar"
    assert act(world.users["mas_a"], case, f"risk-analyses/{analysis.public_id}/approve").status_code == 403
    response = act(world.users["mar_a"], case, f"risk-analyses/{analysis.public_id}/approve")
    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.status == "agreed"


def test_mar_vacant_mas_approves_rehab(world, case_in, act):
    Membership.objects.filter(role=Role.MAR, organisation=world.orgs["kommun_a"]).update(
        valid_to=datetime.date(2021, 1, 1)
    )
    case, analysis = _to_approval(world, case_in, (REHAB,))
    assert case.owner_role == "mas"
    response = act(world.users["mas_a"], case, f"risk-analyses/{analysis.public_id}/approve")
    assert response.status_code == 200, response.content
    decision = AnalysisDecision.objects.get(analysis=analysis)
    assert (decision.role, decision.for_role) == ("mas", "mar")
    case.refresh_from_db()
    assert case.status == "agreed"


def test_rejected_analysis_returns_to_risk_analysis_and_a_new_version_needs_new_approval(world, case_in, act):
    u = world.users
    case, analysis = _to_approval(world, case_in, (REHAB,))
    assert act(u["mar_a"], case, f"risk-analyses/{analysis.public_id}/reject", {}).status_code == 400
    response = act(
        u["mar_a"], case, f"risk-analyses/{analysis.public_id}/reject", {"reason": "Nattetid saknas."}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "rejected"
    case.refresh_from_db()
    assert case.status == "risk_analysis"
    assert case.owner_role == "nurse"

    # The rejected version cannot be signed again; a new version can.
    assert act(u["gp_a"], case, f"risk-analyses/{analysis.public_id}/sign").status_code == 409
    body = {"hazards": [{"description": "Fall vid förflyttning nattetid", "likelihood": 3, "consequence": 3}]}
    response = act(u["nurse_a"], case, f"cases/{case.public_id}/risk-analyses", body)
    assert response.status_code == 201, response.content
    second = response.json()
    assert second["version"] == 2
    assert act(u["gp_a"], case, f"risk-analyses/{second['id']}/sign").status_code == 200
    assert act(u["mar_a"], case, f"risk-analyses/{second['id']}/approve").status_code == 200
    case.refresh_from_db()
    assert case.status == "agreed"
    assert list(
        RiskAnalysis.objects.filter(case=case).order_by("number").values_list("status", flat=True)
    ) == [
        "rejected",
        "approved",
    ]


def test_two_approvals_at_once_cannot_both_succeed(world, case_in, api):
    """Two MAS read the same version; the first approval wins, the second gets 412 and writes nothing."""
    second_mas = make_user("mas2.a", (world.orgs["kommun_a"], Role.MAS))
    case, analysis = _to_approval(world, case_in, (PD,), signer="specialist")
    tag = etag(case)
    url = f"/api/v1/risk-analyses/{analysis.public_id}/approve"
    first = api(world.users["mas_a"]).post(url, {}, format="json", HTTP_IF_MATCH=tag)
    second = api(second_mas).post(url, {}, format="json", HTTP_IF_MATCH=tag)
    assert first.status_code == 200
    assert second.status_code == 412
    assert AnalysisDecision.objects.filter(analysis=analysis).count() == 1
