"""Finalising a draft: what stops it, in words a nurse understands, and what finalising sets going."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import policies as case_policies
from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import CaseStatus
from cases.transitions import A as CaseAction
from competence.rules import missing_training
from directory.actor import Actor

from ..contact_paths import contact_path_problem
from ..events import sip_finalised_publish
from ..masking import participant_represents_the_person
from ..models import (
    ConsentGivenBy,
    Sip,
    SipEventKind,
    SipStatus,
    SipVersion,
    VersionStatus,
)
from ..policies import (
    SipAction,
)
from .common import _authorise, _draft, _event, _lock, _save

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
    without_when = [i.description for i in insatser if i.starts_on is None or not i.frequency.strip()]
    if without_when:
        problems["when"] = [
            _(
                "Say when each insats starts and how often or for how long (e.g. daily at 08 and 20, "
                "every third day, weeks 50–52); missing for: %(list)s."
            )
            % {"list": "; ".join(without_when)}
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
    elif not version.huvudansvar_contact.strip():
        problems["huvudansvar_contact"] = [
            _("Name the contact person for the principal with the overall responsibility.")
        ]
    if not version.fast_vardkontakt_name.strip():
        problems["fast_vardkontakt_name"] = [_("Name the person's fast vårdkontakt, with unit and phone.")]
    if not version.fast_lakarkontakt_name.strip():
        problems["fast_lakarkontakt_name"] = [_("Name the person's fast läkarkontakt, with unit and phone.")]
    unrecorded = [p.name for p in version.participants.all() if not p.attendance]
    if unrecorded:
        problems.setdefault("participants", []).append(
            _("Say for each participant whether they attended (yes, by phone or video, or no).")
        )
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
