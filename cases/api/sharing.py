"""The ``sharing`` object of a case's representation and what a reader without a legal basis is not
shown (``access.legal_basis``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from access.legal_basis import EXPIRED, NONE, VALID, WITHDRAWN, Sharing, sharing_as_opener
from consent.models import SharedPart

from ..models import ResponsibilityCase


class SharingStateSerializer(serializers.Serializer[Any]):
    """The case's legal basis for sharing, as the reader is shown it (``access.legal_basis``)."""

    basis = serializers.ChoiceField(
        choices=[VALID, NONE, EXPIRED, WITHDRAWN],
        read_only=True,
        help_text=_("The state of the case's legal basis for sharing: valid, none, expired or withdrawn."),
    )
    basis_kind = serializers.CharField(
        read_only=True,
        max_length=16,
        help_text=_("consent, menprovning, other_ground or historic; empty when none was recorded."),
    )
    health_details_shared = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "Whether you are shown the case's health details (free text, comments, risk analyses, "
            "documents). Without a valid basis only the organisation that opened the case is."
        ),
    )
    blocked_parts = serializers.ListField(
        child=serializers.ChoiceField(choices=SharedPart.choices),
        read_only=True,
        help_text=_("The parts under a spärr: hidden from every organisation but the opener's."),
    )


def hide_task_text(task: dict[str, Any]) -> None:
    """A task's free text blanked, for a reader the case's text is not shared with."""
    task["note"] = ""
    task["arrangement_note"] = ""
    for review in task["reviews"]:
        review["text"] = ""


def sharing_state(case: ResponsibilityCase) -> dict[str, Any]:
    """The ``sharing`` object of a case's representation, for the reader the view set it for
    (``case.sharing``), or as the opener sees it."""
    shared = sharing_of(case)
    return {
        "basis": shared.status,
        "basis_kind": shared.kind,
        "health_details_shared": shared.health,
        "blocked_parts": sorted(shared.blocked),
    }


def sharing_of(case: ResponsibilityCase) -> Sharing:
    found = getattr(case, "sharing", None)
    return found if isinstance(found, Sharing) else sharing_as_opener(case)
