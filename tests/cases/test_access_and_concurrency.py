"""Cross-organisation reads answer 404 and are logged; stale If-Match answers 412 and writes nothing."""

from __future__ import annotations

import pytest

from audit.models import AccessLogEntry, Outcome
from cases.models import CaseEvent, ResponsibilityCase
from patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "cases/{id}",
        "cases/{id}/timeline",
        "cases/{id}/risk-analyses",
        "cases/{id}/tasks",
        "risk-analyses/{analysis}",
    ],
)
@pytest.mark.parametrize("who", ["nurse_b", "gp_b", "mas_b", "governance", "admin"])
def test_other_organisations_get_404_and_the_attempt_is_logged(world, halland, case_in, api, path, who):
    case = case_in("awaiting_approval")
    analysis = case.risk_analyses.get()
    url = "/api/v1/" + path.format(id=case.public_id, analysis=analysis.public_id)
    assert api(world.users["nurse_a"]).get(url).status_code == 200
    response = api(world.users[who]).get(url)
    assert response.status_code == 404
    denied = AccessLogEntry.objects.filter(user=world.users[who], outcome=Outcome.DENIED)
    assert denied.count() == 1
    assert denied.get().patient == case.patient


def test_case_list_shows_only_my_organisations_cases_and_filters(world, halland, case_in, api):
    case = case_in("in_review")
    case_in("draft")
    mine = api(world.users["gp_a"]).get("/api/v1/cases").json()
    # The GP's vårdcentral is on both cases (the patients are listed there).
    assert mine["count"] == 2
    assert api(world.users["nurse_b"]).get("/api/v1/cases").json()["count"] == 0
    filtered = api(world.users["nurse_a"]).get("/api/v1/cases?status=in_review&task_type=peritoneal-dialysis")
    assert [c["id"] for c in filtered.json()["results"]] == [str(case.public_id)]
    kommun = world.orgs["kommun_a"].public_id
    assert api(world.users["nurse_a"]).get(f"/api/v1/cases?kommun={kommun}&overdue=true").json()["count"] == 0


def test_a_party_to_an_open_case_sees_the_patient(world, halland, case_in, api):
    patient = world.patient(vardcentral="vc_b")
    url = f"/api/v1/patients/{patient.public_id}"
    assert api(world.users["specialist"]).get(url).status_code == 404
    case_in("in_review", patient=patient)
    assert api(world.users["specialist"]).get(url).status_code == 200
    assert Patient.objects.count() == 1


def test_stale_if_match_is_412_and_writes_nothing(world, halland, case_in, api):
    case = case_in("in_review")
    client = api(world.users["gp_a"])
    stale = client.get(f"/api/v1/cases/{case.public_id}")["ETag"]
    nurse = api(world.users["nurse_a"])
    fresh = nurse.get(f"/api/v1/cases/{case.public_id}")["ETag"]
    assert (
        nurse.post(
            f"/api/v1/cases/{case.public_id}/comment",
            {"text": "Ringer i morgon."},
            format="json",
            HTTP_IF_MATCH=fresh,
        ).status_code
        == 200
    )
    before = (ResponsibilityCase.objects.get(pk=case.pk).version, CaseEvent.objects.filter(case=case).count())
    response = client.post(f"/api/v1/cases/{case.public_id}/accept", {}, format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "precondition_failed"
    assert (
        ResponsibilityCase.objects.get(pk=case.pk).version,
        CaseEvent.objects.filter(case=case).count(),
    ) == before
    assert set(case.tasks.values_list("review_state", flat=True)) == {"pending"}
    response = client.post(f"/api/v1/cases/{case.public_id}/accept", {}, format="json")
    assert response.status_code == 428
