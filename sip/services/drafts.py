"""Changing a plan's draft: the four elements, who does what and when, participants, contacts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from access.roles import SIP_SOL_EDITORS
from agreements.choices import TaskKind
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind
from hemsjukvard.errors import NotPermitted

from ..contact_paths import looks_like_a_phone_number
from ..inputs import (
    DRAFT_FIELDS,
    PHONE_FIELDS,
    UNCHANGED,
    DraftChanges,
    InsatsInput,
)
from ..masking import MASK, keep_masked_values
from ..models import (
    Attendance,
    ConsentGivenBy,
    ContactPeriod,
    LegalBasis,
    OtherActorKind,
    ParticipantKind,
    Sip,
    SipContactPath,
    SipEventKind,
    SipInsats,
    SipOtherMeasure,
    SipParticipant,
    SipVersion,
)
from ..notifications import sip_handlaggare_notify
from ..policies import (
    PRINCIPAL_KINDS,
    SipAction,
    is_sol_editor,
)
from .common import _authorise, _draft, _event, _identity_visible, _lock, _save

# --- Changing the draft ------------------------------------------------------------------------------


def _principal_error(organisation: Organisation | None, *, performer_allowed: bool = False) -> str | None:
    # A private performer (LOV/LOU) may answer for performing an insats on the kommun's behalf; the
    # kommun stays the principal, and only a principal holds huvudansvar.
    if (
        performer_allowed
        and organisation is not None
        and organisation.kind == OrganisationKind.PRIVATE_PERFORMER
    ):
        return None
    if organisation is not None and organisation.kind not in PRINCIPAL_KINDS:
        return _("%(name)s is not part of the kommun or the region.") % {"name": organisation.name}
    return None


def _validate_changes(changes: DraftChanges) -> None:
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    unknown = set(changes.fields) - set(DRAFT_FIELDS)
    for name in sorted(unknown):
        add(name, _("This field cannot be changed."))
    huvudansvar = changes.fields.get("huvudansvar")
    problem = _principal_error(huvudansvar)
    if problem:
        add("huvudansvar", problem)
    given_by = changes.fields.get("consent_given_by")
    if given_by and given_by not in ConsentGivenBy.values:
        add("consent_given_by", _("Choose who gave the consent from the list."))
    for index, insats in enumerate(changes.insatser or (), start=1):
        if not insats.description.strip():
            add("insatser", _("Describe insats %(number)d.") % {"number": index})
        for organisation in (insats.responsible, insats.orders, insats.follows_up):
            problem = _principal_error(organisation, performer_allowed=True)
            if problem:
                add("insatser", problem)
        if (
            insats.task_type is not None
            and insats.task_type.kind == TaskKind.PHYSICIAN
            and insats.responsible is not None
            and insats.responsible.kind == OrganisationKind.KOMMUN
        ):
            # HSL 12 kap. 3 §: physician care is never the municipality's.
            add("insatser", _("Physician care is always the region's, never the kommun's."))
    for measure in changes.other_measures or ():
        if not measure.description.strip() or not measure.actor_name.strip():
            add("other_measures", _("Say what is to be done and by whom."))
        if measure.actor_kind not in OtherActorKind.values:
            add("other_measures", _("Choose the kind of actor from the list."))
    for name in PHONE_FIELDS:
        value = str(changes.fields.get(name) or "").strip()
        if value and not looks_like_a_phone_number(value):
            add(name, _phone_message(value))
    for index, insats in enumerate(changes.insatser or (), start=1):
        if insats.basis not in LegalBasis.values:
            add(
                "insatser",
                _("Say whether insats %(number)d is health care (HSL) or social services (SoL).")
                % {"number": index},
            )
        elif (
            insats.basis == LegalBasis.SOL
            and insats.responsible is not None
            and insats.responsible.kind != OrganisationKind.KOMMUN
        ):
            add(
                "insatser",
                _("Insats %(number)d is under SoL: the kommun's socialtjänst answers for it.")
                % {"number": index},
            )
        if bool(insats.reported_by.strip()) != bool(insats.reported_to.strip()):
            add(
                "insatser",
                _("Insats %(number)d: say both who reports the results and to whom.") % {"number": index},
            )
    for participant in changes.participants or ():
        if not participant.name.strip():
            add("participants", _("Give each participant's name."))
        if participant.kind not in ParticipantKind.values:
            add("participants", _("Choose the kind of participant from the list."))
        if participant.attendance and participant.attendance not in Attendance.values:
            add("participants", _("Say whether each participant attended: yes, by phone or video, or no."))
        phone = participant.phone.strip()
        if phone and phone != MASK and not looks_like_a_phone_number(phone):
            add("participants", _phone_message(phone))
        email = participant.email.strip()
        if email and email != MASK:
            try:
                validate_email(email)
            except ValidationError:
                add(
                    "participants",
                    _("%(email)s is not an e-mail address: write it as name@example.se.")
                    % {"email": email[:60]},
                )
    for path in changes.contact_paths or ():
        if path.period not in ContactPeriod.values:
            add("contact_paths", _("Choose daytime, evening and night, or weekends."))
        if not path.who.strip() or not path.phone.strip():
            add("contact_paths", _("Say who to call and the phone number."))
        elif not looks_like_a_phone_number(path.phone):
            add("contact_paths", _phone_message(path.phone))
    if errors:
        raise ValidationError(errors)


def _phone_message(phone: str) -> str:
    return _("%(phone)s is not a phone number: give digits, e.g. 0340-123 45 or +46 70 123 45 67.") % {
        "phone": phone.strip()[:40]
    }


def _insats_key(insats: SipInsats | InsatsInput) -> tuple[Any, ...]:
    def pk(value: Any) -> Any:
        return value.pk if value is not None else None

    return (
        insats.description.strip(),
        pk(insats.responsible),
        pk(insats.orders),
        pk(insats.follows_up),
        pk(insats.task_type),
        insats.notes,
        insats.starts_on,
        insats.frequency,
        insats.reported_by,
        insats.reported_to,
    )


def _only_sol_parts(changes: DraftChanges, version: SipVersion) -> None:
    """Refuse what socialtjänst may not change: anything but the SoL insatser and what others do.

    The HSL insatser she sends back must be the draft's, unchanged and in order; the plan's fields,
    participants and contact paths must be as stored (or not sent).
    """
    refused = _(
        "As biståndshandläggare you change the plan's social services (SoL) insatser and what others do; "
        "the health care (HSL) insatser and the rest of the plan are changed by the care staff."
    )
    for name, value in changes.fields.items():
        if getattr(version, name) != value:
            raise NotPermitted(refused)
    if changes.bistandshandlaggare is not UNCHANGED:
        raise NotPermitted(refused)
    if changes.participants is not None:
        stored_participants = [
            (p.name, p.kind, p.organisation_id, p.role, p.attendance, p.phone, p.email)
            for p in version.participants.all()
        ]
        sent_participants = [
            (
                p.name.strip(),
                p.kind,
                p.organisation.pk if p.organisation else None,
                p.role,
                p.attendance,
                p.phone.strip(),
                p.email.strip(),
            )
            for p in changes.participants
        ]
        if stored_participants != sent_participants:
            raise NotPermitted(refused)
    if changes.contact_paths is not None:
        stored_paths = [
            (c.period, c.who, c.phone, c.organisation_id, c.notes) for c in version.contact_paths.all()
        ]
        sent_paths = [
            (c.period, c.who.strip(), c.phone.strip(), c.organisation.pk if c.organisation else None, c.notes)
            for c in changes.contact_paths
        ]
        if stored_paths != sent_paths:
            raise NotPermitted(refused)
    if changes.insatser is not None:
        stored_hsl = [_insats_key(i) for i in version.insatser.all() if i.basis == LegalBasis.HSL]
        sent_hsl = [_insats_key(i) for i in changes.insatser if i.basis == LegalBasis.HSL]
        if stored_hsl != sent_hsl:
            raise NotPermitted(refused)


def _set_handlaggare(sip: Sip, changes: DraftChanges) -> list[str]:
    """Name (or un-name) socialtjänst's biståndshandläggare on the plan: a user holding that role in the
    person's kommun or the kommun that keeps the plan."""
    user = changes.bistandshandlaggare
    if user is UNCHANGED:
        return []
    if user is not None:
        kommuner = {sip.patient.folkbokforing_kommun_id, sip.owner_organisation_id}
        if not (
            Membership.objects.active()
            .filter(user=user, role__in=SIP_SOL_EDITORS, organisation_id__in=kommuner)
            .exists()
        ):
            raise ValidationError(
                {
                    "bistandshandlaggare": [
                        _(
                            "Choose a biståndshandläggare of the person's kommun "
                            "or the kommun that keeps the plan."
                        )
                    ]
                }
            )
    new_id = user.pk if user is not None else None
    if sip.bistandshandlaggare_id == new_id:
        return []
    sip.bistandshandlaggare_id = new_id
    return ["bistandshandlaggare"]


