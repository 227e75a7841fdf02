"""What has happened at each escalated case's current level (``governance.LevelFacts``), and which
organisations a joint body's decision may name: reads the system makes for itself."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q
from django.utils import timezone

from agreements.models import EscalationLevel
from directory.models import Organisation, OrganisationKind

from ..governance import LevelFacts, side_of
from ..models import CaseEvent, CaseStatus, EscalationDecision, EventKind, ResponsibilityCase
from ..transitions import A

ANSWERS = (A.ACCEPT_RECOMMENDATION, A.DECLINE_RECOMMENDATION, A.CONSENT_SKIP)


def level_facts_many(cases: Sequence[ResponsibilityCase]) -> dict[int, LevelFacts]:
    """``LevelFacts`` for each escalated case of ``cases``, in four queries however many cases."""
    escalated = [c for c in cases if c.status == CaseStatus.ESCALATED and c.escalation_level]
    if not escalated:
        return {}
    versions = {c.agreement_version_id for c in escalated if c.agreement_version_id is not None}
    ladder: dict[int, dict[int, bool]] = {}
    for version_id, level, binding in EscalationLevel.objects.filter(version_id__in=versions).values_list(
        "version_id", "level", "binding"
    ):
        ladder.setdefault(version_id, {})[level] = binding
    by_pk = {c.pk: c for c in escalated}
    decided = set(
        EscalationDecision.objects.filter(
            Q(*[Q(case_id=c.pk, level=c.escalation_level) for c in escalated], _connector=Q.OR)
        ).values_list("case_id", flat=True)
    )
    answers: dict[int, dict[str, set[str]]] = {}
    for case_id, action, organisation_id, payload in CaseEvent.objects.filter(
        # A party's answer is a position; the escalation a second consent makes is not one.
        case_id__in=list(by_pk),
        action__in=ANSWERS,
        kind=EventKind.POSITION,
    ).values_list("case_id", "action", "organisation_id", "payload"):
        case = by_pk[case_id]
        side = side_of(case, organisation_id) if organisation_id is not None else None
        if side is None or (payload or {}).get("level") != case.escalation_level:
            continue
        answers.setdefault(case_id, {}).setdefault(action, set()).add(side)
    now = timezone.now()
    facts = {}
    for case in escalated:
        steps = ladder.get(case.agreement_version_id or 0, {})
        level = case.escalation_level or 0
        given = answers.get(case.pk, {})
        facts[case.pk] = LevelFacts(
            level=level,
            binding=steps.get(level, True),
            has_next=(level + 1) in steps,
            decided=case.pk in decided,
            accepted_by=frozenset(given.get(A.ACCEPT_RECOMMENDATION, ())),
            declined_by=frozenset(given.get(A.DECLINE_RECOMMENDATION, ())),
            skip_consents=frozenset(given.get(A.CONSENT_SKIP, ())),
            overdue=case.due_at is not None and case.due_at <= now,
        )
    return facts


DECISION_KINDS = (OrganisationKind.SPECIALIST_CLINIC, OrganisationKind.MOBILE_TEAM)


def decision_organisations(case: ResponsibilityCase) -> list[Organisation]:
    """Every organisation a body's decision on ``case`` may name: the case's kommun, vårdcentral and
    clinic, the region, and the region's specialist clinics and mobile teams (ASIH among them)."""
    region_id = case.kommun.region_id
    named = [case.kommun_id, case.vardcentral_id, case.specialist_clinic_id, region_id]
    rows = Organisation.objects.filter(
        Q(pk__in=[i for i in named if i is not None])
        | Q(region_id=region_id, kind__in=DECISION_KINDS, is_active=True)
    )
    found = {o.pk: o for o in rows}
    first = [found[i] for i in dict.fromkeys(named) if i is not None and i in found]
    rest = sorted((o for o in found.values() if o not in first), key=lambda o: (o.kind, o.name))
    return [*first, *rest]


def level_bindings(case: ResponsibilityCase) -> dict[int, bool]:
    """Whether each level of the case's agreement ladder binds (``True``) or recommends."""
    if case.agreement_version_id is None:
        return {}
    return dict(
        EscalationLevel.objects.filter(version_id=case.agreement_version_id).values_list("level", "binding")
    )
