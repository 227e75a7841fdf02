"""The access-log review over the API: each care provider's reviewers list and mark their own staff's
entries, under the page's rule and with the page's log; others are refused."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry, AccessLogReview, Action
from audit.records import RECORD_LOG_ENTRY
from directory.actor import Actor
from directory.models import Role
from patients.selectors import patient_get
from tests.fixtures.world import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_rate_limit_counters")]

LIST = "/api/v1/access-log/entries"


def mark(entry_id: int) -> str:
    return f"{LIST}/{entry_id}/review"


@pytest.fixture
def nurse_read(world):
    """Kommun A's nurse reads a patient of kommun A: an entry for kommun A's MAS to review."""
    patient = world.patient(kommun="kommun_a", vardcentral="vc_a")
    patient_get(actor=Actor.for_user(world.users["nurse_a"]), public_id=patient.public_id)
    return AccessLogEntry.objects.filter(user=world.users["nurse_a"], patient=patient).latest("pk")


@pytest.fixture
def region_reviewer(world):
    return make_user("log_reviewer.region", (world.orgs["region"], Role.LOG_REVIEWER))


def test_the_kommuns_mas_lists_and_marks_her_own_staffs_read(world, api, nurse_read):
    mas = world.users["mas_a"]
    client = api(mas)
    listed = client.get(LIST, {"unreviewed": "true"})
    assert listed.status_code == 200, listed.content
    rows = {row["id"]: row for row in listed.json()["results"]}
    assert nurse_read.pk in rows
    row = rows[nurse_read.pk]
    assert (row["reviewed"], row["patient"]) == (False, str(nurse_read.patient.public_id))
    # Listing is a read of log data about the patients shown, logged as the page logs it.
    assert AccessLogEntry.objects.filter(
        user=mas, action=Action.LIST, record_type=RECORD_LOG_ENTRY, patient=nurse_read.patient
    ).exists()

    marked = client.post(mark(nurse_read.pk), {"note": "Vårdrelation finns.", "at": row["at"]}, format="json")
    assert marked.status_code == 201, marked.content
    assert marked.json()["entry"] == nurse_read.pk
    review = AccessLogReview.objects.get(entry_id=nurse_read.pk)
    assert (review.kommun, review.reviewer, review.note) == (
        world.orgs["kommun_a"],
        mas,
        "Vårdrelation finns.",
    )
    # Reviews are append-only: a second mark is refused, and the first stays as it was.
    again = client.post(mark(nurse_read.pk), {"note": "Igen."}, format="json")
    assert again.status_code == 400
    assert "note" in again.json()["error"]["fields"]
    assert AccessLogReview.objects.get(entry_id=nurse_read.pk).note == "Vårdrelation finns."
    # The entry no longer shows among the unreviewed, and shows as reviewed otherwise.
    assert nurse_read.pk not in {r["id"] for r in client.get(LIST, {"unreviewed": "true"}).json()["results"]}
    assert {r["id"]: r["reviewed"] for r in client.get(LIST).json()["results"]}[nurse_read.pk] is True


def test_the_region_reviewer_cannot_see_a_kommun_staff_entry(world, api, nurse_read, region_reviewer):
    client = api(region_reviewer)
    listed = client.get(LIST)
    assert listed.status_code == 200
    assert nurse_read.pk not in {row["id"] for row in listed.json()["results"]}
    answer = client.post(mark(nurse_read.pk), {"note": "Granskad."}, format="json")
    assert answer.status_code == 404
    assert "error" in answer.json()
    # Nor the kommun's log as a provider of theirs.
    kommun = world.orgs["kommun_a"].public_id
    assert client.get(LIST, {"provider": str(kommun)}).status_code == 404
    assert not AccessLogReview.objects.exists()


@pytest.mark.parametrize("user", ["nurse_a", "gp_a", "governance"])
def test_someone_who_reviews_no_log_is_refused(world, api, nurse_read, user):
    client = api(world.users[user])
    assert client.get(LIST).status_code == 403
    answer = client.post(mark(nurse_read.pk), {"note": "Granskad."}, format="json")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "permission_denied"
    assert not AccessLogReview.objects.exists()


def test_the_note_is_required_and_bounded(world, api, nurse_read):
    client = api(world.users["mas_a"])
    for note in ("", "  ", "x" * 10_001):
        answer = client.post(mark(nurse_read.pk), {"note": note}, format="json")
        assert answer.status_code == 400, note[:5]
        assert set(answer.json()["error"]["fields"]) == {"note"}
    assert not AccessLogReview.objects.exists()


def test_an_entry_time_of_another_day_finds_no_entry(world, api, nurse_read):
    """The ``at`` narrows the lookup to the entry's day, as the page's hidden field does."""
    client = api(world.users["mas_a"])
    other_day = (nurse_read.at - timezone.timedelta(days=3)).isoformat()
    answer = client.post(mark(nurse_read.pk), {"note": "Granskad.", "at": other_day}, format="json")
    assert answer.status_code == 404
    assert client.post(mark(10**20), {"note": "Granskad."}, format="json").status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"from": "2026-01-01", "to": "2026-12-31"}, "from"),
        ({"from": "2026-13-01"}, "from"),
        ({"flag": "odd"}, "flag"),
        ({"action": "delete"}, "action"),
        ({"unreviewed": "maybe"}, "unreviewed"),
        ({"patient": "nobody"}, "patient"),
        ({"user": "x" * 201}, "user"),
        ({"record_type": "x" * 33}, "record_type"),
    ],
)
def test_a_bad_filter_is_refused_naming_it(world, api, query, field):
    answer = api(world.users["mas_a"]).get(LIST, query)
    assert answer.status_code == 400, answer.content
    assert field in answer.json()["error"]["fields"]
