"""Webhooks: a real worker posts signed deliveries to a real local receiver, retries a failing one, and
never sends an event to a client whose scope does not reach the case."""

from __future__ import annotations

import json
import time

import pytest
from django.db import transaction

from cases import services as case_services
from cases.models import CaseStatus
from directory.actor import Actor
from integrations import services, webhooks
from integrations.models import (
    ClientAccess,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEventKind,
    WebhookSubscription,
)

from .conftest import as_client, token_for


def _wait_delivered(delivery: WebhookDelivery, timeout: float = 60) -> WebhookDelivery:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.status != DeliveryStatus.PENDING:
            return delivery
        time.sleep(0.2)
    raise AssertionError(f"delivery still pending after {delivery.attempt_count} attempts")


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_signed_event_and_retries_a_failing_receiver(
    world, make_client, case_in, receiver, start_worker
) -> None:
    start_worker("webhooks", WEBHOOK_RETRY_BASE_SECONDS="1", WEBHOOK_TIMEOUT_SECONDS="5")
    in_scope = make_client("Journal A", scope=("kommun_a",))
    outside = make_client("Journal B", scope=("kommun_b",))
    subscription = services.subscription_create(
        client=in_scope.client, url=receiver.url, events=[WebhookEventKind.CASE_SUBMITTED]
    )
    services.subscription_create(
        client=outside.client, url=receiver.url, events=[WebhookEventKind.CASE_SUBMITTED]
    )
    patient = world.patient(given_name="Åsa", family_name="Öberg")
    case = case_in(patient=patient)
    receiver.answers = [500]  # the first POST fails; the worker must try again

    case_services.case_submit(actor=Actor.for_user(world.users["nurse_a"]), case=case, expected_version=None)

    delivery = _wait_delivered(WebhookDelivery.objects.get(subscription=subscription))
    assert delivery.status == DeliveryStatus.DELIVERED
    attempts = list(delivery.attempts.order_by("number"))
    assert [a.status_code for a in attempts] == [500, 200]
    assert attempts[0].response_excerpt == "receiver says no"
    assert attempts[1].at > attempts[0].at
    assert len(receiver.received) == 2  # and nothing for the client scoped to kommun B
    assert WebhookDelivery.objects.count() == 1

    for received in receiver.received:
        header = received.headers[webhooks.SIGNATURE_HEADER]
        assert webhooks.verify(subscription.secret, header, received.body)
        assert not webhooks.verify("whsec_someone-else", header, received.body)
        assert received.headers[webhooks.EVENT_HEADER] == "case.submitted"
    payload = receiver.json(1)
    assert payload["type"] == "case.submitted"
    assert payload["data"]["case"]["id"] == str(case.public_id)
    assert payload["data"]["case"]["status"] == CaseStatus.SUBMITTED
    raw = receiver.received[1].body.decode()
    for secret_fact in (patient.personal_identity, "Åsa", "Öberg", "\\u00c5sa"):
        assert secret_fact not in raw
    # The link is fetched through the API, under the access rule, and logged under the client's name.
    link = payload["data"]["case"]["url"]
    assert link.endswith(f"/api/v1/cases/{case.public_id}")
    assert as_client(in_scope).get(link).status_code == 200
    assert as_client(outside).get(link).status_code == 404


@pytest.mark.django_db
def test_only_subscribers_whose_scope_reaches_the_case_get_events(
    world, make_client, case_in, django_capture_on_commit_callbacks
) -> None:
    kommun_a = make_client("Kommun A", scope=("kommun_a",))
    vardcentral_a = make_client("Vårdcentral A EHR", scope=("vc_a",))
    kommun_b = make_client("Kommun B", scope=("kommun_b", "vc_b"))
    every_kind = list(WebhookEventKind.values)
    subscriptions = {
        issued.client.name: services.subscription_create(
            client=issued.client, url=f"https://{key}.example.org/hook", events=every_kind
        )
        for key, issued in (("a", kommun_a), ("vc", vardcentral_a), ("b", kommun_b))
    }

    case = case_in(CaseStatus.AGREED)

    kinds = {
        name: sorted(
            WebhookDelivery.objects.filter(subscription=sub)
            .exclude(kind="case.changed")
            .values_list("kind", flat=True)
        )
        for name, sub in subscriptions.items()
    }
    assert kinds["Kommun A"] == ["case.agreed", "case.submitted"]
    assert kinds["Vårdcentral A EHR"] == ["case.agreed", "case.submitted"]
    assert kinds["Kommun B"] == []
    changes = {
        name: WebhookDelivery.objects.filter(subscription=sub, kind="case.changed").count()
        for name, sub in subscriptions.items()
    }
    # Every step of the case, for each client that may see it; the basis for sharing recorded with the
    # case is not one (the next test checks the changes one by one).
    steps = case.events.exclude(kind="sharing").count()
    assert changes == {"Kommun A": steps, "Vårdcentral A EHR": steps, "Kommun B": 0}
    one = WebhookDelivery.objects.filter(kind="case.agreed").first()
    assert set(one.payload) == {"id", "type", "created_at", "data"}
    assert set(one.payload["data"]["case"]) == {"id", "status", "url"}
    assert one.payload["data"]["case"]["id"] == str(case.public_id)
    # One event id for the same event, whoever receives it.
    assert (
        len(set(WebhookDelivery.objects.filter(kind="case.agreed").values_list("event_id", flat=True))) == 1
    )


