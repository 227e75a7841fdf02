"""Webhooks go to public receivers only: an API client cannot use the worker to reach, or map, the
installation's own network (loopback, private and link-local ranges, the cloud metadata address, names
that resolve there), neither when it subscribes nor later, when the name resolves elsewhere; and a failed
attempt tells it nothing about why. Receivers the operator names in WEBHOOK_ALLOWED_INTERNAL_HOSTS are
the exception, for on-premise installations."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from integrations import services, webhooks
from integrations.models import ClientAccess, DeliveryStatus, WebhookDelivery, WebhookSubscription
from tests.fixtures.webhooks import Receiver

from .conftest import PUBLIC_ADDRESS, FakeDns, as_client

REFUSED = (
    "URL:en måste gå till en server på internet. Lokala och interna adresser, och namn som inte går att "
    "slå upp, är inte tillåtna."
)
SUBSCRIPTIONS = "/api/v1/webhook-subscriptions"


@pytest.fixture
def journal(make_client: Any) -> Any:
    return as_client(make_client("Journal", access=ClientAccess.READ_WRITE))


class Connections:
    """Every TCP connection the webhook code opens; those to anything but this machine are refused
    here, so that no test sends a packet off the machine."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened: list[tuple[str, int]] = []
        real = socket.create_connection

        def create_connection(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
            self.opened.append((str(address[0]), int(address[1])))
            if address[0] not in ("127.0.0.1", "localhost"):
                raise ConnectionRefusedError(111, "Connection refused")
            return real(address, *args, **kwargs)

        monkeypatch.setattr(webhooks.socket, "create_connection", create_connection)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> Connections:
    return Connections(monkeypatch)


def _subscribe(api: Any, url: str) -> Any:
    return api.post(SUBSCRIPTIONS, {"url": url, "events": ["case.agreed"]}, format="json")


def _refused(response: Any) -> None:
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["url"] == [REFUSED]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://127.0.0.2:8443/hooks",
        "https://localhost/hooks",
        "https://[::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://0.0.0.0/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hooks",
        "https://172.16.3.4/hooks",
        "https://192.168.1.20/hooks",
        "https://100.64.0.1/hooks",
        "https://224.0.0.1/hooks",
        "https://[fe80::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://127.0.0.1.nip.io/hooks",
        "https://169.254.169.254.nip.io/hooks",
        "https://both.example.org/hooks",
        "https://6to4.example.org/hooks",
        "https://no-such-host.invalid/hooks",
    ],
)
def test_subscribing_to_an_internal_or_unresolvable_address_is_refused(
    world, journal, dns: FakeDns, url: str
) -> None:
    # As nip.io answers: the address is in the name.
    dns.answers["127.0.0.1.nip.io"] = ["127.0.0.1"]
    dns.answers["169.254.169.254.nip.io"] = ["169.254.169.254"]
    dns.answers["both.example.org"] = [PUBLIC_ADDRESS, "10.1.2.3"]
    dns.answers["6to4.example.org"] = ["2002:7f00:1::1"]  # 6to4 around 127.0.0.1
    dns.answers["no-such-host.invalid"] = []

    _refused(_subscribe(journal, url))
    assert not WebhookSubscription.objects.exists()


@pytest.mark.django_db
def test_changing_a_subscription_to_an_internal_address_is_refused(world, journal, dns: FakeDns) -> None:
    created = _subscribe(journal, "https://journal.example.se/hooks")
    assert created.status_code == 201, created.content
    path = f"{SUBSCRIPTIONS}/{created.json()['id']}"

    _refused(journal.patch(path, {"url": "https://169.254.169.254/latest/meta-data/"}, format="json"))
    assert WebhookSubscription.objects.get().url == "https://journal.example.se/hooks"


