"""``docs/first-integration.md`` is run as written: every request in it is sent in order, against the demo
world, and every answer is what the guide says it is.

The guide's requests are its ```` ```http ```` blocks; after each, an HTML comment (invisible on the
page) says what the answer must be and what the walk keeps of it for the next requests
(``<!-- expect 201; keep case = id, case_etag = header:ETag -->``), and
``<!-- expect webhook case.submitted for case -->`` waits for the delivery at the reader's address.
Values in ``{{double braces}}`` are the integrator's own (the client's id and secret, the nurse's
HSA-id, the patient's personnummer, the webhook address) or kept from an earlier answer.
"""

from __future__ import annotations

import io
import json
import re
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from rest_framework.test import APIClient

from cases.models import ResponsibilityCase
from directory.models import Organisation, OrganisationKind, User
from integrations import services as integrations
from integrations.models import ClientAccess
from patients.models import Patient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_rate_limit_counters")]

GUIDE = settings.BASE_DIR / "docs" / "first-integration.md"
STEP = re.compile(
    r"```http\n(?P<request>.*?)```\n<!-- expect (?P<expect>[^>]*?) -->"
    r"|<!-- expect webhook (?P<event>[\w.]+) for (?P<of>\w+) -->\n```json\n(?P<example>.*?)```",
    re.S,
)
PLACEHOLDER = re.compile(r"{{(\w+)}}")


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: str


def steps(text: str) -> list[re.Match[str]]:
    return list(STEP.finditer(text))


def parse(block: str) -> Request:
    head, _, body = block.partition("\n\n")
    first, *header_lines = head.strip().splitlines()
    method, path = first.split(" ", 1)
    headers = dict(line.split(": ", 1) for line in header_lines)
    return Request(method=method, path=path.strip(), headers=headers, body=body.strip())


def fill(text: str, values: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "new_uuid":
            return str(uuid.uuid4())
        assert name in values, f"the guide uses {{{{{name}}}}} before anything gave it a value"
        return values[name]

    return PLACEHOLDER.sub(value, text)


def pick(answer: Any, path: str) -> Any:
    """``results.0.id``, or ``results[name=Njurmedicin Halland].id``: a field of the answer's JSON."""
    found = answer
    for part in re.findall(r"\w+(?:\[[^\]]+\])?", path):
        name, _, condition = part.partition("[")
        found = found[int(name)] if name.isdigit() else found[name]
        if condition:
            key, _, wanted = condition.rstrip("]").partition("=")
            [found] = [item for item in found if str(item.get(key)) == wanted]
    return found


def send(client: APIClient, request: Request) -> Any:
    headers = {k: v for k, v in request.headers.items() if k.lower() != "content-type"}
    return client.generic(
        request.method,
        request.path,
        data=request.body,
        content_type=request.headers.get("Content-Type", "application/json"),
        headers=headers,
    )


def _demo_world() -> None:
    call_command(
        "seed_demo", "--patients", "200", "--cases", "40", stdout=io.StringIO(), stderr=io.StringIO()
    )


def _patient_without_a_case(kommun: Organisation) -> Patient:
    """A patient of the kommun, enrolled there and listed at a vårdcentral, with no case yet: the one the
    nurse has in front of her in the journal."""
    busy = ResponsibilityCase.objects.values("patient_id")
    patient = (
        Patient.objects.filter(
            folkbokforing_kommun=kommun,
            protected_identity=False,
            listed_vardcentral__isnull=False,
            enrolments__kommun=kommun,
            enrolments__ends_on__isnull=True,
        )
        .exclude(pk__in=busy)
        .order_by("pk")
        .first()
    )
    assert patient is not None
    return patient


def test_the_first_integration_guide_runs_as_written(
    eager_celery, receiver, django_capture_on_commit_callbacks
):
    _demo_world()
    kommun = Organisation.objects.get(name="Varbergs kommun", kind=OrganisationKind.KOMMUN)
    nurse = User.objects.get(username="nurse.varberg")
    issued = integrations.api_client_create(
        name="Journalsystem Varberg",
        organisation=kommun,
        scope=[kommun],
        access=ClientAccess.READ_WRITE,
        contact_email="it@example.org",
    )
    values = {
        "client_id": issued.client.client_id,
        "client_secret": issued.secret,
        "nurse_hsa_id": nurse.hsa_id,
        "personnummer": _patient_without_a_case(kommun).personal_identity,
        "webhook_url": receiver.url,
    }
    text = GUIDE.read_text(encoding="utf-8")
    found = steps(text)
    assert len(found) >= 10, "the guide's steps were not found"

    client = APIClient()
    sent = 0
    for step in found:
        if step.group("event"):
            event, of = step.group("event"), values[step.group("of")]
            deliveries = [json.loads(r.body) for r in receiver.received]
            matching = [d for d in deliveries if d.get("type") == event and of in json.dumps(d)]
            assert matching, f"no {event} delivery for {of}: {deliveries}"
            # The guide's example has the delivery's shape.
            example = json.loads(step.group("example"))
            assert set(example) == set(matching[0])
            assert set(example["data"]["case"]) == set(matching[0]["data"]["case"])
            continue
        request = parse(fill(step.group("request"), values))
        with django_capture_on_commit_callbacks(execute=True):
            answer = send(client, request)
        status, _, keeps = step.group("expect").partition("; keep ")
        assert answer.status_code == int(status), (request.method, request.path, answer.content[:600])
        sent += 1
        body = answer.json() if answer.content else None
        for keep in filter(None, (k.strip() for k in keeps.split(","))):
            name, _, path = (part.strip() for part in keep.partition("="))
            values[name] = str(answer[path[7:]] if path.startswith("header:") else pick(body, path))

    assert sent >= 9
    assert values["status"] == "in_review"
    assert values["resource_type"] == "CarePlan"
