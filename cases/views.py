"""Case pages: a new case with the live proposal, the case page with its actions (the risk analysis
pages are ``cases.analysis_views``, a draft's edit page ``cases.draft_views``).

Views parse input, call a selector or a service and render. Which actions a person sees comes from
``cases.policies.allowed_actions`` (the transition table), the same function the API and services use.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.legal_basis import current_bases, sharing_for
from access.seen import Seen
from agreements.choices import TimeBand
from assignments import selectors as assignment_selectors
from assignments.views import hand_over_form
from attachments import sections as attachment_sections
from audit.records import RECORD_PROPOSAL
from consent import services as consent_services
from consent.forms import OptionalBasisForm
from consent.models import SharedPart
from consent.policies import can_manage_sharing
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from documents import selectors as document_selectors
from documents.models import DocumentKind
from hemsjukvard.errors import StaleVersionError, StateConflictError
from hemsjukvard.form_once import form_once, form_token
from hemsjukvard.pages import apply_service_errors
from patients import selectors as patient_selectors
from sip import selectors as sip_selectors

from . import decisions, presenters, review_page, selectors, services
from .forms import (
    CaseNewForm,
    CommentForm,
    DecideForm,
    OptionalReasonForm,
    PositionsForm,
    ReasonForm,
    ReviewAnswerChoice,
    ReviewForm,
    VersionedForm,
)
from .governance import tasks_to_decide
from .models import CaseStatus, ResponsibilityCase, RiskAnalysis
from .selectors.levels import decision_organisations, level_bindings
from .services.drafts import draft_missing, referring_membership
from .transitions import A

# --- Notifications (listed on the home page, portal.views) -----------------------------------------


@login_required
@require_POST
def notification_read(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    notification = selectors.notification_get(actor=actor, public_id=public_id)
    services.notification_mark_read(actor=actor, notification=notification)
    messages.success(request, _("The notification is marked as read."))
    return redirect("home")


# --- New case --------------------------------------------------------------------------------------


def _new_case_form(
    request: HttpRequest,
    patient: Any,
    data: Any = None,
    *,
    form_class: type[CaseNewForm] = CaseNewForm,
    initial: dict[str, Any] | None = None,
) -> CaseNewForm:
    """The case form (a new case's, or a draft's: ``CaseDraftForm``) with the clinics and the catalogue."""
    region_id = patient.folkbokforing_kommun.region_id
    catalogue = presenters.task_catalogue()
    return form_class(
        data,
        clinics=presenters.specialist_clinics(region_id=region_id),
        task_choices=[(t.code, presenters.task_name(t)) for t in catalogue],
        initial=initial or {"urgency": "routine", "shift_planning": "unknown"},
    )


def _case_input(data: dict[str, Any]) -> services.CaseInput:
    """The case form's cleaned data as the services take it."""
    return services.CaseInput(
        trigger=data["trigger"],
        urgency=data["urgency"],
        background=data["background"],
        specialist_clinic=data["specialist_clinic"],
        increased_staff_time=data["increased_staff_time"],
        increased_other_costs=data["increased_other_costs"],
        competence_needed=data["competence_needed"],
        patient_safety_risk=data["patient_safety_risk"],
        shift_planning=data["shift_planning"],
        task_codes=data["tasks"],
        stay_kommun=data.get("stay_kommun"),
        stay_from=data.get("stay_from"),
        stay_to=data.get("stay_to"),
        stay_note=data.get("stay_note") or "",
        visit_bands=data.get("visit_bands") or {},
    )


def _catalogue_groups(form: CaseNewForm) -> list[dict[str, Any]]:
    """The task checkboxes grouped by kind, for a searchable fieldset."""
    kinds = {t.code: t for t in presenters.task_catalogue()}
    groups: dict[str, dict[str, Any]] = {}
    for widget in form["tasks"]:
        code = str(widget.data["value"])
        task_type = kinds.get(code)
        kind = task_type.get_kind_display() if task_type else ""
        chosen = set(form.bands_of(code))
        bands = [
            {
                "value": band.value,
                "label": band.label,
                "checked": band.value in chosen,
                "id": f"bands-{code}-{band.value}",
            }
            for band in TimeBand
        ]
        groups.setdefault(str(kind), {"kind": kind, "options": []})["options"].append(
            {"widget": widget, "code": code, "bands": bands}
        )
    return list(groups.values())


