"""Finding a patient on the patient list: a name whatever its accents and case, filters kept in the
address, a hint for a personnummer nobody can have (and no emergency-access offer for it), and a masked
patient never found by the name the mask hides."""

from __future__ import annotations

import datetime
import re

import pytest

from audit.models import AccessLogEntry
from cases.models import CaseStatus
from patients.models import Enrolment, HousingSetting
from patients.personnummer import luhn_check_digit
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db


def listed(page: str) -> list[str]:
    """The names in the list's rows, in order."""
    return re.findall(r'<td><a href="/patients/[0-9a-f-]+/">([^<]+)</a></td>', page)


def get(client, **params):
    return client.get("/patients/", params)


def test_a_name_is_found_whatever_its_accents_and_case(world):
    world.patient(given_name="Märta", family_name="Öberg")
    world.patient(given_name="Marta", family_name="Lind")
    world.patient(given_name="Sven", family_name="Åström")
    client = signed_in(world.users["nurse_a"])
    assert listed(get(client, q="marta").content.decode()) == ["Marta Lind", "Märta Öberg"]
    assert listed(get(client, q="MÄRTA oberg").content.decode()) == ["Märta Öberg"]
    assert listed(get(client, q="astrom").content.decode()) == ["Sven Åström"]
    assert listed(get(client, q="Åström").content.decode()) == ["Sven Åström"]
    # Each patient found is logged as listed, as before.
    assert AccessLogEntry.objects.filter(action="list", user=world.users["nurse_a"]).count() == 2 + 1 + 1 + 1


def test_a_renamed_patient_is_found_by_the_new_name(world):
    patient = world.patient(given_name="Anna", family_name="Berg")
    patient.family_name = "Ängström"
    patient.save(update_fields=["family_name"])
    patient.refresh_from_db()
    assert patient.search_name == "anna angstrom"
    client = signed_in(world.users["nurse_a"])
    assert listed(get(client, q="angstrom").content.decode()) == ["Anna Ängström"]
    assert listed(get(client, q="berg").content.decode()) == []


def test_filters_narrow_the_list_and_stay_in_the_address(world, halland, case_in):
    home = world.patient(given_name="Hedvig", family_name="Hemma")
    sabo = world.patient(given_name="Sara", family_name="Säbo", housing=HousingSetting.SPECIAL_HOUSING)
    other_vc = world.patient(given_name="Vera", family_name="Annan", vardcentral="vc_b")
    not_enrolled = world.patient(
        given_name="Nils", family_name="Oinskriven", kommun="kommun_a", enrolled=False
    )
    # Enrolled before, not now: within the MAS's reach (the kommun gave him care), not enrolled today.
    Enrolment.objects.create(
        patient=not_enrolled,
        kommun=world.orgs["kommun_a"],
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 6, 30),
        threshold_justification="Kan inte ta sig till vårdcentralen.",
        enrolled_by=world.users["nurse_a"],
    )
    case_in(CaseStatus.IN_REVIEW, patient=home)
    case_in(CaseStatus.IN_REVIEW, patient=sabo, tasks=(WOUND,))
    client = signed_in(world.users["mas_a"])  # MAS reaches the patients the kommun gives or gave care

    def names(**params):
        return sorted(listed(get(client, **params).content.decode()))

    assert names(housing="special_housing") == ["Sara Säbo"]
    assert names(vardcentral=str(world.orgs["vc_b"].public_id)) == ["Vera Annan"]
    assert names(enrolled="no") == ["Nils Oinskriven"]
    assert "Nils Oinskriven" not in names(enrolled="yes")
    assert names(open_case="yes") == ["Hedvig Hemma", "Sara Säbo"]
    assert "Hedvig Hemma" not in names(open_case="no")
    assert names(task=PD) == ["Hedvig Hemma"]
    assert names(task=WOUND, q="sara") == ["Sara Säbo"]
    assert names(task=WOUND, housing="ordinary_home") == []

    # The form shows what was chosen, and the pages of a filtered list keep the filters.
    for _ in range(26):
        world.patient(housing=HousingSetting.SPECIAL_HOUSING)
    page = get(client, housing="special_housing").content.decode()
    assert '<option value="special_housing" selected>' in page
    assert 'href="?housing=special_housing&amp;page=2"' in page
    second = client.get("/patients/?housing=special_housing&page=2").content.decode()
    assert len(listed(second)) == 27 - 25
    assert {home.pk, other_vc.pk, not_enrolled.pk}  # the others exist but are filtered out


