"""Which changes of a document become webhooks: a PDF that is ready (``document.ready``), and one whose
rendering failed (``document.failed``: ask for it again; the reason is read from the link, never sent).

Published through ``integrations.events.event_publish`` to the clients that may fetch the document: the
patient's access rule, and the identity printed in it only for those who may see it.
"""

from __future__ import annotations

from access.documents import print_grant
from access.patients import patient_facts
from directory.actor import Actor
from integrations.events import api_url, event_publish
from integrations.models import WebhookEventKind

from .models import Document


def document_ready_publish(*, document_id: int) -> list[int]:
    """Called by ``documents.services`` in the transaction that marks a document ready."""
    return _publish(WebhookEventKind.DOCUMENT_READY, document_id)


def document_failed_publish(*, document_id: int) -> list[int]:
    """Called by ``documents.services`` in the transaction that marks a document failed."""
    return _publish(WebhookEventKind.DOCUMENT_FAILED, document_id)


def _publish(kind: str, document_id: int) -> list[int]:
    document = Document.objects.select_related("patient").get(pk=document_id)
    return event_publish(
        kind,
        may_see=lambda actor: _may_see_document(actor, document),
        data={
            "document": {
                "id": str(document.public_id),
                "kind": document.kind,
                "status": document.status,
                "source_id": str(document.source_id),
                "source_version": document.source_version,
                "language": document.language,
                "url": api_url("v1:document-detail", document.public_id),
            }
        },
    )


def _may_see_document(actor: Actor, document: Document) -> bool:
    # The rule of ``access.documents`` without the source's own rule: the client fetches the document
    # itself, and that read applies all three.
    membership = print_grant(
        actor,
        patient_facts(document.patient),
        protected_identity=document.patient.protected_identity,
        identity_masked=document.identity_masked,
    )
    return membership is not None
