"""Messages on a case to one party with a reply-by date: who is told what, the answer, the close, the
reminder once the day has passed, the bounds of the input, and who may see, write and close them.

Cases are driven through the services (``CaseDriver``); messages are written through
``messaging.services`` or the API, as a person would.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from audit.models import AccessLogEntry, Outcome
from audit.records import RECORD_CASE_MESSAGE
from cases.models import CaseStatus, Notification, NotificationKind, ResponsibilityCase
from cases.selectors import case_get
from directory.models import User
from hemsjukvard.errors import NotPermitted, StateConflictError
from messaging import selectors, services, tasks
from messaging.models import BODY_MAX_LENGTH, CaseMessage, MessageReply, MessageStatus
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.cases import CaseDriver
from tests.fixtures.world import World, as_actor

pytestmark = pytest.mark.django_db

K = NotificationKind
QUESTION = "Fråga till vårdcentralen: kan ni ta över insulinordinationen?"


def _submitted(drive: CaseDriver, **kwargs: Any) -> ResponsibilityCase:
    return drive.submit(drive.open(tasks=(PD, WOUND), **kwargs))


def _send(
    world: World,
    case: ResponsibilityCase,
    *,
    by: str = "nurse_a",
    to: str = "vc_a",
    days: int | None = 3,
    **more: Any,
) -> CaseMessage:
    actor = as_actor(world, by)
    today = timezone.localdate()
    return services.message_send(
        actor=actor,
        case=case_get(actor=actor, public_id=case.public_id),
        to=world.orgs[to].public_id,
        body=more.pop("body", QUESTION),
        reply_by=today + datetime.timedelta(days=days) if days is not None else None,
        **more,
    )


def _reply(world: World, message: CaseMessage, by: str, body: str = "Ja, vi tar över den.") -> MessageReply:
    return services.message_reply(
        actor=as_actor(world, by), message=message, expected_version=None, body=body
    )


def _told(kind: str, message: CaseMessage | None = None) -> dict[str, tuple[str, str, bool]]:
    """Who got a notification of ``kind``: username → (organisation, role, must act)."""
    found = Notification.objects.filter(kind=kind).select_related("user", "organisation")
    return {n.user.username: (n.organisation.name, n.role, n.acts) for n in found}


# --- Who gets what -----------------------------------------------------------------------------------


def test_a_message_tells_the_addressed_partys_people_who_act_on_the_case_and_nobody_else(world, drive):
    case = _submitted(drive)
    before = set(Notification.objects.values_list("pk", flat=True))
    message = _send(world, case, to="vc_a", days=3)
    new = Notification.objects.exclude(pk__in=before)
    assert {(n.user.username, n.kind, n.acts) for n in new} == {("gp.a", K.MESSAGE_RECEIVED, True)}
    [notice] = new
    assert notice.organisation == world.orgs["vc_a"]
    assert notice.role == "gp"
    # The deadline reads as the reply-by day, not the midnight after it.
    assert timezone.localtime(notice.due_at).date() == message.reply_by + datetime.timedelta(days=1)
    assert message.reply_by.isoformat() in notice.message
    assert case.number in notice.message
    assert "A kommun" in notice.message
    # To the kommun: its nurses; to the clinic: its specialists.
    gp_message = _send(world, case, by="gp_a", to="kommun_a", days=None)
    assert set(_told(K.MESSAGE_RECEIVED)) == {"gp.a", "nurse.a"}
    _send(world, case, by="nurse_a", to="clinic")
    assert "specialist" in _told(K.MESSAGE_RECEIVED)
    assert gp_message.status == MessageStatus.OPEN


def test_the_notice_and_its_email_carry_no_health_details_and_no_protected_name(
    world, drive, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=world.users["gp_a"].pk).update(email="gp.a@vc.example.se")
    patient = world.patient(protected=True, given_name="Hemlig", family_name="Person")
    case = _submitted(drive, patient=patient)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _send(world, case, body="Hemlig Person har fått högt blodsocker, kan ni ta över insulinet?")
    [email] = [m for m in mail.outbox if "gp.a@vc.example.se" in m.to]
    notice = Notification.objects.get(kind=K.MESSAGE_RECEIVED)
    for text in (email.subject, email.body, notice.message):
        assert "Hemlig" not in text
        assert "Person" not in text
        assert "blodsocker" not in text
        assert "insulin" not in text.lower()
        assert "Peritoneal" not in text
        assert "dialys" not in text.lower()
    assert case.number in email.body


def test_the_answer_tells_the_sender_ends_the_turn_and_leaves_my_work(world, drive):
    case = _submitted(drive)
    message = _send(world, case)
    gp = as_actor(world, "gp_a")
    assert [row.message.pk for row in selectors.messages_waiting_for(actor=gp)] == [message.pk]
    _reply(world, message, "gp_a")
    message.refresh_from_db()
    assert message.status == MessageStatus.ANSWERED
    assert message.answered_at is not None
    assert _told(K.MESSAGE_ANSWERED) == {"nurse.a": ("A kommun", "nurse", False)}
    assert Notification.objects.get(kind=K.MESSAGE_RECEIVED, user=world.users["gp_a"]).acts is False
    assert selectors.messages_waiting_for(actor=gp) == []


def test_a_reply_from_the_senders_side_is_no_answer_and_tells_the_addressed_party(world, drive):
    case = _submitted(drive)
    message = _send(world, case)
    Notification.objects.all().delete()
    _reply(world, message, "rehab_a", body="Tillägg: patienten skrivs ut på fredag.")
    message.refresh_from_db()
    assert message.status == MessageStatus.OPEN
    assert _told(K.MESSAGE_RECEIVED) == {"gp.a": ("Vårdcentralen A", "gp", True)}
    assert [row.message.pk for row in selectors.messages_waiting_for(actor=as_actor(world, "gp_a"))] == [
        message.pk
    ]


def test_the_reminder_goes_to_both_sides_once_when_the_day_has_passed_unanswered(world, drive):
    case = _submitted(drive)
    waiting = _send(world, case, days=1)
    answered = _send(world, case, days=1, body="En annan fråga.")
    _reply(world, answered, "gp_a")
    # Two days on: the answer-by day of both has passed.
    CaseMessage.objects.update(reply_by=timezone.localdate() - datetime.timedelta(days=1))
    assert services.overdue_message_ids(today=timezone.localdate()) == [waiting.pk]
    assert tasks.remind_overdue_messages() == 2
    assert tasks.remind_overdue_messages() == 0  # idempotent: once
    assert services.message_remind_if_overdue(message_id=waiting.pk, today=timezone.localdate()) == []
    told = _told(K.MESSAGE_OVERDUE)
    assert told == {"gp.a": ("Vårdcentralen A", "gp", True), "nurse.a": ("A kommun", "nurse", False)}
    assert Notification.objects.filter(kind=K.MESSAGE_OVERDUE).count() == 2
    row = selectors.messages_waiting_for(actor=as_actor(world, "gp_a"))[0]
    assert row.message.pk == waiting.pk
    assert row.overdue


def test_a_message_not_yet_due_is_not_reminded(world, drive):
    case = _submitted(drive)
    _send(world, case, days=0)  # today is the last day: not passed yet
    _send(world, case, days=None)  # no day at all
    assert tasks.remind_overdue_messages() == 0
    assert not Notification.objects.filter(kind=K.MESSAGE_OVERDUE).exists()


# --- Close ---------------------------------------------------------------------------------------------


def test_the_senders_organisation_closes_the_message_and_then_it_takes_no_reply(world, drive):
    case = _submitted(drive)
    message = _send(world, case)
    with pytest.raises(NotPermitted):
        services.message_close(actor=as_actor(world, "gp_a"), message=message, expected_version=None)
    # A colleague of the sender closes it for her.
    services.message_close(actor=as_actor(world, "coordinator_a"), message=message, expected_version=None)
    message.refresh_from_db()
    assert message.status == MessageStatus.CLOSED
    assert message.closed_by == world.users["coordinator_a"]
    assert Notification.objects.filter(kind=K.MESSAGE_RECEIVED, acts=True).count() == 0
    assert selectors.messages_waiting_for(actor=as_actor(world, "gp_a")) == []
    with pytest.raises(StateConflictError):
        _reply(world, message, "gp_a")
    with pytest.raises(StateConflictError):
        services.message_close(actor=as_actor(world, "nurse_a"), message=message, expected_version=None)
    assert not MessageReply.objects.exists()


# --- Bounds --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "change"),
    [
        ("body", {"body": "   "}),
        ("body", {"body": "x" * (BODY_MAX_LENGTH + 1)}),
        ("reply_by", {"days": -1}),
        ("reply_by", {"days": 61}),
        ("to", {"to": "kommun_a"}),  # her own organisation
        ("to", {"to": "kommun_b"}),  # no party of the case
        ("to", {"to": "body"}),  # a joint body asks, it is not asked
    ],
)
def test_input_out_of_bounds_is_a_field_error_and_writes_nothing(world, drive, field, change):
    case = _submitted(drive)
    notices = Notification.objects.count()
    with pytest.raises(ValidationError) as refused:
        _send(world, case, **change)
    assert field in refused.value.message_dict
    assert not CaseMessage.objects.exists()
    assert Notification.objects.count() == notices


def test_the_furthest_day_and_a_task_of_the_case_are_taken_but_another_cases_task_is_not(world, drive):
    case = _submitted(drive)
    task = case.tasks.get(task_type__code=WOUND)
    message = _send(world, case, days=60, task=task.public_id)
    assert message.task == task
    other = _submitted(drive)
    with pytest.raises(ValidationError) as refused:
        _send(world, case, task=other.tasks.first().public_id)
    assert "task" in refused.value.message_dict


def test_no_message_on_a_draft_or_a_closed_case(world, drive):
    draft = drive.open()
    with pytest.raises(StateConflictError):
        _send(world, draft)
    closed = drive.move(drive.to(CaseStatus.FOLLOW_UP), "close")
    assert closed.status == CaseStatus.CLOSED
    with pytest.raises(StateConflictError):
        _send(world, closed)
    assert not CaseMessage.objects.exists()


def test_a_joint_body_reads_but_does_not_write(world, drive):
    case = drive.to(CaseStatus.ESCALATED)
    message = _send(world, case)
    governance = as_actor(world, "governance_lokal")
    assert selectors.message_get(actor=governance, public_id=message.public_id) == message
    with pytest.raises(NotPermitted):
        services.message_send(
            actor=governance, case=case, to=world.orgs["vc_a"].public_id, body=QUESTION, reply_by=None
        )
    with pytest.raises(NotPermitted):
        _reply(world, message, "governance_lokal")


# --- Access and the log, through the API ---------------------------------------------------------------


def _denied(user: User) -> list[AccessLogEntry]:
    return list(AccessLogEntry.objects.filter(user=user, outcome=Outcome.DENIED))


def test_another_organisation_gets_404_logged_and_writes_nothing(world, drive, api: Callable[..., Any]):
    case = _submitted(drive)
    message = _send(world, case)
    outsider = world.users["mas_b"]
    client = api(outsider)
    for answer in (
        client.get(f"/api/v1/cases/{case.public_id}/messages"),
        client.get(f"/api/v1/messages/{message.public_id}"),
        client.post(f"/api/v1/messages/{message.public_id}/replies", {"body": "Hej"}, format="json"),
        client.post(f"/api/v1/messages/{message.public_id}/close", {}, format="json"),
        client.post(
            f"/api/v1/cases/{case.public_id}/messages",
            {"to": str(world.orgs["vc_b"].public_id), "body": "Hej"},
            format="json",
        ),
    ):
        assert answer.status_code == 404, answer.content
        assert "error" in answer.json()
    denied = _denied(outsider)
    assert len(denied) == 5
    assert {entry.patient_id for entry in denied} == {case.patient_id}
    assert CaseMessage.objects.count() == 1
    assert not MessageReply.objects.exists()
    listed = client.get("/api/v1/messages")
    assert listed.status_code == 200
    assert listed.json()["results"] == []
    assert selectors.messages_waiting_for(actor=as_actor(world, "gp_b")) == []


def test_every_read_is_in_the_access_log(world, drive, api):
    case = _submitted(drive)
    message = _send(world, case)
    client = api(world.users["gp_a"])
    before = AccessLogEntry.objects.count()
    assert client.get(f"/api/v1/messages/{message.public_id}").status_code == 200
    assert client.get(f"/api/v1/cases/{case.public_id}/messages").status_code == 200
    assert client.get("/api/v1/messages", {"awaiting_me": "true"}).json()["count"] == 1
    rows = AccessLogEntry.objects.order_by("pk")[before:]
    assert [(r.record_type, r.record_id, r.action) for r in rows] == [
        (RECORD_CASE_MESSAGE, str(message.public_id), "read"),
        (RECORD_CASE_MESSAGE, str(message.public_id), "read"),
        (RECORD_CASE_MESSAGE, str(message.public_id), "list"),
    ]
    assert all(r.patient_id == case.patient_id for r in rows)


def test_the_api_sends_answers_and_closes_with_etags(world, drive, api):
    case = _submitted(drive)
    nurse, gp = api(world.users["nurse_a"]), api(world.users["gp_a"])
    day = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    body = {"to": str(world.orgs["vc_a"].public_id), "body": QUESTION, "reply_by": day}
    sent = nurse.post(
        f"/api/v1/cases/{case.public_id}/messages", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert sent.status_code == 201, sent.content
    again = nurse.post(
        f"/api/v1/cases/{case.public_id}/messages", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == sent.json()["id"]
    assert CaseMessage.objects.count() == 1
    url = f"/api/v1/messages/{sent.json()['id']}"
    assert sent.json()["status"] == "open"
    assert sent.json()["reply_by"] == day
    read = gp.get(url)
    assert gp.post(f"{url}/replies", {"body": "Ja."}, format="json").status_code == 428
    assert gp.post(f"{url}/replies", {"body": "Ja."}, format="json", HTTP_IF_MATCH='"0"').status_code == 412
    answered = gp.post(f"{url}/replies", {"body": "Ja."}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert answered.status_code == 200, answered.content
    assert answered.json()["status"] == "answered"
    assert answered.json()["replies"][0]["answers"] is True
    too_long = gp.post(f"{url}/replies", {"body": "x" * 4001}, format="json", HTTP_IF_MATCH=answered["ETag"])
    assert too_long.status_code == 400
    assert "body" in too_long.json()["error"]["fields"]
    refused = gp.post(f"{url}/close", {}, format="json", HTTP_IF_MATCH=answered["ETag"])
    assert refused.status_code == 403
    closed = nurse.post(f"{url}/close", {}, format="json", HTTP_IF_MATCH=nurse.get(url)["ETag"])
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    past = nurse.post(
        f"/api/v1/cases/{case.public_id}/messages", {**body, "reply_by": "2020-01-01"}, format="json"
    )
    assert past.status_code == 400
    assert set(past.json()["error"]["fields"]) == {"reply_by"}


def test_messages_sync_with_updated_since(world, drive, api):
    case = _submitted(drive)
    since = timezone.now()
    first, second = _send(world, case), _send(world, case, body="Andra frågan.")
    client = api(world.users["nurse_a"])
    page = client.get("/api/v1/messages", {"updated_since": since.isoformat(), "page_size": 1}).json()
    assert [r["id"] for r in page["results"]] == [str(first.public_id)]
    last = page["results"][-1]
    _reply(world, first, "gp_a")  # changed after it was seen: it comes again
    rest = client.get(
        "/api/v1/messages",
        {"updated_since": last["updated_at"], "after_id": last["id"], "page_size": 10},
    ).json()
    assert [r["id"] for r in rest["results"]] == [str(second.public_id), str(first.public_id)]


# --- My work -------------------------------------------------------------------------------------------


def test_my_work_lists_the_message_with_its_day_and_masks_a_protected_identity(world, drive):
    from tests.fixtures.clients import signed_in

    patient = world.patient(protected=True, given_name="Hemlig", family_name="Person")
    case = _submitted(drive, patient=patient)
    message = _send(world, case, days=2)
    CaseMessage.objects.filter(pk=message.pk).update(
        reply_by=timezone.localdate() - datetime.timedelta(days=1)
    )
    # The vårdcentral's coordinator organises care and never sees a protected identity.
    page = signed_in(world.users["coordinator_vc_a"]).get("/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Meddelanden att besvara" in html
    assert case.number in html
    assert "Skyddad identitet" in html
    assert "Hemlig" not in html
    assert 'class="overdue"' in html
    # The GP treats the patient and sees who it is.
    html = signed_in(world.users["gp_a"]).get("/").content.decode()
    assert "Hemlig Person" in html
    # Kommun B's people have nothing waiting.
    assert (
        "Inget meddelande väntar på ert svar." in signed_in(world.users["nurse_b"]).get("/").content.decode()
    )


def test_without_a_legal_basis_the_other_party_reads_no_message_text(world, drive):
    """A message is free text about the person: the vårdcentral reads the kommun's question only once
    the case has a legal basis for sharing; the kommun always reads what it sent itself."""
    case = _submitted(drive, basis=None)
    message = _send(world, case)
    gp, nurse = as_actor(world, "gp_a"), as_actor(world, "nurse_a")
    assert selectors.messages_of_case(actor=gp, public_id=case.public_id)[1] == []
    assert selectors.messages_listed(actor=gp, messages=list(selectors.message_list(actor=gp))) == []
    with pytest.raises(Http404):
        selectors.message_get(actor=gp, public_id=message.public_id)
    assert AccessLogEntry.objects.filter(
        user=world.users["gp_a"], record_id=str(message.public_id), outcome=Outcome.DENIED
    ).exists()
    assert selectors.messages_of_case(actor=nurse, public_id=case.public_id)[1] == [message]


def test_after_a_hand_over_the_answer_tells_the_new_handler_too(world, drive):
    from assignments import services as assign_services
    from directory.models import Role
    from tests.fixtures.world import make_user

    case = _submitted(drive)
    message = _send(world, case)
    colleague = make_user("nurse.a2", (world.orgs["kommun_a"], Role.NURSE))
    assign_services.case_assign(actor=as_actor(world, "nurse_a"), case=case, assignee=colleague)
    _reply(world, message, "gp_a")
    told = _told(K.MESSAGE_ANSWERED)
    assert set(told) == {"nurse.a", "nurse.a2"}
    assert told["nurse.a2"] == ("A kommun", "nurse", False)


def test_after_a_hand_over_only_the_sender_reads_your_message(world, drive):
    """The colleague the case was handed to did not write the message: her notices do not call it hers,
    neither the answer nor the reminder that the answer-by day has passed."""
    from assignments import services as assign_services
    from directory.models import Role
    from tests.fixtures.world import make_user

    case = _submitted(drive)
    answered = _send(world, case)
    waiting = _send(world, case, days=1, body="En annan fråga.")
    colleague = make_user("nurse.a2", (world.orgs["kommun_a"], Role.NURSE))
    assign_services.case_assign(actor=as_actor(world, "nurse_a"), case=case, assignee=colleague)
    _reply(world, answered, "gp_a")
    texts = {n.user.username: n.message for n in Notification.objects.filter(kind=K.MESSAGE_ANSWERED)}
    assert texts["nurse.a"] == f"Vårdcentralen A har svarat på ditt meddelande i ärende {case.number}."
    assert texts["nurse.a2"] == (
        f"Vårdcentralen A har svarat på meddelandet som din organisation skickade i ärende {case.number}."
    )

    CaseMessage.objects.filter(pk=waiting.pk).update(
        reply_by=timezone.localdate() - datetime.timedelta(days=1)
    )
    services.message_remind_if_overdue(message_id=waiting.pk, today=timezone.localdate())
    texts = {n.user.username: n.message for n in Notification.objects.filter(kind=K.MESSAGE_OVERDUE)}
    assert texts["nurse.a"].startswith("Ditt meddelande till Vårdcentralen A")
    assert texts["nurse.a2"].startswith("Meddelandet som din organisation skickade till Vårdcentralen A")
    assert "ditt" not in texts["nurse.a2"].lower().split()
