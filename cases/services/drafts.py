"""Opening and changing a draft case."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.patients import patient_facts
from access.seen import Seen
from agreements import selectors as agreement_selectors
from agreements.choices import TimeBand, time_bands_canonical
from agreements.models import CareTaskType
from audit.models import Action
from audit.records import RECORD_CASE
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind, Role, User
from hemsjukvard.errors import NotPermitted
from hemsjukvard.outbox import outbox_enqueue
from patients.models import Patient

from ..models import (
    CaseTask,
    EventKind,
    Notification,
    NotificationKind,
    ResponsibilityCase,
)
from ..transitions import A, transition_for
from .core import S, _authorise, _lock, _record, _save
from .inputs import CASE_FIELDS, CaseInput

# --- Opening and changing a draft ------------------------------------------------------------------


def _case_kommun(patient: Patient) -> int:
    open_kommun = patient_facts(patient, with_cases=False).open_enrolment_kommun_id
    return open_kommun if open_kommun is not None else patient.folkbokforing_kommun_id


def _validate_input(
    fields: dict[str, Any],
    task_codes: Sequence[str] | None,
    visit_bands: Mapping[str, Sequence[str]] | None = None,
    *,
    current: ResponsibilityCase | None = None,
) -> list[CareTaskType]:
    errors: dict[str, str] = {}
    clinic = fields.get("specialist_clinic")
    if clinic is not None and clinic.kind != OrganisationKind.SPECIALIST_CLINIC:
        errors["specialist_clinic"] = _("Choose a specialist clinic.")
    errors.update(_stay_problems(fields, current))
    if visit_bands:
        unknown_bands = sorted({b for bands in visit_bands.values() for b in bands} - set(TimeBand.values))
        if unknown_bands:
            errors["visit_bands"] = _("Choose times of day from the list: day, evening, night.")
        elif task_codes is not None and set(visit_bands) - set(task_codes):
            errors["visit_bands"] = _("Give times of day only for the tasks asked for.")
    task_types: list[CareTaskType] = []
    if task_codes is not None:
        # A draft may be saved without tasks; submitting asks for them (``draft_missing``).
        codes = list(dict.fromkeys(task_codes))
        found = {t.code: t for t in CareTaskType.objects.filter(code__in=codes, is_active=True)}
        missing = [code for code in codes if code not in found]
        if missing:
            errors["tasks"] = _("Unknown task types: %(codes)s.") % {"codes": ", ".join(missing)}
        task_types = [found[code] for code in codes if code in found]
    if errors:
        raise ValidationError(errors)
    return task_types


def _stay_problems(fields: dict[str, Any], current: ResponsibilityCase | None) -> dict[str, str]:
    """A stay names a kommun, and ends after it starts."""

    def value(name: str) -> Any:
        return fields[name] if name in fields else getattr(current, name, None)

    kommun, starts, ends = value("stay_kommun"), value("stay_from"), value("stay_to")
    errors: dict[str, str] = {}
    if kommun is not None and kommun.kind != OrganisationKind.KOMMUN:
        errors["stay_kommun"] = _("Choose the kommun where the person stays.")
    if kommun is None and (starts or ends):
        errors["stay_kommun"] = _("Choose the kommun where the person stays, or leave the dates empty.")
    if starts and ends and ends < starts:
        errors["stay_to"] = _("The stay cannot end before it starts.")
    return errors


def _tasks_for(
    case: ResponsibilityCase, task_types: list[CareTaskType], bands: Mapping[str, Sequence[str]]
) -> list[CaseTask]:
    return [
        CaseTask(case=case, task_type=t, visit_bands=time_bands_canonical(list(bands.get(t.code, ()))))
        for t in task_types
    ]


def draft_missing(case: ResponsibilityCase) -> dict[str, str]:
    """What a draft still lacks before it can be submitted: one message per missing piece, by field.

    A draft is saved as it is (the nurse may stop half-way); submitting hands it to the other parties,
    who need the tasks asked for and the reason for asking (the background) to review it.
    """
    missing: dict[str, str] = {}
    task_types = [t.task_type for t in CaseTask.objects.filter(case=case).select_related("task_type")]
    if not task_types:
        missing["tasks"] = _("No task is chosen: choose at least one task.")
    else:
        retired = sorted(str(t.name_sv) for t in task_types if not t.is_active)
        if retired:
            missing["tasks"] = _(
                "These tasks are no longer in the catalogue; remove them or choose others: %(names)s."
            ) % {"names": ", ".join(retired)}
    if not case.background.strip():
        missing["background"] = _("The background is missing: say why the tasks are asked for.")
    if not case.trigger:
        missing["trigger"] = _("The trigger is missing: choose what led to the case.")
    return missing


def draft_require_complete(case: ResponsibilityCase) -> None:
    """Refuse to submit an incomplete draft, naming every missing piece at once; nothing is written."""
    missing = draft_missing(case)
    if missing:
        raise ValidationError(missing)


# Who at the listed vårdcentral may open a case before enrolment for the kommun to complete.
REFERRING_ROLES = frozenset({Role.GP, Role.COORDINATOR})


def referring_membership(actor: Actor, patient: Patient) -> Membership | None:
    """The membership with which ``actor`` may open a case for a patient not (yet) enrolled, if any.

    Enrolment can be the outcome of a case: the planning comes before the decision ("en vård- och
    omsorgsplanering ska alltid genomföras inför beslut om inskrivning"). Where the agreement governing
    the patient allows it (``cases_before_enrolment``), the physician or coordinator of the patient's
    listed vårdcentral opens the draft; the kommun's nurses, who see the patient through the case, then
    complete and submit it. The kommun's own staff open cases as always.
    """
    if patient.listed_vardcentral_id is None:
        return None
    if patient_facts(patient, with_cases=False).open_enrolment_kommun_id is not None:
        return None
    membership = actor.membership_for(patient.listed_vardcentral_id, roles=REFERRING_ROLES)
    if membership is None:
        return None
    situation = agreement_selectors.patient_situation(patient=patient)
    if not agreement_selectors.cases_before_enrolment_allowed(situation=situation, on=timezone.localdate()):
        return None
    return membership


def _kommun_nurses(kommun_id: int) -> list[User]:
    user_ids = (
        Membership.objects.active(timezone.localdate())
        .filter(organisation_id=kommun_id, role__in=transition_for(A.UPDATE).roles)
        .values("user_id")
    )
    return list(User.objects.filter(pk__in=user_ids, is_active=True).order_by("pk"))


def _tell_the_kommun(case: ResponsibilityCase, membership: Membership) -> None:
    """A case opened by the vårdcentral waits for the kommun's nurses: tell them (also by e-mail)."""
    message = _(
        "%(organisation)s has opened case %(case)s for a patient who is not enrolled: the planning before "
        "a decision on enrolment. Complete the case and submit it."
    ) % {"organisation": membership.organisation.name, "case": case.number}
    Notification.objects.bulk_create(
        [
            Notification(
                user=user,
                case=case,
                kind=NotificationKind.CASE_REFERRED,
                deadline_key="referred",
                message=message,
            )
            for user in _kommun_nurses(case.kommun_id)
        ],
        ignore_conflicts=True,
    )
    notification_ids = list(
        Notification.objects.filter(
            case=case, kind=NotificationKind.CASE_REFERRED, emailed_at__isnull=True
        ).values_list("pk", flat=True)
    )
    if notification_ids:
        outbox_enqueue(
            "cases.tasks.notifications_email",
            kwargs={"notification_ids": notification_ids},
            dedup_key=f"cases.referred:{case.pk}",
        )


@transaction.atomic
def case_open(*, actor: Actor, patient: Seen[Patient], data: CaseInput) -> ResponsibilityCase:
    """A kommun nurse (or rehab) opens a draft case; ``patient`` is what ``patient_get`` returned.

    For a patient who is not (yet) enrolled, the listed vårdcentral may open it where the agreement
    allows (``referring_membership``); the draft then waits for the kommun's nurses.
    """
    record = patient.obj
    kommun_id = _case_kommun(record)
    membership = actor.membership_for(kommun_id, roles=transition_for(A.UPDATE).roles)
    referred = False
    if membership is None:
        membership = referring_membership(actor, record)
        referred = membership is not None
    if membership is None:
        raise NotPermitted(
            _(
                "Only the kommun's nurses and therapists open cases for its patients; for a patient who is "
                "not enrolled, also the listed vårdcentral where the agreement allows it."
            )
        )
    fields = {name: getattr(data, name) for name in CASE_FIELDS}
    task_types = _validate_input(fields, data.task_codes, data.visit_bands)
    case = ResponsibilityCase.objects.create(
        patient=record,
        opened_by=actor.user,
        opened_by_organisation=membership.organisation,
        kommun_id=kommun_id,
        vardcentral_id=record.listed_vardcentral_id,
        owner_organisation_id=kommun_id,
        owner_role=Role.NURSE if referred else membership.role,
        **fields,
    )
    CaseTask.objects.bulk_create(_tasks_for(case, task_types, data.visit_bands))
    _record(
        actor,
        case,
        kind=EventKind.CREATED,
        action="open",
        membership=membership,
        to_status=S.DRAFT,
        payload={
            "tasks": [t.code for t in task_types],
            **(
                {"visit_bands": {k: list(v) for k, v in data.visit_bands.items()}} if data.visit_bands else {}
            ),
        },
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
    if referred:
        _tell_the_kommun(case, membership)
    return case


@transaction.atomic
def case_update(
    *,
    actor: Actor,
    case: ResponsibilityCase,
    expected_version: int | None,
    fields: dict[str, Any],
    task_codes: Sequence[str] | None = None,
    visit_bands: Mapping[str, Sequence[str]] | None = None,
) -> ResponsibilityCase:
    """Change a draft: its fields and, if given, the set of tasks asked for (with their visit times)."""
    case = _lock(case, expected_version)
    membership, _facts = _authorise(actor, case, A.UPDATE)
    unknown = set(fields) - set(CASE_FIELDS)
    if unknown:
        raise ValidationError({name: _("This field cannot be changed.") for name in unknown})
    if visit_bands is not None and task_codes is None:
        task_codes = [
            t.task_type.code for t in CaseTask.objects.filter(case=case).select_related("task_type")
        ]
    task_types = _validate_input(fields, task_codes, visit_bands, current=case)
    changed: dict[str, Any] = {}
    for name, value in fields.items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            if isinstance(value, Organisation):
                changed[name] = str(value.public_id)
            elif isinstance(value, datetime.date):
                changed[name] = value.isoformat()
            else:
                changed[name] = value
    if task_codes is not None:
        kept = {
            t.task_type.code: t.visit_bands
            for t in CaseTask.objects.filter(case=case).select_related("task_type")
        }
        bands = visit_bands if visit_bands is not None else {k: v.split(",") for k, v in kept.items() if v}
        CaseTask.objects.filter(case=case).delete()
        CaseTask.objects.bulk_create(_tasks_for(case, task_types, bands))
        changed["tasks"] = [t.code for t in task_types]
        if visit_bands is not None:
            changed["visit_bands"] = {k: list(v) for k, v in visit_bands.items()}
    _record(actor, case, kind=EventKind.UPDATED, action=A.UPDATE, membership=membership, payload=changed)
    _save(actor, case, membership=membership)
    return case
