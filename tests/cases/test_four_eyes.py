"""Four eyes on a risk analysis: who wrote or signed it may not approve it, in any of their roles.

The attack: a kommun nurse who is also acting MAS wrote a risk analysis and approved it herself, with
one API token acting in all her roles. Now the approval service refuses the author and every signer
(403 ``four_eyes`` on the API, the reason on the page), and a token acts in one membership only.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from cases import selectors, services
from cases.models import AnalysisDecision, CaseStatus, RiskAnalysis
from cases.policies import allowed_actions
from cases.transitions import A
from directory.actor import ACTING_MEMBERSHIP_SESSION_KEY, Actor
from directory.models import Membership, Role, User
from tests.fixtures.cases import ANALYSIS, etag
from tests.fixtures.world import World, as_actor, make_user

pytestmark = pytest.mark.django_db

SWEDISH = {"HTTP_ACCEPT_LANGUAGE": "sv"}


@pytest.fixture
def nurse_and_mas(world: World) -> User:
    """Kommun A's nurse who is also its acting MAS: one person, two memberships."""
    user = make_user("nurse.mas.a", (world.orgs["kommun_a"], Role.NURSE), (world.orgs["kommun_a"], Role.MAS))
    world.users["nurse_mas_a"] = user
    return user


def _membership(user: User, role: str) -> Membership:
    return Membership.objects.select_related("organisation").get(user=user, role=role)


def _written_and_signed(world: World, case_in: Any, author: Actor, signer: Actor) -> RiskAnalysis:
    case = case_in("risk_analysis")
    analysis = services.risk_analysis_create(actor=author, case=case, expected_version=None, data=ANALYSIS)
    services.risk_analysis_sign(actor=signer, case=case, analysis=analysis, expected_version=None)
    analysis.case.refresh_from_db()
    return analysis


def _approve(api: Any, user: User, analysis: RiskAnalysis, membership: Membership | None = None) -> Any:
    return api(user, membership).post(
        f"/api/v1/risk-analyses/{analysis.public_id}/approve",
        {},
        format="json",
        HTTP_IF_MATCH=etag(analysis.case),
        **SWEDISH,
    )


def _nothing_approved(analysis: RiskAnalysis) -> None:
    assert not AnalysisDecision.objects.filter(analysis=analysis).exists()
    analysis.refresh_from_db()
    assert analysis.status == "signed"
    analysis.case.refresh_from_db()
    assert analysis.case.status == CaseStatus.AWAITING_APPROVAL


def test_the_author_cannot_approve_with_her_mas_token(world, case_in, api, nurse_and_mas):
    author = Actor.for_user(nurse_and_mas, acting=_membership(nurse_and_mas, Role.NURSE))
    analysis = _written_and_signed(world, case_in, author, as_actor(world, "specialist"))
    response = _approve(api, nurse_and_mas, analysis, _membership(nurse_and_mas, Role.MAS))
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "four_eyes"
    assert "fyraögonprincipen" in error["message"]
    assert "skrivit" in error["message"]
    _nothing_approved(analysis)
    # Another MAS of the kommun approves it.
    assert _approve(api, world.users["mas_a"], analysis).status_code == 200
    analysis.refresh_from_db()
    assert analysis.status == "approved"


def test_her_nurse_token_does_not_act_as_mas(world, case_in, api, nurse_and_mas):
    """The token acts in the membership it was issued for, not in all of hers."""
    analysis = _written_and_signed(world, case_in, as_actor(world, "nurse_a"), as_actor(world, "specialist"))
    response = _approve(api, nurse_and_mas, analysis, _membership(nurse_and_mas, Role.NURSE))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    _nothing_approved(analysis)
    # As MAS (a token for that membership) she may approve an analysis she neither wrote nor signed.
    assert _approve(api, nurse_and_mas, analysis, _membership(nurse_and_mas, Role.MAS)).status_code == 200


