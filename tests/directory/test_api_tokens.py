"""A person's bearer token acts in one membership and dies with the password, the person's deactivation,
the end of its membership, or ``POST /api/v1/auth/logout``."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from directory.models import ApiToken, Membership, Role, User
from tests.fixtures.world import World, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "test-password-long"  # tests.fixtures.world.make_user's
TOKEN = "/api/v1/auth/token"
ME = "/api/v1/me"


@pytest.fixture
def nurse_and_mas(world: World) -> User:
    """A kommun A nurse who is also the kommun's acting MAS: two memberships, one person."""
    return make_user("nurse.mas.a", (world.orgs["kommun_a"], Role.NURSE), (world.orgs["kommun_a"], Role.MAS))


def _membership(user: User, role: str) -> Membership:
    return Membership.objects.get(user=user, role=role)


def _token(username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return APIClient().post(TOKEN, {"username": username, "password": password, **extra}, format="json")


def _bearer(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def _issued(username: str, **extra: Any) -> str:
    response = _token(username, **extra)
    assert response.status_code == 200, response.content
    return str(response.json()["token"])


# --- One membership per token --------------------------------------------------------------------


def test_a_person_with_one_membership_gets_a_token_for_it(world: World) -> None:
    response = _token("nurse.a")
    assert response.status_code == 200
    body = response.json()
    assert body["membership"]["role"] == "nurse"
    assert body["membership"]["organisation"]["id"] == str(world.orgs["kommun_a"].public_id)
    me = _bearer(body["token"]).get(ME).json()
    assert [(m["role"], m["organisation"]["name"]) for m in me["memberships"]] == [("nurse", "A kommun")]


def test_a_person_with_several_memberships_must_choose(nurse_and_mas: User) -> None:
    response = _token("nurse.mas.a")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "membership_required"
    assert error["fields"]["membership"]
    listed = {(m["id"], m["role"]) for m in error["memberships"]}
    assert listed == {
        (str(_membership(nurse_and_mas, Role.NURSE).public_id), "nurse"),
        (str(_membership(nurse_and_mas, Role.MAS).public_id), "mas"),
    }
    assert not ApiToken.objects.filter(user=nurse_and_mas).exists()


def test_the_token_acts_only_in_the_membership_chosen(nurse_and_mas: User) -> None:
    mas = _membership(nurse_and_mas, Role.MAS)
    raw = _issued("nurse.mas.a", membership=str(mas.public_id))
    me = _bearer(raw).get(ME).json()
    assert [(m["id"], m["role"]) for m in me["memberships"]] == [(str(mas.public_id), "mas")]
    assert ApiToken.objects.get(user=nurse_and_mas).membership == mas


def test_a_wrong_password_is_refused_before_memberships_are_shown(nurse_and_mas: User) -> None:
    response = _token("nurse.mas.a", password="wrong-password")
    assert response.status_code == 401
    assert "memberships" not in response.json()["error"]


def test_someone_elses_or_an_ended_membership_is_refused(world: World, nurse_and_mas: User) -> None:
    others = Membership.objects.get(user=world.users["mas_a"])
    response = _token("nurse.mas.a", membership=str(others.public_id))
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["membership"]
    ended = _membership(nurse_and_mas, Role.MAS)
    ended.valid_to = timezone.localdate() - datetime.timedelta(days=1)
    ended.save(update_fields=["valid_to"])
    response = _token("nurse.mas.a", membership=str(ended.public_id))
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=nurse_and_mas).exists()
    # With the MAS membership ended she has one left, and gets a token for it without choosing.
    assert _token("nurse.mas.a").json()["membership"]["role"] == "nurse"


def test_a_token_stops_when_its_membership_ends(nurse_and_mas: User) -> None:
    mas = _membership(nurse_and_mas, Role.MAS)
    raw = _issued("nurse.mas.a", membership=str(mas.public_id))
    assert _bearer(raw).get(ME).status_code == 200
    mas.valid_to = timezone.localdate() - datetime.timedelta(days=1)
    mas.save(update_fields=["valid_to"])
    assert _bearer(raw).get(ME).status_code == 401
    assert ApiToken.objects.get(user=nurse_and_mas).revoked_at is not None
    # Reopening the membership does not bring the token back.
    mas.valid_to = None
    mas.save(update_fields=["valid_to"])
    assert _bearer(raw).get(ME).status_code == 401


def test_a_token_whose_membership_is_deleted_acts_in_no_other(nurse_and_mas: User) -> None:
    mas = _membership(nurse_and_mas, Role.MAS)
    raw = _issued("nurse.mas.a", membership=str(mas.public_id))
    mas.delete()  # the admin may delete a membership; the token is kept, bound to none
    assert ApiToken.objects.get(user=nurse_and_mas).membership is None
    assert _bearer(raw).get(ME).status_code == 401  # never the nurse membership that is left


def test_a_personal_token_cannot_widen_itself_with_delegation_headers(nurse_and_mas: User) -> None:
    nurse = _membership(nurse_and_mas, Role.NURSE)
    mas = _membership(nurse_and_mas, Role.MAS)
    raw = _issued("nurse.mas.a", membership=str(nurse.public_id))
    response = _bearer(raw).get(ME, HTTP_X_ACTING_MEMBERSHIP=str(mas.public_id))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "on_behalf_of_not_allowed"


# --- Revocation ----------------------------------------------------------------------------------


def test_logout_revokes_the_calling_token_only(world: World) -> None:
    first, second = _issued("nurse.a"), _issued("nurse.a")
    response = _bearer(first).post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert _bearer(first).get(ME).status_code == 401
    assert _bearer(first).post("/api/v1/auth/logout").status_code == 401
    assert _bearer(second).get(ME).status_code == 200
    assert ApiToken.objects.filter(user=world.users["nurse_a"], revoked_at__isnull=False).count() == 1


def test_logout_needs_a_personal_token(world: World) -> None:
    client = APIClient(enforce_csrf_checks=False)
    client.force_login(world.users["nurse_a"])
    response = client.post("/api/v1/auth/logout")
    assert response.status_code == 403
    assert "POST /api/v1/auth/token" in response.json()["error"]["message"]
    assert APIClient().post("/api/v1/auth/logout").status_code in (401, 403)


def test_a_password_change_revokes_the_tokens(world: World) -> None:
    raw = _issued("nurse.a")
    user = world.users["nurse_a"]
    user.set_password("a-new-long-password-2026")
    user.save()
    assert _bearer(raw).get(ME).status_code == 401
    assert ApiToken.objects.get(user=user).revoked_at is not None
    # Changing it back does not revive the token; the new password gets a new one.
    user.set_password(PASSWORD)
    user.save()
    assert _bearer(raw).get(ME).status_code == 401
    assert _bearer(_issued("nurse.a")).get(ME).status_code == 200


def test_a_password_changed_with_the_management_command_revokes_the_tokens(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _issued("nurse.a")
    answers = iter(["another-long-password-2026", "another-long-password-2026"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("changepassword", "nurse.a")
    assert _bearer(raw).get(ME).status_code == 401


def test_deactivating_a_person_revokes_the_tokens(world: World) -> None:
    raw = _issued("nurse.a")
    user = world.users["nurse_a"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert _bearer(raw).get(ME).status_code == 401
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert _bearer(raw).get(ME).status_code == 401


def test_a_person_deactivated_behind_the_models_back_is_refused(world: World) -> None:
    raw = _issued("nurse.a")
    User.objects.filter(pk=world.users["nurse_a"].pk).update(is_active=False)
    assert _bearer(raw).get(ME).status_code == 401
    assert ApiToken.objects.get(user=world.users["nurse_a"]).revoked_at is not None
