"""Notifications for every step that needs someone: written in the step's transaction, e-mailed by the
worker (at once, or in the person's daily digest), published to the API client acting for the person.

``cases.notify`` says who is told what at which step; this module finds the people (every active
member with the named role in the named organisation, never the person who acted) and writes one
notification each. The key of a step's notifications is its event (``event:<id>``, ``sip-event:<id>``)
and notifications are unique per person, case, kind and key, so a step written again notifies nobody
twice; the e-mails are claimed before they are sent, so a retried task sends none twice.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Sequence

from django.conf import settings
from django.core.mail import get_connection, send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agreements import deadlines
from agreements.choices import DayKind
from directory.actor import Actor
from directory.models import Membership, User
from hemsjukvard.outbox import outbox_enqueue

from .. import notify, selectors
from ..models import (
    CaseEvent,
    CaseTask,
    EmailChoice,
    EventKind,
    Notification,
    NotificationKind,
    NotificationPreference,
    ResponsibilityCase,
)
from ..transitions import A, Party


def case_label(case: ResponsibilityCase) -> str:
    """The case named by its number and its tasks (Swedish names), never by its patient."""
    names = CaseTask.objects.filter(case=case).order_by("pk").values_list("task_type__name_sv", flat=True)
    return f"{case.number} ({', '.join(dict.fromkeys(names)) or _('no tasks')})"


def _due(case: ResponsibilityCase, event: CaseEvent) -> datetime.datetime | None:
    days = event.payload.get("deadline_days") if event.kind == EventKind.ESCALATED else None
    if isinstance(days, int):
        # The escalation sets the body's deadline after the step is recorded; the same rule, here.
        version = case.agreement_version
        day_kind = version.deadline_day_kind if version is not None else DayKind.WORKING
        return deadlines.deadline_at(start=event.at, days=days, day_kind=day_kind)
    return case.due_at


def _step(case: ResponsibilityCase, event: CaseEvent) -> notify.Step:
    approvers: tuple[str, ...] = ()
    specialist_signs = False
    answering: tuple[int, ...] = ()
    if event.action in (A.CREATE_ANALYSIS, A.SIGN_ANALYSIS, A.APPROVE_ANALYSIS):
        facts = selectors.case_facts(case)
        approvers = tuple(sorted(set(facts.approvals_pending.values())))
        specialist_signs = facts.signer_party == Party.CLINIC
    elif event.action == A.SUBMIT:
        answering = tuple(sorted(selectors.case_facts(case).awaited))
    return notify.Step(
        action=event.action,
        event_kind=event.kind,
        from_status=event.from_status,
        to_status=event.to_status,
        kommun_id=case.kommun_id,
        vardcentral_id=case.vardcentral_id,
        clinic_id=case.specialist_clinic_id,
        body_id=case.escalation_body_id,
        due_at=_due(case, event),
        case_label=case_label(case),
        approver_roles=approvers,
        specialist_signs=specialist_signs,
        was_escalated=case.escalation_level is not None,
        answering_ids=answering,
        level=case.escalation_level,
        body_name=case.escalation_body.name if case.escalation_body is not None else "",
    )


def _turns_done(case: ResponsibilityCase, event: CaseEvent) -> None:
    """A notice's "your turn" ends for whoever acted, and for everyone once the case has moved on (a
    new status, level or decision): an old notice never asks for what can no longer be done. The new
    step's notices say whose turn it is now."""
    moved = event.from_status != event.to_status or event.kind in (EventKind.ESCALATED, EventKind.DECIDED)
    done = Notification.objects.filter(case=case, acts=True)
    if not moved:
        if event.user_id is None:
            return
        done = done.filter(user_id=event.user_id)
    done.update(acts=False, updated_at=timezone.now())


def case_step_notify(*, actor: Actor | None, case: ResponsibilityCase, event: CaseEvent) -> list[int]:
    """Tell everyone whose turn (or concern) ``event`` is; called for every recorded case event."""
    if event.kind not in notify.STEP_EVENT_KINDS:
        return []
    _turns_done(case, event)
    return notices_write(
        acting_user_id=event.user_id,
        case=case,
        key=f"event:{event.pk}",
        notices=notify.case_notices(_step(case, event)),
    )


