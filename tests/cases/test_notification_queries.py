"""One step tells many people in a constant number of queries: a case submitted to a vårdcentral with
ten GPs costs no more queries than one with a single GP, and e-mailing them costs no query per GP
beyond a constant either; the e-mails are Swedish whoever took the step."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

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
    # PD is the clinic's to review (it orders it), the wound care the vårdcentral's.
    baseline, case = _submit_queries(drive)
    assert Notification.objects.filter(case=case, kind=NotificationKind.REVIEW_REQUESTED).count() == 2

    _gps(world, 9)
    case = drive.open(tasks=(PD, WOUND))
    with django_assert_max_num_queries(baseline):
        case = drive.submit(case)
    assert Notification.objects.filter(case=case, kind=NotificationKind.REVIEW_REQUESTED).count() == 11


def test_e_mailing_ten_gps_costs_no_query_per_gp_beyond_a_constant(
    world, drive, eager_celery, django_capture_on_commit_callbacks
):
    def emailed(extra_gps: int) -> int:
        _gps(world, extra_gps)
        case = drive.open(tasks=(WOUND,))
        mail.outbox.clear()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            drive.submit(case)
        told = Notification.objects.filter(case=case, kind=NotificationKind.REVIEW_REQUESTED)
        assert sum(1 for m in mail.outbox if "Granskning" in m.subject or "Granska" in m.body) == told.count()
        return len(queries)

    one = emailed(0)
    ten = emailed(9)
    assert ten <= one + 3, (one, ten)


def test_the_e_mail_is_swedish_when_the_step_is_taken_in_english(
    world, drive, eager_celery, django_capture_on_commit_callbacks
):
    """In development the worker runs inside the request: the nurse reading in English must not send the
    GP an English e-mail."""
    world.users["gp_a"].email = "gp.a@example.org"
    world.users["gp_a"].save(update_fields=["email"])
    case = drive.open(tasks=(WOUND,))
    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        drive.submit(case)
    sent = [m for m in mail.outbox if m.to == ["gp.a@example.org"]]
    assert len(sent) == 1
    assert sent[0].subject == "Hemsjukvård: Granskning begärd"
    assert sent[0].body.startswith("Granska de insatser er organisation svarar för")
    assert "Öppna din inkorg" in sent[0].body
