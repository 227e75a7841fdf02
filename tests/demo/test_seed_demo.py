"""``manage.py seed_demo``: the demo world of domain brief §8, built the same way every time."""

from __future__ import annotations

import io
from itertools import islice

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count, Q
from django.test import RequestFactory

from agreements.models import AgreementVersion
from demo import patients as demo_patients
from demo import world as demo_world
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
from hemsjukvard.search import search_name_of
from patients.models import Enrolment, Patient
from patients.personnummer import IdentityKind, luhn_check_digit, parse_identity

SMALL = 200


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", "--no-agreement", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def world_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "patients": Patient.objects.count(),
        "enrolments": Enrolment.objects.count(),
    }


@pytest.fixture
def small_world() -> str:
    return seed("--patients", str(SMALL))


def kommun(short_name: str) -> Organisation:
    return Organisation.objects.get(kind=OrganisationKind.KOMMUN, name__startswith=short_name)


@pytest.mark.django_db
def test_the_organisations_of_the_demo_world(small_world):
    region = Organisation.objects.get(name="Region Halland")
    assert region.kind == OrganisationKind.REGION
    assert region.region is None

    codes = dict(Organisation.objects.filter(kind=OrganisationKind.KOMMUN).values_list("name", "kommun_code"))
    assert codes == {
        "Kungsbacka kommun": "1384",
        "Varbergs kommun": "1383",
        "Falkenbergs kommun": "1382",
        "Halmstads kommun": "1380",
        "Hylte kommun": "1315",
        "Laholms kommun": "1381",
    }

    names_by_kind = {
        kind: set(Organisation.objects.filter(kind=kind).values_list("name", flat=True))
        for kind in OrganisationKind.values
    }
    assert names_by_kind[OrganisationKind.SPECIALIST_CLINIC] == {
        "Njurmedicin Halland",
        "Infektionskliniken Halland",
        "Lungmedicin Halland",
        "Palliativ enhet/ASIH Halland",
    }
    assert names_by_kind[OrganisationKind.MOBILE_TEAM] == {"Mobilt närsjukvårdsteam Halland"}
    assert names_by_kind[OrganisationKind.JOINT_BODY] == {
        "Lokal samverkan Kungsbacka",
        "Lokal samverkan Varberg",
        "Lokal samverkan Falkenberg",
        "Lokal samverkan Halmstad",
        "Lokal samverkan Hylte",
        "Lokal samverkan Laholm",
        "RUG Halland",
        "GNHH",
    }
    assert "Vårdcentralen Centrum Varberg" in names_by_kind[OrganisationKind.VARDCENTRAL]
    assert 11 <= len(names_by_kind[OrganisationKind.VARDCENTRAL]) <= 14

    # Everything but the region belongs to Region Halland; every vårdcentral and local joint body
    # sits in a kommun; some vårdcentraler are private, and nothing else is.
    assert not Organisation.objects.exclude(pk=region.pk).exclude(region=region).exists()
    vardcentraler = Organisation.objects.filter(kind=OrganisationKind.VARDCENTRAL)
    assert not vardcentraler.filter(kommun__isnull=True).exists()
    assert vardcentraler.filter(ownership=Ownership.PRIVATE).count() >= 3
    assert vardcentraler.filter(ownership=Ownership.PUBLIC).count() >= 3
    # Privately run: some vårdcentraler, and the private performer that runs Kungsbacka's night patrol
    # for the kommun (LOU), which stays the principal.
    assert (
        not Organisation.objects.filter(ownership=Ownership.PRIVATE)
        .exclude(kind__in=[OrganisationKind.VARDCENTRAL, OrganisationKind.PRIVATE_PERFORMER])
        .exists()
    )
    (performer,) = Organisation.objects.filter(kind=OrganisationKind.PRIVATE_PERFORMER)
    assert performer.kommun is not None
    assert performer.kommun.name == "Kungsbacka kommun"
    for local in Organisation.objects.filter(name__startswith="Lokal samverkan "):
        assert local.kommun is not None
        assert local.kommun.name.startswith(local.name.removeprefix("Lokal samverkan "))
    # Every kommun has at least one vårdcentral for its patients to be listed at.
    assert set(vardcentraler.values_list("kommun__name", flat=True)) == set(codes)
    # Demo HSA-ids are unique and say they are demo ids.
    hsa_ids = list(Organisation.objects.values_list("hsa_id", flat=True))
    assert len(set(hsa_ids)) == len(hsa_ids)
    assert all(hsa_id.startswith(demo_world.DEMO_HSA_PREFIX) for hsa_id in hsa_ids)


