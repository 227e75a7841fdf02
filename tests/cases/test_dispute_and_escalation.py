"""Disputes climb the agreement's ladder until a body settles them; an unanswered review may escalate
itself. A level climbs only when it cannot settle the case (its body says so, or a party declines its
recommendation, or its deadline passes)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AccessLogEntry
from cases import tasks as case_tasks
from cases.models import CaseEvent, EscalationDecision, Notification, Position, ResponsibilityCase
from tests.fixtures.agreements import PD

pytestmark = pytest.mark.django_db


def test_dispute_to_level_3_and_a_governance_decision(world, halland, case_in, act, api):
    u, o = world.users, world.orgs
    case = case_in("in_review")
    task = case.tasks.get()

    # The kommun, asked to perform PD, disputes it.
    response = act(
        u["nurse_a"],
        case,
        f"cases/{case.public_id}/dispute",
        {
            "positions": [
                {
                    "task": str(task.public_id),
                    "text": "Njurmedicin bör utföra PD.",
                    "performs": str(o["clinic"].public_id),
                }
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "disputed"

    # The clinic states its position; a correction is a new entry, never an edit.
    for text in ("Kommunen kan utföra PD efter utbildning.", "Rättelse: efter utbildning och med jour."):
        response = act(
            u["specialist"],
            case,
            f"cases/{case.public_id}/positions",
            {"positions": [{"task": str(task.public_id), "text": text}]},
        )
        assert response.status_code == 200, response.content
    assert Position.objects.filter(case=case).count() == 3

    # The nurse may not escalate; the coordinator may ask level 1.
    assert act(u["nurse_a"], case, f"cases/{case.public_id}/escalate", {"reason": "x"}).status_code == 403

    def escalated_to(level, body, response):
        assert response.status_code == 200, response.content
        data = response.json()
        assert data["status"] == "escalated"
        assert data["escalation_level"] == level
        assert data["escalation_body"]["id"] == str(body.public_id)
        assert data["due_at"] is not None

    escalate = f"cases/{case.public_id}/escalate"
    escalated_to(1, halland.lokal_a, act(u["coordinator_a"], case, escalate, {"reason": "Oenighet."}))
    # Level 1 recommends; the vårdcentral declines, so the coordinator may take the case on to level 2.
    recommendation = {
        "outcome": "agreed",
        "reasons": "Lokal samverkan rekommenderar att kommunen utför PD.",
        "splits": [
            {
                "task": str(task.public_id),
                "orders": str(o["clinic"].public_id),
                "performs": str(o["kommun_a"].public_id),
                "follows_up": str(o["clinic"].public_id),
            }
        ],
    }
    response = act(u["governance_lokal"], case, f"cases/{case.public_id}/decide", recommendation)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "escalated"
    response = act(
        u["gp_a"], case, f"cases/{case.public_id}/decline-recommendation", {"reason": "Vi godtar inte."}
    )
    assert response.status_code == 200, response.content
    escalated_to(
        2, halland.rug, act(u["coordinator_a"], case, escalate, {"reason": "Avböjd rekommendation."})
    )
    # RUG finds it cannot settle the case: it goes to level 3 at once.
    response = act(
        u["governance"], case, f"cases/{case.public_id}/cannot-settle", {"reason": "Principfråga."}
    )
    escalated_to(3, halland.gnhh, response)
    # There is no level 4.
    response = act(u["coordinator_a"], case, escalate, {"reason": "Igen."})
    assert response.status_code == 409

    # Only a member of the level-3 body decides.
    decision = {
        "outcome": "agreed",
        "reasons": "Enligt § 5.3 utför kommunen PD; njurmedicin ordinerar och följer upp.",
        "splits": [
            {
                "task": str(task.public_id),
                "orders": str(o["clinic"].public_id),
                "performs": str(o["kommun_a"].public_id),
                "follows_up": str(o["clinic"].public_id),
            }
        ],
    }
    # The earlier levels' bodies still read the case (they handled it) but act on it no more.
    assert act(u["governance"], case, f"cases/{case.public_id}/decide", decision).status_code == 403
    assert act(u["governance_lokal"], case, f"cases/{case.public_id}/decide", decision).status_code == 403
    response = act(u["governance_gnhh"], case, f"cases/{case.public_id}/decide", decision)
    assert response.status_code == 200, response.content
    data = response.json()
    # PD requires a risk analysis, so the decided case goes on to one rather than straight to agreed.
    assert data["status"] == "risk_analysis"
    assert data["tasks"][0]["review_state"] == "decided"
    assert data["tasks"][0]["agreed_performs"]["id"] == str(o["kommun_a"].public_id)
    decided = EscalationDecision.objects.get(case=case, level=3)
    assert decided.level == 3
    assert decided.decided_by == u["governance_gnhh"]
    # The body that decided keeps reading the case and its decision (logged through its membership), and
    # acts on it no more; so do the bodies of the levels that handled the case before it.
    gnhh = u["governance_gnhh"].memberships.get()
    before = AccessLogEntry.objects.filter(user=u["governance_gnhh"], outcome="granted").count()
    read = api(u["governance_gnhh"]).get(f"/api/v1/cases/{case.public_id}")
    assert read.status_code == 200
    assert read.json()["status"] == "risk_analysis"
    logged = AccessLogEntry.objects.filter(user=u["governance_gnhh"], outcome="granted").order_by("-pk")
    assert logged.count() > before
    assert logged.first().organisation_id == gnhh.organisation_id
    again = act(u["governance_gnhh"], case, f"cases/{case.public_id}/decide", decision)
    assert again.status_code == 409
    assert api(u["governance"]).get(f"/api/v1/cases/{case.public_id}").status_code == 200
    assert api(u["governance_lokal"]).get(f"/api/v1/cases/{case.public_id}").status_code == 200
    page = Client()
    page.force_login(u["governance_gnhh"])
    assert page.get(f"/cases/{case.public_id}/").status_code == 200


def test_decision_without_a_split_for_every_open_task_writes_nothing(world, halland, case_in, act):
    case = case_in("escalated")
    before = CaseEvent.objects.filter(case=case).count()
    response = act(
        world.users["governance_lokal"],
        case,
        f"cases/{case.public_id}/decide",
        {"outcome": "agreed", "reasons": "Se protokoll."},
    )
    assert response.status_code == 400
    assert CaseEvent.objects.filter(case=case).count() == before
    assert not EscalationDecision.objects.exists()


def test_missed_review_auto_escalates_and_reminds_once(
    world, halland, case_in, django_capture_on_commit_callbacks
):
    case = case_in("in_review", tasks=(PD,))
    ResponsibilityCase.objects.filter(pk=case.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))

    with django_capture_on_commit_callbacks(execute=True):
        sent = case_tasks.remind_overdue()
    with django_capture_on_commit_callbacks(execute=True):
        again = case_tasks.remind_overdue()

    case.refresh_from_db()
    assert case.status == "escalated"
    assert case.escalation_level == 1
    assert case.escalation_body == halland.lokal_a
    assert case.due_at > timezone.now()
    # The GP (owner of the review) and the vårdcentral's coordinator are told, once.
    recipients = set(
        Notification.objects.filter(case=case, kind="deadline_passed").values_list(
            "user__username", flat=True
        )
    )
    # The review's holders and the clinic, whose answer on the PD it orders the review still awaits.
    assert recipients == {"gp.a", "coordinator.vc.a", "specialist"}
    assert sent == 3
    assert again == 0
    reminders = [m for m in mail.outbox if m.subject == gettext("Hemsjukvård: a deadline has passed")]
    assert sorted(m.to[0] for m in reminders) == [
        "coordinator_vc_a@example.org",
        "gp_a@example.org",
        "specialist@example.org",
    ]
    events = list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("kind", "action"))
    assert events[-2:] == [("reminder", "remind"), ("escalated", "auto_escalate")]
    assert CaseEvent.objects.filter(case=case, user__isnull=True).count() == 2


def test_without_auto_escalation_a_missed_deadline_only_reminds(world, halland, case_in):
    halland.version.auto_escalate_unanswered_review = False
    halland.version.save(update_fields=["auto_escalate_unanswered_review"])
    case = case_in("in_review")
    ResponsibilityCase.objects.filter(pk=case.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    case_tasks.remind_overdue()
    case.refresh_from_db()
    assert case.status == "in_review"
    assert CaseEvent.objects.filter(case=case, kind="reminder").count() == 1
