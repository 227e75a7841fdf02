"""Hand a case over within an organisation: to a colleague, to a team, or back to nobody in particular.

Every write locks the case row, checks the rule (``assignments.policies``), appends one hand-over row,
adds "Handed over" to the case's timeline, bumps the case's version (so every reader sees a new ETag),
writes the access log, and tells the new handler (or every member of the new team) in their inbox and
by e-mail as they chose. The caller must have read the case through ``cases.selectors`` (access checked
and logged); another organisation's case never reaches here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import Action
from audit.records import RECORD_CASE
from audit.services import Access, access_log_record
from cases.events import case_changed_publish
from cases.models import CaseEvent, EventKind, Notification, NotificationKind, ResponsibilityCase
from cases.services import case_label
from cases.services.notifications import notifications_dispatch
from directory.actor import Actor
from directory.models import Membership, Team, User
from directory.teams import handler_memberships, my_team_ids
from hemsjukvard.errors import NotPermitted, StateConflictError
from hemsjukvard.writes import lock_current, save_next_version

from . import policies
from .models import NOTE_MAX_LENGTH, CaseAssignment


def current_assignment(case_id: int, organisation_id: int) -> CaseAssignment | None:
    return (
        CaseAssignment.objects.filter(case_id=case_id, organisation_id=organisation_id)
        .select_related("assignee", "team")
        .order_by("-pk")
        .first()
    )


def _authorise(
    actor: Actor, case: ResponsibilityCase, organisation_id: int | None, expected_version: int | None
) -> tuple[ResponsibilityCase, Membership, CaseAssignment | None]:
    locked = lock_current(
        ResponsibilityCase.objects.all(), case.pk, version_field="version", expected=expected_version
    )
    membership = policies.handing_membership(actor, locked, organisation_id)
    if membership is None:
        raise NotPermitted(
            _("Only people of an organisation on the case hand over its part of the case."),
            code="not_of_organisation",
        )
    if not policies.is_open(locked):
        raise StateConflictError(
            _("The case is closed: there is nothing to hand over."), extra={"status": locked.status}
        )
    current = current_assignment(locked.pk, membership.organisation_id)
    team_ids = set(my_team_ids(actor))
    if not policies.holds(membership, current, team_ids):
        raise NotPermitted(
            _("A colleague handles the case. They can hand it on, or your coordinator can hand it to you."),
            code="handled_by_colleague",
        )
    return locked, membership, current


def _check_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("The note is too long (at most 500 characters).")})
    return note


@transaction.atomic
def case_assign(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    assignee: User | None = None,
    team: Team | None = None,
    organisation_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> CaseAssignment:
    """Hand ``case`` to ``assignee`` or to ``team`` for the actor's organisation on it."""
    if (assignee is None) == (team is None):
        raise ValidationError({"assignee": _("Choose a colleague or a team, not both.")})
    note = _check_note(note)
    case, membership, current = _authorise(actor, case, organisation_id, expected_version)
    organisation = membership.organisation_id
    recipient_memberships: list[Membership]
    if assignee is not None:
        recipient_memberships = list(handler_memberships(organisation).filter(user=assignee))
        if not recipient_memberships:
            raise ValidationError(
                {
                    "assignee": _(
                        "%(name)s cannot handle the case: choose a colleague of your organisation whose "
                        "role handles cases."
                    )
                    % {"name": assignee.display_name}
                }
            )
        if current is not None and current.assignee_id == assignee.pk:
            raise ValidationError(
                {"assignee": _("%(name)s already handles the case.") % {"name": assignee.display_name}}
            )
    else:
        assert team is not None
        if team.organisation_id != organisation or not team.is_active:
            raise ValidationError({"team": _("Choose an active team of your organisation.")})
        if current is not None and current.team_id == team.pk:
            raise ValidationError({"team": _("The team already handles the case.")})
        recipient_memberships = list(
            handler_memberships(organisation).filter(pk__in=team.members.values("pk"))
        )
    assignment = CaseAssignment.objects.create(
        case=case,
        organisation_id=organisation,
        assignee=assignee,
        team=team,
        assigned_by=actor.user,
        assigned_by_role=membership.role,
        api_client=actor.api_client,
        note=note,
    )
    _record(actor, case, membership, assignment)
    _notify(actor, case, assignment, recipient_memberships)
    return assignment


