"""Template helpers of the browser pages: counts in the navigation, labels, masked identities."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from cases.presenters import ACTION_LABELS, PARTY_LABELS
from cases.selectors import WorkCounts, work_counts
from directory.actor import Actor
from directory.models import User

register = template.Library()


@register.simple_tag(takes_context=True)
def nav_counts(context: dict[str, Any]) -> WorkCounts:
    request = context.get("request")
    if request is None or not isinstance(getattr(request, "user", None), User):
        return WorkCounts()
    return work_counts(actor=Actor.from_request(request))


@register.simple_tag(takes_context=True)
def nav_sections(context: dict[str, Any]) -> dict[str, bool]:
    """Which sections beyond cases and patients the acting person may open."""
    request = context.get("request")
    if request is None or not isinstance(getattr(request, "user", None), User):
        return {"figures": False, "log_review": False}
    from directory.models import OrganisationKind, Role
    from figures.scope import figure_scopes

    actor = Actor.from_request(request)
    return {
        "figures": bool(figure_scopes(actor=actor)),
        "log_review": any(
            m.role in (Role.MAS, Role.MAR) and m.organisation.kind == OrganisationKind.KOMMUN
            for m in actor.memberships
        ),
    }


@register.simple_tag(takes_context=True)
def acting_as(context: dict[str, Any]) -> dict[str, Any]:
    """The membership the person acts in (or all of them), and whether they can choose another."""
    request = context.get("request")
    if request is None or not isinstance(getattr(request, "user", None), User):
        return {"memberships": [], "several": False}
    from directory.views import active_memberships

    actor = Actor.from_request(request)
    return {"memberships": list(actor.memberships), "several": len(active_memberships(actor.user)) > 1}


@register.filter
def patient_label(patient: Any) -> str:
    """Name and personnummer, or the masked form for skyddad identitet (lists never reveal it)."""
    if getattr(patient, "identity_visible", None) is True or not patient.protected_identity:
        return f"{patient.full_name}, {patient.formatted_identity}"
    return _("Protected identity")


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def party_label(role: str) -> str:
    return str(PARTY_LABELS.get(role, role))


@register.filter
def field_of(form: Any, name: str) -> Any:
    return form[name]


@register.filter
def task_type_name(task_type: Any) -> str:
    from cases.presenters import task_name

    return task_name(task_type)


@register.filter
def status_label(value: str) -> str:
    from cases.models import CaseStatus

    try:
        return str(CaseStatus(value).label)
    except ValueError:
        return value or "–"


@register.filter
def document_kind(value: str) -> str:
    from documents.sources import registered_kinds

    return dict(registered_kinds()).get(value, value)
