"""Writes on attachments: attach a file to a case or a SIP, remove one.

Each is one transaction that locks the case or plan (so the count limit holds under concurrent uploads)
or the attachment. A file is written to storage only after its bytes have been checked, and deleted
again if anything after it fails, so there is never a row without its file nor a file without its row.
Removal keeps the row (who, when, why) and deletes the file once the removal has committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.cases import granting_membership as case_membership
from audit.models import Action
from audit.records import RECORD_ATTACHMENT
from audit.services import Access, access_log_record
from cases import selectors as case_selectors
from cases.events import case_changed_publish
from cases.models import CaseEvent, CaseStatus, EventKind, ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership, Role
from hemsjukvard.errors import NotPermitted, StateConflictError
from sip import selectors as sip_selectors
from sip.models import Sip, SipStatus
from sip.policies import editing_membership

from . import selectors
from .files import InspectedFile, inspect_file
from .models import REASON_MAX_LENGTH, TITLE_MAX_LENGTH, Attachment, AttachmentKind
from .policies import can_attach_to_case, removing_membership
from .storage import attachment_storage, delete_quietly, new_storage_name


@dataclass(frozen=True)
class UploadInput:
    """What the person sent: the kind, the title and the file (its name as sent, and its bytes)."""

    kind: str
    title: str
    file_name: str
    stream: IO[bytes] | None


def max_bytes() -> int:
    return int(settings.ATTACHMENT_MAX_BYTES)


def max_per_record() -> int:
    return int(settings.ATTACHMENTS_PER_RECORD)


def _checked_input(upload: UploadInput, *, attached: int) -> tuple[str, InspectedFile]:
    """The title and the inspected file; every problem at once as field errors."""
    errors: dict[str, list[str]] = {}
    if upload.kind not in AttachmentKind.values:
        errors["kind"] = [_("Choose what kind of file it is.")]
    title = upload.title.strip()
    if not title:
        errors["title"] = [_("Give the file a title, e.g. “Utskrivningsinformation 3 december”.")]
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = [_("Write at most %(limit)s characters.") % {"limit": TITLE_MAX_LENGTH}]
    inspected: InspectedFile | None = None
    if upload.stream is None:
        errors["file"] = [_("Choose the file to attach.")]
    elif attached >= max_per_record():
        errors["file"] = [
            _(
                "There are already %(count)s files attached, the most allowed. Remove one that is no "
                "longer needed, then attach this one."
            )
            % {"count": attached}
        ]
    else:
        try:
            inspected = inspect_file(name=upload.file_name, stream=upload.stream, max_bytes=max_bytes())
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    assert inspected is not None
    return title, inspected


def _store(
    actor: Actor,
    membership: Membership,
    upload: UploadInput,
    *,
    case: ResponsibilityCase | None,
    sip: Sip | None,
    patient_id: int,
) -> Attachment:
    attached = Attachment.objects.filter(case=case, sip=sip, removed_at__isnull=True).count()
    title, inspected = _checked_input(upload, attached=attached)
    assert upload.stream is not None
    storage = attachment_storage()
    name = new_storage_name(parent="case" if case is not None else "sip", extension=inspected.extension)
    stored = storage.save(name, File(upload.stream, name=name))
    try:
        attachment = Attachment.objects.create(
            case=case,
            sip=sip,
            patient_id=patient_id,
            kind=upload.kind,
            title=title,
            content_type=inspected.content_type,
            size=inspected.size,
            sha256=inspected.sha256,
            storage_name=stored,
            uploaded_by=actor.user,
            organisation=membership.organisation,
            role=membership.role,
            api_client=actor.api_client,
        )
        if case is not None:
            _case_event(actor, membership, case, attachment, EventKind.ATTACHMENT_ADDED)
        _log(actor, attachment, membership, Action.CREATE)
    except BaseException:
        # Nothing half-written: the row rolls back with the transaction, the file goes now.
        delete_quietly(stored)
        raise
    return attachment


def _case_event(
    actor: Actor,
    membership: Membership,
    case: ResponsibilityCase,
    attachment: Attachment,
    kind: str,
    *,
    reason: str = "",
) -> None:
    """The case's timeline tells every party that a file was attached (or removed)."""
    CaseEvent.objects.create(
        case=case,
        user=actor.user,
        organisation=membership.organisation,
        role=membership.role,
        api_client=actor.api_client,
        kind=kind,
        from_status=case.status,
        to_status=case.status,
        reason=reason or attachment.title,
        payload={
            "attachment": {
                "id": str(attachment.public_id),
                "kind": attachment.kind,
                "title": attachment.title,
            }
        },
    )
    case_changed_publish(case=case, change=kind)


def _log(actor: Actor, attachment: Attachment, membership: Membership, action: str) -> None:
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=attachment.patient_id,
                record_type=RECORD_ATTACHMENT,
                record_id=str(attachment.public_id),
                membership=membership,
            )
        ],
        action=action,
    )


