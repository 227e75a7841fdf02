"""Patient pages. Reads go through the same selectors as the API, so the same rule and log apply."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from audit.extract import extract_membership
from cases import selectors as case_selectors
from cases.forms import apply_service_errors
from cases.models import OPEN_STATUSES
from cases.presenters import work_rows
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from sip import selectors as sip_selectors

from . import selectors, services
from .policies import ENROLLING_ROLES, can_enrol


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
        label=gettext_lazy("Reason for ending"), widget=forms.Textarea(attrs={"rows": 2})
    )


def _enrolling_kommuner(actor: Actor) -> list[Organisation]:
    return [
        m.organisation
        for m in actor.memberships
        if m.organisation.kind == OrganisationKind.KOMMUN and m.role in ENROLLING_ROLES
    ]


@login_required
@require_GET
def patient_list(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    query = request.GET.get("q", "")
    page = Paginator(selectors.patient_list(actor=actor, search=query), 25).get_page(request.GET.get("page"))
    selectors.patients_log_listed(actor=actor, patients=list(page.object_list))
    can_open = any(m.role in ("nurse", "rehab") for m in actor.memberships)
    return render(
        request, "patients/patient_list.html", {"page": page, "query": query, "can_open_cases": can_open}
    )


def _patient_context(actor: Actor, patient: Any) -> dict[str, Any]:
    enrolments = selectors.enrolments_for_patient(actor=actor, patient=patient)
    cases = list(case_selectors.case_list(actor=actor).filter(patient=patient, status__in=OPEN_STATUSES)[:50])
    case_selectors.cases_log_listed(actor=actor, cases=cases)
    open_enrolment = next((e for e in enrolments if e.ends_on is None), None)
    kommuner = _enrolling_kommuner(actor)
    context: dict[str, Any] = {
        "patient": patient,
        "enrolments": enrolments,
        "open_enrolment": open_enrolment,
        "cases": work_rows(cases),
        "can_open_cases": any(
            m.role in ("nurse", "rehab") and m.organisation.kind == OrganisationKind.KOMMUN
            for m in actor.memberships
        ),
        "can_enrol": bool(kommuner) and open_enrolment is None,
        "can_end": open_enrolment is not None and can_enrol(actor, open_enrolment.kommun),
        "enrol_form": EnrolForm(kommuner=kommuner, initial={"starts_on": timezone.localdate()}),
        "end_form": EndEnrolmentForm(initial={"ends_on": timezone.localdate()}),
        "sips": sip_selectors.sips_for_patient(actor=actor, patient=patient),
        "can_extract_log": extract_membership(actor, patient) is not None,
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
            return redirect("patients:detail", public_id=patient.public_id)
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
                enrolment=enrolment,
                ends_on=form.cleaned_data["ends_on"] or datetime.date.today(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The enrolment has ended."))
            return redirect("patients:detail", public_id=enrolment.patient.public_id)
    context = _patient_context(actor, enrolment.patient)
    context["end_form"] = form
    return render(request, "patients/patient_detail.html", context, status=400)
