"""From a figure to the cases behind it, for the people who may see those cases.

A figure counts cases whoever may see them; the list behind it is the cases of that figure that the
reader may see, and nothing else: it is ``cases.selectors.case_list`` (the access rule,
``access.cases.visible_cases_q``) narrowed to the figure's cases, and every case listed is logged as
seen (``cases_listed``). Someone who may see no case of the scope (a region's coordinator, a governance
member whose body has had no case from it) is offered no link, and is refused the list.

A figure is named by a short key: ``submitted``, ``agreed``, ``disputed``, ``escalated``, ``overdue``
(a review past its deadline now), ``status-<status>`` (open cases in it now), ``task-<code>`` (cases with
a task of that type) and ``unclear-<code>`` (cases with an unclear task of that type). The figures of
the period count the cases submitted in it (agreed in it, for ``agreed``), as the dashboard does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from agreements.models import CareTaskType
from cases.models import OPEN_STATUSES, CaseStatus, ResponsibilityCase
from cases.presenters import task_name
from cases.selectors import case_list
from directory.actor import Actor

from .facts import Facts
from .scope import FigureScope
from .selectors import Period

# A list page; the figure's own count says how many there are in all.
PAGE_SIZE = 100


def may_list_cases(*, actor: Actor, scope: FigureScope) -> bool:
    """Whether ``actor`` may see any case of ``scope``: whether figures link to lists of cases."""
    return case_list(actor=actor).filter(scope.cases_q()).exists()


@dataclass(frozen=True)
class Drill:
    """The cases behind one figure: their ids in the facts, and what the list is called."""

    title: str
    case_ids: QuerySet[Any]


def drill_get(*, figure: str, scope: FigureScope, period: Period, facts: Facts) -> Drill:
    """The figure named ``figure``; 404 for a name that is no figure."""
    submitted = (scope.facts_q(), period.q("submitted_at"))
    cases = facts.cases.filter(scope.facts_q())
    kind, _dash, value = figure.partition("-")
    if figure == "submitted":
        return Drill(_("Cases submitted in the period"), cases.filter(*submitted[1:]))
    if figure == "agreed":
        agreed = cases.filter(period.q("agreed_at"), submitted_at__isnull=False)
        return Drill(_("Cases agreed in the period"), agreed)
    if figure == "disputed":
        return Drill(_("Cases disputed"), cases.filter(*submitted[1:], disputed=True))
    if figure == "escalated":
        return Drill(_("Cases escalated"), cases.filter(*submitted[1:], escalated_to__gte=1))
    if figure == "overdue":
        overdue = cases.filter(status=CaseStatus.IN_REVIEW, due_at__lt=facts.as_of)
        return Drill(_("Overdue reviews now"), overdue)
    if kind == "status" and value in OPEN_STATUSES:
        title = _("Open cases with the status %(status)s now") % {"status": CaseStatus(value).label}
        return Drill(title, cases.filter(status=value))
    if kind in ("task", "unclear") and value:
        task_type = CareTaskType.objects.filter(code=value).first()
        if task_type is None:
            raise Http404(_("No such figure."))
        name = {"name": task_name(task_type)}
        if kind == "task":
            rows = facts.tasks.filter(*submitted, task_type__code=value)
            return Drill(_("Cases with the task %(name)s") % name, rows)
        rows = facts.unclear_tasks.filter(*submitted, task_type__code=value)
        return Drill(_("Cases where responsibility for %(name)s is unclear") % name, rows)
    raise Http404(_("No such figure."))


def drill_cases(*, actor: Actor, drill: Drill) -> QuerySet[ResponsibilityCase]:
    """The cases of ``drill`` that ``actor`` may see (unread: list a page with ``cases_listed``)."""
    ids = drill.case_ids.order_by().values("case_id")
    return case_list(actor=actor).filter(Q(pk__in=ids))
