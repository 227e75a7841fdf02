"""FHIR R4 export: validated with fhir.resources' R4B models (R4B differs from R4 only in resources
not used here), every activity names the responsible organisation, other organisations get 404."""

from __future__ import annotations

import pytest
from django.utils import translation
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.riskassessment import RiskAssessment

from cases.risk import risk_words
from fhir_export import resources as export

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalised_sip(world, sip_from_case, nurse):
    from sip import services
    from tests.fixtures.sip import fill

    fill(sip_from_case, nurse, world)
    services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    return sip_from_case


def test_pd_sip_as_careplan_and_bundle_validate(world, api, finalised_sip):
    client = api(world.users["nurse_a"])
    plan = client.get(f"/api/v1/fhir/CarePlan/{finalised_sip.public_id}")
    assert plan.status_code == 200, plan.content
    assert plan["Content-Type"].startswith("application/fhir+json")
    careplan = CarePlan.model_validate(plan.json())
    assert careplan.status == "active"
    assert careplan.activity
    for activity in careplan.activity:
        performers = activity.detail.performer
        assert performers
        assert performers[0].reference.startswith("Organization/")
    contained = {r["resourceType"] for r in plan.json()["contained"]}
    assert {"CareTeam"} <= contained

    bundle_json = client.get(f"/api/v1/fhir/CarePlan/{finalised_sip.public_id}/bundle").json()
    bundle = Bundle.model_validate(bundle_json)
    kinds = {entry.resource.get_resource_type() for entry in bundle.entry}
    assert {"CarePlan", "Patient", "Organization", "RiskAssessment"} <= kinds
    organisations = {
        entry.resource.id for entry in bundle.entry if entry.resource.get_resource_type() == "Organization"
    }
    for activity in careplan.activity:
        assert activity.detail.performer[0].reference.removeprefix("Organization/") in organisations


def test_patient_identifier_and_protected_identity(world, api, finalised_sip):
    patient = finalised_sip.patient
    data = api(world.users["nurse_a"]).get(f"/api/v1/fhir/Patient/{patient.public_id}").json()
    Patient.model_validate(data)
    assert data["identifier"][0]["system"] == export.PERSONNUMMER_SYSTEM
    assert data["identifier"][0]["value"] == patient.personal_identity
    patient.protected_identity = True
    patient.save()
    data = api(world.users["specialist"]).get(f"/api/v1/fhir/Patient/{patient.public_id}").json()
    Patient.model_validate(data)
    assert "identifier" not in data
    assert "name" not in data
    assert data["meta"]["security"][0]["code"] == "R"


def test_risk_assessment_organization_and_tasks(world, api, finalised_sip):
    client = api(world.users["nurse_a"])
    analysis = finalised_sip.case.risk_analyses.first()
    risk = client.get(f"/api/v1/fhir/RiskAssessment/{analysis.public_id}")
    assert risk.status_code == 200
    RiskAssessment.model_validate(risk.json())
    org = world.orgs["kommun_a"]
    org.hsa_id = "SE2321000115-K001"
    org.save()
    data = client.get(f"/api/v1/fhir/Organization/{org.public_id}").json()
    Organization.model_validate(data)
    assert data["identifier"][0] == {"use": "official", "system": export.HSA_ID_SYSTEM, "value": org.hsa_id}
    tasks = client.get("/api/v1/fhir/Task", {"case": str(finalised_sip.case.public_id)})
    assert tasks.status_code == 200
    Bundle.model_validate(tasks.json())


WORDING = {
    "sv": "Sannolikhet {l} × konsekvens {c} = {s} ({w})",
    "en": "Likelihood {l} × consequence {c} = {s} ({w})",
}


def test_each_hazards_risk_is_in_the_level_words_of_the_case_page(world, api, finalised_sip):
    analysis = finalised_sip.case.risk_analyses.first()
    url = f"/api/v1/fhir/RiskAssessment/{analysis.public_id}"
    hazards = list(analysis.hazards.order_by("pk"))
    assert hazards
    for language, wording in WORDING.items():
        predictions = api(world.users["nurse_a"]).get(url, HTTP_ACCEPT_LANGUAGE=language).json()["prediction"]
        with translation.override(language):
            expected = [
                wording.format(l=h.likelihood, c=h.consequence, s=h.score, w=risk_words(h.score).lower())
                for h in hazards
            ]
        assert [p["qualitativeRisk"]["text"] for p in predictions] == expected


def test_another_kommun_gets_404(world, api, finalised_sip):
    client = api(world.users["nurse_b"])
    sip_id = finalised_sip.public_id
    assert client.get(f"/api/v1/fhir/CarePlan/{sip_id}").status_code == 404
    assert client.get(f"/api/v1/fhir/CarePlan/{sip_id}/bundle").status_code == 404
    assert client.get(f"/api/v1/fhir/Patient/{finalised_sip.patient.public_id}").status_code == 404
    assert client.get("/api/v1/fhir/Task", {"case": str(finalised_sip.case.public_id)}).status_code == 404


@pytest.mark.parametrize("reader", ["specialist", "coordinator_a"])
def test_careplan_and_bundle_leave_out_the_names_for_a_masked_reader(
    world, api, protected_sip, nurse, reader
):
    """The CareTeam of a protected patient's plan says "Personen själv" and "Närstående: Dotter", never
    whose names they are, for a reader who sees the identity masked; the nurse who may see it does."""
    from sip import services
    from tests.fixtures.sip import SECRET_KIN, SECRET_NAME, SECRETS

    services.sip_finalise(actor=nurse, sip=protected_sip, expected_revision=None)
    client = api(world.users[reader])
    plan = client.get(f"/api/v1/fhir/CarePlan/{protected_sip.public_id}")
    assert plan.status_code == 200, plan.content
    CarePlan.model_validate(plan.json())
    bundle = client.get(f"/api/v1/fhir/CarePlan/{protected_sip.public_id}/bundle")
    assert bundle.status_code == 200, bundle.content
    Bundle.model_validate(bundle.json())
    for response in (plan, bundle):
        text = response.content.decode()
        assert [secret for secret in SECRETS if secret in text] == []
    care_team = next(r for r in plan.json()["contained"] if r["resourceType"] == "CareTeam")
    roles = [p["role"][0]["text"] for p in care_team["participant"]]
    assert "Personen själv" in roles
    assert any(role.startswith("Närstående") and "Dotter" in role for role in roles)

    seen = (
        api(world.users["nurse_a"]).get(f"/api/v1/fhir/CarePlan/{protected_sip.public_id}").content.decode()
    )
    assert f"Personen själv ({SECRET_NAME})" in seen
    assert SECRET_KIN in seen
