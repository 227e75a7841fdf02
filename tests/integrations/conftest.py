"""Fixtures for API clients and webhooks: clients scoped to one kommun, tokens, and the name lookups of
webhook hosts (DNS is what leaves the machine).

The webhook receiver (``receiver``), the case fixtures (``halland``, ``case_in``) and the real Celery
worker (``start_worker``) come from ``tests/fixtures/``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from integrations import services, webhooks
from integrations.models import ApiClient, ClientAccess
from tests.fixtures.world import World


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(own_rate_limit_counters: None) -> None:
    pass


# What the webhook hosts of the tests resolve to: a public address (example.com's), never connected to.
PUBLIC_ADDRESS = "93.184.215.14"


@dataclass
class FakeDns:
    """Answers for the names the tests use; IP literals and ``localhost`` go to the real resolver (no
    network needed). Set ``answers[name]`` to a list, or to a list of lists to answer differently on
    each lookup (the last one repeats); ``lookups`` records every name looked up."""

    answers: dict[str, list[str] | list[list[str]]] = field(default_factory=dict)
    lookups: list[str] = field(default_factory=list)
    real: Callable[[str, int], list[str]] = webhooks.resolve

    def resolve(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        answer = self.answers.get(host)
        if answer is None:
            if host.endswith((".example.org", ".example.se", ".example.com")):
                return [PUBLIC_ADDRESS]
            return self.real(host, port)
        if answer and isinstance(answer[0], list):
            turns: list[list[str]] = answer  # type: ignore[assignment]
            return turns.pop(0) if len(turns) > 1 else turns[0]
        return list(answer)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def dns(monkeypatch: pytest.MonkeyPatch) -> FakeDns:
    fake = FakeDns()
    monkeypatch.setattr(webhooks, "resolve", fake.resolve)
    return fake


@pytest.fixture
def make_client(world: World) -> Callable[..., services.IssuedSecret]:
    def make(
        name: str = "Journalsystem A",
        *,
        scope: tuple[str, ...] = ("kommun_a",),
        access: str = ClientAccess.READ,
    ) -> services.IssuedSecret:
        return services.api_client_create(
            name=name,
            organisation=world.orgs[scope[0]],
            scope=[world.orgs[key] for key in scope],
            access=access,
            contact_email="it@example.org",
        )

    return make


def form_post(data: dict[str, str], **headers: Any) -> Any:
    """POST to the token endpoint as OAuth2 clients do: application/x-www-form-urlencoded."""
    return APIClient().post(
        "/api/v1/oauth/token", urlencode(data), content_type="application/x-www-form-urlencoded", **headers
    )


def token_for(issued: services.IssuedSecret, **extra: str) -> str:
    response = form_post(
        {
            "grant_type": "client_credentials",
            "client_id": issued.client.client_id,
            "client_secret": issued.secret,
            **extra,
        }
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def as_client(issued: services.IssuedSecret | ApiClient | None = None, token: str = "") -> APIClient:
    api = APIClient()
    if not token:
        assert isinstance(issued, services.IssuedSecret)
        token = token_for(issued)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api
