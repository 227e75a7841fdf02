"""Query-count guards: no list endpoint or list page costs more queries as it shows more rows.

Each test lists a few rows, adds many more of the same kinds, lists again and asserts the same number of
queries both times (and that the second list really shows the extra rows). A new N+1 — a per-row lookup
in a serializer, a presenter or an access check — makes the counts differ. These are guards, not
timings: the speed itself is measured by ``bench/`` at national scale.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from agreements.choices import AgreementScope, AgreementStatus, CareLevel, PartyRef, TaskKind
from agreements.models import Agreement, AgreementVersion, CareTaskType, ResponsibilityRule, Section
from cases.models import CaseStatus, Notification, NotificationKind, ResponsibilityCase
from directory.actor import Actor
from directory.models import Organisation, OrganisationKind
from documents.models import Document, DocumentKind
from sip import services as sip_services
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World, make_user

SMALL = 3
LARGE = 20


def _count(fetch: Callable[[], Any]) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as queries:
        response = fetch()
    assert response.status_code == 200, getattr(response, "content", b"")[:500]
    return len(queries.captured_queries), response


def _rows(response: Any) -> int:
    data = response.json()
    if isinstance(data, dict) and "results" in data:
        return len(data["results"])
    return len(data)


def assert_flat(
    fetch: Callable[[], Any], grow: Callable[[int], object], *, rows: Callable[[Any], int] = _rows
) -> None:
    """Same number of queries for ``SMALL`` and ``LARGE`` rows (``grow(n)`` adds n rows).

    A first, uncounted request lets the once-a-minute token bookkeeping (``last_used_at``) and the
    session's first-request work happen outside the counts.
    """
    grow(SMALL)
    _count(fetch)
    small, first = _count(fetch)
    grow(LARGE - SMALL)
    large, second = _count(fetch)
    assert rows(second) > rows(first), "the second list should show the added rows"
    assert small == large, f"{small} queries for {rows(first)} rows but {large} for {rows(second)}"


def _page_client(world: World, key: str) -> Client:
    return signed_in(world.users[key])


# --- Patients ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patient_list_api(world: World, api: Callable[..., Any]) -> None:
    client = api(world.users["nurse_a"])
    assert_flat(
        lambda: client.get("/api/v1/patients", {"page_size": 100}),
        lambda n: [world.patient(given_name=f"Karin{i}") for i in range(n)],
    )


@pytest.mark.django_db
def test_patient_search_by_name_api(world: World, api: Callable[..., Any]) -> None:
    client = api(world.users["nurse_a"])

    def grow(n: int) -> None:
        # Each with a fast läkarkontakt and vårdkontakt of their own, as patients at national scale have.
        for _ in range(n):
            patient = world.patient(family_name="Svensson")
            patient.fast_lakarkontakt = make_user(f"lakare.{patient.pk}")
            patient.fast_vardkontakt = make_user(f"ssk.{patient.pk}")
            patient.save(update_fields=["fast_lakarkontakt", "fast_vardkontakt"])

    assert_flat(lambda: client.get("/api/v1/patients", {"search": "svens", "page_size": 100}), grow)


@pytest.mark.django_db
def test_patient_list_page(world: World) -> None:
    client = _page_client(world, "nurse_a")
    assert_flat(
        lambda: client.get("/patients/"),
        lambda n: [world.patient() for _ in range(n)],
        rows=lambda response: response.content.count(b'href="/patients/'),
    )


# --- Cases, my work, notifications --------------------------------------------------------------------


def _case_mix(case_in: Callable[..., ResponsibilityCase]) -> Callable[[int], None]:
    """Cases whose ``allowed_actions`` need the most (a risk analysis awaiting approval, PD under review)."""
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            status = CaseStatus.AWAITING_APPROVAL if made[0] % 5 == 0 else CaseStatus.IN_REVIEW
            case_in(status, tasks=(PD, WOUND) if made[0] % 2 else (PD,))
            made[0] += 1

    return grow


@pytest.mark.django_db
def test_case_list_api(world: World, api: Callable[..., Any], case_in: Callable[..., Any]) -> None:
    client = api(world.users["nurse_a"])
    assert_flat(lambda: client.get("/api/v1/cases", {"page_size": 100}), _case_mix(case_in))


@pytest.mark.django_db
def test_case_list_api_for_the_approver(
    world: World, api: Callable[..., Any], case_in: Callable[..., Any]
) -> None:
    client = api(world.users["mas_a"])
    assert_flat(lambda: client.get("/api/v1/cases", {"page_size": 100}), _case_mix(case_in))


@pytest.mark.django_db
def test_my_work_page(world: World, case_in: Callable[..., Any]) -> None:
    client = _page_client(world, "gp_a")
    assert_flat(
        lambda: client.get("/"),
        _case_mix(case_in),
        rows=lambda response: response.content.count(b'href="/cases/'),
    )


@pytest.mark.django_db
def test_my_work_page_for_the_approver(world: World, case_in: Callable[..., Any]) -> None:
    client = _page_client(world, "mas_a")
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            case_in(CaseStatus.AWAITING_APPROVAL)
            made[0] += 1

    assert_flat(lambda: client.get("/"), grow, rows=lambda response: response.content.count(b'href="/cases/'))


@pytest.mark.django_db
def test_notification_list_api(world: World, api: Callable[..., Any], case_in: Callable[..., Any]) -> None:
    client = api(world.users["gp_a"])
    cases = [case_in(CaseStatus.IN_REVIEW) for _ in range(2)]
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            Notification.objects.create(
                user=world.users["gp_a"],
                case=cases[made[0] % 2],
                kind=NotificationKind.DEADLINE_PASSED,
                deadline_key=f"in_review:0:{made[0]}",
                message="Granskningen är försenad.",
            )
            made[0] += 1

    assert_flat(lambda: client.get("/api/v1/notifications", {"page_size": 100}), grow)


# --- Documents and SIPs --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_document_list_api(world: World, api: Callable[..., Any], case_in: Callable[..., Any]) -> None:
    case = case_in(CaseStatus.ESCALATED)
    client = api(world.users["nurse_a"])
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            Document.objects.create(
                kind=DocumentKind.ESCALATION_NOTICE,
                source_id=case.public_id,
                source_version=f"v{made[0]}",
                language="sv",
                patient=case.patient,
                requested_by=world.users["nurse_a"],
                requested_by_organisation=world.orgs["kommun_a"],
            )
            made[0] += 1

    assert_flat(
        lambda: client.get(
            "/api/v1/documents",
            {"kind": DocumentKind.ESCALATION_NOTICE, "source_id": str(case.public_id), "page_size": 100},
        ),
        grow,
    )


@pytest.mark.django_db
def test_sip_list_api(world: World, api: Callable[..., Any]) -> None:
    patient = world.patient()
    nurse = Actor.for_user(world.users["nurse_a"])
    client = api(world.users["nurse_a"])
    from patients.selectors import patient_get

    def grow(n: int) -> None:
        for _ in range(n):
            sip = sip_services.sip_create_for_patient(
                actor=nurse, patient=patient_get(actor=nurse, public_id=patient.public_id)
            )
            # Older plans are closed, so a new one may be started (one open plan per patient at a time
            # is the services' rule, if there is one); a closed plan is listed all the same.
            type(sip).objects.filter(pk=sip.pk).update(
                status="closed", closed_at=datetime.datetime.now(datetime.UTC)
            )

    assert_flat(lambda: client.get("/api/v1/sips", {"patient": str(patient.public_id)}), grow)
    # Across patients, as a planning system syncs: page numbers and the cursor.
    others = [world.patient() for _ in range(3)]
    for other in others:
        sip_services.sip_create_for_patient(
            actor=nurse, patient=patient_get(actor=nurse, public_id=other.public_id)
        )
    assert_flat(lambda: client.get("/api/v1/sips", {"page_size": 100}), grow)
    assert_flat(lambda: client.get("/api/v1/sips", {"cursor": "", "page_size": 100}), grow)


# --- Agreements, task types, rules, organisations ---------------------------------------------------------


def _agreement(world: World, code: str) -> AgreementVersion:
    agreement = Agreement.objects.create(
        region=world.orgs["region"], code=code, scope=AgreementScope.REGIONAL
    )
    version = AgreementVersion.objects.create(
        agreement=agreement,
        version="2025.1",
        title=f"Överenskommelse {code}",
        status=AgreementStatus.IN_FORCE,
        valid_from=datetime.date(2025, 1, 1),
        covered_housing_settings=["ordinary_home"],
    )
    version.kommuner.set([world.orgs["kommun_a"], world.orgs["kommun_b"]])
    Section.objects.create(version=version, number="1", heading="Allmänt")
    return version


def _task_type(code: str) -> CareTaskType:
    return CareTaskType.objects.create(
        code=code, name_sv=code, name_en=code, kind=TaskKind.NURSING, care_level=CareLevel.PRIMARY
    )


@pytest.mark.django_db
def test_agreement_list_api(world: World, api: Callable[..., Any]) -> None:
    client = api(world.users["nurse_a"])
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            _agreement(world, f"agreement-{made[0]}")
            made[0] += 1

    assert_flat(lambda: client.get("/api/v1/agreements", {"page_size": 100}), grow)


@pytest.mark.django_db
def test_agreement_version_list_api(world: World, api: Callable[..., Any]) -> None:
    client = api(world.users["nurse_a"])
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            _agreement(world, f"version-{made[0]}")
            made[0] += 1

    assert_flat(lambda: client.get("/api/v1/agreement-versions", {"page_size": 100}), grow)


@pytest.mark.django_db
def test_task_type_list_api(world: World, api: Callable[..., Any]) -> None:
    client = api(world.users["nurse_a"])
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            _task_type(f"task-{made[0]}")
            made[0] += 1

    assert_flat(lambda: client.get("/api/v1/task-types", {"page_size": 100}), grow)


@pytest.mark.django_db
def test_rule_list_api(world: World, api: Callable[..., Any]) -> None:
    client = api(world.users["nurse_a"])
    version = _agreement(world, "rules")
    section = version.sections.first()
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            ResponsibilityRule.objects.create(
                version=version,
                task_type=_task_type(f"rule-task-{made[0]}"),
                section=section,
                orders_party=PartyRef.LISTED_VARDCENTRAL,
                performs_party=PartyRef.ENROLMENT_KOMMUN,
                follows_up_party=PartyRef.LISTED_VARDCENTRAL,
            )
            made[0] += 1

    assert_flat(lambda: client.get("/api/v1/responsibility-rules", {"page_size": 100}), grow)


@pytest.mark.django_db
def test_organisation_list_api(world: World, api: Callable[..., Any]) -> None:
    client = api(world.users["nurse_a"])
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            Organisation.objects.create(
                name=f"Vårdcentralen {uuid.uuid4().hex[:6]}",
                kind=OrganisationKind.VARDCENTRAL,
                region=world.orgs["region"],
                kommun=world.orgs["kommun_a"],
            )
            made[0] += 1

    assert_flat(lambda: client.get("/api/v1/organisations", {"page_size": 100}), grow)


# --- Figures ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/figures/kpis", "/api/v1/figures/shift-table"])
def test_figures_api(world: World, api: Callable[..., Any], case_in: Callable[..., Any], path: str) -> None:
    client = api(world.users["nurse_a"])
    grow = _case_mix(case_in)
    grow(SMALL)
    _count(lambda: client.get(path))
    small, _ = _count(lambda: client.get(path))
    grow(LARGE - SMALL)
    large, response = _count(lambda: client.get(path))
    assert response.json()["scope"]["name"] == world.orgs["kommun_a"].name
    assert small == large, f"{small} queries for {SMALL} cases but {large} for {LARGE}"


@pytest.mark.django_db
def test_figures_scopes_api(world: World, api: Callable[..., Any]) -> None:
    """A governance member sees every kommun and vårdcentral of the region: one query however many."""
    from directory.models import Role
    from tests.fixtures.world import make_user

    body_member = make_user("governance.perf", (world.orgs["body"], Role.GOVERNANCE))
    client = api(body_member)
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            Organisation.objects.create(
                name=f"Kommun {made[0]}", kind=OrganisationKind.KOMMUN, region=world.orgs["region"]
            )
            made[0] += 1

    assert_flat(lambda: client.get("/api/v1/figures/scopes"), grow)
