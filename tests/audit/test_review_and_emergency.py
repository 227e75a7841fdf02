"""The review on both sides (MAS/MAR the kommun's staff, the log reviewer the region's), emergency access,
the patient's log extract and the weekly sample."""

from __future__ import annotations

import contextlib
import datetime
from unittest import mock

import pytest
from django.core import mail
from django.http import Http404
from django.utils import timezone

from audit import sampling
from audit.models import (
    AccessLogEntry,
    AccessLogReview,
    AccessLogSample,
    Action,
    Outcome,
    Purpose,
    ReviewNotification,
)
from audit.services import Access, access_log_record
from directory.actor import Actor
from directory.models import Membership, Role
from patients.selectors import patient_get
from tests.fixtures.clients import signed_in
from tests.fixtures.world import make_user

pytestmark = pytest.mark.django_db


def read(world, key, patient, *, when=None):
    actor = Actor.for_user(world.users[key] if isinstance(key, str) else key)
    # A denied read is logged and raises 404.
    with (
        mock.patch("django.utils.timezone.now", return_value=when or timezone.now()),
        contextlib.suppress(Http404),
    ):
        patient_get(actor=actor, public_id=patient.public_id)
    return AccessLogEntry.objects.latest("pk")


@pytest.fixture
def planted(world):
    pa = world.patient(kommun="kommun_a", vardcentral="vc_a")
    pb = world.patient(kommun="kommun_b", vardcentral="vc_b")
    protected = world.patient(kommun="kommun_a", protected=True)
    e = {
        "a_reads_a": read(world, "nurse_a", pa),
        "b_reads_b": read(world, "nurse_b", pb),
        "a_denied_b": read(world, "nurse_a", pb),
        "protected": read(world, "nurse_a", protected),
    }
    from patients.selectors import patient_get_emergency

    patient_get_emergency(actor=Actor.for_user(world.users["gp_b"]), public_id=pa.public_id, reason="Jour")
    e["emergency"] = AccessLogEntry.objects.latest("pk")
    return pa, pb, e


def shown_ids(response) -> set[int]:
    return {row["entry"].pk for row in response.context["rows"]}


@pytest.fixture
def region_reviewer(world):
    return make_user("log_reviewer.region", (world.orgs["region"], Role.LOG_REVIEWER))


def test_mas_reviews_only_the_kommuns_staff(world, planted):
    _pa, _pb, e = planted
    response = signed_in(world.users["mas_a"]).get("/access-log/")
    assert response.status_code == 200
    shown = shown_ids(response)
    # Kommun A's staff's reads, their denied attempt on B's patient included; not the region's
    # vårdcentral reading A's patient in an emergency, nor B's staff.
    assert shown == {e["a_reads_a"].pk, e["a_denied_b"].pk, e["protected"].pk}
    flags = {row["entry"].pk: row["flags"] for row in response.context["rows"]}
    assert flags[e["a_reads_a"].pk] == []
    assert flags[e["a_denied_b"].pk] == ["Ingen vårdrelation"]
    assert flags[e["protected"].pk] == ["Skyddad identitet"]
    only_flagged = signed_in(world.users["mas_a"]).get("/access-log/?flag=any")
    assert shown_ids(only_flagged) == {e["a_denied_b"].pk, e["protected"].pk}
    # Kommun B reviews its own staff's read only, not A's denied attempt on B's patient.
    b_view = shown_ids(signed_in(world.users["mas_b"]).get("/access-log/"))
    assert b_view == {e["b_reads_b"].pk}


