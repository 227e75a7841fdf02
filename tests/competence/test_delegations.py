"""Delegation (SOSFS 1997:14): personal, written, at most 12 months, revocable; across principals only
after consultation; linked to the case tasks the agreement lets be delegated."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from agreements.models import CareTaskType, ResponsibilityRule
from audit.models import AccessLogEntry
from cases.models import CaseStatus, CaseTask
from competence import selectors, services
from competence.models import Delegation, RegisterAction, RegisterEvent
from competence.services import twelve_months_after
from hemsjukvard.errors import NotPermitted
from tests.fixtures.agreements import MEDICATION, PD
from tests.fixtures.clients import signed_in
from tests.fixtures.world import as_actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def delegable(tpn_and_medication):
    ResponsibilityRule.objects.filter(task_type__code=MEDICATION).update(delegation_allowed=True)
    return CareTaskType.objects.get(code=MEDICATION)


def _delegate(world, task_type, *, by="nurse_a", receiver="kommun_a", days=180, **extra):
    today = timezone.localdate()
    return services.delegation_record(
        actor=as_actor(world, by),
        task_type=task_type,
        receiver_name="Sara Undersköterska",
        receiver_title="Undersköterska",
        receiver_organisation=world.orgs[receiver],
        decision="Delegerar insulingivning enligt ordination, efter genomgången utbildning.",
        valid_from=today,
        valid_until=today + datetime.timedelta(days=days),
        **extra,
    )


def test_delegation_holds_for_at_most_twelve_months(world, delegable):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        _delegate(world, delegable, days=(twelve_months_after(today) - today).days + 1)
    assert "valid_until" in refused.value.message_dict
    assert not Delegation.objects.exists()
    assert _delegate(world, delegable, days=(twelve_months_after(today) - today).days).valid_until == (
        twelve_months_after(today)
    )


def test_delegation_is_given_by_licensed_staff_in_their_own_name(world, delegable):
    with pytest.raises(NotPermitted):
        _delegate(world, delegable, by="coordinator_a")
    delegation = _delegate(world, delegable)
    assert (delegation.delegated_by, delegation.delegating_role) == (world.users["nurse_a"], "nurse")
    assert RegisterEvent.objects.filter(delegation=delegation, action=RegisterAction.RECORDED).count() == 1


def test_delegation_to_the_other_principal_needs_a_recorded_consultation(world, delegable):
    with pytest.raises(ValidationError) as refused:
        _delegate(world, delegable, by="gp_a", receiver="kommun_a")
    assert "consulted_with" in refused.value.message_dict
    delegation = _delegate(
        world,
        delegable,
        by="gp_a",
        receiver="kommun_a",
        consulted_with="MAS A kommun",
        consulted_on=timezone.localdate(),
        consultation_note="Samråd per telefon.",
    )
    assert delegation.consulted_with == "MAS A kommun"


def test_delegation_is_revocable_by_the_delegator_or_mas_not_by_others(world, delegable):
    delegation = _delegate(world, delegable)
    with pytest.raises(NotPermitted):
        services.delegation_revoke(actor=as_actor(world, "nurse_b"), delegation=delegation, reason="x")
    with pytest.raises(ValidationError):
        services.delegation_revoke(actor=as_actor(world, "mas_a"), delegation=delegation, reason=" ")
    revoked = services.delegation_revoke(
        actor=as_actor(world, "mas_a"), delegation=delegation, reason="Slutat"
    )
    assert revoked.revoked_at is not None
    assert not revoked.in_force_on(timezone.localdate())


def test_delegation_links_only_the_case_tasks_the_agreement_lets_be_delegated(world, delegable, case_in):
    case = case_in(CaseStatus.AGREED, tasks=(PD, MEDICATION))
    medication = CaseTask.objects.get(case=case, task_type=delegable)
    pd = CaseTask.objects.get(case=case, task_type__code=PD)
    delegation = _delegate(world, delegable, case_tasks=[medication])
    assert list(delegation.case_tasks.all()) == [medication]
    with pytest.raises(ValidationError):
        services.delegation_link(actor=as_actor(world, "nurse_a"), delegation=delegation, case_task=pd)
    theirs = _delegate(world, delegable, by="nurse_b", receiver="kommun_b")
    with pytest.raises(ValidationError):  # a case of another kommun is not theirs to see
        services.delegation_link(actor=as_actor(world, "nurse_b"), delegation=theirs, case_task=medication)
    assert not theirs.case_tasks.exists()
    assert list(delegation.case_tasks.all()) == [medication]


def test_delegations_are_seen_by_both_organisations_and_no_one_else(world, delegable):
    delegation = _delegate(world, delegable)
    assert delegation in set(selectors.delegations_visible(actor=as_actor(world, "mas_a")))
    assert delegation not in set(selectors.delegations_visible(actor=as_actor(world, "nurse_b")))


def test_the_register_page_links_a_delegation_to_a_case_by_its_number(world, delegable, case_in):
    case = case_in(CaseStatus.AGREED, tasks=(PD, MEDICATION))
    medication = CaseTask.objects.get(case=case, task_type=delegable)
    delegation = _delegate(world, delegable)
    nurse = signed_in(world.users["nurse_a"])
    url = reverse("competence:delegation-link", args=[delegation.public_id])

    answer = nurse.post(url, {"case_number": case.number.lower()}, follow=True)
    assert list(delegation.case_tasks.all()) == [medication]
    assert case.number in answer.content.decode()
    assert AccessLogEntry.objects.filter(user=world.users["nurse_a"], record_id=str(case.public_id)).exists()

    # Another kommun's case is "no case", whether or not it exists; nothing is linked.
    theirs = _delegate(world, delegable, by="nurse_b", receiver="kommun_b")
    for number in (case.number, "HSV-1999-000001"):
        link = reverse("competence:delegation-link", args=[theirs.public_id])
        page = signed_in(world.users["nurse_b"]).post(link, {"case_number": number}, follow=True)
        assert "HSV-" in page.content.decode()
        assert not theirs.case_tasks.exists()
    # A case without the delegated task says so.
    without = case_in(CaseStatus.AGREED, tasks=(PD,))
    page = nurse.post(url, {"case_number": without.number}, follow=True).content.decode()
    assert without.number in page
    assert list(delegation.case_tasks.all()) == [medication]
