"""The access log, its reviews and extracts are append-only in PostgreSQL itself, whatever the
application does, and the application's database role cannot step around that (deploy/README.md,
"Database roles"): no TRUNCATE, no disabled trigger, no replication mode, no back-dated row."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from django.db import InternalError, OperationalError, ProgrammingError, connection, transaction
from django.test import Client
from django.utils import timezone

from audit.extract import log_extract_create, log_extract_rows
from audit.models import AccessLogEntry, AccessLogExtract, AccessLogReview, Action, Outcome, Purpose
from audit.review import entry_review
from audit.services import Access, access_log_record
from directory.actor import Actor
from figures.facts import facts_refresh
from patients.selectors import patient_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(world):
    return AccessLogEntry.objects.create(
        user=world.users["nurse_a"],
        user_label="nurse.a",
        record_type="patient",
        action=Action.READ,
        outcome=Outcome.GRANTED,
        purpose=Purpose.CARE_RELATIONSHIP,
    )


def test_update_is_refused(entry):
    assert connection.vendor == "postgresql"
    with (
        pytest.raises((InternalError, ProgrammingError), match="append-only"),
        transaction.atomic(),
    ):
        AccessLogEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    entry.refresh_from_db()
    assert entry.reason == ""


def test_delete_is_refused_even_in_raw_sql(entry):
    with (
        pytest.raises((InternalError, ProgrammingError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_accesslogentry WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


# --- The two database roles of the deployment (deploy/db-roles.sql, audit migration 0006) -----------

ROLES_SQL = Path(__file__).resolve().parents[2] / "deploy" / "db-roles.sql"
REFUSED = (InternalError, ProgrammingError, OperationalError)
APPEND_ONLY = ("audit_accesslogentry", "audit_accesslogreview", "audit_accesslogextract")


@dataclass(frozen=True)
class Roles:
    owner: str
    app: str


@pytest.fixture
def roles(world) -> Roles:
    """The owner and the application's role, made in this test database by the deployment's own SQL.

    Everything happens in the test's transaction (roles, ownership, grants), so it is all rolled back;
    the names carry the database's, so parallel test databases on the same server do not collide.
    """
    name = connection.settings_dict["NAME"]
    made = Roles(owner=f"{name}_owner", app=f"{name}_app")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('hemsjukvard.owner_role', %s, true), "
            "set_config('hemsjukvard.app_role', %s, true)",
            [made.owner, made.app],
        )
        # The world's deferred foreign-key checks first: a table with pending ones cannot change owner.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(ROLES_SQL.read_text())
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return made


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SET ROLE {connection.ops.quote_name(role)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def refused(sql: str, params: list[int] | None = None) -> str:
    """Run ``sql``, expect PostgreSQL to refuse it, and return why."""
    with pytest.raises(REFUSED) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


@pytest.fixture
def history(world, roles):
    """A read, a MAS's review of it and the patient's extract, written by the application's role."""
    patient = world.patient()
    mas = Actor.for_user(world.users["mas_a"])
    with acting_as(roles.app):
        patient_get(actor=Actor.for_user(world.users["nurse_a"]), public_id=patient.public_id)
        entry = AccessLogEntry.objects.filter(patient=patient).latest("pk")
        review = entry_review(actor=mas, provider_id=None, entry_id=entry.pk, note="Vårdrelation finns.")
        extract = log_extract_create(actor=mas, patient_public_id=patient.public_id)
    return entry, review, extract


def test_the_application_role_does_its_normal_work(world, roles, history):
    entry, review, extract = history
    with acting_as(roles.app):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            assert cursor.fetchone() == (roles.app,)
        # Reads, the review's page and the extract's rows work as the application's role.
        assert AccessLogReview.objects.get(pk=review.pk).note == "Vårdrelation finns."
        assert log_extract_rows(extract)
        client = Client()
        client.force_login(world.users["mas_a"])
        assert client.get("/access-log/").status_code == 200
        assert client.get(f"/access-log/extracts/{extract.public_id}/").status_code == 200
        # Ordinary tables keep their row privileges.
        user = world.users["nurse_a"]
        user.first_name = "Ändrad"
        user.save(update_fields=["first_name"])
        # The worker's refresh of the figures (a temporary table, DELETE and INSERT of derived rows;
        # its ANALYZE of a table it does not own is skipped with a warning, not an error).
        assert facts_refresh() is not None
    assert AccessLogEntry.objects.filter(patient=entry.patient, user=world.users["mas_a"]).count() >= 3


