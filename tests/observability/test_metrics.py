"""/metrics: behind a token, and its figures move with what happens (answers, outbox, documents,
tasks, the access log)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from hemsjukvard.models import OutboxMessage
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db

TOKEN = "metrics-test-token-0123456789"


def _scrape(client: Client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    return response.content.decode()


def _value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$", line)
        if not match or match.group(1) != name:
            continue
        found = ",".join(sorted((match.group(2) or "").split(","))) if match.group(2) else ""
        if found == wanted:
            return float(match.group(3))
    return 0.0


@pytest.fixture
def metrics_on(settings) -> None:
    settings.METRICS_TOKEN = TOKEN


def test_without_the_token_there_is_nothing_there(client, settings) -> None:
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_answers_are_counted_by_route_never_by_path(metrics_on, world, client) -> None:
    before = _scrape(client)
    nurse = signed_in(world.users["nurse_a"])
    patient = world.patient()
    assert nurse.get(f"/patients/{patient.public_id}/").status_code == 200
    assert nurse.get(f"/patients/{patient.public_id}/").status_code == 200
    after = _scrape(client)
    route = "patients:detail"
    assert _value(after, "hemsjukvard_http_requests_total", method="GET", route=route, status="200") == (
        _value(before, "hemsjukvard_http_requests_total", method="GET", route=route, status="200") + 2
    )
    assert str(patient.public_id) not in after
    assert "hemsjukvard_http_request_duration_seconds_bucket" in after


def test_the_outbox_backlog_and_its_age_are_shown(metrics_on, client) -> None:
    before = _value(_scrape(client), "hemsjukvard_outbox_pending")
    OutboxMessage.objects.create(task_name="hemsjukvard.tasks.relay_outbox", kwargs={})
    text = _scrape(client)
    assert _value(text, "hemsjukvard_outbox_pending") == before + 1
    assert _value(text, "hemsjukvard_outbox_oldest_pending_seconds") >= 0.0
    assert "hemsjukvard_queue_depth" in text


def test_documents_by_status_and_access_log_rows_move(metrics_on, world, client) -> None:
    text = _scrape(client)
    assert "hemsjukvard_documents_stuck" in text
    queued_before = _value(text, "hemsjukvard_documents", status="queued")
    rows_before = _value(text, "hemsjukvard_access_log_rows_5m")
    from tests.web.test_patient_documents import make_document

    make_document(world, world.patient())
    signed_in(world.users["nurse_a"]).get(f"/patients/{world.patient().public_id}/")
    text = _scrape(client)
    assert _value(text, "hemsjukvard_documents", status="queued") == queued_before + 1
    assert _value(text, "hemsjukvard_access_log_rows_5m") > rows_before


def test_a_task_run_is_counted_and_timed(metrics_on, client) -> None:
    from hemsjukvard.tasks import relay_outbox

    name = relay_outbox.name
    before = _value(_scrape(client), "hemsjukvard_tasks_total", task=name, outcome="success")
    relay_outbox.apply()
    text = _scrape(client)
    assert _value(text, "hemsjukvard_tasks_total", task=name, outcome="success") == before + 1
    assert f'hemsjukvard_task_duration_seconds_count{{task="{name}"}}' in text
