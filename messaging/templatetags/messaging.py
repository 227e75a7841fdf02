"""The case page's "Meddelanden" section: the case's messages with their threads, the forms to reply
and close, and the form to write a new one.

Rendered inside the case page, which has read the case through the access rule; the messages are read
(and logged) through ``messaging.selectors`` here, so the case page needs no change beyond the tag.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from access.cases import granting_membership
from cases.models import ResponsibilityCase
from directory.actor import Actor
from hemsjukvard.form_once import form_token

from .. import policies, selectors
from ..forms import CloseForm, ReplyForm
from ..models import MessageStatus
from ..views import message_form

register = template.Library()


@register.inclusion_tag("messaging/_section.html", takes_context=True)
def case_messages(context: template.Context, case: ResponsibilityCase) -> dict[str, Any]:
    request = context["request"]
    actor = Actor.from_request(request)
    membership = granting_membership(actor, case)
    if membership is None:  # the page has refused already; nothing to show
        return {"shown": False}
    today = timezone.localdate()
    rows = []
    for message in selectors.case_messages(actor=actor, case=case, membership=membership):
        is_open = message.status != MessageStatus.CLOSED
        may_reply = is_open and (
            policies.reply_membership(
                actor,
                sender_organisation_id=message.sender_organisation_id,
                addressed_id=message.addressed_organisation_id,
            )
            is not None
        )
        may_close = is_open and (
            policies.close_membership(actor, sender_organisation_id=message.sender_organisation_id)
            is not None
        )
        rows.append(
            {
                "message": message,
                "overdue": message.is_waiting and message.reply_by is not None and message.reply_by < today,
                "reply_form": ReplyForm(
                    initial={"version": message.version}, prefix=f"reply-{message.public_id}"
                )
                if may_reply
                else None,
                "close_form": CloseForm(initial={"version": message.version}) if may_close else None,
            }
        )
    sender = policies.sender_membership(actor, case)
    writable = sender is not None and case.status in policies.WRITABLE_STATUSES
    return {
        "shown": True,
        "case": case,
        "rows": rows,
        "form": message_form(actor, case, organisation_id=sender.organisation_id)
        if writable and sender
        else None,
        "form_token": form_token(),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
