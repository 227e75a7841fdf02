"""Skyddad identitet is Skatteverket's marking: a care role cannot clear (or set) it with a PATCH; only the
kommun's MAS records a change, with a reason, as its own logged event."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from audit.models import AccessLogEntry, Action
from directory.models import Role
from patients.models import Enrolment, Patient, ProtectedIdentityChange
from tests.fixtures.world import make_personnummer, make_user

pytestmark = pytest.mark.django_db

REASON = "Skatteverkets beslut 2026-11-20: sekretessmarkeringen är upphävd."


@pytest.fixture
def protected(world: Any) -> Patient:
    return world.patient(protected=True, given_name="Hemlig", family_name="Person")


def _url(patient: Patient, suffix: str = "") -> str:
    return f"/api/v1/patients/{patient.public_id}{suffix}"


def _etag(client: Any, patient: Patient) -> str:
    response = client.get(_url(patient))
    assert response.status_code == 200, response.content
    return str(response.headers["ETag"])


@pytest.mark.parametrize("who", ["nurse_a", "rehab_a", "gp_a", "mas_a"])
def test_a_patch_cannot_clear_protected_identity(world, api, protected, who):
    client = api(world.users[who])
    before = AccessLogEntry.objects.filter(action=Action.UPDATE).count()
    response = client.patch(
        _url(protected), {"protected_identity": False}, format="json", HTTP_IF_MATCH=_etag(client, protected)
    )
    assert response.status_code == 400, response.content
    assert "protected_identity" in response.json()["error"]["fields"]
    protected.refresh_from_db()
    assert protected.protected_identity is True
    assert AccessLogEntry.objects.filter(action=Action.UPDATE).count() == before
    assert not ProtectedIdentityChange.objects.exists()


def test_a_patch_cannot_set_it_either(world, api):
    patient = world.patient()
    client = api(world.users["nurse_a"])
    response = client.patch(
        _url(patient), {"protected_identity": True}, format="json", HTTP_IF_MATCH=_etag(client, patient)
    )
    assert response.status_code == 400
    patient.refresh_from_db()
    assert patient.protected_identity is False


def test_the_service_refuses_the_field_too(world, protected):
    from directory.actor import Actor
    from patients import selectors, services

    actor = Actor.for_user(world.users["nurse_a"])
    patient = selectors.patient_get(actor=actor, public_id=protected.public_id)
    with pytest.raises(services.ValidationError):
        services.patient_update(actor=actor, patient=patient, fields={"protected_identity": False})
    protected.refresh_from_db()
    assert protected.protected_identity is True


def test_mas_clears_it_with_a_reason_as_its_own_logged_event(world, api, protected):
    client = api(world.users["mas_a"])
    response = client.post(
        _url(protected, "/protected-identity"),
        {"protected_identity": False, "reason": REASON},
        format="json",
        HTTP_IF_MATCH=_etag(client, protected),
    )
    assert response.status_code == 200, response.content
    assert response.json()["protected_identity"] is False
    protected.refresh_from_db()
    assert protected.protected_identity is False
    change = ProtectedIdentityChange.objects.get(patient=protected)
    assert (
        change.protected_identity,
        change.reason,
        change.changed_by,
        change.role,
        change.organisation,
    ) == (
        False,
        REASON,
        world.users["mas_a"],
        Role.MAS,
        world.orgs["kommun_a"],
    )
    entry = AccessLogEntry.objects.get(patient=protected, action=Action.UPDATE)
    assert entry.record_type == "protected_identity"
    assert entry.record_id == str(change.public_id)
    assert entry.reason == REASON
    assert (entry.user, entry.role, entry.organisation) == (
        world.users["mas_a"],
        Role.MAS,
        world.orgs["kommun_a"],
    )
    # and a coordinator now sees the identity, since it is no longer protected
    assert api(world.users["coordinator_a"]).get(_url(protected)).json()["family_name"] == "Person"


def test_mas_marks_a_patient_and_the_identity_is_masked_at_once(world, api):
    patient = world.patient(given_name="Ny", family_name="Markering")
    client = api(world.users["mas_a"])
    response = client.post(
        _url(patient, "/protected-identity"),
        {"protected_identity": True, "reason": "Skatteverkets beslut om sekretessmarkering."},
        format="json",
        HTTP_IF_MATCH=_etag(client, patient),
    )
    assert response.status_code == 200, response.content
    assert "Markering" not in api(world.users["coordinator_a"]).get(_url(patient)).content.decode()


@pytest.mark.parametrize("reason", ["", "   "])
def test_the_reason_is_required(world, api, protected, reason):
    client = api(world.users["mas_a"])
    response = client.post(
        _url(protected, "/protected-identity"),
        {"protected_identity": False, "reason": reason},
        format="json",
        HTTP_IF_MATCH=_etag(client, protected),
    )
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    protected.refresh_from_db()
    assert protected.protected_identity is True
    assert not ProtectedIdentityChange.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("nurse_a", 403),
        ("rehab_a", 403),
        ("mar_a", 403),
        ("coordinator_a", 403),
        ("gp_a", 403),
        ("nurse_b", 404),
        ("mas_b", 404),
        ("admin", 404),
    ],
)
def test_no_other_role_changes_it(world, api, protected, who, status):
    client = api(world.users[who])
    response = client.post(
        _url(protected, "/protected-identity"),
        {"protected_identity": False, "reason": REASON},
        format="json",
        HTTP_IF_MATCH='"any"',
    )
    assert response.status_code == status, response.content
    protected.refresh_from_db()
    assert protected.protected_identity is True
    assert not ProtectedIdentityChange.objects.exists()


def test_the_mas_of_the_kommun_of_folkbokforing_may_change_it_after_the_care_there_ended(world, api):
    patient = world.patient(protected=True, kommun="kommun_b", vardcentral="vc_b", enrolled=False)
    Enrolment.objects.create(
        patient=patient,
        kommun=world.orgs["kommun_b"],
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
        threshold_justification="Kan inte ta sig till vårdcentralen.",
        enrolled_by=world.users["nurse_b"],
    )
    client = api(world.users["mas_b"])
    response = client.post(
        _url(patient, "/protected-identity"),
        {"protected_identity": False, "reason": REASON},
        format="json",
        HTTP_IF_MATCH=_etag(client, patient),
    )
    assert response.status_code == 200, response.content


def test_it_needs_if_match(world, api, protected):
    response = api(world.users["mas_a"]).post(
        _url(protected, "/protected-identity"), {"protected_identity": False, "reason": REASON}, format="json"
    )
    assert response.status_code == 428
    stale = api(world.users["mas_a"]).post(
        _url(protected, "/protected-identity"),
        {"protected_identity": False, "reason": REASON},
        format="json",
        HTTP_IF_MATCH='"0000000000000000"',
    )
    assert stale.status_code == 412
    protected.refresh_from_db()
    assert protected.protected_identity is True


def test_registering_with_protected_identity_records_the_marking(world, api):
    nurse = api(world.users["nurse_a"])
    identity = make_personnummer("19380405")
    response = nurse.post(
        "/api/v1/patients",
        {
            "personal_identity": identity,
            "given_name": "Skyddad",
            "family_name": "Från Start",
            "folkbokforing_kommun": str(world.orgs["kommun_a"].public_id),
            "protected_identity": True,
            "enrolment": {
                "kommun": str(world.orgs["kommun_a"].public_id),
                "starts_on": "2026-11-01",
                "threshold_justification": "Kan inte ta sig till vårdcentralen.",
            },
        },
        format="json",
    )
    assert response.status_code == 202, response.content
    patient = Patient.objects.get(personal_identity=identity.replace("-", ""))
    assert patient.protected_identity is True
    change = ProtectedIdentityChange.objects.get(patient=patient)
    assert (change.changed_by, change.protected_identity) == (world.users["nurse_a"], True)


def test_a_vardcentral_coordinator_cannot_change_it(world, api, protected):
    coordinator = make_user("coordinator.vc_a", (world.orgs["vc_a"], Role.COORDINATOR))
    response = api(coordinator).post(
        _url(protected, "/protected-identity"),
        {"protected_identity": False, "reason": REASON},
        format="json",
        HTTP_IF_MATCH='"any"',
    )
    assert response.status_code == 403
    protected.refresh_from_db()
    assert protected.protected_identity is True
