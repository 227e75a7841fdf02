"""Reminders before a safety condition lapses (a training, a delegation) and the re-reviews the agreement
asks for (a rule's "review again within N days", a risk analysis's review date), sent through the
notification system and e-mailed through the outbox, once each."""

from __future__ import annotations

import dataclasses
import datetime

import pytest
from django.utils import timezone

from agreements.models import ResponsibilityRule
from cases.models import CaseStatus, CaseTask, Notification, NotificationKind
from competence import reminders, services
from competence.models import CompetenceTransfer, ReReview, ReReviewSource
from competence.tasks import safety_reminders
from figures import selectors as figure_selectors
from figures.scope import figure_scope_get
from hemsjukvard.models import OutboxMessage
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.cases import ANALYSIS
from tests.fixtures.world import as_actor

pytestmark = pytest.mark.django_db


def _told(kind: str) -> set[tuple[str, int]]:
    return {
        (n.user.username, n.case_id) for n in Notification.objects.filter(kind=kind).select_related("user")
    }


def test_training_about_to_expire_reminds_the_performing_unit_on_each_case_relying_on_it(world, case_in):
    case = case_in(CaseStatus.ACTIVE, tasks=(PD,))
    today = timezone.localdate()
    transfer = CompetenceTransfer.objects.get(receiving_unit=world.orgs["kommun_a"])
    CompetenceTransfer.objects.filter(pk=transfer.pk).update(valid_until=today + datetime.timedelta(days=40))
    assert reminders.trainings_remind_expiring(today=today) == []

    CompetenceTransfer.objects.filter(pk=transfer.pk).update(valid_until=today + datetime.timedelta(days=20))
    written = reminders.trainings_remind_expiring(today=today)
    assert _told(NotificationKind.TRAINING_EXPIRING) == {("nurse.a", case.pk), ("mas.a", case.pk)}
    message = Notification.objects.filter(pk__in=written).first().message
    assert "peritonealdialys (PD)" in message
    assert "A kommun" in message
    assert OutboxMessage.objects.filter(
        task_name="cases.tasks.notifications_email", dedup_key__startswith="competence.training:"
    ).exists()
    assert reminders.trainings_remind_expiring(today=today + datetime.timedelta(days=1)) == []
    assert Notification.objects.filter(kind=NotificationKind.TRAINING_EXPIRING).count() == 2


def _delegated_wound_care(world, case_in):
    """An active case whose wound care nurse A delegated, the delegation ending in 25 days."""
    ResponsibilityRule.objects.filter(task_type__code=WOUND).update(delegation_allowed=True)
    case = case_in(CaseStatus.ACTIVE, tasks=(PD, WOUND))
    wound = CaseTask.objects.get(case=case, task_type__code=WOUND)
    today = timezone.localdate()
    services.delegation_record(
        actor=as_actor(world, "nurse_a"),
        task_type=wound.task_type,
        receiver_name="Sara Undersköterska",
        receiver_organisation=world.orgs["kommun_a"],
        decision="Enkel sårvård enligt ordination.",
        valid_from=today - datetime.timedelta(days=300),
        valid_until=today + datetime.timedelta(days=25),
        case_tasks=[wound],
    )
    return case


def test_delegation_about_to_expire_reminds_the_delegating_person(world, case_in, tpn_and_medication):
    case = _delegated_wound_care(world, case_in)
    today = timezone.localdate()
    reminders.delegations_remind_expiring(today=today)
    assert _told(NotificationKind.DELEGATION_EXPIRING) == {("nurse.a", case.pk)}
    assert reminders.delegations_remind_expiring(today=today) == []


