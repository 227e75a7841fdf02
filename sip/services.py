"""Writes on SIPs: start a plan, change its draft, finalise it, start a new version, withdraw consent,
record a follow-up.

Each service is keyword-only and runs in one transaction. It locks the plan's row
(``select_for_update``) and checks the revision the caller read: of two people acting on the same
revision only the first succeeds, the second gets 412 (``StaleVersionError``); an action the plan's
state does not allow is 409 (``StateConflictError``); a person who may not edit is 403. Every write appends a
``SipEvent``, writes the access log and bumps the revision (the ETag).

Lock order: the plan, then its rows, then (after a follow-up) the case it came from. Starting a plan from
a case locks the case first, but no plan row exists yet then, so the two orders never meet.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from access.patients import identity_visible, patient_facts
from access.seen import Seen
from access.sips import keeps_the_plan
from agreements.choices import TaskKind
from audit.models import Action
from audit.records import RECORD_SIP
from audit.services import Access, access_log_record
from cases import policies as case_policies
from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import CaseStatus, ResponsibilityCase
from cases.transitions import A as CaseAction
from competence.rules import missing_training
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind
from hemsjukvard.errors import NotPermitted, StateConflictError
from hemsjukvard.writes import lock_current, save_next_version
from patients.models import Patient

from . import selectors
from .contact_paths import contact_path_problem, looks_like_a_phone_number
from .events import sip_finalised_publish
from .inputs import CONSENT_FIELDS as CONSENT_FIELDS
from .inputs import DRAFT_FIELDS as DRAFT_FIELDS
from .inputs import ROW_KINDS as ROW_KINDS
from .inputs import ContactPathInput as ContactPathInput
from .inputs import DraftChanges as DraftChanges
from .inputs import InsatsInput as InsatsInput
from .inputs import OtherMeasureInput as OtherMeasureInput
from .inputs import ParticipantInput as ParticipantInput
from .masking import keep_masked_values, participant_represents_the_person
from .models import (
    ConsentGivenBy,
    ConsentWithdrawal,
    ContactPeriod,
    FollowUpOutcome,
    OtherActorKind,
    ParticipantKind,
    Sip,
    SipContactPath,
    SipEvent,
    SipEventKind,
    SipFollowUp,
    SipInsats,
    SipOtherMeasure,
    SipParticipant,
    SipStatus,
    SipVersion,
    VersionStatus,
)
from .notifications import sip_step_notify
from .policies import PRINCIPAL_KINDS, SipAction, action_allowed_by_status, can_create_sip, editing_membership

# --- The machinery every write shares ----------------------------------------------------------------


def _lock(sip: Sip, expected_revision: int | None) -> Sip:
    return lock_current(
        selectors.sip_queryset(), sip.pk, version_field="revision", expected=expected_revision
    )


def _authorise(actor: Actor, sip: Sip, action: str) -> Membership:
    facts = selectors.sip_facts(sip)
    membership = editing_membership(actor, facts.organisation_ids)
    if membership is None:
        raise NotPermitted(_("Only the care staff on the plan may change it."))
    # After a withdrawal of consent the plan is no longer shared (``sip.selectors``): whoever no longer
    # sees its content cannot change it either.
    if selectors.consent_withdrawal(sip) is not None and not keeps_the_plan(actor, sip):
        raise NotPermitted(
            _(
                "Consent to share the plan has been withdrawn; only the organisation that keeps it "
                "may change it."
            )
        )
    if not action_allowed_by_status(action, facts):
        raise StateConflictError(_state_message(action, sip), extra={"status": sip.status})
    return membership


def _state_message(action: str, sip: Sip) -> str:
    if sip.status == SipStatus.CLOSED:
        return _("The plan is closed and can no longer be changed.")
    if action in (SipAction.UPDATE_DRAFT, SipAction.FINALISE):
        return _("The plan has no draft: it is finalised. Start a new version to change it.")
    if action in (SipAction.NEW_VERSION, SipAction.RECORD_FOLLOW_UP):
        return _("A draft of the plan is being written; finalise it first.")
    return _("The person's consent has already been withdrawn, or none was given.")


def _event(
    actor: Actor,
    sip: Sip,
    membership: Membership,
    kind: str,
    *,
    version: SipVersion | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    event = SipEvent.objects.create(
        sip=sip,
        version=version,
        user=actor.user,
        organisation=membership.organisation,
        role=membership.role,
        kind=kind,
        payload=payload or {},
    )
    sip_step_notify(actor=actor, sip=sip, event=event)  # the plan's organisations are told of the step


def _log(actor: Actor, sip: Sip, membership: Membership, action: str) -> None:
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=sip.patient_id,
                record_type=RECORD_SIP,
                record_id=str(sip.public_id),
                membership=membership,
            )
        ],
        action=action,
    )


def _save(actor: Actor, sip: Sip, membership: Membership, *, action: str = Action.UPDATE) -> None:
    save_next_version(sip, version_field="revision")
    _log(actor, sip, membership, action)


def _identity_visible(actor: Actor, sip: Sip) -> bool:
    patient = sip.patient
    return identity_visible(actor, patient_facts(patient), protected_identity=patient.protected_identity)


def _draft(sip: Sip) -> SipVersion:
    """The current draft, locked (the caller already holds the plan's lock)."""
    version = SipVersion.objects.select_for_update().filter(sip=sip, status=VersionStatus.DRAFT).first()
    if version is None:
        raise StateConflictError(_state_message(SipAction.UPDATE_DRAFT, sip), extra={"status": sip.status})
    return version


# --- Starting a plan ---------------------------------------------------------------------------------


def _new_sip(
    *, actor: Actor, patient: Patient, membership: Membership, case: ResponsibilityCase | None
) -> tuple[Sip, SipVersion]:
    sip = Sip.objects.create(
        patient=patient, case=case, owner_organisation=membership.organisation, created_by=actor.user
    )
    version = SipVersion.objects.create(
        sip=sip,
        number=1,
        created_by=actor.user,
        interpreter_needed=patient.interpreter_needed,
        interpreter_language=patient.interpreter_language,
    )
    # A SIP is made with the person (HSL 16 kap. 4 §): they are the first participant from the start.
    name = f"{patient.given_name} {patient.family_name}".strip()
    SipParticipant.objects.create(version=version, position=1, name=name, kind=ParticipantKind.PERSON)
    return sip, version


@transaction.atomic
def sip_create_from_case(
    *, actor: Actor, case: ResponsibilityCase, expected_case_version: int | None = None
) -> Sip:
    """Start the plan for an agreed case: its tasks and agreed split become the draft's insatser.

    Starting a plan does not make the case active: the case becomes ``active`` when the plan is
    finalised (``sip_finalise``), or when a person records that the care has started. The case row is
    locked here, so of two plans started at once from one case only the first is made; only those who
    may activate the case (the kommun's nurses and therapists) start its plan. ``case`` must come from
    ``cases.selectors.case_get`` (which checked access and logged the read).
    """
    case = lock_current(
        ResponsibilityCase.objects.select_related("patient"),
        case.pk,
        version_field="version",
        expected=expected_case_version,
    )
    if case.status != CaseStatus.AGREED:
        raise StateConflictError(
            _("A SIP is made from an agreed case; this case is %(status)s.")
            % {"status": case.get_status_display()},
            extra={"status": case.status},
        )
    if Sip.objects.filter(case=case).exists():
        raise StateConflictError(_("This case already has a SIP."), extra={"status": case.status})
    facts = case_selectors.case_facts(case)
    if CaseAction.ACTIVATE not in case_policies.allowed_actions(actor, case, facts):
        raise NotPermitted(_("Only the kommun's nurses and therapists start the SIP of a case."))
    membership = editing_membership(actor, {case.kommun_id})
    if membership is None:
        raise NotPermitted(_("Only the care staff on the plan may change it."))
    sip, version = _new_sip(actor=actor, patient=case.patient, membership=membership, case=case)
    tasks = list(
        case.tasks.select_related(
            "task_type", "agreed_orders", "agreed_performs", "agreed_follows_up"
        ).order_by("pk")
    )
    SipInsats.objects.bulk_create(
        [
            SipInsats(
                version=version,
                position=index,
                description=task.task_type.name_sv + (f" – {task.note}" if task.note else ""),
                task_type=task.task_type,
                case_task=task,
                responsible=task.agreed_performs,
                orders=task.agreed_orders,
                follows_up=task.agreed_follows_up,
            )
            for index, task in enumerate(tasks, start=1)
        ]
    )
    _event(
        actor,
        sip,
        membership,
        SipEventKind.CREATED,
        version=version,
        payload={"case": str(case.public_id), "insatser": [t.task_type.code for t in tasks]},
    )
    _log(actor, sip, membership, Action.CREATE)
    return sip


@transaction.atomic
def sip_create_for_patient(*, actor: Actor, patient: Seen[Patient]) -> Sip:
    """Start a plan on its own for an enrolled patient; ``patient`` is what ``patient_get`` returned."""
    facts = patient_facts(patient.obj)
    if facts.open_enrolment_kommun_id is None:
        raise ValidationError(
            {"patient": _("The patient is not enrolled in home health care; enrol them first.")}
        )
    organisation_ids = {facts.open_enrolment_kommun_id, *facts.case_organisation_ids}
    if facts.listed_vardcentral_id is not None:
        organisation_ids.add(facts.listed_vardcentral_id)
    membership = can_create_sip(actor, organisation_ids)
    if membership is None:
        raise NotPermitted(_("Only the care staff on the plan may change it."))
    sip, version = _new_sip(actor=actor, patient=patient.obj, membership=membership, case=None)
    _event(actor, sip, membership, SipEventKind.CREATED, version=version)
    _log(actor, sip, membership, Action.CREATE)
    return sip


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
    for participant in changes.participants or ():
        if not participant.name.strip():
            add("participants", _("Give each participant's name."))
        if participant.kind not in ParticipantKind.values:
            add("participants", _("Choose the kind of participant from the list."))
    for path in changes.contact_paths or ():
        if path.period not in ContactPeriod.values:
            add("contact_paths", _("Choose daytime, evening and night, or weekends."))
        if not path.who.strip() or not path.phone.strip():
            add("contact_paths", _("Say who to call and the phone number."))
        elif not looks_like_a_phone_number(path.phone):
            add(
                "contact_paths",
                _("%(phone)s is not a phone number: give digits, e.g. 0340-123 45 or +46 70 123 45 67.")
                % {"phone": path.phone.strip()[:40]},
            )
    if errors:
        raise ValidationError(errors)


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
                    present=item.present,
                    contact=item.contact,
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
    changed: list[str] = []
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
    _event(actor, sip, membership, SipEventKind.DRAFT_CHANGED, version=version, payload={"changed": changed})
    _save(actor, sip, membership)
    return version


# --- Finalising --------------------------------------------------------------------------------------


def finalise_problems(version: SipVersion, *, today: datetime.date) -> dict[str, list[str]]:
    """What stops ``version`` from being finalised, per element, in words a nurse understands."""
    problems: dict[str, list[str]] = {}
    insatser = list(version.insatser.select_related("case_task__task_type"))
    if not insatser:
        problems["insatser"] = [
            _("List the insatser the person needs: what is to be done (the plan's first element).")
        ]
    without = [i.description for i in insatser if i.responsible_id is None]
    if without:
        problems["responsible"] = [
            _(
                "Say which principal answers for each insats (the plan's second element); "
                "missing for: %(list)s."
            )
            % {"list": "; ".join(without)}
        ]
    if not version.no_other_measures and not version.other_measures.exists():
        problems["other_measures"] = [
            _(
                "List what others than the kommun and the region will do, such as next of kin or "
                "Försäkringskassan (the plan's third element), or state that no one else does anything."
            )
        ]
    if not any(participant_represents_the_person(p) for p in version.participants.all()):
        problems["participants"] = [
            _("The plan is made with the person: list them, or who represents them, among the participants.")
        ]
    if version.huvudansvar_id is None:
        problems["huvudansvar"] = [
            _(
                "Say which principal has the overall responsibility (huvudansvar) for the plan "
                "(the fourth element)."
            )
        ]
    consent = _consent_problem(version, today=today)
    if consent:
        problems["consent"] = [consent]
    if version.follow_up_on is None:
        problems["follow_up_on"] = [_("Set the date when the plan is to be followed up.")]
    elif version.follow_up_on < today:
        problems["follow_up_on"] = [_("The follow-up date has already passed; choose a later date.")]
    if version.interpreter_needed and not version.interpreter_language.strip():
        problems["interpreter_language"] = [_("Say which language the interpreter speaks.")]
    around_the_clock = contact_path_problem(version, insatser)
    if around_the_clock:
        problems["contact_paths"] = [around_the_clock]
    return problems


def _consent_problem(version: SipVersion, *, today: datetime.date) -> str | None:
    if not (
        version.consent_given_by
        and version.consent_given_by_name.strip()
        and version.consent_scope.strip()
        and version.consent_given_on is not None
    ):
        return _(
            "Record the person's consent to the plan: who gave it, what it covers and the date it was given."
        )
    if version.consent_given_by == ConsentGivenBy.REPRESENTATIVE and not version.consent_representative_role:
        return _("Say in what role the representative gave consent (e.g. guardian or trustee).")
    if version.consent_given_on > today:
        return _("The consent cannot be dated in the future; give the day it was given.")
    if version.consent_valid_to is not None and version.consent_valid_to < today:
        return _("The consent was valid until %(date)s; record a new consent.") % {
            "date": version.consent_valid_to.isoformat()
        }
    return None


@transaction.atomic
def sip_finalise(*, actor: Actor, sip: Sip, expected_revision: int | None) -> SipVersion:
    """Finalise the draft: from now on this version never changes. Refused, naming each missing piece,
    unless the plan holds all four elements of HSL 16 kap. 4 §, the person's consent and a follow-up date.
    """
    sip = _lock(sip, expected_revision)
    membership = _authorise(actor, sip, SipAction.FINALISE)
    version = _draft(sip)
    now = timezone.now()
    problems = finalise_problems(version, today=timezone.localdate(now))
    if problems:
        raise ValidationError(problems)
    version.status = VersionStatus.FINALISED
    version.finalised_at = now
    version.finalised_by = actor.user
    version.finalised_by_organisation = membership.organisation
    version.save()
    sip.status = SipStatus.FINALISED
    _event(
        actor, sip, membership, SipEventKind.FINALISED, version=version, payload={"number": version.number}
    )
    sip_finalised_publish(sip=sip, version=version)
    _save(actor, sip, membership)
    _activate_case(actor, sip)
    return version


def _activate_case(actor: Actor, sip: Sip) -> None:
    """A finalised plan puts the agreed care in place: its case becomes ``active``, through the cases
    service and only where the person may activate it (otherwise the kommun's nurse records it)."""
    if sip.case is None:
        return
    case = case_selectors.case_reload(case=sip.case)
    if case.status != CaseStatus.AGREED:
        return
    if CaseAction.ACTIVATE not in case_policies.allowed_actions(actor, case, case_selectors.case_facts(case)):
        return
    if missing_training(case, on=timezone.localdate()):
        return  # the case stays agreed until the competence transfer is recorded (competence.rules)
    case_services.case_move(
        actor=actor,
        case=case,
        expected_version=None,
        action=CaseAction.ACTIVATE,
        reason=_("The SIP was finalised."),
    )


# --- New versions --------------------------------------------------------------------------------------


def _copy_rows(model: type[models.Model], rows: Iterable[models.Model], *, version: SipVersion) -> None:
    """Copy a version's rows of ``model`` to ``version``: every concrete field but the key and version."""
    names = [f.attname for f in model._meta.concrete_fields if f.name not in {"id", "version"}]
    model._default_manager.bulk_create(
        [model(version=version, **{name: getattr(row, name) for name in names}) for row in rows]
    )


def _copy(source: SipVersion, *, actor: Actor, keep_consent: bool) -> SipVersion:
    fields = {name: getattr(source, name) for name in DRAFT_FIELDS}
    if not keep_consent:
        fields.update(dict.fromkeys(CONSENT_FIELDS, ""))
        fields.update({"consent_given_on": None, "consent_valid_to": None})
    version = SipVersion.objects.create(
        sip=source.sip, number=source.number + 1, based_on=source, created_by=actor.user, **fields
    )
    for model, rows in (
        (SipInsats, source.insatser.all()),
        (SipOtherMeasure, source.other_measures.all()),
        (SipParticipant, source.participants.all()),
        (SipContactPath, source.contact_paths.all()),
    ):
        _copy_rows(model, rows, version=version)
    return version


def _start_new_version(actor: Actor, sip: Sip) -> SipVersion:
    source = selectors.current_version(sip)
    withdrawn = ConsentWithdrawal.objects.filter(version=source).exists()
    # A withdrawn consent is not carried over: the new version needs the person's consent again.
    version = _copy(source, actor=actor, keep_consent=not withdrawn)
    sip.status = SipStatus.DRAFT
    return version


@transaction.atomic
def sip_new_version(*, actor: Actor, sip: Sip, expected_revision: int | None) -> SipVersion:
    """Start a new draft as a copy of the finalised version; the finalised one stays as it was."""
    sip = _lock(sip, expected_revision)
    membership = _authorise(actor, sip, SipAction.NEW_VERSION)
    version = _start_new_version(actor, sip)
    _event(
        actor, sip, membership, SipEventKind.NEW_VERSION, version=version, payload={"number": version.number}
    )
    _save(actor, sip, membership)
    return version


# --- Consent -------------------------------------------------------------------------------------------


@transaction.atomic
def sip_withdraw_consent(
    *,
    actor: Actor,
    sip: Sip,
    expected_revision: int | None,
    withdrawn_by: str,
    withdrawn_by_name: str,
    withdrawn_on: datetime.date,
    reason: str = "",
) -> ConsentWithdrawal | None:
    """The person (or their representative) withdraws consent. Sharing of the plan stops at once.

    The withdrawal is recorded against the latest finalised version (which stays as it was, and shows
    the withdrawal); a draft's consent is cleared, so it cannot be finalised without a new consent.
    Returns the withdrawal row, or ``None`` when only a draft had consent.
    """
    sip = _lock(sip, expected_revision)
    membership = _authorise(actor, sip, SipAction.WITHDRAW_CONSENT)
    errors: dict[str, list[str]] = {}
    if withdrawn_by not in ConsentGivenBy.values:
        errors["withdrawn_by"] = [_("Say whether the person or a representative withdrew the consent.")]
    if not withdrawn_by_name.strip():
        errors["withdrawn_by_name"] = [_("Give the name of who withdrew the consent.")]
    if withdrawn_on > timezone.localdate():
        errors["withdrawn_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    finalised = selectors.latest_finalised(sip)
    withdrawal = None
    if finalised is not None and not ConsentWithdrawal.objects.filter(version=finalised).exists():
        withdrawal = ConsentWithdrawal.objects.create(
            sip=sip,
            version=finalised,
            withdrawn_by=withdrawn_by,
            withdrawn_by_name=withdrawn_by_name.strip(),
            withdrawn_on=withdrawn_on,
            reason=reason,
            recorded_by=actor.user,
            recorded_by_organisation=membership.organisation,
        )
    draft = SipVersion.objects.select_for_update().filter(sip=sip, status=VersionStatus.DRAFT).first()
    if draft is not None and draft.consent_given_by:
        for name in CONSENT_FIELDS:
            setattr(draft, name, None if name in ("consent_given_on", "consent_valid_to") else "")
        draft.save()
    _event(
        actor,
        sip,
        membership,
        SipEventKind.CONSENT_WITHDRAWN,
        version=finalised or draft,
        payload={"withdrawn_by": withdrawn_by, "withdrawn_on": withdrawn_on.isoformat()},
    )
    _save(actor, sip, membership)
    return withdrawal


# --- Follow-up -----------------------------------------------------------------------------------------


def _follow_case(actor: Actor, case: ResponsibilityCase | None, outcome: str) -> None:
    """Take the case the plan came from through its follow-up, where the person may do that.

    The case's follow-up cycle (active → follow_up → active | closed) is the cases app's: it is driven
    here through its services, and only by someone its transition table allows.
    """
    if case is None:
        return
    fresh = case_selectors.case_reload(case=case)
    steps = []
    if fresh.status == CaseStatus.ACTIVE:
        steps.append(CaseAction.START_FOLLOW_UP)
    if fresh.status in (CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP):
        steps.append(CaseAction.CLOSE if outcome == FollowUpOutcome.CLOSE else CaseAction.RESUME)
    for step in steps:
        fresh = case_selectors.case_reload(case=fresh)
        allowed = case_policies.allowed_actions(actor, fresh, case_selectors.case_facts(fresh))
        if step not in allowed:
            return
        case_services.case_move(
            actor=actor,
            case=fresh,
            expected_version=None,
            action=step,
            reason=_("The SIP was followed up."),
        )


@transaction.atomic
def sip_record_follow_up(
    *,
    actor: Actor,
    sip: Sip,
    expected_revision: int | None,
    held_on: datetime.date,
    outcome: str,
    notes: str,
) -> SipFollowUp:
    """Record the follow-up of the current finalised version; it leads to a new version or closure."""
    case = sip.case
    sip = _lock(sip, expected_revision)
    membership = _authorise(actor, sip, SipAction.RECORD_FOLLOW_UP)
    errors: dict[str, list[str]] = {}
    if outcome not in FollowUpOutcome.values:
        errors["outcome"] = [_("Choose whether the plan goes on in a new version or is closed.")]
    if not notes.strip():
        errors["notes"] = [_("Write down how the follow-up went.")]
    if held_on > timezone.localdate():
        errors["held_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    followed = selectors.current_version(sip)
    new_version = None
    if outcome == FollowUpOutcome.NEW_VERSION:
        new_version = _start_new_version(actor, sip)
    else:
        sip.status = SipStatus.CLOSED
        sip.closed_at = timezone.now()
    follow_up = SipFollowUp.objects.create(
        sip=sip,
        version=followed,
        held_on=held_on,
        held_by=actor.user,
        organisation=membership.organisation,
        outcome=outcome,
        notes=notes,
        new_version=new_version,
    )
    _event(
        actor,
        sip,
        membership,
        SipEventKind.FOLLOWED_UP,
        version=followed,
        payload={"outcome": outcome, "new_version": new_version.number if new_version else None},
    )
    if outcome == FollowUpOutcome.CLOSE:
        _event(actor, sip, membership, SipEventKind.CLOSED, version=followed)
    _save(actor, sip, membership)
    _follow_case(actor, case, outcome)
    return follow_up
