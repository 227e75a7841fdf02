"""Systematic sampling of the access log (PDL 4 kap. 3 §, HSLF-FS 2016:40 4 kap. 9 a §).

Every week each care provider — each kommun, and each region with its units — gets a random sample of
the previous week's reads by its own staff (Monday 00:00 to Monday 00:00, Europe/Stockholm;
``audit.providers``), and those who review its log (a kommun's MAS and MAR, the region's log
reviewers) are told in the app and by e-mail. Idempotent: the unique constraint (provider, week) means a
sample is drawn once, however often the periodic task runs (hourly, so a missed run is made up within
the hour). The draw uses the operating system's random source, so nobody can predict which reads will be
checked.
"""

from __future__ import annotations

import datetime
import logging
import random
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.models import Organisation, OrganisationKind
from hemsjukvard.outbox import outbox_enqueue

from .models import AccessLogEntry, AccessLogSample, AccessLogSampleItem, Action, ReviewNotification
from .providers import provider_entries_q, provider_reviewer_ids, provider_scope
from .review import review_queries

logger = logging.getLogger(__name__)
SAMPLE_SIZE = 25
_random = random.SystemRandom()


def previous_week_start(today: datetime.date) -> datetime.date:
    return today - datetime.timedelta(days=today.weekday() + 7)


def sample_draw(*, kommun: Organisation, week_start: datetime.date) -> AccessLogSample | None:
    """Draw the week's sample for one care provider (``kommun``: a kommun or a region); None if it was
    drawn before."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    start = datetime.datetime.combine(week_start, datetime.time(), tzinfo=tz)
    end = start + datetime.timedelta(days=7)
    try:
        with review_queries():  # one transaction, without JIT compilation (audit/README.md)
            sample = AccessLogSample.objects.create(kommun=kommun, week_start=week_start)
            scope = provider_scope(kommun)
            ids = list(
                AccessLogEntry.objects.filter(
                    provider_entries_q(scope), action=Action.READ, at__gte=start, at__lt=end
                ).values_list("pk", flat=True)
            )
            chosen = _random.sample(ids, min(SAMPLE_SIZE, len(ids)))
            AccessLogSampleItem.objects.bulk_create(
                [AccessLogSampleItem(sample=sample, entry_id=pk) for pk in sorted(chosen)]
            )
            AccessLogSample.objects.filter(pk=sample.pk).update(population=len(ids))
            _notify(sample, drawn=len(chosen), population=len(ids))
    except IntegrityError:
        return None  # another run drew this week's sample first
    return sample


def _notify(sample: AccessLogSample, *, drawn: int, population: int) -> None:
    reviewers = provider_reviewer_ids(sample.kommun, on=timezone.localdate())
    message = _(
        "%(drawn)d of %(population)d reads in the week of %(week)s have been sampled for review in "
        "%(kommun)s."
    ) % {"drawn": drawn, "population": population, "week": sample.week_start, "kommun": sample.kommun.name}
    ReviewNotification.objects.bulk_create(
        [ReviewNotification(user_id=uid, sample=sample, message=message) for uid in set(reviewers)],
        ignore_conflicts=True,
    )
    outbox_enqueue("audit.tasks.sample_notifications_email", kwargs={"sample_id": sample.pk})


def notifications_email(*, sample_id: int) -> int:
    """E-mail each notification of the sample once (claimed with a conditional UPDATE)."""
    sent = 0
    for notification in ReviewNotification.objects.filter(
        sample_id=sample_id, emailed_at__isnull=True
    ).select_related("user"):
        if not notification.user.email:
            continue
        claimed = ReviewNotification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if not claimed:
            continue
        try:
            send_mail(
                subject=_("Access log sample to review"),
                message=notification.message,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[notification.user.email],
            )
        except Exception:
            # Give the claim back so the task's retry sends it; then let the error surface.
            ReviewNotification.objects.filter(pk=notification.pk).update(emailed_at=None)
            raise
        sent += 1
    return sent


def sample_previous_week(*, today: datetime.date | None = None) -> int:
    """Draw last week's sample for every active care provider (kommun or region) that has none yet;
    returns how many were drawn."""
    week_start = previous_week_start(today or timezone.localdate())
    drawn = 0
    providers = Organisation.objects.filter(
        kind__in=(OrganisationKind.KOMMUN, OrganisationKind.REGION), is_active=True
    ).order_by("pk")
    for kommun in providers:
        if AccessLogSample.objects.filter(kommun=kommun, week_start=week_start).exists():
            continue
        if sample_draw(kommun=kommun, week_start=week_start) is not None:
            drawn += 1
    return drawn


@dataclass(frozen=True)
class SampleStatus:
    """What the review page says about the provider's weekly samples: the last one drawn (if any), how
    many reads it holds of how many, and which week's sample comes next and when."""

    last: AccessLogSample | None
    drawn: int
    next_week_start: datetime.date
    # The Monday from which the periodic task (beat entry ``audit-sample-access-log``, hourly) draws the
    # next sample; ``None`` when it is due now, at the task's next run.
    next_drawn_on: datetime.date | None

    @property
    def last_week_end(self) -> datetime.date | None:
        return self.last.week_start + datetime.timedelta(days=6) if self.last else None

    @property
    def next_week_end(self) -> datetime.date:
        return self.next_week_start + datetime.timedelta(days=6)


def sample_status(*, kommun: Organisation, today: datetime.date | None = None) -> SampleStatus:
    """The provider's last weekly sample and the next (provider data, no patient's)."""
    today = today or timezone.localdate()
    last = AccessLogSample.objects.filter(kommun=kommun).order_by("-week_start").first()
    due = previous_week_start(today)
    if last is not None and last.week_start >= due:
        # This week's reads, drawn on the coming Monday within the hour.
        next_week, drawn_on = due + datetime.timedelta(days=7), due + datetime.timedelta(days=14)
        return SampleStatus(
            last=last, drawn=last.items.count(), next_week_start=next_week, next_drawn_on=drawn_on
        )
    return SampleStatus(
        last=last, drawn=last.items.count() if last else 0, next_week_start=due, next_drawn_on=None
    )
