"""The organisations of the demo world and its agreement: Region Halland, its six kommuner, vårdcentraler,
specialist clinics, the mobile team and the joint bodies of the escalation ladder.

The names are fixed because the demo agreement (``agreements/data/region_halland.yaml``) refers to them;
HSA-ids are fictional (``DEMO_HSA_PREFIX``). ``organisation_specs`` describes them; ``seed_organisations``
writes them, matched on their names, and ``load_demo_agreement`` imports the agreement.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from agreements.importer import agreement_import
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind, Ownership, User

from .report import DemoWorldError, Notify, WorldReport

REGION_NAME = "Region Halland"

# DEMO ONLY. Real HSA-ids in Halland start with Region Halland's organisation number (SE2321000115-);
# the "DEMO" after the dash marks every id below as fictional, so none can collide with a real unit or
# person in the HSA catalogue. Never load these into a system that talks to the real HSA.
DEMO_HSA_PREFIX = "SE2321000115-DEMO"


@dataclass(frozen=True)
class Locality:
    name: str
    postal_prefix: str  # the first three digits of the postal code
    postal_range: tuple[int, int]  # the last two digits
    weight: int


@dataclass(frozen=True)
class KommunSpec:
    name: str  # exactly as the demo agreement names it
    short_name: str
    slug: str  # in usernames
    code: str  # SCB's kommun code
    population: int  # rounded; the patient spread follows it
    localities: tuple[Locality, ...]


KOMMUNER: tuple[KommunSpec, ...] = (
    KommunSpec(
        "Kungsbacka kommun",
        "Kungsbacka",
        "kungsbacka",
        "1384",
        85_000,
        (
            Locality("Kungsbacka", "434", (30, 47), 6),
            Locality("Onsala", "439", (30, 37), 2),
            Locality("Åsa", "439", (54, 55), 1),
            Locality("Fjärås", "439", (71, 74), 1),
            Locality("Frillesås", "439", (61, 65), 1),
        ),
    ),
    KommunSpec(
        "Varbergs kommun",
        "Varberg",
        "varberg",
        "1383",
        67_000,
        (
            Locality("Varberg", "432", (30, 53), 7),
            Locality("Veddige", "432", (68, 68), 1),
            Locality("Tvååker", "432", (75, 76), 1),
            Locality("Bua", "432", (82, 82), 1),
        ),
    ),
    KommunSpec(
        "Falkenbergs kommun",
        "Falkenberg",
        "falkenberg",
        "1382",
        46_000,
        (
            Locality("Falkenberg", "311", (30, 50), 7),
            Locality("Ullared", "311", (60, 61), 1),
            Locality("Vessigebro", "311", (72, 72), 1),
            Locality("Glommen", "311", (78, 78), 1),
        ),
    ),
    KommunSpec(
        "Halmstads kommun",
        "Halmstad",
        "halmstad",
        "1380",
        104_000,
        (
            Locality("Halmstad", "302", (30, 74), 8),
            Locality("Oskarström", "313", (30, 33), 1),
            Locality("Getinge", "305", (75, 78), 1),
            Locality("Harplinge", "305", (60, 61), 1),
        ),
    ),
    KommunSpec(
        "Hylte kommun",
        "Hylte",
        "hylte",
        "1315",
        11_000,
        (
            Locality("Hyltebruk", "314", (30, 34), 4),
            Locality("Torup", "314", (41, 42), 1),
            Locality("Unnaryd", "314", (52, 52), 1),
        ),
    ),
    KommunSpec(
        "Laholms kommun",
        "Laholm",
        "laholm",
        "1381",
        26_000,
        (
            Locality("Laholm", "312", (30, 34), 5),
            Locality("Mellbystrand", "312", (45, 46), 2),
            Locality("Våxtorp", "312", (96, 96), 1),
        ),
    ),
)
KOMMUN_BY_NAME = {kommun.name: kommun for kommun in KOMMUNER}


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: str
    slug: str  # in usernames: <role>.<slug>
    hsa_id: str
    ownership: str = Ownership.PUBLIC
    kommun_name: str | None = None  # the kommun it is (kommun_code set) or is located in
    kommun_code: str = ""


def demo_hsa_id(suffix: str) -> str:
    return f"{DEMO_HSA_PREFIX}{suffix}"


# (name, kommun, private?): about twelve vårdcentraler spread by population, five of them private.
# Names are invented; "Centrum" and the river and district names only make them sound local.
VARDCENTRALER: tuple[tuple[str, str, bool], ...] = (
    ("Vårdcentralen Centrum Halmstad", "Halmstads kommun", False),
    ("Vårdcentralen Söder Halmstad", "Halmstads kommun", False),
    ("Vårdcentralen Nissan Halmstad", "Halmstads kommun", True),
    ("Vårdcentralen Kusten Halmstad", "Halmstads kommun", True),
    ("Vårdcentralen Centrum Kungsbacka", "Kungsbacka kommun", False),
    ("Vårdcentralen Onsala", "Kungsbacka kommun", True),
    ("Vårdcentralen Fjärås", "Kungsbacka kommun", False),
    ("Vårdcentralen Centrum Varberg", "Varbergs kommun", False),
    ("Vårdcentralen Träslöv Varberg", "Varbergs kommun", True),
    ("Vårdcentralen Centrum Falkenberg", "Falkenbergs kommun", False),
    ("Vårdcentralen Ätran Falkenberg", "Falkenbergs kommun", True),
    ("Vårdcentralen Centrum Laholm", "Laholms kommun", False),
    ("Vårdcentralen Hyltebruk", "Hylte kommun", False),
)

SPECIALIST_CLINICS: tuple[tuple[str, str], ...] = (
    ("Njurmedicin Halland", "njurmedicin"),
    ("Infektionskliniken Halland", "infektion"),
    ("Lungmedicin Halland", "lungmedicin"),
    ("Palliativ enhet/ASIH Halland", "asih"),
)
MOBILE_TEAM = ("Mobilt närsjukvårdsteam Halland", "mobilt-team")
# A private company performing the kommun's health care under contract (LOU): Kungsbacka's night patrol.
# The kommun stays the principal; the local agreement agreements/data/kungsbacka_nattpatrull_lokal.yaml
# names the performer for planned night visits (import it with ``manage.py import_agreement``; the demo
# world loads only the regional agreement, whose figures and example cases the demo's tests know).
PRIVATE_PERFORMERS: tuple[tuple[str, str, str], ...] = (
    ("Nattpatrullen Nordhalla Vård AB", "Kungsbacka kommun", "nattpatrull-kungsbacka"),
)
# The escalation ladder: lokal samverkan (one per kommun) → RUG → GNHH.
REGIONAL_JOINT_BODIES: tuple[tuple[str, str], ...] = (
    ("RUG Halland", "rug"),
    ("GNHH", "gnhh"),
)


def vardcentral_slug(name: str) -> str:
    return "vc-" + slugify(name.removeprefix("Vårdcentralen "))


def organisation_specs() -> list[OrganisationSpec]:
    """Every organisation of the demo world, the region first and each kommun before what is in it."""
    specs = [OrganisationSpec(REGION_NAME, OrganisationKind.REGION, "halland", demo_hsa_id("0001"))]
    specs += [
        OrganisationSpec(
            kommun.name,
            OrganisationKind.KOMMUN,
            kommun.slug,
            demo_hsa_id(f"K{kommun.code}"),
            kommun_code=kommun.code,
        )
        for kommun in KOMMUNER
    ]
    specs += [
        OrganisationSpec(
            name,
            OrganisationKind.VARDCENTRAL,
            vardcentral_slug(name),
            demo_hsa_id(f"V{number:03d}"),
            ownership=Ownership.PRIVATE if private else Ownership.PUBLIC,
            kommun_name=kommun_name,
        )
        for number, (name, kommun_name, private) in enumerate(VARDCENTRALER, start=1)
    ]
    specs += [
        OrganisationSpec(name, OrganisationKind.SPECIALIST_CLINIC, slug, demo_hsa_id(f"S{number:03d}"))
        for number, (name, slug) in enumerate(SPECIALIST_CLINICS, start=1)
    ]
    specs.append(
        OrganisationSpec(MOBILE_TEAM[0], OrganisationKind.MOBILE_TEAM, MOBILE_TEAM[1], demo_hsa_id("M001"))
    )
    specs += [
        OrganisationSpec(
            name,
            OrganisationKind.PRIVATE_PERFORMER,
            slug,
            demo_hsa_id(f"P{number:03d}"),
            ownership=Ownership.PRIVATE,
            kommun_name=kommun_name,
        )
        for number, (name, kommun_name, slug) in enumerate(PRIVATE_PERFORMERS, start=1)
    ]
    specs += [
        OrganisationSpec(
            f"Lokal samverkan {kommun.short_name}",
            OrganisationKind.JOINT_BODY,
            f"samverkan-{kommun.slug}",
            demo_hsa_id(f"J{kommun.code}"),
            kommun_name=kommun.name,
        )
        for kommun in KOMMUNER
    ]
    specs += [
        OrganisationSpec(name, OrganisationKind.JOINT_BODY, slug, demo_hsa_id(f"J{number:03d}"))
        for number, (name, slug) in enumerate(REGIONAL_JOINT_BODIES, start=1)
    ]
    return specs


def seed_organisations(report: WorldReport | None = None) -> dict[str, Organisation]:
    """Create or update the organisations; return them by name."""
    report = report or WorldReport()
    by_name: dict[str, Organisation] = {}
    for spec in organisation_specs():
        region = None if spec.kind == OrganisationKind.REGION else by_name[REGION_NAME]
        kommun = by_name[spec.kommun_name] if spec.kommun_name else None
        organisation, created = Organisation.objects.update_or_create(
            name=spec.name,
            region=region,
            defaults={
                "kind": spec.kind,
                "ownership": spec.ownership,
                "kommun": kommun,
                "hsa_id": spec.hsa_id,
                "kommun_code": spec.kommun_code,
                "is_active": True,
            },
        )
        if created:
            report.organisations.created += 1
        else:
            report.organisations.updated += 1
        by_name[spec.name] = organisation
    return by_name


DEMO_AGREEMENT_PATH = Path(settings.BASE_DIR) / "agreements" / "data" / "region_halland.yaml"


def load_demo_agreement(
    *, imported_by: User, path: Path = DEMO_AGREEMENT_PATH, notify: Notify | None = None
) -> bool:
    """Load the demo agreement (överenskommelse) through the agreements app; False if skipped.

    This is THE ONLY place the demo world touches the agreement import. Until
    ``agreements/data/region_halland.yaml`` exists the step is skipped with a notice.
    """
    if not path.exists():
        if notify:
            notify(f"Notice: {path} does not exist yet; the demo agreement was not loaded.")
        return False
    try:
        source_name = str(path.relative_to(settings.BASE_DIR))
    except ValueError:
        source_name = str(path)
    try:
        # Importing the same version again leaves it alone, so reruns are safe.
        agreement_import(
            text=path.read_text(encoding="utf-8"),
            source_name=source_name,
            actor=Actor.for_user(imported_by),
        )
    except ValidationError as exc:  # AgreementImportError is one; it names each problem's line
        raise DemoWorldError(
            f"The demo agreement {source_name} could not be imported: " + " ".join(exc.messages)
        ) from exc
    # ------------------------------------------------------------------------------------------------
    if notify:
        notify(f"Loaded the demo agreement from {path}.")
    return True
