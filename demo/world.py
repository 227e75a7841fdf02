"""The fictional demo world of Region Halland (domain brief §8): organisations, staff and patients.

Everything here is made up. The organisation names are fixed because the demo agreement
(``agreements/data/region_halland.yaml``) refers to them; HSA-ids and personnummer are fictional and
chosen from ranges that mark them as demo data (see ``DEMO_HSA_PREFIX`` and ``DEMO_BIRTH_NUMBERS``).

The world is built idempotently: organisations, users and memberships are matched on their natural
keys, and patients are a deterministic sequence (given ``seed``) in which patient *i* never depends on
how many patients were asked for, so a second run finds the patients of the first and adds only what is
missing. The pure ``*_specs`` functions describe the world; the ``seed_*`` functions write it.
"""

from __future__ import annotations

import datetime
import itertools
import random
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from directory.actor import Actor
from directory.models import (
    ROLES_BY_ORGANISATION_KIND,
    Membership,
    Organisation,
    OrganisationKind,
    Ownership,
    Role,
    User,
)
from patients.models import Enrolment, HousingSetting, Patient
from patients.personnummer import IdentityKind

Notify = Callable[[str], None]

DEFAULT_PATIENTS = 4100
DEFAULT_SEED = 20260101
# Public on purpose: every demo user has it, and the command prints it.
DEFAULT_PASSWORD = "Demo-hemsjukvard-2026"  # noqa: S105
DEFAULT_BATCH_SIZE = 2000

REGION_NAME = "Region Halland"

# DEMO ONLY. Real HSA-ids in Halland start with Region Halland's organisation number (SE2321000115-);
# the "DEMO" after the dash marks every id below as fictional, so none can collide with a real unit or
# person in the HSA catalogue. Never load these into a system that talks to the real HSA.
DEMO_HSA_PREFIX = "SE2321000115-DEMO"

# Fictional personnummer: Skatteverket publishes test personnummer ("testpersonnummer", open data) for
# exactly this purpose, and all of them use the birth numbers (födelsenummer) 980-999, a series that is
# not assigned to real people. Demo patients use only these birth numbers, so a demo number can never
# be a real person's. The birth number's last digit is odd for men and even for women, as in real ones.
DEMO_BIRTH_NUMBERS = range(980, 1000)

# Every membership in the demo world starts on the same fixed day, so that reruns on other days match
# the memberships they made before (the membership's natural key includes its start).
DEMO_MEMBERSHIP_START = datetime.date(2024, 1, 1)

# The first CORE_PATIENTS patients are born 1925-1960 (aged about 65-100: the people who are enrolled
# in home health care). That series holds 36 years × 365 days × 20 birth numbers ≈ 263,000 numbers,
# which a national-scale benchmark (414,000) exceeds, so patients after the first CORE_PATIENTS are
# drawn from a wider span. The split depends on the patient's index only, never on the requested
# count, so a small world is always the beginning of a larger one.
CORE_BIRTH_YEARS = (1925, 1960)
WIDE_BIRTH_YEARS = (1915, 1995)
CORE_PATIENTS = 150_000

# One patient in NOT_ENROLLED_EVERY is not enrolled: they can still get to the vårdcentral and so are
# regional primary care's patient (tröskelprincipen). The sequence has one after every 100 enrolled.
NOT_ENROLLED_EVERY = 101

# How many of the first patients a rerun checks before it trusts that a stored world is this one.
QUICK_CHECK_PATIENTS = 1000

ENROLMENT_FIRST_DAY = datetime.date(2016, 1, 1)
ENROLMENT_LAST_DAY = datetime.date(2025, 12, 31)


# --- The organisations ---------------------------------------------------------------------------


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


def _hsa(suffix: str) -> str:
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
# The escalation ladder: lokal samverkan (one per kommun) → RUG → GNHH.
REGIONAL_JOINT_BODIES: tuple[tuple[str, str], ...] = (
    ("RUG Halland", "rug"),
    ("GNHH", "gnhh"),
)


def _vardcentral_slug(name: str) -> str:
    return "vc-" + slugify(name.removeprefix("Vårdcentralen "))


