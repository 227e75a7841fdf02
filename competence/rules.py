"""The agreement's training condition, checked (reads only).

A task whose rule asks for competence transfer (the proposal's ``training_required``, as agreed on the
case) is not performed by a kommun until a transfer to that kommun for the task is recorded and in force
on the day. The case's ``activate`` (the agreed care starts) is refused until then, naming each task and
unit (``cases.services.follow_up``); a finalised SIP leaves the case agreed.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from cases.models import CaseTask, ResponsibilityCase
from directory.models import OrganisationKind

from .models import CompetenceTransfer


def needs_training(task: CaseTask) -> bool:
    conditions = (task.proposal or {}).get("conditions") or {}
    return bool(conditions.get("training_required"))


def task_name(task_type_name: str) -> str:
    """A task type's name as it reads inside a sentence: "Peritonealdialys (PD)" becomes
    "peritonealdialys (PD)"."""
    return task_type_name[:1].lower() + task_type_name[1:]


def in_force_q(day: datetime.date) -> dict[str, object]:
    return {"revoked_at__isnull": True, "trained_on__lte": day, "valid_until__gte": day}


def missing_training(case: ResponsibilityCase, *, on: datetime.date) -> list[str]:
    """One sentence per task the kommun is to perform without a competence transfer in force on ``on``."""
    tasks = [
        task
        for task in CaseTask.objects.filter(case=case, agreed_performs__kind=OrganisationKind.KOMMUN)
        .select_related("task_type", "agreed_performs")
        .order_by("pk")
        if needs_training(task)
    ]
    if not tasks:
        return []
    trained = set(
        CompetenceTransfer.objects.filter(
            receiving_unit_id__in={t.agreed_performs_id for t in tasks},
            task_type_id__in={t.task_type_id for t in tasks},
            **in_force_q(on),
        ).values_list("receiving_unit_id", "task_type_id")
    )
    missing = []
    for task in tasks:
        assert task.agreed_performs is not None
        if (task.agreed_performs_id, task.task_type_id) not in trained:
            missing.append(
                _("Competence transfer for %(task)s to %(unit)s is missing")
                % {"task": task_name(task.task_type.name_sv), "unit": task.agreed_performs.name}
            )
    return missing
