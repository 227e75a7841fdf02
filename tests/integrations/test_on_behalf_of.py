"""An API client acting for the person signed in to it (``X-On-Behalf-Of``): the kommun's care documentation
system opens and submits a case as the kommun nurse, within its scope only, and the access log shows
"nurse via the system". Everything outside the person's or the client's reach is refused, and nothing is
written."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AccessLogEntry, Action, Outcome
from cases.models import CaseEvent, ResponsibilityCase
from directory.models import Membership, Role, User
from integrations import services
from integrations.models import ClientAccess, DeliveryStatus, WebhookDelivery
from tests.fixtures.agreements import PD
from tests.fixtures.cases import etag
from tests.fixtures.world import World, make_user

from .conftest import as_client, token_for

pytestmark = pytest.mark.django_db

SYSTEM = "Kommunens journalsystem"
HSA = {
    "nurse_a": "SE2321000115-E00000000A01",
    "nurse_b": "SE2321000115-E00000000B01",
    "mas_a": "SE2321000115-E00000000A02",
    "rehab_a": "SE2321000115-E00000000A03",
    "gp_a": "SE2321000115-E00000000V01",
    "admin": "SE2321000115-E00000000R01",
}


@pytest.fixture
def hsa(world: World) -> dict[str, str]:
    for key, hsa_id in HSA.items():
        user = world.users[key]
        user.hsa_id = hsa_id
        user.save(update_fields=["hsa_id"])
    return HSA


@pytest.fixture
def journal(make_client: Any) -> services.IssuedSecret:
    """Kommun A's care documentation system: read and write, scoped to kommun A."""
    issued: services.IssuedSecret = make_client(SYSTEM, scope=("kommun_a",), access=ClientAccess.READ_WRITE)
    return issued


def _case_body(world: World, patient: Any) -> dict[str, Any]:
    return {
        "patient": str(patient.public_id),
        "trigger": "discharge",
        "urgency": "urgent",
        "specialist_clinic": str(world.orgs["clinic"].public_id),
        "background": "Utskrivningsklar från njurmedicin med PD i hemmet.",
        "patient_safety_risk": True,
        "tasks": [PD],
    }