def organisation_specs() -> list[OrganisationSpec]:
    """Every organisation of the demo world, the region first and each kommun before what is in it."""
    specs = [OrganisationSpec(REGION_NAME, OrganisationKind.REGION, "halland", _hsa("0001"))]
    specs += [
        OrganisationSpec(
            kommun.name,
            OrganisationKind.KOMMUN,
            kommun.slug,
            _hsa(f"K{kommun.code}"),
            kommun_code=kommun.code,
        )
        for kommun in KOMMUNER
    ]
    specs += [
        OrganisationSpec(
            name,
            OrganisationKind.VARDCENTRAL,
            _vardcentral_slug(name),
            _hsa(f"V{number:03d}"),
            ownership=Ownership.PRIVATE if private else Ownership.PUBLIC,
            kommun_name=kommun_name,
        )
        for number, (name, kommun_name, private) in enumerate(VARDCENTRALER, start=1)
    ]
    specs += [
        OrganisationSpec(name, OrganisationKind.SPECIALIST_CLINIC, slug, _hsa(f"S{number:03d}"))
        for number, (name, slug) in enumerate(SPECIALIST_CLINICS, start=1)
    ]
    specs.append(OrganisationSpec(MOBILE_TEAM[0], OrganisationKind.MOBILE_TEAM, MOBILE_TEAM[1], _hsa("M001")))
    specs += [
        OrganisationSpec(
            f"Lokal samverkan {kommun.short_name}",
            OrganisationKind.JOINT_BODY,
            f"samverkan-{kommun.slug}",
            _hsa(f"J{kommun.code}"),
            kommun_name=kommun.name,
        )
        for kommun in KOMMUNER
    ]
    specs += [
        OrganisationSpec(name, OrganisationKind.JOINT_BODY, slug, _hsa(f"J{number:03d}"))
        for number, (name, slug) in enumerate(REGIONAL_JOINT_BODIES, start=1)
    ]
    return specs


# --- The staff -----------------------------------------------------------------------------------

# A kommun whose MAR post is vacant: MAS decides rehabilitation matters there (domain brief §2).
VACANT_MAR_KOMMUN = "Hylte kommun"
# One MAR serves two kommuner: the MAR of the first is also the MAR of the second.
SHARED_MAR = ("Halmstads kommun", "Laholms kommun")
# A kommun nurse who is also acting MAS (tf. MAS) in the same kommun, beside its MAS: a user with several
# memberships, to show the choice of acting role.
ACTING_MAS_KOMMUN = "Falkenbergs kommun"

# The order roles are listed in: each organisation's own care or decision roles first.
_ROLE_ORDER: list[str] = [
    Role.NURSE,
    Role.REHAB,
    Role.GP,
    Role.SPECIALIST,
    Role.MAS,
    Role.MAR,
    Role.GOVERNANCE,
    Role.COORDINATOR,
    Role.ADMIN,
]


@dataclass(frozen=True)
class MembershipSpec:
    organisation_name: str
    role: str
    note: str = ""


@dataclass(frozen=True)
class UserSpec:
    username: str
    given_name: str
    family_name: str
    hsa_id: str
    memberships: tuple[MembershipSpec, ...]

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


STAFF_GIVEN_NAMES_FEMALE = (
    "Anna", "Maria", "Sara", "Emma", "Johanna", "Karin", "Linda", "Jenny", "Sofia", "Malin", "Elin",
    "Frida", "Camilla", "Helena", "Ida", "Hanna", "Emelie", "Cecilia", "Therese", "Lisa", "Åsa",
    "Petra", "Jessica", "Amira", "Nadia", "Ulrika", "Annika", "Louise", "Matilda", "Rebecka",
)  # fmt: skip
STAFF_GIVEN_NAMES_MALE = (
    "Johan", "Erik", "Anders", "Magnus", "Fredrik", "Daniel", "Mikael", "Andreas", "Jonas", "Martin",
    "Henrik", "Per", "Mattias", "Niklas", "Stefan", "Oskar", "Gustav", "Ali", "Omar", "David",
    "Tobias", "Patrik", "Viktor", "Jakob", "Emil", "Marcus", "Robert", "Karim", "Samuel", "Jesper",
)  # fmt: skip
FAMILY_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson",
    "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist", "Lindgren", "Berg",
    "Axelsson", "Bergström", "Lundberg", "Lundqvist", "Mattsson", "Berglund", "Fredriksson",
    "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson",
    "Håkansson", "Lund", "Gunnarsson", "Holm", "Samuelsson", "Fransson", "Bergman", "Björk",
    "Wikström", "Isaksson", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg",
    "Blomqvist", "Claesson", "Mårtensson", "Nordström", "Lundgren", "Carlsson", "Hermansson",
    "Åberg", "Sundberg", "Strand", "Hedlund", "Ekström", "Thorsson", "Abrahamsson", "Svärd",
)  # fmt: skip


def _user_hsa_id(username: str) -> str:
    # Derived from the username, not from a position in a list, so adding an organisation to the
    # world never moves an existing user's HSA-id onto another user.
    return _hsa(f"P{zlib.crc32(username.encode()) % 1_000_000:06d}")


def _staff_name(username: str, taken: set[tuple[str, str]]) -> tuple[str, str]:
    rng = random.Random(f"staff:{username}")  # noqa: S311 - made-up names, not secrets
    while True:
        names = rng.choice((STAFF_GIVEN_NAMES_FEMALE, STAFF_GIVEN_NAMES_MALE))
        name = (rng.choice(names), rng.choice(FAMILY_NAMES))
        if name not in taken:
            taken.add(name)
            return name


