"""A case for a patient who is not (yet) enrolled: enrolment can be the outcome of the case.

"En vård- och omsorgsplanering ska alltid genomföras inför beslut om inskrivning" (Region Halland). Where
the agreement allows it (``cases_before_enrolment``), the patient's listed vårdcentral opens the draft;
the kommun's nurses are told, see the patient through the case, complete it and submit it, and the
agreement's tröskelprincipen proposes the split.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from agreements.models import AgreementVersion
from cases.models import CaseStatus, Notification, NotificationKind, ResponsibilityCase
from tests.fixtures.agreements import PD, Halland
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def allowed(halland: Halland) -> AgreementVersion:
    AgreementVersion.objects.filter(pk=halland.version.pk).update(cases_before_enrolment=True)
    halland.version.refresh_from_db()
    return halland.version


def _open(api: Any, user: Any, patient: Any, world: World) -> Any:
    return api(user).post(
        "/api/v1/cases",
        {
            "patient": str(patient.public_id),
            "trigger": "new_enrolment",
            "background": "Kan inte ta sig till vårdcentralen; planering inför beslut om inskrivning.",
            "specialist_clinic": str(world.orgs["clinic"].public_id),
            "tasks": [PD],
        },
        format="json",
    )


def test_the_listed_vardcentral_opens_a_case_for_a_patient_not_yet_enrolled(
    world: World, allowed: AgreementVersion, api: Any
) -> None:
    u, o = world.users, world.orgs
    patient = world.patient(enrolled=False)
    # The kommun's nurse cannot reach the patient yet: there is no care relationship.
    assert api(u["nurse_a"]).get(f"/api/v1/patients/{patient.public_id}").status_code == 404

    response = _open(api, u["gp_a"], patient, world)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft"
    assert body["opened_by_organisation"]["id"] == str(o["vc_a"].public_id)
    assert (body["owner_organisation"]["id"], body["owner_role"]) == (str(o["kommun_a"].public_id), "nurse")
    assert "submit" not in body["allowed_actions"]

    # The kommun's nurses and therapists are told, and now see the patient and the case through it.
    case = ResponsibilityCase.objects.get(public_id=body["id"])
    told = Notification.objects.filter(case=case, kind=NotificationKind.CASE_REFERRED)
    assert set(told.values_list("user__username", flat=True)) == {"nurse.a", "rehab.a"}
    assert api(u["nurse_a"]).get(f"/api/v1/patients/{patient.public_id}").status_code == 200
    read = api(u["nurse_a"]).get(f"/api/v1/cases/{case.public_id}")
    assert read.status_code == 200
    assert "submit" in read.json()["allowed_actions"]

    # The nurse submits; tröskelprincipen hands the kommun's part to the region, njurmedicin orders.
    submitted = api(u["nurse_a"]).post(
        f"/api/v1/cases/{case.public_id}/submit", {}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert submitted.status_code == 200, submitted.content
    [task] = submitted.json()["tasks"]
    assert task["proposal"]["basis"] == "threshold_principle"
    assert task["proposal"]["orders"]["organisation"]["id"] == str(o["clinic"].public_id)
    assert task["proposal"]["performs"]["organisation"]["id"] == str(o["vc_a"].public_id)
    assert submitted.json()["status"] == CaseStatus.IN_REVIEW


def test_without_the_agreements_leave_the_vardcentral_cannot_open_a_case(
    world: World, halland: Halland, api: Any
) -> None:
    patient = world.patient(enrolled=False)
    response = _open(api, world.users["gp_a"], patient, world)
    assert response.status_code == 403, response.content
    assert not ResponsibilityCase.objects.filter(patient=patient).exists()


def test_an_enrolled_patients_case_is_the_kommuns_to_open(
    world: World, allowed: AgreementVersion, api: Any
) -> None:
    patient = world.patient()
    assert _open(api, world.users["gp_a"], patient, world).status_code == 403
    assert _open(api, world.users["nurse_a"], patient, world).status_code == 201


def test_another_vardcentral_cannot_open_one(world: World, allowed: AgreementVersion, api: Any) -> None:
    patient = world.patient(enrolled=False)
    # The physician of another vårdcentral does not even see the patient.
    assert _open(api, world.users["gp_b"], patient, world).status_code == 404


def test_the_vardcentral_opens_it_from_the_patient_page(world: World, allowed: AgreementVersion) -> None:
    patient = world.patient(enrolled=False)
    client = signed_in(world.users["gp_a"])
    detail = client.get(reverse("patients:detail", args=[patient.public_id])).content.decode()
    assert reverse("cases:new", args=[patient.public_id]) in detail
    new = client.get(reverse("cases:new", args=[patient.public_id])).content.decode()
    assert "Spara och skicka till kommunen" in new
    assert 'name="submit"' not in new

    response = client.post(
        reverse("cases:new", args=[patient.public_id]),
        {
            "trigger": "new_enrolment",
            "urgency": "routine",
            "shift_planning": "unknown",
            "specialist_clinic": str(world.orgs["clinic"].public_id),
            "tasks": [PD],
            "save": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case = ResponsibilityCase.objects.get(patient=patient)
    assert (case.status, case.opened_by_organisation) == (CaseStatus.DRAFT, world.orgs["vc_a"])


def test_without_the_agreements_leave_the_patient_page_offers_no_case(world: World, halland: Halland) -> None:
    patient = world.patient(enrolled=False)
    detail = signed_in(world.users["gp_a"]).get(reverse("patients:detail", args=[patient.public_id]))
    assert reverse("cases:new", args=[patient.public_id]) not in detail.content.decode()
