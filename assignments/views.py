"""Pages: hand a case over (the "Handläggare" box of the case page posts here) and the teams page, where
the organisation's coordinator keeps its teams and everyone else sees them.

Each view reads the case through ``cases.selectors`` (access checked and logged: another organisation's
case is a 404) and writes through ``assignments.services``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cases import selectors as case_selectors
from cases.models import ResponsibilityCase
from directory.actor import Actor
from directory.models import Organisation, Team, User
from directory.teams import (
    handler_memberships,
    keeper_organisation_ids,
    team_for_keeper,
    team_save,
    teams_for,
)
from hemsjukvard.errors import StateConflictError
from hemsjukvard.pages import apply_service_errors, refusal_message

from . import selectors, services
from .forms import TEAM_PREFIX, USER_PREFIX, HandOverForm, ReleaseForm, TeamForm

# --- Hand-over on the case page ----------------------------------------------------------------------


def hand_over_form(actor: Actor, choices: selectors.HandOver, data: Any = None) -> HandOverForm:
    return HandOverForm(data, colleagues=choices.colleagues, teams=choices.teams, me=actor.user.pk)


def _target(value: str, choices: selectors.HandOver) -> tuple[User | None, Team | None]:
    if value.startswith(USER_PREFIX):
        wanted = value.removeprefix(USER_PREFIX)
        for membership in choices.colleagues:
            if str(membership.user.public_id) == wanted:
                return membership.user, None
    if value.startswith(TEAM_PREFIX):
        wanted = value.removeprefix(TEAM_PREFIX)
        for team in choices.teams:
            if str(team.public_id) == wanted:
                return None, team
    return None, None


def _refused(
    request: HttpRequest, case: ResponsibilityCase, form: HandOverForm, status: int = 400
) -> HttpResponse:
    """The hand-over form again, with what the person wrote and why it was refused."""
    return render(request, "assignments/hand_over.html", {"case": case, "form": form}, status=status)


@login_required
@require_POST
def hand_over(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=public_id)
    choices = selectors.hand_over_choices(actor=actor, case=case)
    form = hand_over_form(actor, choices, request.POST)
    if not form.is_valid():
        return _refused(request, case, form)
    assignee, team = _target(str(form.cleaned_data["to"]), choices)
    try:
        assignment = services.case_assign(
            actor=actor, case=case, assignee=assignee, team=team, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return _refused(request, case, form)
    except StateConflictError as conflict:
        form.add_error(None, conflict.message)
        return _refused(request, case, form, status=409)
    if assignment.assignee_id == actor.user.pk:
        messages.success(
            request,
            _("You handle the case now: whenever it waits for your organisation, it is in your My work."),
        )
    elif assignment.assignee is not None:
        messages.success(
            request,
            _(
                "The case is handed to %(name)s, who is told now. Whenever it waits for your organisation, "
                "it is in their My work, not yours."
            )
            % {"name": assignment.assignee.display_name},
        )
    else:
        messages.success(
            request,
            _("The case is handed to the team %(team)s; every member is told and sees it in My work.")
            % {"team": team.name if team else ""},
        )
    return redirect("cases:detail", public_id=case.public_id)


@login_required
@require_POST
def release(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=public_id)
    form = ReleaseForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.case_unassign(actor=actor, case=case, note=note)
    except (ValidationError, StateConflictError) as error:
        messages.error(request, refusal_message(error))
    else:
        messages.success(
            request,
            _(
                "Nobody in particular handles the case now: it waits for everyone in your organisation "
                "whose turn it is."
            ),
        )
    return redirect("cases:detail", public_id=case.public_id)


# --- Teams --------------------------------------------------------------------------------------------


def _teams_page(
    request: HttpRequest,
    actor: Actor,
    *,
    new_form: TeamForm | None = None,
    bound: tuple[int, TeamForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    keeper = keeper_organisation_ids(actor)
    organisations = list(Organisation.objects.filter(pk__in=list(keeper)).order_by("name"))
    staff = list(handler_memberships(organisations[0].pk)) if organisations else []
    teams = teams_for(actor)
    forms = {
        team.pk: TeamForm(
            initial={
                "name": team.name,
                "members": [str(m.public_id) for m in team.members.all()],
                "is_active": team.is_active,
            },
            staff=list(handler_memberships(team.organisation_id)),
            prefix=f"team-{team.pk}",
        )
        for team in teams
        if team.organisation_id in keeper
    }
    if bound is not None:
        forms[bound[0]] = bound[1]
    rows = [{"team": team, "form": forms.get(team.pk)} for team in teams]
    return render(
        request,
        "assignments/teams.html",
        {
            "rows": rows,
            "keeper_organisation": organisations[0] if organisations else None,
            "new_form": new_form or TeamForm(staff=staff, prefix="new"),
        },
        status=status,
    )


@login_required
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    return _teams_page(request, Actor.from_request(request))


@login_required
@require_POST
def team_create(request: HttpRequest) -> HttpResponseBase:
    actor = Actor.from_request(request)
    keeper = sorted(keeper_organisation_ids(actor))
    if not keeper:
        raise Http404
    organisation = Organisation.objects.get(pk=keeper[0])
    form = TeamForm(request.POST, staff=list(handler_memberships(organisation.pk)), prefix="new")
    if not form.is_valid():
        return _teams_page(request, actor, new_form=form, status=400)
    try:
        team = team_save(
            actor=actor,
            organisation=organisation,
            name=form.cleaned_data["name"],
            member_ids=form.cleaned_data["members"],
            is_active=bool(form.cleaned_data["is_active"]),
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return _teams_page(request, actor, new_form=form, status=400)
    messages.success(
        request,
        _("The team %(team)s is created. Cases can now be handed to it from the case page.")
        % {"team": team.name},
    )
    return redirect("assignments:teams")


@login_required
@require_POST
def team_update(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    try:
        team = team_for_keeper(actor, public_id)
    except Team.DoesNotExist:
        raise Http404 from None
    form = TeamForm(
        request.POST, staff=list(handler_memberships(team.organisation_id)), prefix=f"team-{team.pk}"
    )
    if form.is_valid():
        try:
            team_save(
                actor=actor,
                team=team,
                name=form.cleaned_data["name"],
                member_ids=form.cleaned_data["members"],
                is_active=bool(form.cleaned_data["is_active"]),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The team %(team)s is saved.") % {"team": form.cleaned_data["name"]})
            return redirect("assignments:teams")
    return _teams_page(request, actor, bound=(team.pk, form), status=400)
