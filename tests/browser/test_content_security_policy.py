"""The pages work under the Content-Security-Policy in a real browser, and the policy stops injected code.

``as_user`` fails a test on any violation the browser reports; here the key pages, their htmx
interactions, the figures' chart images, Swagger UI at /api/docs/ and the admin are opened on purpose,
and markup injected into a patient's case page is shown not to run.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from cases.models import CaseStatus
from tests.browser.conftest import watch_csp
from tests.fixtures.agreements import PD
from tests.fixtures.world import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_inline_style_element(page: Any) -> None:
    # htmx would insert one for its indicators unless told not to (the meta tag in base.html).
    assert page.evaluate("document.querySelectorAll('style').length") == 0


def test_key_pages_and_htmx_work_without_a_violation(
    live_server, world, halland, case_in, sip_from_case, as_user, csp_violations
):
    patient = world.patient(given_name="Greta", family_name="Andersson")
    in_analysis = case_in(CaseStatus.RISK_ANALYSIS)

    nurse = as_user("nurse.a")
    nurse.locator("main h1").wait_for()
    _no_inline_style_element(nurse)
    nurse.goto(f"{live_server.url}/patients/?q=Greta")
    nurse.goto(f"{live_server.url}/patients/{patient.public_id}/")

    # New case: the task filter (app.js) and the live proposal (htmx) work.
    nurse.goto(f"{live_server.url}/cases/new/{patient.public_id}/")
    nurse.locator("input[name=trigger][value=discharge]").check()
    nurse.select_option("#id_specialist_clinic", label="Njurmedicin Test")
    nurse.fill("#task-filter", "Perito")
    assert nurse.locator(".task-option:not([hidden])").count() >= 1
    nurse.locator(f"input[name=tasks][value={PD}]").check()
    nurse.locator("#proposal").get_by_text("Njurmedicin Test").first.wait_for()
    _no_inline_style_element(nurse)

    # Risk analysis: the matrix follows the scores typed (risk_matrix.js).
    nurse.goto(f"{live_server.url}/cases/{in_analysis.public_id}/risk-analysis/")
    nurse.fill("#id_hazard-0-description", "Peritonit vid påsbyte")
    nurse.select_option("#id_hazard-0-likelihood", "2")
    nurse.select_option("#id_hazard-0-consequence", "4")
    nurse.locator("#preview-matrix .hazard-marks").first.wait_for()

    # SIP editor: a row added by htmx, focus moved by app.js.
    nurse.goto(f"{live_server.url}/sip/{sip_from_case.public_id}/")
    nurse.get_by_role("button", name="Lägg till en insats").click()
    nurse.locator("#id_insats_2_description").wait_for()
    assert nurse.evaluate("document.activeElement.id") == "id_insats_2_description"

    # Figures: the charts are images, and they draw.
    mas = as_user("mas.a")
    mas.goto(f"{live_server.url}/figures/?from=2025-01-01&to=2025-03-31")
    charts = mas.locator("img.chart-image")
    charts.first.wait_for()
    assert charts.count() == 5
    drawn = "[...document.querySelectorAll('img.chart-image')].every(i => i.complete && i.naturalWidth)"
    assert mas.evaluate(drawn)
    mas.goto(f"{live_server.url}/access-log/")
    mas.locator("main h1").wait_for()

    assert csp_violations == []


def test_api_docs_render_swagger_ui_from_this_site_only(live_server, browser, csp_violations):
    context = browser.new_context()
    page = context.new_page()
    watch_csp(page, csp_violations)
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .info .title").get_by_text("hemsjukvard API").wait_for()
    page.locator(".swagger-ui .opblock").first.wait_for()
    context.close()
    assert requested
    elsewhere = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert elsewhere == []
    assert f"{live_server.url}/api/schema/" in requested
    assert csp_violations == []


def test_admin_works_under_the_policy(live_server, browser, csp_violations):
    user = get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password=PASSWORD
    )
    context = browser.new_context()
    page = context.new_page()
    watch_csp(page, csp_violations)
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    page.locator("#site-name").wait_for()
    page.goto(f"{live_server.url}/admin/directory/user/")
    page.locator("#result_list").wait_for()
    page.goto(f"{live_server.url}/admin/directory/user/{user.pk}/change/")
    page.locator("#user_form").wait_for()
    # The admin's own scripts ran (they add the calendar and clock shortcuts to date and time fields).
    page.wait_for_load_state("load")
    context.close()
    assert csp_violations == []


def test_injected_markup_does_not_run_on_a_patient_page(
    live_server, world, halland, case_in, as_user, csp_violations
):
    """What a stored cross-site-scripting payload would try, if it ever got past the template escaping."""
    case = case_in(CaseStatus.IN_REVIEW)
    page = as_user("nurse.a")
    page.goto(f"{live_server.url}/cases/{case.public_id}/")
    page.locator("main h1").wait_for()
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.stolen = document.body.innerText';
            document.body.appendChild(script);
            const main = document.querySelector('main');
            main.insertAdjacentHTML('beforeend',
                '<img id="payload-img" src="data:image/gif;base64,xx" onerror="window.stolen = 1">'
                + '<p id="payload-style" style="display: none">x</p>'
                + '<a id="payload-link" href="javascript:window.stolen = 2">x</a>');
            document.getElementById('payload-link').click();
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.stolen") is None
    assert page.locator("#payload-style").is_visible()
    kinds = " ".join(csp_violations)
    assert "script" in kinds
    assert "style" in kinds
    # Expected here, and only here: nothing else on the page was refused.
    assert all("violates" in v for v in csp_violations)
    csp_violations.clear()