@pytest.mark.django_db
def test_public_https_receivers_are_accepted(world, journal, dns: FakeDns) -> None:
    dns.answers["journal.kommun.example.se"] = [PUBLIC_ADDRESS, "2606:4700::1111"]
    assert _subscribe(journal, "https://journal.kommun.example.se/hooks").status_code == 201
    assert _subscribe(journal, f"https://{PUBLIC_ADDRESS}/hooks").status_code == 201
    # Public or not, plain http is refused.
    plain = _subscribe(journal, "http://journal.kommun.example.se/hooks")
    assert plain.status_code == 400
    assert plain.json()["error"]["fields"]["url"] == ["Webhook-URL:er måste använda https."]


@pytest.mark.django_db
def test_a_named_internal_host_receives_deliveries_and_only_it(
    world, make_client, journal, receiver: Receiver, settings
) -> None:
    """On premise: the operator names the receiver (the fixture sets 127.0.0.1, as the tests' own
    receiver is on this machine); it may be internal and plain http. Without the setting it is refused."""
    assert settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS == ["127.0.0.1"]
    created = _subscribe(journal, receiver.url)
    assert created.status_code == 201, created.content
    subscription = WebhookSubscription.objects.get()
    delivery = WebhookDelivery.objects.create(subscription=subscription, kind="case.agreed", payload={})
    assert services.delivery_attempt(delivery_id=delivery.pk).status == DeliveryStatus.DELIVERED
    assert len(receiver.received) == 1

    # Another internal address is not named: still refused.
    _refused(_subscribe(journal, "https://10.0.0.5/hooks"))
    _refused(_subscribe(journal, receiver.url.replace("http://127.0.0.1", "https://[::1]")))

    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = []
    refused = _subscribe(journal, receiver.url)
    assert refused.status_code == 400
    # And an existing subscription stops reaching it: checked again at delivery.
    again = WebhookDelivery.objects.create(subscription=subscription, kind="case.agreed", payload={})
    assert services.delivery_attempt(delivery_id=again.pk).status == DeliveryStatus.PENDING
    assert again.attempts.get().error == webhooks.UNREACHABLE
    assert len(receiver.received) == 1


@pytest.mark.django_db
def test_a_name_that_resolves_inside_at_delivery_is_not_connected_to(
    world, make_client, dns: FakeDns, connections: Connections
) -> None:
    """DNS rebinding: public when the subscription is made, 127.0.0.1 when the worker posts."""
    issued = make_client(access=ClientAccess.READ_WRITE)
    dns.answers["rebind.example.org"] = [[PUBLIC_ADDRESS], ["127.0.0.1"]]
    subscription = services.subscription_create(
        client=issued.client, url="https://rebind.example.org/hooks", events=["case.agreed"]
    )
    delivery = WebhookDelivery.objects.create(subscription=subscription, kind="case.agreed", payload={})

    outcome = services.delivery_attempt(delivery_id=delivery.pk)

    assert outcome.status == DeliveryStatus.PENDING
    assert outcome.retry_in is not None
    assert connections.opened == []
    attempt = delivery.attempts.get()
    assert (attempt.status_code, attempt.error, attempt.response_excerpt) == (None, "unreachable", "")


@pytest.mark.django_db
def test_the_delivery_connects_to_the_address_it_checked(
    world, make_client, dns: FakeDns, connections: Connections
) -> None:
    """The name is looked up once per delivery; a second lookup (which would now answer 127.0.0.1) is
    never made, the connection goes to the checked address."""
    issued = make_client(access=ClientAccess.READ_WRITE)
    dns.answers["pinned.example.org"] = [[PUBLIC_ADDRESS], [PUBLIC_ADDRESS], ["127.0.0.1"]]
    subscription = services.subscription_create(
        client=issued.client, url="https://pinned.example.org:8443/hooks", events=["case.agreed"]
    )
    delivery = WebhookDelivery.objects.create(subscription=subscription, kind="case.agreed", payload={})

    services.delivery_attempt(delivery_id=delivery.pk)

    assert dns.lookups.count("pinned.example.org") == 2  # subscribing, delivering
    assert connections.opened == [(PUBLIC_ADDRESS, 8443)]


