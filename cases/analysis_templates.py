"""Risk-analysis templates for a case: what "Utgå från mall" fills into the risk-analysis form.

The templates are the agreement's (``agreements.risk_templates``): for each task of the case, the
template of its task type in the agreement version in force for that task (the version whose rule
proposed it; the case's version when the task has none of its own, or when that version has no template
for the task type). They only fill the form in: the nurse changes, empties (removes) or adds hazards,
and nothing is stored until she saves the analysis through ``risk_analysis_create`` like any other.

The form holds one measure per hazard, so a hazard's measures are put together in its measure text, one
a line; the owner is the principal of the first measure (the kommun of the case, or the region's party
that orders the task, where that organisation may own a measure on the case) and the due date the
earliest of them, counted from the day the form is filled in (``agreements.risk_templates.measure_days``:
the template's days, 14 when it gives none, never the same day). The nurse changes the date before she
saves.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from agreements.choices import CareLevel
from agreements.risk_templates import RiskTemplate, measures_due_on
from directory.models import Organisation, OrganisationKind

from .models import CaseTask, ResponsibilityCase

# The risk-analysis form takes at most this many hazards (``forms.HazardFormSet``).
HAZARDS_MAX = 20


@dataclass(frozen=True)
class CaseTemplate:
    """The template that applies to one task type of the case."""

    task_type_name: str
    version_label: str
    template: RiskTemplate


def case_templates(case: ResponsibilityCase) -> list[CaseTemplate]:
    """The templates for the case's tasks, one per task type, in the order of the tasks; one query for
    the tasks (none when they were prefetched) and one for the templates."""
    tasks: Sequence[CaseTask] = list(case.tasks.all())
    if not tasks:
        return []
    version_ids = {t.agreement_version_id for t in tasks} | {case.agreement_version_id}
    version_ids.discard(None)
    found: dict[tuple[int | None, int], RiskTemplate] = {
        (t.version_id, t.task_type_id): t
        for t in RiskTemplate.objects.filter(
            version_id__in=version_ids, task_type_id__in={t.task_type_id for t in tasks}
        ).select_related("version")
    }
    chosen: list[CaseTemplate] = []
    seen: set[int] = set()
    for task in tasks:
        if task.task_type_id in seen:
            continue
        template = found.get((task.agreement_version_id, task.task_type_id)) or found.get(
            (case.agreement_version_id, task.task_type_id)
        )
        if template is None:
            continue
        seen.add(task.task_type_id)
        chosen.append(
            CaseTemplate(
                task_type_name=task.task_type.name_sv,
                version_label=template.version.version,
                template=template,
            )
        )
    return chosen


def _region_party(case: ResponsibilityCase, task: CaseTask | None) -> Organisation | None:
    """The region's organisation that orders the task: the agreed orderer when it is the region's, else
    the specialist clinic for a specialised task and the vårdcentral for the rest."""
    if (
        task is not None
        and task.agreed_orders is not None
        and task.agreed_orders.kind != OrganisationKind.KOMMUN
    ):
        return task.agreed_orders
    specialised = task is not None and task.task_type.care_level == CareLevel.SPECIALISED
    if specialised and case.specialist_clinic is not None:
        return case.specialist_clinic
    return case.vardcentral or case.specialist_clinic


def prefill_rows(
    case: ResponsibilityCase,
    templates: Sequence[CaseTemplate],
    *,
    organisations: Sequence[Organisation],
    today: datetime.date,
) -> list[dict[str, Any]]:
    """The hazard rows of the risk-analysis form, as ``initial`` data, from ``templates``."""
    allowed = {o.pk: o for o in organisations}
    task_of = {t.task_type_id: t for t in case.tasks.all()}
    rows: list[dict[str, Any]] = []
    for chosen in templates:
        task = task_of.get(chosen.template.task_type_id)
        owners = {"kommun": case.kommun, "region": _region_party(case, task)}
        for hazard in chosen.template.hazards:
            row: dict[str, Any] = {
                "description": _("%(hazard)s (%(task)s). Cause: %(cause)s Consequence: %(consequence)s")
                % {
                    "hazard": hazard["description"],
                    "task": chosen.task_type_name,
                    "cause": hazard["cause"],
                    "consequence": hazard["consequence"],
                },
                "likelihood": hazard["likelihood"],
                "consequence": hazard["severity"],
            }
            measures = hazard.get("measures") or []
            if measures:
                row["measure"] = "\n".join(str(m["what"]) for m in measures)
                owner = owners.get(measures[0]["who"])
                if owner is not None and owner.pk in allowed:
                    row["measure_owner"] = allowed[owner.pk]
                row["measure_due"] = measures_due_on(measures, written_on=today)
            rows.append(row)
    return rows[:HAZARDS_MAX]