def user_specs() -> list[UserSpec]:
    """One user per role per organisation where the role fits (``ROLES_BY_ORGANISATION_KIND``).

    Usernames are ``<role>.<organisation slug>``, e.g. ``nurse.varberg``, ``gp.vc-centrum-varberg``,
    ``specialist.njurmedicin``, ``governance.rug``, ``admin.halland``. Exceptions, on purpose: Hylte has no
    MAR (vacant), Laholm's MAR is ``mar.halmstad`` (shared), and ``nurse.falkenberg`` is also acting MAS.
    """
    memberships: dict[str, list[MembershipSpec]] = {}
    for org in organisation_specs():
        for role in sorted(ROLES_BY_ORGANISATION_KIND[org.kind], key=_ROLE_ORDER.index):
            if role == Role.MAR and org.name == VACANT_MAR_KOMMUN:
                continue
            if role == Role.MAR and org.name == SHARED_MAR[1]:
                continue  # held by the shared MAR below
            memberships.setdefault(f"{role}.{org.slug}", []).append(MembershipSpec(org.name, role))

    shared_mar_username = f"{Role.MAR}.{KOMMUN_BY_NAME[SHARED_MAR[0]].slug}"
    memberships[shared_mar_username] = [
        MembershipSpec(SHARED_MAR[0], Role.MAR, f"delad MAR, även {SHARED_MAR[1]}"),
        MembershipSpec(SHARED_MAR[1], Role.MAR, f"delad MAR, även {SHARED_MAR[0]}"),
    ]
    acting_username = f"{Role.NURSE}.{KOMMUN_BY_NAME[ACTING_MAS_KOMMUN].slug}"
    memberships[acting_username].append(MembershipSpec(ACTING_MAS_KOMMUN, Role.MAS, "tf. MAS"))

    taken: set[tuple[str, str]] = set()
    specs = []
    for username, held in memberships.items():
        given_name, family_name = _staff_name(username, taken)
        specs.append(UserSpec(username, given_name, family_name, _user_hsa_id(username), tuple(held)))
    return specs


# --- The patients --------------------------------------------------------------------------------

PATIENT_GIVEN_NAMES_FEMALE = (
    "Birgitta", "Margareta", "Elisabeth", "Kerstin", "Ingrid", "Marianne", "Eva", "Karin", "Gunilla",
    "Ulla", "Anna-Lisa", "Britt", "Inger", "Maj-Britt", "Gunnel", "Barbro", "Solveig", "Lena",
    "Anita", "Monica", "Christina", "Gun", "Siv", "Berit", "Elsa", "Astrid", "Greta", "Dagny",
    "Ingegerd", "Agneta", "Lisbeth", "Irene", "Gudrun", "Märta", "Aina", "Sonja", "Ruth", "Viola",
    "Alice", "Ann-Marie", "Gerd", "Majvor", "Ulla-Britt", "Birgit", "Signe", "Elvy", "Yvonne",
)  # fmt: skip
PATIENT_GIVEN_NAMES_MALE = (
    "Lars", "Karl", "Jan", "Bengt", "Sven", "Gunnar", "Bo", "Rolf", "Lennart", "Kjell", "Göran",
    "Leif", "Bertil", "Stig", "Erik", "Ove", "Åke", "Hans", "Nils", "Olof", "Per", "Anders",
    "Sture", "Ingvar", "Roland", "Kent", "Ulf", "Tord", "Gösta", "Arne", "Rune", "Gustav", "Evert",
    "Sten", "Torsten", "Holger", "Harry", "Folke", "Birger", "Allan", "Curt", "Ingemar", "Sune",
    "Yngve", "Lars-Erik", "Per-Olof", "Jan-Erik", "Kenneth", "Björn",
)  # fmt: skip


@dataclass(frozen=True)
class LanguageNames:
    """An interpreter language (in Swedish, as the register shows it) and names that go with it."""

    language: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


INTERPRETER_LANGUAGES: tuple[LanguageNames, ...] = (
    LanguageNames(
        "finska",
        ("Pirkko", "Tuula", "Aino", "Marjatta"),
        ("Matti", "Pentti", "Seppo", "Juhani"),
        ("Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Heikkinen"),
    ),
    LanguageNames(
        "arabiska",
        ("Fatima", "Amira", "Samira", "Layla"),
        ("Ahmad", "Mohammed", "Khalil", "Yousef"),
        ("Haddad", "Hassan", "Mansour", "Saleh"),
    ),
    LanguageNames(
        "bosniska",
        ("Amra", "Senada", "Mirsada", "Emina"),
        ("Mehmed", "Enes", "Hasan", "Safet"),
        ("Hodžić", "Begić", "Mujić", "Delić"),
    ),
    LanguageNames(
        "persiska",
        ("Parvin", "Shirin", "Mahin"),
        ("Hossein", "Reza", "Mahmoud"),
        ("Ahmadi", "Hosseini", "Karimi", "Rahimi"),
    ),
    LanguageNames(
        "somaliska",
        ("Hawa", "Faadumo", "Sahra"),
        ("Abdi", "Mohamed", "Yusuf"),
        ("Warsame", "Farah", "Abdullahi"),
    ),
    LanguageNames(
        "polska",
        ("Krystyna", "Danuta", "Halina"),
        ("Stanisław", "Jerzy", "Tadeusz"),
        ("Nowak", "Kaczmarek", "Wójcik", "Mazur"),
    ),
    LanguageNames(
        "tigrinja",
        ("Tsega", "Mebrat", "Abrehet"),
        ("Tesfay", "Kidane", "Gebremedhin"),
        ("Tesfamariam", "Habte", "Ghebre", "Berhane"),
    ),
)

