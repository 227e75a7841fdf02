"""Reads of agreements, and the loader that gives the rule engine everything it needs.

Agreements are not patient data: every authenticated user may read every agreement, so these selectors
take the actor for the sake of a uniform signature and do not filter by it. Reads of *patient* data (the
situation the engine works on) go through ``patients.selectors.patient_get``, which checks access and
writes the access log.
"""

from __future__ import annotations

import datetime
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet

from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from patients.models import Enrolment, Patient

from .areas import PhysicianArea
from .choices import (
    AgreementStatus,
    EscalationBodyRef,
    HardRuleCode,
    default_escalation_identity,
    time_bands_parse,
)
from .engine import (
    DEFAULT_BAND_STARTS,
    AreaRef,
    Conditions,
    OrganisationRef,
    PartySpec,
    PatientSituation,
    RuleRef,
    RuleSet,
    SectionRef,
    TaskTypeRef,
    VersionRef,
    governing_version,
)
from .hard_rules import HardRuleRef
from .models import (
    HARD_RULE_DEFAULTS,
    Agreement,
    AgreementVersion,
    CareTaskType,
    EscalationLevel,
    HardRule,
    ResponsibilityRule,
    Section,
)

# --- Plain reads for the API and the admin ---------------------------------------------------------


def agreement_list(*, actor: Actor | None) -> QuerySet[Agreement]:
    return Agreement.objects.select_related("region", "local_kommun", "local_vardcentral").prefetch_related(
        Prefetch("versions", queryset=AgreementVersion.objects.order_by("-valid_from", "-pk"))
    )


def agreement_version_list(*, actor: Actor | None) -> QuerySet[AgreementVersion]:
    return (
        AgreementVersion.objects.select_related("agreement__region", "threshold_section", "supersedes")
        .prefetch_related(
            "kommuner",
            "legal_references__section",
            Prefetch(
                "escalation_levels",
                queryset=EscalationLevel.objects.select_related("body").order_by("level"),
            ),
        )
        .order_by("agreement__code", "-valid_from", "-pk")
    )


def section_list(*, actor: Actor | None) -> QuerySet[Section]:
    return Section.objects.select_related("version__agreement").order_by("version_id", "position", "pk")


def care_task_type_list(*, actor: Actor | None) -> QuerySet[CareTaskType]:
    return CareTaskType.objects.order_by("kind", "code")


def responsibility_rule_list(*, actor: Actor | None) -> QuerySet[ResponsibilityRule]:
    return ResponsibilityRule.objects.select_related(
        "version__agreement",
        "task_type",
        "section",
        "orders_organisation",
        "performs_organisation",
        "follows_up_organisation",
    ).order_by("version_id", "task_type__kind", "task_type__code", "housing_setting", "pk")


@dataclass(frozen=True)
class EscalationStep:
    level: int
    deadline_days: int
    day_kind: str
    body: Organisation | None
    body_ref: str
    binding: bool = True
    urgent_deadline_days: int | None = None
    identity: str = "identified"


def escalation_ladder(
    *, actor: Actor | None, version: AgreementVersion, kommun_id: int
) -> list[EscalationStep]:
    """The version's escalation levels with each body resolved for a patient of ``kommun_id``.

    "The local joint body of the patient's kommun" is the active joint body whose kommun is that kommun;
    ``body`` is ``None`` where the region has none, which the caller must show as a gap to fill.
    """
    levels = list(version.escalation_levels.select_related("body").order_by("level"))
    local_body = None
    if any(level.body_ref == EscalationBodyRef.KOMMUN_JOINT_BODY for level in levels):
        local_body = (
            Organisation.objects.filter(
                kind=OrganisationKind.JOINT_BODY,
                kommun_id=kommun_id,
                region_id=version.agreement.region_id,
                is_active=True,
            )
            .order_by("pk")
            .first()
        )
    return [
        EscalationStep(
            level=level.level,
            deadline_days=level.deadline_days,
            day_kind=version.deadline_day_kind,
            body=local_body if level.body_ref == EscalationBodyRef.KOMMUN_JOINT_BODY else level.body,
            body_ref=level.body_ref,
            binding=level.binding,
            urgent_deadline_days=level.urgent_deadline_days,
            identity=level.identity or default_escalation_identity(level.level),
        )
        for level in levels
    ]


