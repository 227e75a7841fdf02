"""``manage.py api_examples``: the API's response examples, captured from the demo world.

The OpenAPI description shows a response example for every operation (``hemsjukvard.api.examples`` puts
them in). They are real answers of this code, not typed by hand: the command builds the demo world
(``seed_demo``'s organisations, users, patients, agreement and cases) in the current database, calls the
API as the demo users through DRF's test client, and writes one JSON file per response component to
``hemsjukvard/api/examples/``. Everything it writes to the database is rolled back at the end.

Before anything is written, the answers are made stable, so that a rerun changes only what the code
changed: every UUID becomes a made-up one (the same id always the same made-up id), times move to a fixed
day, secrets are cut to their marker, measured fractions are rounded and links point at
``https://hemsjukvard.example.se``. Identities stay the demo's fictional ones (Skatteverket's test
personnummer, ``DEMO`` HSA-ids); the command refuses to write an answer with any other personnummer,
HSA-id or e-mail domain in it. What the run measures (a PDF's checksum and size, how long a webhook
delivery took) is kept as measured.
"""

from __future__ import annotations

import datetime
import http.server
import logging
import re
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from agreements.models import AgreementVersion, ResponsibilityRule
from cases.models import AnalysisStatus, CaseStatus, ResponsibilityCase
from demo import cases as demo_cases
from demo import world
from demo.people import SECOND_NURSE_KOMMUN
from directory.authentication import token_issue, token_memberships
from directory.models import Membership, Organisation, Role, User
from documents import services as document_services
from documents.models import Document
from figures import services as figure_services
from figures.models import FiguresReport
from hemsjukvard.api.examples import BASE_URL, EXAMPLES_DIR, ComponentExamples, Example, Page
from integrations import services as integration_services
from integrations.models import ClientAccess, WebhookDelivery, WebhookSubscription
from patients.models import Patient
from sip.models import Sip

API = "/api/v1"
# The demo world the examples come from: small enough to build in a minute, large enough that every case
# path exists and the figures are not all suppressed.
PATIENTS = 400
CASES = 50
# The featured case: a case in care under a SIP after an approved risk analysis, for the first scenario
# that has one (peritoneal dialysis ordered by njurmedicin).
FEATURED_TASK = "peritoneal_dialysis"

# Times in the examples: the moment the command started becomes this one; every other time keeps its
# distance to it, cut to the minute.
ANCHOR = datetime.datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Europe/Stockholm"))
# Dates that come from the demo's data (the agreement file, the seeded enrolments), not from the day the
# command ran: kept as they are.
DATA_DATE_FIELDS = frozenset({"valid_from", "valid_to", "starts_on", "ends_on"})
# Except in the registers, whose dates the demo sets from the day of the run: they move like the times.
RUN_DATED_COMPONENTS = frozenset({"CompetenceTransfer", "Delegation"})
# Secrets in answers (shown once to their owner): cut to the marker that says what they are, if any.
SECRET_FIELDS = frozenset({"secret", "token", "access_token", "client_secret"})
_SECRET_MARKER = re.compile(r"^(hsv[a-z]+|whsec)_")
# Where an integrator's webhook receiver would be; the capture posts to one on this machine instead.
WEBHOOK_RECEIVER_HOST = "journal.varberg.example.se"
WEBHOOK_RECEIVER = f"https://{WEBHOOK_RECEIVER_HOST}/hooks/hemsjukvard"

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A local time written into a message ("gick ut den 2026-11-18 12:30"); a bare date in a text is the
# agreement's own and stays.
_TIME_IN_TEXT = re.compile(r"\b(\d{4}-\d{2}-\d{2} \d{2}:\d{2})\b")
_PERSONNUMMER = re.compile(r"(?<!\d)(\d{8})-?(\d{4})(?!\d)")
_HSA_ID = re.compile(r"SE\d{10}-[0-9A-Z]+")
_EMAIL = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
FAKE_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, f"{BASE_URL}/api/v1/examples")


class CaptureError(CommandError):
    """The API did not answer as the capture expected."""


# --- Calling the API -------------------------------------------------------------------------------------