def test_the_author_acting_in_all_her_roles_is_refused_by_the_service(world, case_in, nurse_and_mas):
    everything = Actor.for_user(nurse_and_mas)
    assert {m.role for m in everything.memberships} == {Role.NURSE, Role.MAS}
    analysis = _written_and_signed(world, case_in, everything, as_actor(world, "specialist"))
    with pytest.raises(services.FourEyesRefused):
        services.risk_analysis_approve(
            actor=everything, case=analysis.case, analysis=analysis, expected_version=None
        )
    _nothing_approved(analysis)


def test_a_signer_cannot_approve(world, case_in, api):
    specialist = world.users["specialist"]
    Membership.objects.create(user=specialist, organisation=world.orgs["kommun_a"], role=Role.MAS)
    signer = Actor.for_user(specialist, acting=_membership(specialist, Role.SPECIALIST))
    analysis = _written_and_signed(world, case_in, as_actor(world, "nurse_a"), signer)
    response = _approve(api, specialist, analysis, _membership(specialist, Role.MAS))
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "four_eyes"
    assert "signerat" in error["message"]
    _nothing_approved(analysis)


def test_the_page_refuses_the_author_with_the_reason(world, case_in, nurse_and_mas):
    author = Actor.for_user(nurse_and_mas, acting=_membership(nurse_and_mas, Role.NURSE))
    analysis = _written_and_signed(world, case_in, author, as_actor(world, "specialist"))
    browser = Client(**SWEDISH)
    browser.force_login(nurse_and_mas)
    session = browser.session
    session[ACTING_MEMBERSHIP_SESSION_KEY] = str(_membership(nurse_and_mas, Role.MAS).public_id)
    session.save()
    url = reverse(
        "cases:analysis-action", kwargs={"public_id": analysis.public_id, "action": "approve_analysis"}
    )
    response = browser.post(url, {"approve-version": analysis.case.version})
    assert response.status_code == 403
    assert "fyraögonprincipen" in response.content.decode()
    _nothing_approved(analysis)


def test_the_author_cannot_reject_either(world, case_in, api, nurse_and_mas):
    """Rejecting is the same decision as approving: a second person makes it."""
    author = Actor.for_user(nurse_and_mas, acting=_membership(nurse_and_mas, Role.NURSE))
    analysis = _written_and_signed(world, case_in, author, as_actor(world, "specialist"))
    response = api(nurse_and_mas, _membership(nurse_and_mas, Role.MAS)).post(
        f"/api/v1/risk-analyses/{analysis.public_id}/reject",
        {"reason": "Saknar åtgärd för peritonit."},
        format="json",
        HTTP_IF_MATCH=etag(analysis.case),
        **SWEDISH,
    )
    assert response.status_code == 403, response.json()
    assert response.json()["error"]["code"] == "four_eyes"
    assert "avslå" in response.json()["error"]["message"]
    _nothing_approved(analysis)


def test_the_author_and_the_signer_are_not_offered_the_approval(world, case_in, nurse_and_mas):
    """The page and the API's ``allowed_actions`` do not invite a step the service would refuse."""
    author = Actor.for_user(nurse_and_mas, acting=_membership(nurse_and_mas, Role.NURSE))
    specialist = world.users["specialist"]
    Membership.objects.create(user=specialist, organisation=world.orgs["kommun_a"], role=Role.MAS)
    signer = Actor.for_user(specialist, acting=_membership(specialist, Role.SPECIALIST))
    analysis = _written_and_signed(world, case_in, author, signer)
    case = analysis.case
    facts = selectors.case_facts(case)
    decisions = {A.APPROVE_ANALYSIS, A.REJECT_ANALYSIS}
    as_mas = Actor.for_user(nurse_and_mas, acting=_membership(nurse_and_mas, Role.MAS))
    signer_as_mas = Actor.for_user(specialist, acting=_membership(specialist, Role.MAS))
    assert not decisions & set(allowed_actions(as_mas, case, facts))
    assert not decisions & set(allowed_actions(signer_as_mas, case, facts))
    assert decisions <= set(allowed_actions(as_actor(world, "mas_a"), case, facts))