def _replace_rows(version: SipVersion, changes: DraftChanges) -> list[str]:
    changed = []
    if changes.insatser is not None:
        # The link from an insats to the agreed case task it carries out follows the task type: rows are
        # replaced wholesale on every save, and the editor and the API do not send the link back.
        linked: dict[int, list[int]] = {}
        for task_type_id, case_task_id in (
            SipInsats.objects.filter(version=version, case_task__isnull=False, task_type__isnull=False)
            .order_by("position", "pk")
            .values_list("task_type_id", "case_task_id")
        ):
            linked.setdefault(task_type_id, []).append(case_task_id)

        def case_task_for(item: InsatsInput) -> int | None:
            waiting = linked.get(item.task_type.pk) if item.task_type is not None else None
            return waiting.pop(0) if waiting else None

        SipInsats.objects.filter(version=version).delete()
        SipInsats.objects.bulk_create(
            [
                SipInsats(
                    version=version,
                    position=index,
                    case_task_id=case_task_for(item),
                    description=item.description.strip(),
                    responsible=item.responsible,
                    orders=item.orders,
                    follows_up=item.follows_up,
                    task_type=item.task_type,
                    notes=item.notes,
                    basis=item.basis,
                    starts_on=item.starts_on,
                    frequency=item.frequency.strip(),
                    reported_by=item.reported_by.strip(),
                    reported_to=item.reported_to.strip(),
                )
                for index, item in enumerate(changes.insatser, start=1)
            ]
        )
        changed.append("insatser")
    if changes.other_measures is not None:
        SipOtherMeasure.objects.filter(version=version).delete()
        SipOtherMeasure.objects.bulk_create(
            [
                SipOtherMeasure(
                    version=version,
                    position=index,
                    description=item.description.strip(),
                    actor_kind=item.actor_kind,
                    actor_name=item.actor_name.strip(),
                )
                for index, item in enumerate(changes.other_measures, start=1)
            ]
        )
        changed.append("other_measures")
    if changes.participants is not None:
        SipParticipant.objects.filter(version=version).delete()
        SipParticipant.objects.bulk_create(
            [
                SipParticipant(
                    version=version,
                    position=index,
                    name=item.name.strip(),
                    kind=item.kind,
                    organisation=item.organisation,
                    role=item.role,
                    attendance=item.attendance,
                    phone=item.phone.strip(),
                    email=item.email.strip(),
                )
                for index, item in enumerate(changes.participants, start=1)
            ]
        )
        changed.append("participants")
    if changes.contact_paths is not None:
        SipContactPath.objects.filter(version=version).delete()
        SipContactPath.objects.bulk_create(
            [
                SipContactPath(
                    version=version,
                    position=index,
                    period=item.period,
                    who=item.who.strip(),
                    phone=item.phone.strip(),
                    organisation=item.organisation,
                    notes=item.notes,
                )
                for index, item in enumerate(changes.contact_paths, start=1)
            ]
        )
        changed.append("contact_paths")
    return changed


