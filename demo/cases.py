"""Responsibility cases in every state for the demo world (domain brief §5, §7, §8).

Every case is driven through the real services (``cases.services``, ``sip.services``) as the demo user
whose job it is - ``nurse.<kommun>`` opens, ``gp.<vårdcentral>`` reviews, ``specialist.<clinic>`` signs,
``mas.<kommun>`` approves or rejects (or, for care the region performs, is informed),
``coordinator.<kommun>`` escalates, ``governance.<body>`` decides -
so the timeline, the access log and the notifications are the ones real use would leave. No status is
ever written directly.

Cases are numbered; the number is written at the end of the background ("Demoärende 017"), so a second
run finds the cases of the first and adds only those missing. Case *n* depends only on the seed and *n*.

The services stamp ``now``. To give the figures realistic lead times, ``_backdate`` (DEMO ONLY) moves the
case row's own dates (created, submitted, agreed, closed) and the risk analysis and SIP creation dates
into the past. The timeline, positions, signatures, decisions and the access log are append-only in the
database and keep the time the seed ran.

What a case is about and which path it takes are data (``demo.scenarios``); one case's steps through the
services are the story driver (``demo.story``); this module numbers the cases, picks each one's patient
and scenario, drives and backdates it, and reports.
"""

from __future__ import annotations

import datetime
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementVersion
from cases import services as case_services
from cases.models import (
    CaseStatus,
    EscalationDecision,
    ResponsibilityCase,
    RiskAnalysis,
    ShiftPlanning,
    Urgency,
)
from consent import services as consent_services
from consent.models import BasisKind, ConsentForm, GivenBy
from directory.models import Membership, OrganisationKind, Role
from patients.models import Enrolment, HousingSetting, Patient
from patients.selectors import patient_get
from sip.models import Sip

from .registers import seed_delegations, seed_trainings
from .scenarios import (
    AGE_DAYS,
    ANALYSIS_PATHS,
    AWAITING_APPROVAL,
    DISPUTE_PATHS,
    PATH_CYCLE,
    SCENARIOS,
    Scenario,
)
from .story import Cast, DemoCasesError, Story, drive

Notify = Callable[[str], None]

DEFAULT_CASES = 150
MARKER = "Demoärende"
_MARKER_RE = re.compile(rf"\({MARKER} (\d+)\b")


def _marker(number: int) -> str:
    return f"({MARKER} {number:03d} – påhittade uppgifter för demonstration.)"


# --- Writing the cases -------------------------------------------------------------------------------


@dataclass
class CasesReport:
    created: int = 0
    present: int = 0
    skipped_reason: str = ""
    by_path: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def existing_demo_numbers() -> set[int]:
    numbers = set()
    for background in ResponsibilityCase.objects.filter(background__contains=f"({MARKER} ").values_list(
        "background", flat=True
    ):
        match = _MARKER_RE.search(background)
        if match:
            numbers.add(int(match.group(1)))
    return numbers


def path_for(number: int) -> str:
    return PATH_CYCLE[(number - 1) % len(PATH_CYCLE)]


def _scenario_for(path: str, rng: random.Random, *, lss_available: bool) -> Scenario:
    candidates = [s for s in SCENARIOS if lss_available or s.housing != HousingSetting.LSS_HOUSING]
    if path in ANALYSIS_PATHS:
        candidates = [s for s in candidates if s.needs_analysis]
        if path == AWAITING_APPROVAL:
            candidates = [s for s in candidates if s.kommun_approves]
    elif path in DISPUTE_PATHS:
        candidates = [s for s in candidates if s.disputable]
    return rng.choice(candidates)


class _PatientPool:
    """Enrolled demo patients without a case, per housing kind, in a fixed order."""

    def __init__(self) -> None:
        has_case = ResponsibilityCase.objects.filter(patient=OuterRef("pk"))
        open_enrolment = Enrolment.objects.filter(patient=OuterRef("pk"), ends_on__isnull=True)
        rows = (
            Patient.objects.filter(is_demo=True, protected_identity=False, listed_vardcentral__isnull=False)
            .filter(Exists(open_enrolment))
            .exclude(Exists(has_case))
            .order_by("pk")
            .values_list("pk", "public_id", "housing_setting")
        )
        self._lss = [
            (pk, public_id) for pk, public_id, housing in rows if housing == HousingSetting.LSS_HOUSING
        ]
        self._other = [
            (pk, public_id) for pk, public_id, housing in rows if housing != HousingSetting.LSS_HOUSING
        ]

    @property
    def lss_available(self) -> bool:
        return bool(self._lss)

    def __bool__(self) -> bool:
        return bool(self._lss or self._other)

    def take(self, rng: random.Random, *, lss: bool) -> tuple[int, str] | None:
        pool = self._lss if lss else self._other
        if not pool:
            return None
        pk, public_id = pool.pop(rng.randrange(len(pool)))
        return pk, str(public_id)


