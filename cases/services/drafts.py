"""Opening and changing a draft case."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from access.patients import patient_facts
from access.seen import Seen
from agreements.models import CareTaskType
from audit.models import Action
from audit.records import RECORD_CASE
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from hemsjukvard.errors import NotPermitted
from patients.models import Patient

from ..models import (
    CaseTask,
    EventKind,
    ResponsibilityCase,
)
from ..transitions import A, transition_for
from .core import S, _authorise, _lock, _record, _save
from .inputs import CASE_FIELDS, CaseInput

# --- Opening and changing a draft ------------------------------------------------------------------


def _case_kommun(patient: Patient) -> int:
    open_kommun = patient_facts(patient, with_cases=False).open_enrolment_kommun_id
    return open_kommun if open_kommun is not None else patient.folkbokforing_kommun_id


def _validate_input(fields: dict[str, Any], task_codes: Sequence[str] | None) -> list[CareTaskType]:
    errors: dict[str, str] = {}
    clinic = fields.get("specialist_clinic")
    if clinic is not None and clinic.kind != OrganisationKind.SPECIALIST_CLINIC:
        errors["specialist_clinic"] = _("Choose a specialist clinic.")
    task_types: list[CareTaskType] = []
    if task_codes is not None:
        codes = list(dict.fromkeys(task_codes))
        if not codes:
            errors["tasks"] = _("Name at least one task.")
        found = {t.code: t for t in CareTaskType.objects.filter(code__in=codes, is_active=True)}
        missing = [code for code in codes if code not in found]
        if missing:
            errors["tasks"] = _("Unknown task types: %(codes)s.") % {"codes": ", ".join(missing)}
        task_types = [found[code] for code in codes if code in found]
    if errors:
        raise ValidationError(errors)
    return task_types


@transaction.atomic
def case_open(*, actor: Actor, patient: Seen[Patient], data: CaseInput) -> ResponsibilityCase:
    """A kommun nurse (or rehab) opens a draft case; ``patient`` is what ``patient_get`` returned."""
    record = patient.obj
    kommun_id = _case_kommun(record)
    membership = actor.membership_for(kommun_id, roles=transition_for(A.UPDATE).roles)
    if membership is None:
        raise NotPermitted(_("Only the kommun's nurses and therapists open cases for its patients."))
    fields = {name: getattr(data, name) for name in CASE_FIELDS}
    task_types = _validate_input(fields, data.task_codes)
    case = ResponsibilityCase.objects.create(
        patient=record,
        opened_by=actor.user,
        opened_by_organisation=membership.organisation,
        kommun_id=kommun_id,
        vardcentral_id=record.listed_vardcentral_id,
        owner_organisation_id=kommun_id,
        owner_role=membership.role,
        **fields,
    )
    CaseTask.objects.bulk_create([CaseTask(case=case, task_type=t) for t in task_types])
    _record(
        actor,
        case,
        kind=EventKind.CREATED,
        action="open",
        membership=membership,
        to_status=S.DRAFT,
        payload={"tasks": [t.code for t in task_types]},
    )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=record.pk,
                record_type=RECORD_CASE,
                record_id=str(case.public_id),
                membership=membership,
            )
        ],
        action=Action.CREATE,
    )
    return case


@transaction.atomic
def case_update(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    fields: dict[str, Any],
    task_codes: Sequence[str] | None = None,
) -> ResponsibilityCase:
    """Change a draft: its fields and, if given, the set of tasks asked for."""
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.UPDATE)
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    task_types = _validate_input(fields, task_codes)
    changed = {}
    for name, value in fields.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed[name] = str(value.public_id) if isinstance(value, Organisation) else value
    if task_codes is not None:
        CaseTask.objects.filter(case=case).delete()
        CaseTask.objects.bulk_create([CaseTask(case=case, task_type=t) for t in task_types])
        changed["tasks"] = [t.code for t in task_types]
    _record(actor, case, kind=EventKind.UPDATED, action=A.UPDATE, membership=membership, payload=changed)
    _save(actor, case, membership=membership)
    return case