# --- The engine's inputs ---------------------------------------------------------------------------


def patient_situation(
    *,
    patient: Patient,
    specialist_clinic_id: int | None = None,
    stay_kommun: Organisation | None = None,
) -> PatientSituation:
    """The engine's view of a patient.

    ``patient`` should come from ``patients.selectors.patient_get`` (which checked access, logged the
    read, annotated the open enrolment and joined the kommun); otherwise the enrolment is queried here.
    ``stay_kommun`` is the kommun the case records the person stays in (HSL 12 kap. 2 §): its region's
    agreements apply.
    """
    if hasattr(patient, "open_enrolment_kommun_id"):
        open_kommun: int | None = patient.open_enrolment_kommun_id
    else:
        open_kommun = (
            Enrolment.objects.open().filter(patient=patient).values_list("kommun_id", flat=True).first()
        )
    region_id = (stay_kommun or patient.folkbokforing_kommun).region_id
    assert region_id is not None, "a kommun always belongs to a region"
    return PatientSituation(
        housing_setting=patient.housing_setting,
        folkbokforing_kommun_id=patient.folkbokforing_kommun_id,
        open_enrolment_kommun_id=open_kommun,
        listed_vardcentral_id=patient.listed_vardcentral_id,
        region_id=region_id,
        specialist_clinic_id=specialist_clinic_id,
        stay_kommun_id=stay_kommun.pk if stay_kommun is not None else None,
        housing_unit=patient.housing_unit,
        postal_code=patient.postal_code,
    )


@dataclass(frozen=True)
class ProposalInputs:
    """The task types found for the codes asked for, and the rule set for the patient's region."""

    task_types: Mapping[str, TaskTypeRef]
    rules: RuleSet

    def missing_codes(self, codes: Iterable[str]) -> list[str]:
        return [code for code in codes if code not in self.task_types]


def responsibility_inputs_load(
    *,
    actor: Actor | None,
    situation: PatientSituation,
    task_codes: Sequence[str],
    on: datetime.date,
) -> ProposalInputs:
    """Load, in three queries, what ``engine.rules_propose_split`` needs for these tasks on ``on``.

    1. per agreement of the patient's region, the latest non-draft version started by ``on``, with its
       kommun parties and its vårdcentraler for physician input by area (one row per party and area);
    2. the task types for ``task_codes``, left-joined with their rules in those versions;
    3. the organisations the proposal can name: the patient's, the case's, the rules', the areas', the
       region's mobile teams, and the kommun each private performer among them acts for.

    Only active task types are found; the caller reports codes that are missing.
    """
    versions, physician_rule = _load_versions(region_id=situation.region_id, on=on)
    task_types, rules_by_task_type = _load_task_types_and_rules(
        codes=task_codes, version_ids=[v.id for v in versions]
    )
    named = {
        spec.organisation_id
        for rules in rules_by_task_type.values()
        for rule in rules
        for spec in (rule.orders, rule.performs, rule.follows_up)
        if spec.organisation_id is not None
    }
    patient_organisations = {
        situation.region_id,
        situation.folkbokforing_kommun_id,
        situation.open_enrolment_kommun_id,
        situation.listed_vardcentral_id,
        situation.specialist_clinic_id,
        situation.stay_kommun_id,
    }
    named |= {area.vardcentral_id for version in versions for area in version.physician_areas}
    organisations, mobile_team_ids = _load_organisations(
        region_id=situation.region_id,
        ids={i for i in named | patient_organisations if i is not None},
    )
    return ProposalInputs(
        task_types=task_types,
        rules=RuleSet(
            region_id=situation.region_id,
            versions=tuple(versions),
            rules_by_task_type=rules_by_task_type,
            organisations=organisations,
            mobile_team_ids=mobile_team_ids,
            physician_rule=physician_rule,
        ),
    )


