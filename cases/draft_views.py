"""The draft's page (``/cases/<id>/edit/``): the new-case form filled in as the draft is.

A draft is saved as it is (no tasks yet, the background half-written: only the sizes are bounded) or
submitted, when the services name every piece still missing. The form carries the version the person
read: a change made meanwhile by someone else is caught and the person's input is shown again.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from access.seen import Seen
from directory.actor import Actor
from hemsjukvard.errors import StaleVersionError, StateConflictError
from hemsjukvard.form_once import form_once, form_token
from hemsjukvard.pages import apply_service_errors
from patients.models import Patient

from . import presenters, selectors, services
from .forms import CaseDraftForm, CaseNewForm
from .models import ResponsibilityCase
from .policies import allowed_actions
from .services.inputs import CASE_FIELDS
from .transitions import A
from .views import STALE_KEPT, _case_input, _catalogue_groups, _new_case_form


def _render_draft(
    request: HttpRequest,
    actor: Actor,
    seen: Seen[ResponsibilityCase],
    form: CaseNewForm,
    *,
    status: int = 200,
) -> HttpResponse:
    case = seen.obj
    # The case was read (and logged) as the person sees it: its patient is shown the same way.
    patient: Seen[Patient] = Seen(
        obj=case.patient, membership=seen.membership, identity_visible=seen.identity_visible
    )
    if form.is_bound:
        codes = request.POST.getlist("tasks")
        cleaned = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        clinic, stay, bands = (
            cleaned.get("specialist_clinic"),
            cleaned.get("stay_kommun"),
            cleaned.get("visit_bands"),
        )
    else:
        codes = list(form.initial.get("tasks") or [])
        clinic, stay, bands = case.specialist_clinic, case.stay_kommun, form.initial.get("visit_bands")
    return render(
        request,
        "cases/case_new.html",
        {
            "case": case,
            "patient": case.patient,
            "seen": patient,
            "form": form,
            "groups": _catalogue_groups(form),
            "preview": presenters.proposal_preview(
                actor=actor,
                patient=patient,
                task_codes=codes,
                specialist_clinic=clinic,
                stay_kommun=stay,
                visit_bands=bands,
            ),
            "referring": False,
            "duplicates": [],
            "form_token": form_token(),
        },
        status=status,
    )


def _draft_form(request: HttpRequest, case: ResponsibilityCase, data: Any = None) -> CaseNewForm:
    """The case form, filled in as the draft is (or bound to what the person sent)."""
    initial = None if data is not None else CaseDraftForm.initial_from(case)
    return _new_case_form(request, case.patient, data, form_class=CaseDraftForm, initial=initial)


def _save_draft(actor: Actor, case: ResponsibilityCase, form: CaseNewForm, *, submit: bool) -> None:
    """Save the draft as the form has it and, if asked, submit it: both or neither."""
    data = _case_input(form.cleaned_data)
    with transaction.atomic():
        updated = services.case_update(
            actor=actor,
            case=case,
            expected_version=form.cleaned_data.get("version") or None,
            fields={name: getattr(data, name) for name in CASE_FIELDS},
            task_codes=list(data.task_codes),
            visit_bands=dict(data.visit_bands),
        )
        if submit:
            services.case_submit(actor=actor, case=updated, expected_version=updated.version)


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    seen = selectors.case_read(actor=actor, public_id=public_id)
    case = seen.obj
    if A.UPDATE not in allowed_actions(actor, case, selectors.case_facts(case)):
        messages.error(request, _("Only a draft can be changed, by the kommun's nurses and therapists."))
        return redirect("cases:detail", public_id=case.public_id)
    if request.method == "GET":
        return _render_draft(request, actor, seen, _draft_form(request, case))
    form = _draft_form(request, case, request.POST)
    if not form.is_valid():
        return _render_draft(request, actor, seen, form, status=400)
    submit = "submit" in request.POST

    def attempt() -> HttpResponseBase:
        _save_draft(actor, case, form, submit=submit)
        messages.success(
            request,
            _("The case is submitted; the parties responsible for its tasks review it.")
            if submit
            else _("The case is saved as a draft."),
        )
        return redirect("cases:detail", public_id=case.public_id)

    try:
        return form_once(request, attempt)
    except ValidationError as error:
        apply_service_errors(form, error)
    except StaleVersionError:
        # Never throw the person's input away: show it again with the case's current version.
        seen = selectors.case_read(actor=actor, public_id=public_id)
        kept = request.POST.copy()
        kept["version"] = str(seen.obj.version)
        form = _draft_form(request, seen.obj, kept)
        form.is_valid()
        form.add_error(None, str(STALE_KEPT))
        return _render_draft(request, actor, seen, form, status=409)
    except StateConflictError as conflict:
        form.add_error(None, conflict.message)
    return _render_draft(request, actor, seen, form, status=400)
