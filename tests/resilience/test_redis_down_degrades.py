"""Redis (broker and cache) down: people keep signing in, getting tokens and reading pages.

A rate limit and the broker protect and carry the service; neither may take it down. With the
throwaway Redis stopped, a password sign-in, an API token, the home page, My work and a patient list all
answer as usual, ``/healthz`` names the broker (not the database) as the part that is down, ``/readyz``
says the instance can still serve, and ``/livez`` says the process is alive.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.fixtures.world import PASSWORD

from .conftest import Broker

pytestmark = pytest.mark.django_db(transaction=True)


def _requests(world: Any) -> dict[str, int]:
    nurse = world.users["nurse_a"]
    answers: dict[str, int] = {}
    token = APIClient().post(
        "/api/v1/auth/token", {"username": nurse.username, "password": PASSWORD}, format="json"
    )
    answers["token"] = token.status_code
    if token.status_code == 200:
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
        answers["api patients"] = api.get("/api/v1/patients").status_code
        answers["api cases"] = api.get("/api/v1/cases").status_code
    browser = Client()
    login = browser.post("/accounts/login/", {"username": nurse.username, "password": PASSWORD})
    answers["login"] = login.status_code
    for path in ("/", "/patients/", "/figures/"):
        answers[path] = browser.get(path).status_code
    return answers


def test_with_redis_down_sign_in_tokens_and_pages_keep_working(broker: Broker, world, client) -> None:
    up = _requests(world)
    assert all(code < 500 for code in up.values()), up

    broker.redis.stop()
    down = _requests(world)
    assert down == up

    health = client.get("/healthz")
    assert health.status_code == 503
    body = health.json()
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is False
    assert body["cache"]["ok"] is False
    assert body["down"] == ["broker", "cache"]

    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.content
    assert ready.json()["degraded"] == ["broker", "cache"]
    assert client.get("/livez").status_code == 200

    broker.redis.start()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").json()["degraded"] == []