def cases_before_enrolment_allowed(*, situation: PatientSituation, on: datetime.date) -> bool:
    """Whether the agreement governing this patient on ``on`` lets a case open before enrolment.

    The most specific version in force that binds and covers the patient decides
    (``engine.governing_version``); without one, no.
    """
    versions, _rule = _load_versions(region_id=situation.region_id, on=on)
    version = governing_version(versions, situation, on)
    return version is not None and version.cases_before_enrolment


# --- The three reads, as plain SQL ------------------------------------------------------------------
#
# This is the hot path of every proposal. Compiling these joins through the ORM costs several times
# what PostgreSQL needs to answer them, so they are written out once, in SQL that PostgreSQL and SQLite
# (development) both accept, with the few conversions the two drivers differ on done by hand.
# ``tests/agreements/test_selectors.py`` checks them against the ORM's view of the same rows.

_V = AgreementVersion._meta.db_table
_A = Agreement._meta.db_table
_S = Section._meta.db_table
_K = AgreementVersion.kommuner.through._meta.db_table
_T = CareTaskType._meta.db_table
_R = ResponsibilityRule._meta.db_table
_O = Organisation._meta.db_table
_H = HardRule._meta.db_table
_P = PhysicianArea._meta.db_table

_VERSIONS_SQL = f"""
SELECT v.id, v.public_id, v.agreement_id, a.public_id, a.code, v.title, v.version, v.status,
       v.valid_from, v.valid_to, a.scope, a.region_id, a.local_kommun_id, a.local_vardcentral_id,
       v.covered_housing_settings, s.id, s.public_id, s.number, s.heading, k.organisation_id,
       v.threshold_principle, v.threshold_specialised_performer, v.cases_before_enrolment,
       v.day_band_from, v.evening_band_from, v.night_band_from,
       (SELECT COUNT(*) FROM {_H} h WHERE h.code = %s),
       (SELECT h.citation FROM {_H} h
        WHERE h.code = %s AND h.valid_from <= %s AND (h.valid_to IS NULL OR h.valid_to >= %s)
        ORDER BY h.valid_from DESC LIMIT 1),
       (SELECT h.fallback_citation FROM {_H} h
        WHERE h.code = %s AND h.valid_from <= %s AND (h.valid_to IS NULL OR h.valid_to >= %s)
        ORDER BY h.valid_from DESC LIMIT 1),
       pa.id, pa.vardcentral_id, pa.housing_unit, pa.district, pa.postal_codes,
       ps.id, ps.public_id, ps.number, ps.heading, pv.kommun_id
FROM {_V} v
JOIN {_A} a ON a.id = v.agreement_id
LEFT JOIN {_S} s ON s.id = v.threshold_section_id
LEFT JOIN {_K} k ON k.agreementversion_id = v.id
LEFT JOIN {_P} pa ON pa.version_id = v.id
LEFT JOIN {_S} ps ON ps.id = pa.section_id
LEFT JOIN {_O} pv ON pv.id = pa.vardcentral_id
WHERE a.region_id = %s
  AND v.id = (
    SELECT u.id FROM {_V} u
    WHERE u.agreement_id = v.agreement_id AND u.valid_from <= %s AND u.status <> %s
    ORDER BY u.valid_from DESC, u.id DESC
    LIMIT 1
  )
ORDER BY v.id, pa.id
"""  # noqa: S608 - table names come from the models; values are bound

_TASKS_AND_RULES_SQL = f"""
SELECT t.id, t.public_id, t.code, t.name_sv, t.name_en, t.kind, t.care_level,
       r.id, r.public_id, r.version_id, r.housing_setting, r.enrolment_requirement,
       r.orders_party, r.orders_organisation_id, r.performs_party, r.performs_organisation_id,
       r.follows_up_party, r.follows_up_organisation_id,
       r.risk_analysis_required, r.approver_role, r.specialist_active_role_required,
       r.training_required, r.contact_24_7_required, r.delegation_allowed, r.max_duration_days,
       r.note, s.id, s.public_id, s.number, s.heading, r.time_bands
FROM {_T} t
LEFT JOIN {_R} r ON r.task_type_id = t.id AND r.version_id IN ({{versions}})
LEFT JOIN {_S} s ON s.id = r.section_id
WHERE t.code IN ({{codes}}) AND t.is_active = %s
ORDER BY t.id, r.id
"""  # noqa: S608 - table names come from the models; values are bound

