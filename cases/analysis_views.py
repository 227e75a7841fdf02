"""The risk analysis pages: write (a new version starts as a copy of the last), preview the matrix,
sign, return, approve or reject. Split from ``cases.views`` (the case page and new case)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from access.seen import Seen
from audit.records import RECORD_ANALYSIS
from directory.actor import Actor
from documents import selectors as document_selectors
from documents.models import Document, DocumentKind
from hemsjukvard.errors import StaleVersionError, StateConflictError
from hemsjukvard.form_once import form_once, form_token
from hemsjukvard.pages import apply_service_errors

from . import presenters, selectors, services
from .analysis_templates import case_templates, prefill_rows
from .forms import (
    AnalysisForm,
    HazardFormSet,
    ReasonForm,
    VersionedForm,
)
from .models import AnalysisStatus, ResponsibilityCase, RiskAnalysis
from .risk import SCALE, risk_matrix
from .transitions import A
from .views import STALE_KEPT

# --- Risk analysis ---------------------------------------------------------------------------------


def _hazard_formset(
    page: presenters.CasePage, data: Any = None, initial: list[dict[str, Any]] | None = None
) -> Any:
    return HazardFormSet(
        data,
        prefix="hazard",
        form_kwargs={"organisations": page.organisations},
        initial=None if data is not None else (initial or [{} for _i in range(3)]),
    )


def _score(value: Any) -> int | None:
    try:
        score = int(value)
    except (TypeError, ValueError):
        return None
    return score if score in SCALE else None


def _formset_hazards(formset: Any) -> list[presenters.ScoredHazard]:
    """The form's hazards as they stand, for the matrix under it: each with a text and both scores, by
    the form's numbers (Hazard 1, 2, …). A sent form counts what was sent, also where the rest of the
    hazard is not right yet (a measure without an owner keeps its hazard on the matrix after the error);
    a form not sent counts the rows it starts from (the last version, the template)."""
    items = []
    for number, form in enumerate(formset.forms, start=1):
        if form.is_bound:
            form.is_valid()
            data = getattr(form, "cleaned_data", None) or {}
        else:
            data = form.initial or {}
        description = str(data.get("description") or "").strip()
        likelihood, consequence = _score(data.get("likelihood")), _score(data.get("consequence"))
        if description and likelihood and consequence:
            items.append((number, description, likelihood, consequence))
    return presenters.scored_numbered(items)


def _analysis_read(actor: Actor, public_id: uuid.UUID) -> tuple[Seen[ResponsibilityCase], list[RiskAnalysis]]:
    """The case read as a read of its risk analysis (logged so), and every version of the analysis."""
    seen = selectors.case_read(actor=actor, public_id=public_id, record_type=RECORD_ANALYSIS)
    selectors.analyses_check_shared(actor, seen.obj)
    selectors.analyses_check_shared(actor, seen.obj)
    return seen, selectors.risk_analyses(case=seen.obj)


def _render_analysis(
    request: HttpRequest,
    actor: Actor,
    seen: Seen[ResponsibilityCase],
    analyses: list[RiskAnalysis],
    *,
    form: AnalysisForm | None = None,
    formset: Any = None,
    reject_form: ReasonForm | None = None,
    return_form: ReasonForm | None = None,
    status: int = 200,
) -> HttpResponse:
    page = presenters.case_page(actor=actor, case=seen)
    case = page.case
    current = analyses[0] if analyses else None
    hazards = presenters.scored_hazards(current.hazards.all()) if current else []
    can_write = A.CREATE_ANALYSIS in page.actions
    if can_write and form is None:
        # A new version starts as a copy of the last one: the kommun changes what was asked, no retyping.
        copy = presenters.analysis_copy(current)
        form = AnalysisForm(initial={"version": case.version, **copy.fields})
        formset = _hazard_formset(page, initial=copy.hazards or None)
    preview = _formset_hazards(formset) if formset is not None else []
    templates = case_templates(case) if can_write else []
    documents: list[Document] = []
    if current is not None:
        documents = document_selectors.documents_listed(
            actor=actor,
            documents=document_selectors.documents_for_source(
                actor=actor, kind=DocumentKind.RISK_ANALYSIS, source_id=current.public_id
            )[:5],
        )
    return render(
        request,
        "cases/risk_analysis.html",
        {
            "case": case,
            "page": page,
            "analyses": analyses,
            "current": current,
            "hazards": hazards,
            "matrix": risk_matrix(hazards),
            "form": form,
            "formset": formset,
            "preview_matrix": risk_matrix(preview),
            "preview": preview,
            "reject_form": reject_form or ReasonForm(initial={"version": case.version}, prefix="reject"),
            "return_form": return_form or ReasonForm(initial={"version": case.version}, prefix="return"),
            "sign_form": VersionedForm(initial={"version": case.version}, prefix="sign"),
            "approve_form": VersionedForm(initial={"version": case.version}, prefix="approve"),
            "documents": documents,
            "can_write": can_write,
            "templates": templates,
            "form_token": form_token(),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_analysis(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    seen, analyses = _analysis_read(actor, public_id)
    case = seen.obj
    if request.method == "GET":
        return _render_analysis(request, actor, seen, analyses)
    page = presenters.case_page(actor=actor, case=seen)
    form = AnalysisForm(request.POST)
    formset = _hazard_formset(page, request.POST)
    if "from_template" in request.POST:
        return _from_template(request, actor, seen, analyses, page, formset)
    if "add_hazard" in request.POST:
        data = request.POST.copy()
        data["hazard-TOTAL_FORMS"] = str(int(data.get("hazard-TOTAL_FORMS", "1")) + 1)
        formset = _hazard_formset(page, data)
        form = AnalysisForm(data)
        form.is_valid()
        formset.is_valid()
        return _render_analysis(request, actor, seen, analyses, form=form, formset=formset)
    if form.is_valid() and formset.is_valid():
        hazards = []
        for hazard_form in formset.forms:
            data = hazard_form.cleaned_data
            if not str(data.get("description") or "").strip():
                continue
            measures = []
            if str(data.get("measure") or "").strip():
                measures.append(
                    services.MeasureInput(
                        description=data["measure"],
                        owner_organisation=data["measure_owner"],
                        due_on=data["measure_due"],
                    )
                )
            hazards.append(
                services.HazardInput(
                    description=data["description"],
                    likelihood=int(data["likelihood"]),
                    consequence=int(data["consequence"]),
                    measures=measures,
                )
            )

        def attempt() -> HttpResponseBase:
            services.risk_analysis_create(
                actor=actor,
                case=case,
                expected_version=form.cleaned_data.get("version") or None,
                data=services.AnalysisInput(
                    hazards=hazards,
                    summary=form.cleaned_data["summary"],
                    review_on=form.cleaned_data["review_on"],
                ),
            )
            messages.success(
                request, _("The risk analysis is saved; the responsible physician signs it next.")
            )
            return redirect("cases:analysis", public_id=case.public_id)

        try:
            return form_once(request, attempt)
        except ValidationError as error:
            apply_service_errors(form, error)
        except StaleVersionError:
            # The person's hazards stay in the form; it now carries the current version to send again.
            seen, analyses = _analysis_read(actor, public_id)
            kept = request.POST.copy()
            kept["version"] = str(seen.obj.version)
            form = AnalysisForm(kept)
            form.is_valid()
            form.add_error(None, str(STALE_KEPT))
            return _render_analysis(request, actor, seen, analyses, form=form, formset=formset, status=409)
        except StateConflictError as conflict:
            form.add_error(None, conflict.message)
    return _render_analysis(request, actor, seen, analyses, form=form, formset=formset, status=400)


def _from_template(
    request: HttpRequest,
    actor: Actor,
    seen: Seen[ResponsibilityCase],
    analyses: list[RiskAnalysis],
    page: presenters.CasePage,
    formset: Any,
) -> HttpResponse:
    """Utgå från mall (start from the template): the hazards typed so far, then those of the agreement's
    templates for the case's tasks, in the form to change, empty or keep; nothing is stored until the
    person saves."""
    formset.is_valid()
    kept = [
        {name: value for name, value in hazard_form.cleaned_data.items() if value not in (None, "")}
        for hazard_form in formset.forms
        if hasattr(hazard_form, "cleaned_data")
        and str(hazard_form.cleaned_data.get("description") or "").strip()
    ]
    templates = case_templates(page.case)
    rows = kept + prefill_rows(
        page.case, templates, organisations=page.organisations, today=timezone.localdate()
    )
    form = AnalysisForm(request.POST)
    form.is_valid()
    if templates:
        messages.info(
            request,
            _(
                "The hazards and measures of the agreement's template are filled in below. Check each one "
                "for this patient: change it, add to it, or empty a hazard's text to leave it out. Nothing "
                "is saved until you save the risk analysis."
            ),
        )
    else:
        messages.info(request, _("The agreement has no risk-analysis template for this case's tasks."))
    return _render_analysis(
        request, actor, seen, analyses, form=form, formset=_hazard_formset(page, initial=rows[:20] or None)
    )


@login_required
@require_POST
def analysis_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponseBase:
    actor = Actor.from_request(request)
    analysis = selectors.risk_analysis_get(actor=actor, public_id=public_id)
    case = analysis.case
    prefix = {
        A.SIGN_ANALYSIS: "sign",
        A.APPROVE_ANALYSIS: "approve",
        A.REJECT_ANALYSIS: "reject",
        A.RETURN_ANALYSIS: "return",
    }.get(action)
    if prefix is None:
        raise Http404
    form: VersionedForm = (
        ReasonForm(request.POST, prefix=prefix)
        if action in (A.REJECT_ANALYSIS, A.RETURN_ANALYSIS)
        else VersionedForm(request.POST, prefix=prefix)
    )
    if form.is_valid():
        version = form.cleaned_data.get("version") or None
        try:
            if action == A.SIGN_ANALYSIS:
                signed = services.risk_analysis_sign(
                    actor=actor, case=case, analysis=analysis, expected_version=version
                )
                done = (
                    _("The risk analysis is signed and goes to MAS/MAR for approval.")
                    if signed.status == AnalysisStatus.SIGNED
                    else _(
                        "The risk analysis is signed. No approval is needed: the case is agreed and the "
                        "kommun's MAS is informed."
                    )
                )
            elif action == A.APPROVE_ANALYSIS:
                services.risk_analysis_approve(
                    actor=actor, case=case, analysis=analysis, expected_version=version
                )
                done = _("The risk analysis is approved.")
            elif action == A.RETURN_ANALYSIS:
                services.risk_analysis_return(
                    actor=actor,
                    case=case,
                    analysis=analysis,
                    expected_version=version,
                    reason=form.cleaned_data["reason"],
                )
                done = _("The risk analysis is returned with your comments; the kommun writes a new version.")
            else:
                services.risk_analysis_reject(
                    actor=actor,
                    case=case,
                    analysis=analysis,
                    expected_version=version,
                    reason=form.cleaned_data["reason"],
                )
                done = _("The risk analysis is rejected; the kommun writes a new version.")
        except services.FourEyesRefused as refused:
            messages.error(request, str(refused))
            seen, analyses = _analysis_read(actor, case.public_id)
            return _render_analysis(request, actor, seen, analyses, reject_form=None, status=403)
        except ValidationError as error:
            apply_service_errors(form, error)
        except StaleVersionError:
            messages.error(
                request, _("Someone else changed the case while you were reading it. Check it and try again.")
            )
            return redirect("cases:analysis", public_id=case.public_id)
        except StateConflictError as conflict:
            form.add_error(None, conflict.message)
        else:
            messages.success(request, done)
            return redirect("cases:analysis", public_id=case.public_id)
    seen, analyses = _analysis_read(actor, case.public_id)
    reject_form = form if isinstance(form, ReasonForm) and action == A.REJECT_ANALYSIS else None
    return_form = form if isinstance(form, ReasonForm) and action == A.RETURN_ANALYSIS else None
    if not isinstance(form, ReasonForm) and form.non_field_errors():
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    return _render_analysis(
        request, actor, seen, analyses, reject_form=reject_form, return_form=return_form, status=400
    )
