"""Query-count guards for the lists on the patient page, the emergency access read and the SIP editor's
insats rows: the same number of queries for a few rows as for many (the pattern of
``test_query_counts``)."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client

from documents.models import Document, DocumentContent, DocumentKind, DocumentStatus
from tests.documents.real_sources import source_of
from tests.fixtures.world import World
from tests.perf.test_query_counts import _page_client, assert_flat

pytestmark = pytest.mark.django_db


def _grow_documents(world: World, patient: Any, make_case: Any, *, masked: bool = False) -> Any:
    made = [0]
    kinds = [DocumentKind.SIP_CARE_PLAN, DocumentKind.ESCALATION_NOTICE, DocumentKind.RISK_ANALYSIS]
    sources = {kind: source_of(world, patient, kind, case_in=make_case) for kind in kinds}
    statuses = [DocumentStatus.READY, DocumentStatus.QUEUED, DocumentStatus.RENDERING, DocumentStatus.FAILED]

    def grow(n: int) -> None:
        for _ in range(n):
            status = statuses[made[0] % len(statuses)]
            extra: dict[str, Any] = {}
            if status == DocumentStatus.READY:
                extra = {"sha256": hashlib.sha256(b"%PDF-").hexdigest(), "size": 5, "page_count": 1}
            if status == DocumentStatus.FAILED:
                extra = {"failure_reason": "WeasyPrint failed"}
            document = Document.objects.create(
                kind=kinds[made[0] % len(kinds)],
                source_id=sources[kinds[made[0] % len(kinds)]],
                source_version=f"v{made[0]}",
                language="sv",
                patient=patient,
                requested_by=world.users["nurse_a"],
                requested_by_organisation=world.orgs["kommun_a"],
                status=status,
                identity_masked=masked,
                **extra,
            )
            if status == DocumentStatus.READY:
                DocumentContent.objects.create(document=document, content=b"%PDF-")
            made[0] += 1

    return grow


@pytest.mark.parametrize("who", ["nurse_a", "gp_a", "coordinator_a"])
def test_patient_page_documents(world: World, who: str, case_in: Any) -> None:
    patient = world.patient(protected=who == "coordinator_a")
    # The coordinator sees the patient but not the identity: only masked prints are listed to them.
    grow = _grow_documents(world, patient, case_in, masked=who == "coordinator_a")
    client = _page_client(world, who)
    assert_flat(
        lambda: client.get(f"/patients/{patient.public_id}/"),
        grow,
        rows=lambda response: response.content.count(b'class="doc-status-'),
    )


def test_sip_editor_rows(world: World) -> None:
    """The editor and its rows fragment cost the same for 3 insatser as for 20."""
    from sip import selectors as sip_selectors
    from sip import services as sip_services
    from sip.models import SipInsats
    from tests.fixtures.world import as_actor

    nurse = as_actor(world, "nurse_a")
    from patients.selectors import patient_get

    patient = world.patient()
    sip = sip_services.sip_create_for_patient(
        actor=nurse, patient=patient_get(actor=nurse, public_id=patient.public_id)
    )
    version = sip_selectors.current_version(sip_selectors.sip_reload(sip=sip))
    made = [0]

    def grow(n: int) -> None:
        SipInsats.objects.bulk_create(
            [
                SipInsats(
                    version=version,
                    position=made[0] + i,
                    description=f"Insats {made[0] + i}",
                    responsible=world.orgs["kommun_a"],
                )
                for i in range(n)
            ]
        )
        made[0] += n

    client: Client = _page_client(world, "nurse_a")
    assert_flat(
        lambda: client.get(f"/sip/{sip.public_id}/"),
        grow,
        rows=lambda response: response.content.count(b'name="insats_remove"'),
    )

    def posted() -> dict[str, Any]:
        data: dict[str, Any] = {"insats_row": [str(i) for i in range(made[0])], "insats_add": "1"}
        for i in range(made[0]):
            data[f"insats_{i}_origin"] = str(i)
            data[f"insats_{i}_description"] = f"Insats {i}"
            data[f"insats_{i}_responsible"] = str(world.orgs["kommun_a"].public_id)
        return data

    assert_flat(
        lambda: client.post(f"/sip/{sip.public_id}/draft/rows/", posted(), HTTP_HX_REQUEST="true"),
        grow,
        rows=lambda response: response.content.count(b'name="insats_remove"'),
    )


# --- Finding: the patient list's search and filters, My work's parts and filters, the case search -----


def test_patient_list_searched_and_filtered(world: World) -> None:
    """A search with accents and every patient filter costs the same for 3 rows as for 20."""
    client = _page_client(world, "nurse_a")
    params = {
        "q": "marta",
        "housing": "ordinary_home",
        "vardcentral": str(world.orgs["vc_a"].public_id),
        "enrolled": "yes",
        "open_case": "no",
    }
    assert_flat(
        lambda: client.get("/patients/", params),
        lambda n: [world.patient(given_name="Märta") for _ in range(n)],
        rows=lambda response: response.content.count(b'href="/patients/'),
    )


def test_my_work_with_my_patients_and_a_kept_choice(world: World, case_in: Any) -> None:
    """The nurse's My work, sorted as she chose, costs the same with 3 running cases as with 20."""
    from cases.models import CaseStatus

    client = _page_client(world, "nurse_a")
    kommun = str(world.orgs["kommun_a"].public_id)
    client.post("/my-work/filters/", {"sort": "newest", "organisation": kommun})

    def grow(n: int) -> None:
        for _ in range(n):
            case_in(CaseStatus.ACTIVE)
        # Taking 20 cases to active takes a while: the session's once-a-minute bookkeeping happens here,
        # not in the counted request.
        client.get("/")

    assert_flat(
        lambda: client.get("/"),
        grow,
        rows=lambda response: response.content.split(b'id="mine-heading"')[1].count(b'href="/cases/'),
    )


def test_case_search_page(world: World, case_in: Any) -> None:
    from cases.models import CaseStatus

    client = _page_client(world, "coordinator_a")

    def grow(n: int) -> None:
        for _ in range(n):
            case_in(CaseStatus.IN_REVIEW)
        client.get("/cases/search/")  # the session's once-a-minute bookkeeping, outside the counts

    assert_flat(
        lambda: client.get("/cases/search/", {"status": "in_review", "q": "karin"}),
        grow,
        rows=lambda response: response.content.count(b'href="/cases/'),
    )


@pytest.mark.parametrize("url", ["/", "/inbox/"])
def test_notices_naming_their_cases(world: World, case_in: Any, url: str) -> None:
    """My work and the inbox name each notice's case by number: as many queries for 3 notices on 3 cases
    as for 20 on 20."""
    from cases.models import CaseStatus, Notification, NotificationKind

    client = _page_client(world, "gp_a")
    made = [0]

    def grow(n: int) -> None:
        for _ in range(n):
            Notification.objects.create(
                user=world.users["gp_a"],
                case=case_in(CaseStatus.IN_REVIEW),
                kind=NotificationKind.DEADLINE_PASSED,
                deadline_key=f"in_review:0:{made[0]}",
                message="Granskningen är försenad.",
            )
            made[0] += 1
        client.get(url)

    assert_flat(lambda: client.get(url), grow, rows=lambda response: response.content.count(b"HSV-"))
