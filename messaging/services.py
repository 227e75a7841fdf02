"""Writes on messages: send one to a party of the case, reply in its thread, close it, and remind both
sides once when its reply-by date has passed without an answer.

Each write runs in one transaction, checks who may (``messaging.policies``), validates its input as
field errors (nothing is half written), writes the access log and tells whoever must act
(``messaging.notify`` for the words; the notifications are the cases app's, e-mailed by its worker).
A reply and a close lock the message and check the version the caller read (412 when stale).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from assignments.selectors import current_by_organisation
from audit.models import Action
from audit.records import RECORD_CASE_MESSAGE
from audit.services import Access, access_log_record
from cases.models import CaseTask, Notification, NotificationKind, ResponsibilityCase
from cases.notify import Notice
from cases.services.notifications import notices_write, notifications_dispatch
from directory.actor import Actor
from directory.models import Membership, Organisation, User
from hemsjukvard.errors import NotPermitted, StateConflictError
from hemsjukvard.writes import lock_current, save_next_version

from . import notify
from .models import BODY_MAX_LENGTH, REPLY_BY_MAX_DAYS, CaseMessage, MessageReply, MessageStatus
from .policies import (
    WRITABLE_STATUSES,
    addressable,
    answering_roles,
    close_membership,
    reply_membership,
    sender_membership,
)

K = NotificationKind


def _body(body: str, errors: dict[str, list[str]]) -> str:
    text = (body or "").strip()
    if not text:
        errors.setdefault("body", []).append(_("Write the message."))
    elif len(text) > BODY_MAX_LENGTH:
        errors.setdefault("body", []).append(
            _("Write at most %(max)d characters (this is %(length)d).")
            % {"max": BODY_MAX_LENGTH, "length": len(text)}
        )
    return text


def reply_by_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and the last day a reply-by date may name, counted from ``today``."""
    return today, today + datetime.timedelta(days=REPLY_BY_MAX_DAYS)


def reply_by_errors(reply_by: datetime.date | None, today: datetime.date) -> list[str]:
    """What is wrong with a reply-by date chosen ``today`` (nothing: an empty list). The page's form
    checks it too, so that it is said together with every other error of the form."""
    if reply_by is None:
        return []
    first, last = reply_by_bounds(today)
    if reply_by < first:
        return [_("Choose today or a later day.")]
    if reply_by > last:
        return [
            _("Choose a day at most %(days)d days ahead (by %(last)s).")
            % {"days": REPLY_BY_MAX_DAYS, "last": last.isoformat()}
        ]
    return []


def _reply_by(reply_by: datetime.date | None, today: datetime.date, errors: dict[str, list[str]]) -> None:
    if problems := reply_by_errors(reply_by, today):
        errors.setdefault("reply_by", []).extend(problems)


def _log(actor: Actor, message: CaseMessage, membership: Membership, action: str) -> None:
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=message.case.patient_id,
                record_type=RECORD_CASE_MESSAGE,
                record_id=str(message.public_id),
                membership=membership,
            )
        ],
        action=action,
    )


def _tell_person(
    *,
    message: CaseMessage,
    key: str,
    kind: str,
    text: Callable[[bool], str],
    acts: bool = False,
    due_at: datetime.datetime | None = None,
) -> list[int]:
    """Tell the message's sender (one person, in the membership they wrote in), once per ``key``; and,
    when the case has since been handed to a colleague in the sender's organisation, that colleague too.
    ``text(own)`` words the notice for the sender (``own``: "your message") or for that colleague."""
    people = [(message.sender_id, message.sender_role)]
    handler = current_by_organisation([message.case_id]).get(
        (message.case_id, message.sender_organisation_id)
    )
    if handler is not None and handler.assignee_id and handler.assignee_id != message.sender_id:
        role = (
            Membership.objects.active()
            .filter(user_id=handler.assignee_id, organisation_id=message.sender_organisation_id)
            .values_list("role", flat=True)
            .first()
        )
        if role:
            people.append((handler.assignee_id, role))
    ids: list[int] = []
    for user_id, role in people:
        if not User.objects.filter(pk=user_id, is_active=True).exists():
            continue
        notice, created = Notification.objects.get_or_create(
            user_id=user_id,
            case_id=message.case_id,
            kind=kind,
            deadline_key=key,
            defaults={
                "message": text(user_id == message.sender_id),
                "organisation_id": message.sender_organisation_id,
                "role": role,
                "acts": acts,
                "due_at": due_at,
            },
        )
        if created:
            notifications_dispatch(
                notification_ids=[notice.pk], dedup_key=f"messaging.notify:{key}:{user_id}"
            )
            ids.append(notice.pk)
    return ids


