"""The handoff loop driven through the REST API alone, as an integration that has only ``openapi.yaml``.

Every request is built from the committed schema: an operation is looked up by its ``operationId``, its
path template filled in, its required headers checked and its JSON body validated against the request
schema; every answer must be a status the operation declares and fit the schema of that status (objects
closed: a field the schema does not name fails). Each person signs in with ``POST /api/v1/auth/token``,
except the kommun nurse of case (a), who works in the kommun's journal system: it takes a client-credentials
token and calls on her behalf (``X-On-Behalf-Of``). Writes carry the ETag of the person's last read or of
the answer before; a stale one is refused (412). After every step the next party reads
``/api/v1/notifications`` (with ``updated_since``) and finds a notice naming the case (by id and by its
tasks), what is asked of them and by which date, while a party the step does not concern finds none.

Two cases are walked: (a) PD, TPN and medication administration: the clinic's specialist accepts what the
clinic orders, the GP the rest, the nurse writes the risk analysis, the specialist (the named signer)
signs, MAS approves, and the nurse draws up and finalises the SIP, which the specialist prints; (b) four
tasks of which one is disputed: the other three are agreed at once, lokal samverkan recommends, the
kommun accepts and the vårdcentral declines, RUG cannot settle it, GNHH decides (binding), and every
party fetches the decision notice PDF.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.choices import ApproverRole, CareLevel, PartyRef, TaskKind
from agreements.models import CareTaskType, ResponsibilityRule
from integrations import services as integrations
from integrations.models import ClientAccess
from integrations.services import IssuedSecret
from tests.api.test_response_examples import validator
from tests.fixtures.agreements import PD, WOUND, Halland
from tests.fixtures.world import PASSWORD, World

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_rate_limit_counters")]

TPN = "parenteral-nutrition"
MEDICATION = "medication-administration"
METHODS = ("get", "post", "put", "patch", "delete")
PARAMETER = re.compile(r"{(\w+)}")


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
    return loaded


@pytest.fixture
def more_rules(halland: Halland) -> None:
    """Parenteral nutrition as PD (the clinic orders and follows up, the kommun performs, MAS approves
    the risk analysis), and medication administration ordered by the listed vårdcentral (domain §8)."""
    version = halland.version
    section = version.sections.get(number="5.3")
    tpn = CareTaskType.objects.create(
        code=TPN,
        name_sv="Parenteral nutrition (TPN)",
        name_en="Parenteral nutrition",
        kind=TaskKind.SPECIALISED,
        care_level=CareLevel.SPECIALISED,
    )
    medication = CareTaskType.objects.create(
        code=MEDICATION,
        name_sv="Läkemedelsadministrering",
        name_en="Medication administration",
        kind=TaskKind.NURSING,
        care_level=CareLevel.PRIMARY,
    )
    ResponsibilityRule.objects.create(
        version=version,
        task_type=tpn,
        section=section,
        orders_party=PartyRef.CASE_SPECIALIST_CLINIC,
        performs_party=PartyRef.ENROLMENT_KOMMUN,
        follows_up_party=PartyRef.CASE_SPECIALIST_CLINIC,
        risk_analysis_required=True,
        approver_role=ApproverRole.MAS,
        specialist_active_role_required=True,
        training_required=True,
        contact_24_7_required=True,
    )
    ResponsibilityRule.objects.create(
        version=version,
        task_type=medication,
        section=section,
        orders_party=PartyRef.LISTED_VARDCENTRAL,
        performs_party=PartyRef.ENROLMENT_KOMMUN,
        follows_up_party=PartyRef.LISTED_VARDCENTRAL,
    )


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
        headers: dict[str, str] | None = None,
    ) -> Answer:
        """Send the operation as the schema describes it and check the answer against the schema."""
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
            errors = [
                f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                for e in validator(self.schema, self._schema_of(body["content"])).iter_errors(json)
            ]
            assert not errors, (operation_id, "request", errors)
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
            assert f"senast {due:%Y-%m-%d}" in notice["message"], (key, notice)
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
    more_rules: None,
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


# --- (a) PD + TPN + medication: review, risk analysis, approval, SIP ---------------------------------


def test_pd_tpn_and_medication_from_request_to_finalised_sip(
    integration: Integration, journal: IssuedSecret
) -> None:
    api = integration
    o = api.world.orgs
    # The nurse works in the kommun's journal system; the others use tokens of their own.
    api.sign_in_through("nurse_a", journal, NURSE_HSA_ID)
    for key in ("gp_a", "gp_b", "specialist", "mas_a", "mas_b", "coordinator_a"):
        api.sign_in(key)

    since = now()
    case = open_case(
        api, [PD, TPN, MEDICATION], "Utskriven från njurmedicin med PD och TPN; läkemedel delas av kommunen."
    )
    case_id = case["id"]
    pd_name = tasks_of(case)[PD]["task_type_name"]
    assert {t["review_state"] for t in case["tasks"]} == {"pending"}

    # Submitted: the clinic reviews what it orders (PD, TPN), the vårdcentral the medication.
    specialist_notice = api.told(
        "specialist",
        case_id,
        since,
        "review_requested",
        naming=pd_name,
        asks="godta eller bestrid",
        acts=True,
    )
    gp_notice = api.told(
        "gp_a", case_id, since, "review_requested", naming=pd_name, asks="godta eller bestrid", acts=True
    )
    assert specialist_notice["organisation"] == str(o["clinic"].public_id)
    assert gp_notice["organisation"] == str(o["vc_a"].public_id)
    assert gp_notice["due_at"] is not None
    api.not_told(case_id, since, "gp_b", "mas_a", "mas_b")

    # The GP opens the case from the notice, but the specialist answers first.
    assert "accept" in api.read_case("gp_a", case_id)["allowed_actions"]
    read_before = api.people["gp_a"].etags[case_id]

    # The specialist accepts every task awaiting the clinic: PD and TPN are agreed at once.
    since = now()
    case = api.act("specialist", case_id, "cases_accept_create", action="accept", json={})
    assert case["status"] == "in_review"
    states = {code: t["review_state"] for code, t in tasks_of(case).items()}
    assert states == {PD: "accepted", TPN: "accepted", MEDICATION: "pending"}
    assert tasks_of(case)[PD]["agreed_orders"]["id"] == str(o["clinic"].public_id)
    assert tasks_of(case)[TPN]["reviews"][0]["organisation"]["id"] == str(o["clinic"].public_id)
    api.told(
        "nurse_a",
        case_id,
        since,
        "tasks_accepted",
        naming=pd_name,
        asks="godtagna; de övriga väntar",
        acts=False,
    )
    api.not_told(case_id, since, "gp_a", "mas_a")
    assert "accept" not in api.read_case("specialist", case_id)["allowed_actions"]

    # The GP's answer on the case as first read is refused as stale (412), and nothing changes; read
    # again, the GP accepts the medication, naming it: the case goes on to the risk analysis.
    since = now()
    stale = api.call(
        "gp_a",
        "cases_accept_create",
        path_params={"id": case_id},
        json={},
        headers={"If-Match": read_before},
    )
    assert stale.status == 412, stale.body
    medication = tasks_of(api.read_case("gp_a", case_id))[MEDICATION]
    assert medication["review_state"] == "pending"
    case = api.act(
        "gp_a",
        case_id,
        "cases_accept_create",
        action="accept",
        json={"tasks": [{"task": medication["id"]}], "reason": "Enligt överenskommelsen."},
    )
    assert case["status"] == "risk_analysis"
    assert {t["review_state"] for t in case["tasks"]} == {"accepted"}
    assert tasks_of(case)[MEDICATION]["agreed_orders"]["id"] == str(o["vc_a"].public_id)
    api.told(
        "nurse_a", case_id, since, "analysis_requested", naming=pd_name, asks="Skriv riskanalysen", acts=True
    )
    api.told(
        "specialist",
        case_id,
        since,
        "tasks_accepted",
        naming=pd_name,
        asks="godtagen; en riskanalys följer",
        acts=False,
    )
    api.not_told(case_id, since, "mas_a", "gp_b")

    # The nurse writes the risk analysis: the specialist, the one named signer, is asked to sign.
    since = now()
    review_on = (timezone.localdate() + datetime.timedelta(days=180)).isoformat()
    api.read_case("nurse_a", case_id)
    written = api.call(
        "nurse_a",
        "cases_risk_analyses_create",
        path_params={"id": case_id},
        json={
            "summary": "PD och TPN i hemmet med kommunens sjuksköterskor efter utbildning.",
            "review_on": review_on,
            "hazards": [
                {
                    "description": "Peritonit vid påsbyte",
                    "likelihood": 2,
                    "consequence": 4,
                    "measures": [
                        {
                            "description": "Utbildning i aseptisk teknik",
                            "owner_organisation": str(o["clinic"].public_id),
                            "owner_name": "PD-sjuksköterska",
                            "due_on": review_on,
                        }
                    ],
                },
                {"description": "Infektion i CVK vid TPN", "likelihood": 2, "consequence": 3},
            ],
        },
        headers={"If-Match": api.people["nurse_a"].etags[case_id]},
    )
    assert written.status == 201, written.body
    assert written.etag  # the case's new ETag
    analysis_id = written.body["id"]
    assert (written.body["status"], written.body["signatures"]) == ("draft", [])
    api.told(
        "specialist", case_id, since, "signature_requested", naming=pd_name, asks="läs och signera", acts=True
    )
    api.not_told(case_id, since, "gp_a", "mas_a")
    assert "sign_analysis" not in api.read_case("gp_a", case_id)["allowed_actions"]

    # The specialist finds the analysis on the case and signs it: MAS is asked to approve.
    since = now()
    listed = api.call("specialist", "cases_risk_analyses_list", path_params={"id": case_id})
    assert [a["id"] for a in listed.body] == [analysis_id]
    signed = api.act(
        "specialist",
        case_id,
        "risk_analyses_sign_create",
        action="sign_analysis",
        path_params={"id": analysis_id},
    )
    assert [s["organisation"]["id"] for s in signed["signatures"]] == [str(o["clinic"].public_id)]
    assert api.read_case("specialist", case_id)["status"] == "awaiting_approval"
    approval = api.told(
        "mas_a", case_id, since, "approval_requested", naming=pd_name, asks="godkänn eller avslå", acts=True
    )
    assert approval["due_at"] is not None
    api.not_told(case_id, since, "mas_b", "gp_a", "nurse_a")

    # MAS approves: the case is agreed and every party is told.
    since = now()
    approved = api.act(
        "mas_a",
        case_id,
        "risk_analyses_approve_create",
        action="approve_analysis",
        path_params={"id": analysis_id},
    )
    assert [d["verdict"] for d in approved["decisions"]] == ["approved"]
    case = api.read_case("nurse_a", case_id)
    assert case["status"] == "agreed"
    assert case["agreed_at"] is not None
    for key in ("nurse_a", "gp_a", "specialist"):
        api.told(key, case_id, since, "case_agreed", naming=pd_name, asks="Upprätta SIP", acts=False)
    api.not_told(case_id, since, "mas_b", "gp_b")

    # The nurse starts the SIP from the case (with the case's ETag): each party on it is asked to plan.
    since = now()
    started = api.call(
        "nurse_a",
        "sips_from_case_create",
        json={"case": case_id},
        headers={"If-Match": api.people["nurse_a"].etags[case_id], "Idempotency-Key": str(uuid.uuid4())},
    )
    assert started.status == 201, started.body
    sip_id = started.body["id"]
    insatser = started.body["current_version"]["insatser"]
    assert len(insatser) == 3
    for key in ("gp_a", "specialist"):
        api.told(key, case_id, since, "sip_started", naming=pd_name, asks="delta i planeringen", acts=True)
    api.not_told(case_id, since, "gp_b", "mas_b")
    assert api.read_case("nurse_a", case_id)["status"] == "agreed"

    # The plan is filled in and finalised, each write with the ETag of the answer before it.
    today = timezone.localdate()
    kommun_id = case["kommun"]["id"]
    filled = api.call(
        "nurse_a",
        "sips_draft_partial_update",
        path_params={"id": sip_id},
        json={
            "huvudansvar": kommun_id,
            "huvudansvar_contact": "Kommunsjuksköterska Eva Ek",
            "what_matters": "Att få bo kvar hemma.",
            "own_goals": "Klara påsbytena själv på dagtid.",
            "follow_up_on": (today + datetime.timedelta(days=90)).isoformat(),
            "consent_given_by": "person",
            "consent_given_by_name": "Greta Andersson",
            "consent_scope": "Planen får delas mellan kommunen, vårdcentralen och njurmedicin.",
            "consent_given_on": today.isoformat(),
            "no_other_measures": True,
            "participants": [
                {"name": "Greta Andersson", "kind": "person", "present": True},
                {"name": "Eva Ek", "kind": "kommun", "organisation": kommun_id, "role": "Sjuksköterska"},
            ],
            "contact_paths": [
                {"period": "day", "who": "Hemsjukvården A kommun", "phone": "0340-111 11"},
                {"period": "evening_night", "who": "Njurmedicin PD-jour", "phone": "035-222 22"},
                {"period": "weekend", "who": "Njurmedicin helgjour", "phone": "035-333 33"},
            ],
        },
        headers={"If-Match": str(started.etag)},
    )
    assert filled.status == 200, filled.body
    since = now()
    finalised = api.call(
        "nurse_a", "sips_finalise_create", path_params={"id": sip_id}, headers={"If-Match": str(filled.etag)}
    )
    assert finalised.status == 200, finalised.body
    assert finalised.body["status"] == "finalised"
    assert api.read_case("nurse_a", case_id)["status"] == "active"
    for key in ("gp_a", "specialist"):
        api.told(key, case_id, since, "sip_finalised", naming=pd_name, asks="läs er del", acts=False)
    api.not_told(case_id, since, "gp_b", "mas_b")

    # The specialist, told, reads the plan and prints it.
    plan = api.call("specialist", "sips_retrieve", path_params={"id": sip_id})
    assert plan.status == 200
    version = plan.body["current_version"]
    assert version["status"] == "finalised"
    assert {i["task_type"] for i in version["insatser"]} == {PD, TPN, MEDICATION}
    fetch_pdf(api, "specialist", "sip_care_plan", version["id"])


# --- (b) four tasks, one disputed, up the ladder to a binding decision -------------------------------


def _decisions(api: Integration, key: str, case_id: str) -> Iterator[dict[str, Any]]:
    """The decisions on the case, oldest first, as the timeline records them."""
    answer = api.call(key, "cases_timeline_list", path_params={"id": case_id})
    assert answer.status == 200
    for event in answer.body:
        if event["kind"] == "decided" and event["action"] == "decide":
            yield event


def test_four_tasks_one_disputed_up_the_ladder_to_a_binding_decision(integration: Integration) -> None:
    api = integration
    o = api.world.orgs
    people = (
        "nurse_a",
        "gp_a",
        "gp_b",
        "specialist",
        "mas_a",
        "coordinator_a",
        "coordinator_vc_a",
        "governance_lokal",
        "governance",
        "governance_gnhh",
    )
    for key in people:
        api.sign_in(key)

    case = open_case(api, [PD, TPN, WOUND, MEDICATION], "Utskriven med PD, TPN, sår och läkemedel.")
    case_id = case["id"]
    wound_name = tasks_of(case)[WOUND]["task_type_name"]
    wound_id = tasks_of(case)[WOUND]["id"]

    # The clinic accepts PD and TPN, agreed at once while the vårdcentral has yet to answer; the GP
    # accepts the medication and disputes the wound care.
    case = api.act("specialist", case_id, "cases_accept_create", action="accept", json={})
    assert case["status"] == "in_review"
    assert all(tasks_of(case)[code]["agreed_at"] for code in (PD, TPN))
    medication_id = tasks_of(api.read_case("gp_a", case_id))[MEDICATION]["id"]
    api.act(
        "gp_a", case_id, "cases_accept_create", action="accept", json={"tasks": [{"task": medication_id}]}
    )
    since = now()
    case = api.act(
        "gp_a",
        case_id,
        "cases_dispute_create",
        action="dispute",
        json={
            "positions": [
                {
                    "task": wound_id,
                    "text": "Såret är postoperativt; kirurgen bör ordinera och följa upp.",
                    "orders": str(o["clinic"].public_id),
                    "follows_up": str(o["clinic"].public_id),
                }
            ]
        },
    )
    # Three tasks agreed at once; only the wound care is disputed.
    assert case["status"] == "disputed"
    states = {code: t["review_state"] for code, t in tasks_of(case).items()}
    assert states == {PD: "accepted", TPN: "accepted", MEDICATION: "accepted", WOUND: "disputed"}
    assert all(tasks_of(case)[code]["agreed_at"] for code in (PD, TPN, MEDICATION))
    assert tasks_of(case)[WOUND]["agreed_at"] is None
    for key in ("coordinator_a", "nurse_a", "specialist"):
        api.told(
            key,
            case_id,
            since,
            "case_disputed",
            naming=wound_name,
            asks="Ange er ståndpunkt, eller eskalera",
            acts=True,
        )
    api.not_told(case_id, since, "gp_a", "mas_a", "governance_lokal", "gp_b")

    # The kommun's coordinator escalates: lokal samverkan (level 1) is asked to decide.
    since = now()
    case = api.act(
        "coordinator_a",
        case_id,
        "cases_escalate_create",
        action="escalate",
        json={"reason": "Parterna är oense om sårvården.", "level": 1},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert (case["status"], case["escalation_level"]) == ("escalated", 1)
    assert case["escalation_body"]["id"] == str(o["lokal_a"].public_id)
    notice = api.told(
        "governance_lokal",
        case_id,
        since,
        "case_escalated",
        naming=wound_name,
        asks="avgör det senast",
        acts=True,
    )
    assert notice["due_at"] is not None
    api.told(
        "gp_a",
        case_id,
        since,
        "case_escalated",
        naming=wound_name,
        asks="eskalerat till Lokal samverkan A (nivå 1)",
        acts=False,
    )
    api.not_told(case_id, since, "governance", "governance_gnhh", "gp_b")
    # Nobody climbs alone: a second escalation before level 1 has decided is refused.
    refused = api.act(
        "coordinator_a",
        case_id,
        "cases_escalate_create",
        json={"reason": "Vi vill vidare.", "level": 2},
        expect=409,
    )
    assert refused["error"]["level"] == 1
    assert "escalate" not in refused["error"]["allowed"]
    assert api.read_case("coordinator_a", case_id)["escalation_level"] == 1

    # Level 1 recommends, on the disputed task only.
    since = now()
    split = {
        "task": wound_id,
        "orders": str(o["vc_a"].public_id),
        "performs": str(o["kommun_a"].public_id),
        "follows_up": str(o["vc_a"].public_id),
    }
    case = api.act(
        "governance_lokal",
        case_id,
        "cases_decide_create",
        action="decide",
        json={"outcome": "agreed", "reasons": "Enligt § 5.3 ordinerar vårdcentralen.", "splits": [split]},
    )
    assert case["status"] == "escalated"
    assert tasks_of(case)[WOUND]["review_state"] == "disputed"
    for key in ("coordinator_a", "mas_a", "gp_a", "coordinator_vc_a", "specialist"):
        api.told(
            key,
            case_id,
            since,
            "case_decided",
            naming=wound_name,
            asks="godta rekommendationen för er part",
            acts=True,
        )
    api.told(
        "nurse_a",
        case_id,
        since,
        "case_decided",
        naming=wound_name,
        asks="rekommenderar hur ärendet",
        acts=False,
    )
    api.not_told(case_id, since, "governance", "governance_gnhh", "gp_b")

    # The kommun accepts the recommendation: the region side hears of it, the next level does not.
    since = now()
    case = api.act(
        "coordinator_a",
        case_id,
        "cases_accept_recommendation_create",
        action="accept_recommendation",
        json={"reason": "Kommunen godtar."},
    )
    assert case["status"] == "escalated"
    for key in ("gp_a", "governance_lokal"):
        api.told(key, case_id, since, "position_stated", naming=wound_name, asks="En part godtar", acts=False)
    api.not_told(case_id, since, "governance", "governance_gnhh", "gp_b")
    # The kommun has answered for its side; the vårdcentral does not accept.
    assert "accept_recommendation" not in api.read_case("mas_a", case_id)["allowed_actions"]
    since = now()
    case = api.act(
        "gp_a",
        case_id,
        "cases_decline_recommendation_create",
        action="decline_recommendation",
        json={"reason": "Vårdcentralen saknar resurser för postoperativ sårvård."},
    )
    assert case["status"] == "escalated"
    for key in ("coordinator_a", "coordinator_vc_a"):
        api.told(
            key,
            case_id,
            since,
            "position_stated",
            naming=wound_name,
            asks="godtar inte samverkansorganets rekommendation",
            acts=True,
        )
    api.told(
        "governance_lokal",
        case_id,
        since,
        "position_stated",
        naming=wound_name,
        asks="godtar inte samverkansorganets rekommendation",
        acts=False,
    )
    api.not_told(case_id, since, "governance", "governance_gnhh")

    # Declined: the coordinator sends it on to RUG (level 2), which finds it cannot settle it.
    since = now()
    case = api.act(
        "coordinator_a",
        case_id,
        "cases_escalate_create",
        action="escalate",
        json={"reason": "Vårdcentralen godtar inte rekommendationen.", "level": 2},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert (case["status"], case["escalation_level"]) == ("escalated", 2)
    api.told(
        "governance", case_id, since, "case_escalated", naming=wound_name, asks="avgör det senast", acts=True
    )
    api.not_told(case_id, since, "governance_gnhh")
    since = now()
    case = api.act(
        "governance",
        case_id,
        "cases_cannot_settle_create",
        action="cannot_settle",
        json={"reason": "Frågan gäller hela regionens avtal."},
    )
    assert (case["status"], case["escalation_level"]) == ("escalated", 3)
    assert case["escalation_body"]["id"] == str(o["gnhh"].public_id)
    api.told(
        "governance_gnhh",
        case_id,
        since,
        "case_escalated",
        naming=wound_name,
        asks="avgör det senast",
        acts=True,
    )
    api.not_told(case_id, since, "governance_lokal")

    # GNHH decides, binding: the wound care is settled and the case goes on to the risk analysis.
    since = now()
    case = api.act(
        "governance_gnhh",
        case_id,
        "cases_decide_create",
        action="decide",
        json={"outcome": "agreed", "reasons": "Kommunen utför, vårdcentralen ordinerar.", "splits": [split]},
    )
    assert case["status"] == "risk_analysis"
    wound = tasks_of(case)[WOUND]
    assert wound["review_state"] == "decided"
    assert wound["agreed_performs"]["id"] == str(o["kommun_a"].public_id)
    assert wound["agreed_orders"]["id"] == str(o["vc_a"].public_id)
    api.told(
        "nurse_a",
        case_id,
        since,
        "analysis_requested",
        naming=wound_name,
        asks="Skriv riskanalysen",
        acts=True,
    )
    for key in ("coordinator_a", "gp_a", "specialist"):
        api.told(
            key, case_id, since, "case_decided", naming=wound_name, asks="har beslutat i ärendet", acts=False
        )
    api.not_told(case_id, since, "gp_b", "governance_lokal")

    # Every party fetches the decision notice of the binding decision: the same PDF for each.
    documents: set[str] = set()
    for key in ("nurse_a", "coordinator_a", "gp_a", "specialist", "governance_gnhh"):
        *_earlier, binding = list(_decisions(api, key, case_id))
        assert binding["payload"]["level"] == 3
        assert binding["payload"]["binding"] is True
        documents.add(fetch_pdf(api, key, "decision_notice", binding["payload"]["decision"]))
    assert len(documents) == 1
    listed = api.call(
        "gp_a",
        "documents_list",
        query={"kind": "decision_notice", "source_id": binding["payload"]["decision"]},
    )
    assert [d["id"] for d in listed.body["results"]] == list(documents)
    # Another kommun's vårdcentral does not get it.
    outsider = api.call(
        "gp_b",
        "documents_create",
        json={"kind": "decision_notice", "source_id": binding["payload"]["decision"]},
    )
    assert outsider.status == 404
