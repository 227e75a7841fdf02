"""Skyddad identitet: who sees name, address and personnummer, and that nobody else does."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from access.patients import identity_visible, identity_visible_q, patient_facts
from directory.actor import Actor
from directory.models import Role
from integrations import services
from integrations.models import ClientAccess
from patients.api.serializers import MASK, MASKED_IDENTITY
from patients.models import Patient
from tests.fixtures.world import make_user

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


# --- Masked rows leave no trace in the order of a list ------------------------------------------------


def _masked_world(world):
    """For kommun A's coordinator: two patients she may identify, three she sees masked."""
    visible = [
        world.patient(given_name="Bo", family_name="Berg"),
        world.patient(given_name="Cilla", family_name="Ceder"),
    ]
    masked = [
        world.patient(protected=True, given_name="Ada", family_name="Aaberg"),
        world.patient(protected=True, given_name="Östen", family_name="Öberg"),
        world.patient(protected=True, given_name="Mona", family_name="Mattsson"),
    ]
    return visible, masked


def test_masked_rows_sort_after_the_others_and_not_by_their_real_name(world, api):
    visible, masked = _masked_world(world)
    rows = api(world.users["coordinator_a"]).get("/api/v1/patients").json()["results"]
    ids = [row["id"] for row in rows]
    # The visible ones by name, then the masked ones by their random id: no order from "Aaberg" etc.
    assert ids == [str(p.public_id) for p in visible] + sorted(str(p.public_id) for p in masked)
    assert all(row["family_name"] == MASK for row in rows[2:])


def test_masked_rows_keep_their_place_across_pages(world, api):
    visible, masked = _masked_world(world)
    client = api(world.users["coordinator_a"])
    pages = [
        client.get("/api/v1/patients", {"page_size": 2, "page": page}).json()["results"] for page in (1, 2, 3)
    ]
    ids = [row["id"] for page in pages for row in page]
    assert ids == [str(p.public_id) for p in visible] + sorted(str(p.public_id) for p in masked)


def test_who_may_identify_still_gets_everyone_by_name(world, api):
    _masked_world(world)
    rows = api(world.users["nurse_a"]).get("/api/v1/patients").json()["results"]
    assert [row["family_name"] for row in rows] == ["Aaberg", "Berg", "Ceder", "Mattsson", "Öberg"]


def test_list_page_orders_masked_rows_last(world, client):
    visible, masked = _masked_world(world)
    client.force_login(world.users["coordinator_a"])
    page = client.get("/patients/").content.decode()
    positions = [page.index(str(p.public_id)) for p in visible]
    masked_positions = sorted(page.index(str(p.public_id)) for p in masked)
    assert max(positions) < min(masked_positions)
    assert masked_positions == [page.index(pid) for pid in sorted(str(p.public_id) for p in masked)]


# --- Who sees a protected identity: the care staff treating the person, never a coordinator ----------


@pytest.mark.parametrize("who", ["coordinator_a", "nurse_b", "mas_b", "gp_b", "specialist"])
def test_no_one_but_the_treating_staff_sees_the_identity(world, api, protected, who):
    response = api(world.users[who]).get(f"/api/v1/patients/{protected.public_id}")
    assert response.status_code in (200, 404)
    assert "Hemlig" not in response.content.decode()


def test_vardcentral_coordinator_sees_the_patient_but_not_the_identity(world, api, protected):
    coordinator = make_user("coordinator.vc_a", (world.orgs["vc_a"], Role.COORDINATOR))
    response = api(coordinator).get(f"/api/v1/patients/{protected.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["identity_masked"] is True
    assert "Hemlig" not in response.content.decode()
    assert protected.personal_identity not in response.content.decode()
    assert api(coordinator).get("/api/v1/patients", {"search": "Hemlig"}).json()["results"] == []


def test_identity_filter_and_pure_rule_agree(world):
    coordinator = make_user("coordinator.vc_a", (world.orgs["vc_a"], Role.COORDINATOR))
    patients = [
        world.patient(protected=True),
        world.patient(protected=True, enrolled=False),
        world.patient(protected=True, kommun="kommun_b", vardcentral="vc_a", enrolled=False),
        world.patient(protected=True, kommun="kommun_b", vardcentral="vc_b"),
        world.patient(),
    ]
    for user in [*world.users.values(), coordinator]:
        actor = Actor.for_user(user)
        shown = set(
            Patient.objects.filter(pk__in=[p.pk for p in patients])
            .filter(identity_visible_q(actor))
            .values_list("pk", flat=True)
        )
        for patient in patients:
            rule = identity_visible(
                actor, patient_facts(patient), protected_identity=patient.protected_identity
            )
            assert rule == (patient.pk in shown), (user.username, patient.pk)


def _api_client(world, access):
    issued = services.api_client_create(
        name=f"Vårdcentralens system ({access})",
        organisation=world.orgs["vc_a"],
        scope=[world.orgs["vc_a"], world.orgs["kommun_a"]],
        access=access,
    )
    response = APIClient().post(
        "/api/v1/oauth/token",
        urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": issued.client.client_id,
                "client_secret": issued.secret,
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return client


@pytest.mark.parametrize("access", [ClientAccess.READ, ClientAccess.READ_WRITE])
def test_api_client_on_its_own_account_never_sees_the_identity(world, protected, access):
    client = _api_client(world, access)
    detail = client.get(f"/api/v1/patients/{protected.public_id}")
    assert detail.status_code == 200, detail.content
    assert detail.json()["identity_masked"] is True
    listing = client.get("/api/v1/patients")
    assert listing.status_code == 200
    for response in (detail, listing):
        assert "Hemlig" not in response.content.decode()
        assert protected.personal_identity not in response.content.decode()
        assert protected.formatted_identity not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "sees_identity"),
    [("gp_a", True), ("nurse_a", True), ("coordinator_a", False)],
)
def test_api_client_on_behalf_of_a_person_sees_what_that_person_sees(world, protected, who, sees_identity):
    person = world.users[who]
    person.hsa_id = f"SE2321000115-E0000000{who[:4].upper()}"
    person.save(update_fields=["hsa_id"])
    client = _api_client(world, ClientAccess.READ_WRITE)
    response = client.get(f"/api/v1/patients/{protected.public_id}", HTTP_X_ON_BEHALF_OF=person.hsa_id)
    assert response.status_code == 200, response.content
    assert response.json()["identity_masked"] is not sees_identity
    assert ("Hemlig" in response.content.decode()) is sees_identity
