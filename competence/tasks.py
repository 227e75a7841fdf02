"""Background work on the registers: the daily sweep of reminders and re-reviews (beat)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone, translation

from . import reminders


@shared_task(name="competence.tasks.safety_reminders")
def safety_reminders() -> int:
    """Make the re-reviews due, and remind about them and about trainings and delegations about to end."""
    today = timezone.localdate()
    # Notices are read by others, in lists, e-mails and integrations: in the site's language.
    with translation.override(settings.LANGUAGE_CODE):
        reminders.rereviews_sync(today=today)
        written = len(reminders.rereviews_remind(today=today))
        written += len(reminders.trainings_remind_expiring(today=today))
        written += len(reminders.delegations_remind_expiring(today=today))
    return written


@shared_task(name="competence.tasks.delegation_expiry_email")
def delegation_expiry_email(delegation_id: int) -> bool:
    """E-mail who must decide that a delegation no case relies on ends soon (``reminders``)."""
    with translation.override(settings.LANGUAGE_CODE):
        return reminders.delegation_expiry_email(delegation_id=delegation_id)


@shared_task(name="competence.tasks.training_expiry_email")
def training_expiry_email(transfer_id: int) -> bool:
    """E-mail the receiving unit's MAS that a competence transfer no case relies on ends soon."""
    with translation.override(settings.LANGUAGE_CODE):
        return reminders.training_expiry_email(transfer_id=transfer_id)
