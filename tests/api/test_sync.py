"""Keeping in step with ``updated_since`` and ``after_id``: lists ordered by ``(updated_at, id)``, paged by
the last record seen, while records change between the pages.

A client sends ``updated_since`` and ``after_id`` from the last record of each page. Every record must
come exactly once per change: never skipped (a gap), never twice with the same ``updated_at`` (a
repeat); a record changed after it was seen comes again with its new ``updated_at``; and at the end the
client has every record as it now is.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import Count
from django.utils import timezone

from cases.models import CaseStatus, Notification, ResponsibilityCase
from cases.selectors import case_get
from directory.actor import Actor
from directory.models import User
from documents import services as document_services
from documents.models import Document, DocumentStatus
from patients.selectors import patient_get
from sip import services as sip_services
from sip.models import Sip, SipEvent
from tests.fixtures.cases import CaseDriver
from tests.fixtures.sip import fill

pytestmark = pytest.mark.django_db

PAGE = 2


def sync(
    client: Any,
    path: str,
    since: datetime.datetime,
    between: Callable[[int], None],
    params: dict[str, str] | None = None,
) -> list[tuple[str, str]]:
    """Page through ``path`` (with ``params``) from ``since`` by the last record seen; ``between(n)`` runs
    after page n."""
    seen: list[tuple[str, str]] = []
    query: dict[str, Any] = {
        **(params or {}),
        "updated_since": since.isoformat(),
        "page_size": PAGE,
        "unread": "false",
    }
    for page in range(50):
        answer = client.get(path, query)
        assert answer.status_code == 200, answer.content
        results = answer.json()["results"]
        stamps = [(r["updated_at"], r["id"]) for r in results]
        assert stamps == sorted(stamps, key=lambda s: (datetime.datetime.fromisoformat(s[0]), s[1]))
        seen += [(r["id"], r["updated_at"]) for r in results]
        if not results:
            return seen
        query = {**query, "updated_since": results[-1]["updated_at"], "after_id": results[-1]["id"]}
        between(page)
    raise AssertionError("the sync did not end")


def _check(seen: list[tuple[str, str]], now: dict[str, str]) -> None:
    assert len(seen) == len(set(seen)), "a record came twice with the same updated_at"
    last = {}
    for record_id, stamp in seen:
        last[record_id] = stamp
    assert set(last) == set(now), "a record was never listed"
    assert last == now, "a record's last listing is not how it now is"


def _stamp(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def test_cases_are_synced_without_gaps_or_repeats_while_they_change(world, halland, api):
    drive = CaseDriver(world)
    since = timezone.now()
    cases = [drive.open() for _ in range(7)]
    client = api(world.users["nurse_a"])

    def change(page: int) -> None:
        # After the first page: one case already seen and one not yet seen change.
        if page == 0:
            drive.submit(cases[0])
            drive.submit(cases[5])

    seen = sync(client, "/api/v1/cases", since, change)
    now = {
        str(c.public_id): c.updated_at
        for c in ResponsibilityCase.objects.filter(pk__in=[c.pk for c in cases])
    }
    listed = {record_id for record_id, _stamp in seen}
    assert listed == set(now)
    assert sum(1 for record_id, _ in seen if record_id == str(cases[0].public_id)) == 2
    assert sum(1 for record_id, _ in seen if record_id == str(cases[5].public_id)) == 1
    _check(
        [(i, datetime.datetime.fromisoformat(s).isoformat()) for i, s in seen],
        {i: datetime.datetime.fromisoformat(_stamp(m)).isoformat() for i, m in now.items()},
    )


def test_notifications_are_synced_without_gaps_or_repeats_while_they_change(world, halland, api):
    drive = CaseDriver(world)
    since = timezone.now()
    for _ in range(4):
        drive.submit(drive.open())
    # Whoever the submissions told most often.
    busiest = Notification.objects.values("user").annotate(n=Count("pk")).order_by("-n", "user")[0]
    reader = User.objects.get(pk=busiest["user"])
    notices = list(Notification.objects.filter(user=reader).order_by("pk"))
    assert len(notices) >= 4
    client = api(reader)

    def change(page: int) -> None:
        if page == 0:
            client.post(f"/api/v1/notifications/{notices[0].public_id}/read")  # seen: comes again
            drive.submit(drive.open())  # a new one, after everything seen

    seen = sync(client, "/api/v1/notifications", since, change)
    now = {
        str(n.public_id): datetime.datetime.fromisoformat(_stamp(n.updated_at)).isoformat()
        for n in Notification.objects.filter(user=reader)
    }
    _check([(i, datetime.datetime.fromisoformat(s).isoformat()) for i, s in seen], now)


def _now(stamps: dict[str, datetime.datetime]) -> dict[str, str]:
    return {i: datetime.datetime.fromisoformat(_stamp(m)).isoformat() for i, m in stamps.items()}


def _as_seen(seen: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(i, datetime.datetime.fromisoformat(s).isoformat()) for i, s in seen]


def test_sips_are_synced_without_gaps_or_repeats_while_they_change(world, agreed_case, api):
    """Every recorded change of a plan moves its ``updated_at``: a draft saved (also its participants),
    a finalised version, a hand-out, a new version, a withdrawn consent."""
    nurse = Actor.for_user(world.users["nurse_a"])
    since = timezone.now()
    plans = []
    for _ in range(4):
        patient = world.patient(kommun="kommun_a", vardcentral="vc_a")
        plans.append(
            sip_services.sip_create_for_patient(
                actor=nurse, patient=patient_get(actor=nurse, public_id=patient.public_id)
            )
        )
    from_case = sip_services.sip_create_from_case(
        actor=nurse, case=case_get(actor=nurse, public_id=agreed_case.public_id)
    )
    fill(from_case, nurse, world)
    plans.append(from_case)
    client = api(world.users["nurse_a"])
    today = timezone.localdate()

    def change(page: int) -> None:
        if page == 0:
            # One plan already seen and one not yet seen change; a plan is started.
            sip_services.sip_update_draft(
                actor=nurse,
                sip=plans[0],
                expected_revision=None,
                changes=sip_services.DraftChanges(fields={"what_matters": "Att kunna gå ut med hunden."}),
            )
            sip_services.sip_finalise(actor=nurse, sip=from_case, expected_revision=None)
            patient = world.patient(kommun="kommun_a", vardcentral="vc_a")
            plans.append(
                sip_services.sip_create_for_patient(
                    actor=nurse, patient=patient_get(actor=nurse, public_id=patient.public_id)
                )
            )
        if page == 1:
            participants = [
                sip_services.ParticipantInput(name="Per Persson", kind="person", attendance="yes")
            ]
            sip_services.sip_update_draft(
                actor=nurse,
                sip=plans[1],
                expected_revision=None,
                changes=sip_services.DraftChanges(fields={}, participants=participants),
            )
            sip_services.sip_record_distribution(
                actor=nurse,
                sip=from_case,
                expected_revision=None,
                recipient_kind="person",
                recipient_name="Karin Svensson",
                method="by_hand",
                given_on=today,
            )
        if page == 2:
            sip_services.sip_new_version(actor=nurse, sip=from_case, expected_revision=None)
        if page == 3:
            sip_services.sip_withdraw_consent(
                actor=nurse,
                sip=from_case,
                expected_revision=None,
                withdrawn_by="person",
                withdrawn_by_name="Karin Svensson",
                withdrawn_on=today,
            )

    seen = sync(client, "/api/v1/sips", since, change)
    now = _now({str(p.public_id): p.updated_at for p in Sip.objects.filter(pk__in=[p.pk for p in plans])})
    _check(_as_seen(seen), now)
    kinds = set(SipEvent.objects.filter(sip=from_case).values_list("kind", flat=True))
    assert {"finalised", "distributed", "new_version", "consent_withdrawn"} <= kinds
    # Each change after the plan was last listed listed it again: it came more than once.
    assert sum(1 for record_id, _ in seen if record_id == str(from_case.public_id)) >= 2
    assert sum(1 for record_id, _ in seen if record_id == str(plans[0].public_id)) == 2


def test_documents_are_synced_without_gaps_or_repeats_while_they_render(make_case_world, api):
    """A document's ``updated_at`` moves with its status (rendering, then ready or failed, when its
    record moved on): the list of one record's documents is synced like any other."""
    cw = make_case_world(events=1)
    nurse = Actor.for_user(cw.world.users["nurse_a"])
    source = cw.case.public_id

    def ask(language: str) -> Document:
        return document_services.document_request(
            actor=nurse, kind="escalation_notice", source_id=source, language=language
        )

    def comment(text: str) -> None:
        CaseDriver(cw.world).comment(ResponsibilityCase.objects.get(pk=cw.case.pk), text)

    since = timezone.now()
    documents = [ask("sv"), ask("en")]
    comment("Ny uppgift om PD-utbildningen.")  # a new version of the notice
    documents += [ask("sv"), ask("en")]
    comment("Kliniken har svarat.")
    documents.append(ask("sv"))
    assert len({d.pk for d in documents}) == 5
    client = api(cw.world.users["nurse_a"])

    def render(document: Document) -> str:
        return document_services.document_render(document_id=document.pk, worker="w1").status

    def change(page: int) -> None:
        if page == 0:
            # Seen: a notice of an older version fails (its case moved on); not yet seen: the current one
            # is rendered.
            assert render(documents[0]) == DocumentStatus.FAILED
            assert render(documents[4]) == DocumentStatus.READY
        if page == 1:
            comment("Ärendet tas upp på nästa möte.")
            documents.append(ask("en"))  # a new document, after everything seen
            assert render(documents[2]) == DocumentStatus.FAILED

    seen = sync(
        client,
        "/api/v1/documents",
        since,
        change,
        params={"kind": "escalation_notice", "source_id": str(source)},
    )
    now = _now({str(d.public_id): d.updated_at for d in Document.objects.filter(kind="escalation_notice")})
    _check(_as_seen(seen), now)
    statuses = dict(Document.objects.filter(kind="escalation_notice").values_list("public_id", "status"))
    assert statuses[documents[0].public_id] == DocumentStatus.FAILED
    assert statuses[documents[4].public_id] == DocumentStatus.READY
    assert statuses[documents[5].public_id] == DocumentStatus.QUEUED
    assert sum(1 for record_id, _ in seen if record_id == str(documents[0].public_id)) == 2


