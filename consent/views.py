"""The page of a case's legal basis for sharing: its state, the objections and spärrar, and the forms
that record and lift them (for the opener's staff and the kommun's MAS, ``consent.policies``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from access.legal_basis import current_bases, sharing_for
from access.parties import case_organisation_ids
from audit.records import RECORD_SHARING
from cases import selectors as case_selectors
from cases.models import ResponsibilityCase
from directory.actor import Actor
from directory.models import Organisation
from hemsjukvard.errors import StateConflictError
from hemsjukvard.pages import apply_service_errors, refusal_message

from . import services
from .forms import BasisForm, BlockForm, LiftForm, ObjectionForm, ReasonForm
from .models import SharedPart, SharingBlock, SharingObjection
from .policies import can_manage_sharing


def _case_organisations(case: ResponsibilityCase) -> list[tuple[str, str]]:
    """The organisations the case names, but the opener's: those an objection may name."""
    ids = set(case_organisation_ids(case)) | {case.escalation_body_id}
    ids.discard(case.opened_by_organisation_id)
    found = Organisation.objects.filter(pk__in=[i for i in ids if i is not None]).order_by("name")
    return [(str(o.public_id), o.name) for o in found]


def _render(
    request: HttpRequest, actor: Actor, case: ResponsibilityCase, *, bound: dict[str, Any] | None = None
) -> HttpResponse:
    manage = can_manage_sharing(actor, case)
    organisations = _case_organisations(case)
    forms: dict[str, Any] = {}
    if manage:
        forms = {
            "basis": BasisForm(prefix="basis", initial={"kind": "consent"}),
            "withdraw": ReasonForm(prefix="withdraw"),
            "objection": ObjectionForm(prefix="objection", organisations=organisations),
            "block": BlockForm(prefix="block"),
            "lift": LiftForm(prefix="lift"),
        }
        forms.update(bound or {})
    shared = sharing_for(actor, case)
    return render(
        request,
        "consent/sharing.html",
        {
            "case": case,
            "sharing": shared,
            "blocked_labels": [str(SharedPart(part).label) for part in sorted(shared.blocked)],
            "basis": current_bases([case.pk]).get(case.pk),
            "objections": SharingObjection.objects.filter(case=case, lifted_at__isnull=True)
            .select_related("organisation")
            .order_by("recorded_at"),
            "blocks": SharingBlock.objects.filter(case=case, lifted_at__isnull=True).order_by("recorded_at"),
            "manage": manage,
            "forms": forms,
        },
        status=400 if bound else 200,
    )


@login_required
@require_GET
def sharing(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=public_id, record_type=RECORD_SHARING)
    return _render(request, actor, case)


def _write(
    request: HttpRequest,
    public_id: uuid.UUID,
    name: str,
    form: Any,
    write: Any,
    done: str,
) -> HttpResponseBase:
    """Check ``form``, call ``write(actor, case, form)``; the page again with the form and its errors
    (nothing typed lost), or back to the case with ``done`` said."""
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=public_id, record_type=RECORD_SHARING)
    services.acting_membership(actor, case)  # who may, before what they sent is looked at
    if form.is_valid():
        try:
            with transaction.atomic():
                write(actor, case, form)
        except ValidationError as error:
            apply_service_errors(form, error)
        except StateConflictError as error:
            form.add_error(None, refusal_message(error))
        else:
            messages.success(request, done)
            return redirect("consent:sharing", public_id=case.public_id)
    return _render(request, actor, case, bound={name: form})


@login_required
@require_POST
def basis_record(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    return _write(
        request,
        public_id,
        "basis",
        BasisForm(request.POST, prefix="basis"),
        lambda actor, case, form: services.basis_record(actor=actor, case=case, data=form.basis()),
        _("The legal basis is recorded; the other parties see the case's health details while it holds."),
    )


@login_required
@require_POST
def basis_withdraw(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    return _write(
        request,
        public_id,
        "withdraw",
        ReasonForm(request.POST, prefix="withdraw"),
        lambda actor, case, form: services.basis_withdraw(
            actor=actor, case=case, reason=form.cleaned_data["reason"]
        ),
        _("The consent is withdrawn; the other parties no longer see the case's health details."),
    )


def _organisation(value: str) -> Organisation | None:
    if value == "all":
        return None
    found = Organisation.objects.filter(public_id=value).first()
    if found is None:
        raise ValidationError({"organisation": [_("Choose an organisation from the list.")]})
    return found


@login_required
@require_POST
def objection_record(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=public_id, record_type=RECORD_SHARING, log=False)
    form = ObjectionForm(request.POST, prefix="objection", organisations=_case_organisations(case))
    return _write(
        request,
        public_id,
        "objection",
        form,
        lambda actor, case, form: services.objection_record(
            actor=actor,
            case=case,
            organisation=_organisation(form.cleaned_data["organisation"]),
            reason=form.cleaned_data["reason"],
        ),
        _("The objection is recorded; the organisation can no longer read the case."),
    )


def _of_case(model: Any, case: ResponsibilityCase, key: uuid.UUID) -> Any:
    found = model.objects.filter(public_id=key, case=case).first()
    if found is None:
        raise Http404(_("Not found."))
    return found


@login_required
@require_POST
def objection_lift(request: HttpRequest, public_id: uuid.UUID, objection_id: uuid.UUID) -> HttpResponseBase:
    return _write(
        request,
        public_id,
        "lift",
        LiftForm(request.POST, prefix="lift"),
        lambda actor, case, form: services.objection_lift(
            actor=actor,
            case=case,
            objection=_of_case(SharingObjection, case, objection_id),
            reason=form.cleaned_data["reason"],
        ),
        _("The objection is lifted."),
    )


@login_required
@require_POST
def block_set(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    return _write(
        request,
        public_id,
        "block",
        BlockForm(request.POST, prefix="block"),
        lambda actor, case, form: services.block_set(
            actor=actor, case=case, part=form.cleaned_data["part"], reason=form.cleaned_data["reason"]
        ),
        _("The spärr is set; that part is hidden from the other organisations."),
    )


@login_required
@require_POST
def block_lift(request: HttpRequest, public_id: uuid.UUID, block_id: uuid.UUID) -> HttpResponseBase:
    return _write(
        request,
        public_id,
        "lift",
        LiftForm(request.POST, prefix="lift"),
        lambda actor, case, form: services.block_lift(
            actor=actor,
            case=case,
            block=_of_case(SharingBlock, case, block_id),
            reason=form.cleaned_data["reason"],
        ),
        _("The spärr is lifted."),
    )
