"""Webhook events: the generic publish that every app's ``events`` module calls.

Which changes become webhooks is decided by the app the records belong to (``cases.events``,
``sip.events``, ``documents.events``): each builds the payload and passes its own access rule as
``may_see``. This module knows no app above ``directory``.

A published event becomes one ``WebhookDelivery`` per active subscription that wants its kind and whose
client may see the resource under the access rule the API itself applies (the client's actor, built from
its service user). The rows are written in the caller's transaction, so an event that is rolled back is
never delivered; the worker posts each one after commit. Payloads carry ids and minimal state only (no
names, no personnummer) and a link to the resource, which the API serves under the access rule again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from directory.actor import Actor
from hemsjukvard.outbox import outbox_enqueue

from .models import ApiClient, WebhookDelivery, WebhookEventKind, WebhookSubscription


def api_url(name: str, public_id: uuid.UUID) -> str:
    """The absolute link to a resource of the API (``name`` as in ``reverse``), for a payload."""
    base = str(settings.WEBHOOKS_API_BASE_URL).rstrip("/")
    return base + reverse(name, kwargs={"id": public_id})


def _subscribers(kind: str) -> dict[ApiClient, list[WebhookSubscription]]:
    by_client: dict[ApiClient, list[WebhookSubscription]] = {}
    # Few subscriptions exist, and ``events`` is JSON: filtered here, the same on SQLite and PostgreSQL.
    subscriptions = WebhookSubscription.objects.filter(
        is_active=True, client__revoked_at__isnull=True, client__service_user__is_active=True
    ).select_related("client", "client__service_user")
    for subscription in subscriptions:
        if kind in subscription.events:
            by_client.setdefault(subscription.client, []).append(subscription)
    return by_client


def event_publish(kind: str, *, may_see: Callable[[Actor], bool], data: dict[str, Any]) -> list[int]:
    """Write the deliveries of one event for every subscriber allowed to see it; post them after commit.

    ``may_see`` is the resource's own access rule applied to a client's actor; ``data`` is the payload's
    ``data`` (ids, state, links only).
    """
    assert kind in WebhookEventKind.values, kind
    subscribers = _subscribers(kind)
    if not subscribers:
        return []
    event_id = uuid.uuid4()
    payload = {
        "id": str(event_id),
        "type": kind,
        "created_at": timezone.now().isoformat(),
        "data": data,
    }
    deliveries: list[WebhookDelivery] = []
    for client, subscriptions in subscribers.items():
        actor = Actor.for_user(client.service_user, api_client=client.name)
        if not may_see(actor):
            continue
        deliveries.extend(
            WebhookDelivery(
                subscription=subscription,
                event_id=event_id,
                kind=kind,
                payload=payload,
                next_attempt_at=timezone.now(),
            )
            for subscription in subscriptions
        )
    if not deliveries:
        return []
    created = WebhookDelivery.objects.bulk_create(deliveries)
    ids = [d.pk for d in created]
    for delivery_id in ids:
        # The transactional outbox: sent after commit, or by its relay if Redis is down then.
        outbox_enqueue("integrations.tasks.deliver_webhook", kwargs={"delivery_id": delivery_id})
    return ids