class _Caller:
    """DRF's test client acting as one demo user (or API client), asking for Swedish."""

    def __init__(self, authorization: str | None, label: str) -> None:
        self.label = label
        self.last_etag = ""
        self.client = APIClient()
        credentials = {"HTTP_ACCEPT_LANGUAGE": "sv"}
        if authorization is not None:
            credentials["HTTP_AUTHORIZATION"] = authorization
        self.client.credentials(**credentials)

    def call(
        self,
        method: str,
        path: str,
        *,
        expect: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in (headers or {}).items()}
        send: Callable[..., Any] = getattr(self.client, method.lower())
        response = send(API + path, data=body, format="json" if body is not None else None, **extra)
        if response.status_code != expect:
            raise CaptureError(
                f"{method} {path} as {self.label}: expected {expect}, got {response.status_code}: "
                f"{response.content[:500]!r}"
            )
        self.last_etag = response.headers.get("ETag", "")
        return response.json()

    def get(self, path: str) -> Any:
        return self.call("GET", path)


def _as_user(username: str, role: str | None = None) -> _Caller:
    """A caller with a bearer token acting in the person's ``role`` (a token acts in one membership)."""
    user = User.objects.get(username=username)
    held = token_memberships(user)
    membership = next((m for m in held if m.role == role), None) if len(held) > 1 else None
    raw, _token = token_issue(user=user, membership=membership)
    return _Caller(f"Bearer {raw}", username)


def _username(role: str, organisation: Organisation) -> str:
    """The demo user named for the role in the organisation (``nurse.varberg`` before a tf. MAS)."""
    names = sorted(
        Membership.objects.active()
        .filter(role=role, organisation=organisation, user__is_active=True)
        .values_list("user__username", flat=True)
    )
    named = [name for name in names if name.startswith(f"{role}.")]
    if not (named or names):
        raise CaptureError(f"The demo world has no {role} in {organisation.name}.")
    return (named or names)[0]


# --- What is captured ------------------------------------------------------------------------------------


@dataclass
class _Captured:
    source: str
    examples: list[tuple[str, Any]] = field(default_factory=list)
    page: dict[str, Any] | None = None


class _Capture:
    """The answers, by component, in the order they were captured (which fixes the made-up ids)."""

    def __init__(self) -> None:
        self.components: dict[str, _Captured] = {}

    def add(self, component: str, name: str, source: str, value: Any) -> None:
        self.components.setdefault(component, _Captured(source=source)).examples.append((name, value))

    def page(self, component: str, answer: Any) -> None:
        self.components[component].page = {"count": answer.get("count"), "next": answer.get("next")}


def _list(caller: _Caller, path: str, query: str = "") -> Any:
    answer = caller.get(f"{path}?{query}{'&' if query else ''}page_size=1")
    if not answer.get("results"):
        raise CaptureError(f"GET {path} as {caller.label} gave an empty list.")
    return answer


def _featured_case() -> ResponsibilityCase:
    """The first demo case in care under a SIP after an approved risk analysis of the featured task."""
    candidates = (
        ResponsibilityCase.objects.filter(
            status=CaseStatus.ACTIVE,
            tasks__task_type__code=FEATURED_TASK,
            risk_analyses__status=AnalysisStatus.APPROVED,
            sips__isnull=False,
            specialist_clinic__isnull=False,
        )
        .select_related("kommun", "specialist_clinic", "patient")
        .distinct()
    )
    by_number = sorted(candidates, key=lambda case: _demo_number(case.background))
    if not by_number:
        raise CaptureError(
            f"No active demo case about {FEATURED_TASK} with an approved risk analysis and a SIP."
        )
    return by_number[0]


def _demo_number(background: str) -> int:
    match = re.search(rf"\({demo_cases.MARKER} (\d+)\b", background)
    return int(match.group(1)) if match else 1_000_000


@dataclass
class _Scene:
    """The featured case and the people who read it."""

    case: ResponsibilityCase
    kommun: Organisation
    nurse: _Caller

    @classmethod
    def build(cls) -> _Scene:
        case = _featured_case()
        return cls(
            case=case, kommun=case.kommun, nurse=_as_user(_username(Role.NURSE, case.kommun), Role.NURSE)
        )


