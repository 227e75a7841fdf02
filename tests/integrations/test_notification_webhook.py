"""The ``notification.created`` webhook: an API client whose service user is told of a step (its
coordinator membership in the kommun of its scope) receives the event for its own notification only,
with ids and links but no patient name or personnummer; a client that was not told receives nothing,
and notices to people (not clients) are never published.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cases.models import Notification, NotificationKind
from integrations import services
from integrations.models import WebhookDelivery, WebhookEventKind
from tests.fixtures.agreements import PD, WOUND

from .conftest import as_client

pytestmark = pytest.mark.django_db

EVENT = WebhookEventKind.NOTIFICATION_CREATED


@pytest.fixture(autouse=True)
def _eager(eager_celery: None) -> None:
    pass


def _subscribe(issued: services.IssuedSecret, url: str) -> None:
    services.subscription_create(client=issued.client, url=url, events=[EVENT])


def test_the_client_told_of_a_step_gets_its_own_notification_and_no_patient_data(
    world, drive, make_client, receiver, django_capture_on_commit_callbacks
):
    journal_a = make_client("Journal A", scope=("kommun_a",))
    planner_a = make_client("Planering A", scope=("kommun_a",))
    journal_b = make_client("Journal B", scope=("kommun_b",))
    for issued in (journal_a, planner_a, journal_b):
        _subscribe(issued, receiver.url)
    patient = world.patient(given_name="Åsa", family_name="Öberg")
    case = drive.submit(drive.open(patient=patient, tasks=(PD, WOUND)))
    assert not WebhookDelivery.objects.filter(kind=EVENT).exists()  # the vårdcentral reviews: no client told

    with django_capture_on_commit_callbacks(execute=True):
        drive.dispute(case)

    told = {
        n.user_id: n
        for n in Notification.objects.filter(case=case, kind=NotificationKind.CASE_DISPUTED).select_related(
            "user"
        )
    }
    clients = {issued.client.service_user_id: issued for issued in (journal_a, planner_a, journal_b)}
    assert journal_a.client.service_user_id in told
    assert planner_a.client.service_user_id in told
    assert journal_b.client.service_user_id not in told

    deliveries = WebhookDelivery.objects.filter(kind=EVENT).select_related("subscription__client")
    assert sorted(d.subscription.client.name for d in deliveries) == ["Journal A", "Planering A"]
    for delivery in deliveries:
        notice = told[delivery.subscription.client.service_user_id]
        data = delivery.payload["data"]["notification"]
        assert data["id"] == str(notice.public_id)
        assert data["kind"] == NotificationKind.CASE_DISPUTED
        assert data["case"] == str(case.public_id)
        assert data["url"].endswith(f"/api/v1/notifications/{notice.public_id}")
        # The link answers the client that was told, and nobody else.
        owner = next(i for uid, i in clients.items() if uid == notice.user_id)
        assert as_client(owner).get(data["url"]).status_code == 200
        other = planner_a if owner is journal_a else journal_a
        assert as_client(other).get(data["url"]).status_code == 404

    assert len(receiver.received) == 2
    for received in receiver.received:
        raw = received.body.decode()
        body: dict[str, Any] = json.loads(raw)
        assert body["type"] == EVENT
        for secret_fact in (
            patient.personal_identity,
            patient.personal_identity[2:],
            "Åsa",
            "Öberg",
            "\\u00c5sa",
        ):
            assert secret_fact not in raw, secret_fact


def test_notices_to_people_are_never_published(world, drive, make_client, receiver):
    issued = make_client("Journal A", scope=("kommun_a",))
    _subscribe(issued, receiver.url)

    drive.submit(drive.open(tasks=(PD,)))  # the GP and the specialist are told; they are people

    assert Notification.objects.filter(user=world.users["gp_a"]).exists()
    assert not WebhookDelivery.objects.filter(kind=EVENT).exists()


def test_a_revoked_client_gets_nothing(world, drive, make_client, receiver):
    issued = make_client("Journal A", scope=("kommun_a",))
    _subscribe(issued, receiver.url)
    services.api_client_revoke(client=issued.client)
    case = drive.submit(drive.open(tasks=(PD,)))

    drive.dispute(case)

    assert not WebhookDelivery.objects.filter(kind=EVENT).exists()
