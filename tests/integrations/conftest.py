"""Fixtures for API clients and webhooks: clients scoped to one kommun, tokens, a real HTTP receiver,
and the name lookups of webhook hosts (DNS is what leaves the machine).

The case fixtures (``halland``, ``case_in``) and the real Celery worker (``start_worker``) are the ones
the case and document tests use.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import pytest
from rest_framework.test import APIClient

from integrations import services, webhooks
from integrations.models import ApiClient, ClientAccess
from tests.cases.conftest import case_in, halland  # noqa: F401 - fixtures
from tests.documents.conftest import celery_queue, start_worker  # noqa: F401 - fixtures
from tests.factories import World


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings: Any) -> None:
    """Counters of this test only: the cache (Redis) outlives tests and is shared with other runs."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


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


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1: answers the status codes in ``answers`` in turn, then 200."""

    url: str
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)

    def json(self, index: int) -> Any:
        return json.loads(self.received[index].body)


@pytest.fixture
def receiver(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """The receiver is on this machine: named as an allowed internal host, here and for the workers the
    test starts (they take this process's environment)."""
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["127.0.0.1"]
    monkeypatch.setenv("WEBHOOK_ALLOWED_INTERNAL_HOSTS", "127.0.0.1")
    holder: dict[str, Receiver] = {}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            with lock:
                state = holder["receiver"]
                state.received.append(Received(headers=dict(self.headers.items()), body=body))
                code = state.answers.pop(0) if state.answers else 200
            payload = b"receiver says no" if code >= 300 else b"ok"
            self.send_response(code)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    holder["receiver"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder["receiver"]
    server.shutdown()
    server.server_close()