def _capture_people(capture: _Capture, scene: _Scene) -> None:
    nurse = scene.nurse
    capture.add("Me", "Kommunsjuksköterska", "GET /api/v1/me", nurse.get("/me"))
    token = _Caller(None, "anonymous").call(
        "POST", "/auth/token", body={"username": nurse.label, "password": world.DEFAULT_PASSWORD}
    )
    capture.add("TokenResponse", "Sjuksköterska", "POST /api/v1/auth/token", token)
    capture.add(
        "Organisation",
        scene.kommun.name,
        "GET /api/v1/organisations/{id}",
        nurse.get(f"/organisations/{scene.kommun.public_id}"),
    )
    capture.page("Organisation", _list(nurse, "/organisations"))

    patient_id = scene.case.patient.public_id
    capture.add(
        "Patient", "Inskriven patient", "GET /api/v1/patients/{id}", nurse.get(f"/patients/{patient_id}")
    )
    capture.page("Patient", _list(nurse, "/patients"))
    enrolments = nurse.get(f"/patients/{patient_id}/enrolments")
    capture.add(
        "Enrolment",
        "Inskrivning i hemsjukvård",
        "GET /api/v1/enrolments/{id}",
        nurse.get(f"/enrolments/{enrolments[0]['id']}"),
    )
    # Skyddad identitet: the kommun's coordinator may see the patient, not who the patient is.
    protected = (
        Patient.objects.filter(is_demo=True, protected_identity=True)
        .select_related("folkbokforing_kommun")
        .order_by("pk")
        .first()
    )
    if protected is None:
        raise CaptureError("The demo world has no patient with skyddad identitet.")
    coordinator = _as_user(_username(Role.COORDINATOR, protected.folkbokforing_kommun), Role.COORDINATOR)
    masked = coordinator.get(f"/patients/{protected.public_id}")
    if not masked["identity_masked"]:
        raise CaptureError(f"{coordinator.label} sees who the patient with skyddad identitet is.")
    capture.add("Patient", "Skyddad identitet", "GET /api/v1/patients/{id}", masked)


def _capture_agreement(capture: _Capture) -> None:
    admin = _as_user(f"{Role.ADMIN}.halland", Role.ADMIN)
    version = AgreementVersion.objects.select_related("agreement").get(
        agreement__region__name=world.REGION_NAME, status="in_force"
    )
    capture.add(
        "Agreement",
        version.title,
        "GET /api/v1/agreements/{id}",
        admin.get(f"/agreements/{version.agreement.public_id}"),
    )
    capture.page("Agreement", _list(admin, "/agreements"))
    capture.add(
        "AgreementVersion",
        "Gällande version",
        "GET /api/v1/agreement-versions/{id}",
        admin.get(f"/agreement-versions/{version.public_id}"),
    )
    capture.page("AgreementVersion", _list(admin, "/agreement-versions"))
    rule = (
        ResponsibilityRule.objects.filter(version=version, task_type__code=FEATURED_TASK)
        .select_related("task_type")
        .order_by("pk")
        .first()
    )
    if rule is None:
        raise CaptureError(f"The demo agreement has no rule for {FEATURED_TASK}.")
    rule_answer = admin.get(f"/responsibility-rules/{rule.public_id}")
    capture.add(
        "ResponsibilityRule", "Peritonealdialys", "GET /api/v1/responsibility-rules/{id}", rule_answer
    )
    capture.page("ResponsibilityRule", _list(admin, "/responsibility-rules"))
    capture.add(
        "Section",
        "Avsnitt om peritonealdialys",
        "GET /api/v1/agreement-sections/{id}",
        admin.get(f"/agreement-sections/{rule_answer['section']['id']}"),
    )
    capture.page("Section", _list(admin, "/agreement-sections"))
    capture.add(
        "CareTaskType",
        "Peritonealdialys",
        "GET /api/v1/task-types/{id}",
        admin.get(f"/task-types/{rule.task_type.public_id}"),
    )
    capture.page("CareTaskType", _list(admin, "/task-types"))


