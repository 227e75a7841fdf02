"""Fixtures for the agreements tests: the demo organisations of Region Halland, staff, patients.

The organisation names are those the demo agreement (``agreements/data/region_halland.yaml``) names, so
the real file is what the tests import. A second region ("Region Skåne") exists so that tests can act
as another region's administrator.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from agreements.importer import agreement_import
from agreements.models import AgreementVersion
from directory.authentication import token_issue
from directory.models import Membership, Organisation, OrganisationKind, Ownership, Role, User
from patients.models import Enrolment, HousingSetting, Patient
from patients.personnummer import luhn_check_digit

DATA = Path(__file__).resolve().parents[2] / "agreements" / "data"
REGIONAL_FILE = DATA / "region_halland.yaml"
LOCAL_FILE = DATA / "varberg_centrum_lokal.yaml"

KOMMUNER = {
    "Kungsbacka kommun": "Kungsbacka",
    "Varbergs kommun": "Varberg",
    "Falkenbergs kommun": "Falkenberg",
    "Halmstads kommun": "Halmstad",
    "Hylte kommun": "Hylte",
    "Laholms kommun": "Laholm",
}
VARDCENTRALER = {
    "Vårdcentralen Centrum Varberg": ("Varbergs kommun", Ownership.PUBLIC),
    "Vårdcentralen Träslöv Varberg": ("Varbergs kommun", Ownership.PRIVATE),
    "Vårdcentralen Centrum Halmstad": ("Halmstads kommun", Ownership.PUBLIC),
}
CLINICS = (
    "Njurmedicin Halland",
    "Infektionskliniken Halland",
    "Lungmedicin Halland",
    "Palliativ enhet/ASIH Halland",
)
MOBILE_TEAM = "Mobilt närsjukvårdsteam Halland"

_serial = itertools.count(1)


def demo_personnummer(birth: str = "19380514") -> str:
    """A fictional personnummer from the 980-999 birth-number series, valid under the Luhn check."""
    serial = next(_serial)
    birth_number = f"{980 + serial % 20:03d}"
    nine = birth[2:] + birth_number
    return birth + birth_number + luhn_check_digit(nine)


@dataclass
class Halland:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    @property
    def region(self) -> Organisation:
        return self.orgs["Region Halland"]

    def patient(
        self,
        *,
        kommun: str = "Varbergs kommun",
        vardcentral: str | None = "Vårdcentralen Centrum Varberg",
        enrolled: bool = True,
        housing: str = HousingSetting.ORDINARY_HOME,
    ) -> Patient:
        patient = Patient.objects.create(
            personal_identity=demo_personnummer(),
            given_name="Astrid",
            family_name="Demosson",
            folkbokforing_kommun=self.orgs[kommun],
            housing_setting=housing,
            listed_vardcentral=self.orgs[vardcentral] if vardcentral else None,
            is_demo=True,
        )
        if enrolled:
            Enrolment.objects.create(
                patient=patient,
                kommun=self.orgs[kommun],
                starts_on=datetime.date(2024, 6, 1),
                threshold_justification="Kan inte ta sig till vårdcentralen på egen hand.",
                enrolled_by=self.users["nurse_varberg"],
            )
        return patient


def _user(username: str, *memberships: tuple[Organisation, str]) -> User:
    user = User.objects.create_user(username=username, password="a-long-test-password")
    for organisation, role in memberships:
        Membership.objects.create(
            user=user, organisation=organisation, role=role, valid_from=datetime.date(2020, 1, 1)
        )
    return user


def build_halland() -> Halland:
    world = Halland()
    o = world.orgs
    region = Organisation.objects.create(
        name="Region Halland", kind=OrganisationKind.REGION, hsa_id="SE2321000115-T0001"
    )
    o[region.name] = region
    for name, short in KOMMUNER.items():
        kommun = Organisation.objects.create(name=name, kind=OrganisationKind.KOMMUN, region=region)
        o[name] = kommun
        o[f"Lokal samverkan {short}"] = Organisation.objects.create(
            name=f"Lokal samverkan {short}",
            kind=OrganisationKind.JOINT_BODY,
            region=region,
            kommun=kommun,
        )
    for name, (located_in, ownership) in VARDCENTRALER.items():
        o[name] = Organisation.objects.create(
            name=name,
            kind=OrganisationKind.VARDCENTRAL,
            region=region,
            kommun=o[located_in],
            ownership=ownership,
        )
    for name in CLINICS:
        o[name] = Organisation.objects.create(
            name=name, kind=OrganisationKind.SPECIALIST_CLINIC, region=region
        )
    o[MOBILE_TEAM] = Organisation.objects.create(
        name=MOBILE_TEAM, kind=OrganisationKind.MOBILE_TEAM, region=region
    )
    for name in ("RUG Halland", "GNHH"):
        o[name] = Organisation.objects.create(name=name, kind=OrganisationKind.JOINT_BODY, region=region)

    skane = Organisation.objects.create(name="Region Skåne", kind=OrganisationKind.REGION)
    o["Region Skåne"] = skane
    o["Malmö stad"] = Organisation.objects.create(
        name="Malmö stad", kind=OrganisationKind.KOMMUN, region=skane
    )

    u = world.users
    u["nurse_varberg"] = _user("nurse.varberg", (o["Varbergs kommun"], Role.NURSE))
    u["mas_varberg"] = _user("mas.varberg", (o["Varbergs kommun"], Role.MAS))
    u["nurse_halmstad"] = _user("nurse.halmstad", (o["Halmstads kommun"], Role.NURSE))
    u["gp_centrum"] = _user("gp.centrum", (o["Vårdcentralen Centrum Varberg"], Role.GP))
    u["specialist_njur"] = _user("specialist.njur", (o["Njurmedicin Halland"], Role.SPECIALIST))
    u["admin_halland"] = _user("admin.halland", (region, Role.ADMIN))
    u["admin_varberg"] = _user("admin.varberg", (o["Varbergs kommun"], Role.ADMIN))
    u["admin_skane"] = _user("admin.skane", (skane, Role.ADMIN))
    u["nobody"] = _user("nobody")
    return world


@pytest.fixture(autouse=True)
def in_english() -> Iterator[None]:
    """Messages are asserted in English (the msgids); Swedish is the product's default language."""
    with translation.override("en"):
        yield


@pytest.fixture
def halland(db: None) -> Halland:
    return build_halland()


@pytest.fixture
def demo_version(halland: Halland) -> AgreementVersion:
    """The shipped demo agreement, imported and in force."""
    return agreement_import(text=REGIONAL_FILE.read_text(encoding="utf-8"), source_name=REGIONAL_FILE.name)


@pytest.fixture
def local_version(demo_version: AgreementVersion) -> AgreementVersion:
    """The shipped local agreement Varberg – Vårdcentralen Centrum Varberg, in force from 2025-03-01."""
    return agreement_import(text=LOCAL_FILE.read_text(encoding="utf-8"), source_name=LOCAL_FILE.name)


@pytest.fixture
def api_as() -> Callable[[User | None], APIClient]:
    """An API client authenticated as ``user`` with a bearer token (anonymous for ``None``)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            raw, _token = token_issue(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
