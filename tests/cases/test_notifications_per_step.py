"""Every step that needs someone tells them: for each action of ``cases.transitions`` and each SIP step,
a case is driven there through the services, and the test asserts exactly who was notified (by person,
organisation and role), that the person who acted was not, that the step written again notifies nobody
twice, and that the e-mail went out at once, or waits for the person's daily digest.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from cases import services
from cases.models import (
    CaseEvent,
    CaseStatus,
    DecisionOutcome,
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
    ResponsibilityCase,
    RiskAnalysis,
)
from cases.selectors import case_get
from cases.transitions import TRANSITIONS, A
from sip import services as sip_services
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.cases import CaseDriver
from tests.fixtures.sip import fill
from tests.fixtures.world import World, as_actor

pytestmark = pytest.mark.django_db

S = CaseStatus
K = NotificationKind


@dataclass
class Done:
    """A step just taken: the case, who took it (a key of ``world.users``; ``None`` for the system)."""

    case: ResponsibilityCase
    by: str | None


def _submit(d: CaseDriver) -> Done:
    case = d.open(tasks=(PD, WOUND))
    return Done(d.submit(case), "nurse_a")


def _accept_some(d: CaseDriver) -> Done:
    case = d.submit(d.open(tasks=(PD, WOUND)))
    return Done(d.accept(case, tasks=[WOUND]), "gp_a")


def _accept_to_analysis(d: CaseDriver) -> Done:
    # PD is the clinic's to accept (it orders it).
    return Done(d.accept(d.to(S.IN_REVIEW)), "specialist")


def _accept_to_agreed(d: CaseDriver) -> Done:
    return Done(d.accept(d.to(S.IN_REVIEW, tasks=(WOUND,))), "gp_a")


def _dispute(d: CaseDriver) -> Done:
    # The kommun disputes PD, which it is asked to perform.
    return Done(d.dispute(d.to(S.IN_REVIEW), by="nurse_a"), "nurse_a")


def _dispute_after_rejection(d: CaseDriver) -> Done:
    case = d.to(S.AWAITING_APPROVAL)
    d.reject(case, RiskAnalysis.objects.filter(case=case).latest("number"))
    return Done(d.dispute(case, by="mas_a", text="Risken kan inte hanteras i kommunen."), "mas_a")


def _state_position(d: CaseDriver) -> Done:
    return Done(d.state_position(d.to(S.DISPUTED), by="nurse_a", text="Kommunen kan utföra."), "nurse_a")


def _escalate(d: CaseDriver) -> Done:
    return Done(d.escalate(d.to(S.DISPUTED)), "coordinator_a")


def _auto_escalate(d: CaseDriver) -> Done:
    case = d.to(S.IN_REVIEW)
    assert case.due_at is not None
    services.case_remind_if_overdue(case_id=case.pk, now=case.due_at + datetime.timedelta(minutes=1))
    case.refresh_from_db()
    assert case.status == S.ESCALATED
    return Done(case, None)


def _decide(d: CaseDriver) -> Done:
    # Lokal samverkan recommends: the case waits, escalated, for both parties to accept.
    case = d.decide(d.to(S.ESCALATED))
    assert case.status == S.ESCALATED
    return Done(case, "governance_lokal")


def _accept_recommendation(d: CaseDriver) -> Done:
    case = d.answer(d.decide(d.to(S.ESCALATED)), by="coordinator_a")
    case = d.answer(case, by="gp_a")
    assert case.status == S.RISK_ANALYSIS
    return Done(case, "gp_a")


def _decline_recommendation(d: CaseDriver) -> Done:
    return Done(d.answer(d.decide(d.to(S.ESCALATED)), by="gp_a", accept=False), "gp_a")


def _cannot_settle(d: CaseDriver) -> Done:
    case = d.cannot_settle(d.to(S.ESCALATED))
    assert case.escalation_level == 2
    return Done(case, "governance_lokal")


def _consent_skip(d: CaseDriver) -> Done:
    return Done(d.consent_skip(d.to(S.ESCALATED), by="coordinator_a"), "coordinator_a")


def _return_analysis(d: CaseDriver) -> Done:
    case = d.to(S.RISK_ANALYSIS)
    analysis = d.analyse(case)
    case.refresh_from_db()
    signer = d.signer(case)
    services.risk_analysis_return(
        actor=as_actor(d.world, signer),
        case=case,
        analysis=analysis,
        expected_version=None,
        reason="Åtgärd saknas för infektionsrisken.",
    )
    case.refresh_from_db()
    return Done(case, signer)


def _decide_withdrawn(d: CaseDriver) -> Done:
    return Done(d.decide(d.to(S.ESCALATED), outcome=DecisionOutcome.WITHDRAWN), "governance_lokal")


def _create_analysis(d: CaseDriver) -> Done:
    case = d.to(S.RISK_ANALYSIS)
    d.analyse(case)
    case.refresh_from_db()
    return Done(case, "nurse_a")


def _sign(d: CaseDriver) -> Done:
    return Done(d.to(S.AWAITING_APPROVAL), "specialist")


def _approve(d: CaseDriver) -> Done:
    return Done(d.to(S.AGREED), "mas_a")


def _reject(d: CaseDriver) -> Done:
    case = d.to(S.AWAITING_APPROVAL)
    d.reject(case, case.risk_analyses.get())
    return Done(case, "mas_a")


def _activate(d: CaseDriver) -> Done:
    return Done(d.to(S.ACTIVE), "nurse_a")


def _start_follow_up(d: CaseDriver) -> Done:
    return Done(d.to(S.FOLLOW_UP), "nurse_a")


def _resume(d: CaseDriver) -> Done:
    return Done(d.move(d.to(S.FOLLOW_UP), A.RESUME), "nurse_a")


def _close(d: CaseDriver) -> Done:
    return Done(d.move(d.to(S.FOLLOW_UP), A.CLOSE), "nurse_a")


def _withdraw(d: CaseDriver) -> Done:
    case = d.to(S.IN_REVIEW)
    services.case_withdraw(
        actor=as_actor(d.world, "nurse_a"), case=case, expected_version=None, reason="Flyttat."
    )
    case.refresh_from_db()
    return Done(case, "nurse_a")


def _comment(d: CaseDriver) -> Done:
    return Done(d.comment(d.to(S.IN_REVIEW), "Finns ordination?"), "coordinator_a")


def _update(d: CaseDriver) -> Done:
    case = d.open()
    services.case_update(
        actor=as_actor(d.world, "nurse_a"),
        case=case,
        expected_version=None,
        fields={"background": "Utskriven från njurmedicin."},
    )
    return Done(case, "nurse_a")


# action (or step) -> (how to get there, {person: kind}); a person absent from the dict got nothing.
CASE_STEPS: dict[str, tuple[Callable[[CaseDriver], Done], dict[str, str]]] = {
    "update": (_update, {}),
    # Each party the proposal makes answer for a task is asked: the clinic for PD, which it orders; the
    # vårdcentral for the wound care.
    "submit": (_submit, {"gp_a": K.REVIEW_REQUESTED, "specialist": K.REVIEW_REQUESTED}),
    "accept_some": (_accept_some, {"nurse_a": K.TASKS_ACCEPTED}),
    "accept": (_accept_to_analysis, {"nurse_a": K.ANALYSIS_REQUESTED, "gp_a": K.TASKS_ACCEPTED}),
    "accept_agreed": (_accept_to_agreed, {"nurse_a": K.CASE_AGREED, "specialist": K.CASE_AGREED}),
    "dispute": (
        _dispute,
        {"coordinator_a": K.CASE_DISPUTED, "gp_a": K.CASE_DISPUTED, "specialist": K.CASE_DISPUTED},
    ),
    "dispute_after_rejection": (
        _dispute_after_rejection,
        {
            "coordinator_a": K.CASE_DISPUTED,
            "nurse_a": K.CASE_DISPUTED,
            "gp_a": K.CASE_DISPUTED,
            "specialist": K.CASE_DISPUTED,
        },
    ),
    "state_position": (
        _state_position,
        {
            "coordinator_a": K.POSITION_STATED,
            "coordinator_vc_a": K.POSITION_STATED,
            "gp_a": K.POSITION_STATED,
            "specialist": K.POSITION_STATED,
        },
    ),
    "escalate": (
        _escalate,
        {
            "governance_lokal": K.CASE_ESCALATED,
            "coordinator_vc_a": K.CASE_ESCALATED,
            "nurse_a": K.CASE_ESCALATED,
            "gp_a": K.CASE_ESCALATED,
            "specialist": K.CASE_ESCALATED,
        },
    ),
    "auto_escalate": (
        _auto_escalate,
        {
            "governance_lokal": K.CASE_ESCALATED,
            "coordinator_vc_a": K.CASE_ESCALATED,
            "nurse_a": K.CASE_ESCALATED,
            "coordinator_a": K.CASE_ESCALATED,
            "gp_a": K.CASE_ESCALATED,
            "specialist": K.CASE_ESCALATED,
        },
    ),
    "decide": (
        _decide,
        {
            # Level 1 recommends: each party is asked to answer it (the nurse hears of it).
            "coordinator_a": K.RECOMMENDATION_MADE,
            "coordinator_vc_a": K.RECOMMENDATION_MADE,
            "mas_a": K.RECOMMENDATION_MADE,
            "nurse_a": K.RECOMMENDATION_MADE,
            "gp_a": K.RECOMMENDATION_MADE,
            "specialist": K.RECOMMENDATION_MADE,
        },
    ),
    "accept_recommendation": (
        _accept_recommendation,
        {
            "nurse_a": K.ANALYSIS_REQUESTED,
            "coordinator_a": K.CASE_DECIDED,
            "coordinator_vc_a": K.CASE_DECIDED,
            "specialist": K.CASE_DECIDED,
        },
    ),
    "decline_recommendation": (
        _decline_recommendation,
        {
            "coordinator_a": K.POSITION_STATED,
            "coordinator_vc_a": K.POSITION_STATED,
            "governance_lokal": K.POSITION_STATED,
        },
    ),
    "cannot_settle": (
        _cannot_settle,
        {
            "governance": K.CASE_ESCALATED,
            "coordinator_vc_a": K.CASE_ESCALATED,
            "nurse_a": K.CASE_ESCALATED,
            "coordinator_a": K.CASE_ESCALATED,
            "gp_a": K.CASE_ESCALATED,
            "specialist": K.CASE_ESCALATED,
        },
    ),
    "consent_skip": (_consent_skip, {"coordinator_vc_a": K.POSITION_STATED}),
    "return_analysis": (_return_analysis, {"nurse_a": K.ANALYSIS_REJECTED}),
    "decide_withdrawn": (
        _decide_withdrawn,
        {
            # A recommending level (level 1) recommends withdrawal: the parties answer it.
            "coordinator_vc_a": K.RECOMMENDATION_MADE,
            "mas_a": K.RECOMMENDATION_MADE,
            "nurse_a": K.RECOMMENDATION_MADE,
            "coordinator_a": K.RECOMMENDATION_MADE,
            "gp_a": K.RECOMMENDATION_MADE,
            "specialist": K.RECOMMENDATION_MADE,
        },
    ),
    "create_analysis": (_create_analysis, {"specialist": K.SIGNATURE_REQUESTED}),
    "sign_analysis": (_sign, {"mas_a": K.APPROVAL_REQUESTED}),
    "approve_analysis": (
        _approve,
        {"nurse_a": K.CASE_AGREED, "gp_a": K.CASE_AGREED, "specialist": K.CASE_AGREED},
    ),
    "reject_analysis": (_reject, {"nurse_a": K.ANALYSIS_REJECTED}),
    "activate": (_activate, {"gp_a": K.CASE_ACTIVE, "specialist": K.CASE_ACTIVE}),
    "start_follow_up": (_start_follow_up, {}),
    "resume": (_resume, {}),
    "close": (_close, {"gp_a": K.CASE_CLOSED, "specialist": K.CASE_CLOSED}),
    "withdraw": (_withdraw, {"gp_a": K.CASE_WITHDRAWN, "specialist": K.CASE_WITHDRAWN}),
    "comment": (
        _comment,
        {"nurse_a": K.COMMENTED, "gp_a": K.COMMENTED, "specialist": K.COMMENTED},
    ),
}


def test_the_table_covers_every_action_of_the_transition_table() -> None:
    assert {t.action for t in TRANSITIONS} <= set(CASE_STEPS)


@pytest.fixture
def emails(world: World) -> dict[str, str]:
    for key, user in world.users.items():
        user.email = f"{key}@example.org"
        user.save(update_fields=["email"])
    return {f"{key}@example.org": key for key in world.users}


def _last_step(case: ResponsibilityCase) -> CaseEvent:
    return (
        CaseEvent.objects.filter(case=case)
        .exclude(kind__in=["reminder", "mas_informed"])
        .exclude(to_status=S.SUBMITTED, from_status=S.DRAFT)
        .latest("pk")
    )


def _told(world: World, case: ResponsibilityCase, event: CaseEvent) -> dict[str, Notification]:
    by_user = {u.pk: key for key, u in world.users.items()}
    return {
        by_user[n.user_id]: n
        for n in Notification.objects.filter(case=case, deadline_key=f"event:{event.pk}")
    }


@pytest.mark.parametrize("step", list(CASE_STEPS))
def test_who_is_notified_at_each_step(
    step: str,
    drive: CaseDriver,
    world: World,
    emails: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    how, expected = CASE_STEPS[step]
    # One of the people told chooses the daily digest: told in the inbox at once, e-mailed later.
    digest_key = sorted(expected)[0] if expected else None
    if digest_key:
        NotificationPreference.objects.create(user=world.users[digest_key], email=EmailChoice.DIGEST)
    with django_capture_on_commit_callbacks(execute=True):
        done = how(drive)
    event = _last_step(done.case)
    told = _told(world, done.case, event)

    assert {key: n.kind for key, n in told.items()} == expected
    if done.by is not None:
        assert done.by not in told
    for key, n in told.items():
        membership = world.users[key].memberships.get(organisation_id=n.organisation_id, role=n.role)
        assert membership.user_id == n.user_id
        assert n.message
        assert done.case.patient.family_name not in n.message
        if n.acts and n.kind in (K.REVIEW_REQUESTED, K.APPROVAL_REQUESTED, K.CASE_ESCALATED):
            assert n.due_at is not None
            assert n.due_at > timezone.now()

    # E-mail: at once for the step's people, except the one who chose the digest.
    step_mail = [m for m in mail.outbox if m.body.startswith(tuple(n.message for n in told.values()))]
    assert sorted(emails[m.to[0]] for m in step_mail) == sorted(k for k in expected if k != digest_key)
    assert all("Hemsjukvård" in m.subject for m in step_mail)

    # The step written again (a retry) notifies nobody twice and sends no second e-mail.
    count, sent = Notification.objects.count(), len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.case_step_notify(actor=None, case=done.case, event=event) == []
    assert Notification.objects.count() == count
    assert len(mail.outbox) == sent

    if digest_key:
        # The digest: one e-mail listing the person's notifications, once, however often beat runs.
        waiting = Notification.objects.filter(user=world.users[digest_key], emailed_at__isnull=True)
        assert waiting.filter(pk=told[digest_key].pk).exists()
        mail.outbox.clear()
        for _ in range(2):
            with django_capture_on_commit_callbacks(execute=True):
                services.notifications_digest_schedule(now=timezone.now())
        assert [m.to for m in mail.outbox] == [[f"{digest_key}@example.org"]]
        assert told[digest_key].message in mail.outbox[0].body
        assert not waiting.exists()


def test_a_repeated_email_task_sends_once(drive: CaseDriver, emails: dict[str, str]) -> None:
    case = drive.submit(drive.open())
    ids = list(Notification.objects.filter(case=case).values_list("pk", flat=True))
    assert ids
    mail.outbox.clear()
    assert sum(services.notification_email(notification_id=i) for i in ids) == len(ids)
    assert sum(services.notification_email(notification_id=i) for i in ids) == 0
    assert len(mail.outbox) == len(ids)


# --- SIP steps -----------------------------------------------------------------------------------------


def test_sip_steps_tell_the_plans_organisations(
    world: World,
    drive: CaseDriver,
    emails: dict[str, str],
    django_capture_on_commit_callbacks: Any,
) -> None:
    nurse = as_actor(world, "nurse_a")
    case = drive.to(S.AGREED, tasks=(PD, WOUND))

    def told_of(kind: str) -> dict[str, str]:
        by_user = {u.pk: key for key, u in world.users.items()}
        return {
            by_user[n.user_id]: n.kind
            for n in Notification.objects.filter(case=case, kind=kind, deadline_key__startswith="sip-event:")
        }

    with django_capture_on_commit_callbacks(execute=True):
        sip = sip_services.sip_create_from_case(
            actor=nurse, case=case_get(actor=nurse, public_id=case.public_id)
        )
    # The split agreed for PD and wound care: the clinic orders and follows up, the vårdcentral orders
    # the wound care, kommun A performs; the nurse who started the plan is not told.
    assert told_of(K.SIP_STARTED) == {"specialist": K.SIP_STARTED, "gp_a": K.SIP_STARTED}

    fill(sip, nurse, world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        sip_services.sip_finalise(actor=nurse, sip=sip, expected_revision=None)
    assert told_of(K.SIP_FINALISED) == {"specialist": K.SIP_FINALISED, "gp_a": K.SIP_FINALISED}
    assert sorted(m.to[0] for m in mail.outbox if "SIP" in m.body) == [
        "gp_a@example.org",
        "specialist@example.org",
    ]

    with django_capture_on_commit_callbacks(execute=True):
        sip_services.sip_withdraw_consent(
            actor=nurse,
            sip=sip,
            expected_revision=None,
            withdrawn_by="person",
            withdrawn_by_name="Karin Svensson",
            withdrawn_on=timezone.localdate(),
        )
    assert told_of(K.SIP_CONSENT_WITHDRAWN) == {
        "specialist": K.SIP_CONSENT_WITHDRAWN,
        "gp_a": K.SIP_CONSENT_WITHDRAWN,
    }