def test_a_delegation_no_case_relies_on_is_e_mailed_to_the_delegating_person_once(world, halland, mailoutbox):
    from agreements.models import CareTaskType
    from competence.tasks import delegation_expiry_email

    today = timezone.localdate()
    nurse = world.users["nurse_a"]
    nurse.email = "nurse.a@kommun-a.example"
    nurse.save(update_fields=["email"])
    delegation = services.delegation_record(
        actor=as_actor(world, "nurse_a"),
        task_type=CareTaskType.objects.get(code=WOUND),
        receiver_name="Sara Undersköterska",
        receiver_organisation=world.orgs["kommun_a"],
        decision="Enkel sårvård enligt ordination.",
        valid_from=today - datetime.timedelta(days=300),
        valid_until=today + datetime.timedelta(days=25),
        case_tasks=[],
    )
    assert reminders.delegations_remind_expiring(today=today) == []  # no case: no notification ...
    queued = OutboxMessage.objects.filter(task_name="competence.tasks.delegation_expiry_email")
    assert [m.kwargs for m in queued] == [{"delegation_id": delegation.pk}]  # ... but an e-mail, once
    reminders.delegations_remind_expiring(today=today)
    assert queued.count() == 1

    assert delegation_expiry_email(delegation.pk) is True
    (mail,) = mailoutbox
    assert mail.to == ["nurse.a@kommun-a.example"]
    assert "Sara Undersköterska" in mail.body
    assert (today + datetime.timedelta(days=25)).isoformat() in mail.subject
    assert "delegering" in mail.subject.lower()

    nurse.is_active = False
    nurse.save(update_fields=["is_active"])
    mas = world.users["mas_a"]
    mas.email = "mas.a@kommun-a.example"
    mas.save(update_fields=["email"])
    # The person has left: no mail to an old address, but the kommun's MAS must decide in their place.
    assert delegation_expiry_email(delegation.pk) is True
    assert len(mailoutbox) == 2
    assert mailoutbox[1].to == ["mas.a@kommun-a.example"]
    assert nurse.display_name in mailoutbox[1].body
    assert "nurse.a@kommun-a.example" not in {address for m in mailoutbox[1:] for address in m.to}
    nurse.is_active = True
    nurse.save(update_fields=["is_active"])
    delegation.revoked_at = timezone.now()
    delegation.save(update_fields=["revoked_at"])
    assert delegation_expiry_email(delegation.pk) is False  # revoked since: nothing is sent


def test_a_delegation_whose_delegating_person_has_left_is_told_to_the_kommun_s_mas(
    world, case_in, tpn_and_medication
):
    case = _delegated_wound_care(world, case_in)
    today = timezone.localdate()
    world.users["nurse_a"].is_active = False
    world.users["nurse_a"].save(update_fields=["is_active"])
    written = reminders.delegations_remind_expiring(today=today)
    assert _told(NotificationKind.DELEGATION_EXPIRING) == {("mas.a", case.pk)}
    message = Notification.objects.get(pk__in=written).message
    assert "Sara Undersköterska" in message
    assert world.users["nurse_a"].display_name in message


def test_a_training_no_case_relies_on_is_e_mailed_to_the_unit_s_mas_once(world, halland, mailoutbox):
    from agreements.models import CareTaskType
    from competence.tasks import training_expiry_email

    today = timezone.localdate()
    CompetenceTransfer.objects.filter(receiving_unit=world.orgs["kommun_a"]).delete()
    transfer = CompetenceTransfer.objects.create(
        task_type=CareTaskType.objects.get(code=PD),
        training_unit=world.orgs["clinic"],
        trainers="Karin PD-sjuksköterska",
        receiving_unit=world.orgs["kommun_a"],
        trained_staff="Anna Nurse",
        trained_on=today - datetime.timedelta(days=340),
        valid_until=today + datetime.timedelta(days=20),
        recorded_by=world.users["nurse_a"],
    )
    mas = world.users["mas_a"]
    mas.email = "mas.a@kommun-a.example"
    mas.save(update_fields=["email"])
    assert reminders.trainings_remind_expiring(today=today) == []  # no case relies on it: no notification
    queued = OutboxMessage.objects.filter(task_name="competence.tasks.training_expiry_email")
    assert [m.kwargs for m in queued] == [{"transfer_id": transfer.pk}]
    reminders.trainings_remind_expiring(today=today)
    assert queued.count() == 1  # once per end date

    assert training_expiry_email(transfer.pk) is True
    (mail,) = mailoutbox
    assert mail.to == ["mas.a@kommun-a.example"]
    assert "A kommun" in mail.body
    assert (today + datetime.timedelta(days=20)).isoformat() in mail.subject

    CompetenceTransfer.objects.filter(pk=transfer.pk).update(revoked_at=timezone.now())
    assert training_expiry_email(transfer.pk) is False  # revoked since: nothing is sent
    assert len(mailoutbox) == 1