_ORGANISATIONS_SQL = f"""
SELECT o.id, o.public_id, o.name, o.kind, o.kommun_id, o.is_active
FROM {_O} o
WHERE o.id IN ({{ids}}) OR (o.region_id = %s AND o.kind = %s)
   OR o.id IN (SELECT p.kommun_id FROM {_O} p WHERE p.id IN ({{ids}}) AND p.kind = %s)
ORDER BY o.id
"""  # noqa: S608 - table names come from the models; values are bound


def _placeholders(count: int) -> str:
    # "IN (NULL)" matches nothing, and keeps the statement valid for an empty list.
    return ", ".join(["%s"] * count) if count else "NULL"


def _rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))


def _time(value: Any, default: datetime.time) -> datetime.time:
    if isinstance(value, datetime.time):
        return value
    return datetime.time.fromisoformat(str(value)) if value else default


def _json_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    loaded = json.loads(value) if value else []
    return loaded if isinstance(loaded, list) else []


def _section(section_id: Any, public_id: Any, number: Any, heading: Any) -> SectionRef | None:
    if section_id is None:
        return None
    return SectionRef(id=section_id, public_id=_uuid(public_id), number=number, heading=heading)


def _load_versions(*, region_id: int, on: datetime.date) -> tuple[list[VersionRef], HardRuleRef | None]:
    """Per agreement of the region, the latest non-draft version started by ``on``, and the law's
    physician rule as in force on ``on`` (one query: the rule rides along on every row)."""
    code = HardRuleCode.PHYSICIAN_CARE_NOT_KOMMUN.value
    rows = _rows(
        _VERSIONS_SQL, [code, code, on, on, code, on, on, region_id, on, AgreementStatus.DRAFT.value]
    )
    kommuner: dict[int, set[int]] = defaultdict(set)
    areas: dict[int, dict[int, AreaRef]] = defaultdict(dict)
    first: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        first.setdefault(row[0], row)
        if row[19] is not None:
            kommuner[row[0]].add(row[19])
        if row[29] is not None and row[29] not in areas[row[0]]:
            section = _section(row[34], row[35], row[36], row[37])
            assert section is not None, "an area always cites a section"
            areas[row[0]][row[29]] = AreaRef(
                id=row[29],
                vardcentral_id=row[30],
                housing_unit=row[31],
                district=row[32],
                postal_codes=tuple(c.strip() for c in (row[33] or "").split(",") if c.strip()),
                section=section,
                kommun_id=row[38],
            )
    versions = []
    for version_id, row in first.items():
        valid_from = _date(row[8])
        assert valid_from is not None
        versions.append(
            VersionRef(
                id=version_id,
                public_id=_uuid(row[1]),
                agreement_id=row[2],
                agreement_public_id=_uuid(row[3]),
                agreement_code=row[4],
                title=row[5],
                version=row[6],
                status=row[7],
                valid_from=valid_from,
                valid_to=_date(row[9]),
                scope=row[10],
                region_id=row[11],
                local_kommun_id=row[12],
                local_vardcentral_id=row[13],
                covered_housing_settings=frozenset(_json_list(row[14])),
                threshold_section=_section(row[15], row[16], row[17], row[18]),
                kommun_ids=frozenset(kommuner[version_id]),
                threshold_principle=bool(row[20]),
                threshold_specialised_performer=row[21],
                cases_before_enrolment=bool(row[22]),
                band_starts=(
                    _time(row[23], DEFAULT_BAND_STARTS[0]),
                    _time(row[24], DEFAULT_BAND_STARTS[1]),
                    _time(row[25], DEFAULT_BAND_STARTS[2]),
                ),
                physician_areas=tuple(areas[version_id].values()),
            )
        )
    return versions, _physician_rule(rows[0] if rows else None)


