"""The figures page at a laptop's width (1366 px): no table or chart widens the page; wide tables scroll
inside their own box, and the charts load."""

from __future__ import annotations

import pytest

from tests.figures.helpers import at, make_case, refresh_facts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_no_page_wide_horizontal_overflow_at_1366(live_server, world, browser, csp_violations):
    from tests.browser.conftest import watch_csp
    from tests.fixtures.world import PASSWORD

    for n in range(12):
        make_case(
            world,
            submitted=at("2025-02-01"),
            tasks=((f"task-with-a-rather-long-name-{n % 6}", "unclear"), ("wound", "proposed")),
            increased_staff_time=n % 2 == 0,
            competence_needed=n % 3 == 0,
        )
    refresh_facts()
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="sv-SE")
    try:
        page = context.new_page()
        watch_csp(page, csp_violations)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", world.users["governance"].username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/figures/?from=2025-01-01&to=2025-03-31")
        page.locator("img.chart-image").first.wait_for()
        # Open every table, the widest included.
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
        widths = page.evaluate(
            "({page: document.documentElement.scrollWidth, view: document.documentElement.clientWidth,"
            " boxes: [...document.querySelectorAll('.figures-table-box')].map("
            "b => [b.scrollWidth, b.clientWidth])})"
        )
        assert widths["page"] <= widths["view"], widths
        assert any(scroll > client for scroll, client in widths["boxes"]), "the wide table scrolls in its box"
        drawn = "[...document.querySelectorAll('img.chart-image')].every(i => i.complete && i.naturalWidth)"
        for _ in range(100):
            if page.evaluate(drawn):
                break
            page.wait_for_timeout(200)
        assert page.evaluate(drawn)
        assert page.locator("img.chart-image").count() == 5
        assert page.locator(".figure-tile").count() >= 6
    finally:
        context.close()
    assert csp_violations == []
