"""The inbox page: a person's own notices, newest first, each with its case and due date; mark one or all
read (POST only, with CSRF); the e-mail choice; the header count on every page; a notice about a case
the person can no longer see; Swedish throughout; a bounded page for a person with thousands of notices.

Through the pages with Django's test client; the notices are written by the real steps (``drive``).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone, translation

from cases.models import EmailChoice, Notification, NotificationKind, NotificationPreference
from directory.models import Membership, Role
from tests.fixtures.agreements import WOUND
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db

ROW = re.compile(r"<tr[^>]*>\s*<td><time", re.S)


def _badge(page: str) -> int:
    """The unread count in the header's "Inkorg" link (0 when the badge is absent)."""
    link = re.search(r'<a href="/inbox/"[^>]*>(.*?)</a>', page, re.S)
    assert link is not None, "no inbox link in the header"
    count = re.search(r'class="badge badge-note">(\d+)<', link.group(1))
    return int(count.group(1)) if count else 0


def _rows(page: str) -> int:
    return len(ROW.findall(page))


def _submitted(drive: Any, *tasks: str) -> Any:
    return drive.submit(drive.open(tasks=tasks or (WOUND,)))


def test_lists_own_notices_newest_first_with_case_link_and_stockholm_due_date(world, drive):
    first = _submitted(drive, WOUND)
    second = _submitted(drive, WOUND)
    gp = world.users["gp_a"]
    older, newer = (
        Notification.objects.get(user=gp, case=first),
        Notification.objects.get(user=gp, case=second),
    )
    # Due at 23:30 UTC on 10 March is 00:30 on 11 March in Stockholm: the date people read is the 11th.
    due = datetime.datetime(2026, 3, 10, 23, 30, tzinfo=datetime.UTC)
    Notification.objects.filter(pk=newer.pk).update(due_at=due)

    page = signed_in(gp).get("/inbox/").content.decode()

    assert page.index(f"/inbox/{newer.public_id}/read/") < page.index(f"/inbox/{older.public_id}/read/")
    # As every deadline in the product reads: the day in Stockholm, and the time when it is not a whole day.
    assert "11 mar 00:30" in page
    assert 'datetime="2026-03-11T00:30:00+01:00"' in page
    assert "2026-03-10" not in page
    assert str(older.public_id) in page
    assert str(newer.public_id) in page


def test_never_lists_or_marks_another_persons_notice(world, drive):
    case = _submitted(drive)
    notice = Notification.objects.get(user=world.users["gp_a"], case=case)
    other = signed_in(world.users["gp_b"])

    page = other.get("/inbox/").content.decode()
    assert str(notice.public_id) not in page
    assert str(case.public_id) not in page

    assert other.post(f"/inbox/{notice.public_id}/read/").status_code == 404
    other.post("/inbox/read-all/")
    notice.refresh_from_db()
    assert notice.read_at is None


