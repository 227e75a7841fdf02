"""Redis goes away while a nurse works: nothing she causes is lost, and nothing is sent twice.

A real, throwaway Redis is killed; the nurse submits a case and asks for a document, and the deadline
sweep reminds about an overdue case. The requests succeed, the work waits in the transactional outbox,
/healthz says 503. Redis comes back empty (it kept nothing); the relay publishes each message once, and
a real worker then renders the document, e-mails the reminder and posts the webhook, each once.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.models import CaseStatus, Notification, ResponsibilityCase
from cases.tasks import remind_overdue
from documents.models import Document, DocumentStatus
from hemsjukvard.api.concurrency import etag_for
from hemsjukvard.models import OutboxMessage
from integrations import services as integrations
from integrations.models import ClientAccess, DeliveryStatus, WebhookDelivery

from .conftest import Broker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _submit(api: Any, user: Any, case: ResponsibilityCase) -> Any:
    case.refresh_from_db()
    return api(user).post(
        f"/api/v1/cases/{case.public_id}/submit",
        {},
        format="json",
        HTTP_IF_MATCH=etag_for(case, version=case.version),
    )


def _pending() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(sent_at__isnull=True).order_by("pk"))


def test_redis_down_while_a_nurse_submits_loses_and_doubles_nothing(
    broker: Broker,
    run_worker,
    world,
    halland,
    case_in,
    api,
    client,
    receiver,
) -> None:
    nurse = world.users["nurse_a"]
    first, second = case_in(), case_in()
    escalated = case_in(CaseStatus.ESCALATED)
    overdue = case_in(CaseStatus.IN_REVIEW)
    ResponsibilityCase.objects.filter(pk=overdue.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    # An integrator follows submitted cases of kommun A.
    issued = integrations.api_client_create(
        name="Journalsystem A",
        organisation=world.orgs["kommun_a"],
        scope=[world.orgs["kommun_a"]],
        access=ClientAccess.READ,
        contact_email="it@example.org",
    )
    integrations.subscription_create(client=issued.client, url=receiver.url, events=["case.submitted"])
    broker.redis.client().delete(broker.queue)

    # Redis up: the fast path publishes at once, after commit.
    assert _submit(api, nurse, first).status_code == 200
    assert _pending() == []
    sent_before = broker.redis.messages(broker.queue)
    # The webhook of the first submission, and the e-mail telling its reviewers it is their turn.
    assert sorted(m["task"] for m in sent_before) == [
        "cases.tasks.notifications_email",
        "integrations.tasks.deliver_webhook",
    ]

    last_before = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    broker.redis.stop()

    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["broker"]["ok"] is False

    response = _submit(api, nurse, second)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == CaseStatus.IN_REVIEW
    second.refresh_from_db()
    assert second.status == CaseStatus.IN_REVIEW
    document = api(nurse).post(
        "/api/v1/documents",
        {"kind": "escalation_notice", "source_id": str(escalated.public_id)},
        format="json",
    )
    assert document.status_code == 202, document.content
    assert remind_overdue() >= 1  # the beat task's body, as a worker that already had it would run it

    pending = _pending()
    delivery = WebhookDelivery.objects.get(payload__data__case__id=str(second.public_id))
    doc = Document.objects.get()
    notifications = sorted(
        Notification.objects.filter(case=overdue, pk__gt=last_before).values_list("pk", flat=True)
    )
    assert notifications
    told = sorted(Notification.objects.filter(case=second, pk__gt=last_before).values_list("pk", flat=True))
    assert told  # the reviewers of the second submission are told, though Redis is down

    def described(message: OutboxMessage) -> tuple[str, tuple[tuple[str, Any], ...]]:
        kwargs = {k: sorted(v) if isinstance(v, list) else v for k, v in message.kwargs.items()}
        return message.task_name, tuple(sorted(kwargs.items()))

    others = [described(m) for m in pending if m.task_name != "cases.tasks.notifications_email"]
    assert sorted(others) == sorted(
        [
            ("integrations.tasks.deliver_webhook", (("delivery_id", delivery.pk),)),
            ("documents.tasks.render_document", (("document_id", doc.pk),)),
        ]
    )
    # Each reminder and each "your turn" notice waits to be e-mailed, once.
    emailed = [
        pk
        for m in pending
        if m.task_name == "cases.tasks.notifications_email"
        for pk in m.kwargs["notification_ids"]
    ]
    assert sorted(emailed) == sorted(notifications + told)
    assert all(m.attempts >= 1 and m.last_error for m in pending[:1])  # the fast path tried and said why

    # Redis comes back empty: what it held before the crash (the first webhook) is gone with it.
    broker.redis.start()
    assert client.get("/healthz").status_code == 200
    call_command("relay_outbox")
    assert _pending() == []
    published = broker.redis.messages(broker.queue)
    assert Counter(m["id"] for m in published) == Counter(str(m.public_id) for m in pending)
    assert {m["task"] for m in published} == {m.task_name for m in pending}

    # A second relay (beat and an operator at once, say) publishes nothing again.
    call_command("relay_outbox")
    assert len(broker.redis.messages(broker.queue)) == len(pending)

    # A real worker consumes them: each effect happens once.
    run_worker("w1")
    wait_until(
        lambda: Document.objects.get(pk=doc.pk).status == DocumentStatus.READY,
        timeout=90,
        what="the document",
    )
    wait_until(
        lambda: (
            not Notification.objects.filter(pk__in=notifications + told, emailed_at__isnull=True).exists()
        ),
        timeout=30,
        what="the reminder and turn e-mails",
    )
    wait_until(
        lambda: WebhookDelivery.objects.get(pk=delivery.pk).status == DeliveryStatus.DELIVERED,
        timeout=30,
        what="the webhook",
    )
    assert Document.objects.get(pk=doc.pk).attempts == 1
    bodies = [r.body for r in receiver.received]
    assert sum(str(second.public_id).encode() in body for body in bodies) == 1
    assert broker.redis.client().llen(broker.queue) == 0
