"""The kommun where the person stays answers for its part in the browser: the home kommun's nurse opens a
case for a summer stay, the nurse of the kommun of stay finds it under "Väntar på mig", reads why her
kommun is asked and accepts; then the case waits for her no more, and the home kommun's nurse sees the
answer."""

from __future__ import annotations

from typing import Any

import pytest

from cases.models import CaseTask, Notification, NotificationKind, ResponsibilityCase, ReviewAnswer
from tests.browser.conftest import screenshot
from tests.fixtures.agreements import WOUND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LEGAL_BASIS = {
    "kind": "consent",
    "scope": "Ärendet delas med vistelsekommunen och vårdcentralen.",
    "given_by": "person",
    "form": "oral",
    "given_on": "2026-06-01",
}


def _click(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()
    page.wait_for_load_state()


def test_the_nurse_of_the_kommun_of_stay_finds_the_case_waiting_and_answers_for_her_kommun(
    live_server: Any, world: Any, halland: Any, api: Any, as_user: Any
) -> None:
    patient = world.patient()
    stay = world.orgs["kommun_b"]
    opened = api(world.users["nurse_a"]).post(
        "/api/v1/cases",
        {
            "patient": str(patient.public_id),
            "trigger": "changed_needs",
            "background": "Sårvård under sommarvistelsen.",
            "tasks": [WOUND],
            "stay_kommun": str(stay.public_id),
            "stay_from": "2026-06-15",
            "stay_to": "2099-08-15",
        },
        format="json",
    )
    assert opened.status_code == 201, opened.content
    submitted = api(world.users["nurse_a"]).post(
        f"/api/v1/cases/{opened.json()['id']}/submit",
        {"legal_basis": LEGAL_BASIS},
        format="json",
        HTTP_IF_MATCH=opened["ETag"],
    )
    assert submitted.status_code == 200, submitted.content
    case = ResponsibilityCase.objects.get(public_id=opened.json()["id"])
    link = f'section.waiting-for-me a[href="/cases/{case.public_id}/"]'

    nurse = as_user("nurse.b")
    nurse.goto(f"{live_server.url}/")
    assert nurse.locator(link).count() == 1  # it waits for her kommun's answer
    screenshot(nurse, "stay-kommun-my-work")
    _click(nurse, link)
    stay_text = nurse.locator("dd.stay").inner_text()
    assert stay.name in stay_text
    assert "part i ärendet" in stay_text
    offered = nurse.locator("#action-accept input[value=accept]")
    assert offered.count() == 1  # the wound care, which the proposal asks of her kommun
    offered.first.check()
    screenshot(nurse, "stay-kommun-answer")
    _click(nurse, "#action-accept button[type=submit]")
    task = CaseTask.objects.get(case=case)
    assert task.reviews.filter(organisation=stay, answer=ReviewAnswer.ACCEPTED).exists()

    nurse.goto(f"{live_server.url}/")
    assert nurse.locator(link).count() == 0  # answered: it waits for her no more

    home = as_user("nurse.a")
    home.goto(f"{live_server.url}/cases/{case.public_id}/")
    assert home.locator("#action-accept input[value=accept]").count() == 0  # not hers to answer
    assert stay.name in home.locator("main").inner_text()
    assert Notification.objects.filter(
        user=world.users["nurse_b"], case=case, kind=NotificationKind.REVIEW_REQUESTED
    ).exists()
