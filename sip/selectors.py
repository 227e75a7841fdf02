"""Reads of SIPs. Each takes the acting person, applies ``access.sips`` and writes the access log.

A SIP is patient data: it is seen by whoever may see the patient; one the person may not see answers the
same 404 as one that does not exist. After the person has withdrawn their consent the plan is no longer
shared: only the organisation that keeps it sees its content, everyone else sees that consent was
withdrawn and nothing more. A list is logged by the function that returns it (``sips_listed``).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from access.patients import (
    PatientFacts,
    granting_membership,
    identity_visible,
    patient_facts,
    patients_granted,
)
from access.roles import SIP_SOL_EDITORS
from access.seen import Seen
from access.sips import handlaggare_membership, shared_with, visible_sips_q
from audit.models import Action, Outcome, Purpose
from audit.records import RECORD_SIP
from audit.services import Access, access_log_record
from cases.models import ResponsibilityCase
from directory.actor import Actor
from directory.models import Membership, OrganisationKind
from patients.models import Patient

from .models import (
    ConsentWithdrawal,
    Sip,
    SipContactPath,
    SipDistribution,
    SipFollowUp,
    SipInsats,
    SipOtherMeasure,
    SipParticipant,
    SipVersion,
    VersionStatus,
)
from .policies import SipFacts


def version_queryset() -> QuerySet[SipVersion]:
    return SipVersion.objects.select_related(
        "huvudansvar",
        "created_by",
        "finalised_by",
        "finalised_by_organisation",
        "based_on",
        "withdrawal",
        "withdrawal__recorded_by_organisation",
    ).prefetch_related(
        Prefetch(
            "insatser",
            queryset=SipInsats.objects.select_related(
                "task_type", "responsible", "orders", "follows_up", "case_task"
            ).order_by("position", "pk"),
        ),
        Prefetch("other_measures", queryset=SipOtherMeasure.objects.order_by("position", "pk")),
        Prefetch(
            "participants",
            queryset=SipParticipant.objects.select_related("organisation").order_by("position", "pk"),
        ),
        Prefetch(
            "contact_paths",
            queryset=SipContactPath.objects.select_related("organisation").order_by("position", "pk"),
        ),
    )


def sip_queryset() -> QuerySet[Sip]:
    return Sip.objects.select_related(
        "patient", "case", "owner_organisation", "created_by", "bistandshandlaggare"
    ).prefetch_related(
        Prefetch("versions", queryset=version_queryset().order_by("number")),
        Prefetch(
            "distributions",
            queryset=SipDistribution.objects.select_related("version", "given_by", "organisation").order_by(
                "given_on", "pk"
            ),
        ),
        Prefetch(
            "follow_ups",
            queryset=SipFollowUp.objects.select_related(
                "version", "new_version", "held_by", "organisation"
            ).order_by("held_on", "pk"),
        ),
    )


def current_version(sip: Sip) -> SipVersion:
    """The version with the highest number (the draft, if one is being written)."""
    versions = list(sip.versions.all())
    if versions:
        return max(versions, key=lambda v: v.number)
    version = SipVersion.objects.filter(sip=sip).order_by("-number").first()
    assert version is not None, "a SIP always has a first version"
    return version


def latest_finalised(sip: Sip) -> SipVersion | None:
    finalised = [v for v in sip.versions.all() if v.status == VersionStatus.FINALISED]
    return max(finalised, key=lambda v: v.number) if finalised else None


def _withdrawal(version: SipVersion) -> ConsentWithdrawal | None:
    try:
        return version.withdrawal
    except ConsentWithdrawal.DoesNotExist:
        return None


def consent_withdrawal(sip: Sip) -> ConsentWithdrawal | None:
    """The withdrawal that stops sharing now: the one on the latest finalised version, if any."""
    version = latest_finalised(sip)
    return _withdrawal(version) if version is not None else None


def sip_organisation_ids(sip: Sip, *, patient: PatientFacts | None = None) -> frozenset[int]:
    """The organisations on the plan (see ``sip.policies``). ``patient``: the facts of the plan's patient
    when the read that showed the plan loaded them (``SipView``), else loaded here."""
    ids: set[int | None] = {sip.owner_organisation_id}
    facts = patient if patient is not None else patient_facts(sip.patient, with_cases=False)
    ids.update({facts.open_enrolment_kommun_id, facts.listed_vardcentral_id})
    case = sip.case
    if case is not None:
        ids.update({case.kommun_id, case.stay_kommun_id, case.vardcentral_id, case.specialist_clinic_id})
    version = current_version(sip)
    ids.add(version.huvudansvar_id)
    for insats in version.insatser.all():
        ids.update({insats.responsible_id, insats.orders_id, insats.follows_up_id})
    return frozenset(i for i in ids if i is not None)


def sip_facts(sip: Sip, *, patient: PatientFacts | None = None) -> SipFacts:
    """What ``sip.policies`` needs about the plan; ``patient`` as for ``sip_organisation_ids``."""
    version = current_version(sip)
    finalised = latest_finalised(sip)
    withdrawable = bool(
        (finalised is not None and _withdrawal(finalised) is None and finalised.consent_given_by)
        or (version.is_draft and version.consent_given_by)
    )
    return SipFacts(
        status=sip.status,
        organisation_ids=sip_organisation_ids(sip, patient=patient),
        current_is_draft=version.is_draft,
        has_finalised=finalised is not None,
        consent_withdrawable=withdrawable,
        handlaggare_user_id=sip.bistandshandlaggare_id,
    )


@dataclass(frozen=True)
class SipView:
    """A plan as one person may see it (the ``Seen`` of a plan): ``membership`` granted the read and
    ``identity_visible`` says whether the patient's identity is shown; ``shared`` is false when consent was
    withdrawn and the person is outside the organisation that keeps the plan (they see the withdrawal,
    not the content). ``patient_facts`` are what the access rule read about the plan's patient, for
    ``sip_facts``."""

    sip: Sip
    membership: Membership
    identity_visible: bool
    shared: bool
    patient_facts: PatientFacts

    @property
    def facts(self) -> SipFacts:
        """What ``sip.policies`` needs about the plan."""
        return sip_facts(self.sip, patient=self.patient_facts)


def _deny(actor: Actor, *, patient_id: int | None, record_id: str, action: str) -> Http404:
    access_log_record(
        actor=actor,
        accesses=[Access(patient_id=patient_id, record_type=RECORD_SIP, record_id=record_id)],
        action=action,
        outcome=Outcome.DENIED,
        purpose=Purpose.NONE,
    )
    return Http404(_("No SIP found."))


def _view(actor: Actor, sip: Sip, *, key: uuid.UUID, action: str, log: bool) -> SipView:
    facts = patient_facts(sip.patient)
    membership = granting_membership(actor, facts) or handlaggare_membership(actor, sip)
    if membership is None:
        raise _deny(actor, patient_id=sip.patient_id, record_id=str(key), action=action)
    if log:
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
    return SipView(
        sip=sip,
        membership=membership,
        identity_visible=identity_visible(actor, facts, protected_identity=sip.patient.protected_identity),
        shared=shared_with(actor, sip, consent_withdrawn=consent_withdrawal(sip) is not None),
        patient_facts=facts,
    )


def sip_get(
    *, actor: Actor, public_id: uuid.UUID | str, action: str = Action.READ, log: bool = True
) -> SipView:
    """One plan with all its versions, if ``actor`` may see the patient; logged either way."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No SIP found.")) from None
    sip = sip_queryset().filter(public_id=key).first()
    if sip is None:
        raise _deny(actor, patient_id=None, record_id=str(key), action=action)
    return _view(actor, sip, key=key, action=action, log=log)


