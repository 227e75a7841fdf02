"""My work: what waits for the person apart from their patients' running cases (the badge counts only
the first), filters and sort, kept per person across sessions; and the case search of coordinators, MAS
and MAR, found through the case rule and logged."""

from __future__ import annotations

import re

import pytest

from audit.models import AccessLogEntry
from audit.records import RECORD_CASE
from cases.models import CaseStatus
from cases.selectors import work_counts
from portal.models import WorkListChoice
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.clients import signed_in
from tests.fixtures.world import as_actor

pytestmark = pytest.mark.django_db


def sections(page: str) -> tuple[str, str]:
    """The "Waiting for me" part of My work and the "My patients" part."""
    waiting = page.split('id="waiting-heading"')[1].split('id="mine-heading"')[0]
    mine = page.split('id="mine-heading"')[1].split('id="notifications-heading"')[0]
    return waiting, mine


def case_ids(html: str) -> list[str]:
    return re.findall(r'href="/cases/([0-9a-f-]{36})/"', html)


def test_running_care_is_under_my_patients_and_not_on_the_badge(world, halland, case_in):
    active = case_in(CaseStatus.ACTIVE)
    agreed = case_in(CaseStatus.AGREED)
    follow_up = case_in(CaseStatus.FOLLOW_UP)
    page = signed_in(world.users["nurse_a"]).get("/").content.decode()
    waiting, mine = sections(page)
    assert str(active.public_id) not in waiting
    assert str(active.public_id) in mine
    # Agreed care waits for its start, and a follow-up that has begun waits to be done.
    assert {str(agreed.public_id), str(follow_up.public_id)} <= set(case_ids(waiting))
    assert str(agreed.public_id) not in mine
    # The badge: only what waits.
    counts = work_counts(actor=as_actor(world, "nurse_a"))
    assert counts.waiting == 2
    for _ in range(3):
        case_in(CaseStatus.ACTIVE)
    assert work_counts(actor=as_actor(world, "nurse_a")).waiting == 2
    badge = re.search(
        r'<span class="badge">(\d+)<', signed_in(world.users["nurse_a"]).get("/").content.decode()
    )
    assert badge is not None
    assert badge.group(1) == "2"
    # Every case shown in either part is logged as listed.
    assert AccessLogEntry.objects.filter(
        action="list", record_id=str(active.public_id), user=world.users["nurse_a"]
    ).exists()


