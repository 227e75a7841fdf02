"""The review, the entry review and the patient's extract name their period on the access log's partition
key, so PostgreSQL reads only the months of that period: every query they run on the log is explained
and the partitions in its plan are compared with the months of the period."""

from __future__ import annotations

import datetime
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit import partitions
from audit.models import AccessLogEntry, Action, Outcome, Purpose
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db

MONTHS = [datetime.date(2025, 12, 1), *(datetime.date(2026, month, 1) for month in (1, 2, 3, 4))]
PARTITION = re.compile(r"audit_accesslogentry_(\d{4}_\d{2}|default)")


@pytest.fixture
def months(world):
    if not partitions.is_partitioned():
        pytest.skip("the access log is partitioned on PostgreSQL only (SQLite keeps one table)")
    for month in MONTHS:
        partitions.create_partition(month)
    return world


def plant(world, patient, when: datetime.datetime, user: str = "nurse_a") -> AccessLogEntry:
    # The tests run as the database's owner, whose INSERT keeps the time it is given (migration 0007).
    with mock.patch("django.utils.timezone.now", return_value=when):
        return AccessLogEntry.objects.create(
            user=world.users[user],
            user_label=user,
            role="nurse",
            organisation=world.orgs["kommun_a"],
            organisation_label=world.orgs["kommun_a"].name,
            patient=patient,
            record_type="patient",
            action=Action.READ,
            outcome=Outcome.GRANTED,
            purpose=Purpose.CARE_RELATIONSHIP,
        )


def months_read(captured: list[dict[str, str]]) -> list[set[str]]:
    """For each SELECT on the log among ``captured``: the partitions its plan reads."""
    read = []
    for query in captured:
        sql = query["sql"]
        if "audit_accesslogentry" not in sql or not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        read.append(set(PARTITION.findall(plan)))
    return read


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def test_the_review_reads_only_the_months_of_its_period(months):
    world = months
    patient = world.patient(registered=at(datetime.date(2025, 11, 1)))
    protected = world.patient(registered=at(datetime.date(2025, 11, 1)), protected=True)
    for day in (datetime.date(2025, 12, 5), datetime.date(2026, 2, 12), datetime.date(2026, 3, 12)):
        plant(world, patient, at(day))
        plant(world, protected, at(day, 11))
    client = signed_in(world.users["mas_a"])
    for period, expected in (
        ("from=2026-03-10&to=2026-03-16", {"2026_03"}),
        ("from=2026-02-10&to=2026-03-20", {"2026_02", "2026_03"}),
    ):
        for query in ("", "&flag=any", "&flag=unusual_volume", "&flag=protected_identity"):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(f"/access-log/?{period}{query}")
            assert response.status_code == 200
            plans = months_read(captured.captured_queries)
            # The unusual volume, the count and the page; a filter that can match nothing (no one read
            # an unusual volume) answers without asking the database.
            assert len(plans) >= (1 if query == "&flag=unusual_volume" else 3), (period, query)
            for read in plans:
                assert read == expected, (period, query)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/access-log/export.csv?{period}").status_code == 200
        assert all(read == expected for read in months_read(captured.captured_queries))


def test_the_entry_review_reads_the_entrys_day_only(months):
    world = months
    patient = world.patient(registered=at(datetime.date(2025, 11, 1)))
    entry = plant(world, patient, at(datetime.date(2026, 2, 12)))
    with CaptureQueriesContext(connection) as captured:
        response = signed_in(world.users["mas_a"]).post(
            f"/access-log/entries/{entry.pk}/review", {"note": "Granskad.", "at": entry.at.isoformat()}
        )
    assert response.status_code == 302
    assert entry.reviews.count() == 1
    assert months_read(captured.captured_queries) == [{"2026_02"}]


def test_the_extract_reads_from_the_patients_registration(months):
    world = months
    patient = world.patient(registered=at(datetime.date(2026, 2, 20)))
    shown = plant(world, patient, at(datetime.date(2026, 3, 12)))
    client = signed_in(world.users["mas_a"])
    with CaptureQueriesContext(connection) as captured:
        created = client.post(f"/access-log/patients/{patient.public_id}/extract")
        page = client.get(created["Location"])
    assert shown.at in [row.at for row in page.context["rows"]]
    plans = months_read(captured.captured_queries)
    assert len(plans) == 2  # its last entry, its rows
    for read in plans:
        # Not December or January (before the registration); from February on, the months that exist.
        assert read, plans
        assert not read & {"2025_12", "2026_01"}
        assert {"2026_02", "2026_03"} <= read