@transaction.atomic
def case_unassign(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    organisation_id: int | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> CaseAssignment:
    """Hand ``case`` back to the actor's organisation: nobody in particular handles it, and it waits for
    everyone there whose turn it is."""
    note = _check_note(note)
    case, membership, current = _authorise(actor, case, organisation_id, expected_version)
    if current is None or not current.is_handled:
        raise StateConflictError(_("Nobody in particular handles the case already."))
    assignment = CaseAssignment.objects.create(
        case=case,
        organisation_id=membership.organisation_id,
        assigned_by=actor.user,
        assigned_by_role=membership.role,
        api_client=actor.api_client,
        note=note,
    )
    _record(actor, case, membership, assignment)
    return assignment


def _record(
    actor: Actor, case: ResponsibilityCase, membership: Membership, assignment: CaseAssignment
) -> None:
    CaseEvent.objects.create(
        case=case,
        user=actor.user,
        organisation_id=membership.organisation_id,
        role=membership.role,
        api_client=actor.api_client,
        kind=EventKind.HANDED_OVER,
        action="assign" if assignment.is_handled else "unassign",
        from_status=case.status,
        to_status=case.status,
        # The note is for the colleague or team, not the case's other parties: it stays on the hand-over.
        reason="",
        payload={
            "organisation": str(membership.organisation.public_id),
            "assignee_name": assignment.assignee.display_name if assignment.assignee else "",
            "team_name": assignment.team.name if assignment.team else "",
            "assignee": str(assignment.assignee.public_id) if assignment.assignee else None,
            "team": str(assignment.team.public_id) if assignment.team else None,
        },
    )
    save_next_version(case, version_field="version")
    case_changed_publish(case=case, change=EventKind.HANDED_OVER)
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=case.patient_id,
                record_type=RECORD_CASE,
                record_id=str(case.public_id),
                membership=membership,
            )
        ],
        action=Action.UPDATE,
    )


def _notify(
    actor: Actor, case: ResponsibilityCase, assignment: CaseAssignment, memberships: list[Membership]
) -> list[int]:
    """One notice to each new handler (every member of a team), never to the person who acted."""
    by = actor.user.display_name
    if assignment.team is not None:
        text = _(
            "%(by)s handed case %(case)s to your team %(team)s. It waits for the team in My work until "
            "one of you takes it."
        ) % {"by": by, "case": case_label(case), "team": assignment.team.name}
    else:
        text = _(
            "%(by)s handed case %(case)s over to you: you handle it for your organisation, and whenever "
            "it waits for your organisation it is in your My work."
        ) % {
            "by": by,
            "case": case_label(case),
        }
    if assignment.note:
        text += " " + _("Note: %(note)s") % {"note": assignment.note}
    key = f"handover:{assignment.pk}"
    rows: dict[int, Notification] = {}
    for membership in memberships:
        if membership.user_id == actor.user.pk or membership.user_id in rows:
            continue
        rows[membership.user_id] = Notification(
            user_id=membership.user_id,
            case=case,
            kind=NotificationKind.CASE_HANDED_OVER,
            deadline_key=key,
            message=text,
            organisation_id=assignment.organisation_id,
            role=membership.role,
            acts=True,
            due_at=case.due_at,
        )
    if not rows:
        return []
    Notification.objects.bulk_create(list(rows.values()), ignore_conflicts=True)
    written = list(Notification.objects.filter(case=case, deadline_key=key).values_list("pk", flat=True))
    notifications_dispatch(notification_ids=written, dedup_key=f"assignments.notify:{assignment.pk}")
    return written