def _open_duplicates(
    actor: Actor, patient: Seen[Any], task_codes: list[str]
) -> list[Seen[ResponsibilityCase]]:
    """The patient's open cases (as ``actor`` sees them, logged) asking for any of ``task_codes``."""
    codes = set(task_codes)
    return [
        seen
        for seen in selectors.cases_for_patient(actor=actor, patient=patient)
        if codes & {t.task_type.code for t in seen.obj.tasks.all()}
    ]


def _case_create(
    request: HttpRequest,
    actor: Actor,
    patient: Seen[Any],
    form: CaseNewForm,
    referring: bool,
    basis_form: OptionalBasisForm,
) -> HttpResponseBase:
    """Open the case with its legal basis (and submit it, if asked): a redirect to it, or the forms with
    the services' errors."""
    submit = "submit" in request.POST and not referring
    try:
        # Opened, its basis recorded and submitted together or not at all: a refused step leaves no draft.
        with transaction.atomic():
            case = _case_open_and_submit(
                request, actor, patient, form, referring, submit=submit, basis_form=basis_form
            )
    except ValidationError as error:
        basis_fields = set(basis_form.fields)
        if hasattr(error, "error_dict") and set(error.error_dict) <= basis_fields:
            apply_service_errors(basis_form, error)
        else:
            apply_service_errors(form, error)
        return HttpResponse(status=400)
    return redirect("cases:detail", public_id=case.public_id)


def _case_open_and_submit(
    request: HttpRequest,
    actor: Actor,
    patient: Seen[Any],
    form: CaseNewForm,
    referring: bool,
    *,
    submit: bool,
    basis_form: OptionalBasisForm,
) -> ResponsibilityCase:
    case = services.case_open(actor=actor, patient=patient, data=_case_input(form.cleaned_data))
    if basis_form.given():
        consent_services.basis_record(actor=actor, case=case, data=basis_form.basis())
        case.refresh_from_db()
    if referring:
        messages.success(
            request, _("The case is saved; the kommun's nurses are told to complete and submit it.")
        )
    elif submit:
        services.case_submit(actor=actor, case=case, expected_version=case.version)
        messages.success(
            request, _("The case is submitted; the parties responsible for its tasks review it.")
        )
    else:
        messages.success(request, _("The case is saved as a draft."))
    return case


