"""The inbox: every notification of the person, newest first, each linking to its case; mark one or
all read (opening the case of an unread notice marks it read: a POST, so that a GET changes nothing);
choose how notifications are e-mailed (at once or in a daily digest). The lists and writes
are the cases app's; this page only puts them together.

A page holds ``PAGE_SIZE`` notices (a person may have thousands); a page number past the end shows the
last page, as Django's paginator does.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from cases import selectors, services
from cases.models import EmailChoice
from cases.services.notifications import email_choice
from directory.actor import Actor
from sip import selectors as sip_selectors

PAGE_SIZE = 50


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    paginator = Paginator(selectors.notifications_all(actor=actor), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "portal/inbox.html",
        {
            "notifications": page.object_list,
            "page": page,
            "email_choices": EmailChoice.choices,
            "email_choice": email_choice(actor.user.pk),
        },
    )


@login_required
@require_POST
def inbox_read(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    notification = selectors.notification_get(actor=actor, public_id=public_id)
    services.notification_mark_read(actor=actor, notification=notification)
    if request.POST.get("open") and notification.opens_plan:
        # The biståndshandläggare named on a plan reaches the plan, never the case: on to the plan (which
        # answers 404 once she is no longer named on it).
        sip = sip_selectors.sip_started_from_case(case=notification.case)
        if sip is not None:
            return redirect("sip:detail", public_id=sip.public_id)
        return redirect("home")
    if request.POST.get("open"):
        # "Open the case" on an unread notice: read, and on to the case (which answers 404 to a person
        # who can no longer see it).
        return redirect("cases:detail", public_id=notification.case.public_id)
    messages.success(request, _("The notification is marked as read."))
    return redirect("inbox")


@login_required
@require_POST
def inbox_read_all(request: HttpRequest) -> HttpResponseBase:
    count = services.notifications_mark_all_read(actor=Actor.from_request(request))
    messages.success(
        request,
        ngettext(
            "%(count)d notification is marked as read.", "%(count)d notifications are marked as read.", count
        )
        % {"count": count},
    )
    return redirect("inbox")


@login_required
@require_POST
def inbox_email(request: HttpRequest) -> HttpResponseBase:
    try:
        services.notification_preference_set(
            actor=Actor.from_request(request), email=str(request.POST.get("email", ""))[:16]
        )
    except ValidationError:
        messages.error(request, _("Choose at once or a daily digest."))
    else:
        messages.success(request, _("Your choice of e-mail is saved."))
    return redirect("inbox")