def _physician_rule(row: tuple[Any, ...] | None) -> HardRuleRef | None:
    """The physician rule from a versions row, as ``HardRule.objects.in_force`` would find it."""
    code = HardRuleCode.PHYSICIAN_CARE_NOT_KOMMUN.value
    if row is None or not row[26]:
        # No data for the rule at all (or no agreement, so no rule to check): the law as it stands.
        return HARD_RULE_DEFAULTS[code]
    if row[27] is None:
        return None
    return HardRuleRef(code=code, citation=row[27], fallback_citation=row[28] or "")


def _load_task_types_and_rules(
    *, codes: Sequence[str], version_ids: Sequence[int]
) -> tuple[dict[str, TaskTypeRef], dict[int, tuple[RuleRef, ...]]]:
    """The active task types for ``codes``, each with its rules in ``version_ids`` (one query)."""
    sql = _TASKS_AND_RULES_SQL.format(
        versions=_placeholders(len(version_ids)), codes=_placeholders(len(codes))
    )
    task_types: dict[str, TaskTypeRef] = {}
    rules: dict[int, list[RuleRef]] = defaultdict(list)
    for row in _rows(sql, [*version_ids, *codes, True]):
        task_id = row[0]
        if row[2] not in task_types:
            task_types[row[2]] = TaskTypeRef(
                id=task_id,
                public_id=_uuid(row[1]),
                code=row[2],
                name_sv=row[3],
                name_en=row[4],
                kind=row[5],
                care_level=row[6],
            )
        if row[7] is None:
            continue
        section = _section(row[26], row[27], row[28], row[29])
        assert section is not None, "a rule always cites a section"
        rules[task_id].append(
            RuleRef(
                id=row[7],
                public_id=_uuid(row[8]),
                version_id=row[9],
                task_type_id=task_id,
                housing_setting=row[10],
                enrolment_requirement=row[11],
                orders=PartySpec(row[12], row[13]),
                performs=PartySpec(row[14], row[15]),
                follows_up=PartySpec(row[16], row[17]),
                conditions=Conditions(
                    risk_analysis_required=bool(row[18]),
                    approver_role=row[19],
                    specialist_active_role_required=bool(row[20]),
                    training_required=bool(row[21]),
                    contact_24_7_required=bool(row[22]),
                    delegation_allowed=bool(row[23]),
                    max_duration_days=row[24],
                    note=row[25],
                ),
                section=section,
                time_bands=time_bands_parse(row[30]),
            )
        )
    return task_types, {task_id: tuple(found) for task_id, found in rules.items()}


def _load_organisations(
    *, region_id: int, ids: set[int]
) -> tuple[dict[int, OrganisationRef], tuple[int, ...]]:
    """The organisations ``ids`` and the region's mobile teams (one query)."""
    wanted = sorted(ids)
    sql = _ORGANISATIONS_SQL.format(ids=_placeholders(len(wanted)))
    organisations = {
        row[0]: OrganisationRef(
            id=row[0],
            public_id=_uuid(row[1]),
            name=row[2],
            kind=row[3],
            kommun_id=row[4],
            is_active=bool(row[5]),
        )
        for row in _rows(
            sql,
            [
                *wanted,
                region_id,
                OrganisationKind.MOBILE_TEAM.value,
                *wanted,
                OrganisationKind.PRIVATE_PERFORMER.value,
            ],
        )
    }
    teams = tuple(o.id for o in organisations.values() if o.kind == OrganisationKind.MOBILE_TEAM)
    return organisations, teams


def organisations_by_public_id(
    *, public_ids: Iterable[Any], kinds: Iterable[str] | None = None
) -> dict[str, Organisation]:
    queryset = Organisation.objects.filter(public_id__in=list(public_ids))
    if kinds is not None:
        queryset = queryset.filter(kind__in=list(kinds))
    return {str(o.public_id): o for o in queryset}
