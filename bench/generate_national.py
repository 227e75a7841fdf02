"""Fill a dedicated PostgreSQL database with a national-scale world (benchmark data, not a test).

    .venv/bin/python bench/generate_national.py [--scale 1.0] [--database hsv_national] [--reset]

At ``--scale 1``: 21 regions and 290 kommuner (Region Halland and its six kommuner exactly as the demo
world has them, with the demo agreement; the other 20 regions with their real names, real number of
kommuner and synthetic kommun names such as "Kommun Skåne 07"), about 1,150 vårdcentraler, specialist
clinics, mobile teams and joint bodies per region, one user per role per organisation, 414,000 patients
(99 % with an open enrolment), 1,000,000 responsibility cases in every state with their tasks and
timelines (about six events each) and 20,000,000 access-log rows. ``--scale`` multiplies the patients,
cases and log rows (0.01 is a smoke size); the organisations are always all there.

The database is created and migrated here (``--reset`` drops it first); the name must not start with
``test`` so the test databases are never touched. The big tables are loaded with COPY (psycopg 3
``cursor.copy()``) in batches, with progress. While loading, the secondary indexes of the loaded tables
are dropped and afterwards re-created from the exact ``pg_get_indexdef`` text saved before, so the
schema ends as the migrations made it; foreign-key triggers are skipped during COPY
(``session_replication_role = replica``) and every foreign key of the loaded tables is checked with one
anti-join afterwards instead. The append-only triggers only fire on UPDATE/DELETE, which COPY never
does. At the end everything is VACUUM ANALYZEd and the figures' materialised view refreshed.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FULL_PATIENTS = 414_000
FULL_CASES = 1_000_000
FULL_ACCESS_LOG = 20_000_000
SEED = 20260414
COPY_BATCH = 250_000

# (name, short name, population, number of kommuner): the 21 regions of Sweden (2023, rounded).
REGIONS: tuple[tuple[str, str, int, int], ...] = (
    ("Region Stockholm", "Stockholm", 2_450_000, 26),
    ("Region Uppsala", "Uppsala", 400_000, 8),
    ("Region Sörmland", "Sörmland", 300_000, 9),
    ("Region Östergötland", "Östergötland", 470_000, 13),
    ("Region Jönköpings län", "Jönköping", 370_000, 13),
    ("Region Kronoberg", "Kronoberg", 205_000, 8),
    ("Region Kalmar län", "Kalmar", 247_000, 12),
    ("Region Gotland", "Gotland", 61_000, 1),
    ("Region Blekinge", "Blekinge", 159_000, 5),
    ("Region Skåne", "Skåne", 1_400_000, 33),
    ("Region Halland", "Halland", 340_000, 6),
    ("Västra Götalandsregionen", "Västra Götaland", 1_750_000, 49),
    ("Region Värmland", "Värmland", 283_000, 16),
    ("Region Örebro län", "Örebro", 306_000, 12),
    ("Region Västmanland", "Västmanland", 280_000, 10),
    ("Region Dalarna", "Dalarna", 288_000, 15),
    ("Region Gävleborg", "Gävleborg", 288_000, 10),
    ("Region Västernorrland", "Västernorrland", 245_000, 7),
    ("Region Jämtland Härjedalen", "Jämtland", 132_000, 8),
    ("Region Västerbotten", "Västerbotten", 275_000, 15),
    ("Region Norrbotten", "Norrbotten", 250_000, 14),
)
HALLAND = "Region Halland"
PEOPLE_PER_VARDCENTRAL = 9_000
CLINIC_KINDS = (
    ("Njurmedicin", "njurmedicin"),
    ("Infektionskliniken", "infektion"),
    ("Lungmedicin", "lungmedicin"),
    ("Palliativ enhet/ASIH", "asih"),
)

# The status a case has now, how often, and how old (days) a case in it can be.
STATUS_WEIGHTS: tuple[tuple[str, float, int], ...] = (
    ("draft", 0.05, 30),
    ("submitted", 0.01, 10),
    ("in_review", 0.06, 45),
    ("risk_analysis", 0.04, 60),
    ("awaiting_approval", 0.04, 60),
    ("disputed", 0.03, 60),
    ("escalated", 0.03, 120),
    ("agreed", 0.03, 120),
    ("active", 0.25, 730),
    ("follow_up", 0.05, 730),
    ("closed", 0.41, 1095),
)
TRIGGERS = (("discharge", 45), ("specialist_request", 25), ("changed_needs", 20), ("new_enrolment", 10))
RECORD_TYPES = (
    ("patient", 30),
    ("responsibility_case", 40),
    ("case_timeline", 12),
    ("enrolment", 8),
    ("risk_analysis", 6),
    ("sip", 4),
)
LOG_ACTIONS = (("read", 58), ("list", 32), ("update", 7), ("create", 3))


def progress(message: str) -> None:
    # UTC throughout: Django's settings switch the process's local time zone part-way through the run.
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


# --- Database creation -----------------------------------------------------------------------------


def _server_dsn(database_url: str, dbname: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def database_prepare(database_url: str, *, reset: bool) -> None:
    from urllib.parse import urlsplit

    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    if not name or name.startswith("test") or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"Refusing to fill database {name!r}: use a dedicated one such as hsv_national.")
    with psycopg.connect(_server_dsn(database_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            progress(f"dropping database {name}")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            progress(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


# --- COPY helpers ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    """One field in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Copier:
    """COPY rows (already formatted lines) into one table in batches of ``COPY_BATCH`` rows."""

    def __init__(self, conn: Any, table: str, columns: list[str], total: int, label: str) -> None:
        self.conn = conn
        self.table = table
        self.columns = columns
        self.total = total
        self.label = label
        self.buffer = io.StringIO()
        self.pending = 0
        self.written = 0
        self.started = time.perf_counter()
        self.next_report = max(total // 10, COPY_BATCH)

    def add(self, line: str) -> None:
        self.buffer.write(line)
        self.pending += 1
        if self.pending >= COPY_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        statement = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        with self.conn.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(self.buffer.getvalue())
        self.written += self.pending
        self.pending = 0
        self.buffer = io.StringIO()
        if self.written >= self.next_report or self.written >= self.total:
            elapsed = time.perf_counter() - self.started
            rate = self.written / elapsed if elapsed else 0.0
            left = (self.total - self.written) / rate if rate else 0.0
            progress(
                f"  {self.label}: {self.written:,} of {self.total:,} ({rate:,.0f} rows/s, ~{left:.0f} s left)"
            )
            self.next_report = self.written + max(self.total // 10, COPY_BATCH)


def secondary_indexes(conn: Any, table: str) -> list[tuple[str, str]]:
    """(name, exact CREATE INDEX statement) of the indexes of ``table`` not backing a constraint."""
    rows = conn.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """,
        [table],
    ).fetchall()
    return [(name, definition) for name, definition in rows]


def foreign_keys_check(conn: Any, tables: list[str]) -> None:
    """Every foreign key of ``tables`` holds (COPY ran without the FK triggers)."""
    rows = conn.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
        """,
        [tables],
    ).fetchall()
    for table, column, target, target_column in rows:
        broken = conn.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
        ).fetchone()[0]
        if broken:
            raise SystemExit(f"{broken} rows of {table}.{column} point at no {target} row")
    progress(f"  foreign keys checked: {len(rows)} on {len(tables)} tables, all hold")


