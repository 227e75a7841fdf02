"""A nurse hands a case to a colleague on the case page: the colleague finds it under "Väntar på mig"
and is told in the inbox; it is gone from the first nurse's list."""

from __future__ import annotations

import pytest

from cases.models import CaseStatus, Notification, NotificationKind
from directory.models import Role
from tests.browser.conftest import screenshot
from tests.fixtures.world import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nurse_hands_a_case_to_a_colleague_who_then_sees_it_waiting(live_server, world, case_in, as_user):
    colleague = make_user("nurse2.a", (world.orgs["kommun_a"], Role.NURSE))
    case = case_in(CaseStatus.AGREED)
    link = f'section.waiting-for-me a[href="/cases/{case.public_id}/"]'

    nurse = as_user("nurse.a")
    nurse.goto(f"{live_server.url}/")
    assert nurse.locator(link).count() == 1
    nurse.locator(link).first.click()
    box = nurse.locator("section.handlers")
    assert "Ingen särskild" in box.inner_text()
    nurse.select_option("#id_to", label=f"{colleague.display_name} (Kommunsjuksköterska)")
    nurse.fill("#id_note", "Jag har semester v. 28–31.")
    screenshot(nurse, "hand-over-form")
    box.locator("button", has_text="Lämna över").first.click()
    nurse.wait_for_load_state()
    assert "syns det i hens Mitt arbete" in nurse.locator("main").inner_text()
    assert colleague.display_name in nurse.locator("section.handlers .handler").first.inner_text()
    assert "Överlämnat" in nurse.locator("ol.timeline").inner_text()
    screenshot(nurse, "hand-over-done")

    nurse.goto(f"{live_server.url}/")
    assert nurse.locator(link).count() == 0

    other = as_user("nurse2.a")
    other.goto(f"{live_server.url}/")
    assert other.locator(link).count() == 1
    other.select_option("#id_handler", "me")
    other.locator("form.work-filters button[type=submit]").first.click()
    other.wait_for_load_state()
    assert other.locator(link).count() == 1
    screenshot(other, "hand-over-colleague-my-work")
    assert Notification.objects.filter(
        user=colleague, case=case, kind=NotificationKind.CASE_HANDED_OVER
    ).exists()