def sip_version_get(*, actor: Actor, public_id: uuid.UUID | str) -> SipVersion:
    """One version of a plan, if ``actor`` may see it and it is shared with them (logged); 404 otherwise."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        raise Http404(_("No SIP found.")) from None
    sip_public_id = SipVersion.objects.filter(public_id=key).values_list("sip__public_id", flat=True).first()
    if sip_public_id is None:
        raise _deny(actor, patient_id=None, record_id=str(key), action=Action.READ)
    view = sip_get(actor=actor, public_id=sip_public_id)
    if not view.shared:
        raise Http404(_("No SIP found."))
    version = next(v for v in view.sip.versions.all() if v.public_id == key)
    version.sip = view.sip
    return version


def sip_list(*, actor: Actor, updated_since: datetime.datetime | None = None) -> QuerySet[Sip]:
    """Plans of every patient ``actor`` may see, unread: show a page of it with ``sips_listed``.

    ``updated_since`` keeps only plans changed at or after that moment (for clients that sync).
    """
    queryset = sip_queryset().filter(visible_sips_q(actor))
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    return queryset.order_by("-created_at", "-pk")


def sips_listed(*, actor: Actor, sips: Sequence[Sip]) -> list[SipView]:
    """The plans as ``actor`` may see them, logged in one write; the same queries for 1 plan or 100.

    A plan whose patient the actor may not see is left out (and not logged): the list's queryset already
    applies the same rule as a filter, so this is a second line, not the first.
    """
    patients: dict[int, Patient] = {}
    for sip in sips:
        sip.patient = patients.setdefault(sip.patient_id, sip.patient)
    grants = patients_granted(actor=actor, patients=list(patients.values()))
    views = []
    for sip in sips:
        grant = grants[sip.patient_id]
        membership = grant.membership or handlaggare_membership(actor, sip)
        if membership is None:
            continue
        views.append(
            SipView(
                sip=sip,
                membership=membership,
                identity_visible=grant.identity_visible,
                shared=shared_with(actor, sip, consent_withdrawn=consent_withdrawal(sip) is not None),
                patient_facts=grant.facts,
            )
        )
    access_log_record(
        actor=actor,
        accesses=[
            Access(
                patient_id=view.sip.patient_id,
                record_type=RECORD_SIP,
                record_id=str(view.sip.public_id),
                membership=view.membership,
            )
            for view in views
        ],
        action=Action.LIST,
    )
    return views


def sips_for_patient(
    *, actor: Actor, patient: Seen[Patient], updated_since: datetime.datetime | None = None
) -> list[SipView]:
    """The plans of a patient read through ``patient_get`` (which checked access); each one logged.

    ``updated_since`` keeps only plans changed at or after that moment (for clients that sync).
    """
    queryset = sip_queryset().filter(patient=patient.obj)
    if updated_since is not None:
        queryset = queryset.filter(updated_at__gte=updated_since)
    sips = list(queryset.order_by("-created_at", "-pk"))
    for sip in sips:
        sip.patient = patient.obj
    return sips_listed(actor=actor, sips=sips)


def sip_started_from_case(*, case: ResponsibilityCase) -> Sip | None:
    """The plan started from ``case``, if any: its id and status only, for a case already read through
    ``cases.selectors.case_get`` (which checked access and logged the read)."""
    return Sip.objects.filter(case=case).only("public_id", "status", "case_id").first()


def sip_reload(*, sip: Sip) -> Sip:
    """The plan as stored now, for answering the person who just changed it (the service logged)."""
    return sip_queryset().get(pk=sip.pk)


def handlaggare_choices(*, sip: Sip) -> list[tuple[str, str]]:
    """Who may be named the plan's biståndshandläggare, as ``(user id, "name, unit")``: the active users
    holding that role in the person's kommun or the kommun that keeps the plan (the rule the service
    checks), by name. Staff names only, nothing of the patient. The one named now is kept in the list,
    marked, if she no longer holds the role there, so that saving the draft leaves her as she is."""
    kommuner = {sip.patient.folkbokforing_kommun_id, sip.owner_organisation_id}
    units: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for membership in (
        Membership.objects.active()
        .filter(
            role__in=SIP_SOL_EDITORS,
            organisation_id__in=kommuner,
            organisation__kind=OrganisationKind.KOMMUN,
            user__is_active=True,
        )
        .select_related("user", "organisation")
        .order_by("user__first_name", "user__last_name", "user__username", "organisation__name")
    ):
        key = str(membership.user.public_id)
        names[key] = membership.user.display_name
        if membership.organisation.name not in units.setdefault(key, []):
            units[key].append(membership.organisation.name)
    choices = [(key, f"{names[key]}, {', '.join(units[key])}") for key in names]
    named = sip.bistandshandlaggare
    if named is not None and str(named.public_id) not in names:
        choices.append(
            (
                str(named.public_id),
                _("%(name)s (no longer biståndshandläggare in the kommun)") % {"name": named.display_name},
            )
        )
    return choices
