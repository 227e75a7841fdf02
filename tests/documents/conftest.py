"""Fixtures for documents: an escalated case and an approved risk analysis, and a real Celery worker.

The worker is a separate process (``celery -A hemsjukvard worker --pool=prefork``) against Redis on a
database number and queue of its own, and against the pytest-django test database: tests that use it
commit their data (``transactional_db``) so the worker sees it.
"""

from __future__ import annotations

import datetime
import os
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import timezone

from agreements.models import CareTaskType
from cases.models import (
    AnalysisDecision,
    AnalysisStatus,
    CaseEvent,
    CaseStatus,
    CaseTask,
    EventKind,
    Hazard,
    Measure,
    Position,
    ResponsibilityCase,
    ReviewState,
    RiskAnalysis,
    Signature,
    Trigger,
)
from directory.models import Role
from documents.models import Document, DocumentStatus
from patients.models import Patient
from tests.factories import World, build_world
from tests.processes import (
    WorkerHandle,
    reset_broker_pools,
    route_to_test_queues,
    start_celery_worker,
    test_db_url,
    test_queue_names,
    use_routes,
)

ROOT = Path(__file__).resolve().parents[2]
BROKER_URL = os.environ.get("DOCUMENTS_TEST_BROKER_URL", "redis://127.0.0.1:6379/5")


def _proposal(orders: str, performs: str, follows_up: str) -> dict[str, object]:
    return {
        "status": "proposed",
        "orders": {"party": "organisation", "organisation": {"name": orders}},
        "performs": {"party": "organisation", "organisation": {"name": performs}},
        "follows_up": {"party": "organisation", "organisation": {"name": follows_up}},
        "agreement_version": {"title": "Överenskommelse om hemsjukvård i Testlän", "version": "2025.1"},
        "section": {"number": "4.2", "heading": "Peritonealdialys i hemmet"},
    }


@dataclass
class CaseWorld:
    world: World
    patient: Patient
    case: ResponsibilityCase
    analysis: RiskAnalysis


def build_case_world(*, protected: bool = False, background: str = "", events: int = 30) -> CaseWorld:
    world = build_world()
    o, u = world.orgs, world.users
    patient = world.patient(protected=protected, given_name="Åsa", family_name="Öberg")
    pd, _ = CareTaskType.objects.get_or_create(
        code="peritoneal-dialysis",
        defaults={
            "name_sv": "Peritonealdialys (PD)",
            "name_en": "Peritoneal dialysis (PD)",
            "kind": "specialised",
            "care_level": "specialised",
        },
    )
    wound, _ = CareTaskType.objects.get_or_create(
        code="wound-care-extensive",
        defaults={
            "name_sv": "Avancerad sårvård",
            "name_en": "Extensive wound care",
            "kind": "nursing",
            "care_level": "primary",
        },
    )
    now = timezone.now()
    case = ResponsibilityCase.objects.create(
        patient=patient,
        opened_by=u["nurse_a"],
        opened_by_organisation=o["kommun_a"],
        kommun=o["kommun_a"],
        vardcentral=o["vc_a"],
        specialist_clinic=o["clinic"],
        trigger=Trigger.DISCHARGE,
        background=background or "Utskriven från njurmedicin efter insättning av PD-kateter.",
        status=CaseStatus.ESCALATED,
        escalation_level=1,
        escalation_body=o["body"],
        due_at=now + datetime.timedelta(days=10),
        version=5,
    )
    pd_task = CaseTask.objects.create(
        case=case,
        task_type=pd,
        proposal=_proposal("Njurmedicin Test", "A kommun", "Njurmedicin Test"),
        proposal_status="proposed",
        requires_risk_analysis=True,
        approver_role=Role.MAS,
        review_state=ReviewState.DISPUTED,
    )
    CaseTask.objects.create(
        case=case,
        task_type=wound,
        proposal=_proposal("Vårdcentralen A", "A kommun", "Vårdcentralen A"),
        proposal_status="proposed",
        review_state=ReviewState.ACCEPTED,
        agreed_orders=o["vc_a"],
        agreed_performs=o["kommun_a"],
        agreed_follows_up=o["vc_a"],
        agreed_basis="proposal",
        agreed_at=now,
    )
    Position.objects.create(
        case=case,
        task=pd_task,
        organisation=o["vc_a"],
        user=u["gp_a"],
        role=Role.GP,
        text="Vårdcentralen saknar kompetens för PD; njurmedicin bör behålla ordinationen.",
        proposed_orders=o["clinic"],
        proposed_performs=o["kommun_a"],
        proposed_follows_up=o["clinic"],
    )
    Position.objects.create(
        case=case,
        task=pd_task,
        organisation=o["kommun_a"],
        user=u["nurse_a"],
        role=Role.NURSE,
        text="Kommunen kan utföra PD efter utbildning och med dygnet-runt-kontakt till njurmedicin.",
        proposed_orders=o["clinic"],
        proposed_performs=o["kommun_a"],
        proposed_follows_up=o["clinic"],
    )
    CaseEvent.objects.create(case=case, user=u["nurse_a"], organisation=o["kommun_a"], kind=EventKind.CREATED)
    for i in range(events):
        CaseEvent.objects.create(
            case=case,
            user=u["coordinator_a"],
            organisation=o["kommun_a"],
            kind=EventKind.COMMENT,
            reason=f"Kommentar nummer {i}: uppföljning av ansvarsfrågan med vårdcentralen och kliniken.",
        )
    CaseEvent.objects.create(
        case=case,
        user=u["coordinator_a"],
        organisation=o["kommun_a"],
        kind=EventKind.ESCALATED,
        from_status=CaseStatus.DISPUTED,
        to_status=CaseStatus.ESCALATED,
        reason="Parterna är oense om PD.",
    )
    analysis = RiskAnalysis.objects.create(
        case=case,
        number=2,
        status=AnalysisStatus.APPROVED,
        summary="PD i hemmet med kommunal sjuksköterska.",
        review_on=datetime.date(2026, 6, 1),
        created_by=u["nurse_a"],
        organisation=o["kommun_a"],
    )
    infection = Hazard.objects.create(
        analysis=analysis, description="Peritonit vid felaktig aseptik", likelihood=3, consequence=4
    )
    Hazard.objects.create(
        analysis=analysis, description="Utebliven påse nattetid", likelihood=1, consequence=2
    )
    Measure.objects.create(
        analysis=analysis,
        hazard=infection,
        description="Utbildning i aseptisk teknik",
        owner_organisation=o["clinic"],
        owner_name="PD-sjuksköterska",
        due_on=datetime.date(2026, 3, 1),
    )
    Signature.objects.create(
        analysis=analysis, user=u["specialist"], organisation=o["clinic"], role=Role.SPECIALIST
    )
    AnalysisDecision.objects.create(
        analysis=analysis,
        user=u["mas_a"],
        organisation=o["kommun_a"],
        role=Role.MAS,
        for_role=Role.MAS,
        verdict="approved",
    )
    return CaseWorld(world=world, patient=patient, case=case, analysis=analysis)


