"""The demo world's competence transfers and delegations, recorded through the registers' services.

Every kommun has been trained by the ordering clinic in each task the demo agreement's rules ask training
for (so the demo's PD, TPN, tracheostomy, port and drain cases can start); one training, Hylte's in PD,
ends within the reminder window, so its reminder shows. Each kommun's nurse has delegated insulin
injections to a named undersköterska, and one vårdcentral physician has delegated B12 injections to a
kommun's staff after consultation with its MAS. Delegations are linked to the matching tasks of the
kommun's agreed and active demo cases. Safe to run again: what is there is kept.
"""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from agreements.models import AgreementVersion, ResponsibilityRule
from cases.models import CaseStatus, CaseTask
from competence import services
from competence.models import CompetenceTransfer, Delegation
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind, Role

DEFAULT_TRAINING_UNIT = "Palliativ enhet/ASIH Halland"
EXPIRING_SOON = ("Hylte kommun", "peritoneal_dialysis")
TRAINERS = {
    "Njurmedicin Halland": "Karin Lind, PD-sjuksköterska; Per Ek, specialistläkare njurmedicin",
    "Lungmedicin Halland": "Maria Holm, sjuksköterska andningsvård",
    DEFAULT_TRAINING_UNIT: "Eva Sund, sjuksköterska ASIH",
}
RECEIVERS = ("Sara Nilsson", "Amir Haddad", "Linnea Berg", "Johan Ek", "Fatima Ali", "Olle Persson")


def _member(organisation: Organisation, role: str) -> Actor | None:
    membership = (
        Membership.objects.active(timezone.localdate())
        .filter(organisation=organisation, role=role, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return Actor.for_user(membership.user, acting=membership) if membership is not None else None


def _versions() -> list[AgreementVersion]:
    return list(AgreementVersion.objects.filter(agreement__region__name="Region Halland", status="in_force"))


@transaction.atomic
def seed_trainings(*, seed: int) -> int:
    """Record, for every kommun, a training in each task a rule in force asks training for."""
    rng = random.Random(f"demo-trainings:{seed}")  # noqa: S311 - demo data, not secrets
    today = timezone.localdate()
    rules = (
        ResponsibilityRule.objects.filter(version__in=_versions(), training_required=True)
        .select_related("task_type", "orders_organisation")
        .order_by("task_type__code")
    )
    kommuner = list(
        Organisation.objects.filter(kind=OrganisationKind.KOMMUN, region__name="Region Halland").order_by(
            "name"
        )
    )
    made = 0
    for rule in rules:
        unit = rule.orders_organisation or Organisation.objects.filter(name=DEFAULT_TRAINING_UNIT).first()
        if unit is None:
            continue
        for kommun in kommuner:
            if CompetenceTransfer.objects.filter(receiving_unit=kommun, task_type=rule.task_type).exists():
                continue
            actor = _member(kommun, Role.NURSE)
            if actor is None:
                continue
            trained_on = today - datetime.timedelta(days=rng.randint(20, 280))
            if (kommun.name, rule.task_type.code) == EXPIRING_SOON:
                trained_on = today - datetime.timedelta(days=345)
            services.transfer_record(
                actor=actor,
                task_type=rule.task_type,
                training_unit=unit,
                trainers=TRAINERS.get(unit.name, TRAINERS[DEFAULT_TRAINING_UNIT]),
                receiving_unit=kommun,
                trained_staff=f"Hemsjukvårdens sjuksköterskor, {kommun.name} ({rng.randint(6, 14)} personer)",
                trained_on=trained_on,
                valid_until=trained_on + datetime.timedelta(days=365),
                note="Teori och praktisk övning; uppföljning efter tre månader.",
            )
            made += 1
    return made


@transaction.atomic
def seed_delegations(*, seed: int) -> int:
    """Each kommun's nurse delegates insulin injections; one GP delegates B12 injections across principals.
    Each is linked to the matching tasks of the kommun's agreed and active demo cases."""
    rng = random.Random(f"demo-delegations:{seed}")  # noqa: S311 - demo data, not secrets
    if Delegation.objects.exists():
        return 0
    today = timezone.localdate()
    rules = {
        rule.task_type.code: rule.task_type
        for rule in ResponsibilityRule.objects.filter(
            version__in=_versions(), delegation_allowed=True
        ).select_related("task_type")
    }
    made = 0
    kommuner = Organisation.objects.filter(
        kind=OrganisationKind.KOMMUN, region__name="Region Halland"
    ).order_by("name")
    for index, kommun in enumerate(kommuner):
        nurse = _member(kommun, Role.NURSE)
        insulin = rules.get("insulin_injection")
        if nurse is None or insulin is None:
            continue
        valid_from = today - datetime.timedelta(days=rng.randint(10, 200))
        services.delegation_record(
            actor=nurse,
            task_type=insulin,
            receiver_name=RECEIVERS[index % len(RECEIVERS)],
            receiver_title="Undersköterska, hemtjänsten",
            receiver_organisation=kommun,
            decision=(
                "Delegerar subkutan insulingivning med penna enligt ordination, efter genomgången utbildning "
                "och kunskapstest. Avvikelser rapporteras till ansvarig sjuksköterska."
            ),
            valid_from=valid_from,
            valid_until=services.twelve_months_after(valid_from),
            case_tasks=_linkable(kommun, insulin.pk),
        )
        made += 1
    b12 = rules.get("b12_injection")
    varberg = kommuner.filter(name="Varbergs kommun").first()
    vardcentrals = Organisation.objects.filter(kind=OrganisationKind.VARDCENTRAL, kommun=varberg)
    vardcentral = vardcentrals.order_by("name").first()
    gp = _member(vardcentral, Role.GP) if vardcentral is not None else None
    if b12 is not None and varberg is not None and gp is not None:
        services.delegation_record(
            actor=gp,
            task_type=b12,
            receiver_name="Linnea Berg",
            receiver_title="Undersköterska, hemsjukvården",
            receiver_organisation=varberg,
            decision="Delegerar intramuskulär B12-injektion var tredje månad enligt ordination.",
            valid_from=today - datetime.timedelta(days=30),
            valid_until=today + datetime.timedelta(days=150),
            consulted_with=f"MAS, {varberg.name}",
            consulted_on=today - datetime.timedelta(days=35),
            consultation_note="Samråd: kommunens personal tar emot delegering från vårdcentralens läkare.",
        )
        made += 1
    return made


def _linkable(kommun: Organisation, task_type_id: int) -> list[CaseTask]:
    """The kommun's agreed and active tasks of the type whose rule allows delegation (at most five)."""
    tasks = (
        CaseTask.objects.filter(
            case__kommun=kommun,
            case__status__in=(CaseStatus.AGREED, CaseStatus.ACTIVE, CaseStatus.FOLLOW_UP),
            task_type_id=task_type_id,
            agreed_performs=kommun,
        )
        .select_related("case", "task_type")
        .order_by("pk")
    )
    return [t for t in tasks if ((t.proposal or {}).get("conditions") or {}).get("delegation_allowed")][:5]
