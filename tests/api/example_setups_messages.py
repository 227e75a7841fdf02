"""The request examples of messages on a case and of the person's notification e-mails: who sends them,
to which case, with which ids (see ``example_setups``)."""

from __future__ import annotations

import datetime
import uuid

from django.utils import timezone

from cases.models import CaseStatus, ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership, Role
from messaging import services as message_services
from messaging.models import CaseMessage, MessageStatus

from .example_setups import Prepared, Setup
from .examples_world import KOMMUN, ExampleWorld, as_member, kommun_nurse, member


def varberg_case_with_a_vardcentral() -> ResponsibilityCase:
    """A submitted, open demo case of Varbergs kommun whose patient is listed at a vårdcentral."""
    case = (
        ResponsibilityCase.objects.filter(kommun__name=KOMMUN, vardcentral__isnull=False)
        .exclude(status__in=[CaseStatus.DRAFT, CaseStatus.CLOSED])
        .select_related("vardcentral")
        .order_by("pk")
        .first()
    )
    assert case is not None, "the demo world has no open Varberg case with a vårdcentral"
    return case


def open_message() -> CaseMessage:
    """A message from Varberg's nurse to a case's vårdcentral still waiting for its answer (sent through
    the services the first time)."""
    found = (
        CaseMessage.objects.filter(sender_organisation__name=KOMMUN, status=MessageStatus.OPEN)
        .select_related("case", "addressed_organisation")
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    case = varberg_case_with_a_vardcentral()
    nurse = member("nurse.varberg", Role.NURSE)
    return message_services.message_send(
        actor=Actor.for_user(nurse.user, acting=nurse),
        case=case,
        to=case.vardcentral.public_id if case.vardcentral else None,
        body="Kan ni ta över ordinationen?",
    )


def cases_messages_create(w: ExampleWorld) -> Prepared:
    """Varberg's nurse asks the vårdcentral of an open case, with an answer-by day a week ahead."""
    case = varberg_case_with_a_vardcentral()
    assert case.vardcentral is not None
    return Prepared(
        kommun_nurse(),
        path_params={"id": case.public_id},
        ids={"to": case.vardcentral.public_id},
        values={"reply_by": (timezone.localdate() + datetime.timedelta(days=7)).isoformat()},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )


def messages_replies_create(w: ExampleWorld) -> Prepared:
    """A physician of the vårdcentral asked answers, with the ETag of their read of the message."""
    message = open_message()
    gp = (
        Membership.objects.active()
        .filter(organisation=message.addressed_organisation, role=Role.GP, user__is_active=True)
        .select_related("user", "organisation")
        .order_by("pk")
        .first()
    )
    assert gp is not None, f"the demo world has no GP at {message.addressed_organisation}"
    caller = as_member(gp)
    return Prepared(
        caller,
        path_params={"id": message.public_id},
        headers={"If-Match": w.etag(caller, "messages_retrieve", message.public_id)},
    )


def notifications_email_preference_update(w: ExampleWorld) -> Prepared:
    """The nurse reads her choice first and sends its ETag with the new one."""
    nurse = kommun_nurse()
    answer = w.call(nurse, "notifications_email_preference_retrieve")
    assert answer.status == 200, answer.body
    assert answer.etag, "the read gives no ETag"
    return Prepared(nurse, headers={"If-Match": answer.etag})


MESSAGE_SETUPS: dict[str, Setup] = {
    "notifications_email_preference_update": notifications_email_preference_update,
    "cases_messages_create": cases_messages_create,
    "messages_replies_create": messages_replies_create,
}