def test_filters_and_sort_are_kept_for_the_person_across_sessions(world, halland, drive, case_in):
    routine = case_in(CaseStatus.IN_REVIEW)
    urgent = drive.submit(drive.open(urgency="urgent", tasks=(WOUND,)))
    client = signed_in(world.users["gp_a"])
    waiting, _mine = sections(client.get("/").content.decode())
    assert set(case_ids(waiting)) == {str(routine.public_id), str(urgent.public_id)}

    response = client.post("/my-work/filters/", {"urgent": "on", "sort": "newest"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    waiting, _mine = sections(page)
    assert case_ids(waiting) == [str(urgent.public_id)]
    assert "Listorna är filtrerade" in page
    assert '<option value="newest" selected>' in page

    # A new session (after logging out) opens My work as the person left it.
    client.post("/accounts/logout/")
    again = signed_in(world.users["gp_a"]).get("/").content.decode()
    assert case_ids(sections(again)[0]) == [str(urgent.public_id)]
    # Someone else's My work is not affected.
    other = WorkListChoice.objects.filter(user=world.users["gp_b"])
    assert not other.exists()

    # Status and organisation narrow too; "show everything" forgets the choice.
    client = signed_in(world.users["gp_a"])
    client.post(
        "/my-work/filters/", {"status": "in_review", "organisation": str(world.orgs["kommun_b"].public_id)}
    )
    assert case_ids(sections(client.get("/").content.decode())[0]) == []
    client.post("/my-work/filters/", {"organisation": str(world.orgs["kommun_a"].public_id)})
    assert len(case_ids(sections(client.get("/").content.decode())[0])) == 2
    response = client.post("/my-work/filters/", {"reset": "1"})
    assert response.status_code == 302
    assert not WorkListChoice.objects.filter(user=world.users["gp_a"]).exists()
    # The badge never depends on the filters.
    assert work_counts(actor=as_actor(world, "gp_a")).waiting == 2


def test_sort_by_urgency_puts_urgent_first(world, halland, drive, case_in):
    routine = case_in(CaseStatus.IN_REVIEW)
    urgent = drive.submit(drive.open(urgency="urgent", tasks=(PD,)))
    client = signed_in(world.users["gp_a"])
    client.post("/my-work/filters/", {"sort": "urgent"})
    assert case_ids(sections(client.get("/").content.decode())[0]) == [
        str(urgent.public_id),
        str(routine.public_id),
    ]


def test_an_invalid_filter_is_a_swedish_error_and_nothing_is_kept(world, halland):
    client = signed_in(world.users["nurse_a"])
    response = client.post("/my-work/filters/", {"status": "nonsense", "sort": "sideways"})
    assert response.status_code == 400
    assert "Välj ett giltigt alternativ" in response.content.decode()
    assert not WorkListChoice.objects.exists()
    assert client.get("/my-work/filters/").status_code == 405


# --- The case search ---------------------------------------------------------------------------------


def search(client, **params):
    return client.get("/cases/search/", params)


def test_case_search_finds_by_number_name_and_personnummer_and_logs(world, halland, case_in):
    patient = world.patient(given_name="Märta", family_name="Öberg")
    case = case_in(CaseStatus.IN_REVIEW, patient=patient)
    other = case_in(CaseStatus.ACTIVE)
    client = signed_in(world.users["coordinator_a"])
    # Coordinators see the patient of an open case, but a patient without skyddad identitet by name.
    sequence = case.number.rsplit("-", 1)[1].lstrip("0")
    year = case.number.split("-")[1]
    by_number = (case.number, case.number.lower(), sequence, f"{year}-{sequence}")
    for typed in (str(case.public_id)[:8], "marta", "ÖBERG", patient.formatted_identity, case.number):
        page = search(client, q=typed).content.decode()
        assert case_ids(page) == [str(case.public_id)], typed
    for typed in by_number[1:]:
        # A short number may also be part of another patient's personnummer: the case is among those found.
        assert str(case.public_id) in case_ids(search(client, q=typed).content.decode()), typed
    assert case_ids(search(client, q=f"{int(year) - 1}-{sequence}").content.decode()) == []
    assert case_ids(search(client, status="active").content.decode()) == [str(other.public_id)]
    assert set(case_ids(search(client, task=PD).content.decode())) == {
        str(case.public_id),
        str(other.public_id),
    }
    assert case_ids(search(client, organisation=str(world.orgs["kommun_b"].public_id)).content.decode()) == []
    assert (
        AccessLogEntry.objects.filter(
            action="list",
            record_type=RECORD_CASE,
            record_id=str(case.public_id),
            user=world.users["coordinator_a"],
        ).count()
        == 9
    )


def test_case_search_keeps_to_the_case_rule_and_the_mask(world, halland, case_in):
    hidden = world.patient(protected=True, given_name="Märta", family_name="Hemlig")
    case = case_in(CaseStatus.IN_REVIEW, patient=hidden)
    coordinator = signed_in(world.users["coordinator_a"])
    for typed in ("marta", "Hemlig", hidden.formatted_identity):
        assert case_ids(search(coordinator, q=typed).content.decode()) == [], typed
    # Found by the case number, shown masked.
    page = search(coordinator, q=str(case.public_id)[:8]).content.decode()
    assert case_ids(page) == [str(case.public_id)]
    assert "Hemlig" not in page
    assert "Skyddad identitet" in page
    # Another kommun's MAS finds nothing of kommun A's.
    assert case_ids(search(signed_in(world.users["mas_b"]), q=str(case.public_id)[:8]).content.decode()) == []
    # A role that does not search all cases is refused.
    assert search(signed_in(world.users["nurse_a"]), q="x").status_code == 403
    assert search(signed_in(world.users["mas_a"]), q="marta").status_code == 200
    assert search(coordinator, status="bogus").status_code == 400


def test_a_log_reviewer_starts_at_the_review_and_is_not_offered_the_patient_register(world):
    from directory.models import Role
    from tests.fixtures.world import make_user

    reviewer = make_user("log_reviewer.region", (world.orgs["region"], Role.LOG_REVIEWER))
    page = signed_in(reviewer).get("/").content.decode()
    main = page.split("<main", 1)[1]
    assert 'href="/access-log/"' in main  # her work is the review
    assert "biståndshandläggare" not in main  # not the text for someone who works on plans
    assert 'href="/patients/"' not in page  # she reaches no patient: no link to a list that is always empty
    nurse = signed_in(world.users["nurse_a"]).get("/").content.decode()
    assert 'href="/patients/"' in nurse
    assert "Granska åtkomstloggen" not in nurse.split("<main", 1)[1]


# --- Notifications on My work -------------------------------------------------------------------------


def test_each_notification_on_my_work_says_which_case(world, halland, drive):
    """Twenty notices of the same kind must not read alike: each names its case by number (the notice's
    text names it by its tasks) and its link says which case it opens."""
    first = drive.submit(drive.open(tasks=(WOUND,)))
    second = drive.submit(drive.open(tasks=(WOUND,)))
    page = signed_in(world.users["gp_a"]).get("/").content.decode()
    notices = page.split('id="notifications-heading"')[1]
    items = re.findall(r"<li>.*?</li>", notices, re.S)
    assert len(items) == 2
    for case in (first, second):
        (item,) = [i for i in items if f"/cases/{case.public_id}/" in i]
        assert case.number in item
        assert f"Öppna ärende {case.number}" in item
    # The notices' own texts (which name the tasks, never the patient) are shown too.
    assert first.patient.family_name not in notices