def test_the_region_reviewer_sees_only_the_regions_staff(world, planted, region_reviewer):
    pa, _pb, e = planted
    specialist_read = read(world, "specialist", pa)  # denied: no case with the clinic
    client = signed_in(region_reviewer)
    response = client.get("/access-log/")
    assert response.status_code == 200
    assert response.context["selection"].context.provider == world.orgs["region"]
    shown = shown_ids(response)
    by_region_staff = AccessLogEntry.objects.filter(user__in=[world.users["gp_b"], world.users["specialist"]])
    assert shown == set(by_region_staff.values_list("pk", flat=True))
    assert {e["emergency"].pk, specialist_read.pk} <= shown
    assert not AccessLogEntry.objects.filter(
        pk__in=shown, organisation__in=[world.orgs["kommun_a"], world.orgs["kommun_b"]]
    ).exists()
    emergency_only = client.get("/access-log/?flag=emergency_access")
    assert shown_ids(emergency_only) == {e["emergency"].pk}
    assert "Granskning av åtkomstloggen för Region Test" in emergency_only.content.decode()
    # A log reviewer placed in one of the region's units reviews the same: the region is the provider.
    unit_reviewer = make_user("log_reviewer.vc", (world.orgs["vc_a"], Role.LOG_REVIEWER))
    unit_view = shown_ids(signed_in(unit_reviewer).get("/access-log/"))
    assert shown <= unit_view
    # … and the region reviewer's own listings since, which are the region's staff's reads too.
    assert set(AccessLogEntry.objects.filter(pk__in=unit_view - shown).values_list("user", flat=True)) == {
        region_reviewer.pk
    }
    # The kommun's page is not theirs, nor the region's page the MAS's.
    kommun_a = world.orgs["kommun_a"].public_id
    assert client.get(f"/access-log/?provider={kommun_a}").status_code == 404
    region = world.orgs["region"].public_id
    assert signed_in(world.users["mas_a"]).get(f"/access-log/?provider={region}").status_code == 404
    # The region reviews the emergency access; its review is its own, beside any the kommun may write.
    marked = client.post(
        f"/access-log/entries/{e['emergency'].pk}/review",
        {"note": "Kontrollerat med jouren.", "at": e["emergency"].at.isoformat()},
    )
    assert marked.status_code == 302
    review = AccessLogReview.objects.get()
    assert (review.kommun, review.role) == (world.orgs["region"], Role.LOG_REVIEWER)
    # MAS A cannot review the region's entry.
    signed_in(world.users["mas_a"]).post(f"/access-log/entries/{e['emergency'].pk}/review", {"note": "x"})
    assert AccessLogReview.objects.count() == 1


def test_unusual_volume_is_flagged(world):
    patients = [world.patient() for _ in range(14)]
    day = timezone.now() - datetime.timedelta(hours=1)
    peers = [world.users["nurse_a"]] + [
        make_user(f"nurse.a{i}", (world.orgs["kommun_a"], Role.NURSE)) for i in range(4)
    ]
    for peer in peers:
        for patient in patients[:2]:
            read(world, peer, patient, when=day)
    heavy = make_user("nurse.heavy", (world.orgs["kommun_a"], Role.NURSE))
    for patient in patients[:12]:
        read(world, heavy, patient, when=day)
    response = signed_in(world.users["mas_a"]).get("/access-log/?flag=unusual_volume")
    rows = response.context["rows"]
    assert rows
    assert {row["entry"].user_id for row in rows} == {heavy.pk}
    assert len(rows) == 12


def test_review_page_who_may_see_it(world):
    assert signed_in(world.users["nurse_a"]).get("/access-log/").status_code == 403
    assert signed_in(world.users["admin"]).get("/access-log/").status_code == 403
    kommun_b = world.orgs["kommun_b"].public_id
    assert signed_in(world.users["mas_a"]).get(f"/access-log/?kommun={kommun_b}").status_code == 404
    assert signed_in(world.users["mar_b"]).get(f"/access-log/?kommun={kommun_b}").status_code == 200
    assert signed_in(world.users["gp_a"]).get("/access-log/").status_code == 403
    assert signed_in(world.users["governance"]).get("/access-log/").status_code == 403


