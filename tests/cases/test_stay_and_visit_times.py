"""A case records where the person stays and when each task's visits are planned; the proposal made at
submit uses both and says so, and the API and the new-case form accept them."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse

from agreements.choices import PartyRef, TimeBand
from agreements.models import CareTaskType, ResponsibilityRule
from cases.models import CaseTask, Notification, NotificationKind, ResponsibilityCase
from tests.fixtures.agreements import WOUND, Halland
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db


def _open(api: Any, world: World, patient: Any, **extra: Any) -> Any:
    return api(world.users["nurse_a"]).post(
        "/api/v1/cases",
        {
            "patient": str(patient.public_id),
            "trigger": "changed_needs",
            "background": "Sårvård under sommarvistelsen.",
            "tasks": [WOUND],
            **extra,
        },
        format="json",
    )


def _submit(api: Any, world: World, opened: Any) -> dict[str, Any]:
    response = api(world.users["nurse_a"]).post(
        f"/api/v1/cases/{opened.json()['id']}/submit", {}, format="json", HTTP_IF_MATCH=opened["ETag"]
    )
    assert response.status_code == 200, response.content
    result: dict[str, Any] = response.json()
    return result


def test_kommun_of_stay_decides_the_kommunal_part_of_a_submitted_case(
    world: World, halland: Halland, api: Any
) -> None:
    patient = world.patient()
    stay = world.orgs["kommun_b"]
    opened = _open(
        api,
        world,
        patient,
        stay_kommun=str(stay.public_id),
        stay_from="2026-06-15",
        stay_to="2099-08-15",
        stay_note="Sommarhus",
    )
    assert opened.status_code == 201, opened.content
    body = opened.json()
    assert body["stay_kommun"]["id"] == str(stay.public_id)
    assert (body["stay_from"], body["stay_to"], body["stay_note"]) == (
        "2026-06-15",
        "2099-08-15",
        "Sommarhus",
    )
    assert body["kommun"]["id"] == str(world.orgs["kommun_a"].public_id)  # the case stays the home kommun's

    submitted = _submit(api, world, opened)
    (task,) = submitted["tasks"]
    proposal = task["proposal"]
    assert proposal["performs"]["organisation"]["name"] == stay.name
    assert any(stay.name in note and "HSL 12 kap. 2 §" in note for note in proposal["notes"])


def test_the_kommun_of_stay_is_a_party_that_sees_the_case_is_asked_and_answers_for_its_part(
    world: World, halland: Halland, api: Any
) -> None:
    patient = world.patient()
    stay = world.orgs["kommun_b"]
    opened = _open(api, world, patient, stay_kommun=str(stay.public_id), stay_to="2099-08-15")
    case_id = _submit(api, world, opened)["id"]

    # Its nurses are told, find the case in their list and may read it; its MAS reaches the patient.
    assert Notification.objects.filter(
        user=world.users["nurse_b"], case__public_id=case_id, kind=NotificationKind.REVIEW_REQUESTED
    ).exists()
    from cases.selectors.worklist import cases_waiting
    from tests.fixtures.world import as_actor

    waiting = cases_waiting(actor=as_actor(world, "nurse_b"))
    assert waiting.filter(public_id=case_id).exists()  # it waits for her until her kommun has answered
    staying = api(world.users["nurse_b"])
    assert case_id in [c["id"] for c in staying.get("/api/v1/cases").json()["results"]]
    read = staying.get(f"/api/v1/cases/{case_id}")
    assert read.status_code == 200
    assert api(world.users["mas_b"]).get(f"/api/v1/patients/{patient.public_id}").status_code == 200
    page = signed_in(world.users["nurse_b"]).get(f"/cases/{case_id}/").content.decode()
    assert "Den kommunen är part i ärendet" in page.split('class="stay"')[1]
    # An organisation the case does not name still gets 404.
    assert api(world.users["gp_b"]).get(f"/api/v1/cases/{case_id}").status_code == 404

    # The home kommun cannot accept in the kommun of stay's place; the kommun of stay can.
    home = api(world.users["nurse_a"]).post(
        f"/api/v1/cases/{case_id}/accept", {}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert home.status_code in (403, 409), home.content
    accepted = staying.post(f"/api/v1/cases/{case_id}/accept", {}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert accepted.status_code == 200, accepted.content
    (task,) = accepted.json()["tasks"]
    answers = {r["organisation"]["id"]: r["answer"] for r in task["reviews"]}
    assert answers[str(stay.public_id)] == "accepted"
    assert str(world.orgs["kommun_a"].public_id) not in answers
    assert not cases_waiting(actor=as_actor(world, "nurse_b")).filter(public_id=case_id).exists()


def test_a_stay_that_has_ended_is_not_used(world: World, halland: Halland, api: Any) -> None:
    patient = world.patient()
    opened = _open(
        api, world, patient, stay_kommun=str(world.orgs["kommun_b"].public_id), stay_to="2020-08-15"
    )
    (task,) = _submit(api, world, opened)["tasks"]

    assert task["proposal"]["performs"]["organisation"]["name"] == world.orgs["kommun_a"].name
    assert task["proposal"]["notes"] == []


def test_bad_stay_and_visit_times_are_clear_400s_and_nothing_is_written(
    world: World, halland: Halland, api: Any
) -> None:
    patient = world.patient()
    before = ResponsibilityCase.objects.count()
    not_a_kommun = _open(api, world, patient, stay_kommun=str(world.orgs["vc_a"].public_id))
    backwards = _open(
        api,
        world,
        patient,
        stay_kommun=str(world.orgs["kommun_b"].public_id),
        stay_from="2026-08-01",
        stay_to="2026-07-01",
    )
    unknown_band = _open(api, world, patient, visit_bands=[{"task": WOUND, "bands": ["midnight"]}])
    other_task = _open(api, world, patient, visit_bands=[{"task": "peritoneal-dialysis", "bands": ["night"]}])

    assert not_a_kommun.status_code == 400
    assert "stay_kommun" in not_a_kommun.json()["error"]["fields"]
    assert backwards.status_code == 400
    assert "stay_to" in backwards.json()["error"]["fields"]
    assert unknown_band.status_code == 400
    assert "visit_bands" in unknown_band.json()["error"]["fields"]
    assert other_task.status_code == 400
    assert "visit_bands" in other_task.json()["error"]["fields"]
    assert ResponsibilityCase.objects.count() == before


def test_visit_times_choose_the_night_rule(world: World, halland: Halland, api: Any) -> None:
    wound = CareTaskType.objects.get(code=WOUND)
    day_rule = ResponsibilityRule.objects.get(version=halland.version, task_type=wound)
    night = ResponsibilityRule.objects.create(
        version=halland.version,
        task_type=wound,
        section=day_rule.section,
        time_bands=TimeBand.NIGHT,
        orders_party=PartyRef.LISTED_VARDCENTRAL,
        performs_party=PartyRef.LISTED_VARDCENTRAL,
        follows_up_party=PartyRef.LISTED_VARDCENTRAL,
    )
    night.full_clean()
    patient = world.patient()
    opened = _open(api, world, patient, visit_bands=[{"task": WOUND, "bands": ["night"]}])
    assert opened.status_code == 201, opened.content
    assert opened.json()["tasks"][0]["visit_bands"] == ["night"]

    (task,) = _submit(api, world, opened)["tasks"]
    assert task["proposal"]["time_bands"] == ["night"]
    assert task["proposal"]["rule"] == str(night.public_id)
    assert task["proposal"]["performs"]["organisation"]["name"] == world.orgs["vc_a"].name


def test_the_new_case_form_takes_the_stay_and_the_visit_times(world: World, halland: Halland) -> None:
    patient = world.patient()
    client = signed_in(world.users["nurse_a"])
    page = client.get(reverse("cases:new", args=[patient.public_id])).content.decode()
    assert 'name="stay_kommun"' in page
    assert f'name="bands-{WOUND}"' in page

    response = client.post(
        reverse("cases:new", args=[patient.public_id]),
        {
            "trigger": "changed_needs",
            "urgency": "routine",
            "tasks": [WOUND],
            f"bands-{WOUND}": ["evening", "night"],
            "background": "Sårvård kväll och natt.",
            "shift_planning": "unknown",
            "stay_kommun": str(world.orgs["kommun_b"].public_id),
            "save": "1",
            "form_token": uuid.uuid4().hex,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = ResponsibilityCase.objects.get(patient=patient)
    assert case.stay_kommun == world.orgs["kommun_b"]
    assert CaseTask.objects.get(case=case).visit_band_list == ["evening", "night"]