def test_an_unknown_filter_value_is_a_swedish_error_not_a_500(world):
    world.patient(given_name="Greta")
    client = signed_in(world.users["nurse_a"])
    response = get(client, housing="castle", vardcentral="not-a-uuid")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Välj ett giltigt alternativ" in page
    assert listed(page) == ["Greta Svensson"]  # the list without the invalid filters


def test_the_open_case_filter_counts_only_cases_the_person_may_see(world, halland, case_in):
    """A patient of kommun A, listed at vårdcentral B, has an open case naming kommun A and vårdcentral
    B only... The GP of vårdcentral A sees the patient through the listing, but the case is not theirs."""
    patient = world.patient(given_name="Greta", family_name="Gran", vardcentral="vc_b")
    case_in(CaseStatus.IN_REVIEW, patient=patient)
    gp_b = signed_in(world.users["gp_b"])
    assert listed(get(gp_b, open_case="yes").content.decode()) == ["Greta Gran"]
    nurse_b = signed_in(world.users["nurse_b"])
    assert listed(get(nurse_b, open_case="yes").content.decode()) == []


def _with_check_digit(nine: str, *, wrong: bool = False) -> str:
    digit = luhn_check_digit(nine)
    if wrong:
        digit = str((int(digit) + 1) % 10)
    return nine + digit


def test_a_wrong_check_digit_is_explained_and_not_offered_emergency_access(world):
    client = signed_in(world.users["gp_b"])  # may use emergency access
    number = "19" + _with_check_digit("400312980", wrong=True)
    page = get(client, q=f"{number[:8]}-{number[8:]}").content.decode()
    assert "Kontrollsiffran stämmer inte" in page
    assert "kan inte vara ett personnummer" in page
    assert 'id="emergency-heading"' not in page
    # A valid number nobody has is still offered, as before.
    valid = "19" + _with_check_digit("400312980")
    assert 'id="emergency-heading"' in get(client, q=f"{valid[:8]}-{valid[8:]}").content.decode()


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("19400231-" + _with_check_digit("400231980")[6:], "Datumet i personnumret finns inte: 1940-02-31."),
        ("19401301-" + _with_check_digit("401301980")[6:], "Datumet i personnumret finns inte: 1940-13-01."),
        ("19400392-" + _with_check_digit("400392980")[6:], "Datumet i samordningsnumret finns inte"),
    ],
)
def test_an_impossible_date_is_explained_and_not_offered_emergency_access(world, typed, says):
    page = get(signed_in(world.users["gp_b"]), q=typed).content.decode()
    assert says in page
    assert 'id="emergency-heading"' not in page


def test_a_birth_date_in_the_future_is_impossible(world):
    ahead = datetime.date.today() + datetime.timedelta(days=400)
    nine = f"{ahead:%y%m%d}980"
    typed = f"{ahead:%Y%m%d}-{_with_check_digit(nine)[6:]}"
    page = get(signed_in(world.users["gp_b"]), q=typed).content.decode()
    assert "Datumet i personnumret ligger i framtiden" in page
    assert 'id="emergency-heading"' not in page


def test_part_of_a_number_gets_no_hint(world):
    patient = world.patient(given_name="Greta")
    page = get(signed_in(world.users["nurse_a"]), q=patient.personal_identity[:8]).content.decode()
    assert "kan inte vara ett personnummer" not in page
    assert listed(page) == ["Greta Svensson"]


def test_a_masked_patient_is_not_found_by_the_name_the_mask_hides(world, api):
    world.patient(protected=True, given_name="Märta", family_name="Hemlig")
    world.patient(given_name="Märta", family_name="Öppen")
    coordinator = signed_in(world.users["coordinator_a"])
    for typed in ("Märta", "marta", "hemlig", "HEMLIG"):
        page = get(coordinator, q=typed).content.decode()
        assert "Hemlig" not in page
        assert "Skyddad identitet" not in page, typed  # not even as a masked row
    assert listed(get(coordinator, q="marta").content.decode()) == ["Märta Öppen"]
    # The masked row is still in the unsearched list, masked, and also when filtered.
    page = get(coordinator, enrolled="yes").content.decode()
    assert "Skyddad identitet" in page
    assert "Hemlig" not in page
    # The API's search, which shares the selector, keeps the same rule and finds accents alike.
    found = api(world.users["coordinator_a"]).get("/api/v1/patients", {"search": "marta"}).json()
    assert [p["family_name"] for p in found["results"]] == ["Öppen"]
    # The nurse treating her finds her by name, accents or not.
    assert listed(get(signed_in(world.users["nurse_a"]), q="hemlig").content.decode()) == ["Märta Hemlig"]
