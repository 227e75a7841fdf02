"""A question to the vårdcentral with a day to answer by, in the browser.

Kommun A's nurse writes to vårdcentral A from the case page ("Meddelanden"), first without a text (the
page keeps the party and the day she chose, and says what is missing), then with it; the banner says who
is told and by when they answer. Vårdcentral A's GP finds the message under "Waiting for me" on My work
with its answer-by day, opens it and answers. The nurse is told in her inbox, follows the notification to
the case and reads the answer in the thread. Screenshots of each step go to ``test-artifacts/``.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import formats, timezone, translation

from cases.models import Notification, NotificationKind, ResponsibilityCase
from messaging.models import CaseMessage, MessageStatus
from tests.browser.conftest import screenshot
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.cases import CaseDriver
from tests.fixtures.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "Fråga till vårdcentralen: kan ni ta över insulinordinationen?"
ANSWER = "Ja, vi tar över ordinationen från måndag. Doktor Ek ringer er på fredag."


def _click(page: Any, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()
    page.wait_for_load_state()


def test_the_nurse_asks_the_vardcentral_and_the_gp_answers_from_my_work(
    live_server: Any, world: World, drive: CaseDriver, as_user: Any
) -> None:
    case: ResponsibilityCase = drive.submit(drive.open(tasks=(PD, WOUND)))
    day = timezone.localdate() + datetime.timedelta(days=5)
    with translation.override("sv"):
        day_text = formats.date_format(day, "j F Y")

    nurse = as_user("nurse.a")
    nurse.goto(f"{live_server.url}/cases/{case.public_id}/#meddelanden")
    section = nurse.locator("#meddelanden")
    assert "Inga meddelanden ännu." in section.inner_text()
    nurse.select_option("#id_message-to", label="Vårdcentralen A")
    nurse.fill("#id_message-reply_by", day.isoformat())
    # Sent without a text: nothing is sent, and what she chose is kept.
    _click(nurse, "#message-new button[type=submit]")
    assert "Skriv meddelandet." in nurse.locator("main").inner_text()
    assert nurse.locator("#id_message-reply_by").input_value() == day.isoformat()
    assert nurse.locator("#id_message-to option:checked").inner_text() == "Vårdcentralen A"
    assert not CaseMessage.objects.exists()
    screenshot(nurse, "messages-1-nurse-form-kept")
    nurse.fill("#id_message-body", QUESTION)
    _click(nurse, "main form button[type=submit]")
    banner = nurse.locator("main").inner_text()
    assert f"Vårdcentralen A får en avisering. Svar senast {day_text}." in banner
    message = CaseMessage.objects.get()
    assert message.reply_by == day
    assert message.addressed_organisation == world.orgs["vc_a"]
    assert QUESTION in nurse.locator(f"#message-{message.public_id}").inner_text()
    screenshot(nurse, "messages-2-nurse-sent")

    gp = as_user("gp.a")
    waiting = gp.locator(".waiting-messages")
    assert case.number in waiting.inner_text()
    assert day_text in waiting.inner_text()
    assert "A kommun" in waiting.inner_text()
    screenshot(gp, "messages-3-gp-my-work")
    _click(gp, f".waiting-messages a[href$='#message-{message.public_id}']")
    thread = gp.locator(f"#message-{message.public_id}")
    assert QUESTION in thread.inner_text()
    assert f"Svar senast {day_text}" in thread.inner_text()
    gp.fill(f"#id_reply-{message.public_id}-body", ANSWER)
    _click(gp, f"#message-{message.public_id} .reply-form button[type=submit]")
    assert "Ditt svar är skickat. A kommun får en avisering." in gp.locator("main").inner_text()
    message.refresh_from_db()
    assert message.status == MessageStatus.ANSWERED
    gp.goto(f"{live_server.url}/")
    assert "Inget meddelande väntar på ert svar." in gp.locator(".waiting-messages").inner_text()

    notice = Notification.objects.get(user=world.users["nurse_a"], kind=NotificationKind.MESSAGE_ANSWERED)
    assert QUESTION not in notice.message
    assert ANSWER not in notice.message
    _click(nurse, "header a[href='/inbox/']")
    assert "Meddelande besvarat" in nurse.locator("main").inner_text()
    screenshot(nurse, "messages-4-nurse-inbox")
    _click(nurse, f"form[action='/inbox/{notice.public_id}/read/'] button[name=open]")
    thread = nurse.locator(f"#message-{message.public_id}")
    assert ANSWER in thread.inner_text()
    assert "Besvarat" in thread.inner_text()
    screenshot(nurse, "messages-5-nurse-reads-the-answer")
    # She closes it: it waits for nobody.
    _click(nurse, f"#message-{message.public_id} form[action$='/close/'] button")
    assert "Meddelandet är avslutat" in nurse.locator("main").inner_text()
    message.refresh_from_db()
    assert message.status == MessageStatus.CLOSED
