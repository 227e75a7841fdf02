"""The organisations of the national world and its patients."""

from __future__ import annotations

import datetime
import random
import uuid
from dataclasses import dataclass, field
from typing import Any

from bench.national.copying import Copier, _text
from bench.national.shape import CLINIC_KINDS, HALLAND, PEOPLE_PER_VARDCENTRAL, REGIONS, progress

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
    "search_name",
    "street_address",
    "postal_code",
    "city",
    "folkbokforing_kommun_id",
    "housing_setting",
    "housing_unit",
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
    from hemsjukvard.search import search_name_of

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
    # Registered before the access log's three years begin: an entry about a patient is never older
    # than the patient's registration, and the patient's log extract reads from it (audit.extract).
    registered = (now - datetime.timedelta(days=3 * 365 + 1)).isoformat()
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
        given = rng.choice(PATIENT_GIVEN_NAMES_FEMALE if female else PATIENT_GIVEN_NAMES_MALE)
        family = rng.choice(FAMILY_NAMES)
        patients.add(
            "\t".join(
                (
                    str(pk),
                    public_id,
                    registered,
                    stamp,
                    identity,
                    "personnummer",
                    given,
                    family,
                    search_name_of(given, family),
                    f"{rng.choice(STREETS)} {rng.randint(1, 60)}",
                    f"{rng.randint(100, 999)} {rng.randint(10, 99)}",
                    kommun.name.removeprefix("Kommun "),
                    str(kommun.pk),
                    housing,
                    "",  # the SÄBO unit: the national world names none
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
