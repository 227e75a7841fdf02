"""The case page tells the whole story, and nothing typed is lost or created twice.

Through the pages with Django's test client: the story at the top for every party, the one-time token
of a creating form (a second POST goes where the first went), the warning about a second open case, a
version conflict that keeps what was typed, the signer's "return with comments", a new analysis version
that starts as a copy of the last, and dates in the past refused.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from cases.models import AnalysisStatus, CaseEvent, CaseStatus, ResponsibilityCase
from tests.fixtures.agreements import PD

pytestmark = pytest.mark.django_db


def _new_case_body(world, token: str, **extra: str) -> dict[str, object]:
    return {
        "trigger": "discharge",
        "urgency": "urgent",
        "tasks": [PD],
        "background": "Utskriven från njurmedicin med PD; behöver påsbyten fyra gånger dagligen.",
        "shift_planning": "unknown",
        "specialist_clinic": str(world.orgs["clinic"].public_id),
        "save": "1",
        "form_token": token,
        **extra,
    }


def test_every_party_reads_the_background_urgency_and_impact_at_the_top(world, halland, drive, client):
    case = drive.open(background="Utskriven med PD; anhörig orolig för natten.")
    case = drive.submit(case)
    for who in ("gp_a", "specialist", "nurse_a", "mas_a"):
        client.force_login(world.users[who])
        page = client.get(f"/cases/{case.public_id}/").content.decode().lower()
        assert "anhörig orolig för natten" in page, who
        assert "ökad personaltid" in page, who
        assert "patientsäkerhetsrisk" in page, who


def test_a_second_post_with_the_same_token_creates_one_case(world, halland, client):
    patient = world.patient()
    client.force_login(world.users["nurse_a"])
    token = uuid.uuid4().hex
    first = client.post(f"/cases/new/{patient.public_id}/", _new_case_body(world, token))
    assert first.status_code == 302
    again = client.post(f"/cases/new/{patient.public_id}/", _new_case_body(world, token))
    assert again.status_code == 302
    assert again["Location"] == first["Location"]
    assert ResponsibilityCase.objects.filter(patient=patient).count() == 1


def test_a_second_open_case_for_the_same_task_warns_and_needs_a_confirmation(world, halland, client):
    patient = world.patient()
    client.force_login(world.users["nurse_a"])
    client.post(f"/cases/new/{patient.public_id}/", _new_case_body(world, uuid.uuid4().hex))
    first = ResponsibilityCase.objects.get(patient=patient)
    warned = client.post(f"/cases/new/{patient.public_id}/", _new_case_body(world, uuid.uuid4().hex))
    assert warned.status_code == 400
    assert f"/cases/{first.public_id}/" in warned.content.decode()
    assert ResponsibilityCase.objects.filter(patient=patient).count() == 1
    confirmed = client.post(
        f"/cases/new/{patient.public_id}/",
        _new_case_body(world, uuid.uuid4().hex, confirm_duplicate="1"),
    )
    assert confirmed.status_code == 302
    assert ResponsibilityCase.objects.filter(patient=patient).count() == 2


def test_a_comment_posted_twice_is_added_once(world, halland, case_in, client):
    case = case_in(CaseStatus.IN_REVIEW)
    client.force_login(world.users["coordinator_a"])
    body = {
        "comment-version": case.version,
        "comment-text": "Ringer anhörig i morgon.",
        "form_token": "a" * 32,
    }
    assert client.post(f"/cases/{case.public_id}/actions/comment/", body).status_code == 302
    assert client.post(f"/cases/{case.public_id}/actions/comment/", body).status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="comment").count() == 1


def test_a_version_conflict_keeps_what_was_typed(world, halland, case_in, drive, client):
    case = case_in(CaseStatus.IN_REVIEW)
    read_version = case.version
    drive.comment(case, "Någon annan skrev först.")
    client.force_login(world.users["nurse_a"])
    response = client.post(
        f"/cases/{case.public_id}/actions/withdraw/",
        {"withdraw-version": read_version, "withdraw-reason": "Patienten har flyttat till Borås."},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Patienten har flyttat till Borås." in page
    assert "Någon annan skrev först." in page
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


def test_the_signer_returns_the_analysis_and_the_next_version_starts_as_a_copy(
    world, halland, case_in, drive, client
):
    case = case_in(CaseStatus.RISK_ANALYSIS)
    analysis = drive.analyse(case)
    case.refresh_from_db()
    client.force_login(world.users["gp_a"])
    page = client.get(f"/cases/{case.public_id}/risk-analysis/").content.decode()
    assert "sign_analysis" not in page  # PD: the specialist is the one signer
    client.force_login(world.users["specialist"])
    response = client.post(
        f"/cases/risk-analyses/{analysis.public_id}/return_analysis/",
        {"return-version": case.version, "return-reason": "Beskriv larmvägen nattetid."},
    )
    assert response.status_code == 302
    analysis.refresh_from_db()
    assert analysis.status == AnalysisStatus.REJECTED
    client.force_login(world.users["nurse_a"])
    page = client.get(f"/cases/{case.public_id}/risk-analysis/").content.decode()
    assert "Peritonit vid påsbyte" in page  # the new version's form starts from the last one


def test_past_review_and_measure_dates_are_refused(world, halland, case_in, client):
    case = case_in(CaseStatus.RISK_ANALYSIS)
    client.force_login(world.users["nurse_a"])
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        f"/cases/{case.public_id}/risk-analysis/",
        {
            "version": case.version,
            "hazard-TOTAL_FORMS": "1",
            "hazard-INITIAL_FORMS": "0",
            "hazard-0-description": "Fall vid påsbyte",
            "hazard-0-likelihood": "2",
            "hazard-0-consequence": "2",
            "hazard-0-measure": "Halkskydd",
            "hazard-0-measure_owner": str(world.orgs["kommun_a"].public_id),
            "hazard-0-measure_due": yesterday,
            "review_on": yesterday,
        },
    )
    assert response.status_code == 400
    assert not case.risk_analyses.exists()


def test_the_api_refuses_a_past_review_date_naming_the_field(world, halland, case_in, act):
    case = case_in(CaseStatus.RISK_ANALYSIS)
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = act(
        world.users["nurse_a"],
        case,
        f"cases/{case.public_id}/risk-analyses",
        {
            "review_on": yesterday,
            "hazards": [{"description": "Fall", "likelihood": 2, "consequence": 2}],
        },
    )
    assert response.status_code == 400
    assert "review_on" in response.content.decode()


def test_the_new_case_form_shows_every_mistake_at_once_and_keeps_the_confirmation(world, halland, client):
    patient = world.patient()
    client.force_login(world.users["nurse_a"])
    body = _new_case_body(world, uuid.uuid4().hex, confirm_duplicate="1", **{"basis-kind": "menprovning"})
    body.pop("trigger")  # the case form's mistake; the menprövning's fields are left empty too
    answer = client.post(f"/cases/new/{patient.public_id}/", body)
    assert answer.status_code == 400
    page = answer.content.decode()
    summary = page.split('id="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_trigger_0"' in summary  # a radio group's mistake links to its first choice
    basis = page.split('id="basis-errors"')[1].split("</div>")[0]
    assert "basis-" in basis or "Bedöm" in basis or "<li>" in basis  # the menprövning's, at the same time
    assert not ResponsibilityCase.objects.filter(patient=patient).exists()


def test_a_confirmed_second_case_stays_confirmed_when_another_mistake_sends_the_form_back(
    world, halland, client
):
    patient = world.patient()
    client.force_login(world.users["nurse_a"])
    client.post(f"/cases/new/{patient.public_id}/", _new_case_body(world, uuid.uuid4().hex))
    backwards = {
        "stay_kommun": str(world.orgs["kommun_b"].public_id),
        "stay_from": "2026-08-01",
        "stay_to": "2026-07-01",
    }
    answer = client.post(
        f"/cases/new/{patient.public_id}/",
        _new_case_body(world, uuid.uuid4().hex, confirm_duplicate="1", **backwards),
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "checked" in page.split('name="confirm_duplicate"')[1].split(">")[0]
    assert ResponsibilityCase.objects.filter(patient=patient).count() == 1


def test_the_comment_forms_button_says_what_it_does(world, halland, case_in, client):
    """Under the heading "Kommentarer" and the field "Kommentar", the button is a verb, not a third
    "Kommentar"."""
    case = case_in(CaseStatus.IN_REVIEW)
    client.force_login(world.users["nurse_a"])
    html = client.get(f"/cases/{case.public_id}/").content.decode()
    form = html.split('id="action-comment"')[1].split("</form>")[0]
    assert '<button type="submit" class="primary">Skicka kommentaren</button>' in form
