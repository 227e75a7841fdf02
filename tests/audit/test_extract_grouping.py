"""Repeated reads by one person of the same kind of record of a patient, within 15 minutes of the first,
are one row of the patient's log extract: from, to and how many times."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from audit.extract import log_extract_create, log_extract_rows
from audit.models import AccessLogEntry, Action, Outcome, Purpose
from directory.actor import Actor
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db

START = timezone.make_aware(datetime.datetime(2026, 3, 10, 10, 0))


def _read(
    world, patient, user: str, when: datetime.datetime, *, record_type: str = "responsibility_case"
) -> None:
    with mock.patch("django.utils.timezone.now", return_value=when):
        AccessLogEntry.objects.create(
            user=world.users[user],
            user_label=user,
            role="nurse",
            organisation=world.orgs["kommun_a"],
            organisation_label=world.orgs["kommun_a"].name,
            patient=patient,
            record_type=record_type,
            action=Action.READ,
            outcome=Outcome.GRANTED,
            purpose=Purpose.CARE_RELATIONSHIP,
        )


def test_repeated_reads_are_one_row(world):
    patient = world.patient(registered=START - datetime.timedelta(days=30))
    for second in range(0, 169 * 5, 5):  # 169 reads in 14 minutes
        _read(world, patient, "nurse_a", START + datetime.timedelta(seconds=second))
    _read(world, patient, "nurse_a", START + datetime.timedelta(minutes=3), record_type="risk_analysis")
    _read(world, patient, "mas_a", START + datetime.timedelta(minutes=5))
    _read(world, patient, "nurse_a", START + datetime.timedelta(minutes=20))  # a new visit
    mas = Actor.for_user(world.users["mas_a"])
    extract = log_extract_create(actor=mas, patient_public_id=patient.public_id)
    rows = [row for row in log_extract_rows(extract) if row.at < START + datetime.timedelta(hours=1)]
    assert [(row.at - START, row.count) for row in rows] == [
        (datetime.timedelta(0), 169),
        (datetime.timedelta(minutes=3), 1),
        (datetime.timedelta(minutes=5), 1),
        (datetime.timedelta(minutes=20), 1),
    ]
    assert rows[0].until == START + datetime.timedelta(seconds=168 * 5)
    assert rows[1].until is None
    page = signed_in(world.users["mas_a"]).get(f"/access-log/extracts/{extract.public_id}/")
    assert "2026-03-10 10:00–10:14 (169 gånger)" in page.content.decode()


def test_repeated_reads_within_one_minute_show_the_minute_once(world):
    patient = world.patient(registered=START - datetime.timedelta(days=30))
    for second in (5, 20, 40):  # three reads in 10:45
        _read(world, patient, "nurse_a", START + datetime.timedelta(minutes=45, seconds=second))
    extract = log_extract_create(
        actor=Actor.for_user(world.users["mas_a"]), patient_public_id=patient.public_id
    )
    page = signed_in(world.users["mas_a"]).get(f"/access-log/extracts/{extract.public_id}/").content.decode()
    assert "2026-03-10 10:45 (3 gånger)" in page
    assert "10:45–10:45" not in page