def test_after_id_needs_updated_since(world, api):
    answer = api(world.users["nurse_a"]).get(
        "/api/v1/cases", {"after_id": "3fa85f64-5717-4562-b3fc-2c963f66afa6"}
    )
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"after_id"}


def test_a_task_review_and_a_risk_analysis_relist_their_case(world, halland, api):
    """Tasks and risk analyses are parts of their case: each change of one moves the case's
    ``updated_at`` (and ETag), so a client syncing cases is told, and reads the parts again."""
    drive = CaseDriver(world)
    reviewed = drive.submit(drive.open())
    analysed = drive.to(CaseStatus.RISK_ANALYSIS)
    untouched = drive.submit(drive.open())
    client = api(world.users["nurse_a"])
    since = timezone.now()
    assert sync(client, "/api/v1/cases", since, lambda page: None) == []

    drive.accept(reviewed)
    drive.analyse(analysed)
    seen = {record_id for record_id, _stamp in sync(client, "/api/v1/cases", since, lambda page: None)}
    assert seen == {str(reviewed.public_id), str(analysed.public_id)}
    assert str(untouched.public_id) not in seen
    tasks = client.get(f"/api/v1/cases/{reviewed.public_id}/tasks").json()
    assert tasks
    assert {t["review_state"] for t in tasks} == {"accepted"}
    analyses = client.get(f"/api/v1/cases/{analysed.public_id}/risk-analyses").json()
    assert len(analyses) == 1
