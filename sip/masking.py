"""Skyddad identitet in a SIP: the fields that name the person (or a närstående), masked with the identity.

A plan holds the person's identity outside the patient record too: the participant who is the person
themself, the närstående who took part (name and phone), a private person who took part (a god man,
a friend), who gave or withdrew consent (the person or a representative such as a guardian) and
närstående or other private persons who do something in the plan. Each of these names the
person as surely as the patient's own name does, so whoever sees the patient's identity masked
(``access.patients.identity_visible``) sees these masked too, on every path that shows a plan: the API,
the pages, the PDF and the FHIR export all call ``shown``.

The rule cannot reach free text (what matters, goals, notes, reasons) or contact paths, which have no
kind saying whether they name a närstående; the editor page asks to keep names out of them.

Writing back: someone who sees the masked plan sends the mask back for what they did not change.
``keep_masked_values`` puts the stored values back in its place, so a save never overwrites a name with
the mask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import (
    ConsentWithdrawal,
    OtherActorKind,
    ParticipantKind,
    SipDistribution,
    SipOtherMeasure,
    SipParticipant,
    SipVersion,
)

if TYPE_CHECKING:
    from .inputs import DraftChanges, OtherMeasureInput, ParticipantInput

# The same mask as the patient's name on the API and in the PDF header.
MASK = "*****"

# Participants and other actors of these kinds are the person or a närstående: their name and contact
# details identify the person. "Other" is masked too when it is a private person, not an organisation
# (a god man or a friend names the person as surely as a närstående does); for measures by others there
# is no organisation to tell, so "other" is always masked.
IDENTIFYING_PARTICIPANT_KINDS = frozenset({ParticipantKind.PERSON, ParticipantKind.NEXT_OF_KIN})
IDENTIFYING_ACTOR_KINDS = frozenset({OtherActorKind.PERSON, OtherActorKind.NEXT_OF_KIN, OtherActorKind.OTHER})


def participant_identifies(kind: str, organisation_id: int | None) -> bool:
    """Whether a participant of ``kind`` (for ``organisation_id``, if any) names the person."""
    return kind in IDENTIFYING_PARTICIPANT_KINDS or (
        kind == ParticipantKind.OTHER and organisation_id is None
    )


def participant_represents_the_person(participant: SipParticipant) -> bool:
    """Whether ``participant`` is the person or a private person who may speak for them (a närstående,
    a god man): a plan is made with the person, so one of these takes part."""
    return participant.kind == ParticipantKind.PERSON or participant_identifies(
        participant.kind, participant.organisation_id
    )


def identifying_fields(record: object) -> frozenset[str]:
    """The fields of ``record`` (a row of a plan) that hold the person's identity or a närstående's."""
    if isinstance(record, SipParticipant):
        identifies = participant_identifies(record.kind, record.organisation_id)
        return frozenset({"name", "phone", "email"}) if identifies else frozenset()
    if isinstance(record, SipOtherMeasure):
        return frozenset({"actor_name"}) if record.actor_kind in IDENTIFYING_ACTOR_KINDS else frozenset()
    if isinstance(record, SipVersion):
        return frozenset({"consent_given_by_name"})
    if isinstance(record, ConsentWithdrawal):
        return frozenset({"withdrawn_by_name"})
    if isinstance(record, SipDistribution):
        return frozenset({"recipient_name"})
    return frozenset()


def shown(record: object, field: str, *, identity_visible: bool) -> str:
    """``record.field`` as a reader may see it: ``MASK`` in place of an identifying value when the reader
    sees the patient's identity masked. An empty value stays empty (there is nothing to hide)."""
    value = str(getattr(record, field) or "")
    if identity_visible or not value or field not in identifying_fields(record):
        return value
    return MASK


def is_masked(record: object, field: str, *, identity_visible: bool) -> bool:
    """Whether ``shown`` hides ``record.field`` from this reader."""
    return shown(record, field, identity_visible=identity_visible) != str(getattr(record, field) or "")


# --- Writing back what was shown masked --------------------------------------------------------------


def _take(stored: list[Any], same: Any) -> Any | None:
    """The first stored row for which ``same`` holds, else the first stored row; removed from ``stored``."""
    for index, row in enumerate(stored):
        if same(row):
            return stored.pop(index)
    return stored.pop(0) if stored else None


def keep_masked_values(changes: DraftChanges, version: SipVersion) -> DraftChanges:
    """``changes`` with the mask replaced by what ``version`` holds.

    For someone who sees the identity masked: a masked participant or measure stands for a stored row of
    the same kind (the one with the same role or description, else the next in order). A masked row with
    no stored row behind it is refused: there is no name to keep.
    """
    fields = dict(changes.fields)
    if fields.get("consent_given_by_name") == MASK:
        fields["consent_given_by_name"] = version.consent_given_by_name
    participants = changes.participants
    measures = changes.other_measures
    return replace(
        changes,
        fields=fields,
        participants=None if participants is None else _keep_participants(participants, version),
        other_measures=None if measures is None else _keep_measures(measures, version),
    )


def _keep_participants(
    participants: Sequence[ParticipantInput], version: SipVersion
) -> list[ParticipantInput]:
    stored: dict[str, list[Any]] = {}
    for participant in version.participants.all():
        if participant_identifies(participant.kind, participant.organisation_id):
            stored.setdefault(participant.kind, []).append(participant)
    kept = []
    for item in participants:
        organisation_id = item.organisation.pk if item.organisation is not None else None
        if participant_identifies(item.kind, organisation_id) and MASK in (item.name, item.phone, item.email):
            row = _take(stored.get(item.kind, []), lambda r, item=item: r.role == item.role)
            if row is None:
                raise ValidationError({"participants": [_("Give each participant's name.")]})
            item = replace(
                item,
                name=row.name if item.name == MASK else item.name,
                phone=row.phone if item.phone == MASK else item.phone,
                email=row.email if item.email == MASK else item.email,
            )
        kept.append(item)
    return kept


def _keep_measures(measures: Sequence[OtherMeasureInput], version: SipVersion) -> list[OtherMeasureInput]:
    stored: dict[str, list[Any]] = {}
    for measure in version.other_measures.all():
        if measure.actor_kind in IDENTIFYING_ACTOR_KINDS:
            stored.setdefault(measure.actor_kind, []).append(measure)
    kept = []
    for item in measures:
        if item.actor_kind in IDENTIFYING_ACTOR_KINDS and item.actor_name == MASK:
            row = _take(
                stored.get(item.actor_kind, []),
                lambda r, item=item: r.description.strip() == item.description.strip(),
            )
            if row is None:
                raise ValidationError({"other_measures": [_("Say what is to be done and by whom.")]})
            item = replace(item, actor_name=row.actor_name)
        kept.append(item)
    return kept
