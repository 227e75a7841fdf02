"""Message pages: write a message from the case page, reply in its thread, close it.

The messages are shown on the case page (``templatetags.messaging``). A form that fails keeps what was
typed: it is shown again on a page of its own, with the errors beside the fields and a way back to the
case. The success banner says what happens next (who is notified, by when they answer).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases import presenters
from cases import selectors as case_selectors
from cases.models import CaseTask, ResponsibilityCase
from directory.actor import Actor
from hemsjukvard.errors import NotPermitted, StaleVersionError, StateConflictError
from hemsjukvard.form_once import form_once, form_token
from hemsjukvard.pages import apply_service_errors

from . import policies, selectors, services
from .forms import CloseForm, MessageForm, ReplyForm
from .models import CaseMessage


def case_messages_url(case: ResponsibilityCase) -> str:
    return reverse("cases:detail", kwargs={"public_id": case.public_id}) + "#meddelanden"


def message_form(
    actor: Actor, case: ResponsibilityCase, data: Any = None, *, organisation_id: int | None = None
) -> MessageForm:
    """The form to write a message on ``case`` as a member of ``organisation_id``."""
    first, last = services.reply_by_bounds(timezone.localdate())
    tasks = list(CaseTask.objects.filter(case=case).select_related("task_type").order_by("pk"))
    return MessageForm(
        data,
        parties=policies.addressable(case, organisation_id) if organisation_id is not None else [],
        tasks=tasks,
        task_names={t.pk: presenters.task_name(t.task_type) for t in tasks},
        first_day=first,
        last_day=last,
        prefix="message",
    )


def _day(value: Any) -> str:
    return str(formats.date_format(value, "j F Y"))


def _kept(
    request: HttpRequest, case: ResponsibilityCase, form: Any, *, message: CaseMessage | None, status: int
) -> HttpResponse:
    return render(
        request,
        "messaging/message_form.html",
        {"case": case, "form": form, "message": message, "form_token": form_token()},
        status=status,
    )


@login_required
@require_POST
def message_send(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=public_id)
    membership = policies.sender_membership(actor, case)
    if membership is None:
        raise NotPermitted(_("Only the case's parties write messages on it."))
    form = message_form(actor, case, request.POST, organisation_id=membership.organisation_id)
    if not form.is_valid():
        return _kept(request, case, form, message=None, status=400)

    def attempt() -> HttpResponseBase:
        data = form.cleaned_data
        sent = services.message_send(
            actor=actor,
            case=case,
            to=data["to"],
            body=data["body"],
            reply_by=data.get("reply_by"),
            task=data.get("task") or None,
        )
        names = {"to": sent.addressed_organisation.name}
        if sent.reply_by is not None:
            names["due"] = _day(sent.reply_by)
            text = _("The message is sent. %(to)s gets a notification. Answer by %(due)s.") % names
        else:
            text = _("The message is sent. %(to)s gets a notification.") % names
        messages.success(request, text)
        return redirect(case_messages_url(case))

    try:
        return form_once(request, attempt)
    except ValidationError as error:
        apply_service_errors(form, error)
    except StateConflictError as conflict:
        form.add_error(None, conflict.message)
    return _kept(request, case, form, message=None, status=400)


@login_required
@require_POST
def message_reply(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    message = selectors.message_get(actor=actor, public_id=public_id)
    membership = policies.reply_membership(
        actor,
        sender_organisation_id=message.sender_organisation_id,
        addressed_id=message.addressed_organisation_id,
    )
    if membership is None:
        raise NotPermitted(_("Only the sender's and the addressed organisation write in the thread."))
    form = ReplyForm(request.POST, prefix=f"reply-{message.public_id}")
    if not form.is_valid():
        return _kept(request, message.case, form, message=message, status=400)
    answering = membership.organisation_id == message.addressed_organisation_id
    told = message.sender_organisation if answering else message.addressed_organisation

    def attempt() -> HttpResponseBase:
        services.message_reply(
            actor=actor,
            message=message,
            expected_version=form.cleaned_data.get("version") or None,
            body=form.cleaned_data["body"],
        )
        messages.success(request, _("Your reply is sent. %(to)s gets a notification.") % {"to": told.name})
        return redirect(case_messages_url(message.case))

    try:
        return form_once(request, attempt)
    except ValidationError as error:
        apply_service_errors(form, error)
    except StaleVersionError:
        fresh = selectors.message_reload(message=message)
        data = request.POST.copy()
        data[f"reply-{message.public_id}-version"] = str(fresh.version)
        form = ReplyForm(data, prefix=f"reply-{message.public_id}")
        form.is_valid()
        form.add_error(
            None,
            _(
                "Someone else wrote in the thread while you were writing. Your reply is kept below: read "
                "what was added and send it again."
            ),
        )
        return _kept(request, message.case, form, message=fresh, status=409)
    except StateConflictError as conflict:
        form.add_error(None, conflict.message)
    return _kept(request, message.case, form, message=message, status=400)


@login_required
@require_POST
def message_close(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    message = selectors.message_get(actor=actor, public_id=public_id)
    if policies.close_membership(actor, sender_organisation_id=message.sender_organisation_id) is None:
        raise NotPermitted(_("Only the sender's organisation closes its message."))
    form = CloseForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        services.message_close(actor=actor, message=message, expected_version=version or None)
    except StaleVersionError:
        messages.error(request, _("Someone wrote in the thread meanwhile: read it, then close the message."))
    except StateConflictError as conflict:
        messages.error(request, conflict.message)
    else:
        messages.success(request, _("The message is closed: it no longer waits for an answer."))
    return redirect(case_messages_url(message.case))
