"""Hand-built cases with known timestamps, for figures with known answers."""

from __future__ import annotations

import datetime
import zoneinfo
from unittest import mock

from agreements.models import CareTaskType
from cases.models import CaseEvent, CaseTask, EventKind, ResponsibilityCase
from tests.fixtures.world import World

TZ = zoneinfo.ZoneInfo("Europe/Stockholm")


def at(day: str, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour), tzinfo=TZ)


def task_type(code: str, kind: str = "nursing") -> CareTaskType:
    found, _ = CareTaskType.objects.get_or_create(
        code=code,
        defaults={"name_sv": f"{code} sv", "name_en": f"{code} en", "kind": kind, "care_level": "primary"},
    )
    return found


def make_case(
    world: World,
    *,
    patient=None,
    kommun: str = "kommun_a",
    vardcentral: str | None = "vc_a",
    status: str = "agreed",
    submitted: datetime.datetime | None = None,
    agreed: datetime.datetime | None = None,
    trigger: str = "changed_needs",
    tasks: tuple[tuple[str, str], ...] = (),
    **fields,
) -> ResponsibilityCase:
    patient = patient or world.patient(kommun=kommun, vardcentral=vardcentral)
    extra = {}
    if status == "closed":
        extra["closed_at"] = agreed or submitted
    if status == "escalated":
        extra.update(escalation_level=1, escalation_body=world.orgs["body"])
    case = ResponsibilityCase.objects.create(
        patient=patient,
        opened_by=world.users["nurse_a"],
        opened_by_organisation=world.orgs[kommun],
        kommun=world.orgs[kommun],
        vardcentral=world.orgs[vardcentral] if vardcentral else None,
        trigger=trigger,
        status=status,
        submitted_at=submitted,
        agreed_at=agreed,
        **extra,
        **fields,
    )
    for code, proposal_status in tasks:
        decided = proposal_status == "unclear-decided"
        CaseTask.objects.create(
            case=case,
            task_type=task_type(code),
            proposal_status="unclear" if decided else proposal_status,
            review_state="decided" if decided else "pending",
            agreed_performs=world.orgs[kommun] if decided else None,
        )
    return case


def event(
    case: ResponsibilityCase, when: datetime.datetime, kind: str, to_status: str = "", **payload
) -> CaseEvent:
    with mock.patch("django.utils.timezone.now", return_value=when):
        return CaseEvent.objects.create(case=case, kind=kind, to_status=to_status, payload=payload)


def escalate(case, when, level):
    return event(case, when, EventKind.ESCALATED, "escalated", level=level)


def refresh_facts():
    """What the worker does every 15 minutes: bring the figures' snapshot up to date.

    Call it after writing cases and before reading figures, as the figures read the snapshot once one
    exists (``figures.facts``); without any refresh they are counted live.
    """
    from figures.facts import facts_refresh

    result = facts_refresh()
    assert result is not None, "another refresh held the lock"
    return result


def request_report(client, capture_on_commit, *, start: str = "2025-01-01", end: str = "2025-03-31"):
    """Ask for the PDF report through the API and let the worker's task run at once (eagerly)."""
    from hemsjukvard.celery import app

    app.conf.task_always_eager = True
    try:
        with capture_on_commit(execute=True):
            return client.post("/api/v1/figures/reports", {"start": start, "end": end}, format="json")
    finally:
        app.conf.task_always_eager = False
