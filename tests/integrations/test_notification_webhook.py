"""The ``notification.created`` webhook: an API client whose service user is told of a step (its
coordinator membership in the kommun of its scope) receives the event for its own notification; a
read-and-write client that may call on behalf of the notified person receives theirs, and reads it as
them, within its scope only; payloads carry ids and links but no patient name or personnummer; every
other client receives nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from cases.models import Notification, NotificationKind
from directory.models import Role
from integrations import services
from integrations.models import ClientAccess, WebhookDelivery, WebhookEventKind
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.world import make_user

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
    assert not WebhookDelivery.objects.filter(kind=EVENT).exists()  # the region side reviews: no client told

    with django_capture_on_commit_callbacks(execute=True):
        drive.dispute(case, by="gp_a", tasks=[WOUND])

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


def test_notices_to_people_no_client_may_act_for_are_not_published(world, drive, make_client, receiver):
    issued = make_client("Journal A", scope=("kommun_a",), access=ClientAccess.READ_WRITE)
    _subscribe(issued, receiver.url)

    drive.submit(drive.open(tasks=(WOUND,)))  # the GP is told, outside its scope

    assert Notification.objects.filter(user=world.users["gp_a"]).exists()
    assert not WebhookDelivery.objects.filter(kind=EVENT).exists()


def test_a_revoked_client_gets_nothing(world, drive, make_client, receiver):
    issued = make_client("Journal A", scope=("kommun_a",))
    _subscribe(issued, receiver.url)
    services.api_client_revoke(client=issued.client)
    case = drive.submit(drive.open(tasks=(WOUND,)))

    drive.dispute(case)

    assert not WebhookDelivery.objects.filter(kind=EVENT).exists()


def _hsa(user: Any, hsa_id: str) -> str:
    user.hsa_id = hsa_id
    user.save(update_fields=["hsa_id"])
    return hsa_id


def test_a_client_acting_for_the_notified_person_gets_the_event_and_reads_it_as_them(
    world, drive, make_client, receiver, django_capture_on_commit_callbacks
):
    """Kommun A's care documentation system (read and write, so it may call on behalf of its nurses) is
    told when nurse A is notified; a read-only client of kommun A and kommun B's system are not."""
    nurse_hsa = _hsa(world.users["nurse_a"], "SE2321000115-E00000000A01")
    journal = make_client("Journal A", scope=("kommun_a",), access=ClientAccess.READ_WRITE)
    statistics = make_client("Statistik A", scope=("kommun_a",))
    journal_b = make_client("Journal B", scope=("kommun_b",), access=ClientAccess.READ_WRITE)
    for issued in (journal, statistics, journal_b):
        _subscribe(issued, receiver.url)
    case = drive.submit(drive.open(tasks=(WOUND,)))

    with django_capture_on_commit_callbacks(execute=True):
        drive.dispute(case)

    notice = Notification.objects.get(user=world.users["nurse_a"], case=case)
    for_nurse = [
        d
        for d in WebhookDelivery.objects.filter(kind=EVENT).select_related("subscription__client")
        if d.payload["data"]["notification"]["id"] == str(notice.public_id)
    ]
    assert [d.subscription.client.name for d in for_nurse] == ["Journal A"]
    data = for_nurse[0].payload["data"]["notification"]
    assert data["person"] == nurse_hsa
    assert not WebhookDelivery.objects.filter(kind=EVENT, subscription__client=journal_b.client).exists()
    # Each other delivery is a client's own (its service user is a coordinator of its kommun).
    for delivery in WebhookDelivery.objects.filter(kind=EVENT).exclude(pk=for_nurse[0].pk):
        own = Notification.objects.get(public_id=delivery.payload["data"]["notification"]["id"])
        assert own.user_id == delivery.subscription.client.service_user_id
        assert delivery.payload["data"]["notification"]["person"] is None

    client = as_client(journal)
    assert client.get(data["url"], HTTP_X_ON_BEHALF_OF=nurse_hsa).status_code == 200
    assert client.get(data["url"]).status_code == 404  # as itself, it is not the nurse
    assert as_client(journal_b).get(data["url"], HTTP_X_ON_BEHALF_OF=nurse_hsa).status_code == 403


def test_on_behalf_of_a_person_a_client_reaches_only_the_notices_of_its_scope(world, drive, make_client):
    """A person told in kommun A and in vårdcentral B: kommun A's system, acting for them, lists, opens
    and marks read only what they were told in kommun A."""
    person = make_user("nurse.and.gp", (world.orgs["kommun_a"], Role.NURSE), (world.orgs["vc_b"], Role.GP))
    hsa_id = _hsa(person, "SE2321000115-E00000000X01")
    world.users["nurse_and_gp"] = person
    in_a = drive.dispute(drive.submit(drive.open(tasks=(WOUND,))))
    patient_b = world.patient(kommun="kommun_b", vardcentral="vc_b")
    in_b = drive.submit(drive.open(patient=patient_b, tasks=(WOUND,), by="nurse_b"), by="nurse_b")
    told_a = Notification.objects.get(user=person, case=in_a)
    told_b = Notification.objects.get(user=person, case=in_b)
    assert told_a.organisation_id == world.orgs["kommun_a"].pk
    assert told_b.organisation_id == world.orgs["vc_b"].pk

    journal = as_client(make_client("Journal A", scope=("kommun_a",), access=ClientAccess.READ_WRITE))
    as_person = {"HTTP_X_ON_BEHALF_OF": hsa_id}
    listed = journal.get("/api/v1/notifications", {"unread": "false"}, **as_person).json()
    assert [n["id"] for n in listed["results"]] == [str(told_a.public_id)]
    assert journal.get(f"/api/v1/notifications/{told_b.public_id}", **as_person).status_code == 404
    assert journal.post(f"/api/v1/notifications/{told_b.public_id}/read", **as_person).status_code == 404
    assert journal.post("/api/v1/notifications/read-all", **as_person).json() == {"marked_read": 1}
    told_b.refresh_from_db()
    assert told_b.read_at is None
