"""A claim is a lease: a document whose worker stopped renewing it is queued again, by the beat sweep
or by asking again; a live worker's claim and a ready document are left alone."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from directory.actor import Actor
from documents import services
from documents.models import Document, DocumentStatus
from hemsjukvard.models import OutboxMessage
from tests.fixtures.documents import CaseWorld

pytestmark = pytest.mark.django_db


def _requested(case_world: CaseWorld) -> Document:
    actor = Actor.for_user(case_world.world.users["nurse_a"])
    return services.document_request(
        actor=actor, kind="escalation_notice", source_id=case_world.case.public_id, language="sv"
    )


def _claimed(document: Document, *, seconds_ago: float) -> None:
    Document.objects.filter(pk=document.pk).update(
        status=DocumentStatus.RENDERING,
        claimed_by="gone-worker:1",
        claimed_at=timezone.now() - datetime.timedelta(seconds=seconds_ago),
        attempts=1,
    )


def _render_messages(document: Document) -> int:
    return OutboxMessage.objects.filter(
        task_name="documents.tasks.render_document", kwargs={"document_id": document.pk}
    ).count()


def test_the_sweep_queues_again_a_document_whose_claim_was_not_renewed(case_world, settings) -> None:
    settings.DOCUMENT_CLAIM_LEASE_SECONDS = 30
    document = _requested(case_world)
    sent = _render_messages(document)
    _claimed(document, seconds_ago=31)

    assert services.documents_requeue_stale() == 1
    document.refresh_from_db()
    assert document.status == DocumentStatus.QUEUED
    assert document.claimed_by == ""
    assert _render_messages(document) == sent + 1
    # A second sweep finds nothing more to do.
    assert services.documents_requeue_stale() == 0


def test_a_live_workers_claim_is_left_alone(case_world, settings) -> None:
    settings.DOCUMENT_CLAIM_LEASE_SECONDS = 30
    document = _requested(case_world)
    _claimed(document, seconds_ago=5)
    assert services.documents_requeue_stale() == 0
    document.refresh_from_db()
    assert document.status == DocumentStatus.RENDERING
    assert document.claimed_by == "gone-worker:1"


def test_asking_again_for_a_stuck_document_starts_a_new_attempt_at_once(case_world, settings) -> None:
    settings.DOCUMENT_CLAIM_LEASE_SECONDS = 30
    document = _requested(case_world)
    sent = _render_messages(document)
    _claimed(document, seconds_ago=40)

    again = _requested(case_world)
    assert again.pk == document.pk
    assert again.status == DocumentStatus.QUEUED
    assert _render_messages(document) == sent + 1


def test_a_queued_document_whose_message_may_be_lost_is_sent_again_once_per_wait(
    case_world, settings
) -> None:
    settings.DOCUMENT_QUEUED_RESEND_SECONDS = 600
    document = _requested(case_world)
    sent = _render_messages(document)
    assert services.documents_requeue_stale() == 0  # just queued: its message is on its way
    Document.objects.filter(pk=document.pk).update(queued_at=timezone.now() - datetime.timedelta(seconds=601))
    assert services.documents_requeue_stale() == 1
    assert services.documents_requeue_stale() == 0
    assert _render_messages(document) == sent + 1


def test_sending_a_queued_document_again_moves_its_updated_at(case_world, settings) -> None:
    """``queued_at`` is part of the document a client syncs: when it moves, ``updated_at`` moves too."""
    settings.DOCUMENT_QUEUED_RESEND_SECONDS = 600
    document = _requested(case_world)
    long_ago = timezone.now() - datetime.timedelta(seconds=601)
    Document.objects.filter(pk=document.pk).update(queued_at=long_ago, updated_at=long_ago)
    assert services.documents_requeue_stale() == 1
    document.refresh_from_db()
    assert document.updated_at == document.queued_at > long_ago

    Document.objects.filter(pk=document.pk).update(queued_at=long_ago, updated_at=long_ago)
    again = _requested(case_world)
    assert again.pk == document.pk
    assert again.updated_at == again.queued_at > long_ago