@pytest.fixture
def case_world(db: None) -> CaseWorld:
    return build_case_world()


# --- The worker ---------------------------------------------------------------------------------


@pytest.fixture
def celery_queue(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A queue of this test's own on the test broker (with its documents and webhooks queues, as in
    production); the test process sends its tasks there."""
    from hemsjukvard.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its configuration, so both change.
    monkeypatch.setenv("CELERY_BROKER_URL", BROKER_URL)
    queue = f"documents-test-{uuid.uuid4().hex[:12]}"
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    saved_routes = {"default_queue": app.conf.task_default_queue, "routes": app.conf.task_routes}
    app.conf.broker_url = BROKER_URL
    route_to_test_queues(app, queue)
    app.conf.task_always_eager = False
    reset_broker_pools(app)
    yield queue
    with app.connection_for_write() as conn:
        for name in test_queue_names(queue).values():
            conn.default_channel.queue_purge(name)
    app.conf.broker_url, app.conf.task_always_eager = saved
    use_routes(app, **saved_routes)
    reset_broker_pools(app)


@pytest.fixture
def start_worker(
    celery_queue: str, tmp_path: Path, transactional_db: None
) -> Iterator[Callable[..., WorkerHandle]]:
    """Start real workers on ``celery_queue`` against the test database; all are stopped afterwards."""
    started: list[WorkerHandle] = []

    def start(name: str = "w1", **extra_env: str) -> WorkerHandle:
        env = {
            **os.environ,
            "HEMSJUKVARD_ENV": "test",
            "DATABASE_URL": test_db_url(),
            "CELERY_BROKER_URL": BROKER_URL,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "PYTHONUNBUFFERED": "1",
            **extra_env,
        }
        handle = start_celery_worker(
            name=name, queue=celery_queue, env=env, log=tmp_path / f"worker-{name}.log"
        )
        started.append(handle)
        return handle

    yield start
    for handle in started:
        handle.stop()


def wait_for(
    document: Document, *, statuses: tuple[str, ...] = (DocumentStatus.READY,), timeout: float = 90
) -> Document:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        document.refresh_from_db()
        if document.status in statuses:
            return document
        time.sleep(0.2)
    raise AssertionError(f"document stayed {document.status} ({document.failure_reason})")


def pdf_text(content: bytes) -> str:
    """The whole PDF's text, whitespace normalised."""
    return " ".join(pdf_pages_text(content))


def pdf_pages_text(content: bytes) -> list[str]:
    """Each page's text, read back with pypdf (poppler's pdftotext is not installed here)."""
    import io

    from pypdf import PdfReader

    # Whitespace normalised: table cells wrap wherever the column ends.
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages]
