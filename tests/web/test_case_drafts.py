"""Drafts through the pages: saved incomplete from the new-case page, changed on the draft's page (filled
in as it is, with the live proposal, the version checked and a one-time token), submitted only when
complete (every missing piece named), and listed on "My work" and the patient page with a link back.
"""

from __future__ import annotations

import re
import uuid

import pytest

from cases.models import CaseEvent, CaseStatus, ResponsibilityCase
from tests.fixtures.agreements import PD, WOUND

pytestmark = pytest.mark.django_db

MISSING_TASKS = "Ingen insats är vald: välj minst en insats."
MISSING_BACKGROUND = "Bakgrunden saknas: beskriv varför insatserna efterfrågas."


def _body(world, **extra: object) -> dict[str, object]:
    return {
        "trigger": "discharge",
        "urgency": "routine",
        "background": "",
        "shift_planning": "unknown",
        "specialist_clinic": str(world.orgs["clinic"].public_id),
        "form_token": uuid.uuid4().hex,
        **extra,
    }


def _edit(case: ResponsibilityCase) -> str:
    return f"/cases/{case.public_id}/edit/"


def test_the_new_case_page_saves_an_incomplete_draft_and_the_case_page_says_it_is_one(world, halland, client):
    patient = world.patient()
    client.force_login(world.users["nurse_a"])
    new = client.get(f"/cases/new/{patient.public_id}/").content.decode()
    assert "Spara utkast" in new
    assert "Skicka" in new
    response = client.post(f"/cases/new/{patient.public_id}/", _body(world, save="1"))
    assert response.status_code == 302, response.content.decode()
    case = ResponsibilityCase.objects.get(patient=patient)
    assert case.status == CaseStatus.DRAFT
    assert case.tasks.count() == 0
    page = client.get(response["Location"]).content.decode()
    assert "Utkast – inte skickat" in page
    assert f'href="{_edit(case)}"' in page
    assert "Ändra utkastet" in page
    # What is still missing is named before anyone tries to submit.
    assert "Innan utkastet kan skickas:" in page
    assert MISSING_TASKS in page
    assert MISSING_BACKGROUND in page


def test_only_those_who_may_change_the_draft_get_the_link(world, halland, drive, client):
    case = drive.open(tasks=(), background="")
    client.force_login(world.users["mas_a"])
    page = client.get(f"/cases/{case.public_id}/")
    assert page.status_code == 200
    assert "Utkast – inte skickat" in page.content.decode()
    assert _edit(case) not in page.content.decode()
    refused = client.get(_edit(case))
    assert refused.status_code == 302
    assert refused["Location"] == f"/cases/{case.public_id}/"


def test_submitting_an_incomplete_new_case_lists_what_is_missing_and_creates_nothing(world, halland, client):
    patient = world.patient()
    client.force_login(world.users["nurse_a"])
    response = client.post(f"/cases/new/{patient.public_id}/", _body(world, submit="1"))
    assert response.status_code == 400
    page = response.content.decode()
    assert MISSING_TASKS in page
    assert MISSING_BACKGROUND in page
    assert not ResponsibilityCase.objects.filter(patient=patient).exists()


def test_the_draft_page_is_filled_in_as_the_draft_is_with_the_proposal(world, halland, drive, client):
    case = drive.open(tasks=(PD, WOUND), background="Anhörig orolig för natten.", trigger="changed_needs")
    client.force_login(world.users["nurse_a"])
    response = client.get(_edit(case))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ändra utkastet" in page
    assert "Anhörig orolig för natten." in page
    for code in (PD, WOUND):
        assert re.search(rf'<input[^>]*value="{code}"[^>]*checked', page), code
    assert re.search(r'<input[^>]*name="trigger"[^>]*value="changed_needs"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="increased_staff_time"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="patient_safety_risk"[^>]*checked', page)
    assert not re.search(r'<input[^>]*name="competence_needed"[^>]*checked', page)
    assert re.search(rf'<input[^>]*name="version"[^>]*value="{case.version}"', page)
    # The live proposal panel, as on the new-case page: the clinic orders PD.
    assert f'hx-post="/cases/new/{case.patient.public_id}/proposal/"' in page
    proposal = page.split('id="proposal"', 1)[1]
    assert world.orgs["clinic"].name in proposal


