"""Patient pages. Reads go through the same selectors as the API, so the same rule and log apply."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from access.roles import ENROLLING_ROLES
from access.seen import Seen
from audit.extract import extract_membership
from cases import selectors as case_selectors
from cases.presenters import task_catalogue, task_name, work_rows
from cases.services.drafts import referring_membership
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from documents import selectors as document_selectors
from hemsjukvard.limits import max_length_of
from hemsjukvard.pages import apply_service_errors
from identity.session import needs_reauthentication, reauthentication_url
from patients.models import Enrolment, Patient
from sip import selectors as sip_selectors

from . import selectors, services
from .emergency import may_use_emergency_access, patient_get_emergency_by_identity
from .list_filters import PatientFilterForm, identity_problem, vardcentraler_for
from .personnummer import parse_patient_identity
from .policies import can_enrol


class EnrolForm(forms.Form):
    kommun = forms.ModelChoiceField(
        label=gettext_lazy("Kommun"), queryset=Organisation.objects.none(), to_field_name="public_id"
    )
    starts_on = forms.DateField(
        label=gettext_lazy("Enrolled from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    threshold_justification = forms.CharField(
        label=gettext_lazy("Justification under the threshold principle (tröskelprincipen)"),
        help_text=gettext_lazy(
            "Why the patient cannot get to the vårdcentral on their own or with support, and that the "
            "need is continuous over time."
        ),
        max_length=max_length_of(Enrolment, "threshold_justification"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, kommuner: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kommun"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(pk__in=[k.pk for k in kommuner]).order_by("name")
        if len(kommuner) == 1:
            field.initial = kommuner[0].public_id


class EndEnrolmentForm(forms.Form):
    ends_on = forms.DateField(
        label=gettext_lazy("Enrolled until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for ending"),
        max_length=max_length_of(Enrolment, "end_reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EmergencyAccessForm(forms.Form):
    """Nödåtkomst: the personnummer, why the person needs the data now, and their confirmation."""

    personal_identity = forms.CharField(
        label=gettext_lazy("Personnummer"),
        help_text=gettext_lazy("YYYYMMDD-NNNN"),
        max_length=13,
        error_messages={"required": gettext_lazy("Enter the patient's personnummer.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Why do you need the patient's data now?"),
        help_text=gettext_lazy(
            "For example: an emergency home visit while the patient's own team cannot be reached. "
            "The reason is logged and reviewed by the MAS or MAR."
        ),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("State why you need emergency access to this patient.")},
    )
    confirm = forms.BooleanField(
        label=gettext_lazy(
            "I need the patient's data for their care now, and I know that this access is logged as "
            "emergency access and reviewed."
        ),
        error_messages={"required": gettext_lazy("Confirm that you need emergency access.")},
    )

    def clean_personal_identity(self) -> str:
        return parse_patient_identity(self.cleaned_data["personal_identity"]).formatted

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(_("State why you need emergency access to this patient."))
        return reason


def _emergency_offer(actor: Actor, query: str, found: int) -> str | None:
    """The personnummer to offer emergency access for, from a search that found none of the person's
    patients. Offered whether or not such a patient exists, so the offer itself reveals nothing; never
    for a number nobody can have (a wrong check digit, a date that does not exist or lies ahead)."""
    if found or not query or not may_use_emergency_access(actor) or identity_problem(query):
        return None
    try:
        return parse_patient_identity(query).formatted
    except ValidationError:
        return None  # a name, or part of a number: emergency access is only ever for one known person


def _enrolling_kommuner(actor: Actor) -> list[Organisation]:
    return [
        m.organisation
        for m in actor.memberships
        if m.organisation.kind == OrganisationKind.KOMMUN and m.role in ENROLLING_ROLES
    ]


@login_required
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    """The patients the person may see: searched by personnummer or name (whatever the accents and
    case), narrowed by the filters in the address (``patients.list_filters``), 25 a page."""
    actor = Actor.from_request(request)
    form = PatientFilterForm(
        request.GET,
        vardcentraler=vardcentraler_for(actor),
        tasks=[(t.code, task_name(t)) for t in task_catalogue()],
    )
    valid = form.is_valid()
    query = form.search.strip()
    patients = selectors.patient_list(actor=actor, search=query, filters=form.filters())
    page = Paginator(patients, 25).get_page(request.GET.get("page"))
    shown = selectors.patients_listed(actor=actor, patients=list(page.object_list))
    can_open = any(m.role in ("nurse", "rehab") for m in actor.memberships)
    emergency_identity = None if form.any_filter else _emergency_offer(actor, query, page.paginator.count)
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "patients/patient_list.html",
        {
            "form": form,
            "page": page,
            "patients": shown,
            "query": query,
            "identity_problem": identity_problem(query),
            "filtered": form.any_filter,
            "address": kept.urlencode(),
            "can_open_cases": can_open,
            "emergency_form": (
                EmergencyAccessForm(initial={"personal_identity": emergency_identity})
                if emergency_identity
                else None
            ),
        },
        status=200 if valid else 400,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def patient_emergency(request: HttpRequest) -> HttpResponse:
    """Open a patient outside one's care relationships by emergency access (nödåtkomst).

    The person states why and confirms; the patient is then shown on this response only (a reload asks
    again and is logged again), with the same details the API's emergency access returns: the read
    opens the patient record, not the cases, plans or documents, which each need their own access.
    Roles that may never use emergency access get 403; a patient who is not found, or whom the person
    may not open, is one and the same 404 (``patients.emergency``).
    """
    actor = Actor.from_request(request)
    if not may_use_emergency_access(actor):
        raise PermissionDenied(_("Your role cannot use emergency access."))
    # A SITHS session shows the card again first; the form, once open, may take its time (30 minutes).
    if needs_reauthentication(request, within_seconds=None if request.method != "POST" else 30 * 60):
        return redirect(reauthentication_url(request))
    if request.method != "POST":
        form = EmergencyAccessForm(initial={"personal_identity": request.GET.get("identity", "")})
        return render(request, "patients/patient_emergency.html", {"form": form})
    form = EmergencyAccessForm(request.POST)
    if not form.is_valid():
        return render(request, "patients/patient_emergency.html", {"form": form}, status=400)
    try:
        read = patient_get_emergency_by_identity(
            actor=actor,
            personal_identity=form.cleaned_data["personal_identity"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return render(request, "patients/patient_emergency.html", {"form": form}, status=400)
    except Http404:
        return render(
            request, "patients/patient_emergency.html", {"form": form, "not_found": True}, status=404
        )
    if not read.emergency:
        messages.info(
            request, _("You have a care relationship with the patient; no emergency access was needed.")
        )
        return redirect("patients:detail", public_id=read.patient.obj.public_id)
    return render(
        request,
        "patients/patient_emergency_read.html",
        {"patient": read.patient.obj, "seen": read.patient, "reason": form.cleaned_data["reason"]},
    )


def _patient_context(actor: Actor, patient: Seen[Patient]) -> dict[str, Any]:
    enrolments = selectors.enrolments_for_patient(actor=actor, patient=patient)
    cases = case_selectors.cases_for_patient(actor=actor, patient=patient)
    open_enrolment = next((e for e in enrolments if e.ends_on is None), None)
    kommuner = _enrolling_kommuner(actor)
    context: dict[str, Any] = {
        "patient": patient.obj,
        "seen": patient,
        "enrolments": enrolments,
        "open_enrolment": open_enrolment,
        "cases": work_rows(cases),
        "can_open_cases": any(
            m.role in ("nurse", "rehab") and m.organisation.kind == OrganisationKind.KOMMUN
            for m in actor.memberships
        )
        or referring_membership(actor, patient.obj) is not None,
        "can_enrol": bool(kommuner) and open_enrolment is None,
        "can_end": open_enrolment is not None and can_enrol(actor, open_enrolment.kommun),
        "enrol_form": EnrolForm(kommuner=kommuner, initial={"starts_on": timezone.localdate()}),
        "end_form": EndEnrolmentForm(initial={"ends_on": timezone.localdate()}),
        "sips": sip_selectors.sips_for_patient(actor=actor, patient=patient),
        "documents": document_selectors.documents_for_patient(actor=actor, patient=patient),
        "documents_shown_max": document_selectors.PATIENT_DOCUMENTS_SHOWN,
        "can_extract_log": extract_membership(actor, patient.obj) is not None,
    }
    return context


@login_required
@require_GET
def patient_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = selectors.patient_get(actor=actor, public_id=public_id)
    return render(request, "patients/patient_detail.html", _patient_context(actor, patient))


@login_required
@require_http_methods(["POST"])
def patient_enrol(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    patient = selectors.patient_get(actor=actor, public_id=public_id)
    form = EnrolForm(request.POST, kommuner=_enrolling_kommuner(actor))
    if form.is_valid():
        try:
            services.enrolment_start(
                actor=actor,
                patient=patient,
                data=services.EnrolmentInput(
                    kommun=form.cleaned_data["kommun"],
                    starts_on=form.cleaned_data["starts_on"],
                    threshold_justification=form.cleaned_data["threshold_justification"],
                ),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The patient is enrolled in municipal home health care."))
            return redirect("patients:detail", public_id=patient.obj.public_id)
    context = _patient_context(actor, patient)
    context["enrol_form"] = form
    return render(request, "patients/patient_detail.html", context, status=400)


@login_required
@require_http_methods(["POST"])
def enrolment_end(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    enrolment = selectors.enrolment_get(actor=actor, public_id=public_id)
    form = EndEnrolmentForm(request.POST)
    if form.is_valid():
        try:
            services.enrolment_end(
                actor=actor,
                enrolment=enrolment.obj,
                ends_on=form.cleaned_data["ends_on"] or datetime.date.today(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The enrolment has ended."))
            return redirect("patients:detail", public_id=enrolment.obj.patient.public_id)
    context = _patient_context(actor, enrolment.of(enrolment.obj.patient))
    context["end_form"] = form
    return render(request, "patients/patient_detail.html", context, status=400)