@pytest.mark.django_db
def test_a_rolled_back_event_is_never_delivered(world, make_client, case_in) -> None:
    issued = make_client()
    services.subscription_create(
        client=issued.client, url="https://a.example.org/h", events=["case.submitted"]
    )
    case = case_in()

    def submit_then_fail() -> None:
        with transaction.atomic():
            nurse = Actor.for_user(world.users["nurse_a"])
            case_services.case_submit(actor=nurse, case=case, expected_version=None)
            raise RuntimeError("later failure")

    with pytest.raises(RuntimeError, match="later failure"):
        submit_then_fail()
    assert not WebhookDelivery.objects.exists()


def test_signature_is_hmac_sha256_over_timestamp_and_body() -> None:
    body = json.dumps({"a": 1}).encode()
    header = webhooks.signature_header("whsec_x", 1_700_000_000, body)
    import hashlib
    import hmac

    expected = hmac.new(b"whsec_x", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1700000000,v1={expected}"
    assert webhooks.verify("whsec_x", header, body, now=1_700_000_100)
    assert not webhooks.verify("whsec_x", header, body, now=1_700_001_000)  # too old: a replay
    assert not webhooks.verify("whsec_x", header, body + b" ", now=1_700_000_100)


def test_backoff_grows_and_is_capped(settings) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 600
    assert [services.retry_delay(n) for n in range(1, 7)] == [30, 60, 120, 240, 480, 600]


@pytest.mark.django_db
def test_delivery_gives_up_after_the_last_attempt(world, make_client, receiver, settings) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    issued = make_client()
    subscription = services.subscription_create(
        client=issued.client, url=receiver.url, events=["case.agreed"]
    )
    delivery = WebhookDelivery.objects.create(subscription=subscription, kind="case.agreed", payload={"x": 1})
    receiver.answers = [503, 502]
    first = services.delivery_attempt(delivery_id=delivery.pk)
    assert first.status == DeliveryStatus.PENDING
    assert first.retry_in is not None
    second = services.delivery_attempt(delivery_id=delivery.pk)
    assert second.status == DeliveryStatus.FAILED
    assert second.retry_in is None
    assert services.delivery_attempt(delivery_id=delivery.pk).status == DeliveryStatus.FAILED  # never again
    assert [a.status_code for a in delivery.attempts.order_by("number")] == [503, 502]
    assert len(receiver.received) == 2


@pytest.mark.django_db
def test_redirects_are_not_followed(world, make_client, receiver) -> None:
    issued = make_client()
    subscription = services.subscription_create(
        client=issued.client, url=receiver.url, events=["case.agreed"]
    )
    delivery = WebhookDelivery.objects.create(subscription=subscription, kind="case.agreed", payload={})
    receiver.answers = [302]
    services.delivery_attempt(delivery_id=delivery.pk)
    assert delivery.attempts.get().status_code == 302
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_subscription_api_is_the_clients_own(world, make_client, settings) -> None:
    # Read and write: managing subscriptions is a write (a read-only client gets 403, test_read_only_*).
    mine = as_client(make_client("Mine", access=ClientAccess.READ_WRITE))
    theirs = as_client(make_client("Theirs", scope=("kommun_b",), access=ClientAccess.READ_WRITE))

    created = mine.post(
        "/api/v1/webhook-subscriptions",
        {"url": "https://journal.example.se/hooks", "events": ["case.agreed", "sip.finalised"]},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["secret"].startswith("whsec_")
    path = f"/api/v1/webhook-subscriptions/{body['id']}"
    assert "secret" not in mine.get(path).json()
    assert theirs.get(path).status_code == 404
    assert theirs.delete(path).status_code == 404
    listed = theirs.get("/api/v1/webhook-subscriptions").json()
    assert (listed["results"] if isinstance(listed, dict) else listed) == []

    changed = mine.patch(path, {"events": ["document.ready"], "is_active": False}, format="json")
    assert changed.status_code == 200
    assert changed.json()["events"] == ["document.ready"]
    assert mine.get(f"{path}/deliveries").status_code == 200
    assert mine.delete(path).status_code == 204
    assert mine.get(path).status_code == 404

    plain = mine.post(
        "/api/v1/webhook-subscriptions",
        {"url": "http://journal.example.se/h", "events": ["case.agreed"]},
        format="json",
    )
    assert plain.status_code == 400
    assert "url" in plain.json()["error"]["fields"]
    unknown = mine.post(
        "/api/v1/webhook-subscriptions",
        {"url": "https://x.example.se/h", "events": ["case.deleted"]},
        format="json",
    )
    assert unknown.status_code == 400
    assert settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS == []
    local = mine.post(
        "/api/v1/webhook-subscriptions",
        {"url": "http://127.0.0.1:9/h", "events": ["case.agreed"]},
        format="json",
    )
    assert local.status_code == 400


@pytest.mark.django_db
def test_people_cannot_manage_subscriptions(world, api) -> None:
    response = api(world.users["coordinator_a"]).get("/api/v1/webhook-subscriptions")
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("how", ["read-only client", "read token of a read-write client"])
def test_a_read_only_client_cannot_manage_subscriptions(world, make_client, how: str) -> None:
    """Creating, changing and ending a subscription are writes: 403, and nothing changes. Reading stays."""
    if how == "read-only client":
        issued = make_client("Läsande journal", access=ClientAccess.READ)
        reader = as_client(issued)
    else:
        issued = make_client("Journal", access=ClientAccess.READ_WRITE)
        reader = as_client(token=token_for(issued, scope="read"))
    existing = services.subscription_create(
        client=issued.client, url="https://journal.example.se/hooks", events=["case.agreed"]
    )
    path = f"/api/v1/webhook-subscriptions/{existing.public_id}"

    created = reader.post(
        "/api/v1/webhook-subscriptions",
        {"url": "https://journal.example.se/other", "events": ["case.submitted"]},
        format="json",
    )
    changed = reader.patch(path, {"url": "https://journal.example.se/new", "is_active": False}, format="json")
    ended = reader.delete(path)

    for response in (created, changed, ended):
        assert response.status_code == 403, response.content
        assert response.json()["error"]["message"] == "Denna API-klient får bara läsa."
    assert list(WebhookSubscription.objects.values_list("url", "is_active", "events")) == [
        ("https://journal.example.se/hooks", True, ["case.agreed"])
    ]
    assert reader.get(path).status_code == 200
    assert reader.get("/api/v1/webhook-subscriptions").status_code == 200
    assert reader.get(f"{path}/deliveries").status_code == 200


@pytest.mark.django_db
def test_every_recorded_change_of_a_case_is_a_case_changed_event(world, make_client, case_in) -> None:
    """A client following ``case.changed`` hears of each step, task review and risk analysis, with
    the kind of change and a link, and no patient data; a client whose scope misses the case hears
    nothing."""
    follower = make_client("Kommun A följer", scope=("kommun_a",))
    stranger = make_client("Kommun B följer", scope=("kommun_b",))
    for issued in (follower, stranger):
        services.subscription_create(
            client=issued.client, url="https://a.example.org/h", events=["case.changed"]
        )
    case = case_in(CaseStatus.AGREED)
    # The legal basis recorded with the case is announced by the case's own read (``sharing``), not here.
    recorded = list(case.events.exclude(kind="sharing").order_by("pk").values_list("kind", flat=True))
    delivered = WebhookDelivery.objects.filter(subscription__client=follower.client).order_by("pk")
    assert [d.payload["data"]["change"] for d in delivered] == recorded
    assert "accepted" in recorded
    assert "analysis_signed" in recorded or "analysis_created" in recorded
    assert set(delivered[0].payload["data"]["case"]) == {"id", "status", "url"}
    assert not WebhookDelivery.objects.filter(subscription__client=stranger.client).exists()