@pytest.mark.django_db
def test_failed_attempts_say_only_unreachable(
    world, journal, make_client, dns: FakeDns, connections: Connections, monkeypatch, settings
) -> None:
    """Refused, timed out, no longer resolving, TLS failing: the subscriber reads the same word for each,
    so the deliveries list cannot be used to map what listens where."""
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    created = _subscribe(journal, "https://scan.example.org/hooks")
    assert created.status_code == 201
    subscription = WebhookSubscription.objects.get()
    refusing = webhooks.socket.create_connection  # Connections: refused, as by a closed port
    # Something listens but speaks no TLS: a local socket stands in for the public address.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    no_tls_port = listener.getsockname()[1]

    def timing_out(*args: Any, **kwargs: Any) -> socket.socket:
        raise TimeoutError("timed out")

    def speaking_no_tls(address: tuple[str, int], *args: Any, **kwargs: Any) -> socket.socket:
        return refusing(("127.0.0.1", no_tls_port), *args, **kwargs)

    causes: list[tuple[list[str], Any]] = [
        ([PUBLIC_ADDRESS], refusing),
        ([PUBLIC_ADDRESS], timing_out),
        ([], refusing),  # no longer resolves
        ([PUBLIC_ADDRESS], speaking_no_tls),
    ]
    for answer, connect in causes:
        dns.answers["scan.example.org"] = answer
        monkeypatch.setattr(webhooks.socket, "create_connection", connect)
        delivery = WebhookDelivery.objects.create(subscription=subscription, kind="case.agreed", payload={})
        services.delivery_attempt(delivery_id=delivery.pk)
    listener.close()

    listed = journal.get(f"{SUBSCRIPTIONS}/{created.json()['id']}/deliveries").json()["results"]
    attempts = [attempt for delivery in listed for attempt in delivery["attempts"]]
    assert len(attempts) == len(causes)
    outcomes = {(a["status_code"], a["error"], a["response_excerpt"]) for a in attempts}
    assert outcomes == {(None, "unreachable", "")}


def test_public_addresses() -> None:
    public = ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "2002:5db8:d70e::1"]
    internal = [
        "127.0.0.1",
        "10.1.2.3",
        "172.31.255.254",
        "192.168.0.1",
        "169.254.169.254",
        "100.100.100.200",
        "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
        "255.255.255.255",
        "224.0.0.251",
        "240.0.0.1",
        "198.18.0.1",
        "192.0.2.1",
        "::",
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:10.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
        "2001:db8::1",
    ]
    assert [a for a in public if not webhooks.is_public_address(ipaddress.ip_address(a))] == []
    assert [a for a in internal if webhooks.is_public_address(ipaddress.ip_address(a))] == []


@pytest.mark.django_db
def test_attempts_recorded_before_say_only_unreachable_too(world, make_client) -> None:
    """What the scan already collected is not left readable in the deliveries list (migration 0002)."""
    import importlib

    from django.apps import apps

    from integrations.models import WebhookAttempt

    migration = importlib.import_module("integrations.migrations.0002_webhook_attempt_generic_error")
    issued = make_client(access=ClientAccess.READ_WRITE)
    subscription = services.subscription_create(
        client=issued.client, url="https://journal.example.se/hooks", events=["case.agreed"]
    )
    delivery = WebhookDelivery.objects.create(subscription=subscription, kind="case.agreed", payload={})
    for number, error in enumerate(
        ["URLError: [Errno 111] Connection refused", "TimeoutError: timed out", ""], start=1
    ):
        WebhookAttempt.objects.create(
            delivery=delivery, number=number, error=error, status_code=None if error else 200
        )

    migration.generic_errors(apps, None)

    assert list(delivery.attempts.order_by("number").values_list("error", flat=True)) == [
        "unreachable",
        "unreachable",
        "",
    ]