# --- DEMO ONLY: dates in the past ------------------------------------------------------------------


def _backdate(story: Story, now: datetime.datetime) -> None:
    """DEMO ONLY. Move the case's own dates into the past so the figures show realistic lead times.

    Only columns the database lets change are touched (the case row, the risk analyses' and the SIP's
    creation dates). Timeline events, positions, signatures, decisions and the access log are
    append-only and keep the time the seed ran. A running deadline (``due_at``) is left alone.
    """
    rng = story.rng
    case = story.case
    low, high = AGE_DAYS[story.path]
    opened = now - datetime.timedelta(days=rng.randint(low, high), hours=rng.randint(0, 8))
    opened = min(opened, now)

    def after(start: datetime.datetime, days: tuple[float, float]) -> datetime.datetime:
        return min(start + datetime.timedelta(days=rng.uniform(*days)), now)

    dates: dict[str, datetime.datetime] = {"created_at": opened}
    submitted = None
    if case.submitted_at is not None:
        submitted = after(opened, (0.02, min(2.0, max(0.05, (now - opened).days * 0.1))))
        dates["submitted_at"] = submitted
    agreed = None
    if case.agreed_at is not None and submitted is not None:
        span = max((now - submitted).total_seconds() / 86400, 0.1)
        escalated = EscalationDecision.objects.filter(case=case).exists()
        wanted = rng.uniform(20, 90) if escalated else rng.uniform(1, 30)
        agreed = min(submitted + datetime.timedelta(days=min(wanted, span * 0.5)), now)
        dates["agreed_at"] = agreed
    if case.closed_at is not None:
        start = agreed or submitted or opened
        span = max((now - start).total_seconds() / 86400, 0.1)
        dates["closed_at"] = start + datetime.timedelta(days=rng.uniform(0.3, 0.95) * span)
    ResponsibilityCase.objects.filter(pk=case.pk).update(**dates)
    if submitted is not None:
        analysis_start = submitted + datetime.timedelta(days=0.5)
        for analysis in RiskAnalysis.objects.filter(case=case).order_by("number"):
            analysis_start = min(analysis_start + datetime.timedelta(days=rng.uniform(1, 5)), now)
            RiskAnalysis.objects.filter(pk=analysis.pk).update(created_at=analysis_start)
    if agreed is not None:
        Sip.objects.filter(case=case).update(created_at=min(agreed + datetime.timedelta(days=1), now))


# --- The entry point -------------------------------------------------------------------------------


def _agreement_in_force() -> bool:
    return AgreementVersion.objects.filter(
        agreement__region__name="Region Halland", status="in_force"
    ).exists()


def _demo_basis(justification: str, opened_at: datetime.datetime) -> consent_services.BasisInput:
    """The legal basis the opener records: a menprövning for a person with dementia, who cannot give
    a valid consent; the person's own oral consent for everyone else."""
    day = timezone.localtime(opened_at).date()
    if "demens" in justification.lower():
        return consent_services.BasisInput(
            kind=BasisKind.MENPROVNING,
            assessed_by_name="Kommunsjuksköterska i hemsjukvården, med fast läkarkontakt",
            assessed_on=day,
            reasoning=(
                "Personen kan på grund av demenssjukdom inte ta ställning till samtycke. Närstående har "
                "hörts. Att vårdcentralen och kliniken får del av uppgifterna behövs för vården i hemmet "
                "och bedöms inte medföra men för personen."
            ),
        )
    return consent_services.BasisInput(
        kind=BasisKind.CONSENT,
        scope="Ärendet, riskanalysen och vårdplanen delas med vårdcentralen, kliniken och kommunen.",
        given_by=GivenBy.PERSON,
        form=ConsentForm.ORAL,
        given_on=day,
    )


