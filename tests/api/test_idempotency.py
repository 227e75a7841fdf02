"""Idempotency-Key on creating POSTs: replay, conflicting body, concurrent duplicates, expiry."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from cases.models import ResponsibilityCase
from hemsjukvard.api.idempotency import idempotency_purge_expired
from hemsjukvard.models import IdempotencyRecord
from patients.models import Enrolment, Patient
from tests.fixtures.agreements import PD

pytestmark = pytest.mark.django_db


def _case_body(world, patient):
    return {
        "patient": str(patient.public_id),
        "trigger": "discharge",
        "urgency": "urgent",
        "specialist_clinic": str(world.orgs["clinic"].public_id),
        "background": "Utskrivningsklar från njurmedicin med PD i hemmet.",
        "tasks": [PD],
    }


def test_same_key_and_body_replays_the_first_answer(world, halland, api):
    client = api(world.users["nurse_a"])
    body = _case_body(world, world.patient())
    first = client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["ETag"] == first["ETag"]
    assert again["Idempotent-Replayed"] == "true"
    assert not first.has_header("Idempotent-Replayed")
    assert ResponsibilityCase.objects.count() == 1
    # a new key is a new case
    third = client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert third.status_code == 201
    assert ResponsibilityCase.objects.count() == 2


def test_same_key_with_another_body_is_422(world, halland, api):
    client = api(world.users["nurse_a"])
    body = _case_body(world, world.patient())
    assert client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    other = client.post(
        "/api/v1/cases", {**body, "urgency": "normal"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    assert ResponsibilityCase.objects.count() == 1


def test_keys_are_per_caller_and_errors_are_not_kept(world, halland, api):
    patient = world.patient()
    body = _case_body(world, patient)
    bad = api(world.users["nurse_a"]).post(
        "/api/v1/cases", {**body, "tasks": []}, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert bad.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    # after the error the same key may be used for the corrected request
    good = api(world.users["nurse_a"]).post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert good.status_code == 201
    # another user's identical key is another record: nurse_b may not see the patient (404)
    other = api(world.users["nurse_b"]).post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert other.status_code == 404


def test_expired_keys_are_treated_as_new_and_purged(world, halland, api):
    client = api(world.users["nurse_a"])
    body = _case_body(world, world.patient())
    assert client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    again = client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201
    assert not again.has_header("Idempotent-Replayed")
    assert ResponsibilityCase.objects.count() == 2
    assert idempotency_purge_expired(now=timezone.now() + datetime.timedelta(days=2)) == 1


@pytest.mark.parametrize(
    "path",
    ["/api/v1/patients", "/api/v1/sips", "/api/v1/documents"],
)
def test_other_creating_posts_accept_the_key(world, halland, api, case_in, path):
    client = api(world.users["nurse_a"])
    patient = world.patient()
    body = {
        "/api/v1/patients": {
            "personal_identity": "19400312-9816",
            "given_name": "Karin",
            "family_name": "Svensson",
            "folkbokforing_kommun": str(world.orgs["kommun_a"].public_id),
            "housing_setting": "ordinary_home",
            "enrolment": {
                "kommun": str(world.orgs["kommun_a"].public_id),
                "starts_on": timezone.localdate().isoformat(),
                "threshold_justification": "Kan inte ta sig till vårdcentralen.",
            },
        },
        "/api/v1/sips": {"patient": str(patient.public_id)},
    }.get(path)
    if body is None:  # the escalation notice of an escalated case
        body = {"kind": "escalation_notice", "source_id": str(case_in("escalated").public_id)}
    first = client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.status_code in (200, 201, 202), first.content
    again = client.post(path, body, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert again.status_code == first.status_code
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_give_one_result(world, halland, api):
    body = _case_body(world, world.patient())
    clients = [api(world.users["nurse_a"]) for _ in range(2)]
    barrier = threading.Barrier(2)
    results = []

    def send(client):
        try:
            barrier.wait()
            results.append(client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="same"))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(r.status_code for r in results) == [201, 201]
    assert results[0].json()["id"] == results[1].json()["id"]
    assert sorted(r.has_header("Idempotent-Replayed") for r in results) == [False, True]
    assert ResponsibilityCase.objects.count() == 1


def test_a_kept_answer_holds_no_personal_data_and_a_replay_is_a_logged_read(world, halland, api):
    from audit.models import AccessLogEntry

    client = api(world.users["nurse_a"])
    patient = world.patient(given_name="Ingrid", family_name="Larsson")
    body = _case_body(world, patient)
    first = client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert first.status_code == 201, first.content
    record = IdempotencyRecord.objects.get(key="c-1")
    kept = repr({f.name: getattr(record, f.name) for f in IdempotencyRecord._meta.fields})
    for personal in ("Ingrid", "Larsson", patient.personal_identity, body["background"]):
        assert personal not in kept
    assert str(record.answered_id) == first.json()["id"]

    reads = AccessLogEntry.objects.filter(patient=patient, user=world.users["nurse_a"], action="read")
    before = reads.count()
    again = client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="c-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert reads.count() > before
    assert ResponsibilityCase.objects.count() == 1


def test_a_replay_to_a_caller_who_lost_access_is_404_and_logged_as_denied(world, halland, api):
    from audit.models import AccessLogEntry

    client = api(world.users["nurse_a"])
    patient = world.patient(family_name="Larsson")
    body = _case_body(world, patient)
    first = client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="c-2")
    assert first.status_code == 201, first.content
    # The case has passed to another kommun since: A's nurse is no longer a party to it.
    ResponsibilityCase.objects.filter(public_id=first.json()["id"]).update(kommun=world.orgs["kommun_b"])
    Patient.objects.filter(pk=patient.pk).update(folkbokforing_kommun=world.orgs["kommun_b"])
    Enrolment.objects.filter(patient=patient).update(kommun=world.orgs["kommun_b"])

    again = client.post("/api/v1/cases", body, format="json", HTTP_IDEMPOTENCY_KEY="c-2")
    assert again.status_code == 404
    assert "Larsson" not in again.content.decode()
    assert AccessLogEntry.objects.filter(user=world.users["nurse_a"], outcome="denied").exists()
