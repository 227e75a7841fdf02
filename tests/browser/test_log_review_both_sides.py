"""In Chromium: the region's log reviewer reviews a vårdcentral's emergency access; the kommun's MAS does
not see it among the kommun's staff's reads."""

from __future__ import annotations

import pytest

from audit.models import AccessLogReview
from directory.actor import Actor
from directory.models import Role
from patients.selectors import patient_get, patient_get_emergency
from tests.browser.conftest import axe_violations, screenshot
from tests.fixtures.world import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_region_reviews_its_staff_and_the_kommun_its_own(live_server, world, as_user):
    patient = world.patient(given_name="Greta", family_name="Nilsson")
    patient_get(actor=Actor.for_user(world.users["nurse_a"]), public_id=patient.public_id)
    patient_get_emergency(
        actor=Actor.for_user(world.users["gp_b"]), public_id=patient.public_id, reason="Akut hembesök."
    )
    make_user("log_reviewer.region", (world.orgs["region"], Role.LOG_REVIEWER))

    reviewer = as_user("log_reviewer.region")
    reviewer.get_by_role("link", name="Granskning av åtkomstloggen").first.click()
    reviewer.locator("h1").wait_for()
    assert reviewer.locator("h1").inner_text() == "Granskning av åtkomstloggen för Region Test"
    reviewer.select_option("select[name=flag]", value="emergency_access")
    reviewer.get_by_role("button", name="Filtrera").click()
    rows = reviewer.locator("table.access-log tbody tr")
    assert rows.count() == 1
    row = rows.first
    assert "Vårdcentralen B (Vårdcentralsläkare" in row.inner_text()
    assert "Nödåtkomst" in row.inner_text()
    axe = axe_violations(reviewer)
    row.get_by_label("Anteckning").fill("Kontrollerat med jouren: hembesök.")
    row.get_by_role("button", name="Markera som granskad").click()
    # Said once, by the page's status area.
    assert reviewer.get_by_role("status").inner_text() == "Posten är markerad som granskad."
    assert "Granskad" in reviewer.locator("table.access-log tbody tr").first.inner_text()
    screenshot(reviewer, "40-log-review-region")
    review = AccessLogReview.objects.get()
    assert (review.kommun, review.note) == (world.orgs["region"], "Kontrollerat med jouren: hembesök.")

    mas = as_user("mas.a")
    mas.goto(f"{live_server.url}/access-log/")
    text = mas.locator("table.access-log").inner_text()
    assert "A kommun (Kommunsjuksköterska)" in text
    assert "Vårdcentralen B" not in text
    assert not axe, axe
