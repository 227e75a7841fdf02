"""The patients of the demo world: a deterministic sequence of fictional people enrolled in home health
care in the six kommuner (and, among them, a few who are not), with fictional personnummer.

Patient *i* depends only on the seed and *i*, never on how many patients were asked for, so a second run
finds the patients of the first and adds only what is missing. ``patient_specs`` describes them;
``seed_patients`` writes them and their open enrolments.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from django.db import transaction

from directory.models import Organisation, Role, User
from hemsjukvard.search import search_name_of
from patients.models import Enrolment, HousingSetting, Patient
from patients.personnummer import IdentityKind

from .names import (
    FAMILY_NAMES,
    HOME_NAMES,
    INTERPRETER_LANGUAGES,
    PATIENT_GIVEN_NAMES_FEMALE,
    PATIENT_GIVEN_NAMES_MALE,
    STREETS,
    LanguageNames,
)
from .organisations import KOMMUN_BY_NAME, KOMMUNER, VARDCENTRALER, KommunSpec, vardcentral_slug
from .report import DemoWorldError, Notify, WorldReport

DEFAULT_SEED = 20260101
DEFAULT_BATCH_SIZE = 2000

# Fictional personnummer: Skatteverket publishes test personnummer ("testpersonnummer", open data) for
# exactly this purpose, and all of them use the birth numbers (födelsenummer) 980-999, a series that is
# not assigned to real people. Demo patients use only these birth numbers, so a demo number can never
# be a real person's. The birth number's last digit is odd for men and even for women, as in real ones.
DEMO_BIRTH_NUMBERS = range(980, 1000)

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


def housing_unit_of(street_address: str) -> str:
    """The SÄBO or short-term unit a demo address names ("Solgårdens särskilda boende, …" → "Solgården").

    The demo agreement names the vårdcentral for physician input at Solgården in Varberg by the unit.
    """
    home, separator, _rest = street_address.partition(", ")
    if not separator or not any(home in names for names in HOME_NAMES.values()):
        return ""
    if home.endswith("s särskilda boende"):
        return home.removesuffix("s särskilda boende")
    return home.removeprefix("Korttidsboendet ")


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
    gp_by_vardcentral = {name: users[f"{Role.GP}.{vardcentral_slug(name)}"] for name, _, _ in VARDCENTRALER}
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
        # bulk_create does not call save(), which keeps the search key of a single patient.
        search_name=search_name_of(spec.given_name, spec.family_name),
        street_address=spec.street_address,
        postal_code=spec.postal_code,
        city=spec.city,
        # Ids rather than objects: the related-object setters cost more than the insert at scale.
        folkbokforing_kommun_id=organisations[spec.kommun_name].pk,
        housing_setting=spec.housing_setting,
        housing_unit=housing_unit_of(spec.street_address),
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
