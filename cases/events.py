"""Which changes of a responsibility case become webhooks: submitted, escalated, decided and agreed.

Published through ``integrations.events.event_publish`` to the clients the case's own access rule lets
see it; the payload carries the case's id, status and link (and, once escalated, its level).
"""

from __future__ import annotations

from typing import Any

from access.cases import granting_membership
from integrations.events import api_url, event_publish
from integrations.models import WebhookEventKind

from .models import CaseStatus, EventKind, ResponsibilityCase


def case_events_publish(
    *, case: ResponsibilityCase, kind: str, from_status: str, to_status: str
) -> list[int]:
    """Called by ``cases.services`` for every recorded transition; publishes those integrators follow."""
    kinds: list[str] = []
    if to_status == CaseStatus.SUBMITTED and from_status != CaseStatus.SUBMITTED:
        kinds.append(WebhookEventKind.CASE_SUBMITTED)
    if kind == EventKind.ESCALATED:
        kinds.append(WebhookEventKind.CASE_ESCALATED)
    if kind == EventKind.DECIDED:
        kinds.append(WebhookEventKind.CASE_DECIDED)
    if to_status == CaseStatus.AGREED and from_status != CaseStatus.AGREED:
        kinds.append(WebhookEventKind.CASE_AGREED)
    ids: list[int] = []
    for event_kind in kinds:
        data: dict[str, Any] = {
            "case": {
                "id": str(case.public_id),
                "status": to_status,
                "url": api_url("v1:case-detail", case.public_id),
            }
        }
        if event_kind in (WebhookEventKind.CASE_ESCALATED, WebhookEventKind.CASE_DECIDED):
            data["case"]["escalation_level"] = case.escalation_level
        ids += event_publish(
            event_kind,
            may_see=lambda actor: granting_membership(actor, case) is not None,
            data=data,
        )
    return ids
