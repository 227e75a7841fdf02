"""A document is read by the rule of the record it prints, not only by who sees the patient.

Seeing the patient is necessary for every document; on top of that a case's documents are for the case's
parties, a SIP after a withdrawal of consent only for the organisation that keeps it, and a log extract
only for those who produce extracts (MAS, MAR, coordinators). Every refusal is the same 404 as a document
that does not exist, and it is logged.
"""

from __future__ import annotations

import uuid

import pytest
from django.http import Http404
from django.utils import timezone

from audit.documents import KIND as EXTRACT_KIND
from audit.extract import log_extract_create
from audit.models import AccessLogEntry, Outcome
from cases.models import ResponsibilityCase
from directory.actor import Actor
from documents import selectors
from documents.models import Document, DocumentKind
from patients.models import Patient
from patients.selectors import patient_get
from sip import services as sip_services
from sip.models import Sip
from tests.fixtures.sip import fill
from tests.fixtures.world import World, as_actor

pytestmark = pytest.mark.django_db


def _document(kind: str, source_id: uuid.UUID, patient: Patient, by: Actor) -> Document:
    return Document.objects.create(
        kind=kind,
        source_id=source_id,
        source_version="1",
        language="sv",
        identity_masked=False,
        patient=patient,
        requested_by=by.user,
        requested_by_organisation=by.memberships[0].organisation,
    )


def _denied(actor: Actor, document: Document) -> bool:
    before = AccessLogEntry.objects.filter(outcome=Outcome.DENIED, record_id=str(document.public_id)).count()
    try:
        selectors.document_get(actor=actor, public_id=document.public_id)
    except Http404:
        after = AccessLogEntry.objects.filter(
            outcome=Outcome.DENIED, record_id=str(document.public_id)
        ).count()
        assert after == before + 1, "a refused read must be logged"
        return True
    return False


def _listed(actor: Actor, patient: Patient) -> set[uuid.UUID]:
    seen = patient_get(actor=actor, public_id=patient.public_id)
    return {d.public_id for d in selectors.documents_for_patient(actor=actor, patient=seen)}


def test_a_sip_print_is_not_shared_after_consent_is_withdrawn(
    world: World,
    sip_from_case: Sip,
    nurse: Actor,
) -> None:
    fill(sip_from_case, nurse, world)
    version = sip_services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    document = _document(DocumentKind.SIP_CARE_PLAN, version.public_id, sip_from_case.patient, nurse)
    gp = as_actor(world, "gp_a")
    assert not _denied(gp, document)
    assert document.public_id in _listed(gp, sip_from_case.patient)

    sip_services.sip_withdraw_consent(
        actor=nurse,
        sip=sip_from_case,
        expected_revision=None,
        withdrawn_by="person",
        withdrawn_by_name="Karin Svensson",
        withdrawn_on=timezone.localdate(),
    )
    # The vårdcentral still sees the patient, but no longer the plan nor its print.
    assert _denied(gp, document)
    assert document.public_id not in _listed(gp, sip_from_case.patient)
    with pytest.raises(Http404):
        selectors.document_get(actor=gp, public_id=document.public_id)
    # The kommun that keeps the plan still does.
    assert not _denied(nurse, document)
    assert document.public_id in _listed(nurse, sip_from_case.patient)


def test_a_log_extract_is_read_only_by_those_who_produce_extracts(world: World) -> None:
    patient = world.patient()
    mas = as_actor(world, "mas_a")
    extract = log_extract_create(actor=mas, patient_public_id=patient.public_id)
    document = _document(EXTRACT_KIND, extract.public_id, patient, mas)
    assert not _denied(mas, document)
    # The kommun's nurse and the patient's GP see the patient, not who else looked at the patient.
    for key in ("nurse_a", "gp_a"):
        actor = as_actor(world, key)
        assert _denied(actor, document), key
        assert document.public_id not in _listed(actor, patient), key


def test_a_cases_print_is_for_the_cases_parties(
    world: World,
    agreed_case: ResponsibilityCase,
) -> None:
    nurse_a = as_actor(world, "nurse_a")
    document = _document(DocumentKind.ESCALATION_NOTICE, agreed_case.public_id, agreed_case.patient, nurse_a)
    # The patient has since listed at another vårdcentral: its GP sees the patient but was never a party.
    Patient.objects.filter(pk=agreed_case.patient_id).update(listed_vardcentral=world.orgs["vc_b"])
    gp_b = as_actor(world, "gp_b")
    patient_get(actor=gp_b, public_id=agreed_case.patient.public_id)
    assert _denied(gp_b, document)
    assert document.public_id not in _listed(gp_b, agreed_case.patient)
    # The vårdcentral on the case still reads it.
    assert not _denied(as_actor(world, "gp_a"), document)