def case_attaching_membership(
    *, actor: Actor, case_id: uuid.UUID | str, lock: bool = False
) -> tuple[ResponsibilityCase, Membership]:
    """The case and the membership in which ``actor`` may attach a file to it now: 404 (logged) for a
    case they may not see, 403 for a joint body's member, 409 for a closed case. Asked before the file is
    read, so that nobody learns about a case from a refused upload."""
    found = case_selectors.case_get(actor=actor, public_id=case_id, log=False)
    queryset = ResponsibilityCase.objects.select_related("patient")
    case = queryset.select_for_update().get(pk=found.pk) if lock else found
    membership = case_membership(actor, case)
    if membership is None:  # pragma: no cover - case_get refused it already
        raise Http404(_("No case found."))
    if not can_attach_to_case(membership):
        raise NotPermitted(_("Only those caring for the patient attach files to the case."))
    if case.status == CaseStatus.CLOSED:
        raise StateConflictError(
            _("The case is closed: no more files can be attached to it."), extra={"status": case.status}
        )
    return case, membership


def sip_attaching_membership(
    *, actor: Actor, sip_id: uuid.UUID | str, lock: bool = False
) -> tuple[Sip, Membership]:
    """The plan and the membership in which ``actor`` may attach a file to it now (those who may keep
    it, while it is not closed); 404, 403 or 409 otherwise, as ``case_attaching_membership``."""
    view = sip_selectors.sip_get(actor=actor, public_id=sip_id, log=False)
    if not view.shared:
        raise Http404(_("No SIP found."))
    sip = Sip.objects.select_for_update().get(pk=view.sip.pk) if lock else view.sip
    membership = editing_membership(actor, view.facts.organisation_ids)
    if membership is None:
        raise NotPermitted(_("Only those who keep the plan attach files to it."))
    if sip.status == SipStatus.CLOSED:
        raise StateConflictError(
            _("The plan is closed: no more files can be attached to it."), extra={"status": sip.status}
        )
    return sip, membership


@transaction.atomic
def attachment_add_to_case(*, actor: Actor, case_id: uuid.UUID | str, upload: UploadInput) -> Attachment:
    """Attach a file to a case: for the case's care parties (not a joint body), while it is open."""
    case, membership = case_attaching_membership(actor=actor, case_id=case_id, lock=True)
    return _store(actor, membership, upload, case=case, sip=None, patient_id=case.patient_id)


@transaction.atomic
def attachment_add_to_sip(*, actor: Actor, sip_id: uuid.UUID | str, upload: UploadInput) -> Attachment:
    """Attach a file to a SIP: for those who may keep the plan, while it is not closed."""
    sip, membership = sip_attaching_membership(actor=actor, sip_id=sip_id, lock=True)
    return _store(actor, membership, upload, case=None, sip=sip, patient_id=sip.patient_id)


def attachment_remove(
    *,
    actor: Actor,
    public_id: uuid.UUID | str,
    reason: str,
    check: Callable[[Attachment], Any] | None = None,
) -> Attachment:
    """Remove an attachment: the row stays (who, when, why), the file is deleted from storage once the
    removal has committed. For the uploading organisation's staff, or its administrator.

    Who may is decided first, outside the removal's transaction, so that a refused attempt stays in the
    access log. ``check`` is called with the locked row before anything changes (the API's ``If-Match``).
    """
    key, found = selectors.attachment_lookup(public_id)
    granted = selectors.reading_membership(actor, found) if found is not None else None
    remover = removing_membership(actor, found) if found is not None else None
    administrator = remover is not None and remover.role == Role.ADMIN
    if found is None or (granted is None and not administrator):
        raise selectors.deny(actor, patient_id=found.patient_id if found else None, record_id=str(key))
    if remover is None:
        raise NotPermitted(_("Only the organisation that attached the file may remove it."))
    return _remove(actor, found, remover, granted[0] if granted is not None else remover, reason, check)


@transaction.atomic
def _remove(
    actor: Actor,
    found: Attachment,
    remover: Membership,
    logged_as: Membership,
    reason: str,
    check: Callable[[Attachment], Any] | None,
) -> Attachment:
    attachment = Attachment.objects.select_for_update().get(pk=found.pk)
    if check is not None:
        check(attachment)
    if attachment.removed:
        raise StateConflictError(_("The attachment has already been removed."), extra={"status": "removed"})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the file is removed.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {"reason": _("Write at most %(limit)s characters.") % {"limit": REASON_MAX_LENGTH}}
        )
    attachment.removed_at = timezone.now()
    attachment.removed_by = actor.user
    attachment.removed_by_organisation = remover.organisation
    attachment.removal_reason = reason
    attachment.save(update_fields=["removed_at", "removed_by", "removed_by_organisation", "removal_reason"])
    if found.case is not None:
        _case_event(actor, remover, found.case, attachment, EventKind.ATTACHMENT_REMOVED, reason=reason)
    _log(actor, attachment, logged_as, Action.UPDATE)
    name = attachment.storage_name
    transaction.on_commit(lambda: delete_quietly(name))
    attachment.case, attachment.sip, attachment.patient = found.case, found.sip, found.patient
    attachment.uploaded_by, attachment.organisation = found.uploaded_by, found.organisation
    return attachment
