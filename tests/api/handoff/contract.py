"""An integration's client built from nothing but the committed ``openapi.yaml``, and the fixtures of the
handoff walks in this package.

Every request is built from the schema: an operation is looked up by its ``operationId``, its path
template filled in, its required headers checked and its JSON body validated against the request
schema; every answer must be a status the operation declares and fit the schema of that status (objects
closed: a field the schema does not name fails). Writes carry the ETag of the person's last read or of
the answer before.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from integrations import services as integrations
from integrations.models import ClientAccess
from integrations.services import IssuedSecret
from tests.api.test_response_examples import validator
from tests.fixtures.agreements import Halland
from tests.fixtures.world import PASSWORD, World

METHODS = ("get", "post", "put", "patch", "delete")
PARAMETER = re.compile(r"{(\w+)}")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
    return loaded


NURSE_HSA_ID = "SE2321000115-E00000000A01"


@pytest.fixture
def journal(world: World) -> IssuedSecret:
    """Kommun A's care documentation system, registered as an API client that reads and writes in kommun
    A, and the kommun nurse's HSA-id, by which it names her when it acts for her."""
    nurse = world.users["nurse_a"]
    nurse.hsa_id = NURSE_HSA_ID
    nurse.save(update_fields=["hsa_id"])
    return integrations.api_client_create(
        name="Journalsystem A kommun",
        organisation=world.orgs["kommun_a"],
        scope=[world.orgs["kommun_a"]],
        access=ClientAccess.READ_WRITE,
        contact_email="it@example.org",
    )


# --- The integration's client: nothing but the schema ------------------------------------------------


@dataclass
class Answer:
    status: int
    body: Any
    etag: str | None
    content_type: str
    content: bytes


