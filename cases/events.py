"""Which changes of a responsibility case become webhooks: submitted, escalated, decided and agreed;
and a notification written for the person an API client acts as (``notification.created``).

Published through ``integrations.events.event_publish`` to the clients the case's own access rule lets
see it; the payload carries the case's id, status and link (and, once escalated, its level).
"""

from __future__ import annotations

from typing import Any

from access.cases import granting_membership
from integrations.events import api_url, event_publish
from integrations.models import ApiClient, WebhookEventKind

from .models import CaseStatus, EventKind, Notification, ResponsibilityCase


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


def notifications_created_publish(*, notification_ids: list[int]) -> list[int]:
    """``notification.created`` for each notification whose person is an API client's own service user,
    delivered to that client only: a notification is one person's, and no other client acts as them."""
    clients = dict(
        ApiClient.objects.filter(revoked_at__isnull=True, service_user__is_active=True).values_list(
            "service_user_id", "pk"
        )
    )
    ids: list[int] = []
    for notification in Notification.objects.filter(
        pk__in=notification_ids, user_id__in=list(clients)
    ).select_related("case"):
        user_id = notification.user_id
        ids += event_publish(
            WebhookEventKind.NOTIFICATION_CREATED,
            may_see=lambda actor, user_id=user_id: actor.user.pk == user_id,  # type: ignore[misc]
            data={
                "notification": {
                    "id": str(notification.public_id),
                    "kind": notification.kind,
                    "case": str(notification.case.public_id),
                    "due_at": notification.due_at.isoformat() if notification.due_at else None,
                    "url": api_url("v1:notification-detail", notification.public_id),
                }
            },
        )
    return ids
