"""The browser pages through Django's test client: access (404/403), logging and query counts."""

from __future__ import annotations

import pytest

from audit.models import AccessLogEntry, Outcome
from cases.models import CaseStatus

pytestmark = pytest.mark.django_db


def test_my_work_lists_cases_waiting_and_logs_them(
    world, halland, case_in, client, django_assert_max_num_queries
):
    case = case_in(CaseStatus.IN_REVIEW)
    client.force_login(world.users["gp_a"])
    with django_assert_max_num_queries(40):
        response = client.get("/")
    assert response.status_code == 200
    assert str(case.public_id) in response.content.decode()
    assert AccessLogEntry.objects.filter(
        patient=case.patient, action="list", user=world.users["gp_a"]
    ).exists()


def test_patient_list_query_count(world, client, django_assert_max_num_queries):
    for _i in range(5):
        world.patient()
    client.force_login(world.users["nurse_a"])
    with django_assert_max_num_queries(45):
        assert client.get("/patients/").status_code == 200


@pytest.mark.parametrize("who", ["nurse_b", "gp_b", "admin"])
def test_case_page_is_404_for_other_organisations_and_logged(world, halland, case_in, client, who):
    case = case_in(CaseStatus.IN_REVIEW)
    client.force_login(world.users[who])
    response = client.get(f"/cases/{case.public_id}/")
    assert response.status_code == 404
    assert "Karin" not in response.content.decode()
    assert AccessLogEntry.objects.filter(outcome=Outcome.DENIED, user=world.users[who]).exists()


def test_case_page_shows_only_allowed_actions(world, halland, case_in, client):
    case = case_in(CaseStatus.IN_REVIEW)  # PD: the clinic orders it, the kommun performs it
    client.force_login(world.users["gp_a"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert 'id="action-accept"' not in page  # the vårdcentral is no party to PD
    assert 'id="action-withdraw"' not in page
    client.force_login(world.users["specialist"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert 'id="action-accept"' in page
    assert 'id="action-withdraw"' not in page
    client.force_login(world.users["nurse_a"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert 'id="action-withdraw"' in page


def test_action_not_allowed_changes_nothing(world, halland, case_in, client):
    case = case_in(CaseStatus.IN_REVIEW)
    client.force_login(world.users["gp_a"])
    response = client.post(f"/cases/{case.public_id}/actions/accept/", {"accept-version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


def test_risk_analysis_approve_by_nurse_is_403(world, halland, case_in, client):
    case = case_in(CaseStatus.AWAITING_APPROVAL)
    analysis = case.risk_analyses.get()
    client.force_login(world.users["nurse_a"])
    response = client.post(f"/cases/risk-analyses/{analysis.public_id}/approve_analysis/", {})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPROVAL


def test_withdraw_without_reason_shows_error_next_to_field(world, halland, case_in, client):
    case = case_in(CaseStatus.IN_REVIEW)
    client.force_login(world.users["nurse_a"])
    response = client.post(f"/cases/{case.public_id}/actions/withdraw/", {"withdraw-version": case.version})
    assert response.status_code == 400
    assert 'id="id_withdraw-reason-error"' in response.content.decode()


def test_login_locks_out_after_repeated_failures(world, client):
    for _i in range(5):
        client.post("/accounts/login/", {"username": "nurse.a", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "nurse.a", "password": "test-password-long"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_acting_membership_is_kept_in_the_session(world, client):
    from directory.actor import ACTING_MEMBERSHIP_SESSION_KEY

    admin = world.users["admin"]
    membership = admin.memberships.order_by("pk").last()
    client.force_login(admin)
    response = client.post("/accounts/acting/", {"membership": str(membership.public_id)})
    assert response.status_code == 302
    assert client.session[ACTING_MEMBERSHIP_SESSION_KEY] == str(membership.public_id)