STREETS = (
    "Storgatan", "Kyrkogatan", "Skolgatan", "Nygatan", "Järnvägsgatan", "Norra vägen",
    "Södra vägen", "Björkvägen", "Ekvägen", "Lönnvägen", "Tallvägen", "Granvägen", "Lärkvägen",
    "Rosenvägen", "Syrénvägen", "Strandvägen", "Havsvägen", "Ängsvägen", "Backvägen", "Solvägen",
    "Kvarngatan", "Prästgårdsvägen", "Åvägen", "Hagavägen", "Parkvägen", "Bäckgatan", "Sjövägen",
    "Fabriksgatan", "Torggatan", "Trädgårdsgatan", "Klockarevägen", "Mejerigatan",
)  # fmt: skip
# Names of the homes for patients who do not live in an ordinary home.
HOME_NAMES: dict[str, tuple[str, ...]] = {
    HousingSetting.SPECIAL_HOUSING: (
        "Solgårdens särskilda boende", "Ekhagens särskilda boende", "Lindgården",
        "Havsgläntans särskilda boende", "Björkhagen", "Sjöbackens särskilda boende",
    ),
    HousingSetting.SHORT_TERM_HOUSING: ("Korttidsboendet Tallbacken", "Korttidsboendet Strandängen"),
    HousingSetting.LSS_HOUSING: ("Gruppbostaden Lärkan", "Gruppbostaden Vitsippan", "Servicebostaden Eken"),
}  # fmt: skip

HOUSING_WEIGHTS: tuple[tuple[str, int], ...] = (
    (HousingSetting.ORDINARY_HOME, 840),
    (HousingSetting.SPECIAL_HOUSING, 100),
    (HousingSetting.SHORT_TERM_HOUSING, 45),
    (HousingSetting.LSS_HOUSING, 15),
)
INTERPRETER_SHARE = 0.01
PROTECTED_IDENTITY_SHARE = 0.005

# Why each patient passes tröskelprincipen: they cannot get to the vårdcentral on their own or with
# support, and the need lasts. Written as an enrolling nurse would.
JUSTIFICATIONS = (
    "Kan inte ta sig till vårdcentralen på egen hand eller med stöd; behovet är varaktigt.",
    "Omfattande rörelsehinder efter stroke; förflyttning kräver två personer. Behovet bedöms bestå över tid.",
    "Svår hjärtsvikt med andfåddhet vid minsta ansträngning; kan inte ta sig till vårdcentralen ens "
    "med ledsagning. Varaktigt behov.",
    "Kognitiv svikt (demenssjukdom) med oro och förvirring utanför hemmet; besök på vårdcentralen är "
    "inte möjliga. Behovet är varaktigt.",
    "Nedsatt gångförmåga efter höftfraktur med komplikationer; kan inte lämna bostaden utan "
    "omfattande hjälp. Behovet är långvarigt.",
    "Svår KOL med syrgasbehandling i hemmet; transport till vårdcentralen är inte möjlig utan "
    "oskälig belastning. Behovet är stadigvarande.",
    "Parkinsons sjukdom i sent skede med hög fallrisk; kan inte ta sig till vårdcentralen med stöd. "
    "Behovet är varaktigt.",
    "Benamputation och fallrisk, bor i lägenhet utan hiss; kan inte ta sig till vårdcentralen med "
    "stöd. Varaktigt behov.",
)
JUSTIFICATIONS_BY_HOUSING: dict[str, tuple[str, ...]] = {
    HousingSetting.SPECIAL_HOUSING: (
        "Bor på särskilt boende med omfattande omvårdnadsbehov; kan inte ta sig till vårdcentralen "
        "ens med stöd. Behovet är varaktigt.",
    ),
    HousingSetting.SHORT_TERM_HOUSING: (
        "På korttidsboende i väntan på särskilt boende; sängbunden och kan inte ta sig till "
        "vårdcentralen med stöd. Behovet bedöms bestå.",
    ),
    HousingSetting.LSS_HOUSING: (
        "Intellektuell funktionsnedsättning; kan inte medverka vid besök på vårdcentralen ens med "
        "stöd av personal. Behovet är varaktigt.",
    ),
}