def _capture_case(capture: _Capture, scene: _Scene) -> None:
    nurse, case_id = scene.nurse, scene.case.public_id
    # The nurse takes the case herself, so that the case shows its handler.
    me = nurse.get("/me")["id"]
    nurse.get(f"/cases/{case_id}")
    nurse.call(
        "POST",
        f"/cases/{case_id}/handler",
        body={"assignee": me, "note": "Jag tar ärendet."},
        headers={"If-Match": nurse.last_etag},
    )
    capture.add("Case", "Pågående ärende", "GET /api/v1/cases/{id}", nurse.get(f"/cases/{case_id}"))
    capture.page("Case", _list(nurse, "/cases"))
    tasks = nurse.get(f"/cases/{case_id}/tasks")
    featured = next(task for task in tasks if task["task_type"] == FEATURED_TASK)
    capture.add("CaseTask", "Peritonealdialys", "GET /api/v1/cases/{id}/tasks", featured)
    timeline = nurse.get(f"/cases/{case_id}/timeline")
    accepted = next(event for event in timeline if event["action"] == "accept")
    capture.add("CaseEvent", "Vårdcentralen accepterar", "GET /api/v1/cases/{id}/timeline", accepted)
    analyses = nurse.get(f"/cases/{case_id}/risk-analyses")
    approved = next(analysis for analysis in analyses if analysis["status"] == AnalysisStatus.APPROVED)
    capture.add(
        "RiskAnalysis",
        "Godkänd riskanalys",
        "GET /api/v1/risk-analyses/{id}",
        nurse.get(f"/risk-analyses/{approved['id']}"),
    )
    for role in (Role.NURSE, Role.MAS, Role.COORDINATOR):
        reader = _as_user(_username(role, scene.kommun), role)
        answer = reader.get("/notifications?page_size=1")
        if answer["results"]:
            capture.add("Notification", "Påminnelse", "GET /api/v1/notifications", answer["results"][0])
            capture.page("Notification", answer)
            marked = reader.call("POST", "/notifications/read-all")
            capture.add("NotificationsRead", "Alla lästa", "POST /api/v1/notifications/read-all", marked)
            break
    else:
        raise CaptureError(f"Nobody in {scene.kommun.name} has a notification.")


def _capture_figures(capture: _Capture) -> None:
    region = Organisation.objects.get(name=world.REGION_NAME)
    analyst = _as_user(_username(Role.COORDINATOR, region), Role.COORDINATOR)
    capture.add("Scope", world.REGION_NAME, "GET /api/v1/figures/scopes", analyst.get("/figures/scopes")[0])
    capture.add("Kpis", "Nyckeltal för regionen", "GET /api/v1/figures/kpis", analyst.get("/figures/kpis"))
    capture.add(
        "ShiftTable",
        "Vårdöverskjutning per insatstyp",
        "GET /api/v1/figures/shift-table",
        analyst.get("/figures/shift-table"),
    )
    report = analyst.call("POST", "/figures/reports", expect=202, body={"language": "sv"})
    # Rendered here, as the worker would after the request's transaction.
    figure_services.report_render(report_id=FiguresReport.objects.get(public_id=report["id"]).pk)
    capture.add(
        "Report",
        "Färdig rapport",
        "GET /api/v1/figures/reports/{id}",
        analyst.get(f"/figures/reports/{report['id']}"),
    )