@pytest.mark.parametrize("table", APPEND_ONLY)
def test_the_application_role_cannot_change_or_empty_the_log(roles, history, table):
    with acting_as(roles.app):
        for sql in (
            f"UPDATE {table} SET id = id",  # noqa: S608 (fixed table names)
            f"DELETE FROM {table}",  # noqa: S608
            f"TRUNCATE {table} CASCADE",
            f"ALTER TABLE {table} DISABLE TRIGGER ALL",
            f"ALTER TABLE {table} DISABLE TRIGGER {table}_no_update_delete",
            f"DROP TRIGGER {table}_no_update_delete ON {table}",
            f"DROP TABLE {table} CASCADE",
            "SET session_replication_role = replica",
            "CREATE TABLE audit_shadow (id int)",
        ):
            assert re.search(r"permission denied|must be owner|append-only", refused(sql)), sql
    entry, review, extract = history
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()
    assert AccessLogReview.objects.get(pk=review.pk).note == "Vårdrelation finns."
    assert AccessLogExtract.objects.filter(pk=extract.pk).exists()


def test_the_triggers_refuse_row_changes_even_where_a_grant_allows_them(world, roles, history):
    """Privileges aside, the triggers refuse UPDATE and DELETE of reviews and extracts to every role,
    and TRUNCATE to every role but a superuser: here the owner, which has every privilege."""
    _entry, review, extract = history
    with acting_as(roles.owner):
        assert "append-only" in refused(
            "UPDATE audit_accesslogreview SET note = 'x' WHERE id = %s", [review.pk]
        )
        assert "append-only" in refused("DELETE FROM audit_accesslogreview WHERE id = %s", [review.pk])
        assert "append-only" in refused(
            "UPDATE audit_accesslogextract SET up_to_entry_id = 0 WHERE id = %s", [extract.pk]
        )
        assert "append-only" in refused("DELETE FROM audit_accesslogextract WHERE id = %s", [extract.pk])
        with connection.cursor() as cursor:  # a table with pending FK checks cannot be truncated at all
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in APPEND_ONLY:
            assert "append-only" in refused(f"TRUNCATE {table} CASCADE"), table
        # Not a superuser: the owner cannot silence the triggers through replication mode either.
        assert "permission denied" in refused("SET session_replication_role = replica")


def test_the_triggers_fire_in_replication_mode(world, history):
    """``session_replication_role = replica`` silences ordinary triggers; these fire ALWAYS."""
    _entry, review, _extract = history
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
            AccessLogReview.objects.filter(pk=review.pk).update(note="rewritten")
    assert AccessLogReview.objects.get(pk=review.pk).note == "Vårdrelation finns."


def test_the_database_sets_the_time_of_a_row_the_application_writes(world, roles):
    patient = world.patient()
    mas = Actor.for_user(world.users["mas_a"])
    past = timezone.now() - datetime.timedelta(days=400)
    with acting_as(roles.app):
        started = _database_now()
        # A client that sends a time of its own: through the model, and through the log's INSERT.
        forged = AccessLogEntry.objects.create(
            at=past,
            user=world.users["nurse_a"],
            user_label="nurse.a",
            patient=patient,
            record_type="patient",
            action=Action.READ,
            outcome=Outcome.GRANTED,
            purpose=Purpose.CARE_RELATIONSHIP,
        )
        with mock.patch("django.utils.timezone.now", return_value=past):
            access_log_record(
                actor=Actor.for_user(world.users["nurse_a"]),
                accesses=[Access(patient_id=patient.pk, record_type="patient")],
                action=Action.READ,
            )
            entry = AccessLogEntry.objects.filter(patient=patient).latest("pk")
            review = entry_review(actor=mas, provider_id=None, entry_id=entry.pk, note="Granskad.")
            extract = log_extract_create(actor=mas, patient_public_id=patient.public_id)
    times = [
        AccessLogEntry.objects.get(pk=forged.pk).at,
        AccessLogEntry.objects.get(pk=entry.pk).at,
        AccessLogReview.objects.get(pk=review.pk).at,
        AccessLogExtract.objects.get(pk=extract.pk).created_at,
    ]
    for stored in times:
        assert stored >= started, stored


def test_tables_made_by_later_migrations_are_granted_to_the_application(roles):
    with acting_as(roles.owner), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE later_migration (id bigint GENERATED BY DEFAULT AS IDENTITY, note text)")
    with acting_as(roles.app), connection.cursor() as cursor:
        cursor.execute("INSERT INTO later_migration (note) VALUES ('x') RETURNING id")
        (row_id,) = cursor.fetchone()
        cursor.execute("UPDATE later_migration SET note = 'y' WHERE id = %s", [row_id])
        cursor.execute("DELETE FROM later_migration WHERE id = %s", [row_id])
        assert "permission denied" in refused("TRUNCATE later_migration")
        assert "must be owner" in refused("ALTER TABLE later_migration ADD COLUMN extra int")


def _database_now() -> datetime.datetime:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement_timestamp()")
        (now,) = cursor.fetchone()
    return now
