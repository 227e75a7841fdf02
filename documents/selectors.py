"""Reads of documents. Each takes the acting person, checks access through the document's patient and
writes the access log; a document the person may not see is the same 404 as one that does not exist.

A document printed with the identity of a patient with skyddad identitet is seen only by those who may
see that identity; everyone else sees (and is offered) the masked print.
"""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from audit.models import Action, Outcome, Purpose
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership

from .models import Document, DocumentContent
from .services import RECORD_DOCUMENT
from .sources import source_for


def _not_found() -> Http404:
    return Http404(_("No document found."))


def _granting(actor: Actor, document: Document) -> Membership | None:
    from patients.access import granting_membership, identity_visible
    from patients.selectors import patient_facts

    facts = patient_facts(document.patient)
    membership = granting_membership(actor, facts)
    if membership is None:
        return None
    if not document.identity_masked and not identity_visible(
        actor, facts, protected_identity=document.patient.protected_identity
    ):
        return None
    return membership


def _deny(actor: Actor, *, patient_id: int | None, record_id: str, action: str) -> Http404:
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient_id, record_type=RECORD_DOCUMENT, record_id=record_id)],
        action=action,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
    )
    return _not_found()


def document_get(*, actor: Actor, public_id: uuid.UUID | str, action: str = Action.READ) -> Document:
    """One document, if ``actor`` may see its patient (and its print of the identity); logged."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise _not_found() from None
    document = (
        Document.objects.select_related("patient", "requested_by", "requested_by_organisation")
        .filter(public_id=key)
        .first()
    )
    if document is None:
        raise _deny(actor, patient_id=None, record_id=str(key), action=action)
    membership = _granting(actor, document)
    if membership is None:
        raise _deny(actor, patient_id=document.patient_id, record_id=str(key), action=action)
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=document.patient_id,
                record_type=RECORD_DOCUMENT,
                record_id=str(key),
                membership=membership,
            )
        ],
        action=action,
    )
    return document


def document_content(*, actor: Actor, public_id: uuid.UUID | str) -> tuple[Document, bytes | None]:
    """The document and its PDF (``None`` while it is not ready); the read is logged as a download."""
    document = document_get(actor=actor, public_id=public_id, action=Action.DOWNLOAD)
    row = DocumentContent.objects.filter(document=document).values_list("content", flat=True).first()
    return document, (bytes(row) if row is not None else None)


def documents_for_source(*, actor: Actor, kind: str, source_id: uuid.UUID | str) -> QuerySet[Document]:
    """Every document of ``kind`` printed from the source, newest first, as ``actor`` may see them.

    The source itself is read through its kind's selector (access-checked, logged, 404 otherwise).
    """
    try:
        key = uuid.UUID(str(source_id))
    except ValueError:
        raise _not_found() from None
    source_def = source_for(kind)
    source = source_def.load(actor=actor, source_id=key)
    patient = source_def.patient_of(source)
    from patients.access import identity_visible
    from patients.selectors import patient_facts

    queryset = Document.objects.select_related("patient", "requested_by", "requested_by_organisation").filter(
        kind=kind, source_id=key, patient=patient
    )
    if not identity_visible(actor, patient_facts(patient), protected_identity=patient.protected_identity):
        queryset = queryset.filter(identity_masked=True)
    return queryset.order_by("-created_at", "-pk")


def documents_log_listed(*, actor: Actor, documents: list[Document]) -> None:
    if not documents:
        return
    from patients.access import granting_membership
    from patients.selectors import patient_facts

    membership = granting_membership(actor, patient_facts(documents[0].patient))
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=d.patient_id,
                record_type=RECORD_DOCUMENT,
                record_id=str(d.public_id),
                membership=membership,
            )
            for d in documents
        ],
        action=Action.LIST,
    )