def _tell_addressed(
    *, message: CaseMessage, key: str, kind: str, text: str, acting_user_id: int | None, acts: bool
) -> list[int]:
    """Tell the people of the addressed organisation who act on the case (``policies.answering_roles``)."""
    roles = answering_roles(message.case, message.addressed_organisation_id, message.task)
    notice = Notice(
        organisation_id=message.addressed_organisation_id,
        roles=roles,
        kind=kind,
        acts=acts,
        text=text,
        due_at=notify.due_at(message.reply_by) if acts else None,
    )
    return notices_write(acting_user_id=acting_user_id, case=message.case, key=key, notices=[notice])


def _turns_done(message: CaseMessage, *, organisation_id: int | None = None) -> None:
    """The message's notices no longer ask anyone (of ``organisation_id``, if given) to act."""
    keys = Q(deadline_key=f"message:{message.pk}") | Q(deadline_key=f"message-overdue:{message.pk}")
    reply_ids = list(MessageReply.objects.filter(message=message).values_list("pk", flat=True))
    keys |= Q(deadline_key__in=[f"message-reply:{pk}" for pk in reply_ids])
    done = Notification.objects.filter(keys, case_id=message.case_id, acts=True)
    if organisation_id is not None:
        done = done.filter(organisation_id=organisation_id)
    done.update(acts=False, updated_at=timezone.now())


@transaction.atomic
def message_send(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    to: uuid.UUID | str | None,
    body: str,
    reply_by: datetime.date | None = None,
    task: uuid.UUID | str | None = None,
    today: datetime.date | None = None,
) -> CaseMessage:
    """Send a message on ``case`` (read through the access rule) to another party of the case; its
    people who act on the case are told, with the reply-by date."""
    today = today or timezone.localdate()
    if case.status not in WRITABLE_STATUSES:
        raise StateConflictError(
            _("A message can be written once the case is submitted and until it is closed."),
            extra={"status": case.status},
        )
    membership = sender_membership(actor, case)
    if membership is None:
        raise NotPermitted(_("Only the case's parties write messages on it."))
    errors: dict[str, list[str]] = {}
    text = _body(body, errors)
    _reply_by(reply_by, today, errors)
    addressed: Organisation | None = None
    choices = {str(o.public_id): o for o in addressable(case, membership.organisation_id)}
    if to:
        addressed = choices.get(str(to))
    if addressed is None:
        errors.setdefault("to", []).append(_("Choose one of the case's other parties."))
    concerned: CaseTask | None = None
    if task:
        try:
            concerned = (
                CaseTask.objects.select_related("task_type")
                .filter(case=case, public_id=uuid.UUID(str(task)))
                .first()
            )
        except ValueError:
            concerned = None
        if concerned is None:
            errors.setdefault("task", []).append(_("Choose one of the case's tasks, or none."))
    if errors:
        raise ValidationError(errors)
    assert addressed is not None
    message = CaseMessage.objects.create(
        case=case,
        sender=actor.user,
        sender_organisation=membership.organisation,
        sender_role=membership.role,
        api_client=actor.api_client,
        addressed_organisation=addressed,
        task=concerned,
        body=text,
        reply_by=reply_by,
    )
    _log(actor, message, membership, Action.CREATE)
    _tell_addressed(
        message=message,
        key=f"message:{message.pk}",
        kind=K.MESSAGE_RECEIVED,
        text=notify.received_text(
            case_number=case.number, sender=membership.organisation.name, reply_by=reply_by
        ),
        acting_user_id=actor.user.pk,
        acts=True,
    )
    return message


def _lock(message: CaseMessage, expected_version: int | None) -> CaseMessage:
    return lock_current(
        CaseMessage.objects.select_related(
            "case", "sender_organisation", "addressed_organisation", "task__task_type"
        ),
        message.pk,
        version_field="version",
        expected=expected_version,
    )


