"""A worker is SIGKILLed in the middle of a task; after a restart the task runs again, each effect once.

The task is the outbox relay itself, with a backlog as after a long Redis outage: thousands of pending
reminder e-mails. The kill lands while the relay holds a batch of rows locked, some already published:
that batch's ``sent_at`` is never committed, so the batch is published again after the restart. The
relay message was acknowledged late, so Redis hands it to the restarted worker after the visibility
timeout. Duplicates reach the worker, and the e-mail task's claim makes each one a no-op: every
reminder is e-mailed exactly once.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict

import pytest

from cases.models import CaseStatus, Notification, NotificationKind
from hemsjukvard.models import OutboxMessage
from hemsjukvard.outbox import outbox_pending_count
from hemsjukvard.tasks import relay_outbox

from .conftest import Broker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

BACKLOG = 800
# Short limits so the test is quick; the relation is as in production: soft < hard < visibility.
LIMITS = {
    "CELERY_VISIBILITY_TIMEOUT": "12",
    "CELERY_TASK_TIME_LIMIT": "8",
    "CELERY_TASK_SOFT_TIME_LIMIT": "6",
    "WEBHOOK_RETRY_MAX_SECONDS": "10",
}
SUCCEEDED = re.compile(r"Task cases\.tasks\.notifications_email\[([0-9a-f-]+)\] succeeded in [\d.]+s: (\d+)")


def test_relay_killed_mid_batch_runs_again_and_each_reminder_is_emailed_once(
    broker: Broker, run_worker, world, halland, case_in
) -> None:
    case = case_in(CaseStatus.IN_REVIEW)
    user = world.users["gp_a"]
    notifications = Notification.objects.bulk_create(
        Notification(
            user=user,
            case=case,
            kind=NotificationKind.DEADLINE_PASSED,
            deadline_key=f"test-{n}",
            message=f"Påminnelse {n}",
        )
        for n in range(BACKLOG)
    )
    OutboxMessage.objects.bulk_create(
        OutboxMessage(task_name="cases.tasks.notifications_email", kwargs={"notification_ids": [n.pk]})
        for n in notifications
    )

    first = run_worker("first", **LIMITS)
    relay_outbox.apply_async()
    wait_until(lambda: outbox_pending_count() < BACKLOG - 150, timeout=60, what="the relay to be under way")
    first.kill()
    left = outbox_pending_count()
    assert 0 < left < BACKLOG, "the kill must land in the middle of the relay"
    assert broker.redis.client().llen(broker.queue) > 0

    # Redis hands the relay message out again once it is older than the visibility timeout. kombu
    # sweeps for such messages 10 s after a worker starts and then only about every 100 s
    # (unacked_restore_interval x unacked_restore_throttle), so restart once it is old enough.
    time.sleep(int(LIMITS["CELERY_VISIBILITY_TIMEOUT"]) + 1)
    restarted = run_worker("restarted", **LIMITS)
    wait_until(
        lambda: outbox_pending_count() == 0, timeout=90, what="the relay to run again and finish", step=0.5
    )
    wait_until(
        lambda: not Notification.objects.filter(emailed_at__isnull=True).exists(),
        timeout=120,
        what="every reminder e-mailed",
        step=0.5,
    )
    wait_until(lambda: broker.redis.client().llen(broker.queue) == 0, timeout=60, what="the queue to drain")
    time.sleep(1)  # the last "succeeded" lines
    restarted.stop()

    emailed_per_message: dict[str, int] = defaultdict(int)
    runs: dict[str, int] = defaultdict(int)
    for log in (first.log.read_text(errors="replace"), restarted.log.read_text(errors="replace")):
        for task_id, count in SUCCEEDED.findall(log):
            emailed_per_message[task_id] += int(count)
            runs[task_id] += 1
    message_ids = {str(m) for m in OutboxMessage.objects.values_list("public_id", flat=True)}
    assert set(emailed_per_message) <= message_ids
    # Every message ran, and e-mailed exactly once however often it ran (the batch cut short by the
    # kill is published twice; where the kill fell between two batches there is no duplicate at all).
    assert len(emailed_per_message) == BACKLOG
    assert all(count == 1 for count in emailed_per_message.values())
    print(f"pending at the kill: {left}; messages run more than once: {sum(n > 1 for n in runs.values())}")
    assert Notification.objects.filter(emailed_at__isnull=False).count() == BACKLOG
