"""Two beat runs at once (two threads, two database connections) remind once per deadline."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from cases import tasks as case_tasks
from cases.models import CaseEvent, Notification, ResponsibilityCase

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_runs_remind_once(world, halland, case_in):
    halland.version.auto_escalate_unanswered_review = False
    halland.version.save(update_fields=["auto_escalate_unanswered_review"])
    cases = [case_in("in_review") for _ in range(5)]
    ResponsibilityCase.objects.filter(pk__in=[c.pk for c in cases]).update(
        due_at=timezone.now() - datetime.timedelta(hours=2)
    )
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(case_tasks.remind_overdue())
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors, errors
    # Per case, once: gp_a and the vårdcentral's coordinator (who hold the review), and the clinic's
    # specialist, whose answer on the PD it orders the review still awaits.
    assert sum(results) == 15
    assert Notification.objects.filter(kind="deadline_passed").count() == 15
    assert CaseEvent.objects.filter(kind="reminder").count() == 5
    assert len([m for m in mail.outbox if m.subject == gettext("Hemsjukvård: a deadline has passed")]) == 15
    # A third run later finds nothing new for the same deadlines.
    assert case_tasks.remind_overdue() == 0
    assert Notification.objects.filter(kind="deadline_passed").count() == 15


def test_notifications_api_lists_unread_and_marks_read(world, halland, case_in, api):
    case = case_in("in_review")
    ResponsibilityCase.objects.filter(pk=case.pk).update(due_at=timezone.now() - datetime.timedelta(hours=2))
    case_tasks.remind_overdue()
    client = api(world.users["specialist"])
    unread = client.get("/api/v1/notifications").json()
    # The review asked of the clinic (it orders the PD) at submission, the reminder that its deadline
    # passed, and the escalation that followed.
    assert {n["kind"] for n in unread["results"]} == {"review_requested", "deadline_passed", "case_escalated"}
    note = next(n for n in unread["results"] if n["kind"] == "deadline_passed")
    assert note["case"] == str(case.public_id)
    assert api(world.users["gp_b"]).post(f"/api/v1/notifications/{note['id']}/read").status_code == 404
    assert client.post(f"/api/v1/notifications/{note['id']}/read").status_code == 200
    assert client.get("/api/v1/notifications").json()["count"] == 2
