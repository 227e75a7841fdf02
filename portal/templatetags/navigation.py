"""The navigation every page shows: the counts on "my work", the sections a person may open, the role
they act in. Loaded by ``base.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template

from access.roles import CASE_PARTY_ROLES, PATIENT_REACHING_ROLES
from audit.providers import reviewed_provider
from cases.selectors import WorkCounts, work_counts
from competence.policies import reading_organisation_ids
from directory.actor import Actor
from directory.models import User
from directory.teams import keeper_organisation_ids
from directory.views import active_memberships
from figures.scope import figure_scopes
from messaging.selectors import messages_waiting_count

register = template.Library()


@dataclass(frozen=True)
class NavCounts:
    """The badges: what waits for the person on My work (cases, approvals, escalations and the messages
    their organisation is to answer) and their unread notifications."""

    work: WorkCounts = field(default_factory=WorkCounts)
    messages: int = 0

    @property
    def total(self) -> int:
        return self.work.total + self.messages

    @property
    def notifications(self) -> int:
        return self.work.notifications


@register.simple_tag(takes_context=True)
def nav_counts(context: dict[str, Any]) -> NavCounts:
    request = context.get("request")
    if request is None or not isinstance(getattr(request, "user", None), User):
        return NavCounts()
    actor = Actor.from_request(request)
    # As My work: the messages waiting are shown to those who work on cases.
    works_on_cases = any(m.role in CASE_PARTY_ROLES for m in actor.memberships)
    return NavCounts(
        work=work_counts(actor=actor),
        messages=messages_waiting_count(actor=actor) if works_on_cases else 0,
    )


@register.simple_tag(takes_context=True)
def nav_sections(context: dict[str, Any]) -> dict[str, bool]:
    """Which sections beyond cases and patients the acting person may open."""
    request = context.get("request")
    if request is None or not isinstance(getattr(request, "user", None), User):
        return {"figures": False, "log_review": False, "competence": False, "teams": False, "patients": False}
    actor = Actor.from_request(request)
    return {
        # A biståndshandläggare reaches the plans that name her, a log reviewer the log: neither the
        # patient register.
        "patients": any(m.role in PATIENT_REACHING_ROLES for m in actor.memberships),
        "figures": bool(figure_scopes(actor=actor)),
        "competence": bool(reading_organisation_ids(actor)),
        "teams": bool(keeper_organisation_ids(actor)),
        "log_review": any(reviewed_provider(m) is not None for m in actor.memberships),
    }


@register.simple_tag(takes_context=True)
def acting_as(context: dict[str, Any]) -> dict[str, Any]:
    """The membership the person acts in (or all of them), and whether they can choose another."""
    request = context.get("request")
    if request is None or not isinstance(getattr(request, "user", None), User):
        return {"memberships": [], "several": False}
    actor = Actor.from_request(request)
    return {"memberships": list(actor.memberships), "several": len(active_memberships(actor.user)) > 1}
