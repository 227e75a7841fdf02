"""Handing a case to a colleague or a team: who may, to whom, and what each person's My work shows then.

A case waiting for the kommun's nurses waits for all of them until it is handed to one: then it waits
for that nurse alone (or for every member of the team it was handed to), and the others no longer see
it under "Waiting for me". The new handler is told; the timeline shows the hand-over; the history is
append-only.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from assignments import services
from assignments.models import CaseAssignment
from audit.models import AccessLogEntry
from cases.models import CaseEvent, CaseStatus, EventKind, Notification, NotificationKind
from cases.selectors import WorkFilters, cases_waiting, work_counts, work_lists
from hemsjukvard.errors import NotPermitted
from tests.fixtures.world import as_actor

pytestmark = pytest.mark.django_db


def waiting_ids(world, key, **filters):
    lists = work_lists(actor=as_actor(world, key), filters=WorkFilters(**filters))
    return {seen.obj.pk for seen in lists.waiting}


def test_a_case_handed_to_a_colleague_leaves_my_list_and_enters_theirs(world, case_in, colleagues):
    case = case_in(CaseStatus.AGREED)
    assert case.pk in waiting_ids(world, "nurse_a")
    assert case.pk in waiting_ids(world, "nurse2_a")
    before = work_counts(actor=as_actor(world, "nurse_a")).waiting

    services.case_assign(
        actor=as_actor(world, "nurse_a"), case=case, assignee=world.users["nurse2_a"], note="Semester v. 28."
    )

    assert case.pk not in waiting_ids(world, "nurse_a")
    assert case.pk in waiting_ids(world, "nurse2_a")
    assert case.pk not in waiting_ids(world, "nurse3_a")
    # The badge counts only what waits for the person.
    assert work_counts(actor=as_actor(world, "nurse_a")).waiting == before - 1
    # The colleague is told, to act; nobody else is.
    notices = Notification.objects.filter(case=case, kind=NotificationKind.CASE_HANDED_OVER)
    assert [n.user for n in notices] == [world.users["nurse2_a"]]
    assert notices[0].acts
    assert "Semester v. 28." in notices[0].message
    assert case.number in notices[0].message
    assert "Karin" not in notices[0].message
    # The timeline shows it, and the write is in the access log.
    event = CaseEvent.objects.get(case=case, kind=EventKind.HANDED_OVER)
    assert event.user == world.users["nurse_a"]
    assert event.payload["assignee_name"] == world.users["nurse2_a"].display_name
    assert AccessLogEntry.objects.filter(
        user=world.users["nurse_a"], record_id=str(case.public_id), action="update"
    ).exists()

    # Handed back to the organisation, it waits for everyone again.
    services.case_unassign(actor=as_actor(world, "nurse2_a"), case=case)
    assert case.pk in waiting_ids(world, "nurse_a")
    assert CaseAssignment.objects.filter(case=case).count() == 2


def test_a_case_handed_to_a_team_waits_for_its_members_and_the_filters_find_it(world, case_in, colleagues):
    handed_to_team = case_in(CaseStatus.AGREED)
    mine = case_in(CaseStatus.AGREED)
    nobodys = case_in(CaseStatus.AGREED)
    coordinator = as_actor(world, "coordinator_a")
    services.case_assign(actor=coordinator, case=handed_to_team, team=colleagues["team"])
    services.case_assign(actor=coordinator, case=mine, assignee=world.users["nurse_a"])

    assert {handed_to_team.pk, mine.pk, nobodys.pk} <= waiting_ids(world, "nurse_a")
    assert handed_to_team.pk in waiting_ids(world, "nurse2_a")
    assert mine.pk not in waiting_ids(world, "nurse2_a")
    # Not in the team: neither the team's case nor nurse_a's.
    assert waiting_ids(world, "nurse3_a") & {handed_to_team.pk, mine.pk} == set()
    # Every member of the team is told (the coordinator acted, so both are).
    told = set(
        Notification.objects.filter(case=handed_to_team, kind=NotificationKind.CASE_HANDED_OVER).values_list(
            "user__username", flat=True
        )
    )
    assert told == {"nurse.a", "nurse2.a"}

    assert waiting_ids(world, "nurse_a", handler="me") == {mine.pk}
    assert waiting_ids(world, "nurse_a", handler="team") == {handed_to_team.pk}
    assert nobodys.pk in waiting_ids(world, "nurse_a", handler="unassigned")
    assert waiting_ids(world, "nurse_a", handler="unassigned").isdisjoint({mine.pk, handed_to_team.pk})


def test_only_a_person_of_the_organisation_in_a_handling_role_can_be_handed_a_case(
    world, case_in, colleagues
):
    case = case_in(CaseStatus.AGREED)
    nurse = as_actor(world, "nurse_a")
    for other in ("nurse_b", "gp_a", "admin"):  # another kommun, another organisation, no handling role
        with pytest.raises(ValidationError):
            services.case_assign(actor=nurse, case=case, assignee=world.users[other])
    other_team = colleagues["team"].__class__.objects.create(organisation=world.orgs["kommun_b"], name="B")
    with pytest.raises(ValidationError):
        services.case_assign(actor=nurse, case=case, team=other_team)
    assert not CaseAssignment.objects.exists()


def test_a_colleagues_case_is_handed_on_by_them_or_the_coordinator(world, case_in, colleagues):
    case = case_in(CaseStatus.AGREED)
    services.case_assign(actor=as_actor(world, "nurse2_a"), case=case, assignee=world.users["nurse2_a"])
    with pytest.raises(NotPermitted):
        services.case_assign(actor=as_actor(world, "nurse3_a"), case=case, assignee=world.users["nurse3_a"])
    services.case_assign(actor=as_actor(world, "coordinator_a"), case=case, assignee=world.users["nurse3_a"])
    assert case.pk in waiting_ids(world, "nurse3_a")
    # A person of another organisation on the case cannot hand over the kommun's part.
    with pytest.raises(NotPermitted):
        services.case_assign(actor=as_actor(world, "nurse_b"), case=case, assignee=world.users["nurse_b"])


def test_the_history_is_append_only(world, case_in, colleagues):
    case = case_in(CaseStatus.AGREED)
    row = services.case_assign(actor=as_actor(world, "nurse_a"), case=case, assignee=world.users["nurse2_a"])
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseAssignment.objects.filter(pk=row.pk).update(note="ändrad")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseAssignment.objects.filter(pk=row.pk).delete()


def test_the_waiting_count_needs_no_query_per_case(world, case_in, colleagues, django_assert_max_num_queries):
    for _ in range(3):
        case_in(CaseStatus.AGREED)
    actor = as_actor(world, "nurse_a")
    with django_assert_max_num_queries(1):
        cases_waiting(actor=actor).count()


def test_a_case_handed_to_the_coordinator_waits_for_them_though_a_nurse_holds_the_deadline(
    world, case_in, colleagues
):
    case = case_in(CaseStatus.AGREED)  # the kommun's nurses hold it (owner role: nurse)
    assert case.pk not in waiting_ids(world, "coordinator_a")
    services.case_assign(actor=as_actor(world, "nurse_a"), case=case, assignee=world.users["coordinator_a"])
    assert case.pk in waiting_ids(world, "coordinator_a")
    assert case.pk not in waiting_ids(world, "nurse_a")


def test_the_hand_over_note_is_read_only_on_the_handlers_side(world, case_in, colleagues):
    from tests.fixtures.clients import signed_in

    case = case_in(CaseStatus.IN_REVIEW)
    services.case_assign(
        actor=as_actor(world, "nurse_a"), case=case, assignee=world.users["nurse2_a"], note="Semester v. 28."
    )
    own = signed_in(world.users["nurse2_a"]).get(f"/cases/{case.public_id}/").content.decode()
    assert "Semester v. 28." in own
    other = signed_in(world.users["gp_a"]).get(f"/cases/{case.public_id}/").content.decode()
    assert "Semester v. 28." not in other
