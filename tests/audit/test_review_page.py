"""What the access-log review page tells its reviewer: the patient filter (by identity number or id,
never all entries under an error, never a patient outside the provider's log), the reviews' notes, and
the weekly sample."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from audit import sampling
from audit.models import AccessLogEntry
from directory.actor import Actor
from patients.selectors import patient_get
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db


def read(world, key, patient):
    patient_get(actor=Actor.for_user(world.users[key]), public_id=patient.public_id)
    return AccessLogEntry.objects.latest("pk")


@pytest.fixture
def reads(world):
    ove = world.patient(kommun="kommun_a", given_name="Ove", family_name="Holm")
    other = world.patient(kommun="kommun_a")
    protected = world.patient(kommun="kommun_a", protected=True, given_name="Hemlig", family_name="Person")
    outside = world.patient(kommun="kommun_b", vardcentral="vc_b")
    entries = {
        "ove": read(world, "nurse_a", ove),
        "other": read(world, "nurse_a", other),
        "protected": read(world, "nurse_a", protected),
        "outside": read(world, "nurse_b", outside),  # kommun B's staff: not kommun A's log
    }
    return {"ove": ove, "other": other, "protected": protected, "outside": outside}, entries


def shown(response) -> set[int]:
    return {row["entry"].pk for row in response.context["rows"]}


def formatted(patient) -> str:
    digits = patient.personal_identity
    return f"{digits[:8]}-{digits[8:]}"


def test_the_patient_filter_takes_the_personnummer_and_the_ids_the_page_shows(world, reads):
    patients, entries = reads
    client = signed_in(world.users["mas_a"])
    ove = patients["ove"]
    for value in (formatted(ove), ove.personal_identity, ove.personal_identity[2:], str(ove.public_id)):
        response = client.get("/access-log/", {"patient": value})
        assert response.context["error"] == "", value
        assert entries["ove"].pk in shown(response), value
        # Ove's entries alone: the nurse's read and the review's own listings of him since.
        assert {row["entry"].patient_id for row in response.context["rows"]} == {ove.pk}, value
    short = str(ove.public_id)[:8]
    response = client.get("/access-log/", {"patient": short.upper()})
    assert {row["entry"].patient_id for row in response.context["rows"]} == {ove.pk}
    page = response.content.decode()
    # The patient's name in a row filters by that patient; the typed value stays in the field.
    assert f"patient={ove.public_id}" in page
    assert f'value="{short.upper()}"' in page


@pytest.mark.parametrize("value", ["19121212-1213", "Ove Holm", "e413d48", "20991301-0000"])
def test_an_invalid_patient_filter_says_why_and_lists_nothing(world, reads, value):
    client = signed_in(world.users["mas_a"])
    response = client.get("/access-log/", {"patient": value})
    assert response.status_code == 200
    assert response.context["error"]
    assert shown(response) == set()
    page = response.content.decode()
    assert 'role="alert"' in page
    assert "Inga poster visas förrän filtret är rättat." in page
    # The export of the same selection holds nothing either: it sends the reviewer back to the page.
    export = client.get("/access-log/export.csv", {"patient": value})
    assert export.status_code == 302
    assert export["Location"].startswith("/access-log/?")


def test_the_filter_errors_in_swedish(world, reads):
    client = signed_in(world.users["mas_a"])
    name = client.get("/access-log/", {"patient": "Ove Holm"}).context["error"]
    assert name.startswith("Ange patientens personnummer, samordningsnummer, reservnummer eller id")
    checksum = client.get("/access-log/", {"patient": "19121212-1213"}).context["error"]
    assert "kontrollsiffra" in checksum.lower()


def test_the_filter_finds_no_patient_outside_the_providers_log(world, reads):
    patients, _entries = reads
    client = signed_in(world.users["mas_a"])
    # Kommun B's patient, read only by kommun B's staff: the same as a number nobody has.
    response = client.get("/access-log/", {"patient": formatted(patients["outside"])})
    assert response.context["error"] == ""
    assert shown(response) == set()
    by_id = client.get("/access-log/", {"patient": str(patients["outside"].public_id)})
    assert shown(by_id) == set()
    assert "(" + str(patients["outside"].public_id)[:8] + ")" not in by_id.content.decode()


def test_a_protected_patient_is_found_by_the_id_shown_not_by_identity(world, reads):
    patients, entries = reads
    client = signed_in(world.users["mas_a"])
    protected = patients["protected"]
    assert shown(client.get("/access-log/", {"patient": formatted(protected)})) == set()
    assert shown(client.get("/access-log/", {"patient": "Hemlig Person"})) == set()
    response = client.get("/access-log/", {"patient": str(protected.public_id)[:8]})
    assert {row["entry"].patient_id for row in response.context["rows"]} == {protected.pk}
    assert entries["protected"].pk in shown(response)
    assert "Hemlig" not in response.content.decode()


def test_a_review_shows_its_note_reviewer_and_time_to_the_providers_reviewers(world, reads):
    _patients, entries = reads
    entry = entries["ove"]
    mas = world.users["mas_a"]
    mas.first_name, mas.last_name = "Maria", "Andersson"
    mas.save()
    signed_in(mas).post(
        f"/access-log/entries/{entry.pk}/review",
        {"note": "Ringde sjuksköterskan: planerat besök.", "at": entry.at.isoformat()},
    )
    for key in ("mas_a", "mar_a"):
        response = signed_in(world.users[key]).get("/access-log/")
        row = next(row for row in response.context["rows"] if row["entry"].pk == entry.pk)
        assert row["review"].note == "Ringde sjuksköterskan: planerat besök."
        page = response.content.decode()
        assert "Ringde sjuksköterskan: planerat besök." in page
        at = timezone.localtime(row["review"].at).strftime("%Y-%m-%d %H:%M")
        assert f"{at} av Maria Andersson, MAS (medicinskt ansvarig sjuksköterska)" in page
    # Kommun B's reviewers do not see kommun A's reviews (nor its entries).
    other = signed_in(world.users["mas_b"]).get("/access-log/")
    assert "planerat besök" not in other.content.decode()


def test_the_sample_filter_says_when_the_sample_is_drawn(world, reads):
    client = signed_in(world.users["mas_a"])
    today = timezone.localdate()
    page = client.get("/access-log/?sampled=1").content.decode()
    assert "Inget veckostickprov har dragits ännu för den här vårdgivaren." in page
    assert "dras vid nästa schemalagda körning, som går varje timme" in page
    week = sampling.previous_week_start(today)
    when = timezone.make_aware(
        datetime.datetime.combine(week + datetime.timedelta(days=2), datetime.time(10))
    )
    with mock.patch("django.utils.timezone.now", return_value=when):
        read(world, "nurse_a", world.patient(kommun="kommun_a"))
    sampling.sample_draw(kommun=world.orgs["kommun_a"], week_start=week)
    response = client.get("/access-log/?sampled=1")
    page = response.content.decode()
    end = week + datetime.timedelta(days=6)
    assert f"1 av 1 läsningar under veckan {week.isoformat()}–{end.isoformat()}" in page
    assert f"from={week.isoformat()}" in response.context["sample_week_query"]
    next_monday = week + datetime.timedelta(days=14)
    assert f"dras måndagen {next_monday.isoformat()}" in page
    # Without the sample filter the page says nothing of it.
    assert "Det senaste veckostickprovet" not in client.get("/access-log/").content.decode()