def test_marking_reviewed_is_a_separate_logged_record(world, planted):
    _pa, _pb, e = planted
    client = signed_in(world.users["mas_a"])
    denied = e["a_denied_b"]
    # A time that is not the entry's finds nothing: the lookup names the entry's day.
    wrong_day = (denied.at - datetime.timedelta(days=3)).isoformat()
    client.post(f"/access-log/entries/{denied.pk}/review", {"note": "Fel dag", "at": wrong_day})
    assert not AccessLogReview.objects.exists()
    response = client.post(
        f"/access-log/entries/{denied.pk}/review",
        {"note": "Ringde sjuksköterskan: fel patient.", "at": denied.at.isoformat()},
    )
    assert response.status_code == 302
    review = AccessLogReview.objects.get()
    assert review.entry_id == denied.pk
    assert review.kommun == world.orgs["kommun_a"]
    logged = AccessLogEntry.objects.filter(record_type="access_log_review", user=world.users["mas_a"])
    assert logged.count() == 1
    client.post(f"/access-log/entries/{denied.pk}/review", {"note": "Igen"})
    assert AccessLogReview.objects.count() == 1
    # Another kommun's MAS cannot review A's staff's entries, not even the one about B's patient.
    signed_in(world.users["mas_b"]).post(f"/access-log/entries/{e['a_reads_a'].pk}/review", {"note": "x"})
    signed_in(world.users["mas_b"]).post(f"/access-log/entries/{denied.pk}/review", {"note": "x"})
    assert AccessLogReview.objects.count() == 1


def test_export_of_the_selection(world, planted, region_reviewer):
    response = signed_in(region_reviewer).get("/access-log/export.csv?flag=emergency_access")
    assert response.status_code == 200
    assert 'filename="logg-region-test-' in response["Content-Disposition"]
    text = response.content.decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 2
    assert "Jour" in text
    assert AccessLogEntry.objects.filter(action=Action.EXPORT, user=region_reviewer).exists()
    nothing = signed_in(world.users["mas_a"]).get("/access-log/export.csv?flag=emergency_access")
    assert len(nothing.content.decode("utf-8-sig").strip().splitlines()) == 1


def test_emergency_access_needs_a_reason_and_a_care_role(world, api):
    pa = world.patient()
    url = f"/api/v1/patients/{pa.public_id}/emergency-access"
    assert api(world.users["gp_b"]).post(url, {"reason": "  "}, format="json").status_code == 400
    assert api(world.users["gp_b"]).post(url, {}, format="json").status_code == 400
    assert api(world.users["admin"]).post(url, {"reason": "Jour"}, format="json").status_code == 404
    assert api(world.users["governance"]).post(url, {"reason": "Jour"}, format="json").status_code == 404
    response = api(world.users["gp_b"]).post(url, {"reason": "Akut hembesök"}, format="json")
    assert response.status_code == 200
    entry = AccessLogEntry.objects.filter(patient=pa, purpose=Purpose.EMERGENCY_ACCESS).get()
    assert entry.reason == "Akut hembesök"
    assert entry.outcome == Outcome.GRANTED
    assert entry.organisation == world.orgs["vc_b"]


def test_patient_extract_lists_emergency_access(world, planted):
    pa, _pb, _e = planted
    client = signed_in(world.users["mas_a"])
    response = client.post(f"/access-log/patients/{pa.public_id}/extract")
    assert response.status_code == 302
    page = client.get(response["Location"])
    rows = page.context["rows"]
    emergency = [row for row in rows if row.emergency]
    assert len(emergency) == 1
    # The unit and the time, not the reason text (tests/audit/test_extract_shows_no_reason.py).
    assert emergency[0].unit == "Vårdcentralen B"
    assert not hasattr(emergency[0], "reason")
    assert (
        signed_in(world.users["nurse_a"]).post(f"/access-log/patients/{pa.public_id}/extract").status_code
        == 403
    )
    assert (
        signed_in(world.users["nurse_b"]).post(f"/access-log/patients/{pa.public_id}/extract").status_code
        == 404
    )
    assert signed_in(world.users["nurse_b"]).get(response["Location"]).status_code == 404


