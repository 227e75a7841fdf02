"""Reads of messages for a person: whoever may see the case sees its messages (``access.cases``), and
every message shown is written to the access log, as the case itself is. A message of a case the
person may not see answers the same 404 as one that does not exist (and the attempt is logged).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from access.cases import cases_seen, granting_membership, visible_cases_q
from access.legal_basis import Sharing, acting_organisations, objection_blocks, sharing_for, sharing_many
from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_CASE_MESSAGE
from audit.services import Access, access_log_record
from cases.models import ResponsibilityCase
from cases.selectors import case_get
from directory.actor import Actor
from directory.models import Membership

from .models import CaseMessage, MessageReply, MessageStatus
from .policies import WRITER_ROLES


def message_queryset() -> QuerySet[CaseMessage]:
    return CaseMessage.objects.select_related(
        "case",
        "sender",
        "sender_organisation",
        "addressed_organisation",
        "task__task_type",
        "closed_by",
    ).prefetch_related(
        Prefetch(
            "replies",
            queryset=MessageReply.objects.select_related("author", "organisation").order_by(
                "created_at", "pk"
            ),
        )
    )


def _log(actor: Actor, shown: Sequence[tuple[CaseMessage, Membership]], action: str) -> None:
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=message.case.patient_id,
                record_type=RECORD_CASE_MESSAGE,
                record_id=str(message.public_id),
                membership=membership,
            )
            for message, membership in shown
        ],
        action=action,
    )


def _readable(actor: Actor, message: CaseMessage, sharing: Sharing) -> bool:
    """A message is free text about the person: another organisation reads it only while the case's text
    is shared with it (``access.legal_basis``); the messages its own organisation sent it always reads."""
    return sharing.text or message.sender_organisation_id in acting_organisations(actor)


def case_messages(*, actor: Actor, case: ResponsibilityCase, membership: Membership) -> list[CaseMessage]:
    """The messages of a case already read through the access rule (``membership`` granted it), newest
    first, each one logged as read; without a legal basis for sharing, only those the reader's own
    organisation sent."""
    sharing = sharing_for(actor, case)
    messages = [
        m
        for m in message_queryset().filter(case=case).order_by("-created_at", "-pk")
        if _readable(actor, m, sharing)
    ]
    _log(actor, [(m, membership) for m in messages], Action.READ)
    return messages


def messages_of_case(
    *, actor: Actor, public_id: uuid.UUID | str
) -> tuple[ResponsibilityCase, list[CaseMessage]]:
    """A case's messages, newest first, if ``actor`` may see the case (404 and a denied row in the log
    otherwise); each message is logged as read."""
    case = case_get(actor=actor, public_id=public_id, record_type=RECORD_CASE_MESSAGE, log=False)
    membership = granting_membership(actor, case)
    assert membership is not None  # case_get answered 404 otherwise
    return case, case_messages(actor=actor, case=case, membership=membership)


def _deny(actor: Actor, patient_id: int | None, record_id: str) -> Http404:
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient_id, record_type=RECORD_CASE_MESSAGE, record_id=record_id)],
        action=Action.READ,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
    )
    return Http404(_("No message found."))


def message_get(*, actor: Actor, public_id: uuid.UUID | str) -> CaseMessage:
    """One message, if ``actor`` may see its case; logs the read (or the denied attempt) either way."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No message found.")) from None
    message = message_queryset().filter(public_id=key).first()
    if message is None:
        raise _deny(actor, None, str(key))
    membership = granting_membership(actor, message.case)
    if (
        membership is None
        or objection_blocks(actor, message.case)
        or not _readable(actor, message, sharing_for(actor, message.case))
    ):
        raise _deny(actor, message.case.patient_id, str(key))
    _log(actor, [(message, membership)], Action.READ)
    return message


def message_reload(*, message: CaseMessage) -> CaseMessage:
    """A message already read through ``message_get``, as it is stored now (after a write)."""
    return message_queryset().get(pk=message.pk)


@dataclass(frozen=True)
class MessageFilters:
    status: str = ""
    # Only messages waiting for an answer from one of the person's organisations.
    awaiting_me: bool = False
    case: uuid.UUID | None = None


def _writer_organisations(actor: Actor) -> list[int]:
    return sorted({m.organisation_id for m in actor.memberships if m.role in WRITER_ROLES})


def message_list(*, actor: Actor, filters: MessageFilters | None = None) -> QuerySet[CaseMessage]:
    """Messages on the cases ``actor`` may see, filtered, unread: show a page of it with
    ``messages_listed``, which logs it."""
    filters = filters or MessageFilters()
    visible = ResponsibilityCase.objects.filter(visible_cases_q(actor)).filter(pk=OuterRef("case_id"))
    queryset = message_queryset().filter(Exists(visible))
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.awaiting_me:
        queryset = queryset.filter(
            status=MessageStatus.OPEN, addressed_organisation_id__in=_writer_organisations(actor)
        )
    if filters.case is not None:
        queryset = queryset.filter(case__public_id=filters.case)
    return queryset.order_by("-created_at", "-pk")


def messages_listed(*, actor: Actor, messages: Sequence[CaseMessage]) -> list[CaseMessage]:
    """``messages`` (rows of ``message_list``) as shown to ``actor``, each one logged as listed."""
    shown: list[tuple[CaseMessage, Membership]] = []
    memberships: dict[int, Membership | None] = {}
    sharing = sharing_many(actor, list({m.case_id: m.case for m in messages}.values()))
    for message in messages:
        if message.case_id not in memberships:
            memberships[message.case_id] = granting_membership(actor, message.case)
        membership = memberships[message.case_id]
        if membership is not None and _readable(actor, message, sharing[message.case_id]):
            shown.append((message, membership))
    _log(actor, shown, Action.LIST)
    return [message for message, _membership in shown]


def messages_waiting_count(*, actor: Actor) -> int:
    """How many messages to the person's organisations wait for an answer, for the navigation's badge
    (My work lists them under "Waiting for me"): one count, no patient data, not logged."""
    if not _writer_organisations(actor):
        return 0
    return message_list(actor=actor, filters=MessageFilters(awaiting_me=True)).count()


@dataclass(frozen=True)
class WaitingRow:
    """A message waiting for the person's organisation to answer, as My work lists it."""

    message: CaseMessage
    identity_visible: bool
    overdue: bool


# My work lists at most this many; the API's list has them all.
WAITING_LIMIT = 100


def messages_waiting_for(*, actor: Actor) -> list[WaitingRow]:
    """The messages addressed to the person's organisations still waiting for an answer, the nearest
    reply-by date first (those without one last), each logged as listed; whether each row may show the
    patient's identity is the patient rule, as for every case in My work."""
    rows = list(
        message_list(actor=actor, filters=MessageFilters(awaiting_me=True))
        .select_related("case__patient")
        .order_by("reply_by", "created_at", "pk")[:WAITING_LIMIT]
    )
    seen = {
        s.obj.pk: s for s in cases_seen(actor=actor, cases=list({m.case_id: m.case for m in rows}.values()))
    }
    today = timezone.localdate()
    shown = [m for m in rows if m.case_id in seen]
    _log(actor, [(m, seen[m.case_id].membership) for m in shown], Action.LIST)
    return [
        WaitingRow(
            message=m,
            identity_visible=seen[m.case_id].identity_visible,
            overdue=m.reply_by is not None and m.reply_by < today,
        )
        for m in shown
    ]
