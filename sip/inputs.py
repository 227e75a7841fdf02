"""The typed values callers hand to ``sip.services``: the draft's changes and its rows."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from agreements.models import CareTaskType
from directory.models import Organisation


@dataclass(frozen=True)
class InsatsInput:
    description: str
    responsible: Organisation | None = None
    orders: Organisation | None = None
    follows_up: Organisation | None = None
    task_type: CareTaskType | None = None
    notes: str = ""
    basis: str = "hsl"
    starts_on: datetime.date | None = None
    frequency: str = ""
    reported_by: str = ""
    reported_to: str = ""


@dataclass(frozen=True)
class OtherMeasureInput:
    description: str
    actor_kind: str
    actor_name: str


@dataclass(frozen=True)
class ParticipantInput:
    name: str
    kind: str
    organisation: Organisation | None = None
    role: str = ""
    attendance: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class ContactPathInput:
    period: str
    who: str
    phone: str
    organisation: Organisation | None = None
    notes: str = ""


class _Unchanged:
    """The value of a change that was not asked for."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


@dataclass(frozen=True)
class DraftChanges:
    """What to change in the draft: ``fields`` by name (see ``DRAFT_FIELDS``); a list that is given
    replaces the draft's rows of that kind, one that is ``None`` leaves them as they are."""

    fields: Mapping[str, Any]
    insatser: Sequence[InsatsInput] | None = None
    other_measures: Sequence[OtherMeasureInput] | None = None
    participants: Sequence[ParticipantInput] | None = None
    contact_paths: Sequence[ContactPathInput] | None = None
    # Socialtjänst's biståndshandläggare on the plan (a user), ``None`` to un-name her, or unchanged.
    bistandshandlaggare: Any = UNCHANGED


DRAFT_FIELDS = (
    "huvudansvar",
    "huvudansvar_contact",
    "huvudansvar_phone",
    "fast_vardkontakt_name",
    "fast_vardkontakt_unit",
    "fast_vardkontakt_phone",
    "fast_lakarkontakt_name",
    "fast_lakarkontakt_unit",
    "fast_lakarkontakt_phone",
    "no_other_measures",
    "what_matters",
    "own_goals",
    "interpreter_needed",
    "interpreter_language",
    "follow_up_on",
    "consent_given_by",
    "consent_given_by_name",
    "consent_representative_role",
    "consent_scope",
    "consent_given_on",
    "consent_valid_to",
)
CONSENT_FIELDS = (
    "consent_given_by",
    "consent_given_by_name",
    "consent_representative_role",
    "consent_scope",
    "consent_given_on",
    "consent_valid_to",
)
# What socialtjänst (a biståndshandläggare) changes in a draft: the kommun's SoL insatser and what others
# do. The health care (HSL) insatser and the plan's other fields are the care staff's.
SOL_ROW_KINDS = ("insatser", "other_measures")
PHONE_FIELDS = ("huvudansvar_phone", "fast_vardkontakt_phone", "fast_lakarkontakt_phone")
ROW_KINDS = ("insatser", "other_measures", "participants", "contact_paths")