def test_extract_pdf_is_registered_with_documents(world, planted, django_capture_on_commit_callbacks):
    from audit.extract import log_extract_create
    from documents.models import Document, DocumentStatus
    from documents.services import document_request
    from hemsjukvard.celery import app as celery_app

    pa, _pb, _e = planted
    actor = Actor.for_user(world.users["mas_a"])
    extract = log_extract_create(actor=actor, patient_public_id=pa.public_id)
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            document = document_request(
                actor=actor, kind="access_log_extract", source_id=extract.public_id, language="sv"
            )
    finally:
        celery_app.conf.task_always_eager = False
    document = Document.objects.get(pk=document.pk)
    assert document.status == DocumentStatus.READY, document.failure_reason


def test_weekly_sample_is_drawn_once_per_provider_and_notifies_its_reviewers(world, region_reviewer):
    for key in ("mas_a", "mar_a"):
        world.users[key].email = f"{key}@example.org"
        world.users[key].save()
    today = datetime.date(2025, 3, 12)  # a Wednesday; the previous week starts Monday 3 March
    when = timezone.make_aware(datetime.datetime(2025, 3, 5, 10))
    patients = [world.patient() for _ in range(3)]
    for patient in patients:
        read(world, "nurse_a", patient, when=when)
    region_read = read(world, "gp_a", patients[0], when=when)

    assert sampling.sample_previous_week(today=today) == 3  # both kommuner and the region
    assert sampling.sample_previous_week(today=today) == 0
    region_sample = AccessLogSample.objects.get(kommun=world.orgs["region"])
    assert list(region_sample.items.values_list("entry_id", flat=True)) == [region_read.pk]
    assert list(ReviewNotification.objects.filter(sample=region_sample).values_list("user", flat=True)) == [
        region_reviewer.pk
    ]
    sample = AccessLogSample.objects.get(kommun=world.orgs["kommun_a"])
    assert sample.week_start == datetime.date(2025, 3, 3)
    assert sample.items.count() == 3
    assert set(ReviewNotification.objects.filter(sample=sample).values_list("user__username", flat=True)) == {
        "mas.a",
        "mar.a",
    }
    sampling.notifications_email(sample_id=sample.pk)
    assert sorted(m.to[0] for m in mail.outbox) == ["mar_a@example.org", "mas_a@example.org"]
    sampling.notifications_email(sample_id=sample.pk)
    assert len(mail.outbox) == 2
    response = signed_in(world.users["mas_a"]).get("/access-log/?sampled=1&from=2025-03-01&to=2025-03-10")
    assert len(response.context["rows"]) == 3


def test_access_log_still_append_only_with_reviews(world, planted):
    _pa, _pb, e = planted
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic():
        AccessLogEntry.objects.filter(pk=e["emergency"].pk).update(reason="changed")
    assert Membership.objects.exists()
    _ = access_log_record, Access


def test_record_types_are_named_in_swedish(world, planted):
    """The review page, its filter, its export and the patient's extract name the record, not its code."""
    pa, _pb, e = planted
    client = signed_in(world.users["mas_a"])
    page = client.get("/access-log/", HTTP_ACCEPT_LANGUAGE="sv")
    html = page.content.decode()
    assert e["a_reads_a"].record_type == "patient"
    assert '<option value="responsibility_case">Ansvarsärende</option>' in html
    assert "<td>Patient</td>" in html
    assert ">patient_registration<" not in html
    filtered = client.get("/access-log/?record_type=access_log_extract", HTTP_ACCEPT_LANGUAGE="sv")
    assert '<option value="access_log_extract" selected>Loggutdrag</option>' in filtered.content.decode()
    # … and the role, not its code.
    assert "A kommun (Kommunsjuksköterska)" in html
    exported = client.get("/access-log/export.csv", HTTP_ACCEPT_LANGUAGE="sv")
    assert exported.status_code == 200
    assert b";Patient;" in exported.content
    assert ";Kommunsjuksköterska;A kommun;".encode() in exported.content
    response = client.post(f"/access-log/patients/{pa.public_id}/extract", HTTP_ACCEPT_LANGUAGE="sv")
    rows = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="sv").context["rows"]
    assert {row.record_type for row in rows} >= {"Patient"}
    assert not {row.record_type for row in rows} & {"patient", "responsibility_case"}
