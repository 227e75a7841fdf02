"""The new-case catalogue search narrows the list for real: what it hides cannot be seen, focused or
ticked, and it finds a task whatever the diacritics typed."""

from __future__ import annotations

import pytest

from tests.fixtures.agreements import PD, WOUND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_search_hides_what_does_not_match_and_tab_space_ticks_only_what_is_shown(
    live_server, world, halland, as_user
):
    patient = world.patient(given_name="Märta", family_name="Öberg")
    nurse = as_user("nurse.a")
    nurse.goto(f"{live_server.url}/cases/new/{patient.public_id}/")
    options = nurse.locator("#task-options .task-option")
    total = options.count()
    assert total >= 3

    # "sarvard" (no ring over the a) finds "Enkel sårvård"; everything else is out of sight.
    nurse.fill("#task-filter", "sarvard")
    visible = nurse.locator("#task-options .task-option:visible")
    assert visible.count() == 1
    assert "Enkel sårvård" in visible.first.inner_text()
    assert nurse.locator("#task-filter-status").inner_text().endswith("1")
    # Whole groups with nothing shown are hidden as well.
    assert nurse.locator("#task-options .task-group:visible").count() == 1

    # From the search field, Tab reaches the one task shown, and Space ticks that task, not another.
    nurse.focus("#task-filter")
    nurse.keyboard.press("Tab")
    nurse.keyboard.press("Space")
    ticked = nurse.locator("#task-options input[name=tasks]:checked")
    assert ticked.count() == 1
    assert ticked.first.get_attribute("value") == WOUND
    assert not nurse.locator(f"#task-options input[value={PD}]").is_checked()

    # A ticked task stays in sight whatever is typed next, but the next Tab, Space from the search ticks
    # the task searched for and never unticks the earlier one.
    nurse.fill("#task-filter", "perito")
    assert nurse.locator("#task-options .task-option:visible").count() == 2
    nurse.focus("#task-filter")
    nurse.keyboard.press("Tab")
    nurse.keyboard.press("Space")
    assert nurse.locator(f"#task-options input[value={PD}]").is_checked()
    assert nurse.locator(f"#task-options input[value={WOUND}]").is_checked()
    # A search that matches nothing says so, and the ticked tasks stay.
    nurse.fill("#task-filter", "xyzzy")
    assert "Ingen insats matchar" in nurse.locator("#task-filter-status").inner_text()
    assert nurse.locator("#task-options input[name=tasks]:checked").count() == 2
    # Clearing the search shows every task again.
    nurse.fill("#task-filter", "")
    assert nurse.locator("#task-options .task-option:visible").count() == total
