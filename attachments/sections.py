"""The "Bilagor" section of the case page and the SIP page: the list, and whether the person may attach
or remove. The list is read through ``selectors.attachments_of``, which logs it.

A refused upload goes back to the page (so a reload never sends the file again); the kind and title the
person gave are kept in their session for that page's upload form, shown once, with the problem next to
the fields it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
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

# The session's key for what a refused upload kept, and the most of a typed title it holds.
REFUSED_KEY = "attachments.refused_upload"
_KEPT_MAX = 1000


@dataclass(frozen=True)
class Row:
    attachment: Attachment
    removable: bool


def keep_refused_upload(
    request: HttpRequest,
    public_id: Any,
    *,
    kind: str,
    title: str,
    problem: str,
    fields: dict[str, list[str]],
) -> None:
    """Keep what was given with a refused upload to the case or SIP ``public_id``, for its form."""
    request.session[REFUSED_KEY] = {
        "parent": str(public_id),
        "kind": kind if kind in AttachmentKind.values else "",
        "title": title[:_KEPT_MAX],
        "problem": problem,
        "fields": {
            name: [str(m) for m in found] for name, found in fields.items() if name in ("kind", "title")
        },
    }


def _refused_upload(request: HttpRequest | None, public_id: Any) -> dict[str, Any]:
    """What a refused upload to ``public_id`` kept, taken from the session (shown once); empty if none."""
    if request is None or not hasattr(request, "session"):
        return {}
    kept = request.session.get(REFUSED_KEY)
    if not isinstance(kept, dict) or kept.get("parent") != str(public_id):
        return {}
    del request.session[REFUSED_KEY]
    return kept


def _section(
    actor: Actor,
    parent: selectors.Parent,
    *,
    upload_url: str,
    may_attach: bool,
    refused: dict[str, Any],
) -> dict[str, Any]:
    attachments = selectors.attachments_of(actor=actor, parent=parent)
    in_use = sum(1 for a in attachments if not a.removed)
    fields = refused.get("fields") or {}
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
        # A refused upload's kind and title as typed, and its problem (by field where it is one).
        "refused": bool(refused),
        "kept_kind": refused.get("kind", ""),
        "kept_title": refused.get("title", ""),
        "problem": refused.get("problem", ""),
        "kind_errors": fields.get("kind", []),
        "title_errors": fields.get("title", []),
    }


def case_section(
    *, actor: Actor, case: Seen[ResponsibilityCase], request: HttpRequest | None = None
) -> dict[str, Any]:
    """The section on a case page; ``case`` is what ``cases.selectors.case_read`` returned."""
    return _section(
        actor,
        selectors.case_parent_of(case),
        upload_url=reverse("attachments:case-upload", args=[case.obj.public_id]),
        may_attach=can_attach_to_case(case.membership) and case.obj.status != CaseStatus.CLOSED,
        refused=_refused_upload(request, case.obj.public_id),
    )


def sip_section(*, actor: Actor, view: SipView, request: HttpRequest | None = None) -> dict[str, Any] | None:
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
        refused=_refused_upload(request, view.sip.public_id),
    )
