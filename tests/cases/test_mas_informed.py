"""A risk analysis nobody in the kommun approves: signing agrees the case and informs the kommun's MAS.

Domain §8: home ventilator treatment is ordered, performed and followed up by the region's specialist
team; the risk analysis is made jointly and the kommun's MAS is informed, not asked to approve. A case
that also has a task MAS approves (tracheostomy care, here PD) still waits for that approval.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from cases import selectors, services
from cases.models import (
    AnalysisDecision,
    AnalysisStatus,
    CaseEvent,
    CaseStatus,
    EventKind,
    Notification,
    NotificationKind,
    ResponsibilityCase,
    RiskAnalysis,
)
from cases.services import core, risk_analysis
from cases.transitions import A
from directory.models import Membership, Role
from fhir_export.resources import risk_assessment
from tests.fixtures.agreements import PD, VENTILATOR, WOUND
from tests.fixtures.cases import ANALYSIS, etag
from tests.fixtures.world import as_actor, make_user

pytestmark = pytest.mark.django_db


def _mas_notes():
    """The "MAS informed" notifications (every step also tells its people; tested elsewhere)."""
    return Notification.objects.filter(kind=NotificationKind.MAS_INFORMED)


def _informed(outbox: list[Any]) -> list[Any]:
    return [m for m in outbox if m.subject == gettext("Hemsjukvård: you are informed of a risk analysis")]


@pytest.fixture
def second_mas(world):
    """Kommun A has two MAS; one more person was MAS there once, another is MAS but switched off."""
    kommun = world.orgs["kommun_a"]
    second = make_user("mas2.a", (kommun, Role.MAS))
    second.email = "mas2.a@example.org"
    second.save(update_fields=["email"])
    former = make_user("former.mas.a")
    Membership.objects.create(
        user=former,
        organisation=kommun,
        role=Role.MAS,
        valid_from=datetime.date(2019, 1, 1),
        valid_to=datetime.date(2021, 1, 1),
    )
    inactive = make_user("inactive.mas.a", (kommun, Role.MAS))
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    return second


def _written(world, case_in, tasks):
    """A case of kommun A with the tasks accepted and a risk analysis written, not yet signed."""
    case = case_in("risk_analysis", tasks=tasks)
    analysis = services.risk_analysis_create(
        actor=as_actor(world, "nurse_a"), case=case, expected_version=None, data=ANALYSIS
    )
    case.refresh_from_db()
    return case, analysis


def test_the_ventilator_task_carries_the_rule_setting(world, ventilator_rule, case_in):
    case = case_in("risk_analysis", tasks=(VENTILATOR,))
    task = case.tasks.get()
    assert task.requires_risk_analysis
    assert task.approver_role == "informed"
    assert task.proposal["conditions"]["approver_role"] == "informed"
    # The region performs the care: the specialist clinic named on the case, not the kommun.
    assert task.agreed_performs == world.orgs["clinic"]
    assert case.status == CaseStatus.RISK_ANALYSIS


def test_signing_agrees_a_ventilator_case_without_mas_approval(
    world, ventilator_rule, second_mas, case_in, act, api, django_capture_on_commit_callbacks
):
    u = world.users
    case, analysis = _written(world, case_in, (VENTILATOR,))

    with django_capture_on_commit_callbacks(execute=True):
        response = act(u["specialist"], case, f"risk-analyses/{analysis.public_id}/sign")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "mas_informed"
    assert body["decisions"] == []
    assert [s["role"] for s in body["signatures"]] == ["specialist"]

    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
    assert case.agreed_at is not None
    assert (case.owner_organisation_id, case.owner_role, case.due_at) == (
        world.orgs["kommun_a"].pk,
        Role.NURSE,
        None,
    )
    # Nobody pretends MAS approved it.
    assert not AnalysisDecision.objects.filter(analysis=analysis).exists()
    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.MAS_INFORMED
    # In effect, as an approved one is: integrations receive it as final.
    assert risk_assessment(analysis)["status"] == "final"

    # The timeline: signed (risk analysis → agreed), then MAS informed, naming who.
    signed, informed = list(CaseEvent.objects.filter(case=case).order_by("at", "pk"))[-2:]
    assert (signed.kind, signed.from_status, signed.to_status) == (
        "analysis_signed",
        "risk_analysis",
        "agreed",
    )
    assert signed.payload["approval_needed"] is False
    assert informed.kind == EventKind.MAS_INFORMED
    assert (informed.from_status, informed.to_status) == ("agreed", "agreed")
    assert informed.user == u["specialist"]
    assert informed.organisation == world.orgs["clinic"]
    assert informed.payload["tasks"] == [VENTILATOR]
    informed_names = [person["name"] for person in informed.payload["informed"]]
    assert informed_names == [u["mas_a"].display_name, second_mas.display_name]
    for name in informed_names:
        assert name in informed.reason
    assert "Inactive.Mas.A" not in informed.reason
    assert "Former.Mas.A" not in informed.reason

    # Each active MAS of kommun A is notified once, and e-mailed once; nobody else.
    notified = _mas_notes().filter(case=case)
    assert sorted(notified.values_list("user__username", flat=True)) == ["mas.a", "mas2.a"]
    assert set(notified.values_list("kind", flat=True)) == {NotificationKind.MAS_INFORMED}
    assert set(notified.values_list("deadline_key", flat=True)) == {f"analysis:{analysis.public_id}"}
    assert sorted(m.to[0] for m in _informed(mail.outbox)) == sorted([u["mas_a"].email, second_mas.email])

    # The timeline through the API shows it to the parties.
    timeline = api(u["nurse_a"]).get(f"/api/v1/cases/{case.public_id}/timeline").json()
    assert [e["kind"] for e in timeline][-2:] == ["analysis_signed", "mas_informed"]

    # MAS has nothing to approve or reject, now or later.
    read = api(u["mas_a"]).get(f"/api/v1/cases/{case.public_id}").json()
    assert read["status"] == "agreed"
    assert "approve_analysis" not in read["allowed_actions"]
    assert "reject_analysis" not in read["allowed_actions"]
    refused = act(u["mas_a"], case, f"risk-analyses/{analysis.public_id}/approve")
    assert refused.status_code == 409, refused.content
    assert not AnalysisDecision.objects.exists()


def test_mas_is_informed_once_per_analysis_version(
    world, ventilator_rule, case_in, django_capture_on_commit_callbacks
):
    case, analysis = _written(world, case_in, (VENTILATOR,))
    specialist = as_actor(world, "specialist")
    with django_capture_on_commit_callbacks(execute=True):
        services.risk_analysis_sign(actor=specialist, case=case, analysis=analysis, expected_version=None)
    assert _mas_notes().filter(case=case, user=world.users["mas_a"]).count() == 1
    assert len(_informed(mail.outbox)) == 1

    # Informing again of the same version (a retried request, a second worker) adds nothing.
    membership = specialist.memberships[0]
    with django_capture_on_commit_callbacks(execute=True):
        risk_analysis._mas_inform(specialist, case, analysis, membership=membership)
    assert _mas_notes().filter(case=case, user=world.users["mas_a"]).count() == 1
    assert len(_informed(mail.outbox)) == 1

    # A new version is a new thing to be informed of.
    nurse = as_actor(world, "nurse_a")
    case.refresh_from_db()
    second = services.risk_analysis_create(actor=nurse, case=case, expected_version=None, data=ANALYSIS)
    case.refresh_from_db()
    assert case.status == CaseStatus.RISK_ANALYSIS
    with django_capture_on_commit_callbacks(execute=True):
        services.risk_analysis_sign(actor=specialist, case=case, analysis=second, expected_version=None)
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
    assert _mas_notes().filter(case=case, user=world.users["mas_a"]).count() == 2
    assert len(_informed(mail.outbox)) == 2
    assert list(
        RiskAnalysis.objects.filter(case=case).order_by("number").values_list("status", flat=True)
    ) == ["mas_informed", "mas_informed"]


def test_a_mixed_case_still_needs_mas_approval(world, ventilator_rule, case_in, act):
    """Ventilator (MAS informed) with PD (MAS approves): MAS is informed at signing and still approves."""
    u = world.users
    case, analysis = _written(world, case_in, (VENTILATOR, PD))

    response = act(u["specialist"], case, f"risk-analyses/{analysis.public_id}/sign")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "signed"
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPROVAL
    assert (case.owner_organisation_id, case.owner_role) == (world.orgs["kommun_a"].pk, Role.MAS)
    assert case.due_at is not None

    # Informed of the ventilator part at signing, whatever becomes of the approval.
    informed = CaseEvent.objects.get(case=case, kind=EventKind.MAS_INFORMED)
    assert informed.payload["tasks"] == [VENTILATOR]
    assert informed.to_status == CaseStatus.AWAITING_APPROVAL
    assert _mas_notes().filter(case=case, kind=NotificationKind.MAS_INFORMED).count() == 1

    facts = selectors.case_facts(case)
    assert facts.approvals_needed == {"mas": "mas"}
    assert facts.informs_mas
    response = act(u["mas_a"], case, f"risk-analyses/{analysis.public_id}/approve")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "approved"
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
    decision = AnalysisDecision.objects.get(analysis=analysis)
    assert (decision.for_role, decision.role, decision.user) == ("mas", "mas", u["mas_a"])
    # Approving does not inform a second time.
    assert CaseEvent.objects.filter(case=case, kind=EventKind.MAS_INFORMED).count() == 1
    assert _mas_notes().filter(case=case, kind=NotificationKind.MAS_INFORMED).count() == 1


def test_a_mixed_case_rejected_by_mas_goes_back_and_informs_again_for_the_new_version(
    world, ventilator_rule, case_in, act
):
    u = world.users
    case, analysis = _written(world, case_in, (VENTILATOR, PD))
    assert act(u["specialist"], case, f"risk-analyses/{analysis.public_id}/sign").status_code == 200
    rejected = act(
        u["mas_a"], case, f"risk-analyses/{analysis.public_id}/reject", {"reason": "Nattlarm saknas."}
    )
    assert rejected.status_code == 200, rejected.content
    case.refresh_from_db()
    assert case.status == CaseStatus.RISK_ANALYSIS
    body = {"hazards": [{"description": "Larm nattetid", "likelihood": 2, "consequence": 4}]}
    second = act(u["nurse_a"], case, f"cases/{case.public_id}/risk-analyses", body).json()
    assert act(u["specialist"], case, f"risk-analyses/{second['id']}/sign").status_code == 200
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPROVAL
    assert CaseEvent.objects.filter(case=case, kind=EventKind.MAS_INFORMED).count() == 2
    assert _mas_notes().filter(case=case, user=u["mas_a"], kind="mas_informed").count() == 2


def test_a_kommun_without_an_active_mas_is_told_on_the_timeline(world, ventilator_rule, case_in):
    Membership.objects.filter(organisation=world.orgs["kommun_a"], role=Role.MAS).update(
        valid_to=datetime.date(2021, 1, 1)
    )
    case, analysis = _written(world, case_in, (VENTILATOR,))
    services.risk_analysis_sign(
        actor=as_actor(world, "specialist"), case=case, analysis=analysis, expected_version=None
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
    informed = CaseEvent.objects.get(case=case, kind=EventKind.MAS_INFORMED)
    assert informed.payload["informed"] == []
    assert informed.reason
    assert not _mas_notes().filter(case=case).exists()


def test_an_analysis_no_task_asks_for_is_not_left_waiting_for_an_approval_nobody_may_give(
    world, halland, case_in
):
    """Wound care needs no analysis; one written anyway is complete when signed, and MAS is told."""
    case = case_in("in_review", tasks=(WOUND,))
    case = services.case_accept(actor=as_actor(world, "gp_a"), case=case, expected_version=None)
    assert case.status == CaseStatus.AGREED
    nurse = as_actor(world, "nurse_a")
    analysis = services.risk_analysis_create(actor=nurse, case=case, expected_version=None, data=ANALYSIS)
    case.refresh_from_db()
    assert case.status == CaseStatus.RISK_ANALYSIS
    services.risk_analysis_sign(
        actor=as_actor(world, "gp_a"), case=case, analysis=analysis, expected_version=None
    )
    case.refresh_from_db()
    analysis.refresh_from_db()
    assert (case.status, analysis.status) == (CaseStatus.AGREED, AnalysisStatus.MAS_INFORMED)
    informed = CaseEvent.objects.get(case=case, kind=EventKind.MAS_INFORMED)
    assert informed.payload["tasks"] == []
    assert _mas_notes().filter(case=case, user=world.users["mas_a"]).count() == 1


def test_the_case_and_analysis_pages_say_mas_was_informed(world, ventilator_rule, case_in):
    case, analysis = _written(world, case_in, (VENTILATOR,))
    services.risk_analysis_sign(
        actor=as_actor(world, "specialist"), case=case, analysis=analysis, expected_version=None
    )
    client = Client()
    client.force_login(world.users["mas_a"])
    with translation.override("sv"):
        event_label = str(EventKind.MAS_INFORMED.label)
        status_label = str(AnalysisStatus.MAS_INFORMED.label)
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert event_label in page
    assert status_label in page
    assert world.users["mas_a"].display_name in page
    analysis_page = client.get(f"/cases/{case.public_id}/risk-analysis/")
    assert analysis_page.status_code == 200
    assert status_label in analysis_page.content.decode()
    home = client.get("/").content.decode()
    with translation.override("sv"):
        assert str(NotificationKind.MAS_INFORMED.label) in home


def test_case_facts_for_many_cases_stay_within_three_queries(world, ventilator_rule, case_in):
    cases = [_written(world, case_in, tasks)[0] for tasks in ((VENTILATOR,), (VENTILATOR, PD), (PD,))]
    loaded = list(
        selectors._case_queryset().filter(pk__in=[c.pk for c in cases]).order_by("pk")  # tasks prefetched
    )
    with CaptureQueriesContext(connection) as queries:
        facts = selectors.case_facts_many(loaded)
    assert len(queries.captured_queries) <= 3
    ventilator, mixed, pd = (facts[c.pk] for c in cases)
    assert (ventilator.approvals_needed, ventilator.informs_mas) == ({}, True)
    assert (mixed.approvals_needed, mixed.informs_mas) == ({"mas": "mas"}, True)
    assert (pd.approvals_needed, pd.informs_mas) == ({"mas": "mas"}, False)


def test_a_move_the_table_does_not_allow_is_a_programming_error(world, ventilator_rule, case_in):
    """The services follow the transition table: sign leads to awaiting_approval or agreed, never else."""
    case, _analysis = _written(world, case_in, (VENTILATOR,))
    locked = ResponsibilityCase.objects.get(pk=case.pk)
    with pytest.raises(RuntimeError, match="sign_analysis does not lead to active"):
        core._move(None, locked, to_status=CaseStatus.ACTIVE, action=A.SIGN_ANALYSIS, membership=None)


def test_signing_answers_the_if_match_of_the_last_read(world, ventilator_rule, case_in, api):
    """A stale ETag is 412 and informs nobody."""
    case, analysis = _written(world, case_in, (VENTILATOR,))
    stale = etag(case)
    services.case_comment(actor=as_actor(world, "nurse_a"), case=case, expected_version=None, text="Hej.")
    response = api(world.users["specialist"]).post(
        f"/api/v1/risk-analyses/{analysis.public_id}/sign", {}, format="json", HTTP_IF_MATCH=stale
    )
    assert response.status_code == 412
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.MAS_INFORMED).exists()
    assert not _mas_notes().exists()
