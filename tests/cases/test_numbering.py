"""Human case numbers (HSV-2026-000123): every case opened gets the next one, the prefix is the
installation's, and cases opened at the same moment on PostgreSQL (threads, each with its own
connection) never share a number, even when the counter row does not exist yet."""

from __future__ import annotations

import datetime
import re
import threading

import pytest
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone, translation

from cases.models import ResponsibilityCase
from cases.numbering import CaseNumberCounter, format_case_number, next_case_number, next_sequence

NUMBER = re.compile(r"^HSV-(\d{4})-(\d{6})$")


def test_the_number_reads_prefix_year_and_six_digits() -> None:
    assert format_case_number(123, 2026, "HSV") == "HSV-2026-000123"
    assert format_case_number(1_234_567, 2027, "RH") == "RH-2027-1234567"  # grows past six digits


@pytest.mark.django_db
def test_opened_cases_get_consecutive_numbers_of_this_year(drive) -> None:
    first = drive.open()
    second = drive.open()
    year = timezone.localdate().year
    one, two = NUMBER.match(first.number), NUMBER.match(second.number)
    assert one is not None, first.number
    assert two is not None, second.number
    assert int(one.group(1)) == year == int(two.group(1))
    assert int(two.group(2)) == int(one.group(2)) + 1
    # Read back from the database, not only from the object the service returned.
    assert ResponsibilityCase.objects.get(pk=first.pk).number == first.number


@pytest.mark.django_db
def test_the_prefix_is_the_installations() -> None:
    with override_settings(CASE_NUMBER_PREFIX="RHAL"):
        assert next_case_number().startswith(f"RHAL-{timezone.localdate().year}-")


@pytest.mark.django_db
def test_a_rolled_back_opening_gives_its_number_back() -> None:
    before = next_sequence()

    def failed_opening() -> None:
        with transaction.atomic():
            next_sequence()
            raise RuntimeError("the opening failed")

    with pytest.raises(RuntimeError):
        failed_opening()
    assert next_sequence() == before + 1  # the rolled-back number is the next one handed out


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("counter_exists", [True, False], ids=["counter-row", "first-number-ever"])
def test_concurrent_openings_never_share_a_number(world, drive, counter_exists: bool) -> None:
    assert connection.vendor == "postgresql"
    if not counter_exists:
        CaseNumberCounter.objects.all().delete()
    patients = [world.patient() for _ in range(8)]
    barrier = threading.Barrier(len(patients))
    opened: list[ResponsibilityCase] = []
    errors: list[BaseException] = []

    def open_case(patient) -> None:
        try:
            barrier.wait()
            opened.append(drive.open(patient=patient))
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=open_case, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    numbers = [c.number for c in opened]
    assert len(set(numbers)) == len(patients), numbers
    stored = set(ResponsibilityCase.objects.values_list("number", flat=True))
    assert set(numbers) <= stored
    sequences = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert sequences == list(range(sequences[0], sequences[0] + len(patients)))
    assert CaseNumberCounter.objects.get().value == sequences[-1]


@pytest.mark.django_db
def test_notifications_and_their_e_mails_name_the_case_by_its_number(case_in) -> None:
    from agreements.deadlines import last_day
    from cases.models import Notification, NotificationKind
    from cases.services.notifications import email_body

    case = case_in("in_review")
    asked = Notification.objects.filter(case=case, kind=NotificationKind.REVIEW_REQUESTED)
    assert asked.exists()
    for each in asked:
        assert case.number in each.message
        assert str(case.public_id) not in each.message
    note = asked.exclude(due_at=None).first()
    assert note is not None
    assert note.due_at is not None
    with translation.override("sv"):
        body = email_body(note)
    assert f"Ärende {case.number}" in body
    # A whole-day deadline is its last day, not the midnight after it.
    day, whole_day = last_day(note.due_at)
    assert whole_day
    assert f"Senast: {day.isoformat()}" in body
    assert f"Senast: {(day + datetime.timedelta(days=1)).isoformat()}" not in body
