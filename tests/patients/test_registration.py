"""Registering a personnummer that is already in the register tells no one outside a care relationship
that the person is there: the answer is the answer to a new patient, nothing is changed, and the attempt
is logged for the patient's kommun to review."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AccessLogEntry, Action, Outcome, Purpose
from audit.providers import provider_entries_q, provider_scope
from audit.review import FLAG_QS
from patients.models import Enrolment, Patient
from tests.fixtures.world import World, make_personnummer

pytestmark = pytest.mark.django_db


def _registration(world: World, personal_identity: str, *, place: str = "b") -> dict[str, Any]:
    """What a nurse (or GP) of place B sends to register a patient into her own care relationship."""
    return {
        "personal_identity": personal_identity,
        "given_name": "Okänd",
        "family_name": "Försök",
        "folkbokforing_kommun": str(world.orgs[f"kommun_{place}"].public_id),
        "listed_vardcentral": str(world.orgs[f"vc_{place}"].public_id),
        "enrolment": {
            "kommun": str(world.orgs[f"kommun_{place}"].public_id),
            "starts_on": "2026-11-01",
            "threshold_justification": "Kan inte ta sig till vårdcentralen.",
        },
    }


def _answer(response: Any) -> tuple[int, Any, set[str]]:
    """Everything of an answer the registrant can observe, except the headers that vary by nature."""
    volatile = {"date", "x-request-id", "ratelimit-remaining", "ratelimit-reset", "content-length"}
    headers = {name.lower() for name in response.headers} - volatile
    return response.status_code, response.json(), headers


@pytest.mark.parametrize("protected", [False, True])
@pytest.mark.parametrize("who", ["nurse_b", "coordinator_b", "gp_b"])
def test_registering_another_organisations_patient_answers_as_for_a_new_one(world, api, protected, who):
    existing = world.patient(protected=protected, given_name="Hemlig", family_name="Person")
    client = api(world.users[who])
    body = _registration(world, existing.formatted_identity)
    if who == "gp_b":
        del body["enrolment"]  # a vårdcentral lists the patient instead
    attempt = client.post("/api/v1/patients", body, format="json")
    fresh = client.post(
        "/api/v1/patients", {**body, "personal_identity": make_personnummer("19380405")}, format="json"
    )
    assert attempt.status_code == 202, attempt.content
    assert _answer(attempt) == _answer(fresh)
    text = attempt.content.decode()
    for secret in ("Hemlig", "Person", str(existing.public_id), existing.personal_identity, "A kommun"):
        assert secret not in text
    # Nothing about the patient changed: no enrolment in B, no new listing, no second record.
    existing.refresh_from_db()
    assert (existing.given_name, existing.listed_vardcentral) == ("Hemlig", world.orgs["vc_a"])
    assert list(Enrolment.objects.filter(patient=existing).values_list("kommun__name", flat=True)) == [
        "A kommun"
    ]
    assert Patient.objects.filter(personal_identity=existing.personal_identity).count() == 1
    # ...and the registrant still cannot see the patient.
    assert client.get(f"/api/v1/patients/{existing.public_id}").status_code == 404


def test_the_attempt_is_logged_and_flagged_for_the_patients_kommun(world, api):
    existing = world.patient()
    api(world.users["nurse_b"]).post(
        "/api/v1/patients", _registration(world, existing.formatted_identity), format="json"
    )
    entry = AccessLogEntry.objects.get(patient=existing, user=world.users["nurse_b"])
    assert entry.action == Action.CREATE
    assert entry.outcome == Outcome.DENIED
    assert entry.purpose == Purpose.NONE
    assert entry.record_type == "patient_registration"
    assert entry.organisation == world.orgs["kommun_b"]  # the organisation that tried
    assert "B kommun" in entry.reason
    # The registrant's own kommun (B), which reviews its staff's reads, sees it among its flagged entries;
    # the patient's kommun (A) reviews its own staff, not B's.
    flagged = {
        kommun: AccessLogEntry.objects.filter(
            provider_entries_q(provider_scope(world.orgs[kommun])), FLAG_QS["no_care_relationship"]
        )
        for kommun in ("kommun_a", "kommun_b")
    }
    assert entry in flagged["kommun_b"]
    assert entry not in flagged["kommun_a"]


def test_a_registrant_who_may_see_the_patient_is_pointed_to_them(world, api):
    existing = world.patient()
    body = _registration(world, existing.formatted_identity, place="a")
    del body["enrolment"]
    response = api(world.users["gp_a"]).post("/api/v1/patients", body, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["error"]["patient"] == str(existing.public_id)
    entry = AccessLogEntry.objects.get(patient=existing, user=world.users["gp_a"])
    assert (entry.outcome, entry.record_type) == (Outcome.GRANTED, "patient_registration")


@pytest.mark.parametrize(
    "spoil",
    [
        lambda body: body["enrolment"].update(threshold_justification=" "),
        lambda body: body["enrolment"].update(kommun=body["folkbokforing_kommun_a"]),
        lambda body: body.pop("enrolment") and body.pop("listed_vardcentral"),
        lambda body: body.update(given_name=""),
    ],
    ids=["no justification", "another kommun", "outside own care", "no name"],
)
def test_an_invalid_registration_gets_the_same_error_registered_or_not(world, api, spoil):
    existing = world.patient()
    client = api(world.users["nurse_b"])
    answers = []
    for identity in (existing.formatted_identity, make_personnummer("19380405")):
        body = _registration(world, identity)
        body["folkbokforing_kommun_a"] = str(world.orgs["kommun_a"].public_id)
        spoil(body)
        body.pop("folkbokforing_kommun_a")
        response = client.post("/api/v1/patients", body, format="json")
        assert response.status_code in (400, 403), response.content
        answers.append(_answer(response))
    assert answers[0] == answers[1]
    assert Patient.objects.count() == 1
    assert not AccessLogEntry.objects.filter(patient=existing).exists()


def test_a_coordinator_who_sees_the_patient_masked_is_not_pointed_to_them(world, api):
    """Pointing her to the record would tie the personnummer she typed to a patient she sees masked."""
    existing = world.patient(protected=True, given_name="Hemlig", family_name="Person")
    client = api(world.users["coordinator_a"])
    body = _registration(world, existing.formatted_identity, place="a")
    attempt = client.post("/api/v1/patients", body, format="json")
    fresh = client.post(
        "/api/v1/patients", {**body, "personal_identity": make_personnummer("19380405")}, format="json"
    )
    assert attempt.status_code == 202, attempt.content
    assert _answer(attempt) == _answer(fresh)
    assert str(existing.public_id) not in attempt.content.decode()
    entry = AccessLogEntry.objects.get(patient=existing, user=world.users["coordinator_a"])
    assert (entry.outcome, entry.record_type) == (Outcome.DENIED, "patient_registration")
