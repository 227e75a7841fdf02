"""A kommun nurse records the PD training her unit received, from the navigation to the register's list,
in Chromium: the form says what is wrong in Swedish, the list shows the training, and the pages pass axe
and the content security policy."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from competence.models import CompetenceTransfer
from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nurse_records_a_training_and_sees_it_in_the_register(
    live_server, world, halland, as_user, csp_violations
):
    CompetenceTransfer.objects.filter(receiving_unit=world.orgs["kommun_a"]).delete()
    nurse = as_user("nurse.a")
    nurse.get_by_role("link", name="Kompetens och delegering").click()
    expect(nurse.locator("main")).to_contain_text("Inga kompetensöverföringar registrerade.")
    nurse.get_by_role("link", name="Registrera en kompetensöverföring").click()
    today = datetime.date.today()
    nurse.select_option("#id_task_type", label="Peritonealdialys (PD)")
    nurse.select_option("#id_training_unit", label="Njurmedicin Test")
    nurse.fill("#id_trainers", "Karin Lind, PD-sjuksköterska")
    nurse.select_option("#id_receiving_unit", label="A kommun")
    nurse.fill("#id_trained_staff", "Anna Nurse, Bo Nurse")
    nurse.fill("#id_trained_on", today.isoformat())
    nurse.fill("#id_valid_until", (today - datetime.timedelta(days=1)).isoformat())
    nurse.get_by_role("button", name="Registrera").click()
    assert "Utbildningen kan inte upphöra innan den gavs." in nurse.locator(".error-summary").inner_text()
    assert axe_violations(nurse) == []

    nurse.fill("#id_valid_until", (today + datetime.timedelta(days=365)).isoformat())
    nurse.get_by_role("button", name="Registrera").click()
    row = nurse.locator("table tbody tr").first
    assert "Anna Nurse, Bo Nurse" in row.inner_text()
    assert "Gäller" in row.inner_text()
    assert axe_violations(nurse) == []
    assert csp_violations == []