@transaction.atomic
def sip_update_draft(
    *, actor: Actor, sip: Sip, expected_revision: int | None, changes: DraftChanges
) -> SipVersion:
    """Change the plan's draft. A finalised version is never changed: start a new version instead."""
    sip = _lock(sip, expected_revision)
    membership = _authorise(actor, sip, SipAction.UPDATE_DRAFT)
    _validate_changes(changes)
    version = _draft(sip)
    if not _identity_visible(actor, sip):
        # They were shown the person's name (and närstående's) masked; the mask they send back means
        # "unchanged", never a new name.
        changes = keep_masked_values(changes, version)
    if is_sol_editor(membership):
        _only_sol_parts(changes, version)
    changed: list[str] = _set_handlaggare(sip, changes)
    for name, value in changes.fields.items():
        if getattr(version, name) != value:
            setattr(version, name, value)
            changed.append(name)
    if not version.interpreter_needed:
        version.interpreter_language = ""
    if version.interpreter_needed and not version.interpreter_language.strip():
        raise ValidationError({"interpreter_language": [_("Say which language the interpreter speaks.")]})
    if (
        version.consent_given_on is not None
        and version.consent_valid_to is not None
        and version.consent_valid_to < version.consent_given_on
    ):
        raise ValidationError({"consent_valid_to": [_("The consent cannot end before it was given.")]})
    version.save()
    changed += _replace_rows(version, changes)
    event = _event(
        actor, sip, membership, SipEventKind.DRAFT_CHANGED, version=version, payload={"changed": changed}
    )
    if "bistandshandlaggare" in changed and sip.bistandshandlaggare_id is not None:
        sip_handlaggare_notify(sip=sip, event=event)  # she learns that the plan names her
    _save(actor, sip, membership)
    return version
