"""The one place where events for webhooks are published: the services call the ``*_publish`` helpers.

A published event becomes one ``WebhookDelivery`` per active subscription that wants its kind and whose
client may see the resource under the access rule the API itself applies (the client's actor, built from
its service user). The rows are written in the caller's transaction, so an event that is rolled back is
never delivered; the worker posts each one after commit. Payloads carry ids and minimal state only (no
names, no personnummer) and a link to the resource, which the API serves under the access rule again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from directory.actor import Actor
from hemsjukvard.outbox import outbox_enqueue

from .models import ApiClient, WebhookDelivery, WebhookEventKind, WebhookSubscription

if TYPE_CHECKING:
    from cases.models import ResponsibilityCase
    from documents.models import Document
    from sip.models import Sip, SipVersion


def _url(name: str, public_id: uuid.UUID) -> str:
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


# --- The helpers the services call -------------------------------------------------------------------


def case_events_publish(
    *, case: ResponsibilityCase, kind: str, from_status: str, to_status: str
) -> list[int]:
    """Called by ``cases.services`` for every recorded transition; publishes those integrators follow."""
    from access.cases import granting_membership
    from cases.models import CaseStatus, EventKind

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
                "url": _url("v1:case-detail", case.public_id),
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


def document_ready_publish(*, document_id: int) -> list[int]:
    """Called by ``documents.services`` in the transaction that marks a document ready."""
    from documents.models import Document

    document = Document.objects.select_related("patient").get(pk=document_id)
    return event_publish(
        WebhookEventKind.DOCUMENT_READY,
        may_see=lambda actor: _may_see_document(actor, document),
        data={
            "document": {
                "id": str(document.public_id),
                "kind": document.kind,
                "status": document.status,
                "source_id": str(document.source_id),
                "source_version": document.source_version,
                "language": document.language,
                "url": _url("v1:document-detail", document.public_id),
            }
        },
    )


def _may_see_document(actor: Actor, document: Document) -> bool:
    # The rule of ``documents.selectors``: the patient's access rule, and the identity printed in the
    # PDF only for those who may see it (others fetch the masked print).
    from access.patients import granting_membership, identity_visible, patient_facts

    facts = patient_facts(document.patient)
    if granting_membership(actor, facts) is None:
        return False
    return document.identity_masked or identity_visible(
        actor, facts, protected_identity=document.patient.protected_identity
    )


def sip_finalised_publish(*, sip: Sip, version: SipVersion) -> list[int]:
    """Called by ``sip.services`` when a SIP version is finalised."""
    from access.patients import granting_membership, patient_facts

    facts = patient_facts(sip.patient)
    return event_publish(
        WebhookEventKind.SIP_FINALISED,
        may_see=lambda actor: granting_membership(actor, facts) is not None,
        data={
            "sip": {
                "id": str(sip.public_id),
                "status": sip.status,
                "version": version.number,
                "version_id": str(version.public_id),
                "case_id": str(sip.case.public_id) if sip.case_id and sip.case else None,
                "url": _url("v1:sip-detail", sip.public_id),
            }
        },
    )