@dataclass(frozen=True)
class PatientSpec:
    index: int
    personal_identity: str
    given_name: str
    family_name: str
    street_address: str
    postal_code: str
    city: str
    kommun_name: str
    vardcentral_name: str
    housing_setting: str
    interpreter_language: str
    protected_identity: bool
    enrolled: bool
    enrolment_starts_on: datetime.date | None
    threshold_justification: str


class _Apportioner:
    """Hands out kommuner in proportion to their weights, as close as possible for every prefix.

    Each step picks the kommun furthest behind its share, so after n steps every kommun has its
    share of n within one patient, whatever n is.
    """

    def __init__(self, weights: Sequence[tuple[str, int]]) -> None:
        total = sum(weight for _, weight in weights)
        self._shares = [(name, weight / total) for name, weight in weights]
        self._counts = dict.fromkeys((name for name, _ in weights), 0)
        self._handed_out = 0

    def next(self) -> str:
        self._handed_out += 1
        name = max(self._shares, key=lambda item: item[1] * self._handed_out - self._counts[item[0]])[0]
        self._counts[name] += 1
        return name


def total_patients(enrolled: int) -> int:
    """How many patients ``patient_specs(enrolled=...)`` yields: the enrolled and those among them."""
    return enrolled + max(0, (enrolled - 1) // (NOT_ENROLLED_EVERY - 1))


def population_weights() -> list[tuple[str, int]]:
    return [(kommun.name, kommun.population) for kommun in KOMMUNER]


def expected_spread(enrolled: int) -> dict[str, float]:
    """How many of ``enrolled`` patients each kommun should have, by population."""
    total = sum(kommun.population for kommun in KOMMUNER)
    return {kommun.name: enrolled * kommun.population / total for kommun in KOMMUNER}


def _birth_date(rng: random.Random, index: int) -> datetime.date:
    first, last = CORE_BIRTH_YEARS if index < CORE_PATIENTS else WIDE_BIRTH_YEARS
    # Home health care is mostly for the old: the ages bunch in the upper middle of the span.
    year = min(int(rng.triangular(first, last + 1, first + (last - first) * 0.45)), last)
    new_year = datetime.date(year, 1, 1)
    days_in_year = (datetime.date(year + 1, 1, 1) - new_year).days
    return new_year + datetime.timedelta(days=rng.randrange(days_in_year))


def _check_digit(nine: str) -> str:
    # The same Luhn digit as patients.personnummer.luhn_check_digit (a test holds them equal),
    # computed directly: that one tries all ten digits, which shows at national scale.
    total = 0
    for position, char in enumerate(nine):
        product = int(char) * (2 - position % 2)
        total += product - 9 if product > 9 else product
    return str(-total % 10)


def demo_personnummer(birth_date: datetime.date, birth_number: int) -> str:
    """Twelve digits ``YYYYMMDDNNNC`` with the Luhn check digit C over the nine digits before it."""
    if birth_number not in DEMO_BIRTH_NUMBERS:
        raise ValueError(f"{birth_number} is not a demo birth number (980-999)")
    year, month, day = birth_date.year, birth_date.month, birth_date.day
    nine = f"{year % 100:02d}{month:02d}{day:02d}{birth_number}"
    return f"{year // 100}{nine}{_check_digit(nine)}"


def is_demo_personnummer(digits: str) -> bool:
    return len(digits) == 12 and int(digits[8:11]) in DEMO_BIRTH_NUMBERS


_BIRTH_NUMBERS_BY_SEX = {
    True: tuple(n for n in DEMO_BIRTH_NUMBERS if n % 2 == 0),  # female
    False: tuple(n for n in DEMO_BIRTH_NUMBERS if n % 2 == 1),
}


def _identity(rng: random.Random, index: int, female: bool, used: set[str]) -> str:
    numbers = _BIRTH_NUMBERS_BY_SEX[female]
    while True:
        birth_date = _birth_date(rng, index)
        identity = demo_personnummer(birth_date, rng.choice(numbers))
        if identity not in used:
            used.add(identity)
            return identity


_LOCALITY_CUM_WEIGHTS = {
    kommun.name: list(itertools.accumulate(locality.weight for locality in kommun.localities))
    for kommun in KOMMUNER
}


def _address(rng: random.Random, kommun: KommunSpec, housing: str) -> tuple[str, str, str]:
    locality = rng.choices(kommun.localities, cum_weights=_LOCALITY_CUM_WEIGHTS[kommun.name])[0]
    postal_code = f"{locality.postal_prefix} {rng.randint(*locality.postal_range):02d}"
    number = rng.randint(1, 60)
    street = f"{rng.choice(STREETS)} {number}"
    if housing == HousingSetting.ORDINARY_HOME and rng.random() < 0.2:
        street += f" {rng.choice('ABC')}"
    if housing in HOME_NAMES:
        street = f"{rng.choice(HOME_NAMES[housing])}, {street}"
    return street, postal_code, locality.name


def patient_specs(*, enrolled: int, seed: int = DEFAULT_SEED) -> Iterator[PatientSpec]:
    """The demo patients in a fixed order: ``enrolled`` enrolled ones and, among them, one not
    enrolled after every hundred.

    Patient *i* depends only on ``seed`` and *i* (and the patients before it), never on ``enrolled``:
    asking for more patients later yields the same first patients and then new ones.
    """
    if seed < 0:
        raise ValueError("seed must not be negative")
    kommun_names = [kommun.name for kommun in KOMMUNER]
    vardcentraler: dict[str, list[str]] = {name: [] for name in kommun_names}
    for name, kommun_name, _private in VARDCENTRALER:
        vardcentraler[kommun_name].append(name)
    enrolled_kommuner = _Apportioner(population_weights())
    other_kommuner = _Apportioner(population_weights())
    housings = [housing for housing, _ in HOUSING_WEIGHTS]
    housing_cum_weights = list(itertools.accumulate(weight for _, weight in HOUSING_WEIGHTS))
    enrolment_span = (ENROLMENT_LAST_DAY - ENROLMENT_FIRST_DAY).days
    used: set[str] = set()

    index = 0
    made_enrolled = 0
    while made_enrolled < enrolled:
        is_enrolled = index % NOT_ENROLLED_EVERY != NOT_ENROLLED_EVERY - 1
        # One generator per patient, seeded by (seed, index): patient i does not shift when the code
        # draws one more number for patient i - 1.
        rng = random.Random((seed << 32) | index)  # noqa: S311 - demo data, not secrets
        kommun = KOMMUN_BY_NAME[(enrolled_kommuner if is_enrolled else other_kommuner).next()]
        female = rng.random() < 0.58  # most people in home health care are women
        identity = _identity(rng, index, female, used)
        language: LanguageNames | None = None
        if rng.random() < INTERPRETER_SHARE:
            language = rng.choice(INTERPRETER_LANGUAGES)
            given_name = rng.choice(language.female if female else language.male)
            family_name = rng.choice(language.family)
        else:
            given_name = rng.choice(PATIENT_GIVEN_NAMES_FEMALE if female else PATIENT_GIVEN_NAMES_MALE)
            family_name = rng.choice(FAMILY_NAMES)
        housing = (
            rng.choices(housings, cum_weights=housing_cum_weights)[0]
            if is_enrolled
            else HousingSetting.ORDINARY_HOME
        )
        street, postal_code, city = _address(rng, kommun, housing)
        protected = rng.random() < PROTECTED_IDENTITY_SHARE
        vardcentral = rng.choice(vardcentraler[kommun.name])
        starts_on: datetime.date | None = None
        justification = ""
        if is_enrolled:
            starts_on = ENROLMENT_FIRST_DAY + datetime.timedelta(days=rng.randint(0, enrolment_span))
            justification = rng.choice(JUSTIFICATIONS_BY_HOUSING.get(housing, JUSTIFICATIONS))
            made_enrolled += 1
        yield PatientSpec(
            index=index,
            personal_identity=identity,
            given_name=given_name,
            family_name=family_name,
            street_address=street,
            postal_code=postal_code,
            city=city,
            kommun_name=kommun.name,
            vardcentral_name=vardcentral,
            housing_setting=housing,
            interpreter_language=language.language if language else "",
            protected_identity=protected,
            enrolled=is_enrolled,
            enrolment_starts_on=starts_on,
            threshold_justification=justification,
        )
        index += 1


# --- Writing the world ---------------------------------------------------------------------------


class DemoWorldError(Exception):
    """The database holds something that stops the demo world from being built as asked."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0


@dataclass(frozen=True)
class Credential:
    username: str
    full_name: str
    role: str
    organisation: str
    note: str


@dataclass
class WorldReport:
    organisations: Counts = field(default_factory=Counts)
    users: Counts = field(default_factory=Counts)
    memberships: Counts = field(default_factory=Counts)
    patients_created: int = 0
    patients_present: int = 0
    patients_beyond_request: int = 0
    enrolments_created: int = 0
    agreement_loaded: bool = False
    credentials: list[Credential] = field(default_factory=list)


def check_demo_password(password: str) -> None:
    """Raise ``django.core.exceptions.ValidationError`` unless the project's validators accept it."""
    validate_password(password)


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


def _shared_password_hash(password: str, usernames: Sequence[str]) -> str:
    # Hashing with the production hasher takes a good fraction of a second; once for the whole
    # staff is enough, and reusing a stored hash that already matches keeps reruns quiet.
    for stored in User.objects.filter(username__in=usernames).values_list("password", flat=True)[:1]:
        if check_password(password, stored):
            return stored
    return make_password(password)


ADMIN_GROUP = "Systemförvaltare"
REGION_ADMIN_GROUP = "Systemförvaltare, region"
# What every systemförvaltare may do in Django admin (no patient data): manage their own organisation's
# users and memberships, see their organisation, revoke their users' API tokens and their organisation's
# API clients, read agreements and the history of administration. The admin narrows each of these to the
# organisations the person administers (directory.administration); these are the ceiling.
ADMIN_PERMISSIONS = (
    ("directory", "view_user"),
    ("directory", "add_user"),
    ("directory", "change_user"),
    ("directory", "view_membership"),
    ("directory", "add_membership"),
    ("directory", "change_membership"),
    ("directory", "delete_membership"),
    ("directory", "view_organisation"),
    ("directory", "view_apitoken"),
    ("directory", "change_apitoken"),
    ("directory", "view_adminevent"),
    ("integrations", "view_apiclient"),
    ("integrations", "change_apiclient"),
    ("agreements", "view_agreement"),
    ("agreements", "view_agreementversion"),
    ("agreements", "view_responsibilityrule"),
    ("agreements", "view_caretasktype"),
    ("agreements", "view_agreementevent"),
)
# A region's systemförvaltare also maintains the region's agreements and the task types.
REGION_ADMIN_APPS = ("agreements",)


def _is_admin(spec: UserSpec) -> bool:
    return any(held.role == Role.ADMIN for held in spec.memberships)


def _permissions(pairs: Sequence[tuple[str, str]]) -> list[Permission]:
    wanted = set(pairs)
    return [
        permission
        for permission in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _codename in wanted}
        )
        if (permission.content_type.app_label, permission.codename) in wanted
    ]