def _capture_sip_and_integrator(capture: _Capture, scene: _Scene, receiver_url: str) -> None:
    """The SIP, its PDF and a follow-up; and a kommun journal system that follows them by webhook."""
    nurse = scene.nurse
    sip = Sip.objects.filter(case=scene.case).order_by("pk").first()
    if sip is None:
        raise CaptureError("The featured case has no SIP.")
    sip_answer = nurse.get(f"/sips/{sip.public_id}")
    sip_etag = nurse.last_etag
    capture.add("Sip", "Fastställd SIP", "GET /api/v1/sips/{id}", sip_answer)
    capture.page("Sip", _list(nurse, "/sips"))
    handed_out = nurse.call(
        "POST",
        f"/sips/{sip.public_id}/distributions",
        expect=201,
        body={
            "recipient_kind": "representative",
            "recipient_name": "God man för personen",
            "method": "post",
            "given_on": timezone.localdate().isoformat(),
        },
        headers={"If-Match": sip_etag},
    )
    capture.add(
        "SipDistribution", "Planen skickad till god man", "POST /api/v1/sips/{id}/distributions", handed_out
    )
    nurse.get(f"/sips/{sip.public_id}")
    sip_etag = nurse.last_etag

    # Read and write: managing webhook subscriptions is a write.
    issued = integration_services.api_client_create(
        name=f"Journalsystemet i {scene.kommun.name}",
        organisation=scene.kommun,
        scope=[scene.kommun],
        access=ClientAccess.READ_WRITE,
    )
    client_token = integration_services.client_token_issue(client=issued.client, scope="read write")
    integrator = _Caller(f"Bearer {client_token.token}", issued.client.name)
    created = integrator.call(
        "POST",
        "/webhook-subscriptions",
        expect=201,
        body={"url": WEBHOOK_RECEIVER, "events": ["case.agreed", "document.ready", "sip.finalised"]},
    )
    capture.add("SubscriptionCreated", "Ny prenumeration", "POST /api/v1/webhook-subscriptions", created)
    capture.add(
        "Subscription",
        "Prenumeration",
        "GET /api/v1/webhook-subscriptions/{id}",
        integrator.get(f"/webhook-subscriptions/{created['id']}"),
    )
    capture.page("Subscription", _list(integrator, "/webhook-subscriptions"))
    # The deliveries go to a receiver on this machine, never to the address shown in the examples.
    subscription = WebhookSubscription.objects.get(public_id=created["id"])
    integration_services.subscription_update(subscription=subscription, url=receiver_url)

    current_version = sip_answer["current_version"]["id"]
    document = nurse.call(
        "POST",
        "/documents",
        expect=202,
        body={"kind": "sip_care_plan", "source_id": current_version, "language": "sv"},
    )
    # Rendered and delivered here, as the workers would after the request's transaction.
    document_services.document_render(
        document_id=Document.objects.get(public_id=document["id"]).pk, worker="api-examples"
    )
    capture.add(
        "Document",
        "Färdig SIP-utskrift",
        "GET /api/v1/documents/{id}",
        nurse.get(f"/documents/{document['id']}"),
    )
    capture.page("Document", _list(nurse, "/documents", f"kind=sip_care_plan&source_id={current_version}"))
    for delivery in WebhookDelivery.objects.filter(subscription=subscription).order_by("pk"):
        integration_services.delivery_attempt(delivery_id=delivery.pk)
    deliveries = _list(integrator, f"/webhook-subscriptions/{created['id']}/deliveries")
    capture.add(
        "Delivery",
        "Levererad händelse",
        "GET /api/v1/webhook-subscriptions/{id}/deliveries",
        deliveries["results"][0],
    )
    capture.page("Delivery", deliveries)

    # Last, as it starts a new version of the SIP: a follow-up is only ever the answer of recording one.
    follow_up = nurse.call(
        "POST",
        f"/sips/{sip.public_id}/follow-ups",
        expect=201,
        body={
            "held_on": timezone.localdate().isoformat(),
            "outcome": "new_version",
            "notes": "PD-bytena fungerar väl. Närstående vill lära sig ett av bytena; planen ses över.",
        },
        headers={"If-Match": sip_etag},
    )
    capture.add("SipFollowUp", "Uppföljning med ny version", "POST /api/v1/sips/{id}/follow-ups", follow_up)


def _capture_registers(capture: _Capture, scene: _Scene) -> None:
    """A competence transfer the kommun has received, and a delegation its nurse has given."""
    nurse = scene.nurse
    transfers = _list(nurse, "/competence-transfers")
    capture.add(
        "CompetenceTransfer",
        "Kompetensöverföring",
        "GET /api/v1/competence-transfers",
        transfers["results"][0],
    )
    capture.page("CompetenceTransfer", transfers)
    delegations = _list(nurse, "/delegations")
    capture.add("Delegation", "Delegering", "GET /api/v1/delegations", delegations["results"][0])
    capture.page("Delegation", delegations)


# A small PDF, as a discharge summary arrives: the API reads its type from these bytes.
DISCHARGE_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _capture_attachments(capture: _Capture, scene: _Scene) -> None:
    """The nurse attaches the discharge summary to the featured case (stored in a folder of the run's own,
    gone with it); the attachment as the case's list shows it."""
    nurse, case_id = scene.nurse, scene.case.public_id
    with tempfile.TemporaryDirectory() as folder:
        storage = {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}}
        with override_settings(STORAGES={**settings.STORAGES, "attachments": storage}):
            upload = SimpleUploadedFile("utskrivning.pdf", DISCHARGE_PDF, content_type="application/pdf")
            answer = nurse.client.post(
                f"{API}/cases/{case_id}/attachments",
                {"kind": "discharge_summary", "title": "Utskrivningsinformation njurmedicin", "file": upload},
                format="multipart",
            )
            if answer.status_code != 201:
                raise CaptureError(
                    f"Attaching a file answered {answer.status_code}: {answer.content[:500]!r}"
                )
            listed = nurse.get(f"/cases/{case_id}/attachments")
    capture.add("Attachment", "Utskrivningsinformation", "GET /api/v1/cases/{id}/attachments", listed[0])


