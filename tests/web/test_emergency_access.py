"""Emergency access (nödåtkomst) through the pages: offered from a search, reason and confirmation
required, logged as emergency access and flagged for the MAS/MAR review, and revealing nothing more than
the API's emergency access does."""

from __future__ import annotations

import re

import pytest

from audit.models import AccessLogEntry, Outcome, Purpose
from directory.models import Organisation, OrganisationKind, Role
from tests.fixtures.clients import signed_in
from tests.fixtures.world import make_personnummer, make_user

pytestmark = pytest.mark.django_db

URL = "/patients/emergency-access/"


def emergency(
    client, patient_or_number, reason="Akut hembesök under jouren; ordinarie team nås inte.", **extra
):
    number = getattr(patient_or_number, "formatted_identity", patient_or_number)
    return client.post(URL, {"personal_identity": number, "reason": reason, "confirm": "on", **extra})


def emergency_rows(**filters):
    return AccessLogEntry.objects.filter(purpose=Purpose.EMERGENCY_ACCESS, **filters)


def test_search_outside_access_offers_emergency_access_and_reveals_nothing(world):
    patient = world.patient(given_name="Greta", family_name="Nilsson")
    client = signed_in(world.users["gp_b"])
    page = client.get("/patients/", {"q": patient.formatted_identity}).content.decode()
    assert 'id="emergency-heading"' in page
    assert "Greta" not in page
    assert "Nilsson" not in page
    assert not AccessLogEntry.objects.filter(patient=patient).exists()
    # A personnummer no one has gets the very same offer: the offer says nothing about the register.
    nobody = make_personnummer("19300101")
    other = client.get("/patients/", {"q": f"{nobody[:8]}-{nobody[8:]}"}).content.decode()
    assert 'id="emergency-heading"' in other
    assert _offer(page, patient.formatted_identity) == _offer(other, f"{nobody[:8]}-{nobody[8:]}")


def _offer(html: str, number: str) -> str:
    """The emergency offer of a search page, with the number searched and the CSRF token left out."""
    offer = html.split('id="emergency-heading"')[1].replace(number, "N")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", offer)


def test_no_offer_for_a_name_search_or_when_the_patient_is_ones_own(world):
    patient = world.patient(given_name="Greta")
    assert (
        'id="emergency-heading"'
        not in signed_in(world.users["gp_b"]).get("/patients/?q=Greta").content.decode()
    )
    own = (
        signed_in(world.users["nurse_a"])
        .get("/patients/", {"q": patient.formatted_identity})
        .content.decode()
    )
    assert 'id="emergency-heading"' not in own
    assert "Greta" in own


@pytest.mark.parametrize("who", ["coordinator_b", "admin", "governance", "nobody"])
def test_roles_the_api_does_not_allow_get_403_and_no_offer(world, who):
    patient = world.patient()
    client = signed_in(world.users[who])
    assert client.get(URL).status_code == 403
    assert emergency(client, patient).status_code == 403
    assert (
        'id="emergency-heading"'
        not in client.get("/patients/", {"q": patient.formatted_identity}).content.decode()
    )
    assert not emergency_rows().exists()
    assert not AccessLogEntry.objects.filter(patient=patient).exists()


def test_reason_and_confirmation_are_required_with_swedish_messages(world):
    patient = world.patient(given_name="Greta")
    client = signed_in(world.users["gp_b"])
    response = emergency(client, patient, reason="   ")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ange varför du behöver nödåtkomst till den här patienten." in page
    assert 'id="id_reason-error"' in page
    response = client.post(URL, {"personal_identity": patient.formatted_identity, "reason": "Jour"})
    assert response.status_code == 400
    assert "Bekräfta att du behöver nödåtkomst." in response.content.decode()
    assert "Greta" not in response.content.decode()
    assert not AccessLogEntry.objects.filter(patient=patient).exists()


