"""Versions put in force ahead of their first day (status ``scheduled``) come into force on it.

``agreement_version_put_in_force`` schedules a version that starts later; the beat runs
``agreement_versions_start`` every hour, which puts each scheduled version whose day has come in force
and supersedes the versions before it, each an event in the agreement's history.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from . import services
from .choices import AgreementStatus
from .models import AgreementEventAction, AgreementVersion


@transaction.atomic
def agreement_versions_start(*, today: datetime.date | None = None) -> int:
    """Scheduled versions whose first day has come are in force, and the versions before them
    superseded (the beat runs this every hour); returns how many versions started."""
    today = today or timezone.localdate()
    started = 0
    due = (
        AgreementVersion.objects.select_for_update(of=("self",))
        .filter(status=AgreementStatus.SCHEDULED, valid_from__lte=today)
        .select_related("agreement")
        .order_by("agreement_id", "valid_from")
    )
    for version in due:
        later_due = AgreementVersion.objects.filter(
            agreement_id=version.agreement_id,
            status=AgreementStatus.SCHEDULED,
            valid_from__gt=version.valid_from,
            valid_from__lte=today,
        ).exists()
        version.status = AgreementStatus.SUPERSEDED if later_due else AgreementStatus.IN_FORCE
        version.revision += 1
        version.save(update_fields=["status", "revision", "updated_at"])
        services.agreement_event_record(
            actor=None,
            agreement=version.agreement,
            version=version,
            action=AgreementEventAction.STARTED,
            detail={"status": version.status},
        )
        services.supersede_earlier(actor=None, version=version)
        services.touch(version.agreement)
        started += 1
    return started
