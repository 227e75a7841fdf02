"""In Chromium: emergency access from a patient search; the SIP editor's rows and withdrawal of consent."""

from __future__ import annotations

import pytest

from audit.models import AccessLogEntry, Purpose
from documents.models import DocumentStatus
from sip import services
from sip.models import ConsentWithdrawal, SipInsats
from tests.browser.conftest import axe_violations, screenshot
from tests.fixtures.sip import fill
from tests.web.test_patient_documents import make_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_emergency_access_from_a_search(live_server, world, as_user):
    patient = world.patient(given_name="Greta", family_name="Nilsson")
    axe_problems = {}

    gp = as_user("gp.b")  # another vårdcentral: no care relationship with Greta
    gp.goto(f"{live_server.url}/patients/?q={patient.formatted_identity}")
    offer = gp.locator("#emergency-heading")
    offer.wait_for()
    assert "Greta" not in gp.content()
    axe_problems["search with emergency offer"] = axe_violations(gp)

    # Without a reason and confirmation: the messages, in Swedish, and still nothing about the patient.
    gp.get_by_role("button", name="Öppna med nödåtkomst").click()
    gp.locator("#error-summary").wait_for()
    assert gp.evaluate("document.activeElement.id") == "error-summary"
    assert "Ange varför du behöver nödåtkomst" in gp.locator("#id_reason-error").inner_text()
    assert "Bekräfta att du behöver nödåtkomst" in gp.locator("#id_confirm-error").inner_text()
    assert "Greta" not in gp.content()
    axe_problems["emergency form with errors"] = axe_violations(gp)

    gp.get_by_label("Varför behöver du patientens uppgifter nu?").fill("Akut hembesök under jouren.")
    gp.locator("#id_confirm").check()
    gp.get_by_role("button", name="Öppna med nödåtkomst").click()
    gp.locator("#emergency-notice").wait_for()
    assert gp.locator("h1").inner_text() == "Greta Nilsson"
    screenshot(gp, "20-emergency-access")
    axe_problems["patient by emergency access"] = axe_violations(gp)

    entry = AccessLogEntry.objects.get(purpose=Purpose.EMERGENCY_ACCESS)
    assert (entry.patient_id, entry.reason) == (patient.pk, "Akut hembesök under jouren.")

    serious = {name: found for name, found in axe_problems.items() if found}
    assert not serious, serious


def test_sip_row_added_and_consent_withdrawn(live_server, world, sip_from_case, nurse, as_user):
    axe_problems = {}
    url = f"{live_server.url}/sip/{sip_from_case.public_id}/"

    page = as_user("nurse.a")
    page.goto(url)
    page.get_by_role("button", name="Lägg till en insats").click()
    new_row = page.locator("#id_insats_2_description")
    new_row.wait_for()
    assert page.evaluate("document.activeElement.id") == "id_insats_2_description"
    new_row.fill("Blodtryckskontroll varje månad")
    page.select_option("#id_insats_2_responsible", label="A kommun")
    screenshot(page, "22-sip-editor-new-insats-row")
    axe_problems["sip editor with a new row"] = axe_violations(page)
    page.get_by_role("button", name="Spara utkastet").last.click()
    page.locator(".message-success").wait_for()
    assert SipInsats.objects.filter(version__sip=sip_from_case).count() == 3
    assert SipInsats.objects.filter(description="Blodtryckskontroll varje månad").exists()

    # The plan finalised with consent (by the services: the editor's own flow is test_flow's).
    sip_from_case.refresh_from_db()
    fill(sip_from_case, nurse, world, insatser=None)
    services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)

    page.goto(url)
    page.get_by_role("link", name="Registrera att samtycket har återkallats").click()
    page.wait_for_url("**/consent/withdraw/")
    axe_problems["consent withdrawal form"] = axe_violations(page)
    page.get_by_label("Personen själv").check()
    page.get_by_label("Namn på den som återkallade samtycket").fill("Karin Svensson")
    page.get_by_role("button", name="Fortsätt").click()
    page.locator("#confirm-heading").wait_for()
    assert not ConsentWithdrawal.objects.exists()
    axe_problems["consent withdrawal confirmation"] = axe_violations(page)
    page.get_by_role("button", name="Ja, registrera återkallelsen").click()
    page.locator("#consent-withdrawn").wait_for()
    screenshot(page, "21-sip-consent-withdrawn")
    assert ConsentWithdrawal.objects.get().withdrawn_by_name == "Karin Svensson"

    # The patient page lists the plan's PDF among the patient's documents.
    make_document(world, sip_from_case.patient, status=DocumentStatus.READY)
    page.goto(f"{live_server.url}/patients/{sip_from_case.patient.public_id}/")
    page.locator("#patient-documents a[download]").wait_for()
    axe_problems["patient page with documents"] = axe_violations(page)

    # Sharing stops: the vårdcentral sees that consent was withdrawn, not the plan.
    gp = as_user("gp.a")
    gp.goto(url)
    assert "Blodtryckskontroll" not in gp.content()
    assert gp.locator("p.notice").count() == 1

    serious = {name: found for name, found in axe_problems.items() if found}
    assert not serious, serious
