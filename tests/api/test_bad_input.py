"""Input nobody can store answers 400 with a field error, never 500, and nothing is written.

Each request here was a 500 before: a value longer than its column reached PostgreSQL; a NUL character
(which PostgreSQL cannot hold in text) reached a query, from a search parameter or, unauthenticated,
the OAuth token endpoint; a deeply nested JSON body made the decoder raise ``RecursionError``, also
unauthenticated. And a list had no bound: 5,000 hazards on one risk analysis made every read of its
case slow.
"""

from __future__ import annotations

import base64
import datetime
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cases.models import CaseEvent, RiskAnalysis
from directory.models import ApiToken
from integrations import services as integration_services
from integrations.models import ApiClient, ClientAccess, ClientToken
from sip import services as sip_services
from sip.models import ConsentWithdrawal, Sip, SipVersion
from tests.fixtures.cases import etag
from tests.fixtures.sip import fill

pytestmark = pytest.mark.django_db

SWEDISH_SUMMARY = "Begäran innehåller ogiltiga uppgifter. Se fälten."


def _messages(value: Any) -> list[str]:
    """Every message under a field, however nested (a list's item, an item's field)."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value
    return [message for item in items for message in _messages(item)]


def _invalid(response: Any, field: str) -> list[str]:
    """The field's messages of a 400 in the API's error shape (Swedish by default)."""
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["message"] == SWEDISH_SUMMARY
    assert field in error["fields"], error["fields"]
    return _messages(error["fields"][field])


@pytest.fixture
def act(api):
    """POST to the API as ``user`` with the case's current ETag."""

    def post(user: Any, case: Any, path: str, body: dict[str, Any]) -> Any:
        return api(user).post(f"/api/v1/{path}", body, format="json", HTTP_IF_MATCH=etag(case))

    return post


def _draft_state(sip: Sip) -> tuple[Any, ...]:
    sip.refresh_from_db()
    version = SipVersion.objects.get(sip=sip, status="draft")
    return (
        sip.revision,
        version.huvudansvar_contact,
        version.interpreter_language,
        version.consent_given_by_name,
        version.consent_representative_role,
        version.other_measures.count(),
        version.participants.count(),
        version.contact_paths.count(),
        version.insatser.count(),
    )


def _one(**item: str) -> list[dict[str, str]]:
    return [item]


# The SIP draft fields that were a 500 when too long, each one character past its column.
TOO_LONG_IN_DRAFT: dict[str, tuple[dict[str, Any], str, int]] = {
    "huvudansvar_contact": ({"huvudansvar_contact": "x" * 201}, "huvudansvar_contact", 200),
    "interpreter_language": ({"interpreter_language": "x" * 65}, "interpreter_language", 64),
    "consent_given_by_name": ({"consent_given_by_name": "x" * 201}, "consent_given_by_name", 200),
    "consent_representative_role": (
        {"consent_representative_role": "x" * 101},
        "consent_representative_role",
        100,
    ),
    "other_measures.actor_name": (
        {"other_measures": _one(description="Handlar", actor_kind="next_of_kin", actor_name="x" * 201)},
        "other_measures",
        200,
    ),
    "participants.name": ({"participants": _one(name="x" * 201, kind="person")}, "participants", 200),
    "participants.role": (
        {"participants": _one(name="Anna", kind="next_of_kin", role="x" * 201)},
        "participants",
        200,
    ),
    "participants.phone": (
        {"participants": _one(name="Anna", kind="next_of_kin", phone="0" * 201)},
        "participants",
        200,
    ),
    "participants.email": (
        {"participants": _one(name="Anna", kind="next_of_kin", email="a" * 250 + "@example.se")},
        "participants",
        254,
    ),
    "insatser.frequency": (
        {"insatser": _one(description="PD", frequency="x" * 201)},
        "insatser",
        200,
    ),
    "contact_paths.who": (
        {"contact_paths": _one(period="day", who="x" * 201, phone="0340-1")},
        "contact_paths",
        200,
    ),
    "contact_paths.phone": (
        {"contact_paths": _one(period="day", who="Hemsjukvården", phone="1" * 65)},
        "contact_paths",
        64,
    ),
}