def test_mark_one_and_all_read_only_by_post_with_csrf(world, drive):
    _submitted(drive, WOUND)
    _submitted(drive, WOUND)
    gp = world.users["gp_a"]
    one, two = Notification.objects.filter(user=gp).order_by("pk")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(gp)

    assert browser.get(f"/inbox/{one.public_id}/read/").status_code == 405
    assert browser.get("/inbox/read-all/").status_code == 405
    assert browser.post(f"/inbox/{one.public_id}/read/").status_code == 403  # no CSRF token
    assert browser.post("/inbox/read-all/").status_code == 403
    assert Notification.objects.filter(user=gp, read_at__isnull=False).count() == 0

    page = browser.get("/inbox/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None
    done = browser.post(f"/inbox/{one.public_id}/read/", {"csrfmiddlewaretoken": token.group(1)}, follow=True)
    assert "Notisen är markerad som läst." in done.content.decode()
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.read_at is not None
    assert two.read_at is None

    done = browser.post("/inbox/read-all/", {"csrfmiddlewaretoken": token.group(1)}, follow=True)
    assert "1 notis har markerats som läst." in done.content.decode()
    two.refresh_from_db()
    assert two.read_at is not None


def test_email_choice_is_saved_and_shown(world):
    nurse = world.users["nurse_a"]
    browser = signed_in(nurse)

    page = browser.get("/inbox/").content.decode()
    assert re.search(r'value="immediate" checked', page)

    browser.post("/inbox/email/", {"email": EmailChoice.DIGEST})
    assert NotificationPreference.objects.get(user=nurse).email == EmailChoice.DIGEST
    page = browser.get("/inbox/").content.decode()
    assert re.search(r'value="digest" checked', page)
    assert not re.search(r'value="immediate" checked', page)

    refused = browser.post("/inbox/email/", {"email": "weekly"}, follow=True).content.decode()
    assert "Välj direkt eller en daglig sammanfattning." in refused
    assert NotificationPreference.objects.get(user=nurse).email == EmailChoice.DIGEST


def test_header_count_on_every_page_is_the_unread_count_and_drops_after_reading(world, drive):
    _submitted(drive, WOUND)
    case = _submitted(drive, WOUND)
    gp = world.users["gp_a"]
    browser = signed_in(gp)
    unread = Notification.objects.filter(user=gp, read_at__isnull=True)
    assert unread.count() == 2

    for path in ("/", "/inbox/", "/patients/", f"/cases/{case.public_id}/"):
        response = browser.get(path)
        assert response.status_code == 200, path
        assert _badge(response.content.decode()) == 2, path

    browser.post(f"/inbox/{unread.first().public_id}/read/")
    assert _badge(browser.get("/").content.decode()) == 1
    browser.post("/inbox/read-all/")
    assert _badge(browser.get("/patients/").content.decode()) == 0


def test_a_notice_about_a_case_no_longer_visible_shows_and_the_case_answers_404(world, drive):
    """The GP moves from vårdcentral A to B: their notice about A's case stays theirs (they were told),
    the inbox still lists it, and the case page answers 404 rather than an error."""
    case = _submitted(drive)
    gp = world.users["gp_a"]
    Membership.objects.filter(user=gp).update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    Membership.objects.create(
        user=gp, organisation=world.orgs["vc_b"], role=Role.GP, valid_from=timezone.localdate()
    )
    browser = signed_in(gp, Membership.objects.get(user=gp, organisation=world.orgs["vc_b"]))

    notice = Notification.objects.get(user=gp, case=case)
    assert browser.get("/inbox/").status_code == 200
    opened = browser.post(f"/inbox/{notice.public_id}/read/", {"open": "1"})
    assert opened["Location"] == f"/cases/{case.public_id}/"
    assert browser.get(opened["Location"]).status_code == 404
    inbox = browser.get("/inbox/")
    assert inbox.status_code == 200
    assert f'href="/cases/{case.public_id}/"' in inbox.content.decode()


def test_opening_the_case_of_an_unread_notice_marks_it_read(world, drive):
    case = _submitted(drive)
    gp = world.users["gp_a"]
    notice = Notification.objects.get(user=gp, case=case)
    browser = signed_in(gp)
    assert _badge(browser.get("/inbox/").content.decode()) == 1

    opened = browser.post(f"/inbox/{notice.public_id}/read/", {"open": "1"}, follow=True)

    assert opened.redirect_chain == [(f"/cases/{case.public_id}/", 302)]
    assert opened.status_code == 200
    assert _badge(opened.content.decode()) == 0
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_the_inbox_is_swedish_even_when_the_step_was_taken_in_english(world, drive):
    case = drive.open(tasks=(WOUND,))
    with translation.override("en"):
        drive.submit(case)
    notice = Notification.objects.get(user=world.users["gp_a"], case=case)
    assert notice.message.startswith("Granska")

    page = signed_in(world.users["gp_a"]).get("/inbox/").content.decode()
    for swedish in (
        "Inkorg",
        "Mina notiser, nyaste först",
        "Granskning begärd",
        "Din tur",
        "Öppna ärende HSV-",
    ):
        assert swedish in page, swedish
    for english in ("Inbox", "Mark as read", "Review requested", "Open the case", "Review the proposed"):
        assert english not in page, english


def test_a_person_with_5000_notices_gets_one_bounded_page(world, drive, django_assert_max_num_queries):
    case = _submitted(drive)
    gp = world.users["gp_a"]
    Notification.objects.bulk_create(
        Notification(
            user=gp,
            case=case,
            kind=NotificationKind.DEADLINE_PASSED,
            deadline_key=f"bulk:{i}",
            message="Tidsfristen har passerat.",
        )
        for i in range(5000)
    )
    browser = signed_in(gp)

    with django_assert_max_num_queries(40):
        first = browser.get("/inbox/")
    page = first.content.decode()
    assert 0 < _rows(page) <= 50
    assert 'href="?page=2"' in page
    assert _badge(page) == 5001

    last = browser.get("/inbox/?page=9999").content.decode()
    assert 0 < _rows(last) <= 50
    assert browser.get("/inbox/?page=abc").status_code == 200


def test_each_notice_in_the_inbox_says_which_case(world, drive):
    """Notices of the same kind do not read alike: each row names its case by number, and its button
    or link says which case it opens."""
    first = _submitted(drive, WOUND)
    second = _submitted(drive, WOUND)
    gp = world.users["gp_a"]
    Notification.objects.filter(user=gp, case=first).update(read_at=timezone.now())
    page = signed_in(gp).get("/inbox/").content.decode()
    rows = re.findall(r"<tr[^>]*>\s*<td><time.*?</tr>", page, re.S)
    assert len(rows) == 2
    for case in (first, second):
        (row,) = [r for r in rows if case.number in r]
        assert f"Öppna ärende {case.number}" in row
