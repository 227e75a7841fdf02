"""The "Bilagor" section of the case page and the SIP page: the list, and whether the person may attach
or remove. The list is read through ``selectors.attachments_of``, which logs it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from access.seen import Seen
from cases.models import CaseStatus, ResponsibilityCase
from directory.actor import Actor
from sip.models import SipStatus
from sip.policies import editing_membership
from sip.selectors import SipView

from . import selectors
from .models import TITLE_MAX_LENGTH, Attachment, AttachmentKind
from .policies import can_attach_to_case, can_remove
from .services import max_bytes, max_per_record


@dataclass(frozen=True)
class Row:
    attachment: Attachment
    removable: bool


def _section(actor: Actor, parent: selectors.Parent, *, upload_url: str, may_attach: bool) -> dict[str, Any]:
    attachments = selectors.attachments_of(actor=actor, parent=parent)
    in_use = sum(1 for a in attachments if not a.removed)
    return {
        "rows": [Row(attachment=a, removable=can_remove(actor, a)) for a in attachments],
        "upload_url": upload_url,
        "may_attach": may_attach,
        "full": in_use >= max_per_record(),
        "kinds": AttachmentKind.choices,
        "title_max_length": TITLE_MAX_LENGTH,
        "max_megabytes": max(1, max_bytes() // (1024 * 1024)),
        "max_bytes": max_bytes(),
        "max_count": max_per_record(),
    }


def case_section(*, actor: Actor, case: Seen[ResponsibilityCase]) -> dict[str, Any]:
    """The section on a case page; ``case`` is what ``cases.selectors.case_read`` returned."""
    return _section(
        actor,
        selectors.case_parent_of(case),
        upload_url=reverse("attachments:case-upload", args=[case.obj.public_id]),
        may_attach=can_attach_to_case(case.membership) and case.obj.status != CaseStatus.CLOSED,
    )


def sip_section(*, actor: Actor, view: SipView) -> dict[str, Any] | None:
    """The section on a SIP page; ``None`` when the plan's content is not shared with the person."""
    if not view.shared:
        return None
    may_attach = (
        editing_membership(actor, view.facts.organisation_ids) is not None
        and view.sip.status != SipStatus.CLOSED
    )
    return _section(
        actor,
        selectors.sip_parent_of(view),
        upload_url=reverse("attachments:sip-upload", args=[view.sip.public_id]),
        may_attach=may_attach,
    )
