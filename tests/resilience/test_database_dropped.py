"""PostgreSQL goes away under a running gunicorn: requests answer 503, then the app recovers by itself.

The outage is made from a separate psycopg connection: the test database stops accepting connections
(``ALLOW_CONNECTIONS false``) and every backend of the app is terminated (``pg_terminate_backend``),
while nurses keep opening and submitting cases and reading lists through the API. Then the database
accepts connections again. gunicorn is not restarted; ``CONN_HEALTH_CHECKS`` replaces the dead
persistent connections.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import connection
from django.test import Client

from cases.models import CaseEvent, CaseStatus, CaseTask, EventKind, ResponsibilityCase
from directory.authentication import token_issue
from tests.fixtures.agreements import PD, WOUND

from .conftest import Server, start_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


@dataclass
class Answer:
    method: str
    path: str
    status: int
    body: bytes
    headers: dict[str, str]
    sent: float
    at: float


def _request(server: Server, method: str, path: str, token: str, body: Any = None, **headers: str) -> Answer:
    assert server.url.startswith("http://127.0.0.1:")
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - loopback http
        server.url + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers},
    )
    sent = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback http
            body = response.read()
            return Answer(method, path, response.status, body, dict(response.headers), sent, time.monotonic())
    except urllib.error.HTTPError as error:
        return Answer(method, path, error.code, error.read(), dict(error.headers), sent, time.monotonic())


@pytest.fixture
def gunicorn(tmp_path: Path, transactional_db: None) -> Iterator[Server]:
    # Three nurses' worth of traffic from one token: the per-user rate limit (120/min) is raised.
    with start_gunicorn(tmp_path, workers=2, threads=1, API_RATE_LIMIT_USER="1000000/min") as server:
        yield server


class Outage:
    """Refuse and cut the test database's connections, from a connection to another database."""

    def __init__(self) -> None:
        db = connection.settings_dict
        self.name = db["NAME"]
        self.admin = psycopg.connect(
            host=db["HOST"] or "127.0.0.1",
            port=int(db["PORT"] or 5432),
            user=db["USER"],
            password=db["PASSWORD"] or None,
            dbname="postgres",
            autocommit=True,
        )

    def begin(self) -> int:
        self.admin.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS false')
        row = self.admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [self.name],
        ).fetchone()
        return int(row[0]) if row else 0

    def end(self) -> None:
        self.admin.execute(f'ALTER DATABASE "{self.name}" WITH ALLOW_CONNECTIONS true')

    def close(self) -> None:
        self.end()
        self.admin.close()


def test_requests_during_a_database_outage_get_503_and_the_app_recovers_without_restart(
    gunicorn: Server, world, halland
) -> None:
    nurse_token, _ = token_issue(user=world.users["nurse_a"])
    gp_token, _ = token_issue(user=world.users["gp_a"])
    patients = [world.patient() for _ in range(6)]
    browser = Client()
    browser.force_login(world.users["nurse_a"])
    session_cookie = f"sessionid={browser.cookies['sessionid'].value}"
    clinic = str(world.orgs["clinic"].public_id)

    # Every attempt to open a case, by its background text, with the answer the nurse got.
    opened_by_background: dict[str, Answer] = {}

    def open_and_submit(index: int) -> list[Answer]:
        body = {
            "patient": str(patients[index % len(patients)].public_id),
            "trigger": "discharge",
            "specialist_clinic": clinic,
            "background": f"Fall {index}",
            "tasks": [PD, WOUND],
        }
        opened = _request(gunicorn, "POST", "/api/v1/cases", nurse_token, body)
        with lock:
            opened_by_background[body["background"]] = opened
        answers = [opened]
        if opened.status == 201:
            case = json.loads(opened.body)
            answers.append(
                _request(
                    gunicorn,
                    "POST",
                    f"/api/v1/cases/{case['id']}/submit",
                    nurse_token,
                    {},
                    **{"If-Match": opened.headers["ETag"]},
                )
            )
        return answers

    # Warm up: each gunicorn worker holds a persistent connection (CONN_MAX_AGE).
    pids_before = gunicorn.worker_pids()
    for _ in range(6):
        assert _request(gunicorn, "GET", "/api/v1/cases", gp_token).status == 200

    answers: list[Answer] = []
    lock = threading.Lock()
    stop = threading.Event()

    def traffic(worker: int) -> None:
        index = worker * 1000
        while not stop.is_set():
            batch = open_and_submit(index)
            batch.append(_request(gunicorn, "GET", "/api/v1/cases", gp_token))
            batch.append(_request(gunicorn, "GET", "/", "", Cookie=session_cookie))
            with lock:
                answers.extend(batch)
            index += 1

    threads = [threading.Thread(target=traffic, args=(n,), daemon=True) for n in range(3)]
    for thread in threads:
        thread.start()
    outage = Outage()
    try:
        time.sleep(1.5)
        started = time.monotonic()
        assert outage.begin() >= 1  # the app's connections were there, and are cut
        time.sleep(3)
        outage.end()
        ended = time.monotonic()
        time.sleep(2.5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        outage.close()
    connection.close()  # the test's own connection was cut too

    statuses = {a.status for a in answers}
    assert statuses <= {200, 201, 503}, [
        (a.method, a.path, a.status, a.body[:300]) for a in answers if a.status >= 400 and a.status != 503
    ]
    unavailable = [a for a in answers if a.status == 503]
    assert any(a.path.startswith("/api/") for a in unavailable), "no API request saw the outage"
    assert any(not a.path.startswith("/api/") for a in unavailable), "no page saw the outage"
    for answer in unavailable:
        assert answer.headers.get("Retry-After"), answer
        assert answer.at >= started, "a 503 before the outage"
        assert answer.sent <= ended + 1.0, "a 503 for a request sent after the outage"
        if answer.path.startswith("/api/"):
            assert json.loads(answer.body)["error"]["code"] == "service_unavailable"
        else:
            assert b"<html" in answer.body
    # Recovered, by the same gunicorn workers.
    after = [a for a in answers if a.sent > ended + 1.0]
    assert after
    assert all(a.status in (200, 201) for a in after)
    assert _request(gunicorn, "GET", "/api/v1/cases", gp_token).status == 200
    assert gunicorn.worker_pids() == pids_before

    # No half-written case: every 201 is a case that exists, and every case is whole. A case may also
    # exist whose transaction committed just before its connection was cut, so that its answer was a
    # 503: written but not acknowledged (the Idempotency-Key is how a client retries that safely).
    # It must be whole like every other, and there can be no case nobody asked for.
    created = {json.loads(a.body)["id"] for a in answers if a.status == 201}
    assert created
    cases = list(ResponsibilityCase.objects.filter(background__startswith="Fall "))
    assert created <= {str(c.public_id) for c in cases}
    for case in cases:
        opened = opened_by_background.get(case.background)
        assert opened is not None, f"a case nobody opened: {case.background}"
        if opened.status == 201:
            assert json.loads(opened.body)["id"] == str(case.public_id)
        else:
            assert opened.status == 503, (case.background, opened.status)
            assert started <= opened.at, "an unacknowledged case outside the outage"
        assert CaseTask.objects.filter(case=case).count() == 2, case.public_id
        assert CaseEvent.objects.filter(case=case, kind=EventKind.CREATED).count() == 1
        submitted = CaseEvent.objects.filter(case=case, action="submit").count()
        if case.status == CaseStatus.IN_REVIEW:
            assert submitted == 2  # submitted and in review, in one transaction
        else:
            assert case.status == CaseStatus.DRAFT
            assert submitted == 0
