"""The home page: my work, the cases, risk analyses and escalations waiting for the person, their
patients' running cases, and their notifications. Every list comes from the cases app; this page only
puts them together, narrowed and sorted as the person chose (``portal.work_filters``).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access.roles import APPROVER_ROLES, CASE_PARTY_ROLES, CASE_SEARCH_ROLES, SIP_SOL_EDITORS
from audit.providers import reviewed_provider
from cases import presenters, selectors
from directory.actor import Actor
from messaging import selectors as message_selectors
from messaging.selectors import WaitingRow
from sip import selectors as sip_selectors
from sip.models import SipStatus
from sip.selectors import SipView

from .work_filters import WorkFilterForm, keep, kept_form, organisations_for


def _messages_waiting(actor: Actor) -> list[WaitingRow]:
    """Messages to the person's organisations still waiting for an answer (the messaging app's list:
    access-checked and logged), for "Waiting for me"; the filters above are the cases' and leave them be."""
    return message_selectors.messages_waiting_for(actor=actor)


def _my_plans(actor: Actor, roles: set[str]) -> list[SipView]:
    """For a biståndshandläggare: the open plans that name her, newest first (the SIP list's rule:
    access-checked and logged); she reaches no case, so this is her list of work."""
    if "bistandshandlaggare" not in roles:
        return []
    plans = list(
        sip_selectors.sip_list(actor=actor)
        .filter(bistandshandlaggare=actor.user)
        .exclude(status=SipStatus.CLOSED)[:50]
    )
    return sip_selectors.sips_listed(actor=actor, sips=plans)


def _home(request: HttpRequest, actor: Actor, form: WorkFilterForm, *, status: int = 200) -> HttpResponse:
    lists = selectors.work_lists(actor=actor, filters=form.filters())
    roles = {m.role for m in actor.memberships}
    return render(
        request,
        "portal/home.html",
        {
            "waiting": presenters.work_rows(lists.waiting),
            "approvals": presenters.work_rows(lists.approvals),
            "escalations": presenters.work_rows(lists.escalations),
            "mine": presenters.work_rows(lists.mine),
            "messages_waiting": _messages_waiting(actor) if roles & CASE_PARTY_ROLES else [],
            "my_plans": _my_plans(actor, roles),
            "notifications": selectors.notifications_for(actor=actor),
            # Someone who works only on plans (a biståndshandläggare) is not shown case lists and filters.
            "works_on_cases": bool(roles & CASE_PARTY_ROLES),
            "works_on_plans": bool(roles & SIP_SOL_EDITORS),
            # Someone who reviews the log and works on no case (the region's log reviewer) starts there.
            "reviews_log_only": not roles & CASE_PARTY_ROLES
            and any(reviewed_provider(m) is not None for m in actor.memberships),
            "is_approver": bool(roles & APPROVER_ROLES),
            "is_governance": "governance" in roles,
            "can_open_cases": bool(roles & {"nurse", "rehab"}),
            "can_search_cases": bool(roles & CASE_SEARCH_ROLES),
            "filter_form": form,
            "narrowed": form.narrowed,
        },
        status=status,
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    return _home(request, actor, kept_form(actor.user, organisations_for(actor)))


@login_required
@require_POST
def work_filters(request: HttpRequest) -> HttpResponseBase:
    """Keep the person's filters and sort of My work (or forget them: ``reset``), then show My work."""
    actor = Actor.from_request(request)
    organisations = organisations_for(actor)
    if request.POST.get("reset"):
        form = WorkFilterForm({}, organisations=organisations)
        form.is_valid()
        keep(actor.user, form)
        messages.success(request, _("My work shows everything again."))
        return redirect("home")
    form = WorkFilterForm(request.POST, organisations=organisations)
    if not form.is_valid():
        return _home(request, actor, form, status=400)
    keep(actor.user, form)
    return redirect("home")
