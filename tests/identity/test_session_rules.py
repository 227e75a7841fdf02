"""Session rules: one acting membership, idle and absolute limits, and password sign-in turned off."""

from __future__ import annotations

import datetime
import time

import pytest
from django.test import Client

from directory.actor import ACTING_MEMBERSHIP_SESSION_KEY
from directory.models import Membership, Role
from identity.middleware import LAST_SEEN_KEY, STARTED_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture
def nurse_and_mas(world):
    """Kommun A's nurse who is also acting MAS: two memberships."""
    nurse = world.users["nurse_a"]
    Membership.objects.create(user=nurse, organisation=world.orgs["kommun_a"], role=Role.MAS)
    return nurse


def test_a_person_with_several_memberships_chooses_one_before_any_page(world, nurse_and_mas):
    client = Client()
    client.force_login(nurse_and_mas)
    page = client.get("/patients/")
    assert page.status_code == 302
    assert page["Location"].startswith("/accounts/acting/?next=")
    api = client.get("/api/v1/patients")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "acting_membership_required"
    mas = Membership.objects.get(user=nurse_and_mas, role=Role.MAS)
    chosen = client.post("/accounts/acting/", {"membership": str(mas.public_id), "next": "/patients/"})
    assert chosen.status_code == 302
    assert client.get("/patients/").status_code == 200


def test_one_membership_is_chosen_by_itself(world):
    client = Client()
    client.force_login(world.users["gp_a"])
    assert client.get("/patients/").status_code == 200
    only = Membership.objects.get(user=world.users["gp_a"])
    assert client.session[ACTING_MEMBERSHIP_SESSION_KEY] == str(only.public_id)


def test_an_ended_acting_membership_acts_in_none_and_asks_again(world, nurse_and_mas):
    client = Client()
    client.force_login(nurse_and_mas)
    mas = Membership.objects.get(user=nurse_and_mas, role=Role.MAS)
    client.post("/accounts/acting/", {"membership": str(mas.public_id), "next": "/"})
    Membership.objects.filter(pk=mas.pk).update(
        valid_from=datetime.date(2020, 1, 1), valid_to=datetime.date(2020, 12, 31)
    )
    # The first request after the end sees no patients (never every role); the next leads to the choice,
    # here to the only membership left.
    client.get("/patients/")
    assert ACTING_MEMBERSHIP_SESSION_KEY not in client.session
    assert client.get("/patients/").status_code == 200
    nurse = Membership.objects.get(user=nurse_and_mas, role=Role.NURSE)
    assert client.session[ACTING_MEMBERSHIP_SESSION_KEY] == str(nurse.public_id)


@pytest.mark.parametrize(("key", "age"), [(LAST_SEEN_KEY, 31 * 60), (STARTED_KEY, 13 * 60 * 60)])
def test_an_idle_or_too_old_session_is_ended(world, key, age):
    client = Client()
    client.force_login(world.users["gp_a"])
    assert client.get("/").status_code == 200
    session = client.session
    session[key] = int(time.time()) - age
    session.save()
    answer = client.get("/patients/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/?next=")
    assert client.get("/patients/")["Location"].startswith("/accounts/login/")


def test_password_sign_in_can_be_turned_off(world, settings):
    settings.PASSWORD_LOGIN = False
    client = Client()
    page = client.get("/accounts/login/")
    assert b"id_password" not in page.content
    answer = client.post("/accounts/login/", {"username": "gp.a", "password": "test-password-long"})
    assert answer.status_code == 403
    assert b"Logga in med SITHS" in answer.content
    assert "_auth_user_id" not in client.session


def test_no_token_for_a_password_where_password_sign_in_is_off(world, settings):
    settings.PASSWORD_LOGIN = False
    answer = Client().post(
        "/api/v1/auth/token",
        {"username": "gp.a", "password": "test-password-long"},
        content_type="application/json",
    )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "password_login_disabled"
