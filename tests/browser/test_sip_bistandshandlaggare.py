"""The kommun's nurse names socialtjänst's biståndshandläggare on the SIP page; she is told, and finds the
plan under My work."""

from __future__ import annotations

from directory.models import Role
from tests.browser.conftest import axe_violations, screenshot
from tests.fixtures.world import make_user


def test_a_nurse_names_the_bistandshandlaggare_who_then_finds_the_plan_in_my_work(
    live_server, world, sip_from_case, as_user
):
    axe_problems = {}
    handlaggare = make_user("bistand.a", (world.orgs["kommun_a"], Role.BISTANDSHANDLAGGARE))
    url = f"{live_server.url}/sip/{sip_from_case.public_id}/"

    nurse = as_user("nurse.a")
    nurse.goto(url)
    choice = nurse.get_by_label("Biståndshandläggare (socialtjänsten)")
    assert choice.input_value() == ""
    choice.select_option(label="Bistand.A Test, A kommun")
    axe_problems["sip editor naming the biståndshandläggare"] = axe_violations(nurse)
    nurse.get_by_role("button", name="Spara utkastet").last.click()
    nurse.locator(".message-success").wait_for()
    sip_from_case.refresh_from_db()
    assert sip_from_case.bistandshandlaggare_id == handlaggare.pk
    assert nurse.get_by_label("Biståndshandläggare (socialtjänsten)").input_value() == str(
        handlaggare.public_id
    )
    screenshot(nurse, "23-sip-bistandshandlaggare-named")

    her = as_user("bistand.a")
    her.goto(f"{live_server.url}/")
    plans = her.locator("section[aria-labelledby=my-plans-heading]")
    assert "Du är biståndshandläggare i en SIP" in her.content()
    axe_problems["my work of the biståndshandläggare"] = axe_violations(her)
    plans.locator(f"a[href='/sip/{sip_from_case.public_id}/']").click()
    her.wait_for_url(url)
    assert "Bistand.A Test, Biståndshandläggare" in her.locator("#sip-handlaggare").inner_text()
    # She does not name anyone herself: the page shows her, without the choice.
    assert her.locator("#id_bistandshandlaggare").count() == 0
    axe_problems["sip page of the biståndshandläggare"] = axe_violations(her)

    serious = {name: found for name, found in axe_problems.items() if found}
    assert not serious, serious