@pytest.mark.django_db
def test_one_user_per_role_per_organisation_with_a_predictable_username(small_world):
    slugs = {spec.name: spec.slug for spec in demo_world.organisation_specs()}
    missing = []
    for organisation in Organisation.objects.all():
        for role in ROLES_BY_ORGANISATION_KIND[organisation.kind]:
            if role == Role.MAR and organisation.name in {"Hylte kommun", "Laholms kommun"}:
                continue  # vacant and shared, see the next test
            if role == Role.LOG_REVIEWER and organisation.kind != OrganisationKind.REGION:
                continue  # the region's one log reviewer sits in the region
            holders = Membership.objects.active().filter(organisation=organisation, role=role)
            if not holders.filter(user__username=f"{role}.{slugs[organisation.name]}").exists():
                missing.append(f"{role}.{slugs[organisation.name]}")
    assert missing == []

    for spec in ("nurse.varberg", "mas.varberg", "mar.varberg", "rehab.varberg", "coordinator.varberg",
                 "gp.vc-centrum-varberg", "specialist.njurmedicin", "governance.rug",
                 "admin.halland"):  # fmt: skip
        assert User.objects.filter(username=spec).exists(), spec
    # No membership breaks the rule of which roles fit which kind of organisation.
    for membership in Membership.objects.select_related("organisation"):
        assert membership.role in ROLES_BY_ORGANISATION_KIND[membership.organisation.kind]
    hsa_ids = list(User.objects.values_list("hsa_id", flat=True))
    assert len(set(hsa_ids)) == len(hsa_ids)
    assert all(user.email.endswith("@example.org") for user in User.objects.all())
    assert not User.objects.filter(Q(first_name="") | Q(last_name="")).exists()


@pytest.mark.django_db
def test_the_vacant_mar_and_the_shared_mar(small_world):
    hylte, halmstad, laholm = kommun("Hylte"), kommun("Halmstad"), kommun("Laholm")
    assert not Membership.objects.filter(organisation=hylte, role=Role.MAR).exists()
    assert Membership.objects.filter(organisation=hylte, role=Role.MAS).exists()  # MAS decides

    shared = User.objects.get(username="mar.halmstad")
    assert set(
        Membership.objects.active().filter(user=shared, role=Role.MAR).values_list("organisation", flat=True)
    ) == {halmstad.pk, laholm.pk}
    assert list(
        Membership.objects.filter(organisation=laholm, role=Role.MAR).values_list("user__username", flat=True)
    ) == ["mar.halmstad"]
    assert not User.objects.filter(username__in=["mar.hylte", "mar.laholm"]).exists()


@pytest.mark.django_db
def test_a_nurse_who_is_also_acting_mas(small_world):
    nurse = User.objects.get(username="nurse.falkenberg")
    actor = Actor.for_user(nurse)
    falkenberg = kommun("Falkenberg")
    assert actor.has_role(Role.NURSE, falkenberg.pk)
    assert actor.has_role(Role.MAS, falkenberg.pk)


@pytest.mark.django_db
def test_the_printed_credentials_log_in(small_world):
    assert small_world.count(demo_world.DEFAULT_PASSWORD) == 1
    login = RequestFactory().post("/login/")
    for username in ("nurse.varberg", "gp.vc-centrum-varberg", "mar.halmstad", "admin.halland"):
        assert username in small_world
        assert authenticate(login, username=username, password=demo_world.DEFAULT_PASSWORD) is not None
    assert authenticate(login, username="nurse.varberg", password="wrong-password-123") is None


@pytest.mark.django_db
def test_the_patients_are_fictional_and_enrolled_once(small_world):
    patients = Patient.objects.select_related("folkbokforing_kommun", "listed_vardcentral")
    assert patients.count() == demo_world.total_patients(SMALL)
    assert not patients.filter(is_demo=False).exists()
    for patient in patients:
        parsed = parse_identity(patient.personal_identity)
        assert parsed.digits == patient.personal_identity
        assert parsed.kind is IdentityKind.PERSONNUMMER
        assert demo_world.is_demo_personnummer(patient.personal_identity)
        # Written in bulk, without save(): the name search's folded name is written all the same.
        assert patient.search_name == search_name_of(patient.given_name, patient.family_name) != ""
        assert patient.listed_vardcentral is not None
        assert patient.listed_vardcentral.kommun_id == patient.folkbokforing_kommun_id
        assert Membership.objects.filter(
            user=patient.fast_lakarkontakt, organisation=patient.listed_vardcentral, role=Role.GP
        ).exists()

    enrolled = patients.filter(enrolments__isnull=False).distinct()
    assert enrolled.count() == SMALL
    assert (
        not enrolled.annotate(open_enrolments=Count("enrolments", filter=Q(enrolments__ends_on__isnull=True)))
        .exclude(open_enrolments=1)
        .exists()
    )
    for enrolment in Enrolment.objects.select_related("patient", "kommun", "enrolled_by"):
        assert enrolment.kommun_id == enrolment.patient.folkbokforing_kommun_id
        assert enrolment.threshold_justification
        assert Membership.objects.filter(
            user=enrolment.enrolled_by, organisation=enrolment.kommun, role=Role.NURSE
        ).exists()
        assert enrolment.patient.fast_vardkontakt_id == enrolment.enrolled_by_id

    # Some people are not enrolled: they can get to the vårdcentral (tröskelprincipen).
    not_enrolled = patients.filter(enrolments__isnull=True)
    assert not_enrolled.count() == demo_world.total_patients(SMALL) - SMALL >= 1


