"""Starting a plan: from an agreed case, or on its own for anyone who needs insatser from both
principals."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from access.patients import patient_facts
from access.seen import Seen
from audit.models import Action
from cases import policies as case_policies
from cases import selectors as case_selectors
from cases.models import CaseStatus, ResponsibilityCase
from cases.transitions import A as CaseAction
from directory.actor import Actor
from directory.models import Membership
from hemsjukvard.errors import NotPermitted, StateConflictError
from hemsjukvard.writes import lock_current
from patients.models import Patient

from ..models import (
    ParticipantKind,
    Sip,
    SipEventKind,
    SipInsats,
    SipParticipant,
    SipVersion,
)
from ..policies import (
    can_create_sip,
    editing_membership,
)
from .common import _event, _log

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
        fast_vardkontakt_name=patient.fast_vardkontakt.display_name if patient.fast_vardkontakt else "",
        fast_lakarkontakt_name=patient.fast_lakarkontakt.display_name if patient.fast_lakarkontakt else "",
        fast_lakarkontakt_unit=patient.listed_vardcentral.name if patient.listed_vardcentral else "",
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
    """Start a plan on its own for anyone who needs insatser from both principals (HSL 16 kap. 4 §, SoL):
    enrolled in home health care or not, with or without a case. ``patient`` is what ``patient_get``
    returned; the plan is started by the care staff of an organisation the person has: the enrolment
    kommun, the kommun they live in, the listed vårdcentral, or a party to one of their cases."""
    facts = patient_facts(patient.obj)
    organisation_ids = {facts.folkbokforing_kommun_id, *facts.case_organisation_ids}
    if facts.open_enrolment_kommun_id is not None:
        organisation_ids.add(facts.open_enrolment_kommun_id)
    if facts.listed_vardcentral_id is not None:
        organisation_ids.add(facts.listed_vardcentral_id)
    membership = can_create_sip(actor, organisation_ids)
    if membership is None:
        raise NotPermitted(_("Only the care staff on the plan may change it."))
    sip, version = _new_sip(actor=actor, patient=patient.obj, membership=membership, case=None)
    _event(actor, sip, membership, SipEventKind.CREATED, version=version)
    _log(actor, sip, membership, Action.CREATE)
    return sip