def _open_case(
    *, number: int, scenario: Scenario, rng: random.Random, cast: Cast, patient_public_id: str
) -> Story:
    patient_row = Patient.objects.select_related("listed_vardcentral").get(public_id=patient_public_id)
    enrolment = (
        Enrolment.objects.filter(patient=patient_row, ends_on__isnull=True).select_related("kommun").get()
    )
    kommun = enrolment.kommun
    opener = cast.actor(scenario.opener, kommun.pk)
    patient = patient_get(actor=opener, public_id=patient_public_id)
    clinic = cast.organisation(scenario.clinic) if scenario.clinic else None
    staff, costs, competence, safety = scenario.flags
    roll = rng.random()
    planning = (
        ShiftPlanning.UNKNOWN
        if roll < 0.15
        else ShiftPlanning.PLANNED
        if rng.random() < scenario.planned_share
        else ShiftPlanning.UNORGANISED
    )
    unorganised = planning == ShiftPlanning.UNORGANISED
    background = rng.choice(scenario.backgrounds)
    if unorganised:
        background += " Ingen planering skedde före utskrivningen/ordinationen."
    case = case_services.case_open(
        actor=opener,
        patient=patient,
        data=case_services.CaseInput(
            trigger=rng.choice(scenario.triggers),
            urgency=Urgency.URGENT if rng.random() < scenario.urgent_share else Urgency.ROUTINE,
            background=f"{background}\n\n{_marker(number)}",
            specialist_clinic=clinic,
            # An unorganised shift tends to cost more of everything; a flag is now and then not set.
            increased_staff_time=staff and (unorganised or rng.random() < 0.9),
            increased_other_costs=costs and (unorganised or rng.random() < 0.7),
            competence_needed=competence and (unorganised or rng.random() < 0.85),
            patient_safety_risk=safety and (unorganised or rng.random() < 0.6),
            shift_planning=planning,
            task_codes=scenario.tasks,
        ),
    )
    consent_services.basis_record(
        actor=opener, case=case, data=_demo_basis(enrolment.threshold_justification, case.created_at)
    )
    case.refresh_from_db()
    assert patient_row.listed_vardcentral is not None
    return Story(
        number=number,
        path=path_for(number),
        scenario=scenario,
        rng=rng,
        cast=cast,
        case=case,
        kommun=kommun,
        vardcentral=patient_row.listed_vardcentral,
        clinic=clinic,
    )


def seed_cases(
    *, count: int, seed: int, progress: Notify | None = None, backdate: bool = True
) -> CasesReport:
    """Make demo cases 1..``count`` that are not there yet, each driven to its path's state."""
    report = CasesReport()
    if count <= 0:
        return report
    if not _agreement_in_force():
        report.skipped_reason = "no demo agreement is loaded"
        return report
    seed_trainings(seed=seed)  # before any case starts: the training condition holds for them too
    present = existing_demo_numbers()
    wanted = [n for n in range(1, count + 1) if n not in present]
    report.present = count - len(wanted)
    if not wanted:
        return report
    pool = _PatientPool()
    if not pool:
        report.skipped_reason = "no enrolled demo patients without a case"
        return report
    cast = Cast()
    step = max(10, len(wanted) // 10)
    for done, number in enumerate(wanted, start=1):
        rng = random.Random(f"demo-case:{seed}:{number}")  # noqa: S311 - demo data, not secrets
        path = path_for(number)
        scenario = _scenario_for(path, rng, lss_available=pool.lss_available)
        taken = pool.take(rng, lss=scenario.housing == HousingSetting.LSS_HOUSING)
        if taken is None:
            report.skipped_reason = "ran out of enrolled demo patients without a case"
            break
        try:
            with transaction.atomic():
                story = _open_case(
                    number=number, scenario=scenario, rng=rng, cast=cast, patient_public_id=taken[1]
                )
                drive(story)
                if backdate:
                    _backdate(story, timezone.now())
        except Exception as exc:
            raise DemoCasesError(f"Demo case {number} ({path}, {scenario.key}) failed: {exc!r}") from exc
        report.created += 1
        report.by_path[path] += 1
        if progress and (done % step == 0 or done == len(wanted)):
            progress(f"  cases: {done} of {len(wanted)} new")
    seed_delegations(seed=seed)
    return report


def example_urls(per_state: int = 3) -> dict[str, list[tuple[str, str]]]:
    """A few demo cases per state (closed split by how), with the page and a user who may open it."""
    examples: dict[str, list[tuple[str, str]]] = {}
    rows = (
        ResponsibilityCase.objects.filter(background__contains=f"({MARKER} ")
        .select_related("kommun", "escalation_body")
        .order_by("pk")
    )
    nurse_names = dict(
        Membership.objects.filter(role=Role.NURSE, organisation__kind=OrganisationKind.KOMMUN)
        .order_by("-user__username")
        .values_list("organisation_id", "user__username")
    )
    for case in rows:
        label = case.status
        if case.status == CaseStatus.CLOSED:
            label = f"closed ({case.closure})"
        elif case.status == CaseStatus.ESCALATED:
            label = f"escalated (level {case.escalation_level})"
        elif EscalationDecision.objects.filter(case=case).exists():
            label = f"{case.status} (decided)"
        bucket = examples.setdefault(label, [])
        if len(bucket) < per_state:
            url = reverse("cases:detail", kwargs={"public_id": case.public_id})
            bucket.append((url, nurse_names.get(case.kommun_id, "")))
    return examples


def demo_case_counts() -> dict[str, int]:
    counts: Counter[str] = Counter()
    for status in ResponsibilityCase.objects.filter(background__contains=f"({MARKER} ").values_list(
        "status", flat=True
    ):
        counts[status] += 1
    return dict(counts)


__all__: Sequence[str] = (
    "DEFAULT_CASES",
    "CasesReport",
    "DemoCasesError",
    "demo_case_counts",
    "example_urls",
    "existing_demo_numbers",
    "seed_cases",
)