def test_saving_the_draft_keeps_it_a_draft_with_the_changes(world, halland, drive, client):
    case = drive.open(tasks=(PD,), background="")
    client.force_login(world.users["nurse_a"])
    response = client.post(
        _edit(case),
        _body(world, save="1", version=case.version, tasks=[WOUND], background="Sår på underbenet."),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.public_id}/"
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.background == "Sår på underbenet."
    assert [t.task_type.code for t in case.tasks.all()] == [WOUND]


def test_the_draft_page_submits_a_complete_draft(world, halland, drive, client):
    case = drive.open(tasks=(), background="")
    client.force_login(world.users["nurse_a"])
    response = client.post(
        _edit(case), _body(world, submit="1", version=case.version, tasks=[PD], background="PD i hemmet.")
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


def test_submitting_an_incomplete_draft_lists_every_missing_piece_and_writes_nothing(
    world, halland, drive, client
):
    case = drive.open(tasks=(PD,), background="Utskriven.")
    case.refresh_from_db()
    version, events = case.version, CaseEvent.objects.filter(case=case).count()
    client.force_login(world.users["nurse_a"])
    response = client.post(_edit(case), _body(world, submit="1", version=case.version))
    assert response.status_code == 400
    page = response.content.decode()
    assert MISSING_TASKS in page
    assert MISSING_BACKGROUND in page
    case.refresh_from_db()
    assert (case.status, case.version, case.background) == (CaseStatus.DRAFT, version, "Utskriven.")
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_stale_save_keeps_what_was_typed_and_changes_nothing(world, halland, drive, client):
    case = drive.open(tasks=(PD,), background="Först.")
    read_version = case.version
    client.force_login(world.users["nurse_a"])
    client.post(
        _edit(case), _body(world, save="1", version=read_version, tasks=[PD], background="Andra fliken.")
    )
    case.refresh_from_db()
    response = client.post(
        _edit(case), _body(world, save="1", version=read_version, tasks=[WOUND], background="Min text.")
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Min text." in page
    assert "Någon annan ändrade ärendet" in page
    assert re.search(rf'<input[^>]*value="{WOUND}"[^>]*checked', page)
    assert re.search(rf'<input[^>]*name="version"[^>]*value="{case.version}"', page)
    case.refresh_from_db()
    assert case.background == "Andra fliken."


def test_the_same_form_sent_twice_saves_once(world, halland, drive, client):
    case = drive.open(tasks=(PD,), background="")
    client.force_login(world.users["nurse_a"])
    body = _body(world, save="1", version=case.version, tasks=[PD], background="En gång.")
    first = client.post(_edit(case), body)
    again = client.post(_edit(case), body)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert CaseEvent.objects.filter(case=case, kind="updated").count() == 1


def test_a_submitted_case_is_not_changed_on_the_draft_page(world, halland, case_in, client):
    case = case_in(CaseStatus.IN_REVIEW)
    client.force_login(world.users["nurse_a"])
    response = client.post(_edit(case), _body(world, save="1", version=case.version, tasks=[PD]))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert not CaseEvent.objects.filter(case=case, kind="updated").exists()


def test_my_work_and_the_patient_page_list_the_draft_with_a_link_to_continue(world, halland, drive, client):
    patient = world.patient()
    case = drive.open(patient=patient, tasks=(), background="")
    client.force_login(world.users["nurse_a"])
    for url in ("/", f"/patients/{patient.public_id}/"):
        page = client.get(url).content.decode()
        assert f'href="{_edit(case)}"' in page, url
        assert "Fortsätt med utkastet" in page, url
