"""The home page: my work, the cases, risk analyses and escalations waiting for the person, and their
notifications. Every list comes from the cases app; this page only puts them together.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from access.roles import APPROVER_ROLES
from cases import presenters, selectors
from directory.actor import Actor


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    lists = selectors.work_lists(actor=actor)
    roles = {m.role for m in actor.memberships}
    return render(
        request,
        "portal/home.html",
        {
            "waiting": presenters.work_rows(lists.waiting),
            "approvals": presenters.work_rows(lists.approvals),
            "escalations": presenters.work_rows(lists.escalations),
            "notifications": selectors.notifications_for(actor=actor),
            "is_approver": bool(roles & APPROVER_ROLES),
            "is_governance": "governance" in roles,
            "can_open_cases": bool(roles & {"nurse", "rehab"}),
        },
    )
