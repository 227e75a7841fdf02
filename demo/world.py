"""The fictional demo world of Region Halland (domain brief §8): organisations, staff and patients.

Everything here is made up. The organisation names are fixed because the demo agreement
(``agreements/data/region_halland.yaml``) refers to them; HSA-ids and personnummer are fictional and
chosen from ranges that mark them as demo data (see ``DEMO_HSA_PREFIX`` and ``DEMO_BIRTH_NUMBERS``).

The world is built idempotently: organisations, users and memberships are matched on their natural
keys, and patients are a deterministic sequence (given ``seed``) in which patient *i* never depends on
how many patients were asked for, so a second run finds the patients of the first and adds only what is
missing. The pure ``*_specs`` functions describe the world; the ``seed_*`` functions write it.

Built by what it builds: ``demo.organisations`` (and the demo agreement), ``demo.people`` (the staff and
their memberships), ``demo.patients``; ``build_world`` here puts them together. The names the seed
command, the benchmarks and the tests use are importable from this module.
"""

from __future__ import annotations

from django.db import transaction

from directory.models import Role

from .names import FAMILY_NAMES, PATIENT_GIVEN_NAMES_FEMALE, PATIENT_GIVEN_NAMES_MALE, STREETS
from .organisations import (
    DEMO_AGREEMENT_PATH,
    DEMO_HSA_PREFIX,
    KOMMUN_BY_NAME,
    KOMMUNER,
    REGION_NAME,
    KommunSpec,
    Locality,
    OrganisationSpec,
    load_demo_agreement,
    organisation_specs,
    seed_organisations,
)
from .patients import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SEED,
    DEMO_BIRTH_NUMBERS,
    HOUSING_WEIGHTS,
    JUSTIFICATIONS,
    PatientSpec,
    demo_personnummer,
    expected_spread,
    is_demo_personnummer,
    patient_specs,
    seed_patients,
    total_patients,
)
from .people import (
    ADMIN_GROUP,
    DEFAULT_PASSWORD,
    REGION_ADMIN_GROUP,
    SHARED_MAR,
    VACANT_MAR_KOMMUN,
    UserSpec,
    check_demo_password,
    grant_admin_site,
    seed_users,
    user_specs,
)
from .report import Counts, Credential, DemoWorldError, Notify, WorldReport

__all__ = [
    "ADMIN_GROUP",
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_PASSWORD",
    "DEFAULT_PATIENTS",
    "DEFAULT_SEED",
    "DEMO_AGREEMENT_PATH",
    "DEMO_BIRTH_NUMBERS",
    "DEMO_HSA_PREFIX",
    "FAMILY_NAMES",
    "HOUSING_WEIGHTS",
    "JUSTIFICATIONS",
    "KOMMUNER",
    "KOMMUN_BY_NAME",
    "PATIENT_GIVEN_NAMES_FEMALE",
    "PATIENT_GIVEN_NAMES_MALE",
    "REGION_ADMIN_GROUP",
    "REGION_NAME",
    "SHARED_MAR",
    "STREETS",
    "VACANT_MAR_KOMMUN",
    "Counts",
    "Credential",
    "DemoWorldError",
    "KommunSpec",
    "Locality",
    "Notify",
    "OrganisationSpec",
    "PatientSpec",
    "UserSpec",
    "WorldReport",
    "build_world",
    "check_demo_password",
    "demo_personnummer",
    "expected_spread",
    "grant_admin_site",
    "is_demo_personnummer",
    "load_demo_agreement",
    "organisation_specs",
    "patient_specs",
    "seed_organisations",
    "seed_patients",
    "seed_users",
    "total_patients",
    "user_specs",
]

DEFAULT_PATIENTS = 4100


def build_world(
    *,
    patients: int = DEFAULT_PATIENTS,
    seed: int = DEFAULT_SEED,
    password: str = DEFAULT_PASSWORD,
    load_agreement: bool = True,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Notify | None = None,
) -> WorldReport:
    """Build (or complete) the whole demo world; safe to run again."""
    if patients < 0:
        raise ValueError("patients must not be negative")
    check_demo_password(password)
    report = WorldReport()
    with transaction.atomic():
        organisations = seed_organisations(report)
        users = seed_users(password=password, organisations=organisations, report=report)
    if progress:
        progress(
            f"  organisations: {len(organisations)}, users: {len(users)}, "
            f"memberships: {len(report.credentials)}"
        )
    seed_patients(
        enrolled=patients,
        seed=seed,
        organisations=organisations,
        users=users,
        batch_size=batch_size,
        progress=progress,
        report=report,
    )
    if load_agreement:
        report.agreement_loaded = load_demo_agreement(
            imported_by=users[f"{Role.ADMIN}.halland"], notify=progress
        )
    return report