def notices_write(
    *, acting_user_id: int | None, case: ResponsibilityCase, key: str, notices: Sequence[notify.Notice]
) -> list[int]:
    """One notification per person named by ``notices`` (the first notice naming them wins), in the
    caller's transaction; e-mail and webhooks go to the outbox. Returns the notifications written."""
    if not notices:
        return []
    memberships = (
        Membership.objects.active(timezone.localdate())
        .filter(user__is_active=True)
        .filter(Q(pk__in=[]) | _any(Q(organisation_id=n.organisation_id, role__in=n.roles) for n in notices))
        .order_by("user_id", "pk")
        .values_list("user_id", "organisation_id", "role")
    )
    found: dict[tuple[int, str], list[int]] = {}
    for user_id, organisation_id, role in memberships:
        found.setdefault((organisation_id, role), []).append(user_id)
    told: set[int] = set()
    rows: list[Notification] = []
    for n in notices:
        for role in sorted(n.roles):
            for user_id in found.get((n.organisation_id, role), []):
                if user_id == acting_user_id or user_id in told:
                    continue
                if n.user_id is not None and user_id != n.user_id:
                    continue
                told.add(user_id)
                rows.append(
                    Notification(
                        user_id=user_id,
                        case=case,
                        kind=n.kind,
                        deadline_key=key,
                        message=n.text,
                        organisation_id=n.organisation_id,
                        role=role,
                        acts=n.acts,
                        due_at=n.due_at,
                    )
                )
    if not rows:
        return []
    existing = set(Notification.objects.filter(case=case, deadline_key=key).values_list("user_id", flat=True))
    Notification.objects.bulk_create([r for r in rows if r.user_id not in existing], ignore_conflicts=True)
    written = list(
        Notification.objects.filter(case=case, deadline_key=key)
        .exclude(user_id__in=existing)
        .values_list("pk", flat=True)
    )
    notifications_dispatch(notification_ids=written, dedup_key=f"cases.notify:{case.pk}:{key}")
    return written


def _any(conditions: Iterable[Q]) -> Q:
    combined = Q(pk__in=[])
    for condition in conditions:
        combined |= condition
    return combined


def _digest_user_ids() -> set[int]:
    return set(
        NotificationPreference.objects.filter(email=EmailChoice.DIGEST).values_list("user_id", flat=True)
    )


def notifications_dispatch(*, notification_ids: Sequence[int], dedup_key: str) -> None:
    """E-mail at once those of ``notification_ids`` whose person wants it so (the rest wait for their
    digest), and publish ``notification.created`` to the API client acting for each person."""
    if not notification_ids:
        return
    from ..events import notifications_created_publish

    digest = _digest_user_ids()
    now_ids = list(
        Notification.objects.filter(pk__in=notification_ids)
        .exclude(user_id__in=digest)
        .values_list("pk", flat=True)
    )
    if now_ids:
        outbox_enqueue(
            "cases.tasks.notifications_email", kwargs={"notification_ids": now_ids}, dedup_key=dedup_key
        )
    notifications_created_publish(notification_ids=list(notification_ids))


# --- E-mail ----------------------------------------------------------------------------------------


def email_subject(notification: Notification) -> str:
    subjects: dict[str, str] = {
        NotificationKind.DEADLINE_PASSED: _("Hemsjukvård: a deadline has passed"),
        NotificationKind.MAS_INFORMED: _("Hemsjukvård: you are informed of a risk analysis"),
    }
    return subjects.get(notification.kind) or _("Hemsjukvård: %(kind)s") % {
        "kind": notification.get_kind_display()
    }


def email_body(notification: Notification) -> str:
    lines = [notification.message, _("Case %(id)s") % {"id": notification.case.number}]
    if notification.due_at is not None:
        lines.append(_("Due: %(due)s") % {"due": deadlines.last_day_text(notification.due_at)})
    lines += ["", _("Open your inbox in Hemsjukvård to read it.")]
    return "\n".join(lines)


