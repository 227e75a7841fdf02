"""Template helpers of the case pages (and those that show cases): labels, masked identities.

The navigation's helpers are ``portal.templatetags.navigation``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateformat import time_format
from django.utils.html import format_html

from agreements.deadlines import last_day
from cases.presenters import ACTION_LABELS, PARTY_LABELS, SUBMIT_LABELS
from patients.models import Patient
from patients.pseudonym import masked_label

register = template.Library()


@register.filter
def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@register.filter
def submit_label(action: str) -> str:
    """The words on an action form's button: a verb, where the action's name is a noun."""
    return str(SUBMIT_LABELS.get(action) or ACTION_LABELS.get(action, action))


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


@register.filter
def deadline(due_at: datetime.datetime | None) -> str:
    """A deadline as people read it: "12 dec" for a whole-day deadline, "12 dec 14:30" otherwise.

    The year is added when it is not this year. A ``<time>`` element carries the exact instant.
    """
    if due_at is None:
        return "–"
    day, whole_day = last_day(due_at)
    shown = date_format(day, "j b" if day.year == timezone.localdate().year else "j b Y")
    if not whole_day:
        shown = f"{shown} {time_format(timezone.localtime(due_at), 'H:i')}"
    return format_html('<time datetime="{}">{}</time>', timezone.localtime(due_at).isoformat(), shown)


@register.filter(name="masked_patient")
def masked_patient(patient: Patient) -> str:
    """What stands for a patient whose identity the reader may not see: that it is protected (skyddad
    identitet), or the pseudonym a joint body's member sees (age, sex, housing)."""
    return masked_label(patient)