@transaction.atomic
def message_reply(
    *, actor: Actor, message: CaseMessage, expected_version: int | None, body: str
) -> MessageReply:
    """Write in the message's thread. The addressed organisation's first reply answers the message (its
    sender is told); a reply by the sender's side is told to the addressed organisation."""
    message = _lock(message, expected_version)
    if message.status == MessageStatus.CLOSED:
        raise StateConflictError(
            _("The message is closed: write a new message if more needs to be said."),
            extra={"status": message.status},
        )
    membership = reply_membership(
        actor,
        sender_organisation_id=message.sender_organisation_id,
        addressed_id=message.addressed_organisation_id,
    )
    if membership is None:
        raise NotPermitted(_("Only the sender's and the addressed organisation write in the thread."))
    errors: dict[str, list[str]] = {}
    text = _body(body, errors)
    if errors:
        raise ValidationError(errors)
    reply = MessageReply.objects.create(
        message=message,
        author=actor.user,
        organisation=membership.organisation,
        role=membership.role,
        api_client=actor.api_client,
        body=text,
    )
    answering = membership.organisation_id == message.addressed_organisation_id
    if answering and message.status == MessageStatus.OPEN:
        message.status = MessageStatus.ANSWERED
        message.answered_at = timezone.now()
        _turns_done(message, organisation_id=message.addressed_organisation_id)
    save_next_version(message, version_field="version")
    _log(actor, message, membership, Action.CREATE)
    key = f"message-reply:{reply.pk}"
    if answering:
        if message.sender_id != actor.user.pk:
            _tell_person(
                message=message,
                key=key,
                kind=K.MESSAGE_ANSWERED,
                text=lambda own: notify.answered_text(
                    case_number=message.case.number, addressed=message.addressed_organisation.name, own=own
                ),
            )
    else:
        _tell_addressed(
            message=message,
            key=key,
            kind=K.MESSAGE_RECEIVED,
            text=notify.written_again_text(
                case_number=message.case.number, sender=message.sender_organisation.name
            ),
            acting_user_id=actor.user.pk,
            acts=message.is_waiting,
        )
    return reply


@transaction.atomic
def message_close(*, actor: Actor, message: CaseMessage, expected_version: int | None) -> CaseMessage:
    """The sender's organisation closes its message: it no longer waits for anyone."""
    message = _lock(message, expected_version)
    if message.status == MessageStatus.CLOSED:
        raise StateConflictError(_("The message is already closed."), extra={"status": message.status})
    membership = close_membership(actor, sender_organisation_id=message.sender_organisation_id)
    if membership is None:
        raise NotPermitted(_("Only the sender's organisation closes its message."))
    message.status = MessageStatus.CLOSED
    message.closed_at = timezone.now()
    message.closed_by = actor.user
    _turns_done(message)
    save_next_version(message, version_field="version")
    _log(actor, message, membership, Action.UPDATE)
    return message


# --- Reminders -------------------------------------------------------------------------------------


def overdue_message_ids(*, today: datetime.date) -> list[int]:
    """Messages still waiting for their answer after their reply-by date, not yet reminded of."""
    return list(
        CaseMessage.objects.filter(status=MessageStatus.OPEN, reply_by__lt=today, reminded_at__isnull=True)
        .order_by("reply_by", "pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def message_remind_if_overdue(*, message_id: int, today: datetime.date) -> list[int]:
    """Remind the sender and the addressed organisation that the reply-by date has passed without an
    answer: once per message (the message is claimed with a conditional update before anyone is told,
    so two runs at once remind once). Returns the notifications written."""
    claimed = CaseMessage.objects.filter(
        pk=message_id, status=MessageStatus.OPEN, reply_by__lt=today, reminded_at__isnull=True
    ).update(reminded_at=timezone.now())
    if not claimed:
        return []
    message = CaseMessage.objects.select_related(
        "case", "sender_organisation", "addressed_organisation", "task__task_type"
    ).get(pk=message_id)
    assert message.reply_by is not None
    reply_by = message.reply_by
    key = f"message-overdue:{message.pk}"
    written = _tell_addressed(
        message=message,
        key=key,
        kind=K.MESSAGE_OVERDUE,
        text=notify.overdue_to_addressed_text(
            case_number=message.case.number,
            sender=message.sender_organisation.name,
            reply_by=message.reply_by,
        ),
        acting_user_id=None,
        acts=True,
    )
    written += _tell_person(
        message=message,
        key=key,
        kind=K.MESSAGE_OVERDUE,
        text=lambda own: notify.overdue_to_sender_text(
            case_number=message.case.number,
            addressed=message.addressed_organisation.name,
            reply_by=reply_by,
            own=own,
        ),
        due_at=notify.due_at(message.reply_by),
    )
    return written