def test_rule_review_after_days_makes_a_re_review_that_reminds_the_owner_when_due(world, case_in):
    ResponsibilityRule.objects.filter(task_type__code=PD).update(max_duration_days=90)
    case = case_in(CaseStatus.ACTIVE, tasks=(PD,))
    today = timezone.localdate()
    reminders.rereviews_sync(today=today)
    row = ReReview.objects.get(case=case, source=ReReviewSource.RULE)
    assert row.due_on == timezone.localdate(case.agreed_at) + datetime.timedelta(days=90)
    assert reminders.rereviews_remind(today=today) == []
    assert reminders.overdue_rereview_count(today=today) == 0

    later = row.due_on + datetime.timedelta(days=1)
    reminders.rereviews_sync(today=later)
    assert ReReview.objects.filter(case=case).count() == 1  # made once
    reminders.rereviews_remind(today=later)
    assert _told(NotificationKind.REREVIEW_DUE) == {("nurse.a", case.pk)}
    assert reminders.rereviews_remind(today=later) == []
    assert reminders.overdue_rereview_count(today=later) == 1
    # The figures count it for kommun A, not for kommun B.
    for key, expected in (("mas_a", 1), ("mas_b", 0)):
        scope = figure_scope_get(
            actor=as_actor(world, key), public_id=world.orgs[key.replace("mas", "kommun")].public_id
        )
        assert figure_selectors.overdue_rereviews(scope=scope, today=later).value == expected


def test_risk_analysis_review_date_makes_a_re_review_for_nurse_and_mas(world, drive):
    review_on = timezone.localdate() + datetime.timedelta(days=60)
    case = drive.accept(drive.submit(drive.open(tasks=(PD,))))
    analysis = drive.analyse(case, data=dataclasses.replace(ANALYSIS, review_on=review_on))
    drive.sign(case, analysis)
    drive.approve(case, analysis)
    reminders.rereviews_sync(today=timezone.localdate())
    row = ReReview.objects.get(case=case, source=ReReviewSource.RISK_ANALYSIS)
    assert row.due_on == review_on
    reminders.rereviews_remind(today=review_on)
    assert _told(NotificationKind.REREVIEW_DUE) == {("nurse.a", case.pk), ("mas.a", case.pk)}


def test_a_closed_case_has_no_re_review_left(world, case_in, drive):
    ResponsibilityRule.objects.filter(task_type__code=PD).update(max_duration_days=30)
    case = case_in(CaseStatus.ACTIVE, tasks=(PD,))
    reminders.rereviews_sync(today=timezone.localdate())
    drive.move(drive.move(case, "start_follow_up"), "close")
    reminders.rereviews_sync(today=timezone.localdate())
    assert ReReview.objects.get(case=case).done_at is not None
    assert reminders.overdue_rereview_count(today=timezone.localdate() + datetime.timedelta(days=60)) == 0


def test_the_daily_beat_task_runs_every_reminder(world, case_in):
    case_in(CaseStatus.ACTIVE, tasks=(PD,))
    CompetenceTransfer.objects.filter(receiving_unit=world.orgs["kommun_a"]).update(
        valid_until=timezone.localdate() + datetime.timedelta(days=5)
    )
    assert safety_reminders.delay().get(timeout=30) == 2
