"""The registers' pages: list competence transfers and delegations, record and revoke them."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.selectors import case_get_by_number
from directory.actor import Actor
from hemsjukvard.errors import NotPermitted
from hemsjukvard.pages import apply_service_errors

from . import policies, selectors, services
from .forms import DelegationForm, LinkForm, RevokeForm, TransferForm


@login_required
def register(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    today = timezone.localdate()
    transfers = list(selectors.transfers_visible(actor=actor)[: selectors.LIST_MAX])
    delegations = list(selectors.delegations_visible(actor=actor)[: selectors.LIST_MAX])
    return render(
        request,
        "competence/register.html",
        {
            "transfers": [
                (t, t.in_force_on(today), policies.can_revoke_transfer(actor, t) is not None)
                for t in transfers
            ],
            "delegations": [
                (d, d.in_force_on(today), policies.can_revoke_delegation(actor, d) is not None)
                for d in delegations
            ],
            "can_delegate": policies.delegating_membership(actor) is not None,
            "revoke_form": RevokeForm(),
            "link_form": LinkForm(),
        },
    )


def _record(request: HttpRequest, form_class: type[Any], save: Any, title: str) -> HttpResponse:
    actor = Actor.from_request(request)
    form = form_class(request.POST or None, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            save(actor, form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        except NotPermitted as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Recorded."))
            return redirect("competence:register")
    return render(request, "competence/record.html", {"form": form, "title": title})


@login_required
def transfer_new(request: HttpRequest) -> HttpResponse:
    return _record(
        request,
        TransferForm,
        lambda actor, data: services.transfer_record(actor=actor, **data),
        _("Record a competence transfer"),
    )


@login_required
def delegation_new(request: HttpRequest) -> HttpResponse:
    return _record(
        request,
        DelegationForm,
        lambda actor, data: services.delegation_record(actor=actor, **data),
        _("Record a delegation"),
    )


@login_required
@require_POST
def transfer_revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    transfer = selectors.transfer_get(actor=actor, public_id=public_id)
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.transfer_revoke(actor=actor, transfer=transfer, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The competence transfer is revoked."))
    return redirect("competence:register")


@login_required
@require_POST
def delegation_revoke(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    delegation = selectors.delegation_get(actor=actor, public_id=public_id)
    form = RevokeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors)
        services.delegation_revoke(actor=actor, delegation=delegation, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The delegation is revoked."))
    return redirect("competence:register")


@login_required
@require_POST
def delegation_link(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Link a delegation to the task of the same kind in the case with the given number: the case is
    found only among those the person may see (the read is logged); any other number is "no case"."""
    actor = Actor.from_request(request)
    delegation = selectors.delegation_get(actor=actor, public_id=public_id)
    form = LinkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the case number, e.g. HSV-2026-000123."))
        return redirect("competence:register")
    number = form.cleaned_data["case_number"].strip().upper()
    try:
        case = case_get_by_number(actor=actor, number=number)
    except Http404:
        messages.error(request, _("No case %(number)s that you may see.") % {"number": number})
        return redirect("competence:register")
    task = case.tasks.filter(task_type_id=delegation.task_type_id).first()
    try:
        if task is None:
            raise ValidationError(
                _("Case %(number)s has no task %(task)s.")
                % {"number": case.number, "task": delegation.task_type.name_sv}
            )
        services.delegation_link(actor=actor, delegation=delegation, case_task=task)
    except (ValidationError, NotPermitted) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
    else:
        messages.success(
            request,
            _("The delegation is linked to %(task)s in case %(number)s.")
            % {"task": delegation.task_type.name_sv, "number": case.number},
        )
    return redirect("competence:register")