@dataclass
class Contract:
    """The committed schema, by operationId; checks what is sent and what comes back."""

    schema: dict[str, Any]
    committed: Callable[[], AbstractContextManager[Any]]
    operations: dict[str, tuple[str, str, dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for path, item in self.schema["paths"].items():
            for method, operation in item.items():
                if method in METHODS:
                    self.operations[operation["operationId"]] = (path, method, operation)

    def _schema_of(self, content: dict[str, Any]) -> dict[str, Any]:
        found: dict[str, Any] = content["application/json"]["schema"]
        return found

    def call(
        self,
        client: APIClient,
        operation_id: str,
        *,
        path_params: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        multipart: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        unchecked: bool = False,
    ) -> Answer:
        """Send the operation as the schema describes it and check the answer against the schema
        (``unchecked``: a body that breaks the request schema on purpose, sent as it is; ``multipart``: a
        form with files, for an operation that takes ``multipart/form-data`` only)."""
        path, method, operation = self.operations[operation_id]
        params = {str(k): str(v) for k, v in (path_params or {}).items()}
        assert set(PARAMETER.findall(path)) == set(params), (operation_id, path, params)
        url = PARAMETER.sub(lambda m: params[m.group(1)], path)
        declared = {(p["in"], p["name"]): p for p in operation.get("parameters", [])}
        headers = headers or {}
        for (where, name), parameter in declared.items():
            if where == "header" and parameter.get("required"):
                assert name in headers, f"{operation_id} requires the header {name}"
        schemes = self.schema["components"]["securitySchemes"]
        by_security = {
            schemes[name]["name"]
            for requirement in operation.get("security", [])
            for name in requirement
            if schemes[name].get("in") == "header"
        }
        for name in headers:
            assert ("header", name) in declared or name in by_security, (
                f"{operation_id} takes no header {name}"
            )
        for name in query or {}:
            assert ("query", name) in declared, f"{operation_id} declares no query parameter {name}"
        body = operation.get("requestBody")
        if json is not None:
            assert body is not None, f"{operation_id} takes no body"
            errors = (
                []
                if unchecked
                else [
                    f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                    for e in validator(self.schema, self._schema_of(body["content"])).iter_errors(json)
                ]
            )
            assert not errors, (operation_id, "request", errors)
        elif multipart is not None:
            assert body is not None, f"{operation_id} takes no body"
            assert "multipart/form-data" in body["content"], f"{operation_id} takes no multipart body"
        elif body is not None and body.get("required"):
            raise AssertionError(f"{operation_id} needs a body")
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()}
        send = getattr(client, method)
        # Each request commits as it would in production: what it queued for the worker (notification
        # e-mails, PDFs) is sent then, and the worker runs it at once (``eager_celery``).
        with self.committed():
            if method == "get":
                response = send(url, query or {}, **extra)
            elif json is not None:
                response = send(url, json, format="json", **extra)
            elif multipart is not None:
                response = send(url, multipart, format="multipart", **extra)
            else:
                response = send(url, **extra)
        code = str(response.status_code)
        declared_answers = operation["responses"]
        content = b"" if response.streaming else response.content
        assert code in declared_answers, (operation_id, code, content[:500])
        content_type = response.get("Content-Type", "")
        parsed: Any = None
        answer_content = declared_answers[code].get("content") or {}
        if content_type.startswith("application/json"):
            parsed = response.json()
            assert "application/json" in answer_content, (operation_id, code, "JSON not declared")
            errors = [
                f"{'/'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}"
                for e in validator(self.schema, self._schema_of(answer_content)).iter_errors(parsed)
            ]
            assert not errors, (operation_id, code, errors)
        elif content:
            assert content_type.split(";")[0] in answer_content, (operation_id, code, content_type)
        return Answer(response.status_code, parsed, response.get("ETag"), content_type, content)


@dataclass
class Person:
    """One person's session with the API, and what they last read of each record (its ETag)."""

    key: str
    client: APIClient
    etags: dict[str, str] = field(default_factory=dict)
    # Sent with every call: ``X-On-Behalf-Of`` for a person acting through their organisation's system.
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Integration:
    contract: Contract
    world: World
    people: dict[str, Person] = field(default_factory=dict)

    def sign_in(self, key: str) -> Person:
        """``POST /auth/token`` with the person's username and password (one membership each)."""
        if key not in self.people:
            user = self.world.users[key]
            answer = self.contract.call(
                APIClient(),
                "auth_token_create",
                json={"username": user.username, "password": PASSWORD},
            )
            assert answer.status == 200, answer.body
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.body['token']}")
            self.people[key] = Person(key, client)
        return self.people[key]

    def sign_in_through(self, key: str, system: IssuedSecret, hsa_id: str) -> Person:
        """The person works in their organisation's system, which calls the API with its own access token
        (``POST /oauth/token``, client credentials) on their behalf (``X-On-Behalf-Of``: their HSA-id)."""
        answer = self.contract.call(
            APIClient(),
            "oauth_token_create",
            json={
                "grant_type": "client_credentials",
                "client_id": system.client.client_id,
                "client_secret": system.secret,
                "scope": "read write",
            },
        )
        assert answer.status == 200, answer.body
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {answer.body['access_token']}")
        self.people[key] = Person(key, client, headers={"X-On-Behalf-Of": hsa_id})
        return self.people[key]

    def call(
        self, key: str, operation_id: str, *, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Answer:
        person = self.sign_in(key)
        return self.contract.call(
            person.client, operation_id, headers={**person.headers, **(headers or {})}, **kwargs
        )

    # The case, read before acting on it, as the person would open it from a notice.

    def read_case(self, key: str, case_id: str) -> dict[str, Any]:
        answer = self.call(key, "cases_retrieve", path_params={"id": case_id})
        assert answer.status == 200, answer.body
        assert answer.etag, "a case read carries its ETag"
        self.people[key].etags[case_id] = answer.etag
        body: dict[str, Any] = answer.body
        return body

    def act(
        self,
        key: str,
        case_id: str,
        operation_id: str,
        *,
        action: str | None = None,
        json: dict[str, Any] | None = None,
        path_params: dict[str, Any] | None = None,
        expect: int = 200,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Read the case, check that ``action`` is offered, and write with the ETag just read."""
        case = self.read_case(key, case_id)
        if action is not None:
            assert action in case["allowed_actions"], (key, action, case["allowed_actions"])
        answer = self.call(
            key,
            operation_id,
            path_params=path_params or {"id": case_id},
            json=json,
            headers={"If-Match": self.people[key].etags[case_id], **(headers or {})},
        )
        assert answer.status == expect, (key, operation_id, answer.body)
        if answer.etag:
            self.people[key].etags[case_id] = answer.etag
        body: dict[str, Any] = answer.body
        return body

    # The inbox.

    def notices(self, key: str, case_id: str, since: datetime.datetime) -> list[dict[str, Any]]:
        """The person's notifications about the case changed since ``since`` (read or not)."""
        answer = self.call(
            key,
            "notifications_list",
            query={"unread": "false", "updated_since": since.isoformat(), "page_size": 100},
        )
        assert answer.status == 200, answer.body
        assert answer.body["next"] is None
        return [n for n in answer.body["results"] if n["case"] == case_id]

    def told(
        self,
        key: str,
        case_id: str,
        since: datetime.datetime,
        kind: str,
        *,
        naming: str,
        asks: str,
        acts: bool,
    ) -> dict[str, Any]:
        """``key`` was told of the case with one notice of ``kind`` that names the case (``naming``, one
        of its tasks) and says what is asked (``asks``, words of the Swedish text) and, where there is a
        deadline, its date; the person opens it, which marks it read."""
        found = self.notices(key, case_id, since)
        matching = [n for n in found if n["kind"] == kind]
        assert matching, f"{key} was not told {kind} (told {[n['kind'] for n in found]})"
        [notice] = matching
        assert naming in notice["message"], (key, notice["message"])
        assert asks in notice["message"], (key, notice["message"])
        assert notice["acts"] is acts, (key, kind, notice)
        if notice["due_at"] is not None and "senast" in notice["message"]:
            due = timezone.localtime(datetime.datetime.fromisoformat(notice["due_at"]))
            # ``due_at`` is the instant the time runs out; one at midnight ends a whole day, the day before,
            # and that last day is what the text names ("senast 2026-12-21" for 2026-12-22T00:00).
            last_day = (
                due.date() - datetime.timedelta(days=1) if due.time() == datetime.time.min else due.date()
            )
            assert f"senast {last_day:%Y-%m-%d}" in notice["message"], (key, notice)
        read = self.call(key, "notifications_read_create", path_params={"id": notice["id"]})
        assert read.status == 200
        assert read.body["read_at"] is not None
        return notice

    def not_told(self, case_id: str, since: datetime.datetime, *keys: str) -> None:
        for key in keys:
            found = self.notices(key, case_id, since)
            assert not found, f"{key} was told {[n['kind'] for n in found]}, though not concerned"

    def organisation_id(self, key: str, name: str) -> str:
        """An organisation's id by its name, from the organisations list (paged)."""
        page = 1
        while True:
            answer = self.call(key, "organisations_list", query={"page": page, "page_size": 100})
            assert answer.status == 200
            for organisation in answer.body["results"]:
                if organisation["name"] == name:
                    return str(organisation["id"])
            assert answer.body["next"] is not None, f"no organisation {name}"
            page += 1


@pytest.fixture
def integration(
    schema: dict[str, Any],
    world: World,
    halland: Halland,
    tpn_and_medication: Halland,
    django_capture_on_commit_callbacks,
) -> Integration:
    return Integration(Contract(schema, lambda: django_capture_on_commit_callbacks(execute=True)), world)


def now() -> datetime.datetime:
    return timezone.now()


def tasks_of(case: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {t["task_type"]: t for t in case["tasks"]}


def fetch_pdf(api: Integration, key: str, kind: str, source_id: str) -> str:
    """Ask for the PDF of a record, follow it until it is ready (the worker renders it as the request
    commits) and download it; the document's id."""
    requested = api.call(
        key,
        "documents_create",
        json={"kind": kind, "source_id": source_id},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert requested.status in (200, 202), requested.body
    document_id = str(requested.body["id"])
    status = api.call(key, "documents_retrieve", path_params={"id": document_id})
    assert status.body["status"] == "ready", status.body
    pdf = api.call(key, "documents_download_retrieve", path_params={"id": document_id})
    assert pdf.status == 200
    assert pdf.content_type == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")
    return document_id


def open_case(api: Integration, tasks: list[str], background: str) -> dict[str, Any]:
    """The nurse finds the patient by personnummer and opens and submits the case."""
    patient = api.world.patient(given_name="Greta", family_name="Andersson")
    found = api.call("nurse_a", "patients_list", query={"search": patient.personal_identity})
    assert found.status == 200
    [listed] = found.body["results"]
    clinic = api.organisation_id("nurse_a", api.world.orgs["clinic"].name)
    created = api.call(
        "nurse_a",
        "cases_create",
        json={
            "patient": listed["id"],
            "trigger": "discharge",
            "urgency": "routine",
            "specialist_clinic": clinic,
            "background": background,
            "increased_staff_time": True,
            "competence_needed": True,
            "patient_safety_risk": True,
            "tasks": tasks,
            # The person's consent, recorded with the case: the other parties read it on that basis.
            "legal_basis": {
                "kind": "consent",
                "scope": "Ärendet delas med vårdcentralen och njurmedicin.",
                "given_by": "person",
                "form": "oral",
                "given_on": "2026-01-02",
            },
        },
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert created.status == 201, created.body
    assert created.body["status"] == "draft"
    case_id = str(created.body["id"])
    # Submitted with the ETag of the answer that created it, without reading it again.
    assert "submit" in created.body["allowed_actions"]
    submitted = api.call(
        "nurse_a", "cases_submit_create", path_params={"id": case_id}, headers={"If-Match": str(created.etag)}
    )
    assert submitted.status == 200, submitted.body
    assert submitted.body["status"] == "in_review"
    body: dict[str, Any] = submitted.body
    return body
