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