def notifications_email(*, notification_ids: Sequence[int]) -> int:
    """E-mail at once each of ``notification_ids`` whose person has not chosen the daily digest, each at
    most once; returns how many were claimed (a person without an address is claimed, not mailed).

    One step may tell many people: the rows are claimed together (locked, marked e-mailed and committed)
    before anything is sent, in a constant number of queries, and the mails share one connection. A send
    that fails gives back the claims not yet sent and raises, so the task's retry sends only those.
    """
    with transaction.atomic():
        claimed = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(pk__in=list(notification_ids), emailed_at__isnull=True)
            .exclude(user__notification_preference__email=EmailChoice.DIGEST)
            .select_related("user", "case")
            .order_by("pk")
        )
        if not claimed:
            return 0
        Notification.objects.filter(pk__in=[n.pk for n in claimed]).update(emailed_at=timezone.now())
    to_send = [n for n in claimed if n.user.email]
    if to_send:
        connection = get_connection()
        # In the site's language (Swedish), also when the task runs inside the request of someone
        # reading the site in English (tasks run in-process in development).
        with translation.override(settings.LANGUAGE_CODE):
            for index, notification in enumerate(to_send):
                try:
                    send_mail(
                        subject=email_subject(notification),
                        message=email_body(notification),
                        from_email=None,
                        recipient_list=[notification.user.email],
                        connection=connection,
                    )
                except Exception:
                    unsent = [n.pk for n in to_send[index:]]
                    Notification.objects.filter(pk__in=unsent).update(emailed_at=None)
                    raise
    return len(claimed)


def email_choice(user_id: int) -> str:
    preference = NotificationPreference.objects.filter(user_id=user_id).first()
    return preference.email if preference is not None else EmailChoice.IMMEDIATE


def digest_user_ids() -> list[int]:
    """The people who want a digest and have notifications not yet e-mailed."""
    return sorted(
        set(
            Notification.objects.filter(
                emailed_at__isnull=True, user__is_active=True, user_id__in=list(_digest_user_ids())
            ).values_list("user_id", flat=True)
        )
    )


def notification_digest_email(*, user_id: int) -> int:
    """E-mail one person's digest of every notification not yet e-mailed; returns how many it lists.

    The rows are locked while the mail is sent and marked in the same transaction, so two runs at once
    send one digest, and a failed send leaves them for the next run.
    """
    with transaction.atomic():
        pending = list(
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(user_id=user_id, emailed_at__isnull=True)
            .select_related("user", "case")
            .order_by("created_at", "pk")
        )
        if not pending:
            return 0
        user: User = pending[0].user
        if user.email:
            with translation.override(settings.LANGUAGE_CODE):
                lines = [
                    f"{timezone.localtime(n.created_at):%Y-%m-%d %H:%M} – {n.case.number} – "
                    f"{n.get_kind_display()}: {n.message}"
                    for n in pending
                ]
                send_mail(
                    subject=_("Hemsjukvård: your notifications of the day (%(count)d)")
                    % {"count": len(pending)},
                    message="\n".join(
                        [
                            _("Notifications since your last digest:"),
                            "",
                            *lines,
                            "",
                            _("Open your inbox to read them."),
                        ]
                    ),
                    from_email=None,
                    recipient_list=[user.email],
                )
        Notification.objects.filter(pk__in=[n.pk for n in pending]).update(emailed_at=timezone.now())
        return len(pending)


def notifications_digest_schedule(*, now: datetime.datetime) -> int:
    """Hand each digest to the worker through the outbox, once per person and day."""
    day = timezone.localdate(now)
    scheduled = 0
    for user_id in digest_user_ids():
        with transaction.atomic():
            if outbox_enqueue(
                "cases.tasks.notification_digest_email",
                kwargs={"user_id": user_id},
                dedup_key=f"cases.digest:{user_id}:{day:%Y-%m-%d}",
            ):
                scheduled += 1
    return scheduled


# --- The person's own inbox ------------------------------------------------------------------------


@transaction.atomic
def notifications_mark_all_read(*, actor: Actor, organisation_ids: Collection[int] | None = None) -> int:
    """Mark every unread notification of the person read (only those told in ``organisation_ids`` when
    given: a client acting for the person reaches no further); returns how many."""
    now = timezone.now()
    unread = Notification.objects.filter(user=actor.user, read_at__isnull=True)
    if organisation_ids is not None:
        unread = unread.filter(organisation_id__in=list(organisation_ids))
    return unread.update(read_at=now, updated_at=now)


@transaction.atomic
def notification_preference_set(*, actor: Actor, email: str) -> NotificationPreference:
    """How the person wants their notifications e-mailed: at once or in a daily digest."""
    if email not in EmailChoice.values:
        from django.core.exceptions import ValidationError

        raise ValidationError({"email": _("Choose at once or a daily digest.")})
    preference, _created = NotificationPreference.objects.update_or_create(
        user=actor.user, defaults={"email": email}
    )
    return preference
