"""Every URL that names an object, asked for by someone who may not see it and by someone who may only read.

The rule (README, "Errors"): an object you may not see answers **404**, and the attempt is a denied row
in the access log when the object is patient data; an object you may see but not change answers
**403** to a change, and nothing is written.

``ROUTES`` lists every URL pattern (pages and ``/api/v1``, not ``/admin/``) that takes an id, with how
to build it from a world holding one object of each kind (``tests/fixtures/objects.py``) and the
methods to try. A new route that takes an id fails ``test_the_matrix_lists_every_route_that_takes_an_id``
until it is listed here, with what an outsider and the read-only role get.

- **The outsider** is kommun B's MAS: a care role with oversight, in another organisation. (For
  emergency access, where the region is the boundary, a nurse of another region.)
- **The read-only role** is a member of a joint body (``governance``), the only role the transition table
  lets see a case without taking part in its care: RUG's member sees kommun A's patient, the case
  escalated to RUG and what belongs to the patient (plan, prints), and may only decide that case and
  comment on it. What the code answers them, route by route, is in ``Try.reader``; where that is not 403
  for a change, ``Try.why`` says why.
- **A read-only API client** of kommun A gets 403 on every change through the API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.apps import apps
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from audit.models import AccessLogEntry, Outcome
from integrations import services as integration_services
from tests.fixtures.clients import signed_in
from tests.fixtures.objects import Objects, build_objects

OUTSIDER = "mas_b"
READER = "governance"

# What an outsider gets.
HIDDEN = "404, and the attempt is a denied row in the access log"
HIDDEN_NOT_PATIENT_DATA = "404; not patient data, so not in the access log"
SHARED = "shared reference data: every signed-in person reads it; only the region's administrator changes it"
CLIENTS_ONLY = "an API client's own: a person is refused (403), another organisation's client gets 404"

# An objection's or a spärr's id in a URL whose case the asker may not see or not change: never looked up.
SOME_ID = "00000000-0000-4000-8000-000000000001"

MAY = 0  # ``Try.reader``: the read-only role may do this; the matrix does not do it (``why`` says why)


def _task_positions(o: Objects) -> dict[str, Any]:
    return {"positions": [{"task": str(o.ids["task"]), "text": "Vårdcentralen bör ordinera."}]}


def _analysis(o: Objects) -> dict[str, Any]:
    return {
        "summary": "PD i hemmet.",
        "hazards": [{"description": "Peritonit", "likelihood": 2, "consequence": 4}],
    }


def _enrolment(o: Objects) -> dict[str, Any]:
    kommun = o.world.orgs["kommun_a"]
    return {
        "kommun": str(kommun.public_id),
        "starts_on": "2025-06-01",
        "threshold_justification": "Sängliggande.",
    }


def _consent_withdrawn(o: Objects) -> dict[str, Any]:
    return {"withdrawn_by": "person", "withdrawn_by_name": "Karin Svensson", "withdrawn_on": "2025-06-01"}


def _handed_out(o: Objects) -> dict[str, Any]:
    return {
        "recipient_kind": "person",
        "recipient_name": "Karin Svensson",
        "method": "post",
        "given_on": "2025-06-01",
    }


def _follow_up(o: Objects) -> dict[str, Any]:
    return {"held_on": "2025-06-01", "outcome": "new_version", "notes": "Planen följs."}


@dataclass(frozen=True)
class Try:
    """One request: ``method`` with ``body`` (built from the world's objects), and the status the
    read-only role gets."""

    method: str
    reader: int
    body: Callable[[Objects], dict[str, Any]] | None = None
    why: str = ""

    @property
    def writes(self) -> bool:
        return self.method != "GET"


@dataclass(frozen=True)
class Route:
    """A URL pattern that takes an id: which object (``Objects.ids[obj]``) fills it, the other parts of
    the URL, what to try, what an outsider gets, and who may see the object (to show the id is real)."""

    obj: str
    tries: tuple[Try, ...]
    outsider: str = HIDDEN
    kwargs: dict[str, str] = field(default_factory=dict)
    owner: str = "nurse_a"
    outsider_user: str = OUTSIDER


def get(reader: int = 200, why: str = "") -> Try:
    return Try("GET", reader, why=why)


def post(reader: int = 403, body: Callable[[Objects], dict[str, Any]] | None = None, why: str = "") -> Try:
    return Try("POST", reader, body, why)


def patch(reader: int = 403, body: Callable[[Objects], dict[str, Any]] | None = None, why: str = "") -> Try:
    return Try("PATCH", reader, body, why)


def delete(reader: int = 403, why: str = "") -> Try:
    return Try("DELETE", reader, why=why)


NOT_THEIRS = "the agreed case is not escalated to the reader's body, so they cannot see it or its analysis"
STATE_FIRST = "the case's status is checked before the role: in `escalated` nobody may do this (409)"
PSEUDONYMISED = (
    "the print shows the patient's identity, and the reader's body is at a pseudonymised level (RUG, "
    "level 2): a joint body's member reads only the pseudonymised print"
)
PAGE_REDIRECT = "the page offers only the actions a person may take; another is refused with a message (302)"
PREVIEW = "a preview that writes nothing: a read sent as a form"
CLIENT_OWN = "webhook subscriptions are an API client's own; a person's token is refused"
NOT_AN_OBJECT = {
    "password_reset_confirm": "a one-time password link (uidb64 and token), checked by Django's own view",
    "figures:csv": "the key names a figure (a chart of the dashboard), not an object",
    "figures:chart": "the key names a chart of the dashboard, not an object",
    "figures:cases": "the key names a figure; the list is the access rule's (tests/figures/test_story.py)",
}

BODY_HANDLERS = (
    "a joint body is a party while the case is before it and decides which of its members handles it"
)
NOT_THEIR_TEAM = "a team is its organisation's; a joint body's member is not in kommun A"

NOT_A_REGISTER_READER = (
    "the registers of trainings and delegations are the care units' own, not a joint body's"
)


def _reason(o: Objects) -> dict[str, Any]:
    return {"reason": "Fel uppgifter."}


def _case_number(o: Objects) -> dict[str, Any]:
    return {"case_number": "HSV-2026-000001"}


ROUTES: dict[str, Route] = {
    # --- Pages ------------------------------------------------------------------------------------
    "competence:transfer-revoke": Route(
        "competence_transfer",
        (post(404, _reason, why=NOT_A_REGISTER_READER),),
        outsider=HIDDEN_NOT_PATIENT_DATA,
    ),
    "competence:delegation-revoke": Route(
        "delegation", (post(404, _reason, why=NOT_A_REGISTER_READER),), outsider=HIDDEN_NOT_PATIENT_DATA
    ),
    "competence:delegation-link": Route(
        "delegation", (post(404, _case_number, why=NOT_A_REGISTER_READER),), outsider=HIDDEN_NOT_PATIENT_DATA
    ),
    "v1:competence-transfer-detail": Route(
        "competence_transfer", (get(404, why=NOT_A_REGISTER_READER),), outsider=HIDDEN_NOT_PATIENT_DATA
    ),
    "v1:competence-transfer-revoke": Route(
        "competence_transfer",
        (post(404, _reason, why=NOT_A_REGISTER_READER),),
        outsider=HIDDEN_NOT_PATIENT_DATA,
    ),
    "v1:delegation-detail": Route(
        "delegation", (get(404, why=NOT_A_REGISTER_READER),), outsider=HIDDEN_NOT_PATIENT_DATA
    ),
    "v1:delegation-revoke": Route(
        "delegation", (post(404, _reason, why=NOT_A_REGISTER_READER),), outsider=HIDDEN_NOT_PATIENT_DATA
    ),
    "v1:delegation-link": Route(
        "delegation",
        (post(404, lambda o: {"case_task": str(o.ids["task"])}, why=NOT_A_REGISTER_READER),),
        outsider=HIDDEN_NOT_PATIENT_DATA,
    ),
    "attachments:case-upload": Route(
        "case", (post(403, why="a joint body's member reads the case's files and attaches none"),)
    ),
    "attachments:sip-upload": Route("sip", (post(403),)),
    "attachments:download": Route("attachment", (get(),)),
    "attachments:remove": Route(
        "attachment", (post(403, _reason, why="only the organisation that attached the file removes it"),)
    ),
    "v1:case-attachments": Route("case", (get(), post(403))),
    "v1:sip-attachments": Route("sip", (get(), post(403))),
    "v1:attachment-detail": Route("attachment", (get(),)),
    "v1:attachment-download": Route("attachment", (get(),)),
    "v1:attachment-remove": Route("attachment", (post(403, _reason),)),
    "patients:detail": Route("patient", (get(),)),
    "overview:patient": Route("patient", (get(),)),
    "v1:patient-overview": Route("patient", (get(),)),
    "patients:enrol": Route(
        "patient",
        (
            post(
                400,
                lambda o: {"starts_on": "2025-06-01", "threshold_justification": "x"},
                why="the form offers only kommuner where the person may enrol (none): the choice is invalid",
            ),
        ),
    ),
    "patients:enrolment-end": Route(
        "enrolment", (post(403, lambda o: {"ends_on": "2025-06-01", "reason": "Flyttat."}),)
    ),
    "figures:report": Route("report", (get(),), outsider=HIDDEN_NOT_PATIENT_DATA),
    "figures:report-pdf": Route("report", (get(),), outsider=HIDDEN_NOT_PATIENT_DATA),
    "audit:review-mark": Route(
        "entry",
        (post(403, lambda o: {"note": "Granskad."}),),
        outsider=HIDDEN_NOT_PATIENT_DATA,
        owner="mas_a",
    ),
    "audit:extract-create": Route("patient", (post(403),), owner="mas_a"),
    "audit:extract": Route(
        "extract",
        (get(403, why="sees the patient, but only MAS, MAR and coordinators see extracts"),),
        owner="mas_a",
    ),
    "audit:extract-pdf": Route("extract", (post(403),), owner="mas_a"),
    "cases:new": Route(
        "patient",
        (
            get(200, why="the form is shown to whoever sees the patient; opening the case is the nurse's"),
            post(
                400,
                lambda o: {"trigger": "discharge", "tasks": ["peritoneal-dialysis"]},
                why="the form offers only the kommun's task choices to those who may open a case",
            ),
        ),
    ),
    "cases:proposal": Route("patient", (post(200, why=PREVIEW),)),
    "cases:detail": Route("case", (get(),)),
    "cases:edit": Route(
        "case",
        (
            get(302, why="only a draft is changed, by the kommun's staff: the page sends others to the case"),
            post(302, lambda o: {"trigger": "discharge"}, why=PAGE_REDIRECT),
        ),
    ),
    "cases:action": Route(
        "case",
        (post(302, lambda o: {"reason": "Fel patient."}, why=PAGE_REDIRECT),),
        kwargs={"action": "withdraw"},
    ),
    "cases:analysis": Route(
        "case",
        (get(), post(400, why="the analysis form is refused: nobody writes an analysis while escalated")),
    ),
    "cases:analysis-action": Route(
        "analysis", (post(404, why=NOT_THEIRS),), kwargs={"action": "approve_analysis"}
    ),
    "cases:notification-read": Route(
        "notification",
        (post(404, why="someone else's notification"),),
        outsider=HIDDEN_NOT_PATIENT_DATA,
        owner="governance_lokal",
    ),
    "inbox-read": Route(
        "notification",
        (post(404, why="someone else's notification"),),
        outsider=HIDDEN_NOT_PATIENT_DATA,
        owner="governance_lokal",
    ),
    "messaging:send": Route(
        "case",
        (post(403, lambda o: {"message-to": str(o.world.orgs["vc_a"].public_id), "message-body": "Fråga."}),),
    ),
    "messaging:reply": Route("message", (post(403, lambda o: {"body": "Svar."}),)),
    "messaging:close": Route("message", (post(403),)),
    "documents:status": Route("document", (get(404, why=PSEUDONYMISED),)),
    "documents:download": Route("document", (get(404, why=PSEUDONYMISED),)),
    "assignments:hand-over": Route("case", (post(MAY, why=BODY_HANDLERS),)),
    "assignments:release": Route("case", (post(MAY, why=BODY_HANDLERS),)),
    "assignments:team-update": Route(
        "team", (post(404, why=NOT_THEIR_TEAM),), outsider=HIDDEN_NOT_PATIENT_DATA, owner="coordinator_a"
    ),
    "sip:detail": Route("sip", (get(),)),
    "sip:from-case": Route("agreed_case", (post(404, why=NOT_THEIRS),)),
    "sip:draft-rows": Route("sip", (post(403),)),
    "sip:withdraw-consent": Route("sip", (get(403, why="the page is the withdrawal form"), post(403))),
    # The legal basis for sharing: the body reads the case's basis, only the opener's staff and MAS record.
    "consent:sharing": Route("case", (get(),)),
    "consent:basis": Route("case", (post(403),)),
    "consent:withdraw": Route("case", (post(403),)),
    "consent:objection": Route("case", (post(403),)),
    "consent:objection-lift": Route("case", (post(403),), kwargs={"objection_id": SOME_ID}),
    "consent:block": Route("case", (post(403),)),
    "consent:block-lift": Route("case", (post(403),), kwargs={"block_id": SOME_ID}),
    "sip:action": Route("sip", (post(403),), kwargs={"action": "save"}),
    # --- The API ----------------------------------------------------------------------------------
    "v1:organisation-detail": Route("organisation", (get(),), outsider=SHARED),
    "v1:patient-detail": Route(
        "patient",
        (
            get(),
            patch(
                403,
                lambda o: {"street_address": "Storgatan 2"},
                why="a joint body member reads the patient whose case is before the body, and never "
                "changes the record (patients.policies.can_update_patient)",
            ),
        ),
    ),
    "v1:patient-enrolments": Route("patient", (get(), post(403, _enrolment))),
    "v1:patient-protected-identity": Route(
        "patient", (post(403, lambda o: {"protected_identity": True, "reason": "Beslut från Skatteverket."}),)
    ),
    "v1:access-log-entry-review": Route(
        "entry",
        (post(403, lambda o: {"note": "Granskad."}),),
        outsider=HIDDEN_NOT_PATIENT_DATA,
        owner="mas_a",
    ),
    "v1:patient-log-extract-log-extract": Route(
        "patient", (post(403, lambda o: {"language": "sv"}),), owner="mas_a"
    ),
    "v1:enrolment-detail": Route("enrolment", (get(),)),
    "v1:enrolment-end": Route(
        "enrolment", (post(403, lambda o: {"ends_on": "2025-06-01", "reason": "Flyttat."}),)
    ),
    "v1:patient-emergency-emergency-access": Route(
        "patient",
        (
            post(
                200,
                lambda o: {"reason": "Akut hembesök under jouren."},
                why="a person who already sees the patient is served as by a plain read",
            ),
        ),
        outsider_user="nurse_c",
    ),
    "v1:agreement-detail": Route("agreement", (get(),), outsider=SHARED),
    "v1:agreement-version-detail": Route(
        "version", (get(), patch(403, lambda o: {"title": "Ändrad"})), outsider=SHARED
    ),
    "v1:agreement-version-put-in-force": Route("version", (post(403),), outsider=SHARED),
    "v1:agreement-section-detail": Route(
        "section", (get(), patch(403, lambda o: {"heading": "Ändrad"}), delete(403)), outsider=SHARED
    ),
    "v1:task-type-detail": Route(
        "task_type", (get(), patch(403, lambda o: {"name_sv": "Ändrad"})), outsider=SHARED
    ),
    "v1:responsibility-rule-detail": Route(
        "rule", (get(), patch(403, lambda o: {"note": "Ändrad"}), delete(403)), outsider=SHARED
    ),
    "v1:case-handler-handler": Route("case", (post(MAY, why=BODY_HANDLERS),)),
    "v1:case-handler-handler-release": Route("case", (post(MAY, why=BODY_HANDLERS),)),
    "v1:team-detail": Route(
        "team",
        (get(404, why=NOT_THEIR_TEAM), patch(404, lambda o: {"is_active": False}, why=NOT_THEIR_TEAM)),
        outsider=HIDDEN_NOT_PATIENT_DATA,
        owner="coordinator_a",
    ),
    "v1:case-detail": Route(
        "case", (get(), patch(409, lambda o: {"background": "Ändrad."}, why=STATE_FIRST))
    ),
    "v1:case-accept": Route("case", (post(409, why=STATE_FIRST),)),
    "v1:case-activate": Route("case", (post(409, why=STATE_FIRST),)),
    "v1:case-close": Route("case", (post(409, why=STATE_FIRST),)),
    "v1:case-comment": Route(
        "case",
        (post(MAY, lambda o: {"text": "Vi tar upp ärendet."}, why="every party may comment, the body too"),),
    ),
    "v1:case-decide": Route(
        "case",
        (
            post(
                MAY,
                lambda o: {"outcome": "withdrawn", "reasons": "Ärendet avskrivs."},
                why="deciding is what the body at the current level is for",
            ),
        ),
    ),
    "v1:case-cannot-settle": Route(
        "case",
        (
            post(
                MAY,
                lambda o: {"reason": "Principfråga."},
                why="recording that the level cannot settle the case is the body's own decision",
            ),
        ),
    ),
    "v1:case-accept-recommendation": Route("case", (post(403),)),
    "v1:case-decline-recommendation": Route("case", (post(403, lambda o: {"reason": "Nej."}),)),
    "v1:case-consent-skip": Route("case", (post(403, lambda o: {"reason": "Hoppa över."}),)),
    "v1:case-dispute": Route("case", (post(409, _task_positions, why=STATE_FIRST),)),
    "v1:case-escalate": Route("case", (post(403, lambda o: {"reason": "Vidare till GNHH."}),)),
    "v1:case-positions": Route("case", (post(403, _task_positions),)),
    "v1:case-resume": Route("case", (post(409, why=STATE_FIRST),)),
    "v1:case-risk-analyses": Route("case", (get(), post(409, _analysis, why=STATE_FIRST))),
    "v1:case-risk-templates": Route("case", (get(),)),
    "v1:case-start-follow-up": Route("case", (post(409, why=STATE_FIRST),)),
    "v1:case-submit": Route("case", (post(409, why=STATE_FIRST),)),
    "v1:case-tasks": Route("case", (get(),)),
    "v1:case-timeline": Route("case", (get(),)),
    "v1:case-withdraw": Route("case", (post(403, lambda o: {"reason": "Fel patient."}),)),
    "v1:case-legal-basis": Route("case", (post(403),)),
    "v1:case-legal-basis-withdraw": Route("case", (post(403),)),
    "v1:case-objections": Route("case", (post(403),)),
    "v1:case-objection-lift": Route("case", (post(403),), kwargs={"objection_id": SOME_ID}),
    "v1:case-blocks": Route("case", (post(403),)),
    "v1:case-block-lift": Route("case", (post(403),), kwargs={"block_id": SOME_ID}),
    "v1:risk-analysis-detail": Route("analysis", (get(404, why=NOT_THEIRS),)),
    "v1:risk-analysis-approve": Route("analysis", (post(404, why=NOT_THEIRS),)),
    "v1:risk-analysis-reject": Route(
        "analysis", (post(404, lambda o: {"reason": "Ofullständig."}, why=NOT_THEIRS),)
    ),
    "v1:risk-analysis-sign": Route("analysis", (post(404, why=NOT_THEIRS),)),
    "v1:risk-analysis-return": Route(
        "analysis", (post(404, lambda o: {"reason": "Komplettera."}, why=NOT_THEIRS),)
    ),
    "v1:case-messages": Route(
        "case",
        (
            get(),
            post(403, lambda o: {"to": str(o.world.orgs["vc_a"].public_id), "body": "Fråga."}),
        ),
    ),
    "v1:message-detail": Route("message", (get(),)),
    "v1:message-replies": Route("message", (post(403, lambda o: {"body": "Svar."}),)),
    "v1:message-close": Route("message", (post(403),)),
    "v1:notification-read": Route(
        "notification",
        (post(404, why="someone else's notification"),),
        outsider=HIDDEN_NOT_PATIENT_DATA,
        owner="governance_lokal",
    ),
    "v1:notification-detail": Route(
        "notification",
        (get(404, why="someone else's notification"),),
        outsider=HIDDEN_NOT_PATIENT_DATA,
        owner="governance_lokal",
    ),
    "v1:document-detail": Route("document", (get(404, why=PSEUDONYMISED),)),
    "v1:document-download": Route("document", (get(404, why=PSEUDONYMISED),)),
    "v1:figures-report": Route("report", (get(),), outsider=HIDDEN_NOT_PATIENT_DATA),
    "v1:sip-detail": Route("sip", (get(),)),
    "v1:sip-draft": Route("sip", (patch(403, lambda o: {"what_matters": "Att få vara hemma."}),)),
    "v1:sip-finalise": Route("sip", (post(403),)),
    "v1:sip-follow-ups": Route("sip", (post(403, _follow_up),)),
    "v1:sip-new-version": Route("sip", (post(403),)),
    "v1:sip-withdraw-consent": Route("sip", (post(403, _consent_withdrawn),)),
    "v1:sip-distributions": Route("sip", (post(403, _handed_out),)),
    "v1:fhir-patient": Route("patient", (get(),)),
    "v1:fhir-organization": Route("organisation", (get(),), outsider=SHARED),
    "v1:fhir-careplan": Route("sip", (get(),)),
    "v1:fhir-careplan-bundle": Route(
        "sip", (get(404, why="the bundle carries the case the plan came from, which the reader cannot see"),)
    ),
    "v1:fhir-riskassessment": Route("analysis", (get(404, why=NOT_THEIRS),)),
    "v1:webhook-subscription-detail": Route(
        "subscription",
        (get(403, why=CLIENT_OWN), patch(403, lambda o: {"events": ["case.agreed"]}), delete(403)),
        outsider=CLIENTS_ONLY,
    ),
    "v1:webhook-subscription-deliveries": Route(
        "subscription", (get(403, why=CLIENT_OWN),), outsider=CLIENTS_ONLY
    ),
}


# --- The world, built once for the module -------------------------------------------------------


@pytest.fixture(scope="module")
def objects(django_db_setup: None, django_db_blocker: Any) -> Iterator[Objects]:
    """One world for every test here, rolled back at the end; each test runs in a savepoint of its own
    (as Django's ``TestCase.setUpTestData``), so what one request writes never reaches the next test."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_objects()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(own_rate_limit_counters: None) -> None:
    pass


# --- Walking the URL patterns -------------------------------------------------------------------


def url_patterns(
    resolver: URLResolver | None = None, prefix: str = "", namespace: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, URLPattern]]:
    """Every URL pattern as (name with namespaces, route, pattern), recursively."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = (*namespace, pattern.namespace) if pattern.namespace else namespace
            yield from url_patterns(pattern, prefix + str(pattern.pattern), inner)
        else:
            yield ":".join((*namespace, pattern.name or "")), prefix + str(pattern.pattern), pattern


def routes_taking_an_id() -> dict[str, URLPattern]:
    return {
        name: pattern
        for name, route, pattern in url_patterns()
        if not route.startswith("admin/") and pattern.pattern.converters
    }


def served_methods(pattern: URLPattern) -> set[str]:
    """The methods an API route answers (a viewset's mapped actions, or an APIView's handlers)."""
    callback = pattern.callback
    actions = getattr(callback, "actions", None)
    if actions:
        return {method.upper() for method in actions} - {"HEAD", "OPTIONS"}
    view = callback.cls
    return {m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)}


def test_the_matrix_lists_every_route_that_takes_an_id() -> None:
    found = routes_taking_an_id()
    unlisted = set(found) - set(ROUTES) - set(NOT_AN_OBJECT)
    assert not unlisted, f"add these routes to ROUTES in {__name__}: {sorted(unlisted)}"
    gone = (set(ROUTES) | set(NOT_AN_OBJECT)) - set(found)
    assert not gone, f"these routes no longer exist: {sorted(gone)}"
    for name, route in ROUTES.items():
        if name.startswith("v1:"):
            listed = {t.method for t in route.tries}
            assert listed == served_methods(found[name]), f"{name} answers other methods than listed"
        id_parts = [key for key in found[name].pattern.converters if key not in route.kwargs]
        assert len(id_parts) == 1, f"{name}: give every part of the URL but the id in Route.kwargs"


# --- Asking ----------------------------------------------------------------------------------------


def url_of(name: str, objects: Objects) -> str:
    route = ROUTES[name]
    pattern = routes_taking_an_id()[name]
    [id_part] = [key for key in pattern.pattern.converters if key not in route.kwargs]
    return reverse(name, kwargs={id_part: objects.ids[route.obj], **route.kwargs})


def _api_client_token(client: Any) -> APIClient:
    api = APIClient()
    api.credentials(
        HTTP_AUTHORIZATION=f"Bearer {integration_services.client_token_issue(client=client).token}"
    )
    return api


@dataclass
class Asker:
    objects: Objects
    api: Callable[..., APIClient]

    def etag(self, url: str, as_client: APIClient) -> str | None:
        """The ETag a reader of the resource was given (a write names it in ``If-Match``)."""
        detail = "/".join(url.split("/")[:5])  # /api/v1/<collection>/<id>
        return as_client.get(detail).get("ETag")

    def send(
        self, name: str, attempt: Try, *, user: str | None = None, client: APIClient | None = None
    ) -> Any:
        url = url_of(name, self.objects)
        body = attempt.body(self.objects) if attempt.body else {}
        route = ROUTES[name]
        if name.startswith("v1:"):
            if client is None:
                assert user is not None
                client = self.api(self.objects.world.users[user])
            headers = {}
            if attempt.writes:
                owner = (
                    _api_client_token(self.objects.client_a)
                    if route.outsider == CLIENTS_ONLY
                    else self.api(self.objects.world.users[route.owner])
                )
                etag = self.etag(url, owner)
                if etag:
                    headers["HTTP_IF_MATCH"] = etag
            call = getattr(client, attempt.method.lower())
            return call(url, body, format="json", **headers) if attempt.writes else call(url)
        assert user is not None
        page = signed_in(self.objects.world.users[user])
        return getattr(page, attempt.method.lower())(url, body)


@pytest.fixture
def ask(objects: Objects, db: None, api: Callable[..., APIClient]) -> Asker:
    return Asker(objects, api)


def written() -> dict[str, list[dict[str, Any]]]:
    """Every row of the domain's tables (not the access log, sessions or tokens, which asking writes)."""
    skip = {"audit.accesslogentry", "integrations.clienttoken", "integrations.apiclient"}
    tables = {}
    labels = (
        "patients",
        "cases",
        "sip",
        "documents",
        "figures",
        "agreements",
        "integrations",
        "audit",
        "hemsjukvard",
        "competence",
        "attachments",
        "messaging",
    )
    for label in labels:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower not in skip:
                tables[model._meta.label_lower] = list(model.objects.order_by("pk").values())
    return tables


def assert_nothing_written(before: dict[str, list[dict[str, Any]]]) -> None:
    after = written()
    changed = sorted(table for table in after if after[table] != before.get(table))
    assert not changed, f"written to {changed}"


def denials(user: Any) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(user=user, outcome=Outcome.DENIED).order_by("pk"))


