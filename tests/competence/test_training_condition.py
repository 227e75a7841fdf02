"""The agreement's training condition: a task whose rule asks for competence transfer is not performed by
the kommun (the case does not become active) until a transfer to that kommun is recorded and in force."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from agreements.models import CareTaskType
from cases.models import CaseStatus
from competence import selectors, services
from competence.models import CompetenceTransfer, RegisterEvent
from hemsjukvard.errors import NotPermitted
from sip import services as sip_services
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.sip import fill
from tests.fixtures.world import as_actor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("halland")]

MISSING_PD_A = "Kompetensöverföring för peritonealdialys (PD) till A kommun saknas"


def _untrain(world, kommun="kommun_a"):
    CompetenceTransfer.objects.filter(receiving_unit=world.orgs[kommun]).delete()


def _record(world, by="nurse_a", *, kommun="kommun_a", trained_on=None, valid_until=None):
    today = timezone.localdate()
    return services.transfer_record(
        actor=as_actor(world, by),
        task_type=CareTaskType.objects.get(code=PD),
        training_unit=world.orgs["clinic"],
        trainers="Karin PD-sjuksköterska, Njurmedicin",
        receiving_unit=world.orgs[kommun],
        trained_staff="Anna Nurse, Bo Nurse",
        trained_on=trained_on or today - datetime.timedelta(days=3),
        valid_until=valid_until or today + datetime.timedelta(days=365),
    )


def test_training_required_task_blocks_activation_until_training_recorded(world, case_in, drive):
    _untrain(world)
    case = case_in(CaseStatus.AGREED, tasks=(PD,))
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        drive.move(case, "activate")
    assert refused.value.message_dict["training"] == [MISSING_PD_A]
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED

    _record(world)
    case = drive.move(case, "activate")
    assert case.status == CaseStatus.ACTIVE


def test_training_of_another_kommun_does_not_count(world, case_in, drive):
    _untrain(world)
    case = case_in(CaseStatus.AGREED, tasks=(PD,))
    _record(world, by="nurse_b", kommun="kommun_b")
    with pytest.raises(ValidationError):
        drive.move(case, "activate")


def test_expired_or_revoked_training_does_not_let_the_kommun_perform(world, case_in, drive):
    _untrain(world)
    case = case_in(CaseStatus.AGREED, tasks=(PD,))
    today = timezone.localdate()
    _record(
        world, trained_on=today - datetime.timedelta(days=400), valid_until=today - datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError):
        drive.move(case, "activate")
    transfer = _record(world)
    services.transfer_revoke(
        actor=as_actor(world, "specialist"), transfer=transfer, reason="Fel personal angiven"
    )
    with pytest.raises(ValidationError):
        drive.move(case, "activate")
    assert case.__class__.objects.get(pk=case.pk).status == CaseStatus.AGREED


def test_a_task_without_the_training_condition_starts_without_training(world, case_in, drive):
    _untrain(world)
    case = drive.accept(drive.submit(drive.open(tasks=(WOUND,))))
    assert case.status == CaseStatus.AGREED
    assert drive.move(case, "activate").status == CaseStatus.ACTIVE


def test_a_finalised_sip_leaves_the_case_agreed_until_the_training_is_recorded(
    world, agreed_case, sip_from_case, nurse
):
    _untrain(world)
    fill(sip_from_case, nurse, world)
    sip_services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    agreed_case.refresh_from_db()
    assert agreed_case.status == CaseStatus.AGREED


def test_the_receiving_nurse_and_the_training_unit_record_others_are_refused(world):
    for outsider in ("gp_a", "nurse_b", "mas_a", "coordinator_a"):
        with pytest.raises(NotPermitted):
            _record(world, by=outsider)
    assert _record(world, by="specialist").recorded_by == world.users["specialist"]
    transfer = _record(world, by="nurse_a")
    event = RegisterEvent.objects.get(transfer=transfer)
    assert (event.user, event.organisation, event.role) == (
        world.users["nurse_a"],
        world.orgs["kommun_a"],
        "nurse",
    )


def test_a_training_is_validated_before_anything_is_written(world):
    before = CompetenceTransfer.objects.count()
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.transfer_record(
            actor=as_actor(world, "nurse_a"),
            task_type=CareTaskType.objects.get(code=PD),
            training_unit=world.orgs["clinic"],
            trainers=" ",
            receiving_unit=world.orgs["kommun_a"],
            trained_staff="x" * 501,
            trained_on=today + datetime.timedelta(days=1),
            valid_until=today,
        )
    assert set(refused.value.message_dict) == {"trainers", "trained_staff", "trained_on", "valid_until"}
    assert CompetenceTransfer.objects.count() == before


def test_mas_sees_every_training_of_the_kommun_and_no_other_kommuns(world):
    mine = _record(world)
    theirs = _record(world, by="nurse_b", kommun="kommun_b")
    seen = set(selectors.transfers_visible(actor=as_actor(world, "mas_a")))
    assert mine in seen
    assert theirs not in seen
    assert theirs in set(selectors.transfers_visible(actor=as_actor(world, "specialist")))
    assert not selectors.transfers_visible(actor=as_actor(world, "nobody")).exists()
