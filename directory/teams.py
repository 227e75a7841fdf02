"""Teams of an organisation: who is in which, and the coordinator's writes on them.

A team groups memberships of one organisation; a case handed to the team waits for every member. The
organisation's coordinator keeps its teams (``team_save``); the administration does the same in the
admin. A member must be a membership of the team's organisation in force, in a role that handles cases.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from hemsjukvard.errors import NotPermitted

from .actor import Actor
from .models import Membership, Organisation, Role, Team

# Who keeps an organisation's teams: its coordinators (and the administration, in the admin).
TEAM_KEEPER_ROLES = frozenset({Role.COORDINATOR})
# The roles that handle cases: a team's members, and whom a case may be handed to. Every role but the
# administrator's, who by design reaches no patient data.
HANDLER_ROLES = frozenset(
    {
        Role.NURSE,
        Role.REHAB,
        Role.MAS,
        Role.MAR,
        Role.GP,
        Role.SPECIALIST,
        Role.COORDINATOR,
        Role.GOVERNANCE,
    }
)
TEAM_NAME_MAX_LENGTH = 120
TEAM_MEMBERS_MAX = 200


def handler_memberships(organisation_id: int) -> QuerySet[Membership]:
    """The memberships in force of ``organisation_id`` that may handle its cases (active people)."""
    return (
        Membership.objects.active(timezone.localdate())
        .filter(organisation_id=organisation_id, role__in=HANDLER_ROLES, user__is_active=True)
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user__username", "pk")
    )


def team_ids_of(membership_ids: Collection[int]) -> QuerySet[Team, int]:
    """The active teams holding one of ``membership_ids``, as a subquery (``values("pk")``)."""
    return Team.objects.filter(is_active=True, members__in=list(membership_ids)).values_list("pk", flat=True)


def my_team_ids(actor: Actor) -> QuerySet[Team, int]:
    return team_ids_of([m.pk for m in actor.memberships])


def keeper_organisation_ids(actor: Actor) -> frozenset[int]:
    return actor.organisation_ids(*TEAM_KEEPER_ROLES)


def teams_for(actor: Actor, *, active_only: bool = False) -> list[Team]:
    """The teams of the organisations the actor handles cases in, with their members."""
    organisations = actor.organisation_ids(*HANDLER_ROLES)
    teams = Team.objects.filter(organisation_id__in=list(organisations))
    if active_only:
        teams = teams.filter(is_active=True)
    return list(teams.select_related("organisation").prefetch_related("members__user").order_by("name", "pk"))


def team_for_keeper(actor: Actor, public_id: uuid.UUID | str) -> Team:
    """A team the actor keeps; another organisation's team (or none) is ``Team.DoesNotExist``."""
    return Team.objects.select_related("organisation").get(
        public_id=public_id, organisation_id__in=list(keeper_organisation_ids(actor))
    )


@transaction.atomic
def team_save(
    *,
    actor: Actor,
    organisation: Organisation | None = None,
    team: Team | None = None,
    name: str | None = None,
    member_ids: Sequence[object] | None = None,
    is_active: bool | None = None,
) -> Team:
    """Create a team of ``organisation`` (``team`` None) or change ``team``: its name, members (public
    ids of memberships of the organisation) and whether it is active. Only the organisation's
    coordinator may; a member from elsewhere, or in a role that handles no cases, is refused."""
    organisation_id = (
        team.organisation_id if team is not None else (organisation.pk if organisation else None)
    )
    if organisation_id is None or organisation_id not in keeper_organisation_ids(actor):
        raise NotPermitted(_("Only the organisation's coordinator keeps its teams."))
    if team is None:
        if not (name or "").strip():
            raise ValidationError({"name": _("Name the team.")})
        team = Team(organisation_id=organisation_id)
    else:
        team = Team.objects.select_for_update().get(pk=team.pk)
    if name is not None:
        cleaned = name.strip()
        if not cleaned:
            raise ValidationError({"name": _("Name the team.")})
        if len(cleaned) > TEAM_NAME_MAX_LENGTH:
            raise ValidationError({"name": _("The name is too long (at most 120 characters).")})
        team.name = cleaned
    if is_active is not None:
        team.is_active = is_active
    members: list[Membership] | None = None
    if member_ids is not None:
        wanted = {str(m) for m in member_ids}
        if len(wanted) > TEAM_MEMBERS_MAX:
            raise ValidationError({"members": _("A team has at most 200 members.")})
        members = list(handler_memberships(organisation_id).filter(public_id__in=list(wanted)))
        if len(members) != len(wanted):
            raise ValidationError(
                {"members": _("Choose members among the organisation's staff who handle cases.")}
            )
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError:
        raise ValidationError({"name": _("The organisation already has a team by that name.")}) from None
    if members is not None:
        team.members.set(members)
    return team