# --- The checks ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_an_outsider_may_not_see_it(name: str, ask: Asker, objects: Objects) -> None:
    route = ROUTES[name]
    outsider = objects.world.users[route.outsider_user]
    before = written()
    for attempt in route.tries:
        if route.outsider == CLIENTS_ONLY:
            response = ask.send(name, attempt, user=route.outsider_user)
            assert response.status_code == 403, f"{attempt.method}: a person's token"
            response = ask.send(name, attempt, client=_api_client_token(objects.client_b))
            assert response.status_code == 404, f"{attempt.method}: another organisation's client"
            continue
        logged = len(denials(outsider))
        response = ask.send(name, attempt, user=route.outsider_user)
        if route.outsider == SHARED:
            assert response.status_code == (403 if attempt.writes else 200), attempt.method
            continue
        assert response.status_code == 404, f"{attempt.method} {response.status_code}"
        new = denials(outsider)[logged:]
        if route.outsider == HIDDEN:
            assert new, f"{attempt.method}: the denial is not in the access log"
            assert {entry.patient_id for entry in new} == {objects.patient.pk}, "logged on another patient"
        else:
            assert not new, f"{attempt.method}: {route.outsider}"
    assert_nothing_written(before)
    # The id is real: someone who may see the object does.
    if route.outsider == CLIENTS_ONLY:
        owner = ask.send(name, route.tries[0], client=_api_client_token(objects.client_a))
    else:
        owner = ask.send(name, route.tries[0], user=route.owner)
    assert owner.status_code != 404, "the object does not exist: the 404 above proves nothing"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_the_read_only_role_may_read_and_changes_nothing(name: str, ask: Asker) -> None:
    route = ROUTES[name]
    before = written()
    for attempt in route.tries:
        if attempt.reader == MAY:
            assert attempt.why, "say why the read-only role may do this"
            continue
        response = ask.send(name, attempt, user=READER)
        assert response.status_code == attempt.reader, f"{attempt.method}: {response.status_code}"
        if (attempt.writes and attempt.reader != 403) or (not attempt.writes and attempt.reader != 200):
            assert attempt.why, f"{attempt.method}: say why the read-only role gets {attempt.reader}"
    assert_nothing_written(before)


@pytest.mark.parametrize("name", sorted(n for n in ROUTES if n.startswith("v1:")))
def test_a_read_only_api_client_changes_nothing(name: str, ask: Asker, objects: Objects) -> None:
    client = _api_client_token(objects.client_a_read_only)
    before = written()
    for attempt in ROUTES[name].tries:
        if attempt.writes:
            assert ask.send(name, attempt, client=client).status_code == 403, attempt.method
    assert_nothing_written(before)