# --- The world's shape -----------------------------------------------------------------------------


@dataclass
class Org:
    pk: int
    name: str
    region_pk: int


@dataclass
class Kommun(Org):
    weight: float
    vardcentraler: list[Org] = field(default_factory=list)
    nurse: int = 0
    staff: list[int] = field(default_factory=list)  # indexes into World.staff
    local_body: int = 0


@dataclass
class Region(Org):
    kommuner: list[Kommun] = field(default_factory=list)
    clinics: list[Org] = field(default_factory=list)
    bodies: tuple[int, int] = (0, 0)  # levels 2 and 3
    population: int = 0
    staff: list[int] = field(default_factory=list)


@dataclass
class Staff:
    user_pk: int
    role: str
    organisation_pk: int
    prefix: str  # "user_id\tuser_label\tapi_client\trole\torganisation_id\torganisation_label"


@dataclass
class World:
    regions: list[Region] = field(default_factory=list)
    staff: list[Staff] = field(default_factory=list)
    gp_by_vardcentral: dict[int, int] = field(default_factory=dict)
    agreement_version: int | None = None
    task_types: list[tuple[int, str, str]] = field(default_factory=list)  # pk, code, kind


def organisations_build(rng: random.Random) -> World:
    """Halland from the demo world (with its agreement), the other 20 regions synthetic."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from agreements.models import AgreementVersion, CareTaskType
    from demo.world import DEFAULT_PASSWORD, KOMMUNER, load_demo_agreement, seed_organisations, seed_users
    from directory.models import Membership, Organisation, OrganisationKind, Ownership, Role, User

    world = World()
    with transaction.atomic():
        halland = seed_organisations()
        demo_users = seed_users(password=DEFAULT_PASSWORD, organisations=halland)
    load_demo_agreement(imported_by=demo_users["admin.halland"])
    version = AgreementVersion.objects.order_by("pk").first()
    world.agreement_version = version.pk if version else None
    world.task_types = list(CareTaskType.objects.order_by("pk").values_list("pk", "code", "kind"))

    password = make_password(DEFAULT_PASSWORD)
    users: list[User] = []
    memberships: list[tuple[str, int, str]] = []  # username, organisation pk, role
    start = datetime.date(2024, 1, 1)

    def staff(org: Organisation, slug: str, roles: tuple[str, ...]) -> None:
        for role in roles:
            username = f"{role}.{slug}"
            users.append(
                User(
                    username=username,
                    first_name=role.capitalize(),
                    last_name=slug,
                    email=f"{username}@example.org",
                    password=password,
                )
            )
            memberships.append((username, org.pk, role))

    populations = {k.name: k.population for k in KOMMUNER}
    for r_index, (name, short, population, n_kommuner) in enumerate(REGIONS):
        if name == HALLAND:
            region_org = halland[HALLAND]
            region = Region(region_org.pk, name, region_org.pk)
            total = sum(populations.values())
            for kommun in KOMMUNER:
                org = halland[kommun.name]
                k = Kommun(org.pk, org.name, region_org.pk, weight=kommun.population / total)
                k.local_body = halland[f"Lokal samverkan {kommun.short_name}"].pk
                region.kommuner.append(k)
            by_pk = {k.pk: k for k in region.kommuner}
            for org in halland.values():
                if org.kind == OrganisationKind.VARDCENTRAL and org.kommun_id in by_pk:
                    by_pk[org.kommun_id].vardcentraler.append(Org(org.pk, org.name, region_org.pk))
                elif org.kind == OrganisationKind.SPECIALIST_CLINIC:
                    region.clinics.append(Org(org.pk, org.name, region_org.pk))
            region.bodies = (halland["RUG Halland"].pk, halland["GNHH"].pk)
            region.population = population
            world.regions.append(region)
            continue
        slug = f"r{r_index:02d}"
        region_org = Organisation.objects.create(name=name, kind=OrganisationKind.REGION)
        region = Region(region_org.pk, name, region_org.pk)
        region.population = population
        staff(region_org, slug, (Role.COORDINATOR, Role.ADMIN))
        weights = [rng.lognormvariate(0, 0.8) for _ in range(n_kommuner)]
        kommun_orgs = Organisation.objects.bulk_create(
            [
                Organisation(
                    name=f"Kommun {short} {i + 1:02d}",
                    kind=OrganisationKind.KOMMUN,
                    region=region_org,
                    kommun_code=f"{r_index:02d}{i + 1:02d}",
                )
                for i in range(n_kommuner)
            ]
        )
        rest: list[Organisation] = []
        plan: list[tuple[Organisation, str, tuple[str, ...]]] = []
        for i, (org, weight) in enumerate(zip(kommun_orgs, weights, strict=True)):
            k = Kommun(org.pk, org.name, region_org.pk, weight=weight / sum(weights))
            region.kommuner.append(k)
            kslug = f"{slug}-k{i + 1:02d}"
            staff(
                org,
                kslug,
                (Role.NURSE, Role.REHAB, Role.MAS, Role.MAR, Role.COORDINATOR, Role.ADMIN),
            )
            people = population * k.weight
            for j in range(max(1, round(people / PEOPLE_PER_VARDCENTRAL))):
                vc = Organisation(
                    name=f"Vårdcentralen {short} {i + 1:02d}-{j + 1:02d}",
                    kind=OrganisationKind.VARDCENTRAL,
                    region=region_org,
                    kommun=org,
                    ownership=Ownership.PRIVATE if rng.random() < 0.46 else Ownership.PUBLIC,
                )
                rest.append(vc)
                plan.append((vc, f"{kslug}-vc{j + 1:02d}", (Role.GP, Role.COORDINATOR)))
            body = Organisation(
                name=f"Lokal samverkan {short} {i + 1:02d}",
                kind=OrganisationKind.JOINT_BODY,
                region=region_org,
                kommun=org,
            )
            rest.append(body)
            plan.append((body, f"{kslug}-samverkan", (Role.GOVERNANCE,)))
        for clinic_name, clinic_slug in CLINIC_KINDS:
            clinic = Organisation(
                name=f"{clinic_name} {short}", kind=OrganisationKind.SPECIALIST_CLINIC, region=region_org
            )
            rest.append(clinic)
            plan.append((clinic, f"{slug}-{clinic_slug}", (Role.SPECIALIST,)))
        team = Organisation(
            name=f"Mobilt närsjukvårdsteam {short}", kind=OrganisationKind.MOBILE_TEAM, region=region_org
        )
        rest.append(team)
        plan.append((team, f"{slug}-mobilt-team", (Role.SPECIALIST, Role.NURSE)))
        for body_name, body_slug in (("Regional utvecklingsgrupp", "rug"), ("Gemensam nämnd", "nämnd")):
            body = Organisation(
                name=f"{body_name} {short}", kind=OrganisationKind.JOINT_BODY, region=region_org
            )
            rest.append(body)
            plan.append((body, f"{slug}-{body_slug}", (Role.GOVERNANCE,)))
        Organisation.objects.bulk_create(rest)
        by_pk = {k.pk: k for k in region.kommuner}
        for org, org_slug, roles in plan:
            staff(org, org_slug, roles)
            if org.kind == OrganisationKind.VARDCENTRAL:
                by_pk[org.kommun_id].vardcentraler.append(Org(org.pk, org.name, region_org.pk))
            elif org.kind == OrganisationKind.SPECIALIST_CLINIC:
                region.clinics.append(Org(org.pk, org.name, region_org.pk))
            elif org.kind == OrganisationKind.JOINT_BODY and org.kommun_id:
                by_pk[org.kommun_id].local_body = org.pk
        bodies = [o.pk for o, _s, _r in plan if o.kind == OrganisationKind.JOINT_BODY and not o.kommun_id]
        region.bodies = (bodies[0], bodies[1])
        world.regions.append(region)

    User.objects.bulk_create(users, batch_size=2000)
    user_pk = dict(User.objects.values_list("username", "pk"))
    Membership.objects.bulk_create(
        [
            Membership(user_id=user_pk[u], organisation_id=o, role=r, valid_from=start)
            for u, o, r in memberships
        ],
        batch_size=2000,
    )

    # The people who read and write: every membership in a care role, for cases and the access log.
    kommun_by_pk = {k.pk: k for region in world.regions for k in region.kommuner}
    region_by_pk = {region.pk: region for region in world.regions}
    rows = Membership.objects.select_related("user", "organisation").exclude(role=Role.ADMIN).order_by("pk")
    for m in rows:
        user = m.user
        label = f"{user.get_full_name() or user.username} ({user.username})"
        prefix = "\t".join(
            _text(v) for v in (user.pk, label, "", m.role, m.organisation_id, m.organisation.name)
        )
        index = len(world.staff)
        world.staff.append(Staff(user.pk, m.role, m.organisation_id, prefix))
        org = m.organisation
        if org.kind == OrganisationKind.KOMMUN:
            own_kommun = kommun_by_pk[org.pk]
            own_kommun.staff.append(index)
            if m.role == Role.NURSE and not own_kommun.nurse:
                own_kommun.nurse = user.pk
        elif org.kind == OrganisationKind.VARDCENTRAL and m.role == Role.GP:
            world.gp_by_vardcentral[org.pk] = user.pk
        own_region = region_by_pk.get(org.region_id or org.pk)
        if own_region is not None:
            own_region.staff.append(index)
    n_orgs = Organisation.objects.count()
    n_vc = Organisation.objects.filter(kind=OrganisationKind.VARDCENTRAL).count()
    progress(
        f"organisations: {n_orgs:,} ({len(world.regions)} regions, "
        f"{sum(len(r.kommuner) for r in world.regions)} kommuner, {n_vc:,} vårdcentraler); "
        f"users: {User.objects.count():,}; memberships: {Membership.objects.count():,}"
    )
    return world


# --- Patients ----------------------------------------------------------------------------------------


PATIENT_COLUMNS = [
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "personal_identity",
    "identity_kind",
    "given_name",
    "family_name",
    "street_address",
    "postal_code",
    "city",
    "folkbokforing_kommun_id",
    "housing_setting",
    "listed_vardcentral_id",
    "fast_lakarkontakt_id",
    "fast_vardkontakt_id",
    "interpreter_needed",
    "interpreter_language",
    "protected_identity",
    "is_demo",
]
ENROLMENT_COLUMNS = [
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "patient_id",
    "kommun_id",
    "starts_on",
    "ends_on",
    "threshold_justification",
    "enrolled_by_id",
    "ended_by_id",
    "end_reason",
]


@dataclass
class PatientRow:
    pk: int
    public_id: str
    kommun: Kommun
    vardcentral: int
    region: Region
    housing: str


def patients_load(
    conn: Any, world: World, count: int, rng: random.Random, now: datetime.datetime
) -> list[PatientRow]:
    from demo.world import (
        DEMO_BIRTH_NUMBERS,
        FAMILY_NAMES,
        HOUSING_WEIGHTS,
        JUSTIFICATIONS,
        PATIENT_GIVEN_NAMES_FEMALE,
        PATIENT_GIVEN_NAMES_MALE,
        STREETS,
        demo_personnummer,
    )

    kommuner: list[tuple[Kommun, Region]] = []
    weights: list[float] = []
    for region in world.regions:
        for kommun in region.kommuner:
            kommuner.append((kommun, region))
            weights.append(region.population * kommun.weight)
    cum = _cumulative(weights)
    housings = [h for h, _ in HOUSING_WEIGHTS]
    housing_cum = _cumulative([w for _, w in HOUSING_WEIGHTS])
    # Unique demo personnummer: (birth day 1915-1994, demo birth number) pairs drawn without repeats.
    first_day = datetime.date(1915, 1, 1)
    days = (datetime.date(1995, 1, 1) - first_day).days
    numbers = list(DEMO_BIRTH_NUMBERS)
    picks = rng.sample(range(days * len(numbers)), count)
    stamp = now.isoformat()
    next_id = _next_id(conn, "patients_patient")
    next_enrolment = _next_id(conn, "patients_enrolment")
    patients = Copier(conn, "patients_patient", PATIENT_COLUMNS, count, "patients")
    enrolments = Copier(conn, "patients_enrolment", ENROLMENT_COLUMNS, count, "enrolments")
    result: list[PatientRow] = []
    for i in range(count):
        kommun, region = rng.choices(kommuner, cum_weights=cum)[0]
        vardcentral = rng.choice(kommun.vardcentraler).pk
        pick = picks[i]
        birth = first_day + datetime.timedelta(days=pick // len(numbers))
        number = numbers[pick % len(numbers)]
        female = number % 2 == 0
        identity = demo_personnummer(birth, number)
        enrolled = i % 101 != 100
        housing = rng.choices(housings, cum_weights=housing_cum)[0] if enrolled else "ordinary_home"
        pk = next_id + i
        public_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        protected = rng.random() < 0.005
        patients.add(
            "\t".join(
                (
                    str(pk),
                    public_id,
                    stamp,
                    stamp,
                    identity,
                    "personnummer",
                    rng.choice(PATIENT_GIVEN_NAMES_FEMALE if female else PATIENT_GIVEN_NAMES_MALE),
                    rng.choice(FAMILY_NAMES),
                    f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                    f"{rng.randint(100, 999)} {rng.randint(10, 99)}",
                    kommun.name.removeprefix("Kommun "),
                    str(kommun.pk),
                    housing,
                    str(vardcentral),
                    _text(world.gp_by_vardcentral.get(vardcentral)),
                    _text(kommun.nurse if enrolled else None),
                    "f",
                    "",
                    "t" if protected else "f",
                    "t",
                )
            )
            + "\n"
        )
        if enrolled:
            starts = datetime.date(2016, 1, 1) + datetime.timedelta(days=rng.randrange(3600))
            enrolments.add(
                "\t".join(
                    (
                        str(next_enrolment + i),
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        stamp,
                        stamp,
                        str(pk),
                        str(kommun.pk),
                        starts.isoformat(),
                        "\\N",
                        _text(rng.choice(JUSTIFICATIONS)),
                        str(kommun.nurse),
                        "\\N",
                        "",
                    )
                )
                + "\n"
            )
        result.append(PatientRow(pk, public_id, kommun, vardcentral, region, housing))
    patients.flush()
    enrolments.flush()
    return result


def _cumulative(weights: list[float]) -> list[float]:
    total = 0.0
    out = []
    for weight in weights:
        total += weight
        out.append(total)
    return out


def _next_id(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}").fetchone()[0])  # noqa: S608


# --- Cases, tasks and timelines ------------------------------------------------------------------------


CASE_COLUMNS = [
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "patient_id",
    "opened_by_id",
    "opened_by_organisation_id",
    "kommun_id",
    "vardcentral_id",
    "specialist_clinic_id",
    "trigger",
    "urgency",
    "background",
    "increased_staff_time",
    "increased_other_costs",
    "competence_needed",
    "patient_safety_risk",
    "shift_planning",
    "status",
    "owner_organisation_id",
    "owner_role",
    "due_at",
    "escalation_level",
    "escalation_body_id",
    "agreement_version_id",
    "closure",
    "submitted_at",
    "agreed_at",
    "closed_at",
    "version",
]
TASK_COLUMNS = [
    "id",
    "public_id",
    "case_id",
    "task_type_id",
    "note",
    "proposal_status",
    "proposal",
    "rule_id",
    "agreement_version_id",
    "requires_risk_analysis",
    "approver_role",
    "specialist_active_role_required",
    "review_state",
    "agreed_orders_id",
    "agreed_performs_id",
    "agreed_follows_up_id",
    "agreed_basis",
    "agreed_at",
]
EVENT_COLUMNS = [
    "id",
    "case_id",
    "at",
    "user_id",
    "organisation_id",
    "role",
    "api_client",
    "kind",
    "action",
    "from_status",
    "to_status",
    "reason",
    "payload",
    "deadline_key",
]
BACKGROUNDS = (
    "Utskrivningsklar från slutenvården; behov av insatser i hemmet.",
    "Specialistvården önskar att kommunens sjuksköterskor tar över uppföljningen.",
    "Förändrat vårdbehov efter fall i hemmet.",
    "Nyinskriven i hemsjukvården; ansvarsfördelning behöver klargöras.",
    "Ökat omvårdnadsbehov; närstående orkar inte längre.",
)
COMMENTS = ("Kontaktat vårdcentralen.", "Väntar på besked från specialistvården.", "Uppföljning bokad.")
SPECIALISED = {"specialised"}


def _ts(value: datetime.datetime) -> str:
    return value.isoformat()


@dataclass
class Event:
    at: datetime.datetime
    actor: int | None  # index into World.staff, or None for the system
    kind: str
    action: str = ""
    from_status: str = ""
    to_status: str = ""
    reason: str = ""
    payload: dict[str, Any] | None = None


def cases_load(
    conn: Any,
    world: World,
    patients: list[PatientRow],
    count: int,
    rng: random.Random,
    now: datetime.datetime,
) -> tuple[int, int, list[str]]:
    statuses = [s for s, _w, _a in STATUS_WEIGHTS]
    status_cum = _cumulative([w for _s, w, _a in STATUS_WEIGHTS])
    max_age = {s: a for s, _w, a in STATUS_WEIGHTS}
    triggers = [t for t, _ in TRIGGERS]
    trigger_cum = _cumulative([w for _, w in TRIGGERS])
    task_types = world.task_types
    # Common nursing tasks far more often than ventilators.
    tt_weights = [
        6.0 if kind == "nursing" else 2.0 if kind == "rehab" else 1.0 for _pk, _c, kind in task_types
    ]
    halland = next(r for r in world.regions if r.name == HALLAND)
    staff = world.staff

    # Who acts for each organisation in each role, looked up once.
    acting: dict[tuple[int, str], int] = {}
    for index, s in enumerate(staff):
        acting.setdefault((s.organisation_pk, s.role), index)

    next_case = _next_id(conn, "cases_responsibilitycase")
    next_task = _next_id(conn, "cases_casetask")
    next_event = _next_id(conn, "cases_caseevent")
    cases = Copier(conn, "cases_responsibilitycase", CASE_COLUMNS, count, "cases")
    tasks = Copier(conn, "cases_casetask", TASK_COLUMNS, int(count * 1.75), "case tasks")
    events = Copier(conn, "cases_caseevent", EVENT_COLUMNS, count * 6, "case events")
    case_ids: list[str] = []
    n_tasks = 0
    n_events = 0
    day = datetime.timedelta(days=1)
    for i in range(count):
        patient = patients[rng.randrange(len(patients))]
        kommun = patient.kommun
        region = patient.region
        status = statuses[_bisect(status_cum, rng.random() * status_cum[-1])]
        created = now - datetime.timedelta(seconds=rng.uniform(3600, max_age[status] * 86400))
        trigger = triggers[_bisect(trigger_cum, rng.random() * trigger_cum[-1])]
        clinic = (
            rng.choice(region.clinics).pk if trigger == "specialist_request" or rng.random() < 0.3 else None
        )
        nurse = acting.get((kommun.pk, "nurse"))
        gp = acting.get((patient.vardcentral, "gp"))
        mas = acting.get((kommun.pk, "mas"))
        coordinator = acting.get((kommun.pk, "coordinator"))
        n = 1 + _bisect([0.5, 0.8, 0.95, 1.0], rng.random())
        chosen: list[tuple[int, str, str]] = []
        while len(chosen) < n:
            candidate = rng.choices(task_types, weights=tt_weights)[0]
            if candidate not in chosen:
                chosen.append(candidate)
        needs_analysis = any(kind in SPECIALISED for _pk, _c, kind in chosen)
        # The timeline: the path through the life cycle that ends in ``status``.
        t = created
        timeline = [Event(t, nurse, "created", "create", payload={"tasks": [c for _p, c, _k in chosen]})]
        submitted_at = agreed_at = closed_at = due_at = None
        owner_org: int | None = None
        owner_role = ""
        escalation_level: int | None = None
        escalation_body: int | None = None
        closure = ""
        review_state = "pending"
        proposal_status = "pending"
        path = _path(status, rng)
        for step in path:
            t = t + datetime.timedelta(seconds=rng.uniform(600, 5 * 86400))
            if t > now:
                t = now - datetime.timedelta(seconds=rng.uniform(1, 600))
            if step == "submit":
                submitted_at = t
                proposal_status = "proposed"
                timeline.append(Event(t, nurse, "transition", "submit", "draft", "submitted"))
                timeline.append(Event(t, None, "transition", "submit", "submitted", "in_review"))
            elif step == "accept":
                review_state = "accepted"
                target = "risk_analysis" if needs_analysis else "agreed"
                timeline.append(Event(t, gp, "accepted", "accept", "in_review", target))
                if target == "agreed":
                    agreed_at = t
            elif step == "analysis":
                timeline.append(Event(t, nurse, "analysis_created", "create_analysis"))
                t = t + day
                timeline.append(
                    Event(t, gp, "analysis_signed", "sign_analysis", "risk_analysis", "awaiting_approval")
                )
            elif step == "approve":
                agreed_at = t
                timeline.append(
                    Event(t, mas, "analysis_approved", "approve_analysis", "awaiting_approval", "agreed")
                )
            elif step == "dispute":
                review_state = "disputed"
                timeline.append(Event(t, gp, "disputed", "dispute", "in_review", "disputed"))
                timeline.append(Event(t, nurse, "position", "state_position", reason="Kommunens ståndpunkt."))
            elif step.startswith("escalate"):
                level = int(step[-1])
                escalation_level = level
                escalation_body = (kommun.local_body, *region.bodies)[level - 1]
                source = "disputed" if level == 1 else "escalated"
                timeline.append(
                    Event(
                        t, coordinator, "escalated", "escalate", source, "escalated", payload={"level": level}
                    )
                )
            elif step == "decide":
                review_state = "decided"
                agreed_at = t
                timeline.append(Event(t, None, "decided", "decide", "escalated", "agreed"))
            elif step == "activate":
                timeline.append(Event(t, nurse, "transition", "activate", "agreed", "active"))
            elif step == "follow_up":
                timeline.append(Event(t, nurse, "transition", "start_follow_up", "active", "follow_up"))
            elif step == "complete":
                closed_at = t
                closure = "completed"
                timeline.append(Event(t, nurse, "transition", "close", "follow_up", "closed"))
            elif step == "withdraw":
                closed_at = t
                closure = "withdrawn"
                previous = timeline[-1].to_status or "draft"
                for event in reversed(timeline):
                    if event.to_status:
                        previous = event.to_status
                        break
                timeline.append(
                    Event(t, nurse, "withdrawn", "withdraw", previous, "closed", reason="Återkallat.")
                )
        for _ in range(_bisect([0.6, 0.9, 1.0], rng.random())):
            at = created + (t - created) * rng.random()
            timeline.append(
                Event(at, rng.choice((nurse, gp)), "comment", "comment", reason=rng.choice(COMMENTS))
            )
        if status != "escalated":
            escalation_level = escalation_body = None
        # Who holds the case now, and until when.
        if status == "in_review":
            owner_org, owner_role = patient.vardcentral, "gp"
            due_at = (submitted_at or created) + 5 * day
        elif status == "risk_analysis":
            owner_org, owner_role = kommun.pk, "nurse"
        elif status == "awaiting_approval":
            owner_org, owner_role = kommun.pk, "mas"
            due_at = t + 7 * day
        elif status == "disputed":
            owner_org, owner_role = kommun.pk, "coordinator"
        elif status == "escalated":
            owner_org, owner_role = escalation_body, "governance"
            due_at = t + 21 * day
        elif status == "follow_up":
            owner_org, owner_role = kommun.pk, "nurse"
            due_at = t + 30 * day
        elif status in ("draft", "submitted", "agreed", "active"):
            owner_org, owner_role = kommun.pk, "nurse"
        if status == "submitted":
            # Submitted, proposal not yet made: the second move has not happened.
            timeline = [e for e in timeline if e.from_status != "submitted"]
            proposal_status = "pending"
        case_pk = next_case + i
        public_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        case_ids.append(public_id)
        timeline.sort(key=lambda e: e.at)
        cases.add(
            "\t".join(
                (
                    str(case_pk),
                    public_id,
                    _ts(created),
                    _ts(t),
                    str(patient.pk),
                    str(kommun.nurse),
                    str(kommun.pk),
                    str(kommun.pk),
                    str(patient.vardcentral),
                    _text(clinic),
                    trigger,
                    "urgent" if rng.random() < 0.15 else "routine",
                    rng.choice(BACKGROUNDS),
                    "t" if rng.random() < 0.5 else "f",
                    "t" if rng.random() < 0.3 else "f",
                    "t" if needs_analysis or rng.random() < 0.2 else "f",
                    "t" if rng.random() < 0.15 else "f",
                    rng.choice(("unknown", "planned", "planned", "unorganised")),
                    status,
                    _text(owner_org),
                    owner_role,
                    _text(_ts(due_at) if due_at else None),
                    _text(escalation_level),
                    _text(escalation_body),
                    _text(world.agreement_version if region is halland else None),
                    closure,
                    _text(_ts(submitted_at) if submitted_at else None),
                    _text(_ts(agreed_at) if agreed_at else None),
                    _text(_ts(closed_at) if closed_at else None),
                    str(len(timeline)),
                )
            )
            + "\n"
        )
        agreed = review_state in ("accepted", "decided")
        for tt_pk, _code, kind in chosen:
            unclear = proposal_status == "proposed" and (
                patient.housing == "lss_housing" or rng.random() < 0.03
            )
            orders = clinic if (kind in SPECIALISED and clinic) else patient.vardcentral
            tasks.add(
                "\t".join(
                    (
                        str(next_task + n_tasks),
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        str(case_pk),
                        str(tt_pk),
                        "",
                        "unclear" if unclear else proposal_status,
                        "{}" if proposal_status == "pending" else '{"generated": true}',
                        "\\N",
                        _text(world.agreement_version if region is halland else None),
                        "t" if kind in SPECIALISED else "f",
                        ("mar" if kind == "rehab" else "mas") if kind in SPECIALISED else "",
                        "t" if kind in SPECIALISED and rng.random() < 0.5 else "f",
                        review_state,
                        _text(orders if agreed else None),
                        _text(kommun.pk if agreed else None),
                        _text(orders if agreed else None),
                        ("escalation" if review_state == "decided" else "proposal") if agreed else "",
                        _text(_ts(agreed_at) if agreed and agreed_at else None),
                    )
                )
                + "\n"
            )
            n_tasks += 1
        for event in timeline:
            who = staff[event.actor] if event.actor is not None else None
            events.add(
                "\t".join(
                    (
                        str(next_event + n_events),
                        str(case_pk),
                        _ts(event.at),
                        _text(who.user_pk if who else None),
                        _text(who.organisation_pk if who else None),
                        who.role if who else "",
                        "",
                        event.kind,
                        event.action,
                        event.from_status,
                        event.to_status,
                        event.reason,
                        json.dumps(event.payload or {}),
                        "",
                    )
                )
                + "\n"
            )
            n_events += 1
    cases.flush()
    tasks.total = tasks.written + tasks.pending
    tasks.flush()
    events.total = events.written + events.pending
    events.flush()
    return n_tasks, n_events, case_ids


def _bisect(cumulative: list[float], value: float) -> int:
    for index, bound in enumerate(cumulative):
        if value < bound:
            return index
    return len(cumulative) - 1


def _path(status: str, rng: random.Random) -> list[str]:
    """The steps from a new draft to ``status``."""
    to_agreed = ["submit", "accept", "analysis", "approve"] if rng.random() < 0.4 else ["submit", "accept"]
    if status == "draft":
        return []
    if status in ("submitted", "in_review"):
        return ["submit"]
    if status == "risk_analysis":
        return ["submit", "accept"]
    if status == "awaiting_approval":
        return ["submit", "accept", "analysis"]
    if status == "disputed":
        return ["submit", "dispute"]
    if status == "escalated":
        return ["submit", "dispute", *[f"escalate{level}" for level in range(1, 1 + _level(rng))]]
    if status == "agreed":
        return to_agreed
    if status == "active":
        return [*to_agreed, "activate"]
    if status == "follow_up":
        return [*to_agreed, "activate", "follow_up"]
    # closed: completed after follow-up, decided after escalation and completed, or withdrawn on the way
    roll = rng.random()
    if roll < 0.6:
        return [*to_agreed, "activate", "follow_up", "complete"]
    if roll < 0.75:
        levels = [f"escalate{level}" for level in range(1, 1 + _level(rng))]
        return ["submit", "dispute", *levels, "decide", "activate", "follow_up", "complete"]
    return [*rng.choice((["submit"], ["submit", "accept"], [])), "withdraw"]


def _level(rng: random.Random) -> int:
    roll = rng.random()
    return 1 if roll < 0.7 else 2 if roll < 0.92 else 3


# --- The access log -----------------------------------------------------------------------------------


LOG_COLUMNS = [
    "id",
    "user_id",
    "user_label",
    "api_client",
    "role",
    "organisation_id",
    "organisation_label",
    "at",
    "patient_id",
    "record_type",
    "record_id",
    "action",
    "outcome",
    "purpose",
    "reason",
    "client_address",
]


def access_log_load(
    conn: Any,
    world: World,
    patients: list[PatientRow],
    case_ids: list[str],
    count: int,
    rng: random.Random,
    now: datetime.datetime,
) -> None:
    """``count`` rows over the last three years, in time order, by staff of the patient's region."""
    record_types = [r for r, _ in RECORD_TYPES]
    record_cum = _cumulative([w for _, w in RECORD_TYPES])
    actions = [a for a, _ in LOG_ACTIONS]
    action_cum = _cumulative([w for _, w in LOG_ACTIONS])
    start = now - datetime.timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    step = span / max(count, 1)
    next_id = _next_id(conn, "audit_accesslogentry")
    log = Copier(conn, "audit_accesslogentry", LOG_COLUMNS, count, "access log")
    # Staff of each kommun and of its region (vårdcentraler, clinics), as formatted prefixes.
    kommun_readers: dict[int, list[str]] = {}
    for region in world.regions:
        regional = [
            world.staff[i].prefix for i in region.staff if world.staff[i].role in ("gp", "specialist")
        ]
        for kommun in region.kommuner:
            own = [world.staff[i].prefix for i in kommun.staff]
            kommun_readers[kommun.pk] = own * 3 + regional[:50]
    minute_cache: tuple[int, str] = (-1, "")
    base = start.replace(tzinfo=None)
    n_patients = len(patients)
    n_cases = len(case_ids)
    write = log.add
    random_ = rng.random
    for i in range(count):
        seconds = i * step + random_() * step
        minute = int(seconds // 60)
        if minute != minute_cache[0]:
            minute_cache = (minute, (base + datetime.timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:"))
        second = seconds - minute * 60
        at = f"{minute_cache[1]}{second:09.6f}+00"
        patient = patients[int(random_() * n_patients)]
        readers = kommun_readers[patient.kommun.pk]
        prefix = readers[int(random_() * len(readers))]
        record_type = record_types[_bisect(record_cum, random_() * record_cum[-1])]
        if record_type in ("patient", "enrolment"):
            record_id = patient.public_id
        else:
            record_id = case_ids[int(random_() * n_cases)] if n_cases else ""
        roll = random_()
        if roll < 0.003:
            outcome, purpose, reason = "denied", "none", ""
        elif roll < 0.005:
            outcome, purpose, reason = "granted", "emergency_access", "Akut läge, patienten medvetslös."
        else:
            outcome, purpose, reason = "granted", "care_relationship", ""
        write(
            f"{next_id + i}\t{prefix}\t{at}\t{patient.pk}\t{record_type}\t{record_id}\t"
            f"{actions[_bisect(action_cum, random_() * action_cum[-1])]}\t{outcome}\t{purpose}\t{reason}\t"
            f"10.{int(random_() * 250)}.{int(random_() * 250)}.{1 + int(random_() * 250)}\n"
        )
    log.flush()


# --- Putting it together --------------------------------------------------------------------------------


LOADED_TABLES = [
    "patients_patient",
    "patients_enrolment",
    "cases_responsibilitycase",
    "cases_casetask",
    "cases_caseevent",
    "audit_accesslogentry",
]


def timed(label: str, timings: list[tuple[str, float]], work: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    timings.append((label, elapsed))
    progress(f"{label}: {elapsed:.1f} s")
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = national (414k patients, 1M cases)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("NATIONAL_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hsv_national"),
    )
    parser.add_argument("--reset", action="store_true", help="drop and re-create the database first")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 1.0:
        parser.error("--scale must be in (0, 1]")

    started = time.perf_counter()
    timings: list[tuple[str, float]] = []
    database_prepare(args.database_url, reset=args.reset)
    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("HEMSJUKVARD_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemsjukvard.settings")
    import django

    django.setup()
    import psycopg
    from django.core.management import call_command

    timed("migrate", timings, lambda: call_command("migrate", verbosity=0))
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        if conn.execute("SELECT count(*) FROM patients_patient").fetchone()[0]:
            raise SystemExit("The database already holds patients: run with --reset to start again.")
    rng = random.Random(args.seed)
    world = timed("organisations, users, agreement", timings, lambda: organisations_build(rng))

    n_patients = max(50, round(FULL_PATIENTS * args.scale))
    n_cases = max(100, round(FULL_CASES * args.scale))
    n_log = max(1000, round(FULL_ACCESS_LOG * args.scale))
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    with psycopg.connect(args.database_url, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        saved: list[tuple[str, str, str]] = []
        for table in LOADED_TABLES:
            for name, definition in secondary_indexes(conn, table):
                saved.append((table, name, definition))
                conn.execute(f'DROP INDEX "{name}"')
        progress(f"dropped {len(saved)} secondary indexes of {len(LOADED_TABLES)} tables for the load")

        patients = timed(
            f"patients + enrolments ({n_patients:,})",
            timings,
            lambda: patients_load(conn, world, n_patients, rng, now),
        )
        n_tasks, n_events, case_ids = timed(
            f"cases + tasks + events ({n_cases:,})",
            timings,
            lambda: cases_load(conn, world, patients, n_cases, rng, now),
        )
        timed(
            f"access log ({n_log:,})",
            timings,
            lambda: access_log_load(conn, world, patients, case_ids, n_log, rng, now),
        )

        def restore() -> None:
            for table, name, definition in saved:
                conn.execute(definition)
                progress(f"  re-created {name} on {table}")

        timed("indexes re-created", timings, restore)
        for table in LOADED_TABLES:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            )
        conn.execute("SET session_replication_role = DEFAULT")
        timed("foreign keys checked", timings, lambda: foreign_keys_check(conn, LOADED_TABLES))

        def vacuum() -> None:
            for table in LOADED_TABLES:
                conn.execute(f"VACUUM (ANALYZE) {table}")
            conn.execute("ANALYZE")

        timed("VACUUM ANALYZE", timings, vacuum)
        refresh = conn.execute(
            "SELECT 1 FROM pg_matviews WHERE matviewname = 'figures_case_facts'"
        ).fetchone()
        if refresh:
            timed(
                "figures materialised view refreshed",
                timings,
                lambda: conn.execute("REFRESH MATERIALIZED VIEW figures_case_facts"),
            )
        size = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]

    total = time.perf_counter() - started
    print()
    print(f"National world at scale {args.scale}: {args.database_url.rsplit('/', 1)[-1]}, {size}")
    print(
        f"  patients {n_patients:,}, cases {n_cases:,}, tasks {n_tasks:,}, events {n_events:,}, "
        f"access log {n_log:,}"
    )
    for label, seconds in timings:
        print(f"  {label:<45} {seconds:8.1f} s")
    print(f"  {'total':<45} {total:8.1f} s ({total / 60:.1f} min) on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