def _error(response: Any, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code, error
    return str(error["message"])


def _nothing_written() -> None:
    assert not ResponsibilityCase.objects.exists()
    assert not CaseEvent.objects.exists()


def test_journal_opens_and_submits_a_case_as_the_nurse_and_follows_it(
    world, halland, hsa, journal, receiver
) -> None:
    nurse, service_user = world.users["nurse_a"], journal.client.service_user
    patient = world.patient()
    api = as_client(journal)
    subscribed = api.post(
        "/api/v1/webhook-subscriptions", {"url": receiver.url, "events": ["case.submitted"]}, format="json"
    )
    assert subscribed.status_code == 201, subscribed.content

    # Acting as itself the client is a coordinator, and a coordinator does not open cases.
    _error(api.post("/api/v1/cases", _case_body(world, patient), format="json"), 403, "permission_denied")
    _nothing_written()
    before = AccessLogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    # On behalf of the nurse signed in to the journal system, it does.
    as_nurse = {"HTTP_X_ON_BEHALF_OF": hsa["nurse_a"]}
    opened = api.post("/api/v1/cases", _case_body(world, patient), format="json", **as_nurse)
    assert opened.status_code == 201, opened.content
    case_id = opened.json()["id"]
    assert "submit" in opened.json()["allowed_actions"]
    submitted = api.post(
        f"/api/v1/cases/{case_id}/submit", {}, format="json", HTTP_IF_MATCH=opened["ETag"], **as_nurse
    )
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["status"] == "in_review"

    case = ResponsibilityCase.objects.get(public_id=case_id)
    assert case.opened_by == nurse
    assert case.opened_by_organisation == world.orgs["kommun_a"]
    events = list(case.events.all())
    assert events
    assert {event.user for event in events} == {nurse}
    assert {event.role for event in events} == {Role.NURSE}
    # The case's own record says the nurse acted through the journal system.
    assert {event.api_client for event in events} == {SYSTEM}

    # The access log: the nurse, in her role and kommun, via the journal system; since the header, the
    # client's own user touched nothing.
    logged = AccessLogEntry.objects.filter(pk__gt=before, patient=patient)
    assert {entry.action for entry in logged} >= {Action.READ, Action.CREATE}
    for entry in logged:
        assert (entry.user, entry.api_client, entry.role) == (nurse, SYSTEM, Role.NURSE)
        assert entry.organisation == world.orgs["kommun_a"]
        assert nurse.username in entry.user_label
    assert not AccessLogEntry.objects.filter(pk__gt=before, user=service_user).exists()

    # Followed by the client: the subscription fires for "case submitted", and its link is readable.
    delivery = WebhookDelivery.objects.get(subscription__client=journal.client, kind="case.submitted")
    assert services.delivery_attempt(delivery_id=delivery.pk).status == DeliveryStatus.DELIVERED
    payload = receiver.json(0)
    assert payload["data"]["case"]["id"] == case_id
    assert payload["data"]["case"]["status"] == "submitted"
    followed = api.get(payload["data"]["case"]["url"], **as_nurse)
    assert followed.status_code == 200
    assert followed.json()["status"] == "in_review"
    timeline = api.get(f"/api/v1/cases/{case_id}/timeline", **as_nurse)
    assert timeline.status_code == 200, timeline.content
    entries = timeline.json()
    entries = entries["results"] if isinstance(entries, dict) else entries
    assert {entry["api_client"] for entry in entries} == {SYSTEM}
    # ... and so does the case page, for the GP who reviews it.
    browser = Client()
    browser.force_login(world.users["gp_a"])
    page = browser.get(reverse("cases:detail", args=[case_id]))
    assert page.status_code == 200
    assert f"(via {SYSTEM})" in page.content.decode()


def test_me_shows_the_person_with_their_roles_in_the_clients_scope_only(world, hsa, journal) -> None:
    nurse = world.users["nurse_a"]
    # She also works in kommun B, which the journal system of kommun A may not reach.
    Membership.objects.create(
        user=nurse, organisation=world.orgs["kommun_b"], role=Role.NURSE, valid_from=datetime.date(2020, 1, 1)
    )
    me = as_client(journal).get("/api/v1/me", HTTP_X_ON_BEHALF_OF=hsa["nurse_a"])
    assert me.status_code == 200, me.content
    body = me.json()
    assert (body["id"], body["hsa_id"]) == (str(nurse.public_id), hsa["nurse_a"])
    assert [(m["organisation"]["id"], m["role"]) for m in body["memberships"]] == [
        (str(world.orgs["kommun_a"].public_id), Role.NURSE)
    ]


def test_acting_membership_narrows_the_call_to_one_role(world, halland, journal) -> None:
    # A nurse who is also acting MAS in kommun A, and a nurse in kommun B.
    person = make_user(
        "eva.ek",
        (world.orgs["kommun_a"], Role.NURSE),
        (world.orgs["kommun_a"], Role.MAS),
        (world.orgs["kommun_b"], Role.NURSE),
    )
    person.hsa_id = "SE2321000115-E00000000A09"
    person.save(update_fields=["hsa_id"])
    by_role = {(m.organisation_id, m.role): m for m in Membership.objects.filter(user=person)}
    as_mas = by_role[(world.orgs["kommun_a"].pk, Role.MAS)]
    as_nurse = by_role[(world.orgs["kommun_a"].pk, Role.NURSE)]
    outside = by_role[(world.orgs["kommun_b"].pk, Role.NURSE)]
    api = as_client(journal)

    def call(method: str, path: str, membership: str, data: Any = None) -> Any:
        headers: dict[str, Any] = {
            "HTTP_X_ON_BEHALF_OF": person.hsa_id,
            "HTTP_X_ACTING_MEMBERSHIP": membership,
        }
        if method == "post":
            return api.post(path, data, format="json", **headers)
        return api.get(path, **headers)

    me = call("get", "/api/v1/me", str(as_mas.public_id))
    assert [m["id"] for m in me.json()["memberships"]] == [str(as_mas.public_id)]

    body = _case_body(world, world.patient())
    _error(call("post", "/api/v1/cases", str(as_mas.public_id), data=body), 403, "permission_denied")
    _nothing_written()
    message = _error(call("get", "/api/v1/me", str(outside.public_id)), 403, "acting_membership_invalid")
    assert "API-klienten" in message  # Swedish, the default language
    response = call("get", "/api/v1/me", "MAS")
    assert response.status_code == 400
    assert "X-Acting-Membership" in response.json()["error"]["fields"]
    # Without X-On-Behalf-Of the header means nothing, so it is refused rather than ignored.
    response = api.get("/api/v1/me", HTTP_X_ACTING_MEMBERSHIP=str(as_nurse.public_id))
    assert response.status_code == 400
    assert "X-Acting-Membership" in response.json()["error"]["fields"]

    opened = call("post", "/api/v1/cases", str(as_nurse.public_id), data=body)
    assert opened.status_code == 201, opened.content
    assert ResponsibilityCase.objects.get().opened_by == person


def test_a_nurse_of_another_kommun_is_outside_the_clients_scope(world, halland, hsa, journal) -> None:
    patient_b = world.patient(kommun="kommun_b", vardcentral="vc_b")
    response = as_client(journal).post(
        "/api/v1/cases", _case_body(world, patient_b), format="json", HTTP_X_ON_BEHALF_OF=hsa["nurse_b"]
    )
    message = _error(response, 403, "person_outside_scope")
    assert hsa["nurse_b"] in message
    assert "API-klienten" in message
    _nothing_written()
    assert not AccessLogEntry.objects.exists()


def test_an_administrator_is_never_acted_for(world, hsa, journal) -> None:
    # The admin holds the administrator role in kommun A, inside the scope; an integration does care work.
    response = as_client(journal).get("/api/v1/me", HTTP_X_ON_BEHALF_OF=hsa["admin"])
    _error(response, 403, "person_outside_scope")


@pytest.mark.parametrize("hsa_id", ["SE2321000115-E99999999999", "x" * 300])
def test_an_unknown_person_is_refused(world, hsa, journal, hsa_id) -> None:
    message = _error(as_client(journal).get("/api/v1/me", HTTP_X_ON_BEHALF_OF=hsa_id), 403, "person_unknown")
    assert "HSA-id" in message
    assert len(message) < 200


def test_an_inactive_person_or_an_empty_header_is_refused(world, halland, hsa, journal) -> None:
    User.objects.filter(pk=world.users["nurse_a"].pk).update(is_active=False)
    api = as_client(journal)
    body = _case_body(world, world.patient())
    _error(
        api.post("/api/v1/cases", body, format="json", HTTP_X_ON_BEHALF_OF=hsa["nurse_a"]),
        403,
        "person_unknown",
    )
    response = api.post("/api/v1/cases", body, format="json", HTTP_X_ON_BEHALF_OF="  ")
    assert response.status_code == 400
    assert "X-On-Behalf-Of" in response.json()["error"]["fields"]
    _nothing_written()


def test_a_read_only_client_cannot_act_for_anyone(world, halland, hsa, make_client) -> None:
    statistics = as_client(make_client("Statistik", scope=("kommun_a",)))
    patient = world.patient()
    as_nurse = {"HTTP_X_ON_BEHALF_OF": hsa["nurse_a"]}
    message = _error(
        statistics.post("/api/v1/cases", _case_body(world, patient), format="json", **as_nurse),
        403,
        "on_behalf_of_not_allowed",
    )
    assert "läsa" in message
    _error(
        statistics.get(f"/api/v1/patients/{patient.public_id}", **as_nurse), 403, "on_behalf_of_not_allowed"
    )
    _nothing_written()
    assert not AccessLogEntry.objects.exists()


def test_a_read_token_of_a_read_write_client_reads_as_the_person_but_never_writes(
    world, halland, hsa, journal
) -> None:
    reader = as_client(token=token_for(journal, scope="read"))
    patient = world.patient()
    as_nurse = {"HTTP_X_ON_BEHALF_OF": hsa["nurse_a"]}
    assert reader.get(f"/api/v1/patients/{patient.public_id}", **as_nurse).status_code == 200
    read = AccessLogEntry.objects.get(patient=patient, action=Action.READ)
    assert (read.user, read.api_client) == (world.users["nurse_a"], SYSTEM)
    _error(
        reader.post("/api/v1/cases", _case_body(world, patient), format="json", **as_nurse),
        403,
        "permission_denied",
    )
    _nothing_written()


def test_a_persons_own_token_or_session_cannot_act_for_someone_else(world, halland, hsa, api, client) -> None:
    patient = world.patient()
    # The GP's own token, naming the nurse: refused, not quietly ignored.
    gp = api(world.users["gp_a"])
    response = gp.post(
        "/api/v1/cases", _case_body(world, patient), format="json", HTTP_X_ON_BEHALF_OF=hsa["nurse_a"]
    )
    message = _error(response, 403, "on_behalf_of_not_allowed")
    assert "API-klient" in message
    _error(gp.get("/api/v1/me", HTTP_X_ON_BEHALF_OF=hsa["gp_a"]), 403, "on_behalf_of_not_allowed")
    own = Membership.objects.get(user=world.users["gp_a"])
    _error(gp.get("/api/v1/me", HTTP_X_ACTING_MEMBERSHIP=str(own.public_id)), 403, "on_behalf_of_not_allowed")
    # The same in a browser session.
    client.force_login(world.users["nurse_a"])
    response = client.get(f"/api/v1/patients/{patient.public_id}", HTTP_X_ON_BEHALF_OF=hsa["mas_a"])
    _error(response, 403, "on_behalf_of_not_allowed")
    _nothing_written()
    assert not AccessLogEntry.objects.exists()


def test_a_patient_of_another_kommun_is_not_found_and_the_denial_names_nurse_and_client(
    world, halland, hsa, journal
) -> None:
    patient_b = world.patient(kommun="kommun_b", vardcentral="vc_b")
    response = as_client(journal).post(
        "/api/v1/cases", _case_body(world, patient_b), format="json", HTTP_X_ON_BEHALF_OF=hsa["nurse_a"]
    )
    _error(response, 404, "not_found")
    _nothing_written()
    denied = AccessLogEntry.objects.get(patient=patient_b)
    assert denied.outcome == Outcome.DENIED
    assert (denied.user, denied.api_client) == (world.users["nurse_a"], SYSTEM)


def test_an_existing_case_of_the_kommun_is_written_to_as_the_nurse(world, hsa, journal, case_in) -> None:
    case = case_in()
    response = as_client(journal).post(
        f"/api/v1/cases/{case.public_id}/comment",
        {"text": "Patienten har fått PD-utbildning."},
        format="json",
        HTTP_IF_MATCH=etag(case),
        HTTP_X_ON_BEHALF_OF=hsa["nurse_a"],
    )
    assert response.status_code == 200, response.content
    comment = case.events.get(kind="comment")
    assert (comment.user, comment.role) == (world.users["nurse_a"], Role.NURSE)


def test_an_idempotency_key_replays_only_to_the_person_who_made_the_first_request(
    world, halland, hsa, journal
) -> None:
    api = as_client(journal)
    body = _case_body(world, world.patient())
    key: dict[str, Any] = {"HTTP_IDEMPOTENCY_KEY": "journal-2026-11-22-0001"}
    first = api.post("/api/v1/cases", body, format="json", HTTP_X_ON_BEHALF_OF=hsa["nurse_a"], **key)
    assert first.status_code == 201, first.content
    # The same key through the same system for another person is that person's own request.
    other = api.post("/api/v1/cases", body, format="json", HTTP_X_ON_BEHALF_OF=hsa["rehab_a"], **key)
    assert other.status_code == 201, other.content
    assert other.get("Idempotent-Replayed") is None
    assert other.json()["id"] != first.json()["id"]
    # The nurse's retry is a replay of her first answer.
    again = api.post("/api/v1/cases", body, format="json", HTTP_X_ON_BEHALF_OF=hsa["nurse_a"], **key)
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert ResponsibilityCase.objects.count() == 2
