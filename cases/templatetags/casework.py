"""Template helpers of the case pages (and those that show cases): labels, masked identities.

The navigation's helpers are ``portal.templatetags.navigation``.
"""

from __future__ import annotations

from typing import Any

from django import template

from cases.presenters import ACTION_LABELS, PARTY_LABELS

register = template.Library()


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