def _capture_messages(capture: _Capture, scene: _Scene) -> None:
    """The nurse asks the case's vårdcentral (the ordering clinic where the patient is listed at none)
    something by a day a week ahead; its physician answers."""
    case = scene.case
    addressed = case.vardcentral or case.specialist_clinic
    if addressed is None:
        raise CaptureError("The featured case names no other party to write to.")
    role = Role.GP if case.vardcentral is not None else Role.SPECIALIST
    reply_by = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    sent = scene.nurse.call(
        "POST",
        f"/cases/{case.public_id}/messages",
        expect=201,
        body={
            "to": str(addressed.public_id),
            "body": "Kan ni ta över insulinordinationen efter utskrivningen?",
            "reply_by": reply_by,
        },
    )
    answerer = _as_user(_username(role, addressed), role)
    answerer.get(f"/messages/{sent['id']}")
    answered = answerer.call(
        "POST",
        f"/messages/{sent['id']}/replies",
        body={"body": "Ja, vi tar över ordinationen från måndag."},
        headers={"If-Match": answerer.last_etag},
    )
    capture.add("Message", "Besvarad fråga till vårdcentralen", "GET /api/v1/messages/{id}", answered)
    capture.page("Message", _list(scene.nurse, "/messages"))


def _capture_teams(capture: _Capture) -> None:
    """The demo kommun's team of nurses, as its coordinator lists it."""
    kommun = Organisation.objects.get(name=SECOND_NURSE_KOMMUN)
    coordinator = _as_user(_username(Role.COORDINATOR, kommun), Role.COORDINATOR)
    teams = coordinator.get("/teams")
    if not teams:
        raise CaptureError(f"{kommun.name} has no team.")
    capture.add("Team", "Team", "GET /api/v1/teams", teams[0])


def _capture_all(capture: _Capture, receiver_url: str) -> None:
    scene = _Scene.build()
    _capture_people(capture, scene)
    _capture_agreement(capture)
    _capture_case(capture, scene)
    _capture_teams(capture)
    _capture_registers(capture, scene)
    _capture_attachments(capture, scene)
    _capture_figures(capture)
    _capture_sip_and_integrator(capture, scene, receiver_url)
    _capture_messages(capture, scene)


# --- Making the answers stable ---------------------------------------------------------------------------


