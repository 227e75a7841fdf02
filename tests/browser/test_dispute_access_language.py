"""A dispute escalated and decided through the pages; another kommun's nurse gets 404; English is complete."""

from __future__ import annotations

import re

import pytest

from cases.models import CaseStatus
from tests.browser.conftest import axe_violations, screenshot
from tests.fixtures.cases import CONSENT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Swedish words of the user interface (not data) that must not be left on an English page.
SWEDISH_UI_WORDS = [
    "Mitt arbete",
    "Patienter",
    "Logga ut",
    "Ärende",
    "Uppgifter",
    "Tidslinje",
    "Kommentar",
    "Nästa steg",
    "Åtgärd",
    "Förslag",
    "Utför",
    "Följer upp",
    "Beställer",
    "Tvist",
    "Eskaler",
    "Beslut",
    "Riskanalys",
    "Dokument",
    "Spara",
    "Skicka",
    "Inga ",
    "Ingen ",
    "Godkänn",
    "Skapa",
    " och ",
    " för ",
]


def test_dispute_escalated_and_decided_by_governance(live_server, world, halland, case_in, as_user):
    case = case_in(CaseStatus.IN_REVIEW)
    url = f"{live_server.url}/cases/{case.public_id}/"

    # The clinic that orders PD answers for it: it disputes it in the review form.
    specialist = as_user("specialist")
    specialist.goto(url)
    task = case.tasks.get()
    specialist.check(f"input[name='accept-answer_{task.public_id}'][value='dispute']")
    specialist.fill(f"#id_accept-text_{task.public_id}", "Specialistvården bör utföra PD.")
    specialist.locator("#action-accept button[type=submit]").click()
    specialist.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPUTED

    coordinator = as_user("coordinator.a")
    coordinator.goto(url)
    coordinator.fill("#id_escalate-reason", "Parterna är oeniga om PD.")
    coordinator.locator("#action-escalate button[type=submit]").click()
    coordinator.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == CaseStatus.ESCALATED
    assert case.escalation_level == 1

    body = as_user("governance.lokal")
    assert body.locator("#escalations-heading").count() == 1
    screenshot(body, "10-my-work-governance")
    body.goto(url)
    screenshot(body, "11-case-escalated-governance")
    assert not axe_violations(body)
    # Deciding without the reasons shows the error next to the field and in the summary.
    body.locator("input[name=decide-outcome][value=agreed]").check()
    body.locator("#action-decide button[type=submit]").click()
    body.locator("#action-errors").wait_for()
    assert body.locator("#id_decide-reasons-error").count() == 1
    assert body.evaluate("document.activeElement.id") == "action-errors"
    body.locator("input[name=decide-outcome][value=agreed]").check()
    for part, org in (
        ("orders", "Njurmedicin Test"),
        ("performs", "A kommun"),
        ("follows_up", "Njurmedicin Test"),
    ):
        body.select_option(f"#id_decide-split_{task.public_id}_{part}", label=org)
    body.fill("#id_decide-reasons", "Enligt överenskommelsen 5.3 utför kommunen PD med stöd.")
    body.locator("#action-decide button[type=submit]").click()
    body.wait_for_load_state()
    case.refresh_from_db()
    # Lokal samverkan recommends: the case waits for both parties to accept the recommendation.
    assert case.status == CaseStatus.ESCALATED
    assert case.decisions.count() == 1
    for party in (coordinator, specialist):
        party.goto(url)
        party.locator("#action-accept_recommendation button[type=submit]").click()
        party.wait_for_load_state()
    case.refresh_from_db()
    assert case.status == CaseStatus.RISK_ANALYSIS


def test_nurse_of_another_kommun_gets_the_404_page(live_server, world, halland, case_in, as_user):
    case = case_in(CaseStatus.IN_REVIEW)
    other = as_user("nurse.b")
    response = other.goto(f"{live_server.url}/cases/{case.public_id}/")
    assert response.status == 404
    assert "Karin" not in other.content()
    screenshot(other, "12-404-other-kommun")


def test_english_page_has_no_swedish_left(live_server, world, halland, case_in, as_user):
    case = case_in(CaseStatus.IN_REVIEW)
    gp = as_user("gp.a", language="en")
    assert gp.locator("html").get_attribute("lang") == "en"
    for path in ("/", f"/cases/{case.public_id}/", "/patients/", f"/patients/{case.patient.public_id}/"):
        gp.goto(f"{live_server.url}{path}")
        text = gp.locator("body").inner_text()
        # Data (names of organisations, people, agreement sections) stays as entered; take it out.
        for data in (
            "Karin",
            "Svensson",
            "Vårdcentralen A",
            "A kommun",
            "Njurmedicin Test",
            "Överenskommelse om hemsjukvård i Halland (test)",
            "Avancerad hemsjukvård",
            "Storgatan",
            "Kan inte ta sig till vårdcentralen.",
            "Varberg",
            "Peritonealdialys (PD)",
            CONSENT.scope,  # the consent as the nurse wrote it down
        ):
            text = text.replace(data, "")
        left = [w for w in SWEDISH_UI_WORDS if re.search(re.escape(w), text)]
        assert not left, (path, left)
    screenshot(gp, "13-patient-english")