def test_a_malformed_personnummer_is_explained(world):
    response = emergency(signed_in(world.users["gp_b"]), "19400312-0000")
    assert response.status_code == 400
    assert 'id="id_personal_identity-error"' in response.content.decode()
    assert not AccessLogEntry.objects.exists()


def test_emergency_access_shows_the_patient_and_is_logged_and_flagged(world):
    patient = world.patient(given_name="Greta", family_name="Nilsson")
    response = emergency(signed_in(world.users["gp_b"]), patient, reason="Akut hembesök, jouren.")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Greta Nilsson" in page
    assert patient.formatted_identity in page
    assert 'id="emergency-notice"' in page
    assert "no-store" in response["Cache-Control"]
    entry = emergency_rows().get()
    assert entry.patient == patient
    assert entry.user == world.users["gp_b"]
    assert (entry.outcome, entry.reason) == (Outcome.GRANTED, "Akut hembesök, jouren.")
    assert (entry.organisation, entry.role) == (world.orgs["vc_b"], Role.GP)
    # The region, whose vårdcentral's GP read, sees it flagged in its review of its own staff's reads;
    # the patient's kommun reviews its own staff, not the region's.
    reviewer = make_user("log_reviewer.region", (world.orgs["region"], Role.LOG_REVIEWER))
    review = signed_in(reviewer).get("/access-log/", {"flag": "emergency_access"})
    assert entry.pk in {row["entry"].pk for row in review.context["rows"]}
    kommun = signed_in(world.users["mas_a"]).get("/access-log/", {"flag": "emergency_access"})
    assert entry.pk not in {row["entry"].pk for row in kommun.context["rows"]}
    # It opened the patient's details for this response only: the patient page stays closed.
    assert signed_in(world.users["gp_b"]).get(f"/patients/{patient.public_id}/").status_code == 404


def test_protected_identity_is_never_found_by_personnummer(world):
    patient = world.patient(given_name="Greta", protected=True)
    response = emergency(signed_in(world.users["gp_b"]), patient)
    # Found by personnummer it would tie the number to the record: the same 404 as no patient at all.
    assert response.status_code == 404
    assert "Greta" not in response.content.decode()
    assert not emergency_rows().exists()
    denied = AccessLogEntry.objects.get(user=world.users["gp_b"])
    assert (denied.outcome, denied.patient_id, denied.reason) == (
        Outcome.DENIED,
        patient.pk,
        "Akut hembesök under jouren; ordinarie team nås inte.",
    )


def test_unknown_personnummer_and_other_region_are_the_same_404_and_logged(world):
    region = Organisation.objects.create(name="Region Annan", kind=OrganisationKind.REGION)
    kommun = Organisation.objects.create(name="C kommun", kind=OrganisationKind.KOMMUN, region=region)
    far_nurse = make_user("nurse.c", (kommun, Role.NURSE))
    patient = world.patient(given_name="Greta")
    far = emergency(signed_in(far_nurse), patient)
    nobody = make_personnummer("19300101")
    unknown = emergency(signed_in(world.users["gp_b"]), f"{nobody[:8]}-{nobody[8:]}")
    assert far.status_code == unknown.status_code == 404
    assert 'id="emergency-not-found"' in far.content.decode()
    assert 'id="emergency-not-found"' in unknown.content.decode()
    assert "Greta" not in far.content.decode()
    assert not emergency_rows().exists()
    far_row = AccessLogEntry.objects.get(user=far_nurse)
    assert (far_row.outcome, far_row.patient_id) == (Outcome.DENIED, patient.pk)
    unknown_row = AccessLogEntry.objects.get(user=world.users["gp_b"])
    assert (unknown_row.outcome, unknown_row.patient_id, unknown_row.purpose) == (
        Outcome.DENIED,
        None,
        Purpose.NONE,
    )


def test_someone_with_a_care_relationship_needs_no_emergency(world):
    patient = world.patient()
    response = emergency(signed_in(world.users["nurse_a"]), patient)
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.public_id}/"
    assert not emergency_rows().exists()