@pytest.mark.django_db
def test_the_kommun_spread_follows_population(small_world):
    counts = dict(
        Enrolment.objects.open()
        .values_list("kommun__name")
        .annotate(n=Count("id"))
        .values_list("kommun__name", "n")
    )
    for name, expected in demo_world.expected_spread(SMALL).items():
        assert abs(counts[name] - expected) <= 1, (name, counts[name], expected)
    assert counts["Halmstads kommun"] > counts["Kungsbacka kommun"] > counts["Varbergs kommun"]
    assert counts["Varbergs kommun"] > counts["Falkenbergs kommun"] > counts["Laholms kommun"]
    assert counts["Laholms kommun"] > counts["Hylte kommun"]


@pytest.mark.django_db
def test_running_twice_changes_no_counts(small_world):
    before = world_counts()
    identities = set(Patient.objects.values_list("personal_identity", flat=True))
    output = seed("--patients", str(SMALL))
    assert world_counts() == before
    assert set(Patient.objects.values_list("personal_identity", flat=True)) == identities
    assert "patients 0 new" in output


@pytest.mark.django_db
def test_asking_for_more_patients_extends_the_same_world(small_world):
    first = set(Patient.objects.values_list("personal_identity", flat=True))
    seed("--patients", str(SMALL + 150))
    assert Patient.objects.count() == demo_world.total_patients(SMALL + 150)
    assert first <= set(Patient.objects.values_list("personal_identity", flat=True))
    # Asking for fewer afterwards keeps what is there and adds nothing.
    before = world_counts()
    seed("--patients", "10")
    assert world_counts() == before


@pytest.mark.django_db
def test_another_seed_is_refused_rather_than_mixed_in(small_world):
    before = world_counts()
    with pytest.raises(CommandError, match="--seed"):
        seed("--patients", str(SMALL), "--seed", "7")
    assert world_counts() == before


@pytest.mark.django_db
def test_a_weak_password_is_refused():
    with pytest.raises(CommandError, match="too weak"):
        seed("--patients", "0", "--password", "demo")
    assert not User.objects.exists()


def test_patient_i_does_not_depend_on_how_many_are_asked_for():
    few = list(demo_world.patient_specs(enrolled=50, seed=3))
    many = list(islice(demo_world.patient_specs(enrolled=500, seed=3), len(few)))
    assert few == many
    assert len(few) == demo_world.total_patients(50)
    assert list(demo_world.patient_specs(enrolled=50, seed=4)) != few


def test_demo_personnummer_are_unique_and_pass_the_luhn_check():
    specs = list(demo_world.patient_specs(enrolled=5000))
    identities = [spec.personal_identity for spec in specs]
    assert len(set(identities)) == len(identities) == demo_world.total_patients(5000)
    for identity in identities:
        parse_identity(identity)  # raises on a bad date or check digit
        assert 1925 <= int(identity[:4]) <= 1960
        assert demo_world.is_demo_personnummer(identity)
    # The birth number's last digit tells the sex; the name must agree.
    female_names = set(demo_world.PATIENT_GIVEN_NAMES_FEMALE)
    for spec in specs:
        if spec.given_name in female_names:
            assert int(spec.personal_identity[10]) % 2 == 0


@pytest.mark.django_db
def test_the_demo_agreement_is_loaded_once():
    def run() -> int:
        call_command("seed_demo", "--patients", "0", stdout=io.StringIO(), stderr=io.StringIO())
        return AgreementVersion.objects.filter(agreement__region__name="Region Halland").count()

    assert run() >= 1
    versions = AgreementVersion.objects.count()
    run()
    assert AgreementVersion.objects.count() == versions


def test_the_check_digit_is_the_luhn_digit():
    for nine in ("121212121", "400312980", "251231999", "600101985"):
        assert demo_patients._check_digit(nine) == luhn_check_digit(nine)


def test_the_demo_agreement_is_skipped_while_its_file_is_missing(tmp_path):
    notices: list[str] = []
    loaded = demo_world.load_demo_agreement(
        imported_by=User(username="admin.halland"),
        path=tmp_path / "region_halland.yaml",
        notify=notices.append,
    )
    assert loaded is False
    assert "does not exist yet" in notices[0]


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production(settings):
    # Production leaves the demo app out; should a settings module install it anyway, the command itself
    # still refuses, before anything is written.
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="never runs in production"):
        seed("--patients", "5")
    assert world_counts() == dict.fromkeys(world_counts(), 0)