def grant_admin_site(*, users: Sequence[User]) -> None:
    """Let the demo's system administrators into Django admin: staff, with the administrators' group, and
    a region's administrators also with the agreements group. Never superuser."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    group.permissions.set(_permissions(ADMIN_PERMISSIONS))
    region_group, _ = Group.objects.get_or_create(name=REGION_ADMIN_GROUP)
    region_group.permissions.set(Permission.objects.filter(content_type__app_label__in=REGION_ADMIN_APPS))
    for user in users:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(group)
        in_region = Membership.objects.filter(
            user=user, role=Role.ADMIN, organisation__kind=OrganisationKind.REGION
        ).exists()
        if in_region:
            user.groups.add(region_group)
        else:
            user.groups.remove(region_group)


def seed_users(
    *, password: str, organisations: dict[str, Organisation], report: WorldReport | None = None
) -> dict[str, User]:
    """Create or update the staff and their memberships; return the users by username."""
    report = report or WorldReport()
    specs = user_specs()
    password_hash = _shared_password_hash(password, [spec.username for spec in specs])
    users: dict[str, User] = {}
    for spec in specs:
        user, created = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.given_name,
                "last_name": spec.family_name,
                "email": spec.email,
                "hsa_id": spec.hsa_id,
                "password": password_hash,
                "is_active": True,
            },
        )
        if created:
            report.users.created += 1
        else:
            report.users.updated += 1
        users[spec.username] = user
        for held in spec.memberships:
            _, created = Membership.objects.update_or_create(
                user=user,
                organisation=organisations[held.organisation_name],
                role=held.role,
                defaults={"valid_from": DEMO_MEMBERSHIP_START, "valid_to": None},
            )
            if created:
                report.memberships.created += 1
            else:
                report.memberships.updated += 1
            report.credentials.append(
                Credential(spec.username, spec.full_name, held.role, held.organisation_name, held.note)
            )
    grant_admin_site(users=[users[spec.username] for spec in specs if _is_admin(spec)])
    order = {name: position for position, name in enumerate(organisations)}
    report.credentials.sort(key=lambda c: (order[c.organisation], _ROLE_ORDER.index(c.role)))
    return users


def seed_patients(
    *,
    enrolled: int,
    seed: int,
    organisations: dict[str, Organisation],
    users: dict[str, User],
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Notify | None = None,
    report: WorldReport | None = None,
) -> WorldReport:
    """Create the demo patients (and their open enrolments) that are not in the database yet.

    The demo patients already stored must be the beginning of the wanted sequence (an earlier run with
    the same seed, with fewer, as many or more patients): anything else is a different world, and is
    refused rather than mixed with this one.
    """
    report = report or WorldReport()
    existing = set(Patient.objects.filter(is_demo=True).values_list("personal_identity", flat=True))
    kommun_slugs = {kommun.name: kommun.slug for kommun in KOMMUNER}
    gp_by_vardcentral = {name: users[f"{Role.GP}.{_vardcentral_slug(name)}"] for name, _, _ in VARDCENTRALER}
    nurse_by_kommun = {name: users[f"{Role.NURSE}.{slug}"] for name, slug in kommun_slugs.items()}

    wanted = total_patients(enrolled)
    found = 0
    pending: list[PatientSpec] = []
    # About twenty progress lines at most, however large the world.
    progress_step = max(batch_size, wanted // 20)
    last_reported = 0

    def flush() -> None:
        nonlocal last_reported
        if not pending:
            return
        with transaction.atomic():
            patients = Patient.objects.bulk_create(
                [_patient(spec, organisations, gp_by_vardcentral, nurse_by_kommun) for spec in pending],
                batch_size=batch_size,
            )
            enrolments = [
                _enrolment(spec, patient, organisations, nurse_by_kommun)
                for spec, patient in zip(pending, patients, strict=True)
                if spec.enrolled
            ]
            Enrolment.objects.bulk_create(enrolments, batch_size=batch_size)
        report.patients_created += len(pending)
        report.enrolments_created += len(enrolments)
        pending.clear()
        written = found + report.patients_created
        if progress and written - last_reported >= progress_step:
            progress(f"  patients: {written:,} of {wanted:,}")
            last_reported = written

    def different_world(spec: PatientSpec) -> DemoWorldError:
        return DemoWorldError(
            f"The database already holds {len(existing):,} demo patients that are not the ones "
            f"seed {seed} makes (demo patient #{spec.index} {spec.personal_identity} is missing). "
            "Run with the --seed used before, or start from an empty database."
        )

    specs = patient_specs(enrolled=enrolled, seed=seed)
    if existing and len(existing) >= wanted:
        # Every run stores a beginning of the sequence, so a stored world at least this large whose
        # first patients are this seed's holds every wanted patient. Checking those first ones spares
        # generating hundreds of thousands of patients again at national scale.
        for spec in itertools.islice(specs, QUICK_CHECK_PATIENTS):
            if spec.personal_identity not in existing:
                raise different_world(spec)
        report.patients_present = wanted
        report.patients_beyond_request = len(existing) - wanted
        if progress:
            progress(f"  patients: {wanted:,} wanted, all already there")
        return report

    for spec in specs:
        if spec.personal_identity in existing:
            found += 1
            continue
        if found < len(existing):
            # Stored demo patients that are not this sequence's first ones: another seed, or edits.
            raise different_world(spec)
        pending.append(spec)
        if len(pending) >= batch_size:
            flush()
    flush()
    report.patients_present = found
    report.patients_beyond_request = len(existing) - found
    if progress:
        progress(
            f"  patients: {wanted:,} wanted, {found:,} already there, {report.patients_created:,} created"
        )
    return report


def _patient(
    spec: PatientSpec,
    organisations: dict[str, Organisation],
    gp_by_vardcentral: dict[str, User],
    nurse_by_kommun: dict[str, User],
) -> Patient:
    return Patient(
        personal_identity=spec.personal_identity,
        identity_kind=IdentityKind.PERSONNUMMER.value,
        given_name=spec.given_name,
        family_name=spec.family_name,
        street_address=spec.street_address,
        postal_code=spec.postal_code,
        city=spec.city,
        # Ids rather than objects: the related-object setters cost more than the insert at scale.
        folkbokforing_kommun_id=organisations[spec.kommun_name].pk,
        housing_setting=spec.housing_setting,
        listed_vardcentral_id=organisations[spec.vardcentral_name].pk,
        fast_lakarkontakt_id=gp_by_vardcentral[spec.vardcentral_name].pk,
        # The fast vårdkontakt is a kommun nurse only for those the kommun has enrolled.
        fast_vardkontakt_id=nurse_by_kommun[spec.kommun_name].pk if spec.enrolled else None,
        interpreter_needed=bool(spec.interpreter_language),
        interpreter_language=spec.interpreter_language,
        protected_identity=spec.protected_identity,
        is_demo=True,
    )


def _enrolment(
    spec: PatientSpec,
    patient: Patient,
    organisations: dict[str, Organisation],
    nurse_by_kommun: dict[str, User],
) -> Enrolment:
    assert spec.enrolment_starts_on is not None, "only enrolled patients get an enrolment"
    return Enrolment(
        patient_id=patient.pk,
        kommun_id=organisations[spec.kommun_name].pk,
        starts_on=spec.enrolment_starts_on,
        threshold_justification=spec.threshold_justification,
        enrolled_by_id=nurse_by_kommun[spec.kommun_name].pk,
    )


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
    # ---- single call site of agreements.importer.agreement_import ---------------------------------
    # Imported here, not at the top, so the rest of the demo world works while that module is being
    # written. The ignore covers the time before it exists; "unused-ignore" keeps mypy quiet after.
    from agreements.importer import agreement_import  # type: ignore[import-not-found, unused-ignore]

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
