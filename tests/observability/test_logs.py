"""Log lines carry the request id, from the request into the task it causes, and no personnummer."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import Client

from hemsjukvard.models import OutboxMessage
from hemsjukvard.observability.redaction import PersonalDataFilter, redact
from hemsjukvard.observability.request_id import RequestIdFilter, request_id_of_task

pytestmark = pytest.mark.django_db


def test_an_answer_carries_a_request_id_and_keeps_a_sensible_callers_one(client: Client) -> None:
    own = client.get("/livez")["X-Request-ID"]
    assert len(own) == 32
    assert client.get("/livez", HTTP_X_REQUEST_ID="proxy-4f2a9c1d")["X-Request-ID"] == "proxy-4f2a9c1d"
    # An id that could forge log lines or is too long is replaced.
    for bad in ('x"\n{"level":"ERROR"}', "a" * 65, "short"):
        assert client.get("/livez", HTTP_X_REQUEST_ID=bad)["X-Request-ID"] != bad


def test_a_task_written_by_a_request_carries_the_requests_id(world, halland, case_in, api) -> None:
    from cases.models import CaseStatus

    escalated = case_in(CaseStatus.ESCALATED)
    response = api(world.users["nurse_a"]).post(
        "/api/v1/documents",
        {"kind": "escalation_notice", "source_id": str(escalated.public_id)},
        format="json",
        HTTP_X_REQUEST_ID="integration-run-000042",
    )
    assert response.status_code == 202, response.content
    written = OutboxMessage.objects.filter(
        task_name="documents.tasks.render_document", request_id="integration-run-000042"
    )
    assert written.count() == 1

    class TaskRequest:
        request_id = "integration-run-000042"
        headers = None

    assert request_id_of_task(TaskRequest()) == "integration-run-000042"


@pytest.mark.parametrize(
    "text",
    ["Patient 19121212-1212 saknas", "pnr 191212121212", "sökt 121212+1212", "samordningsnr 701063-2391"],
)
def test_nothing_shaped_like_a_personnummer_survives(text: str) -> None:
    assert "[personnummer]" in redact(text)
    assert not any(ch.isdigit() for ch in redact(text).split("[personnummer]")[0][-2:])


def test_a_json_log_line_has_the_request_id_and_no_personnummer(caplog) -> None:
    from pythonjsonlogger.json import JsonFormatter

    from hemsjukvard.observability.request_id import current_request_id

    record = logging.LogRecord("cases", logging.WARNING, __file__, 1, "Sökte %s", ("19121212-1212",), None)
    token = current_request_id.set("req-12345678")
    try:
        for log_filter in (RequestIdFilter(), PersonalDataFilter()):
            log_filter.filter(record)
    finally:
        current_request_id.reset(token)
    line = JsonFormatter("{asctime}{levelname}{name}{message}{request_id}", style="{").format(record)
    body = json.loads(line)
    assert body["request_id"] == "req-12345678"
    assert "19121212" not in line
    assert body["message"] == "Sökte [personnummer]"


def test_an_exception_text_is_redacted_too() -> None:
    try:
        raise ValueError("no patient 19121212-1212")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    PersonalDataFilter().filter(record)
    formatted = logging.Formatter().format(record)
    assert "19121212" not in formatted
    assert "[personnummer]" in formatted
