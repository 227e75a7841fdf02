"""Reads of documents. Each takes the acting person, applies ``access.documents`` (the document's
patient, the printed identity and the source's own rule) and writes the access log; a document the person
may not see is the same 404 as one that does not exist. A list is logged by the function that returns it
(``documents_listed``, ``documents_for_patient``).

A document printed with the identity of a patient with skyddad identitet is seen only by those who may
see that identity; everyone else sees (and is offered) the masked print.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from access.documents import document_membership, print_grant, prints_shown_q, source_readable
from access.patients import granting_membership, patient_facts
from access.seen import Seen
from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_DOCUMENT
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership
from patients.models import Patient

from .models import Document, DocumentContent
from .sources import source_for

# How many documents the patient page lists (the newest); the rest are reached from their source.
PATIENT_DOCUMENTS_SHOWN = 50


def _not_found() -> Http404:
    return Http404(_("No document found."))


def _deny(actor: Actor, *, patient_id: int | None, record_id: str, action: str) -> Http404:
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient_id, record_type=RECORD_DOCUMENT, record_id=record_id)],
        action=action,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
    )
    return _not_found()


def _key(public_id: uuid.UUID | str) -> uuid.UUID:
    try:
        return uuid.UUID(str(public_id))
    except ValueError:
        raise _not_found() from None


def _fetch(key: uuid.UUID) -> Document | None:
    return (
        Document.objects.select_related("patient", "requested_by", "requested_by_organisation")
        .filter(public_id=key)
        .first()
    )


def _checked(actor: Actor, public_id: uuid.UUID | str, action: str) -> tuple[Document, Membership]:
    """The document and the membership through which ``actor`` reads it; a logged 404 otherwise."""
    key = _key(public_id)
    document = _fetch(key)
    if document is None:
        raise _deny(actor, patient_id=None, record_id=str(key), action=action)
    membership = document_membership(actor, document)
    if membership is None:
        raise _deny(actor, patient_id=document.patient_id, record_id=str(key), action=action)
    return document, membership


def _log_read(actor: Actor, document: Document, membership: Membership, action: str) -> None:
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=document.patient_id,
                record_type=RECORD_DOCUMENT,
                record_id=str(document.public_id),
                membership=membership,
            )
        ],
        action=action,
    )


def document_get(*, actor: Actor, public_id: uuid.UUID | str, action: str = Action.READ) -> Document:
    """One document, if ``actor`` may see its patient (and its print of the identity); logged.

    Also the read behind the progress fragment the page polls while the PDF renders and behind
    ``GET /api/v1/documents/{id}``, which clients poll the same way. What they show (kind, language,
    times, status, size, pages) is metadata of a record about the patient, so each poll is a read like
    any other and writes its own row: the log never leaves out an access because an earlier one
    resembled it.
    """
    document, membership = _checked(actor, public_id, action)
    _log_read(actor, document, membership, action)
    return document


def document_content(*, actor: Actor, public_id: uuid.UUID | str) -> tuple[Document, bytes | None]:
    """The document and its PDF (``None`` while it is not ready); the read is logged as a download."""
    document = document_get(actor=actor, public_id=public_id, action=Action.DOWNLOAD)
    row = DocumentContent.objects.filter(document=document).values_list("content", flat=True).first()
    return document, (bytes(row) if row is not None else None)


def documents_for_source(*, actor: Actor, kind: str, source_id: uuid.UUID | str) -> QuerySet[Document]:
    """Every document of ``kind`` printed from the source, newest first, as ``actor`` may see them,
    unread: show what is chosen of it through ``documents_listed``, which logs it.

    The source itself is read through its kind's selector (access-checked, logged, 404 otherwise).
    """
    try:
        key = uuid.UUID(str(source_id))
    except ValueError:
        raise _not_found() from None
    source_def = source_for(kind)
    source = source_def.load(actor=actor, source_id=key)
    patient = source_def.patient_of(source)
    queryset = Document.objects.select_related("patient", "requested_by", "requested_by_organisation").filter(
        kind=kind, source_id=key, patient=patient
    )
    facts = patient_facts(patient, with_cases=False)  # the identity rule needs no cases
    shown = prints_shown_q(actor, facts, protected_identity=patient.protected_identity)
    return queryset.filter(shown).order_by("-created_at", "-pk")


def documents_listed(*, actor: Actor, documents: Iterable[Document]) -> list[Document]:
    """``documents`` (chosen from ``documents_for_source`` of one patient) as shown to ``actor``, each
    one logged as listed, in one write."""
    shown = list(documents)
    if not shown:
        return []
    membership = granting_membership(actor, patient_facts(shown[0].patient))
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=d.patient_id,
                record_type=RECORD_DOCUMENT,
                record_id=str(d.public_id),
                membership=membership,
            )
            for d in shown
        ],
        action=Action.LIST,
    )
    return shown


def documents_for_patient(
    *, actor: Actor, patient: Seen[Patient] | Patient, limit: int = PATIENT_DOCUMENTS_SHOWN
) -> list[Document]:
    """The patient's documents that ``actor`` may see, newest first (at most ``limit``); each one logged.

    The same rule as ``document_get`` (``access.documents``): whoever sees the patient sees the patient's
    documents, and a print showing the identity of a patient with skyddad identitet only if they may see
    that identity (everyone else is offered the masked print). ``patient`` should be what
    ``patients.selectors.patient_get`` returned; the rule is applied here all the same, so a patient the
    actor may not see is a logged 404 however it was loaded. Three queries (the patient's cases for the
    rule, the documents, the log insert) whatever the number of documents.
    """
    record = patient.obj if isinstance(patient, Seen) else patient
    facts = patient_facts(record)
    protected = record.protected_identity
    if print_grant(actor, facts, protected_identity=protected, identity_masked=True) is None:
        access_log_record(
            actor=actor,
            accesses=[Access(patient_id=record.pk, record_type=RECORD_DOCUMENT)],
            action=Action.LIST,
            outcome=Outcome.DENIED,
            purpose=Purpose.NONE,
        )
        raise Http404(_("No patient found."))
    queryset = Document.objects.filter(patient=record).filter(
        prints_shown_q(actor, facts, protected_identity=protected)
    )
    shown: list[tuple[Document, Membership]] = []
    documents = list(queryset.order_by("-created_at", "-pk")[:limit])
    readable = source_readable(actor, documents)
    for document in documents:
        if document.pk not in readable:
            continue
        document.patient = record
        membership = print_grant(
            actor, facts, protected_identity=protected, identity_masked=document.identity_masked
        )
        if membership is not None:
            shown.append((document, membership))
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=record.pk,
                record_type=RECORD_DOCUMENT,
                record_id=str(document.public_id),
                membership=membership,
            )
            for document, membership in shown
        ],
        action=Action.LIST,
    )
    return [document for document, _membership in shown]
