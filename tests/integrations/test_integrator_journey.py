"""What an integrator can do from the committed schema alone: get a token, create a case on behalf of the
nurse signed in to the kommun's system, follow it by webhooks, and fetch the agreed case's SIP as FHIR.

Every operation, the token URL and the header that names the person are looked up in ``openapi.yaml``,
as an integrator would; only the SIP meeting's notes (the draft's content) are written through the
services, since a real SIP meeting fills them in over many edits.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from django.conf import settings
from fhir.resources.R4B.careplan import CarePlan
from rest_framework.test import APIClient

from directory.actor import Actor
from integrations import services
from integrations.models import ClientAccess, DeliveryStatus, WebhookDelivery
from sip.models import Sip
from tests.fixtures.agreements import WOUND
from tests.fixtures.sip import fill
from tests.fixtures.webhooks import Receiver

pytestmark = pytest.mark.django_db

NURSE_HSA_ID = "SE2321000115-E00000000A01"


@functools.cache
def schema() -> dict[str, Any]:
    """The committed ``openapi.yaml`` (read once, with libyaml's parser where there is one)."""
    text = (Path(settings.BASE_DIR) / "openapi.yaml").read_text()
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    loaded: dict[str, Any] = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    return loaded


def operation(operation_id: str) -> tuple[str, str]:
    """The method and path template of an operation of the committed schema."""
    for path, operations in schema()["paths"].items():
        for method, details in operations.items():
            if isinstance(details, dict) and details.get("operationId") == operation_id:
                return method, path
    raise AssertionError(f"{operation_id} is not in openapi.yaml")


class Integrator:
    """An HTTP client that knows only the schema, its credentials and the person signed in to it."""

    def __init__(self, api: APIClient, on_behalf_of: str = "") -> None:
        self.api = api
        schemes = schema()["components"]["securitySchemes"]
        person = schemes["onBehalfOf"]
        assert person["type"] == "apiKey"
        assert person["in"] == "header"
        self.person_header = {"HTTP_" + person["name"].upper().replace("-", "_"): on_behalf_of}
        self.on_behalf_of = on_behalf_of

    def call(self, operation_id: str, *, as_person: bool = True, body: Any = None, **kwargs: Any) -> Any:
        etag = kwargs.pop("if_match", None)
        method, template = operation(operation_id)
        headers: dict[str, Any] = dict(self.person_header) if as_person and self.on_behalf_of else {}
        if etag is not None:
            headers["HTTP_IF_MATCH"] = etag
        path = template.format(**kwargs)
        if method == "get":
            return self.api.get(path, **headers)
        return getattr(self.api, method)(path, body if body is not None else {}, format="json", **headers)


def client_credentials_token(client_id: str, secret: str) -> str:
    flows = schema()["components"]["securitySchemes"]["clientCredentials"]["flows"]
    token_url = flows["clientCredentials"]["tokenUrl"]
    response = APIClient().post(
        token_url,
        urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "scope": "read write",
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response


def test_create_follow_and_fetch_the_sip_as_fhir_from_the_schema_alone(
    world, halland, api, make_client, receiver: Receiver
) -> None:
    nurse = world.users["nurse_a"]
    nurse.hsa_id = NURSE_HSA_ID
    nurse.save(update_fields=["hsa_id"])
    patient = world.patient()
    issued = make_client("Kommunens journalsystem", scope=("kommun_a",), access=ClientAccess.READ_WRITE)
    bearer = APIClient()
    bearer.credentials(
        HTTP_AUTHORIZATION=f"Bearer {client_credentials_token(issued.client.client_id, issued.secret)}"
    )
    journal = Integrator(bearer, on_behalf_of=NURSE_HSA_ID)
    gp = Integrator(api(world.users["gp_a"]))  # the GP answers in their own system, with their own token

    # Follow: one subscription for the case's life and its plan.
    ok(
        journal.call(
            "webhook_subscriptions_create",
            as_person=False,
            body={"url": receiver.url, "events": ["case.submitted", "case.agreed", "sip.finalised"]},
        ),
        201,
    )

    # Create and submit, as the nurse.
    opened = ok(
        journal.call(
            "cases_create",
            body={
                "patient": str(patient.public_id),
                "trigger": "changed_needs",
                "background": "Bensår som behöver omläggning varannan dag.",
                "tasks": [WOUND],
            },
        ),
        201,
    )
    case_id = opened.json()["id"]
    submitted = ok(journal.call("cases_submit_create", id=case_id, if_match=opened["ETag"]))
    assert submitted.json()["status"] == "in_review"

    # The listed vårdcentral's GP accepts the proposed split: the case is agreed.
    read = ok(gp.call("cases_retrieve", id=case_id))
    accepted = ok(gp.call("cases_accept_create", id=case_id, if_match=read["ETag"], body={}))
    assert accepted.json()["status"] == "agreed"

    # The nurse starts the SIP from the agreed case; the meeting's notes go into the draft; she finalises.
    read = ok(journal.call("cases_retrieve", id=case_id))
    started = ok(journal.call("sips_from_case_create", body={"case": case_id}, if_match=read["ETag"]), 201)
    sip_id = started.json()["id"]
    fill(Sip.objects.get(public_id=sip_id), Actor.for_user(nurse), world)
    read = ok(journal.call("sips_retrieve", id=sip_id))
    ok(journal.call("sips_finalise_create", id=sip_id, if_match=read["ETag"]))

    # The webhooks told the client each step, in order, about this case and its plan only.
    deliveries = list(
        WebhookDelivery.objects.filter(subscription__client=issued.client).order_by("created_at", "pk")
    )
    assert [d.kind for d in deliveries] == ["case.submitted", "case.agreed", "sip.finalised"]
    for delivery in deliveries:
        assert services.delivery_attempt(delivery_id=delivery.pk).status == DeliveryStatus.DELIVERED
    events = [receiver.json(i) for i in range(len(deliveries))]
    assert [e["data"]["case"]["id"] for e in events[:2]] == [case_id, case_id]
    finalised = events[2]["data"]["sip"]
    assert (finalised["id"], finalised["case_id"]) == (sip_id, case_id)

    # The agreed case's SIP as FHIR, fetched by the client itself and on behalf of the nurse.
    for as_person in (False, True):
        plan = ok(journal.call("fhir_CarePlan_retrieve", as_person=as_person, id=finalised["id"]))
        assert plan["Content-Type"].startswith("application/fhir+json")
        careplan = CarePlan.model_validate(plan.json())
        assert careplan.status == "active"
        assert careplan.activity
        for activity in careplan.activity:
            assert activity.detail.performer[0].reference.startswith("Organization/")
