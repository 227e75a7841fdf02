"""Finding a patient in a real browser: "marta" typed finds Märta, and a filter chosen in the form
narrows the list and stays in the address, so the link reproduces the list."""

from __future__ import annotations

import pytest

from patients.models import HousingSetting
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_marta_finds_marta_and_a_filter_stays_in_the_address(live_server, world, as_user):
    world.patient(given_name="Märta", family_name="Öberg")
    world.patient(given_name="Märta", family_name="Säbo", housing=HousingSetting.SPECIAL_HOUSING)
    world.patient(given_name="Sven", family_name="Lind")
    nurse = as_user("nurse.a")
    nurse.goto(f"{live_server.url}/patients/")
    nurse.fill("#q", "marta")
    nurse.locator("form.filter-form button[type=submit]").click()
    nurse.wait_for_load_state()
    rows = nurse.locator("table tbody tr")
    assert rows.count() == 2
    assert "Märta Öberg" in nurse.locator("table tbody").inner_text()
    assert "Sven" not in nurse.locator("table").inner_text()

    nurse.select_option("#id_housing", "special_housing")
    nurse.locator("form.filter-form button[type=submit]").click()
    nurse.wait_for_load_state()
    assert nurse.locator("table tbody tr").count() == 1
    assert "Märta Säbo" in nurse.locator("table tbody").inner_text()
    assert "housing=special_housing" in nurse.url
    assert not axe_violations(nurse)
    assert "q=marta" in nurse.url

    # The address alone reproduces the list, in a new tab.
    again = nurse.context.new_page()
    again.goto(nurse.url)
    assert again.locator("table tbody tr").count() == 1
    assert again.locator("#id_housing").input_value() == "special_housing"
    assert again.locator("#q").input_value() == "marta"

    # A personnummer nobody can have is explained, and the hint is tied to the search field.
    nurse.fill("#q", "19400231-1234")
    nurse.locator("form.filter-form button[type=submit]").click()
    nurse.wait_for_load_state()
    assert "kan inte vara ett personnummer" in nurse.locator("#q-problem").inner_text()
    assert "q-problem" in (nurse.locator("#q").get_attribute("aria-describedby") or "")
    assert nurse.locator("#emergency-heading").count() == 0
    assert not axe_violations(nurse)
