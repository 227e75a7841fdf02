"""The case page's "Meddelanden" section and its forms, as a person in the browser sends them: what the
page says, what it keeps when the input is refused, and what it logs."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from audit.records import RECORD_CASE_MESSAGE
from cases.models import CaseStatus
from cases.selectors import case_get
from messaging import services
from messaging.models import CaseMessage, MessageReply
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.clients import signed_in
from tests.fixtures.world import as_actor

pytestmark = pytest.mark.django_db

TEXT = "Kan ni ta över insulinordinationen efter utskrivningen?"


def _message(world, case, **more):
    nurse = as_actor(world, "nurse_a")
    return services.message_send(
        actor=nurse,
        case=case_get(actor=nurse, public_id=case.public_id),
        to=world.orgs["vc_a"].public_id,
        body=TEXT,
        reply_by=more.get("reply_by", timezone.localdate() + datetime.timedelta(days=4)),
    )


def test_the_case_page_shows_the_thread_says_what_happens_next_and_logs_each_message(world, drive):
    case = drive.submit(drive.open(tasks=(PD, WOUND)))
    message = _message(world, case, reply_by=timezone.localdate() + datetime.timedelta(days=4))
    before = AccessLogEntry.objects.filter(record_type=RECORD_CASE_MESSAGE).count()
    html = signed_in(world.users["gp_a"]).get(f"/cases/{case.public_id}/").content.decode()
    assert 'Meddelanden <span class="count">(1)</span>' in html
    assert "Från A kommun till Vårdcentralen A" in html
    assert TEXT in html
    assert "Väntar på svar" in html
    assert "Svar senast" in html
    assert "Skicka svaret" in html
    # The GP may write to the other parties, but closes only what her own organisation sent.
    assert "Skriv till en part i ärendet" in html
    assert f"/messages/{message.public_id}/close/" not in html
    assert "Parten du väljer får en avisering" in html
    logged = AccessLogEntry.objects.filter(record_type=RECORD_CASE_MESSAGE).order_by("pk")[before:]
    assert [(e.record_id, e.action, e.user_id) for e in logged] == [
        (str(message.public_id), "read", world.users["gp_a"].pk)
    ]


def test_a_joint_body_reads_the_messages_but_gets_no_form(world, drive):
    case = drive.to(CaseStatus.ESCALATED)
    _message(world, case)
    html = signed_in(world.users["governance_lokal"]).get(f"/cases/{case.public_id}/").content.decode()
    assert TEXT in html
    assert "Skicka svaret" not in html
    assert "Skriv till en part i ärendet" not in html


def test_a_refused_message_keeps_what_was_typed(world, drive):
    case = drive.submit(drive.open())
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page = signed_in(world.users["nurse_a"]).post(
        f"/messages/cases/{case.public_id}/new/",
        {
            "message-to": str(world.orgs["vc_a"].public_id),
            "message-reply_by": yesterday.isoformat(),
            "message-body": TEXT,
        },
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert "Välj i dag eller en senare dag." in html
    assert TEXT in html
    assert f'value="{yesterday.isoformat()}"' in html
    assert f'<option value="{world.orgs["vc_a"].public_id}" selected>' in html
    assert not CaseMessage.objects.exists()


def test_a_reply_written_on_an_old_version_is_kept_and_not_sent(world, drive):
    case = drive.submit(drive.open())
    message = _message(world, case)
    gp = signed_in(world.users["gp_a"])
    read_version = message.version
    services.message_reply(
        actor=as_actor(world, "nurse_a"), message=message, expected_version=None, body="Det brådskar."
    )
    prefix = f"reply-{message.public_id}"
    page = gp.post(
        f"/messages/{message.public_id}/reply/",
        {f"{prefix}-version": str(read_version), f"{prefix}-body": "Ja, vi tar över."},
    )
    html = page.content.decode()
    assert page.status_code == 409
    assert "Ja, vi tar över." in html
    assert "Det brådskar." in html  # what was added meanwhile is shown
    assert "Någon annan skrev i tråden" in html
    assert MessageReply.objects.count() == 1
    # Sent again as it stands, it goes through.
    again = gp.post(
        f"/messages/{message.public_id}/reply/",
        {f"{prefix}-version": str(read_version + 1), f"{prefix}-body": "Ja, vi tar över."},
    )
    assert again.status_code == 302
    assert MessageReply.objects.count() == 2


def test_a_message_too_long_and_due_yesterday_is_told_both_at_once(world, drive):
    case = drive.submit(drive.open())
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    page = signed_in(world.users["nurse_a"]).post(
        f"/messages/cases/{case.public_id}/new/",
        {
            "message-to": str(world.orgs["vc_a"].public_id),
            "message-reply_by": yesterday.isoformat(),
            "message-body": "x" * 4600,
        },
    )
    html = page.content.decode()
    assert page.status_code == 400
    assert "Välj i dag eller en senare dag." in html
    # Django's own message, in the project's Swedish.
    assert "Texten får vara högst 4000 tecken (den är 4600 tecken)." in html
    assert "Säkerställ" not in html
    assert not CaseMessage.objects.exists()


def test_line_breaks_count_as_the_browser_counts_them(world, drive):
    """The textarea's maxlength is the server's limit, and the browser counts a line break as one
    character though it sends CR LF: a text the browser lets through is not refused as too long."""
    case = drive.submit(drive.open())
    client = signed_in(world.users["nurse_a"])
    html = client.get(f"/cases/{case.public_id}/").content.decode()
    assert 'name="message-body" cols="40" rows="5" maxlength="4000"' in html
    body = "\r\n".join(["y" * 99] * 40)  # 3,999 characters as the browser counts them; 4,038 as sent
    response = client.post(
        f"/messages/cases/{case.public_id}/new/",
        {"message-to": str(world.orgs["vc_a"].public_id), "message-body": body},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CaseMessage.objects.get().body == body.replace("\r\n", "\n")


def _work_badge(page: str) -> int:
    """The count on the header's "Mitt arbete" link (0 when the badge is absent)."""
    import re

    link = re.search(r'<a href="/"[^>]*>(.*?)</a>', page, re.S)
    assert link is not None
    count = re.search(r'<span class="badge">(\d+)<', link.group(1))
    return int(count.group(1)) if count else 0


def test_a_message_waiting_for_my_answer_is_counted_on_my_work(world, drive):
    """My work lists the messages the person's organisation is to answer under "Waiting for me": the
    badge counts them with the cases, until they are answered."""
    case = drive.submit(drive.open())
    gp = signed_in(world.users["gp_a"])
    before = _work_badge(gp.get(f"/cases/{case.public_id}/").content.decode())
    message = _message(world, case)
    _message(world, case)
    assert _work_badge(gp.get(f"/cases/{case.public_id}/").content.decode()) == before + 2
    services.message_reply(
        actor=as_actor(world, "gp_a"), message=message, expected_version=None, body="Ja, vi tar över."
    )
    assert _work_badge(gp.get("/").content.decode()) == before + 1
    # The sender's side waits for nothing.
    nurse = signed_in(world.users["nurse_a"]).get("/").content.decode()
    assert _work_badge(nurse) == 0 or 'Meddelanden att besvara <span class="count">(0)' in nurse
