"""One step tells many people in a constant number of queries: a case submitted to a vårdcentral with
ten GPs costs no more queries than one with a single GP, and e-mailing them costs no query per GP
beyond a constant either."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Notification, NotificationKind
from directory.models import Role
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.world import make_user

pytestmark = pytest.mark.django_db


def _gps(world: Any, count: int) -> None:
    for i in range(count):
        user = make_user(f"gp.extra{len(world.users)}.{i}", (world.orgs["vc_a"], Role.GP))
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
        world.users[user.username] = user


def _submit_queries(drive: Any) -> tuple[int, Any]:
    case = drive.open(tasks=(PD, WOUND))
    with CaptureQueriesContext(connection) as queries:
        case = drive.submit(case)
    return len(queries), case


def test_submitting_to_ten_gps_costs_what_submitting_to_one_costs(
    world, drive, django_assert_max_num_queries
):
    baseline, case = _submit_queries(drive)
    assert Notification.objects.filter(case=case, kind=NotificationKind.REVIEW_REQUESTED).count() == 1

    _gps(world, 9)
    case = drive.open(tasks=(PD, WOUND))
    with django_assert_max_num_queries(baseline):
        case = drive.submit(case)
    assert Notification.objects.filter(case=case, kind=NotificationKind.REVIEW_REQUESTED).count() == 10


def test_e_mailing_ten_gps_costs_no_query_per_gp_beyond_a_constant(
    world, drive, eager_celery, django_capture_on_commit_callbacks
):
    def emailed(extra_gps: int) -> int:
        _gps(world, extra_gps)
        case = drive.open(tasks=(PD,))
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            drive.submit(case)
        told = Notification.objects.filter(case=case, kind=NotificationKind.REVIEW_REQUESTED)
        assert sum(1 for m in mail.outbox if "Granskning" in m.subject or "Granska" in m.body) == told.count()
        return len(queries)

    one = emailed(0)
    ten = emailed(9)
    assert ten <= one + 3, (one, ten)
