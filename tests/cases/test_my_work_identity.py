"""Skyddad identitet in the lists of cases: each row shows the patient's identity exactly when the case
page does, by the patient rule (``access.patients.identity_visible``).

The nurse of the kommun that treats a patient with skyddad identitet sees the name in "My work" and in
the patient page's list of open cases, as on the case page; a specialist on the case, or a coordinator
who reaches the patient, sees the identity masked everywhere.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from audit.models import AccessLogEntry, Action
from cases.models import CaseStatus, ResponsibilityCase
from patients.models import Patient
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db

MASKED = "Protected identity"


@pytest.fixture
def protected(world: World) -> Patient:
    return world.patient(protected=True, given_name="Sigrid", family_name="Hemlig")


def _page(world: World, who: str, path: str) -> str:
    client = Client()
    client.force_login(world.users[who])
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def _row(case: ResponsibilityCase, label: str) -> str:
    """The first cell of the case's row in a list of cases (``cases/_case_table.html``)."""
    return f'href="/cases/{case.public_id}/">{label}</a>'


def test_the_treating_nurse_sees_the_name_in_my_work(
    world: World, case_in: Callable[..., ResponsibilityCase], protected: Patient
) -> None:
    case = case_in(CaseStatus.DRAFT, patient=protected)
    identity = f"{protected.full_name}, {protected.formatted_identity}"

    home = _page(world, "nurse_a", "/")
    assert _row(case, identity) in home
    assert _row(case, MASKED) not in home
    # The case page says the same.
    assert identity in _page(world, "nurse_a", f"/cases/{case.public_id}/")
    # The row is still logged once, as listed, through the membership that grants the case.
    listed = AccessLogEntry.objects.filter(
        user=world.users["nurse_a"], action=Action.LIST, record_id=str(case.public_id)
    )
    assert listed.count() == 1
    assert listed.get().organisation == world.orgs["kommun_a"]


def test_the_treating_nurse_sees_the_name_in_the_patients_open_cases(
    world: World, case_in: Callable[..., ResponsibilityCase], protected: Patient
) -> None:
    case = case_in(CaseStatus.DRAFT, patient=protected)
    page = _page(world, "nurse_a", f"/patients/{protected.public_id}/")
    assert _row(case, f"{protected.full_name}, {protected.formatted_identity}") in page


def test_a_specialist_on_the_case_sees_it_masked_in_my_work_as_on_the_case_page(
    world: World, case_in: Callable[..., ResponsibilityCase], protected: Patient
) -> None:
    # While the risk analysis is written, the case is on the clinic's list too (the specialist signs).
    case = case_in(CaseStatus.RISK_ANALYSIS, patient=protected)

    home = _page(world, "specialist", "/")
    assert _row(case, MASKED) in home
    assert protected.family_name not in home
    case_page = _page(world, "specialist", f"/cases/{case.public_id}/")
    assert protected.family_name not in case_page
    assert MASKED in case_page


def test_a_coordinator_who_reaches_the_patient_sees_it_masked_in_the_patients_open_cases(
    world: World, case_in: Callable[..., ResponsibilityCase], protected: Patient
) -> None:
    case = case_in(CaseStatus.DRAFT, patient=protected)
    page = _page(world, "coordinator_a", f"/patients/{protected.public_id}/")
    assert _row(case, MASKED) in page
    assert protected.family_name not in page
