"""Patient pages. Reads go through the same selectors as the API, so the same rule and log apply."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from directory.actor import Actor

from . import selectors


@login_required
def patient_list(request: HttpRequest) -> HttpResponse:
    actor = Actor.from_request(request)
    query = request.GET.get("q", "")
    page = Paginator(selectors.patient_list(actor=actor, search=query), 25).get_page(request.GET.get("page"))
    selectors.patients_log_listed(actor=actor, patients=list(page.object_list))
    return render(request, "patients/patient_list.html", {"page": page, "query": query})


@login_required
def patient_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    patient = selectors.patient_get(actor=actor, public_id=public_id)
    enrolments = selectors.enrolments_for_patient(actor=actor, patient=patient)
    return render(request, "patients/patient_detail.html", {"patient": patient, "enrolments": enrolments})
