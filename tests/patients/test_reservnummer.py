"""Reservnummer: the region's reserve numbers for people without personnummer or samordningsnummer.

They are accepted and checked against the region's format, found by search, labelled "Reservnummer",
exported under their own FHIR identifier system, and never read as a personnummer: no birth date, age or
sex comes from them.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation

from patients.models import Patient
from patients.personnummer import (
    IdentityKind,
    is_reservnummer,
    parse_identity,
    parse_patient_identity,
)
from tests.fixtures.world import make_personnummer

RESERV = "992025123456"


def _new_patient(world, identity, **extra):
    return {
        "personal_identity": identity,
        "given_name": "Okänd",
        "family_name": "Person",
        "folkbokforing_kommun": str(world.orgs["kommun_a"].public_id),
        "listed_vardcentral": str(world.orgs["vc_a"].public_id),
        "enrolment": {
            "kommun": str(world.orgs["kommun_a"].public_id),
            "starts_on": "2026-11-01",
            "threshold_justification": "Kan inte ta sig till vårdcentralen.",
        },
        **extra,
    }


def test_reservnummer_is_not_a_personnummer() -> None:
    identity = parse_patient_identity("9920 2512-3456")

    assert identity.kind is IdentityKind.RESERVNUMMER
    assert identity.digits == RESERV
    assert identity.formatted == RESERV  # never shown as YYYYMMDD-NNNN
    with pytest.raises(ValueError, match="no birth date"):
        _ = identity.birth_date
    # A personnummer stays one, and a reservnummer is never accepted where a personnummer is asked for.
    personnummer = make_personnummer("19380405")
    assert parse_patient_identity(personnummer).kind is IdentityKind.PERSONNUMMER
    with pytest.raises(ValidationError):
        parse_identity(RESERV)
    with translation.override("en"), pytest.raises(ValidationError, match="not a reservnummer"):
        parse_patient_identity(personnummer, kind=IdentityKind.RESERVNUMMER)


def test_a_number_outside_the_regions_format_is_refused_with_the_format() -> None:
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        parse_patient_identity("98202512345", kind=IdentityKind.RESERVNUMMER)
    assert "12 digits starting with 99" in raised.value.messages[0]


@override_settings(
    RESERVNUMMER_PATTERN=r"^[0-9]{8}[A-Z][0-9]{3}$",
    RESERVNUMMER_DESCRIPTION="ÅÅÅÅMMDD, en bokstav, tre siffror",
)
def test_the_region_sets_the_format() -> None:
    assert is_reservnummer("19800101-k123")
    assert parse_patient_identity("19800101-K123").digits == "19800101K123"
    assert not is_reservnummer(RESERV)
    with pytest.raises(ValidationError) as raised:
        parse_patient_identity("19800101-1234", kind=IdentityKind.RESERVNUMMER)
    assert "ÅÅÅÅMMDD, en bokstav, tre siffror" in raised.value.messages[0]


@pytest.mark.django_db
def test_a_patient_with_a_reservnummer_is_registered_found_labelled_and_exported(world, api, client) -> None:
    nurse = api(world.users["nurse_a"])
    response = nurse.post("/api/v1/patients", _new_patient(world, "9920 2512 3456"), format="json")
    assert response.status_code == 202, response.json()
    patient = Patient.objects.get(personal_identity=RESERV)
    assert patient.identity_kind == IdentityKind.RESERVNUMMER

    (found,) = nurse.get("/api/v1/patients", {"search": RESERV}).json()["results"]
    assert found["identity_kind"] == "reservnummer"
    assert found["personal_identity"] == RESERV

    client.force_login(world.users["nurse_a"])
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert f"Reservnummer: {RESERV}" in page
    listing = client.get("/patients/", {"q": RESERV}).content.decode()
    assert RESERV in listing
    assert "Reservnummer" in listing

    exported = nurse.get(f"/api/v1/fhir/Patient/{patient.public_id}").json()
    assert exported["identifier"] == [
        {"use": "temp", "system": "urn:hemsjukvard:reservnummer", "value": RESERV}
    ]
    assert "birthDate" not in exported
    assert "gender" not in exported


@pytest.mark.django_db
def test_a_malformed_reservnummer_is_a_clear_400_and_nothing_is_written(world, api) -> None:
    nurse = api(world.users["nurse_a"])
    response = nurse.post(
        "/api/v1/patients",
        _new_patient(world, "99-12", identity_kind="reservnummer"),
        format="json",
        HTTP_ACCEPT_LANGUAGE="sv",
    )

    assert response.status_code == 400
    assert "reservnummer" in str(response.json()).lower()
    assert not Patient.objects.filter(family_name="Person").exists()