class _Stabiliser:
    """Made-up ids, moved times and cut secrets, the same for the same input within one run."""

    def __init__(self, started: datetime.datetime) -> None:
        self.shift = ANCHOR - started
        self.day_shift = datetime.timedelta(days=(ANCHOR.date() - timezone.localdate(started)).days)
        self.ids: dict[str, str] = {}
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.data_dates = DATA_DATE_FIELDS

    def fake_id(self, real: str) -> str:
        key = real.lower()
        if key not in self.ids:
            self.ids[key] = str(uuid.uuid5(FAKE_ID_NAMESPACE, str(len(self.ids) + 1)))
        return self.ids[key]

    def text(self, value: str, key: str | None) -> str:
        if key in SECRET_FIELDS and value:
            marker = _SECRET_MARKER.match(value)
            return f"{marker.group(0) if marker else ''}…"
        if _DATETIME.match(value):
            moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00")) + self.shift
            moment = moment.astimezone(self.zone).replace(second=0, microsecond=0)
            return moment.isoformat().replace("+00:00", "Z")
        if _DATE.match(value) and key not in self.data_dates:
            return (datetime.date.fromisoformat(value) + self.day_shift).isoformat()
        value = value.replace("http://testserver", BASE_URL)
        value = _TIME_IN_TEXT.sub(lambda match: self.local_time(match.group(1)), value)
        return _UUID.sub(lambda match: self.fake_id(match.group(0)), value)

    def local_time(self, text: str) -> str:
        moment = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=self.zone)
        return (moment.astimezone(datetime.UTC) + self.shift).astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def value(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, float):
            # Measured in the run (a median of seconds-long escalations in days, a share): the same
            # to three decimals in every run.
            return round(value, 3)
        if isinstance(value, dict):
            return {self.text(k, None): self.value(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self.value(item, key) for item in value]
        if isinstance(value, str):
            return self.text(value, key)
        return value


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def identity_problems(component: str, value: Any) -> list[str]:
    """Anything in an answer that could be a real person's or unit's identity."""
    problems = []
    for text in _strings(value):
        for match in _PERSONNUMMER.finditer(_UUID.sub("", text)):
            digits = match.group(1) + match.group(2)
            if not world.is_demo_personnummer(digits):
                problems.append(f"{component}: {match.group(0)} is not a demo (test series) personnummer")
        for hsa_id in _HSA_ID.findall(text):
            if not hsa_id.startswith(world.DEMO_HSA_PREFIX):
                problems.append(f"{component}: {hsa_id} is not a demo HSA-id")
        for domain in _EMAIL.findall(text):
            if not domain.endswith(("example.org", "example.se", "example.com")):
                problems.append(f"{component}: an e-mail address at {domain}")
    return problems


def _stabilise(capture: _Capture, started: datetime.datetime) -> dict[str, ComponentExamples]:
    stabiliser = _Stabiliser(started)
    stable: dict[str, ComponentExamples] = {}
    for component, captured in capture.components.items():
        stabiliser.data_dates = frozenset() if component in RUN_DATED_COMPONENTS else DATA_DATE_FIELDS
        examples = [Example(name=name, value=stabiliser.value(value)) for name, value in captured.examples]
        page = None
        if captured.page is not None:
            page = Page(count=captured.page["count"], next=stabiliser.value(captured.page["next"]))
        stable[component] = ComponentExamples(
            component=component, source=captured.source, examples=examples, page=page
        )
    return stable


# --- The command -----------------------------------------------------------------------------------------


class _Receiver(http.server.BaseHTTPRequestHandler):
    """A webhook receiver on this machine that accepts every delivery, as an integrator's would."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"received": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Keep the PDF renderer's chatter (font subsetting, ignored SVG properties) off the console."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@contextmanager
def _webhook_receiver() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks/hemsjukvard"
    finally:
        server.shutdown()
        server.server_close()


class Command(BaseCommand):
    help = (
        "Capture the API's response examples from the demo world and write them to "
        "hemsjukvard/api/examples/ (with --write). Builds the demo world in the current database and rolls "
        "everything back at the end; without --write it only says which files would change."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help="Write the files (default: only compare).")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("api_examples builds the demo world; never run it against production.")
        started = timezone.now()
        capture = _Capture()
        with (
            _quiet("weasyprint", "fontTools"),
            _webhook_receiver() as receiver_url,
            # The example receiver's name is not looked up (it need not exist), and the deliveries go
            # to the receiver on this machine: both are named as internal hosts for the run.
            override_settings(
                WEBHOOKS_API_BASE_URL="http://testserver",
                WEBHOOK_ALLOWED_INTERNAL_HOSTS=["127.0.0.1", WEBHOOK_RECEIVER_HOST],
            ),
            transaction.atomic(),
        ):
            self.stderr.write(f"Building the demo world ({PATIENTS} patients, {CASES} cases)…")
            world.build_world(patients=PATIENTS, seed=world.DEFAULT_SEED)
            report = demo_cases.seed_cases(count=CASES, seed=world.DEFAULT_SEED)
            if report.skipped_reason:
                raise CommandError(f"The demo cases could not be made: {report.skipped_reason}.")
            self.stderr.write("Calling the API…")
            _capture_all(capture, receiver_url)
            # Nothing of the demo world, the calls or the access log they wrote stays behind.
            transaction.set_rollback(True)
        stable = _stabilise(capture, started)
        problems = [
            p
            for examples in stable.values()
            for e in examples.examples
            for p in identity_problems(examples.component, e.value)
        ]
        if problems:
            raise CommandError(
                "Not written, an answer holds an identity that is not demo data:\n" + "\n".join(problems)
            )
        if options["write"]:
            EXAMPLES_DIR.mkdir(exist_ok=True)
        changed = []
        for component, examples in stable.items():
            path = EXAMPLES_DIR / f"{component}.json"
            text = examples.dumps()
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                changed.append(path.name)
                if options["write"]:
                    path.write_text(text, encoding="utf-8")
        stale = sorted({p.name for p in EXAMPLES_DIR.glob("*.json")} - {f"{c}.json" for c in stable})
        verb = "Wrote" if options["write"] else "Would write"
        self.stdout.write(
            f"{verb} {len(changed)} of {len(stable)} example files: {', '.join(changed) or 'none changed'}."
        )
        if stale:
            self.stdout.write(
                f"No longer captured (delete them if no operation needs them): {', '.join(stale)}."
            )
