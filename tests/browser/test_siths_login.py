"""Signing in with SITHS through a real OpenID Connect provider, in Chromium.

The provider is node's certified ``oidc-provider`` (tests/identity/provider/), with test persons whose
claims mimic Inera's IdP. The person types their login on the provider's own page; nothing is mocked.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from directory.models import Membership, Organisation, Role, User
from tests.identity.provider import Provider, commission, person, start_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KOMMUN_UNIT = "SE2120001231-KOMMUNA"
MAS_UNIT = "SE2120001231-MASA"
VC_UNIT = "SE2321000131-VCA"


@pytest.fixture
def siths_world(world: Any) -> Any:
    """The test world with HSA-ids: a nurse, a nurse who is also MAS, and their units."""
    kommun = world.orgs["kommun_a"]
    Organisation.objects.filter(pk=kommun.pk).update(hsa_id=KOMMUN_UNIT)
    Organisation.objects.filter(pk=world.orgs["vc_a"].pk).update(hsa_id=VC_UNIT)
    nurse = world.users["nurse_a"]
    User.objects.filter(pk=nurse.pk).update(hsa_id="SE2120001231-NURSE1")
    # A nurse with a second commission as acting MAS (the MAS office is its own HSA unit here).
    mas_office = Organisation.objects.create(
        name="A kommun, MAS", kind=kommun.kind, region=kommun.region, hsa_id=MAS_UNIT
    )
    User.objects.filter(pk=world.users["mas_a"].pk).update(hsa_id="SE2120001231-MAS1")
    Membership.objects.create(user=world.users["mas_a"], organisation=mas_office, role=Role.MAS)
    Membership.objects.create(user=world.users["mas_a"], organisation=kommun, role=Role.NURSE)
    return world


ACCOUNTS = {
    "nurse": person("SE2120001231-NURSE1", commission("SE2120001231-C1", KOMMUN_UNIT)),
    "two": person(
        "SE2120001231-MAS1",
        commission("SE2120001231-C2", KOMMUN_UNIT),
        commission("SE2120001231-C3", MAS_UNIT),
        chosen=None,
    ),
    "elsewhere": person("SE2120001231-NURSE1", commission("SE2120001231-C9", "SE9999999999-OTHER")),
    "stranger": person("SE2120001231-NOBODY", commission("SE2120001231-C8", KOMMUN_UNIT)),
    "weak": person("SE2120001231-NURSE1", commission("SE2120001231-C1", KOMMUN_UNIT), acr="loa2"),
}


@pytest.fixture
def provider(siths_world: Any, live_server: Any, settings: Any, tmp_path: Any) -> Iterator[Provider]:
    with start_provider(tmp_path, live_server.url, ACCOUNTS, settings) as running:
        yield running


@pytest.fixture
def sign_in(browser: Any, live_server: Any, provider: Provider) -> Iterator[Any]:
    contexts = []

    def go(login: str) -> Any:
        context = browser.new_context(viewport={"width": 1024, "height": 900}, locale="sv-SE")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(30000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_role("link", name="Logga in med SITHS").click()
        page.wait_for_url(f"{provider.issuer}/interaction/**")  # the provider's own page
        page.fill("#login", login)
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_load_state()
        return page

    yield go
    for context in contexts:
        context.close()


def test_a_nurse_signs_in_with_siths_and_lands_in_my_work_as_nurse_of_her_kommun(sign_in, live_server):
    page = sign_in("nurse")
    assert page.url == f"{live_server.url}/"
    assert page.get_by_role("heading", name="Mitt arbete").is_visible()
    who = page.locator("header .who").inner_text()
    assert "Kommunsjuksköterska" in who
    assert "A kommun" in who


def test_a_person_with_two_commissions_chooses_one(sign_in, live_server):
    page = sign_in("two")
    assert "/accounts/acting/" in page.url
    options = page.locator("form input[type=radio], form select option").all_inner_texts()
    page_text = page.locator("main").inner_text()
    assert "A kommun, MAS" in page_text
    assert "A kommun" in page_text
    # Pages lead back to the choice until one is made.
    page.goto(f"{live_server.url}/patients/")
    assert "/accounts/acting/" in page.url
    page.get_by_label("MAS", exact=False).first.check()
    page.get_by_role("button", name="Fortsätt").click()
    page.wait_for_load_state()
    assert "MAS" in page.locator("header .who").inner_text(), options


def test_a_commission_for_a_unit_without_a_role_here_is_refused_with_the_hsa_ids(sign_in, caplog):
    page = sign_in("elsewhere")
    assert "/oidc/refused/" in page.url
    text = page.locator("main").inner_text()
    assert "SE2120001231-C9" in text
    assert "SE9999999999-OTHER" in text
    assert "SE2120001231-NURSE1" in text
    assert any("no_membership" in r.getMessage() for r in caplog.records)


def test_a_person_not_imported_from_hsa_is_refused(sign_in):
    page = sign_in("stranger")
    assert "/oidc/refused/" in page.url
    assert "SE2120001231-NOBODY" in page.locator("main").inner_text()


def test_a_sign_in_below_siths_two_factor_is_refused(sign_in):
    page = sign_in("weak")
    assert "/oidc/refused/" in page.url
    assert "loa2" in page.locator("main").inner_text()


def test_logout_ends_the_session_here_and_at_the_provider(sign_in, live_server, provider):
    page = sign_in("nurse")
    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/**")
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    # The provider forgot the person too: signing in again asks for the login on its page.
    page.get_by_role("link", name="Logga in med SITHS").click()
    page.wait_for_url(f"{provider.issuer}/interaction/**")
    assert page.locator("#login").is_visible()


def test_emergency_access_asks_for_the_card_again(sign_in, live_server, provider, settings):
    settings.EMERGENCY_REAUTHENTICATION_SECONDS = 2
    page = sign_in("nurse")
    time.sleep(3)
    page.goto(f"{live_server.url}/patients/emergency-access/")
    page.wait_for_url(f"{provider.issuer}/interaction/**")  # prompt=login: the provider asks again
    page.fill("#login", "nurse")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{live_server.url}/patients/emergency-access/")
    assert page.locator("#id_reason").is_visible()  # the form is open
