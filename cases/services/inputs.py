"""What callers hand the case services: plain typed values, no forms, no serializers."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from directory.models import Organisation

from ..models import (
    ShiftPlanning,
    Trigger,
    Urgency,
)

# --- Inputs ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseInput:
    trigger: str = Trigger.CHANGED_NEEDS
    urgency: str = Urgency.ROUTINE
    background: str = ""
    specialist_clinic: Organisation | None = None
    increased_staff_time: bool = False
    increased_other_costs: bool = False
    competence_needed: bool = False
    patient_safety_risk: bool = False
    shift_planning: str = ShiftPlanning.UNKNOWN
    task_codes: Sequence[str] = ()
    # Where the person stays, if not at home (HSL 12 kap. 2 §; ``cases.whereabouts``).
    stay_kommun: Organisation | None = None
    stay_from: datetime.date | None = None
    stay_to: datetime.date | None = None
    stay_note: str = ""
    # Per task code, the time bands its visits are planned in (``agreements.choices.TimeBand``).
    visit_bands: Mapping[str, Sequence[str]] = field(default_factory=dict)


CASE_FIELDS = (
    "trigger",
    "urgency",
    "background",
    "specialist_clinic",
    "increased_staff_time",
    "increased_other_costs",
    "competence_needed",
    "patient_safety_risk",
    "shift_planning",
    "stay_kommun",
    "stay_from",
    "stay_to",
    "stay_note",
)


@dataclass(frozen=True)
class Split:
    """Who orders, performs and follows up one task."""

    task: uuid.UUID
    orders: Organisation | None = None
    performs: Organisation | None = None
    follows_up: Organisation | None = None
    # The law's exception to a hard rule, recorded with the split (``agreements.hard_rules``).
    arrangement: str = ""
    arrangement_note: str = ""

    @property
    def complete(self) -> bool:
        return None not in (self.orders, self.performs, self.follows_up)


@dataclass(frozen=True)
class PositionInput:
    task: uuid.UUID
    text: str
    orders: Organisation | None = None
    performs: Organisation | None = None
    follows_up: Organisation | None = None
    arrangement: str = ""
    arrangement_note: str = ""


@dataclass(frozen=True)
class MeasureInput:
    description: str
    owner_organisation: Organisation
    due_on: datetime.date
    owner_name: str = ""


@dataclass(frozen=True)
class HazardInput:
    description: str
    likelihood: int
    consequence: int
    measures: Sequence[MeasureInput] = field(default_factory=tuple)


@dataclass(frozen=True)
class AnalysisInput:
    hazards: Sequence[HazardInput]
    summary: str = ""
    review_on: datetime.date | None = None
    measures: Sequence[MeasureInput] = field(default_factory=tuple)