@pytest.mark.parametrize("case", list(TOO_LONG_IN_DRAFT), ids=str)
def test_a_too_long_value_in_a_sip_draft_is_a_field_error(world, api, sip_from_case, case):
    body, field, column = TOO_LONG_IN_DRAFT[case]
    client = api(world.users["nurse_a"])
    url = f"/api/v1/sips/{sip_from_case.public_id}"
    before = _draft_state(sip_from_case)
    response = client.patch(url + "/draft", body, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    messages = _invalid(response, field)
    assert messages == [f"Se till att detta fält inte har fler än {column} tecken."]
    assert _draft_state(sip_from_case) == before


def test_a_too_long_name_withdrawing_consent_is_a_field_error(world, api, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    sip_services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    client = api(world.users["nurse_a"])
    url = f"/api/v1/sips/{sip_from_case.public_id}"
    body = {
        "withdrawn_by": "person",
        "withdrawn_by_name": "x" * 201,
        "withdrawn_on": str(timezone.localdate()),
    }
    response = client.post(
        url + "/withdraw-consent", body, format="json", HTTP_IF_MATCH=client.get(url)["ETag"]
    )
    assert _invalid(response, "withdrawn_by_name") == ["Se till att detta fält inte har fler än 200 tecken."]
    assert not ConsentWithdrawal.objects.exists()


def _analysis(measure: dict[str, Any] | None = None, hazards: int = 1) -> dict[str, Any]:
    hazard: dict[str, Any] = {"description": "Peritonit vid påsbyte", "likelihood": 2, "consequence": 4}
    if measure is not None:
        hazard["measures"] = [measure]
    return {"summary": "PD i hemmet.", "hazards": [dict(hazard) for _ in range(hazards)]}


def test_a_too_long_measure_owner_in_a_risk_analysis_is_a_field_error(world, case_in, act):
    case = case_in("risk_analysis")
    measure = {
        "description": "Utbildning i påsbyte",
        "owner_organisation": str(world.orgs["kommun_a"].public_id),
        "owner_name": "x" * 201,
        "due_on": str(timezone.localdate() + datetime.timedelta(days=14)),
    }
    response = act(world.users["nurse_a"], case, f"cases/{case.public_id}/risk-analyses", _analysis(measure))
    assert _invalid(response, "hazards") == ["Se till att detta fält inte har fler än 200 tecken."]
    assert not RiskAnalysis.objects.filter(case=case).exists()


def test_a_risk_analysis_takes_at_most_fifty_hazards(world, case_in, act):
    case = case_in("risk_analysis")
    path = f"cases/{case.public_id}/risk-analyses"
    response = act(world.users["nurse_a"], case, path, _analysis(hazards=5000))
    assert _invalid(response, "hazards") == ["Skicka högst 50 poster."]
    assert not RiskAnalysis.objects.filter(case=case).exists()
    assert act(world.users["nurse_a"], case, path, _analysis(hazards=50)).status_code == 201


def test_a_sip_draft_takes_at_most_fifty_participants(world, api, sip_from_case):
    client = api(world.users["nurse_a"])
    url = f"/api/v1/sips/{sip_from_case.public_id}"
    before = _draft_state(sip_from_case)
    body = {"participants": [{"name": f"Deltagare {n}", "kind": "person"} for n in range(51)]}
    response = client.patch(url + "/draft", body, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert _invalid(response, "participants") == ["Skicka högst 50 poster."]
    assert _draft_state(sip_from_case) == before


# --- NUL characters ----------------------------------------------------------------------------------

NUL_MESSAGE = "Texten innehåller ett NUL-tecken, som inte kan sparas."


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/patients?search=19%0012", "search"),
        ("/api/v1/cases?task_type=peritoneal-dialysis%00", "task_type"),
        ("/api/v1/cases?status=draft&ordering=%00", "ordering"),
        ("/api/v1/responsibility-rules?task_type=%00", "task_type"),
        ("/api/v1/patients?x%00=1", "x\\0"),
    ],
)
def test_a_nul_in_a_search_or_filter_is_a_field_error(world, api, path, field):
    response = api(world.users["nurse_a"]).get(path)
    assert _invalid(response, field) == [NUL_MESSAGE]


def test_a_nul_in_a_page_search_answers_the_400_page(world):
    client = Client()
    client.force_login(world.users["nurse_a"])
    response = client.get("/patients/?q=19%0012")
    assert response.status_code == 400
    assert "Begäran kunde inte läsas" in response.content.decode()


def test_a_nul_in_a_json_string_is_a_field_error_naming_it(world, api, sip_from_case):
    """A task type code with a NUL was looked up as it came, and PostgreSQL refused the query."""
    client = api(world.users["nurse_a"])
    url = f"/api/v1/sips/{sip_from_case.public_id}"
    before = _draft_state(sip_from_case)
    body = {"insatser": [{"description": "PD-byten", "task_type": "peritoneal-dialysis\x00"}]}
    response = client.patch(url + "/draft", body, format="json", HTTP_IF_MATCH=client.get(url)["ETag"])
    assert _invalid(response, "insatser.0.task_type") == [NUL_MESSAGE]
    assert _draft_state(sip_from_case) == before


def test_a_nul_in_a_case_comment_writes_nothing(world, case_in, act):
    case = case_in("in_review")
    events = CaseEvent.objects.filter(case=case).count()
    response = act(world.users["nurse_a"], case, f"cases/{case.public_id}/comment", {"text": "Hej\x00"})
    assert _invalid(response, "text") == [NUL_MESSAGE]
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_nul_in_a_multipart_form_is_a_field_error(world, api, case_in):
    case = case_in("in_review")
    events = CaseEvent.objects.filter(case=case).count()
    response = api(world.users["nurse_a"]).post(
        f"/api/v1/cases/{case.public_id}/comment",
        {"text": "Hej\x00"},
        format="multipart",
        HTTP_IF_MATCH=etag(case),
    )
    assert _invalid(response, "text") == [NUL_MESSAGE]
    assert CaseEvent.objects.filter(case=case).count() == events


@pytest.fixture
def oauth_client(world):
    return integration_services.api_client_create(
        name="Journalsystem A",
        organisation=world.orgs["kommun_a"],
        scope=[world.orgs["kommun_a"]],
        access=ClientAccess.READ,
        contact_email="it@example.org",
    )


def _form(data: dict[str, str], **headers: Any) -> Any:
    return APIClient().post(
        "/api/v1/oauth/token", urlencode(data), content_type="application/x-www-form-urlencoded", **headers
    )


def test_a_nul_in_client_id_at_the_token_endpoint_is_a_field_error(world, oauth_client):
    client_id = oauth_client.client.client_id
    response = _form(
        {"grant_type": "client_credentials", "client_id": client_id + "\x00", "client_secret": "x"}
    )
    assert _invalid(response, "client_id") == [NUL_MESSAGE]
    assert not ClientToken.objects.exists()
    # The real client still gets its token.
    ok = _form(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": oauth_client.secret}
    )
    assert ok.status_code == 200, ok.content


def test_a_nul_in_basic_credentials_at_the_token_endpoint_is_refused(world, oauth_client):
    credentials = base64.b64encode(
        f"{oauth_client.client.client_id}%00:{oauth_client.secret}".encode()
    ).decode()
    response = _form({"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {credentials}")
    assert _invalid(response, "Authorization") == [NUL_MESSAGE]
    assert not ClientToken.objects.exists()


def test_a_nul_in_client_id_sent_as_json_is_a_field_error(world, oauth_client):
    body = {"grant_type": "client_credentials", "client_id": "hsvc_\x00", "client_secret": "x"}
    response = APIClient().post("/api/v1/oauth/token", body, format="json")
    assert _invalid(response, "client_id") == [NUL_MESSAGE]
    assert ApiClient.objects.count() == 1


# --- Deeply nested JSON ------------------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("path", ["/api/v1/oauth/token", "/api/v1/auth/token"])
def test_deeply_nested_json_is_refused_unauthenticated(world, path):
    response = Client().post(path, DEEP, content_type="application/json")
    assert _invalid(response, "non_field_errors") == ["JSON-innehållet är nästlat i fler än 32 nivåer."]
    assert not ClientToken.objects.exists()
    assert not ApiToken.objects.exists()


def test_json_nested_past_the_limit_inside_a_field_names_the_field(world, case_in, act):
    """Nesting the decoder accepts but no field takes is refused as well, naming the field it is in."""
    case = case_in("risk_analysis")
    nested: Any = "Peritonit"
    for _ in range(40):
        nested = [nested]
    response = act(world.users["nurse_a"], case, f"cases/{case.public_id}/risk-analyses", {"hazards": nested})
    assert _invalid(response, "hazards") == ["JSON-innehållet är nästlat i fler än 32 nivåer."]
    assert not RiskAnalysis.objects.filter(case=case).exists()


def test_the_api_still_answers_in_english_when_asked(world, api):
    response = api(world.users["nurse_a"]).get("/api/v1/patients?search=%00", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["error"]["fields"]["search"] == [
        "The text contains a NUL character, which cannot be stored."
    ]


def test_ordinary_input_is_untouched(world, case_in, act):
    case = case_in("risk_analysis")
    response = act(world.users["nurse_a"], case, f"cases/{case.public_id}/risk-analyses", _analysis())
    assert response.status_code == 201, response.content
    assert etag(case)
