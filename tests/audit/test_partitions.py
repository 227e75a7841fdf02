"""The access log partitioned by month on PostgreSQL (migration 0007): partitions created ahead, every
partition as append-only as the log, a month archived to CSV with a checksum manifest, dropped only once
verified, and restored from its archive with every row as it was; the retention never below five years.
"""

from __future__ import annotations

import datetime
import gzip
import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import DataError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from audit import archive, partitions
from audit.extract import log_extract_create, log_extract_rows
from audit.models import AccessLogEntry, Action, Outcome, Purpose
from audit.services import Access, access_log_record
from directory.actor import Actor
from tests.audit.test_append_only import REFUSED, acting_as, refused, roles  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db

OLD_MONTH = datetime.date(2019, 3, 1)  # ended more than five years ago
ROW_TRIGGERS = ("audit_accesslogentry_no_update_delete", "audit_accesslogentry_database_time")


@pytest.fixture
def archive_dir(tmp_path: Path):
    stores = {
        **settings.STORAGES,
        archive.STORAGE: {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    with override_settings(STORAGES=stores):
        yield tmp_path


def _triggers(table: str) -> dict[str, str]:
    """The triggers on a table and how they fire ('A': always, even in replication mode)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname, tgenabled FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        return dict(cursor.fetchall())


def _assert_append_only(table: str, month: datetime.date) -> None:
    """The partition's triggers, and that they refuse (a row trigger fires only on a row: one is planted)."""
    at = timezone.make_aware(datetime.datetime.combine(month, datetime.time(12)), datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_accesslogentry (at, user_label, api_client, role, organisation_label, "
            "record_type, record_id, action, outcome, purpose, reason) "
            "VALUES (%s, 'x', '', '', '', 'patient', '', 'read', 'granted', 'care_relationship', '')",
            [at],
        )
    assert _triggers(table) == {
        "audit_accesslogentry_no_update_delete": "A",
        "audit_accesslogentry_database_time": "A",
        "audit_accesslogentry_no_truncate": "A",
    }, table
    assert "append-only" in refused(f"UPDATE {table} SET reason = 'rewritten'")  # noqa: S608
    assert "append-only" in refused(f"DELETE FROM {table}")  # noqa: S608


def _plant(world, month: datetime.date, count: int) -> list[dict[str, object]]:
    """Rows of every kind in a month (the test runs as the database's owner, which keeps its times)."""
    patient = world.patient(registered=timezone.make_aware(datetime.datetime(2018, 1, 1)))
    start = timezone.make_aware(datetime.datetime.combine(month, datetime.time(0, 0, 1)), datetime.UTC)
    for index in range(count):
        with mock.patch(
            "django.utils.timezone.now", return_value=start + datetime.timedelta(hours=7 * index)
        ):
            _plant_one(world, index, patient)
    with connection.cursor() as cursor:  # a table with pending foreign-key checks cannot be dropped
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return _rows_of(month)


def _plant_one(world, index: int, patient) -> None:
    reasons = ["", 'Akut, "hjärtstopp"\nandra raden', "Åsa Öberg; ärende 12", "a,b"]
    AccessLogEntry.objects.create(
        user=world.users["nurse_a"] if index % 3 else None,
        user_label="Sjuksköterska A (nurse.a)" if index % 3 else "",
        api_client="" if index % 3 else "journal-x",
        role="nurse" if index % 2 else "",
        organisation=world.orgs["kommun_a"] if index % 2 else None,
        organisation_label=world.orgs["kommun_a"].name if index % 2 else "",
        patient=patient if index % 4 else None,
        record_type="patient",
        record_id=str(index),
        action=Action.READ,
        outcome=Outcome.GRANTED if index % 5 else Outcome.DENIED,
        purpose=Purpose.EMERGENCY_ACCESS if index % 7 == 0 else Purpose.CARE_RELATIONSHIP,
        reason=reasons[index % len(reasons)],
        client_address="10.1.2.3" if index % 2 else ("2001:db8::1" if index % 3 else None),
    )


def _rows_of(month: datetime.date) -> list[dict[str, object]]:
    low = timezone.make_aware(datetime.datetime.combine(month, datetime.time()), datetime.UTC)
    high = timezone.make_aware(
        datetime.datetime.combine(partitions.add_months(month, 1), datetime.time()), datetime.UTC
    )
    rows = AccessLogEntry.objects.filter(at__gte=low, at__lt=high).order_by("id").values()
    return [dict(row) for row in rows]


def test_the_log_is_partitioned_and_every_partition_is_append_only():
    assert partitions.is_partitioned()
    this_month = partitions.month_start(partitions.today_utc())
    months = partitions.monthly_partitions()
    for offset in range(settings.AUDIT_LOG_PARTITIONS_AHEAD + 1):  # created on migrate
        assert partitions.add_months(this_month, offset) in months
    _assert_append_only(partitions.partition_name(this_month), this_month)
    _assert_append_only(partitions.DEFAULT_PARTITION, datetime.date(2040, 1, 1))
    assert "append-only" in refused("UPDATE audit_accesslogentry SET reason = 'rewritten'")
    # One created later (the beat task) gets the same.
    created = partitions.ensure_partitions(months_ahead=2, today=datetime.date(2031, 1, 20))
    assert created == [f"audit_accesslogentry_2031_{month:02}" for month in (1, 2, 3)]
    assert partitions.ensure_partitions(months_ahead=2, today=datetime.date(2031, 1, 20)) == []
    _assert_append_only("audit_accesslogentry_2031_02", datetime.date(2031, 2, 1))


def test_a_later_partition_refuses_truncate_and_row_changes_to_the_application(world, roles):  # noqa: F811
    partitions.create_partition(datetime.date(2032, 5, 1))
    with acting_as(roles.app):
        # The application's role creates the months ahead itself (the beat task), without DDL rights.
        assert partitions.ensure_partitions(months_ahead=1, today=datetime.date(2033, 7, 2)) == [
            "audit_accesslogentry_2033_07",
            "audit_accesslogentry_2033_08",
        ]
        for table in ("audit_accesslogentry_2032_05", "audit_accesslogentry_2033_08"):
            for sql in (
                f"TRUNCATE {table}",
                f"UPDATE {table} SET reason = 'x'",  # noqa: S608
                f"DELETE FROM {table}",  # noqa: S608
                f"ALTER TABLE {table} DISABLE TRIGGER ALL",
                f"ALTER TABLE audit_accesslogentry DETACH PARTITION {table}",
                f"DROP TABLE {table}",
            ):
                assert "permission denied" in refused(sql) or "must be owner" in refused(sql), sql
        # Nor can it drop a month younger than five years through the archive's function.
        assert "must be kept five years" in refused(
            "SELECT audit_accesslog_drop_partition(%s, 0)", [datetime.date(2032, 5, 1)]
        )
    with acting_as(roles.owner):
        assert "append-only" in refused("TRUNCATE audit_accesslogentry_2033_08")


def test_a_row_without_a_partition_waits_in_default_and_moves_to_its_month(world):
    _plant(world, datetime.date(2036, 6, 1), 3)
    assert partitions.default_partition_rows() == 3
    assert partitions.create_partition(datetime.date(2036, 6, 1))
    assert partitions.default_partition_rows() == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_accesslogentry_2036_06")
        assert cursor.fetchone() == (3,)
    _assert_append_only(partitions.DEFAULT_PARTITION, datetime.date(2040, 1, 1))
    _assert_append_only("audit_accesslogentry_2036_06", datetime.date(2036, 6, 1))


def test_the_applications_insert_goes_to_the_month_the_database_gives_it(world, roles):  # noqa: F811
    """At midnight on the first the application's clock and the database's may be in different months;
    the row goes where its final time (the database's) belongs, not to the month the client sent."""
    partitions.create_partition(OLD_MONTH)
    patient = world.patient()
    late = timezone.make_aware(datetime.datetime(2019, 3, 31, 23, 59, 59), datetime.UTC)
    with acting_as(roles.app), mock.patch("django.utils.timezone.now", return_value=late):
        access_log_record(
            actor=Actor.for_user(world.users["nurse_a"]),
            accesses=[Access(patient_id=patient.pk, record_type="patient")],
            action=Action.READ,
        )
    entry = AccessLogEntry.objects.filter(patient=patient).latest("pk")
    assert entry.at > late + datetime.timedelta(days=365)
    assert _rows_of(OLD_MONTH) == []


def test_a_month_round_trips_through_its_archive(world, archive_dir):
    partitions.create_partition(OLD_MONTH)
    before = _plant(world, OLD_MONTH, 60)
    assert len(before) == 60
    assert OLD_MONTH in partitions.archivable_months()
    assert partitions.month_start(partitions.today_utc()) not in partitions.archivable_months()

    call_command("archive_access_log", "--month", "2019-03", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert OLD_MONTH not in partitions.monthly_partitions()
    assert _rows_of(OLD_MONTH) == []
    manifest = archive.read_manifest(OLD_MONTH)
    assert manifest.partition == "audit_accesslogentry_2019_03"
    assert (manifest.period_start, manifest.period_end) == (
        "2019-03-01T00:00:00+00:00",
        "2019-04-01T00:00:00+00:00",
    )
    assert manifest.rows == 60
    assert (archive_dir / manifest.file).exists()
    with gzip.open(archive_dir / manifest.file, "rt", encoding="utf-8") as text:
        assert text.readline().strip().split(",")[:2] == ["id", "at"]

    call_command("restore_access_log", "2019-03", stdout=open(os.devnull, "w"))  # noqa: SIM115

    assert _rows_of(OLD_MONTH) == before
    assert OLD_MONTH in partitions.monthly_partitions()
    _assert_append_only("audit_accesslogentry_2019_03", OLD_MONTH)
    # The restored month is in the patient's extract again.
    patient_id = before[1]["patient_id"]
    patient = AccessLogEntry.objects.filter(pk=before[1]["id"]).get().patient
    extract = log_extract_create(
        actor=Actor.for_user(world.users["mas_a"]), patient_public_id=patient.public_id
    )
    shown = [row.at for row in log_extract_rows(extract)]
    planted = [row["at"] for row in before if row["patient_id"] == patient_id and row["outcome"] == "granted"]
    assert shown[: len(planted)] == planted


def test_an_archive_that_does_not_match_its_manifest_is_neither_dropped_nor_restored(world, archive_dir):
    partitions.create_partition(OLD_MONTH)
    before = _plant(world, OLD_MONTH, 5)
    archive.export(OLD_MONTH)
    manifest = archive.read_manifest(OLD_MONTH)
    path = archive_dir / manifest.file
    path.chmod(0o640)
    with gzip.open(path, "wb") as changed:
        changed.write(b"id,at\n1,2019-03-01 00:00:00+00\n")
    with pytest.raises(archive.ArchiveError, match="SHA-256"):
        archive.verify(OLD_MONTH)
    # The database also refuses to drop a month whose row count is not the archive's.
    with (
        pytest.raises(DataError, match="has 5 rows, its archive 4"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SELECT audit_accesslog_drop_partition(%s, 4)", [OLD_MONTH])
    assert _rows_of(OLD_MONTH) == before
    with pytest.raises(archive.ArchiveError, match="SHA-256"):
        archive.restore_partition(OLD_MONTH)
    # Exported again, the same rows give the same bytes: the damaged file is written again.
    assert archive.export(OLD_MONTH) == manifest
    assert archive.verify(OLD_MONTH) == manifest
    # A month still in the database is not restored over.
    with pytest.raises(archive.ArchiveError, match="already has a partition"):
        archive.restore_partition(OLD_MONTH)
    # Nor is an archive replaced by other content (here: a row more in the month).
    _plant(world, OLD_MONTH, 1)
    with pytest.raises(archive.ArchiveError, match="archived already"):
        archive.export(OLD_MONTH)
    assert archive.verify(OLD_MONTH) == manifest


def test_a_month_within_the_retention_is_not_archived(world, archive_dir):
    recent = partitions.add_months(partitions.month_start(partitions.today_utc()), -2)
    with pytest.raises(archive.ArchiveError, match="retention"):
        archive.archive_partition(recent)
    with override_settings(AUDIT_LOG_RETENTION_YEARS=10):
        partitions.create_partition(OLD_MONTH)
        assert OLD_MONTH not in partitions.archivable_months()
    # The database keeps five years whatever the application asks.
    assert "must be kept five years" in refused("SELECT audit_accesslog_drop_partition(%s, 0)", [recent])


def test_a_retention_below_five_years_is_refused_at_startup():
    with (
        override_settings(AUDIT_LOG_RETENTION_YEARS=4),
        pytest.raises(ImproperlyConfigured, match="at least 5 years"),
    ):
        partitions.check_retention()
    environment = {**os.environ, "AUDIT_LOG_RETENTION_YEARS": "3"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "AUDIT_LOG_RETENTION_YEARS is 3" in result.stderr
    assert "HSLF-FS 2016:40" in result.stderr


def test_the_beat_tasks_create_ahead_and_archive_what_is_due(world, archive_dir):
    from audit import tasks

    for name in ("audit.tasks.create_log_partitions", "audit.tasks.archive_log_partitions"):
        assert any(entry["task"] == name for entry in settings.CELERY_BEAT_SCHEDULE.values()), name
    assert tasks.create_log_partitions() == []  # migrate made them
    partitions.create_partition(OLD_MONTH)
    _plant(world, OLD_MONTH, 4)
    assert tasks.archive_log_partitions() == ["audit_accesslogentry_2019_03"]
    assert archive.verify(OLD_MONTH).rows == 4
    assert partitions.archivable_months() == []


def test_the_application_role_archives_and_only_the_owner_restores(world, roles, archive_dir):  # noqa: F811
    partitions.create_partition(OLD_MONTH)
    before = _plant(world, OLD_MONTH, 6)
    with acting_as(roles.app):
        assert archive.archive_partition(OLD_MONTH).rows == 6
        assert _rows_of(OLD_MONTH) == []
        with pytest.raises(REFUSED, match="permission denied"), transaction.atomic():
            archive.restore_partition(OLD_MONTH)
    with acting_as(roles.owner):
        assert archive.restore_partition(OLD_MONTH) == 6
    assert _rows_of(OLD_MONTH) == before
    _assert_append_only("audit_accesslogentry_2019_03", OLD_MONTH)
