"""Skyddad identitet: who sees name, address and personnummer, and that nobody else does."""

from __future__ import annotations

import pytest

from patients.api.serializers import MASK, MASKED_IDENTITY

pytestmark = pytest.mark.django_db


@pytest.fixture
def protected(world):
    return world.patient(protected=True, given_name="Hemlig", family_name="Person")


@pytest.mark.parametrize("who", ["nurse_a", "rehab_a", "mas_a", "mar_a", "gp_a"])
def test_enrolling_kommuns_nursing_staff_and_listed_vardcentral_see_identity(world, api, protected, who):
    body = api(world.users[who]).get(f"/api/v1/patients/{protected.public_id}").json()
    assert body["family_name"] == "Person"
    assert body["personal_identity"] == protected.formatted_identity
    assert body["identity_masked"] is False


def test_coordinator_of_the_kommun_sees_the_patient_masked_in_detail(world, api, protected):
    body = api(world.users["coordinator_a"]).get(f"/api/v1/patients/{protected.public_id}").json()
    assert body["identity_masked"] is True
    assert body["personal_identity"] == MASKED_IDENTITY
    assert body["given_name"] == body["family_name"] == body["street_address"] == MASK
    assert "Hemlig" not in str(body)
    assert protected.personal_identity not in str(body)


def test_masked_in_list(world, api, protected):
    body = api(world.users["coordinator_a"]).get("/api/v1/patients").json()
    (row,) = [r for r in body["results"] if r["id"] == str(protected.public_id)]
    assert row["family_name"] == MASK
    assert row["personal_identity"] == MASKED_IDENTITY


def test_masked_patient_cannot_be_found_by_name_or_number(world, api, protected):
    client = api(world.users["coordinator_a"])
    assert client.get("/api/v1/patients", {"search": "Hemlig"}).json()["results"] == []
    assert client.get("/api/v1/patients", {"search": protected.personal_identity}).json()["results"] == []
    nurse = api(world.users["nurse_a"])
    assert len(nurse.get("/api/v1/patients", {"search": "Hemlig"}).json()["results"]) == 1
