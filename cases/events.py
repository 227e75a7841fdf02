"""Which changes of a responsibility case become webhooks: submitted, escalated, decided and agreed;
every recorded change of the case, its tasks or its risk analyses (``case.changed``, naming the kind of
change); and a notification written for a person an API client acts as (``notification.created``).

Published through ``integrations.events.event_publish`` to the clients the case's own access rule lets
see it; the payload carries the case's id, status and link (and, once escalated, its level).
"""

from __future__ import annotations

from typing import Any

from access.cases import granting_membership
from directory.models import Role
from integrations.events import api_url, event_publish
from integrations.models import ApiClient, ClientAccess, WebhookEventKind, WebhookSubscription

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


def case_changed_publish(*, case: ResponsibilityCase, change: str) -> list[int]:
    """``case.changed`` for one recorded event of the case (``change`` is the event's kind, e.g.
    ``accepted`` for a task review or ``analysis_signed``): a client that follows every change reads the
    case, its tasks and analyses again from the link, or syncs cases with ``updated_since``."""
    return event_publish(
        WebhookEventKind.CASE_CHANGED,
        may_see=lambda actor: granting_membership(actor, case) is not None,
        data={
            "case": {
                "id": str(case.public_id),
                "status": case.status,
                "url": api_url("v1:case-detail", case.public_id),
            },
            "change": change,
        },
    )


def notifications_created_publish(*, notification_ids: list[int]) -> list[int]:
    """``notification.created`` for each notification, delivered only to the API clients that act as its
    person: the client whose own service user it is, and every read-and-write client that may call on
    behalf of the person (``X-On-Behalf-Of``) in the organisation the person is told in, which must be in
    the client's scope (``integrations.delegation``: a person with an HSA-id, never as administrator).

    The payload names the notification, its kind, case and due time, the person's HSA-id (the value for
    ``X-On-Behalf-Of``; none for a service user) and a link; no patient data. The link answers only a
    call as that person.
    """
    subscribed = list(
        WebhookSubscription.objects.filter(
            is_active=True, client__revoked_at__isnull=True, client__service_user__is_active=True
        ).values_list("client_id", "client__service_user_id", "client__access", "events")
    )
    clients = {c: (u, a) for c, u, a, events in subscribed if WebhookEventKind.NOTIFICATION_CREATED in events}
    if not clients:
        return []
    service_users = {user_id for user_id, _access in clients.values()}
    on_behalf = [c for c, (_user, access) in clients.items() if access == ClientAccess.READ_WRITE]
    scopes: dict[int, set[int]] = {}
    for client_id, organisation_id in ApiClient.scope_organisations.through.objects.filter(
        apiclient_id__in=on_behalf, organisation__is_active=True
    ).values_list("apiclient_id", "organisation_id"):
        scopes.setdefault(organisation_id, set()).add(clients[client_id][0])
    ids: list[int] = []
    for notification in Notification.objects.filter(pk__in=notification_ids).select_related("case", "user"):
        person = notification.user
        receivers: set[int] = set()
        if person.pk in service_users:
            receivers.add(person.pk)
        elif person.hsa_id and notification.role != Role.ADMIN and notification.organisation_id is not None:
            receivers |= scopes.get(notification.organisation_id, set())
        if not receivers:
            continue
        ids += event_publish(
            WebhookEventKind.NOTIFICATION_CREATED,
            may_see=lambda actor, receivers=receivers: actor.user.pk in receivers,  # type: ignore[misc]
            data={
                "notification": {
                    "id": str(notification.public_id),
                    "kind": notification.kind,
                    "case": str(notification.case.public_id),
                    "person": person.hsa_id or None,
                    "due_at": notification.due_at.isoformat() if notification.due_at else None,
                    "url": api_url("v1:notification-detail", notification.public_id),
                }
            },
        )
    return ids
