"""A version put in force ahead of its first day is scheduled: the version before it stays in force (and
is what proposals use) until that day, when the beat's sweep makes the new one in force."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from agreements.choices import AgreementStatus
from agreements.models import AgreementEvent, AgreementEventAction, AgreementVersion
from agreements.scheduling import agreement_versions_start
from agreements.services import agreement_version_new_draft, agreement_version_put_in_force
from agreements.tasks import start_scheduled_versions

pytestmark = pytest.mark.django_db


def _next(current: AgreementVersion, *, starts: datetime.date, number: str) -> AgreementVersion:
    draft = agreement_version_new_draft(actor=None, source=current, version=number, valid_from=starts)
    return agreement_version_put_in_force(actor=None, version=draft)


def _status(version: AgreementVersion) -> str:
    version.refresh_from_db()
    return version.status


def test_a_future_version_waits_and_the_current_one_stays_in_force_until_its_day(
    demo_version: AgreementVersion,
) -> None:
    today = timezone.localdate()
    assert demo_version.status == AgreementStatus.IN_FORCE
    future = _next(demo_version, starts=today + datetime.timedelta(days=30), number="2099.1")

    assert future.status == AgreementStatus.SCHEDULED
    assert _status(demo_version) == AgreementStatus.IN_FORCE
    assert not AgreementEvent.objects.filter(version=demo_version, action=AgreementEventAction.SUPERSEDED)

    # Nothing starts before its day.
    assert agreement_versions_start(today=today + datetime.timedelta(days=29)) == 0
    assert _status(future) == AgreementStatus.SCHEDULED

    assert agreement_versions_start(today=today + datetime.timedelta(days=30)) == 1
    assert _status(future) == AgreementStatus.IN_FORCE
    assert _status(demo_version) == AgreementStatus.SUPERSEDED
    assert AgreementEvent.objects.filter(version=future, action=AgreementEventAction.STARTED).count() == 1
    superseded = AgreementEvent.objects.get(version=demo_version, action=AgreementEventAction.SUPERSEDED)
    assert superseded.detail == {"by": str(future.public_id)}
    # Running again changes nothing.
    assert agreement_versions_start(today=today + datetime.timedelta(days=31)) == 0


def test_two_scheduled_versions_whose_days_have_both_come_leave_only_the_later_in_force(
    demo_version: AgreementVersion,
) -> None:
    today = timezone.localdate()
    first = _next(demo_version, starts=today + datetime.timedelta(days=10), number="2099.1")
    second = _next(first, starts=today + datetime.timedelta(days=20), number="2099.2")
    assert (first.status, second.status) == (AgreementStatus.SCHEDULED, AgreementStatus.SCHEDULED)

    assert agreement_versions_start(today=today + datetime.timedelta(days=25)) == 2
    assert _status(demo_version) == AgreementStatus.SUPERSEDED
    assert _status(first) == AgreementStatus.SUPERSEDED
    assert _status(second) == AgreementStatus.IN_FORCE


def test_a_version_starting_today_is_in_force_at_once_and_the_beat_task_is_the_sweep(
    demo_version: AgreementVersion,
) -> None:
    today = timezone.localdate()
    now = _next(demo_version, starts=today, number="2099.1")
    assert now.status == AgreementStatus.IN_FORCE
    assert _status(demo_version) == AgreementStatus.SUPERSEDED
    assert start_scheduled_versions() == 0


def test_the_api_shows_a_scheduled_version_as_scheduled(demo_version: AgreementVersion, api, region_halland):
    future = _next(demo_version, starts=timezone.localdate() + datetime.timedelta(days=5), number="2099.1")
    client = api(region_halland.users["admin_halland"])
    assert client.get(f"/api/v1/agreement-versions/{future.public_id}").json()["status"] == "scheduled"
    assert client.get(f"/api/v1/agreement-versions/{demo_version.public_id}").json()["status"] == "in_force"
