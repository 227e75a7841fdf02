"""Password guessing is slowed per client address, and the address is the access log's: a client cannot
pick a fresh one per request with ``X-Forwarded-For``, but a trusted reverse proxy's header is believed.

Two limits: the token endpoint's rate per address (``auth_token``), and django-axes' lockout, which also
counts failures per address over all usernames (one password sprayed over many accounts).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from directory.models import ApiToken, User
from tests.fixtures.world import World, make_user

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"
PASSWORD = "test-password-long"  # tests.fixtures.world.make_user's
SPRAYED = "Sommar2026!"


@pytest.fixture
def rates(settings: Any):
    def set_rates(**rates: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates


@pytest.fixture
def staff(world: World) -> list[User]:
    kommun = world.orgs["kommun_a"]
    return [make_user(f"personal.{n:02d}", (kommun, "nurse")) for n in range(30)]


def _token(username: str, password: str, *, remote: str = "198.51.100.7", forwarded: str = "") -> Any:
    headers: dict[str, Any] = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return APIClient().post(TOKEN, {"username": username, "password": password}, format="json", **headers)


def test_rotating_x_forwarded_for_from_an_untrusted_peer_is_still_throttled(world, staff, rates, settings):
    settings.TRUSTED_PROXIES = []
    settings.AXES_ADDRESS_FAILURE_LIMIT = 1000  # the rate limit, not the lockout, is under test
    rates(auth_token="20/min")
    statuses = [
        _token(user.username, "wrong-password", forwarded=f"203.0.113.{n}").status_code
        for n, user in enumerate(staff[:25])
    ]
    assert statuses[:20] == [401] * 20
    assert statuses[20:] == [429] * 5
    throttled = _token("nurse.a", PASSWORD, forwarded="203.0.113.200")
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "throttled"
    assert int(throttled["Retry-After"]) > 0
    assert not ApiToken.objects.exists()


def test_spraying_one_password_over_many_usernames_locks_the_address(world, staff, rates, settings):
    settings.TRUSTED_PROXIES = []
    settings.AXES_ADDRESS_FAILURE_LIMIT = 10
    rates(auth_token="1000/min")  # the lockout, not the rate limit, is under test
    statuses = [
        _token(user.username, SPRAYED, forwarded=f"203.0.113.{n}").status_code for n, user in enumerate(staff)
    ]
    # Each username failed once, far below the per-username limit; the address is locked all the same.
    assert statuses[:9] == [401] * 9
    assert set(statuses[10:]) == {429}
    locked = _token("nurse.a", PASSWORD, forwarded="203.0.113.250")
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    assert not ApiToken.objects.exists()
    # Another address is not affected.
    assert _token("nurse.a", PASSWORD, remote="198.51.100.99").status_code == 200


def test_spraying_on_the_login_page_is_locked_too(world, staff, settings):
    settings.TRUSTED_PROXIES = []
    settings.AXES_ADDRESS_FAILURE_LIMIT = 5
    browser = Client(REMOTE_ADDR="198.51.100.7")
    statuses = [
        browser.post(
            "/accounts/login/",
            {"username": user.username, "password": SPRAYED},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n, user in enumerate(staff[:8])
    ]
    assert statuses[:4] == [200] * 4  # the form again, with the error
    assert statuses[-1] == 429
    response = browser.post("/accounts/login/", {"username": "nurse.a", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in browser.session


def test_a_trusted_proxys_forwarded_address_is_honoured(world, staff, rates, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.AXES_ADDRESS_FAILURE_LIMIT = 5
    rates(auth_token="3/min")
    proxy = "10.0.0.2"
    # Clients behind the proxy each have their own count: ten clients, two requests each, none throttled.
    for n in range(10):
        for _attempt in range(2):
            response = _token("nurse.a", "wrong-password", remote=proxy, forwarded=f"203.0.113.{n}")
            assert response.status_code == 401
    # Twenty failures for nurse.a through one proxy, but two per client: nobody is locked out.
    ok = _token("nurse.a", PASSWORD, remote=proxy, forwarded="203.0.113.99")
    assert ok.status_code == 200, ok.content
    # One client behind the proxy is counted by its own address: its fourth request is throttled.
    statuses = [
        _token(user.username, SPRAYED, remote=proxy, forwarded="6.6.6.6, 203.0.113.77").status_code
        for user in staff[:4]
    ]
    assert statuses == [401, 401, 401, 429]
