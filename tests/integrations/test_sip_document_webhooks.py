"""``sip.changed``, ``document.ready`` and ``document.failed``: one delivery per recorded change, through
the outbox, only to clients that may see the plan or the print, and no name or personnummer in them."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from cases.models import ResponsibilityCase
from cases.selectors import case_get
from directory.actor import Actor
from directory.models import Role
from documents import services as document_services
from documents.models import DocumentStatus
from hemsjukvard.models import OutboxMessage
from integrations import services
from integrations.models import WebhookDelivery, WebhookEventKind
from sip import services as sip_services
from sip.models import SipEvent
from tests.fixtures.cases import CaseDriver
from tests.fixtures.sip import fill
from tests.fixtures.world import make_user

pytestmark = pytest.mark.django_db

DELIVER = "integrations.tasks.deliver_webhook"


def _outboxed(deliveries: list[WebhookDelivery]) -> list[int]:
    sent = OutboxMessage.objects.filter(task_name=DELIVER).values_list("kwargs", flat=True)
    return sorted(
        kwargs["delivery_id"] for kwargs in sent if kwargs["delivery_id"] in {d.pk for d in deliveries}
    )


def test_every_recorded_change_of_a_sip_is_one_sip_changed_delivery(world, make_client, agreed_case) -> None:
    """Started, drafted, the biståndshandläggare named, finalised, handed out, followed up into a new
    version, consent withdrawn: each recorded change is one delivery naming it, sent through the outbox;
    a client whose scope misses the plan hears nothing."""
    follower = make_client("Kommun A följer planer", scope=("kommun_a",))
    stranger = make_client("Kommun B följer planer", scope=("kommun_b",))
    for issued in (follower, stranger):
        services.subscription_create(
            client=issued.client, url="https://plan.example.org/h", events=[WebhookEventKind.SIP_CHANGED]
        )
    nurse = Actor.for_user(world.users["nurse_a"])
    handlaggare = make_user("bistand.webhook", (world.orgs["kommun_a"], Role.BISTANDSHANDLAGGARE))
    sip = sip_services.sip_create_from_case(
        actor=nurse, case=case_get(actor=nurse, public_id=agreed_case.public_id)
    )
    fill(sip, nurse, world)
    sip_services.sip_update_draft(
        actor=nurse,
        sip=sip,
        expected_revision=None,
        changes=sip_services.DraftChanges(fields={}, bistandshandlaggare=handlaggare),
    )
    sip_services.sip_finalise(actor=nurse, sip=sip, expected_revision=None)
    today = timezone.localdate()
    sip_services.sip_record_distribution(
        actor=nurse,
        sip=sip,
        expected_revision=None,
        recipient_kind="person",
        recipient_name="Karin Svensson",
        method="by_hand",
        given_on=today,
    )
    sip_services.sip_record_follow_up(
        actor=nurse, sip=sip, expected_revision=None, held_on=today, outcome="new_version", notes="Bra."
    )
    sip_services.sip_withdraw_consent(
        actor=nurse,
        sip=sip,
        expected_revision=None,
        withdrawn_by="person",
        withdrawn_by_name="Karin Svensson",
        withdrawn_on=today,
    )

    recorded = list(SipEvent.objects.filter(sip=sip).order_by("pk").values_list("kind", flat=True))
    assert recorded == [
        "created",
        "draft_changed",
        "draft_changed",
        "finalised",
        "distributed",
        "followed_up",
        "consent_withdrawn",
    ]
    delivered = list(
        WebhookDelivery.objects.filter(subscription__client=follower.client, kind="sip.changed").order_by(
            "pk"
        )
    )
    assert [d.payload["data"]["change"] for d in delivered] == recorded
    assert _outboxed(delivered) == [d.pk for d in delivered]
    assert len({d.event_id for d in delivered}) == len(delivered)
    finalised = delivered[3].payload
    assert finalised["type"] == "sip.changed"
    assert finalised["data"]["sip"] == {
        "id": str(sip.public_id),
        "status": "finalised",
        "version": 1,
        "version_id": finalised["data"]["sip"]["version_id"],
        "case_id": str(agreed_case.public_id),
        "url": finalised["data"]["sip"]["url"],
    }
    assert finalised["data"]["sip"]["url"].endswith(f"/api/v1/sips/{sip.public_id}")
    # Ids, state and a link only: no one's name, no personnummer.
    patient = agreed_case.patient
    text = json.dumps([d.payload for d in delivered], ensure_ascii=False)
    for secret in (patient.given_name, patient.family_name, patient.personal_identity, "Karin", "Svensson"):
        assert secret not in text
    assert handlaggare.username not in text
    assert not WebhookDelivery.objects.filter(subscription__client=stranger.client).exists()


def test_a_print_that_fails_and_one_that_is_ready_are_each_one_delivery(make_case_world, make_client) -> None:
    """``document.failed`` when rendering fails (here: the case moved on after the notice was asked
    for), ``document.ready`` when the PDF is stored; each for its own subscribers, without the reason."""
    cw = make_case_world(events=1)
    world = cw.world
    issued = make_client("Kommun A skriver ut", scope=("kommun_a",))
    failed_sub = services.subscription_create(
        client=issued.client, url="https://print.example.org/f", events=[WebhookEventKind.DOCUMENT_FAILED]
    )
    ready_sub = services.subscription_create(
        client=issued.client, url="https://print.example.org/r", events=[WebhookEventKind.DOCUMENT_READY]
    )
    nurse = Actor.for_user(world.users["nurse_a"])

    def ask() -> int:
        document = document_services.document_request(
            actor=nurse, kind="escalation_notice", source_id=cw.case.public_id, language="sv"
        )
        return int(document.pk)

    old = ask()
    CaseDriver(world).comment(ResponsibilityCase.objects.get(pk=cw.case.pk), "Ett nytt besked.")
    current = ask()
    assert document_services.document_render(document_id=old, worker="w1").status == DocumentStatus.FAILED
    assert document_services.document_render(document_id=current, worker="w1").status == DocumentStatus.READY
    # Rendering again changes nothing and tells no one again.
    assert document_services.document_render(document_id=old, worker="w2").status == DocumentStatus.FAILED

    failed = list(WebhookDelivery.objects.filter(subscription=failed_sub))
    ready = list(WebhookDelivery.objects.filter(subscription=ready_sub))
    assert [d.kind for d in failed] == ["document.failed"]
    assert [d.kind for d in ready] == ["document.ready"]
    assert _outboxed(failed + ready) == sorted(d.pk for d in failed + ready)
    data = failed[0].payload["data"]["document"]
    assert data["status"] == "failed"
    assert set(data) == {"id", "kind", "status", "source_id", "source_version", "language", "url"}
    assert "failure_reason" not in json.dumps(failed[0].payload)
    for secret in (cw.patient.given_name, cw.patient.family_name, cw.patient.personal_identity):
        assert secret not in json.dumps(failed[0].payload, ensure_ascii=False)


def test_a_stranger_hears_of_no_print(make_case_world, make_client) -> None:
    cw = make_case_world(events=1)
    stranger = make_client("Kommun B skriver ut", scope=("kommun_b",))
    services.subscription_create(
        client=stranger.client,
        url="https://print.example.org/x",
        events=[WebhookEventKind.DOCUMENT_FAILED, WebhookEventKind.DOCUMENT_READY],
    )
    nurse = Actor.for_user(cw.world.users["nurse_a"])
    document = document_services.document_request(
        actor=nurse, kind="escalation_notice", source_id=cw.case.public_id, language="sv"
    )
    CaseDriver(cw.world).comment(ResponsibilityCase.objects.get(pk=cw.case.pk), "Ett nytt besked.")
    assert document_services.document_render(document_id=document.pk, worker="w1").status == "failed"
    assert not WebhookDelivery.objects.filter(subscription__client=stranger.client).exists()


def test_a_plan_changed_before_anyone_subscribed_is_told_to_no_one(world, agreed_case) -> None:
    nurse = Actor.for_user(world.users["nurse_a"])
    sip = sip_services.sip_create_from_case(
        actor=nurse, case=case_get(actor=nurse, public_id=agreed_case.public_id)
    )
    assert SipEvent.objects.filter(sip=sip).count() == 1
    assert not WebhookDelivery.objects.exists()
    assert not OutboxMessage.objects.filter(task_name=DELIVER).exists()
