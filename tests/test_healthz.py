"""/healthz names each part that answers or not; /readyz says whether the instance can serve; /livez
only that the process answers."""

from __future__ import annotations

import pytest
from django.test import override_settings

pytestmark = pytest.mark.django_db


@override_settings(CELERY_TASK_ALWAYS_EAGER=False)
def test_healthy_with_postgres_and_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["cache"]["ok"] is True
    assert body["down"] == []


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_broker_down_is_503_and_named(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["ok"] is False
    assert response.json()["database"]["ok"] is True
    assert response.json()["down"] == ["broker"]


@override_settings(CELERY_TASK_ALWAYS_EAGER=False, CELERY_BROKER_URL="redis://127.0.0.1:1/0")
def test_broker_down_leaves_the_instance_ready_but_degraded(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["degraded"] == ["broker"]
    assert response.json()["down"] == []


def test_alive_without_asking_anything(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}
    assert "no-store" in response["Cache-Control"]
