"""The sharing page in a browser: only the chosen kind of legal basis shows its fields (js/sharing.js),
the others are hidden from sight and from the keyboard, and the page passes axe and the CSP."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from consent.models import SharingBasis
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GROUPS = ("consent", "menprovning", "other_ground")


def _shown(page: Any) -> list[str]:
    return [kind for kind in GROUPS if page.locator(f"fieldset[data-basis-group={kind}]").is_visible()]


def test_only_the_chosen_basis_shows_its_fields(live_server, world, case_in, as_user, csp_violations) -> None:
    case = case_in(CaseStatus.IN_REVIEW)
    before = SharingBasis.objects.filter(case=case).count()
    nurse = as_user("nurse.a")
    nurse.goto(live_server.url + reverse("consent:sharing", args=[case.public_id]))
    assert nurse.locator("h1").inner_text().startswith("Rättslig grund för delning")

    # Consent is chosen to start with: its fields only.
    assert _shown(nurse) == ["consent"]
    hidden = nurse.locator("fieldset[data-basis-group=menprovning]")
    assert hidden.get_attribute("hidden") is not None
    assert hidden.evaluate("e => getComputedStyle(e).display") == "none"
    assert axe_violations(nurse) == []

    nurse.locator("input[name=basis-kind][value=other_ground]").check()
    assert _shown(nurse) == ["other_ground"]
    # A hidden field cannot be reached with the keyboard: from the last radio, Tab goes to the shown fields.
    nurse.locator("input[name=basis-kind][value=other_ground]").focus()
    nurse.keyboard.press("Tab")
    assert nurse.evaluate("() => document.activeElement.id") == "id_basis-ground"

    nurse.locator("input[name=basis-kind][value=menprovning]").check()
    assert _shown(nurse) == ["menprovning"]
    nurse.fill("#id_basis-assessed_by_name", "Maria MAS")
    nurse.fill("#id_basis-reasoning", "Personen kan inte samtycka; delningen skadar inte.")
    # The date left out: the page comes back with the error at the date and the same basis shown.
    nurse.locator("main form button.primary", has_text="Registrera").click()
    nurse.wait_for_load_state()
    assert _shown(nurse) == ["menprovning"]
    assert nurse.locator("#id_basis-assessed_on-error").is_visible()
    assert nurse.locator("#id_basis-assessed_by_name").input_value() == "Maria MAS"
    assert axe_violations(nurse) == []
    assert SharingBasis.objects.filter(case=case).count() == before


def test_the_new_case_form_shows_a_basis_s_fields_once_it_is_chosen(
    live_server, world, halland, as_user
) -> None:
    patient = world.patient(given_name="Märta", family_name="Öberg")
    nurse = as_user("nurse.a")
    nurse.goto(f"{live_server.url}/cases/new/{patient.public_id}/")
    # "Record it later" is the choice until another is made: no basis's fields show.
    assert _shown(nurse) == []
    nurse.locator("input[name=basis-kind][value=consent]").check()
    assert _shown(nurse) == ["consent"]
    assert nurse.locator("#id_basis-scope").is_visible()
    nurse.locator("input[name=basis-kind][value='']").check()
    assert _shown(nurse) == []
    assert axe_violations(nurse) == []
