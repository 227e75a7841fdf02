"""The members of a joint body at a pseudonymised escalation level (by default level 2 and 3) see the case
and its notices without the patient's name, personnummer and address: age, sex and housing instead. At
level 1 (lokal samverkan) they see the identity, and an agreement may say "identified" for any level.
Care staff on the case are unaffected."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from access.patients import identity_visible, identity_visible_many, identity_visible_q, patient_facts
from agreements.choices import EscalationIdentity
from agreements.models import EscalationLevel
from cases.models import CaseEvent, EscalationDecision, EventKind, Notification
from cases.services.notifications import email_body, email_subject
from directory.actor import Actor
from documents import services as document_services
from documents.models import DocumentContent, DocumentKind, DocumentStatus
from patients.models import Patient
from patients.pseudonym import age_in_years, pseudonym, sex_label
from tests.fixtures.documents import CaseWorld, pdf_text

pytestmark = pytest.mark.django_db

ADDRESS = "Storgatan 1"


def _page(user, path: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200, path
    return response.content.decode()


def _to_level_2(drive, case):
    """Lokal samverkan recommends, the vårdcentral declines: the case climbs to RUG (level 2)."""
    case = drive.decide(case)
    case = drive.answer(case, by="gp_a", accept=False)
    return drive.escalate(case)


def _pdf(actor: Actor, kind: str, source_id, captured) -> tuple[str, bool]:
    with captured(execute=True):
        document = document_services.document_request(
            actor=actor, kind=kind, source_id=source_id, language="sv"
        )
    document.refresh_from_db()
    assert document.status == DocumentStatus.READY, document.failure_reason
    text = pdf_text(bytes(DocumentContent.objects.get(document=document).content))
    return text, document.identity_masked


def _assert_no_identity(text: str, patient) -> None:
    flat = "".join(text.split())
    for secret in (patient.given_name, patient.family_name, patient.personal_identity, ADDRESS):
        assert "".join(secret.split()) not in flat, secret
    assert patient.formatted_identity not in text


def _assert_pseudonym(text: str, patient) -> None:
    flat = " ".join(text.split())
    assert f"{age_in_years(patient)} år" in flat
    assert sex_label(patient) in flat
    assert "ordinärt boende" in flat


def test_the_pseudonym_gives_age_sex_and_housing(world) -> None:
    patient = world.patient()
    patient.personal_identity = "194003021242"  # born 2 March 1940; next-to-last digit 4: a woman
    label = pseudonym(patient, today=datetime.date(2026, 12, 7))
    assert label == "Person, 86 år, kvinna, ordinärt boende"
    patient.personal_identity = "194012311253"
    assert pseudonym(patient, today=datetime.date(2026, 12, 7)) == "Person, 85 år, man, ordinärt boende"


def test_lokal_samverkan_sees_the_identity_by_default(case_world: CaseWorld) -> None:
    u = case_world.world.users
    case, patient = case_world.case, case_world.patient
    assert case.escalation_level == 1
    html = _page(u["governance_lokal"], f"/cases/{case.public_id}/")
    assert patient.full_name in html
    assert patient.formatted_identity in html
    event = CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).latest("pk")
    assert event.payload["identity"] == EscalationIdentity.IDENTIFIED


@pytest.mark.parametrize("level", [2, 3])
def test_a_higher_body_sees_the_case_and_the_escalation_notice_pseudonymised(
    drive, case_world: CaseWorld, eager_celery: None, django_capture_on_commit_callbacks, level: int
) -> None:
    u = case_world.world.users
    patient = case_world.patient
    case = _to_level_2(drive, case_world.case)
    member = "governance"
    if level == 3:
        case = drive.cannot_settle(case, by="governance")
        member = "governance_gnhh"
    assert case.escalation_level == level

    html = _page(u[member], f"/cases/{case.public_id}/")
    _assert_no_identity(html, patient)
    assert pseudonym(patient) in html
    # What tells the body of the case (in the inbox and by e-mail) names no one.
    notices = list(Notification.objects.filter(user=u[member], case=case))
    assert notices
    for notice in notices:
        _assert_no_identity(f"{email_subject(notice)} {email_body(notice)}", patient)
    # The tasks and the parties' positions are there to decide on.
    assert "Kommunen kan utföra PD" in html

    text, masked = _pdf(
        Actor.for_user(u[member]),
        DocumentKind.ESCALATION_NOTICE,
        case.public_id,
        django_capture_on_commit_callbacks,
    )
    assert masked
    _assert_no_identity(text, patient)
    _assert_pseudonym(text, patient)
    assert "Kommunen kan utföra PD" in " ".join(text.split())

    # The case's own nurse still prints and sees the identity.
    nurse_text, nurse_masked = _pdf(
        Actor.for_user(u["nurse_a"]),
        DocumentKind.ESCALATION_NOTICE,
        case.public_id,
        django_capture_on_commit_callbacks,
    )
    assert not nurse_masked
    assert patient.family_name in nurse_text
    assert patient.full_name in _page(u["nurse_a"], f"/cases/{case.public_id}/")
    # Lokal samverkan, which handled the case at level 1, keeps seeing who it was.
    assert patient.full_name in _page(u["governance_lokal"], f"/cases/{case.public_id}/")


def test_the_decision_notice_of_a_pseudonymised_level_names_no_one(
    drive, case_world: CaseWorld, eager_celery: None, django_capture_on_commit_callbacks
) -> None:
    u = case_world.world.users
    patient = case_world.patient
    case = _to_level_2(drive, case_world.case)
    case = drive.cannot_settle(case, by="governance")
    case = drive.decide(case, by="governance_gnhh", reasons="Kliniken utför PD.")
    decision = EscalationDecision.objects.get(case=case, level=3)
    text, masked = _pdf(
        Actor.for_user(u["governance_gnhh"]),
        DocumentKind.DECISION_NOTICE,
        decision.public_id,
        django_capture_on_commit_callbacks,
    )
    assert masked
    _assert_no_identity(text, patient)
    _assert_pseudonym(text, patient)
    assert "Kliniken utför PD." in text
    # After the decision RUG keeps reading the case, still pseudonymised.
    html = _page(u["governance"], f"/cases/{case.public_id}/")
    _assert_no_identity(html, patient)


def test_the_api_gives_a_higher_body_no_name_or_personnummer(drive, case_world: CaseWorld, api) -> None:
    u = case_world.world.users
    patient = case_world.patient
    case = _to_level_2(drive, case_world.case)
    client = api(u["governance"])
    response = client.get(f"/api/v1/cases/{case.public_id}")
    assert response.status_code == 200
    body = response.content.decode()
    _assert_no_identity(body, patient)
    # While the case is before RUG, RUG reaches the patient record: masked.
    record = client.get(f"/api/v1/patients/{patient.public_id}")
    assert record.status_code == 200
    data = record.json()
    assert data["identity_masked"] is True
    _assert_no_identity(record.content.decode(), patient)
    # And so does the FHIR export: no identifier, name or address.
    fhir = client.get(f"/api/v1/fhir/Patient/{patient.public_id}")
    assert fhir.status_code == 200
    assert not {"identifier", "name", "address"} & set(fhir.json())
    _assert_no_identity(fhir.content.decode(), patient)
    # The nurse treating the patient is unaffected.
    nurse = api(u["nurse_a"]).get(f"/api/v1/patients/{patient.public_id}").json()
    assert nurse["identity_masked"] is False
    assert nurse["family_name"] == patient.family_name


def test_an_agreement_may_show_the_identity_at_level_2(drive, halland, case_world: CaseWorld) -> None:
    EscalationLevel.objects.filter(version=halland.version, level=2).update(
        identity=EscalationIdentity.IDENTIFIED
    )
    u = case_world.world.users
    patient = case_world.patient
    case = _to_level_2(drive, case_world.case)
    html = _page(u["governance"], f"/cases/{case.public_id}/")
    assert patient.full_name in html
    assert patient.formatted_identity in html
    # GNHH (level 3, pseudonymised by default) does not.
    case = drive.cannot_settle(case, by="governance")
    html = _page(u["governance_gnhh"], f"/cases/{case.public_id}/")
    _assert_no_identity(html, patient)


def test_a_protected_identity_stays_protected_at_an_identified_level(make_case_world) -> None:
    world = make_case_world(protected=True, events=0)
    html = _page(world.world.users["governance_lokal"], f"/cases/{world.case.public_id}/")
    _assert_no_identity(html, world.patient)
    assert "Skyddad identitet" in html


def test_the_filter_and_the_function_agree_for_joint_bodies(drive, case_world: CaseWorld) -> None:
    u = case_world.world.users
    patient = case_world.patient
    case = _to_level_2(drive, case_world.case)
    case = drive.cannot_settle(case, by="governance")
    facts = patient_facts(patient)
    expected = {"governance_lokal": True, "governance": False, "governance_gnhh": False, "nurse_a": True}
    for key, visible in expected.items():
        actor = Actor.for_user(u[key])
        assert identity_visible(actor, facts, protected_identity=False) is visible, key
        filtered = Patient.objects.filter(pk=patient.pk).filter(identity_visible_q(actor)).exists()
        assert filtered is visible, key
        assert identity_visible_many(actor=actor, patients=[patient])[patient.pk] is visible, key