@login_required
@require_http_methods(["GET", "POST"])
def case_new(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    patient = patient_selectors.patient_get(actor=actor, public_id=patient_id)
    form = _new_case_form(request, patient.obj, request.POST if request.method == "POST" else None)
    basis_form = OptionalBasisForm(request.POST if request.method == "POST" else None, prefix="basis")
    # The listed vårdcentral opening a case before enrolment leaves the submitting to the kommun.
    referring = not any(m.role in ("nurse", "rehab") for m in actor.memberships) and (
        referring_membership(actor, patient.obj) is not None
    )
    preview = None
    duplicates: list[Seen[ResponsibilityCase]] = []
    # Both forms are checked, so every mistake is shown at once, not one form's after the other's.
    valid = [form.is_valid(), basis_form.is_valid()] if request.method == "POST" else [False]
    if all(valid):
        data = form.cleaned_data

        def attempt() -> HttpResponseBase:
            # Inside the token's check: a repeated POST goes where the first went, warned or not.
            duplicates.extend(_open_duplicates(actor, patient, data["tasks"]))
            if duplicates and not request.POST.get("confirm_duplicate"):
                return HttpResponse(status=409)
            return _case_create(request, actor, patient, form, referring, basis_form)

        outcome = form_once(request, attempt)
        if isinstance(outcome, HttpResponseRedirect):
            return outcome
    if request.method == "POST":
        codes = request.POST.getlist("tasks")
        cleaned = form.cleaned_data if hasattr(form, "cleaned_data") else {}
        preview = presenters.proposal_preview(
            actor=actor,
            patient=patient,
            task_codes=codes,
            specialist_clinic=cleaned.get("specialist_clinic"),
            stay_kommun=cleaned.get("stay_kommun"),
            visit_bands=cleaned.get("visit_bands"),
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "cases/case_new.html",
        {
            "patient": patient.obj,
            "seen": patient,
            "form": form,
            "basis_form": basis_form,
            "groups": _catalogue_groups(form),
            "preview": preview,
            "referring": referring,
            "duplicates": duplicates,
            "form_token": form_token(),
        },
        status=status,
    )


@login_required
@require_POST
def case_proposal(request: HttpRequest, patient_id: uuid.UUID) -> HttpResponse:
    """The live proposal (htmx): the engine's split for the tasks ticked so far; nothing is stored."""
    actor = Actor.from_request(request)
    patient = patient_selectors.patient_get(actor=actor, public_id=patient_id, record_type=RECORD_PROPOSAL)
    clinic = None
    clinic_id = presenters.parse_uuid(request.POST.get("specialist_clinic"))
    if clinic_id is not None:
        clinic = next(
            (
                c
                for c in presenters.specialist_clinics(region_id=patient.obj.folkbokforing_kommun.region_id)
                if c.public_id == clinic_id
            ),
            None,
        )
    codes = request.POST.getlist("tasks")
    stay = None
    stay_id = presenters.parse_uuid(request.POST.get("stay_kommun"))
    if stay_id is not None:
        stay = Organisation.objects.filter(
            public_id=stay_id, kind=OrganisationKind.KOMMUN, is_active=True
        ).first()
    bands = {
        code: [b for b in request.POST.getlist(f"bands-{code}") if b in TimeBand.values] for code in codes
    }
    preview = presenters.proposal_preview(
        actor=actor,
        patient=patient,
        task_codes=codes,
        specialist_clinic=clinic,
        stay_kommun=stay,
        visit_bands={code: chosen for code, chosen in bands.items() if chosen},
    )
    return render(request, "cases/_proposal.html", {"preview": preview})


# --- The case page ---------------------------------------------------------------------------------


def _documents(
    actor: Actor, case: ResponsibilityCase, analysis: RiskAnalysis | None, page: presenters.CasePage
) -> dict[str, Any]:
    found: dict[str, Any] = {"escalation": [], "analysis": [], "decisions": {}}
    for decision in page.decisions:
        found["decisions"][decision.pk] = list(
            document_selectors.documents_for_source(
                actor=actor, kind=DocumentKind.DECISION_NOTICE, source_id=decision.public_id
            )[:5]
        )
    if case.escalation_level is not None:
        found["escalation"] = list(
            document_selectors.documents_for_source(
                actor=actor, kind=DocumentKind.ESCALATION_NOTICE, source_id=case.public_id
            )[:5]
        )
    if analysis is not None:
        found["analysis"] = list(
            document_selectors.documents_for_source(
                actor=actor, kind=DocumentKind.RISK_ANALYSIS, source_id=analysis.public_id
            )[:5]
        )
    # The two lists are one list of the case's documents on the page: logged in one write.
    decided = [d for docs in found["decisions"].values() for d in docs]
    document_selectors.documents_listed(
        actor=actor, documents=[*found["escalation"], *found["analysis"], *decided]
    )
    return found


def _decide_form(page: presenters.CasePage, data: Any, initial: dict[str, Any]) -> DecideForm:
    """The body's decision on the disputed tasks, every organisation the agreement can assign offered,
    starting from the proposal and the parties' latest positions."""
    tasks = tasks_to_decide(t.task for t in page.tasks)
    organisations = decision_organisations(page.case)
    return DecideForm(
        data,
        initial={
            **initial,
            "outcome": "agreed",
            **decisions.decision_initial(tasks, page.positions, organisations),
        },
        prefix="decide",
        tasks=tasks,
        organisations=organisations,
    )


def _action_forms(
    actor: Actor, page: presenters.CasePage, data: Any = None, only: str = ""
) -> dict[str, Any]:
    """An unbound form per action the person may take (or the one bound form that failed)."""
    case = page.case
    initial = {"version": case.version}
    organisations = page.organisations
    awaiting = review_page.tasks_awaiting(actor, case) if A.ACCEPT in page.actions else []
    builders: dict[str, Callable[[Any], Any]] = {
        A.SUBMIT: lambda d: VersionedForm(d, initial=initial, prefix="submit"),
        # One form answers for every task awaiting the person's organisation: accept some, dispute others.
        A.ACCEPT: lambda d: ReviewForm(
            d, initial=initial, prefix="accept", tasks=awaiting, organisations=organisations
        ),
        A.DISPUTE_AFTER_REJECTION: lambda d: PositionsForm(
            d,
            initial=initial,
            prefix="dispute_after_rejection",
            tasks=review_page.tasks_analysed(case),
            organisations=organisations,
        ),
        A.STATE_POSITION: lambda d: PositionsForm(
            d, initial=initial, prefix="position", tasks=page.disputed, organisations=organisations
        ),
        A.ESCALATE: lambda d: ReasonForm(d, initial=initial, prefix="escalate"),
        A.DECIDE: lambda d: _decide_form(page, d, initial),
        A.CANNOT_SETTLE: lambda d: ReasonForm(d, initial=initial, prefix="cannot_settle"),
        A.ACCEPT_RECOMMENDATION: lambda d: OptionalReasonForm(
            d, initial=initial, prefix="accept_recommendation"
        ),
        A.DECLINE_RECOMMENDATION: lambda d: ReasonForm(d, initial=initial, prefix="decline_recommendation"),
        A.CONSENT_SKIP: lambda d: ReasonForm(d, initial=initial, prefix="consent_skip"),
        A.WITHDRAW: lambda d: ReasonForm(d, initial=initial, prefix="withdraw"),
        A.COMMENT: lambda d: CommentForm(d, initial=initial, prefix="comment"),
        A.ACTIVATE: lambda d: OptionalReasonForm(d, initial=initial, prefix="activate"),
        A.START_FOLLOW_UP: lambda d: OptionalReasonForm(d, initial=initial, prefix="start_follow_up"),
        A.RESUME: lambda d: OptionalReasonForm(d, initial=initial, prefix="resume"),
        A.CLOSE: lambda d: OptionalReasonForm(d, initial=initial, prefix="close"),
    }
    return {
        action: builders[action](data if action == only else None)
        for action in page.actions
        if action in builders
    }


def _render_case(
    request: HttpRequest,
    actor: Actor,
    seen: Seen[ResponsibilityCase],
    *,
    bound: tuple[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    page = presenters.case_page(actor=actor, case=seen)
    case = page.case
    forms = _action_forms(actor, page)
    if bound is not None:
        forms[bound[0]] = bound[1]
    # The timeline as the API reads it (``selectors.case_events``), newest first on the page.
    events = list(reversed(selectors.case_events(case=case)))
    names = {str(t.task.public_id): presenters.task_name(t.task.task_type) for t in page.tasks}
    level = selectors.case_facts(case).level
    shared = sharing_for(actor, case)
    hand_over = assignment_selectors.hand_over_choices(actor=actor, case=case)
    return render(
        request,
        "cases/case_detail.html",
        {
            # What of the case is shared with this reader (access.legal_basis), and its basis.
            "sharing": shared,
            "basis": current_bases([case.pk]).get(case.pk),
            "blocked_labels": [str(SharedPart(part).label) for part in sorted(shared.blocked)],
            "manage_sharing": can_manage_sharing(actor, case),
            "page": page,
            "case": case,
            "forms": forms,
            "bound_action": bound[0] if bound else "",
            "events": events,
            "review_rows": review_page.review_rows(case),
            "comments": [e for e in events if e.kind == "comment"],
            "documents": _documents(actor, case, page.analysis, page) if shared.documents else {},
            "attachments": attachment_sections.case_section(actor=actor, case=seen, request=request)
            if shared.documents
            else None,
            "ladder": decisions.ladder_status(case, page.decisions, level),
            "decision_views": decisions.decision_views(page.decisions, level_bindings(case), names),
            "level_binding": level.binding if level is not None else True,
            "action_labels": presenters.ACTION_LABELS,
            "sip_section": "cases/_sip.html",
            "form_token": form_token(),
            "case_sip": sip_selectors.sip_started_from_case(case=case) if shared.health else None,
            # What a draft still lacks before it can be submitted, shown before anyone tries.
            "draft_missing": list(draft_missing(case).values()) if case.status == CaseStatus.DRAFT else [],
            "language": get_language(),
            "handlers": assignment_selectors.case_handlers(case=case),
            # A hand-over's note is for the handler's own organisation, not the case's other parties.
            "own_organisation_ids": {m.organisation_id for m in actor.memberships},
            "hand_over": hand_over,
            "hand_over_form": hand_over_form(actor, hand_over),
        },
        status=status,
    )


@login_required
@require_GET
def case_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    return _render_case(request, actor, selectors.case_read(actor=actor, public_id=public_id))


def _positions(form: PositionsForm) -> list[services.PositionInput]:
    out = []
    for task in form.tasks:
        text = str(form.cleaned_data.get(f"text_{task.public_id}") or "").strip()
        if text:
            split = form.split_of(task)
            out.append(
                services.PositionInput(
                    task=task.public_id,
                    text=text,
                    orders=split["orders"],
                    performs=split["performs"],
                    follows_up=split["follows_up"],
                    **form.arrangement_of(task),
                )
            )
    return out


def _perform(actor: Actor, case: ResponsibilityCase, action: str, form: Any) -> None:
    data = form.cleaned_data
    version = data.get("version") or None
    common: dict[str, Any] = {"actor": actor, "case": case, "expected_version": version}
    if action == A.SUBMIT:
        services.case_submit(**common)
    elif action == A.ACCEPT:
        accept, dispute = [], []
        for task in form.tasks:
            split = form.split_of(task)
            answer = form.answer_of(task)
            if answer == ReviewAnswerChoice.ACCEPT:
                stated = split if None not in split.values() else {}
                accept.append(
                    services.Split(
                        task=task.public_id,
                        orders=stated.get("orders"),
                        performs=stated.get("performs"),
                        follows_up=stated.get("follows_up"),
                        **(form.arrangement_of(task) if stated else {}),
                    )
                )
            elif answer == ReviewAnswerChoice.DISPUTE:
                dispute.append(
                    services.PositionInput(
                        task=task.public_id,
                        text=form.text_of(task),
                        orders=split["orders"],
                        performs=split["performs"],
                        follows_up=split["follows_up"],
                        **form.arrangement_of(task),
                    )
                )
        services.case_review(accept=accept, dispute=dispute, reason=data.get("reason", ""), **common)
    elif action == A.DISPUTE_AFTER_REJECTION:
        services.case_dispute_after_rejection(
            positions=_positions(form), reason=data.get("reason", ""), **common
        )
    elif action == A.STATE_POSITION:
        services.case_state_position(positions=_positions(form), **common)
    elif action == A.ESCALATE:
        services.case_escalate(reason=data["reason"], **common)
    elif action == A.DECIDE:
        splits = []
        for task in form.tasks:
            split = form.split_of(task)
            splits.append(
                services.Split(
                    task=task.public_id,
                    orders=split["orders"],
                    performs=split["performs"],
                    follows_up=split["follows_up"],
                    **form.arrangement_of(task),
                )
            )
        services.case_decide(outcome=data["outcome"], reasons=data["reasons"], splits=splits, **common)
    elif action == A.CANNOT_SETTLE:
        services.case_cannot_settle(reasons=data["reason"], **common)
    elif action in (A.ACCEPT_RECOMMENDATION, A.DECLINE_RECOMMENDATION):
        services.case_answer_recommendation(
            accept=action == A.ACCEPT_RECOMMENDATION, reason=data.get("reason", ""), **common
        )
    elif action == A.CONSENT_SKIP:
        services.case_consent_skip(reason=data["reason"], **common)
    elif action == A.WITHDRAW:
        services.case_withdraw(reason=data["reason"], **common)
    elif action == A.COMMENT:
        services.case_comment(text=data["text"], **common)
    elif action in services.SIMPLE_MOVES:
        services.case_move(action=action, reason=data.get("reason", ""), **common)
    else:
        raise Http404


DONE_MESSAGES: dict[str, Any] = {
    A.SUBMIT: gettext_lazy("The case is submitted; the parties responsible for its tasks review it."),
    A.ACCEPT: gettext_lazy("Your answers are recorded."),
    A.DISPUTE: gettext_lazy("The tasks are disputed and your position is recorded."),
    A.DISPUTE_AFTER_REJECTION: gettext_lazy("The tasks are disputed and your position is recorded."),
    A.STATE_POSITION: gettext_lazy("Your position is recorded."),
    A.ESCALATE: gettext_lazy("The case is escalated to the next level."),
    A.DECIDE: gettext_lazy("The decision is recorded."),
    A.WITHDRAW: gettext_lazy("The case is withdrawn."),
    A.COMMENT: gettext_lazy("The comment is added."),
    A.ACTIVATE: gettext_lazy("The case is active."),
    A.START_FOLLOW_UP: gettext_lazy("The follow-up has started."),
    A.RESUME: gettext_lazy("The care goes on."),
    A.CLOSE: gettext_lazy("The case is closed."),
    **decisions.DONE_MESSAGES,
}


# Actions that create a record (a comment, a position): their form carries a one-time token.
CREATING_ACTIONS = frozenset({A.COMMENT, A.STATE_POSITION})
STALE_KEPT = gettext_lazy(
    "Someone else changed the case while you were writing. What you wrote is kept below, beside the "
    "case as it is now: check what changed and send it again."
)


def _fresh_version(data: Any, prefix: str, version: int) -> Any:
    """The person's input with the case's current version, so that it can be sent again as it is."""
    fresh = data.copy()
    fresh[f"{prefix}-version"] = str(version)
    return fresh


@login_required
@require_POST
def case_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponseBase:
    actor = Actor.from_request(request)
    seen = selectors.case_read(actor=actor, public_id=public_id)
    case = seen.obj
    page = presenters.case_page(actor=actor, case=seen)
    forms = _action_forms(actor, page, request.POST, only=action)
    form = forms.get(action)
    if form is None:
        if action not in presenters.ACTION_LABELS:
            raise Http404
        messages.error(request, _("That action is not possible for you on this case now."))
        return redirect("cases:detail", public_id=case.public_id)
    if not form.is_valid():
        return _render_case(request, actor, seen, bound=(action, form), status=400)

    def attempt() -> HttpResponseBase:
        _perform(actor, case, action, form)
        messages.success(request, str(DONE_MESSAGES.get(action, _("Done."))))
        return redirect("cases:detail", public_id=case.public_id)

    try:
        return form_once(request, attempt) if action in CREATING_ACTIONS else attempt()
    except ValidationError as error:
        apply_service_errors(form, error)
    except StaleVersionError:
        # Never throw the person's input away: show it again, bound, beside the case as it is now.
        seen = selectors.case_read(actor=actor, public_id=public_id)
        page = presenters.case_page(actor=actor, case=seen)
        kept = _action_forms(
            actor, page, _fresh_version(request.POST, form.prefix or action, seen.obj.version), only=action
        )
        form = kept.get(action)
        if form is None:
            messages.error(request, str(STALE_KEPT))
            return redirect("cases:detail", public_id=case.public_id)
        form.is_valid()
        form.add_error(None, str(STALE_KEPT))
        return _render_case(request, actor, seen, bound=(action, form), status=409)
    except StateConflictError as conflict:
        form.add_error(None, conflict.message)
    return _render_case(request, actor, seen, bound=(action, form), status=400)


def case_url(case: ResponsibilityCase) -> str:
    return reverse("cases:detail", kwargs={"public_id": case.public_id})
