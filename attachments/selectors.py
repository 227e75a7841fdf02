"""Reads of attachments. Each takes the acting person and applies the rule of the record the file
belongs to: a case's attachments are seen by whoever sees the case (``access.cases``), a SIP's by whoever
sees the plan's patient while the plan is shared with them (``access.patients``, ``access.sips``). Every
listing and download writes the access log (record type "Bilaga"); an attachment the person may not see
is the same 404 as one that does not exist, and the attempt is logged as denied.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.http import Http404
from django.utils.translation import gettext as _

from access.cases import granting_membership as case_membership
from access.legal_basis import objection_blocks, sharing_for
from access.patients import granting_membership as patient_membership
from access.patients import identity_visible, patient_facts
from access.seen import Seen
from access.sips import shared_with
from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_ATTACHMENT
from audit.services import Access, access_log_record
from cases import selectors as case_selectors
from cases.models import ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership
from patients.models import Patient
from sip import selectors as sip_selectors
from sip.models import Sip

from .models import Attachment
from .storage import attachment_storage


@dataclass(frozen=True)
class Parent:
    """The case or the plan attachments belong to, as the person sees it."""

    case: ResponsibilityCase | None
    sip: Sip | None
    patient: Patient
    membership: Membership
    identity_visible: bool


def _not_found() -> Http404:
    return Http404(_("No attachment found."))


def _log(actor: Actor, attachments: Sequence[Attachment], membership: Membership | None, action: str) -> None:
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=a.patient_id,
                record_type=RECORD_ATTACHMENT,
                record_id=str(a.public_id),
                membership=membership,
            )
            for a in attachments
        ],
        action=action,
    )


def deny(actor: Actor, *, patient_id: int | None, record_id: str, action: str = Action.UPDATE) -> Http404:
    """Log a denied attempt on an attachment; the 404 to raise."""
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient_id, record_type=RECORD_ATTACHMENT, record_id=record_id)],
        action=action,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
    )
    return _not_found()


def case_parent(*, actor: Actor, public_id: uuid.UUID | str) -> Parent:
    """The case, if ``actor`` may see it (its read logged, or the denied attempt); 404 otherwise."""
    return case_parent_of(case_selectors.case_read(actor=actor, public_id=public_id))


def case_parent_of(seen: Seen[ResponsibilityCase]) -> Parent:
    """A case already read through ``cases.selectors`` (the case page's), as the attachments' parent."""
    case = seen.obj
    return Parent(
        case=case,
        sip=None,
        patient=case.patient,
        membership=seen.membership,
        identity_visible=seen.identity_visible,
    )


def sip_parent(*, actor: Actor, public_id: uuid.UUID | str, log: bool = True) -> Parent:
    """The plan, if ``actor`` may see it and its content is shared with them (after the person withdrew
    consent only the organisation keeping the plan sees its content, attachments included); 404 otherwise."""
    view = sip_selectors.sip_get(actor=actor, public_id=public_id, log=log)
    if not view.shared:
        raise Http404(_("No SIP found."))
    return sip_parent_of(view)


def sip_parent_of(view: sip_selectors.SipView) -> Parent:
    """A plan already read through ``sip.selectors`` (the SIP page's), as the attachments' parent."""
    return Parent(
        case=None,
        sip=view.sip,
        patient=view.sip.patient,
        membership=view.membership,
        identity_visible=view.identity_visible,
    )


def attachments_of(*, actor: Actor, parent: Parent) -> list[Attachment]:
    """Every attachment of the case or plan, newest first, removed ones included (they show who removed
    them and why); each one logged as listed, in one write."""
    queryset = Attachment.objects.select_related("uploaded_by", "organisation", "removed_by", "case", "sip")
    if parent.case is not None:
        if not sharing_for(actor, parent.case).documents:
            return []  # not shared with this reader (``access.legal_basis``): nothing to list, nothing logged
        queryset = queryset.filter(case=parent.case)
    else:
        queryset = queryset.filter(sip=parent.sip)
    shown = list(queryset.order_by("-created_at", "-pk"))
    _log(actor, shown, parent.membership, Action.LIST)
    return shown


@dataclass(frozen=True)
class AttachmentView:
    """An attachment as one person may see it: the membership that granted the read (through its case
    or plan) and whether the patient's identity may be shown."""

    attachment: Attachment
    membership: Membership
    identity_visible: bool


def _fetch(key: uuid.UUID) -> Attachment | None:
    return (
        Attachment.objects.select_related(
            "patient", "case", "sip", "uploaded_by", "organisation", "removed_by", "removed_by_organisation"
        )
        .filter(public_id=key)
        .first()
    )


def reading_membership(actor: Actor, attachment: Attachment) -> tuple[Membership, bool] | None:
    """The membership through which ``actor`` sees ``attachment`` and whether the identity is visible;
    ``None`` if they may not see it. No log: the caller logs what it does with the answer."""
    facts = patient_facts(attachment.patient)
    if attachment.case is not None:
        membership = case_membership(actor, attachment.case)
        # A case's files are among its documents: shared only on a legal basis, never past an objection
        # or a spärr on documents (``access.legal_basis``).
        if membership is not None and (
            objection_blocks(actor, attachment.case) or not sharing_for(actor, attachment.case).documents
        ):
            membership = None
    else:
        assert attachment.sip is not None
        membership = patient_membership(actor, facts)
        if membership is not None:
            withdrawn = sip_selectors.consent_withdrawal(attachment.sip) is not None
            if not shared_with(actor, attachment.sip, consent_withdrawn=withdrawn):
                membership = None
    if membership is None:
        return None
    return membership, identity_visible(
        actor, facts, protected_identity=attachment.patient.protected_identity
    )


def attachment_lookup(public_id: uuid.UUID | str) -> tuple[uuid.UUID, Attachment | None]:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise _not_found() from None
    return key, _fetch(key)


def attachment_get(*, actor: Actor, public_id: uuid.UUID | str, action: str = Action.READ) -> AttachmentView:
    """One attachment, if ``actor`` may see the record it belongs to; the read logged as ``action``, or
    the denied attempt and 404."""
    key, attachment = attachment_lookup(public_id)
    if attachment is None:
        raise deny(actor, patient_id=None, record_id=str(key), action=action)
    granted = reading_membership(actor, attachment)
    if granted is None:
        raise deny(actor, patient_id=attachment.patient_id, record_id=str(key), action=action)
    membership, visible = granted
    _log(actor, [attachment], membership, action)
    return AttachmentView(attachment=attachment, membership=membership, identity_visible=visible)


def attachment_content(*, actor: Actor, public_id: uuid.UUID | str) -> tuple[AttachmentView, IO[bytes]]:
    """The attachment and its file opened for reading; the read is logged as a download. A removed
    attachment has no file: 404 saying so (the attempt is logged as a read of the removed record)."""
    key, attachment = attachment_lookup(public_id)
    if attachment is not None and attachment.removed:
        attachment_get(actor=actor, public_id=key, action=Action.READ)
        raise Http404(_("The attachment has been removed."))
    view = attachment_get(actor=actor, public_id=key, action=Action.DOWNLOAD)
    return view, attachment_storage().open(view.attachment.storage_name, "rb")
