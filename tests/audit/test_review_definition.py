"""The kommun's entries as ``kommun_entries_q`` selects them are the same as by the definition's first
formulation (a join to the patient and correlated subqueries), on a data set that mixes every way an
entry can belong, or not belong, to a kommun."""

from __future__ import annotations

import datetime
import itertools
from unittest import mock

import pytest
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.models import AccessLogEntry, Action, Outcome, Purpose
from audit.review import kommun_entries_q
from directory.models import Membership, Role
from patients.models import Enrolment
from tests.fixtures.world import make_user

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


def reference_q(kommun_id: int) -> Q:
    """The definition as first written (audit/review.py before the covering index): kept as the oracle."""
    staff = Membership.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=kommun_id, valid_from__lte=OuterRef("at")
    ).filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("at") - datetime.timedelta(days=1)))
    enrolled = Enrolment.objects.filter(patient_id=OuterRef("patient_id"), kommun_id=kommun_id)
    return (
        Q(patient__folkbokforing_kommun_id=kommun_id)
        | Q(Exists(enrolled))
        | Q(organisation_id=kommun_id)
        | Q(Exists(staff))
    )


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def entry(*, when, user, organisation, patient, action=Action.READ, outcome=Outcome.GRANTED) -> None:
    with mock.patch("django.utils.timezone.now", return_value=when):
        AccessLogEntry.objects.create(
            user=user,
            user_label=user.username if user else "api",
            api_client="" if user else "journal-x",
            role="nurse" if organisation else "",
            organisation=organisation,
            organisation_label=organisation.name if organisation else "",
            patient=patient,
            record_type="patient",
            action=action,
            outcome=outcome,
            purpose=Purpose.CARE_RELATIONSHIP if outcome == Outcome.GRANTED else Purpose.NONE,
        )


def membership(user, organisation, start: datetime.date, end: datetime.date | None) -> None:
    Membership.objects.create(
        user=user, organisation=organisation, role=Role.NURSE, valid_from=start, valid_to=end
    )


def test_new_and_reference_definitions_select_the_same_entries(world):
    a, b, vc_a, clinic = (world.orgs[k] for k in ("kommun_a", "kommun_b", "vc_a", "clinic"))
    patients = {
        "folkbokford_a": world.patient(kommun="kommun_a", enrolled=False),
        "enrolled_a": world.patient(kommun="kommun_a"),
        "b_enrolled_in_a": world.patient(kommun="kommun_b", enrolled=False),
        "b_ended_in_a": world.patient(kommun="kommun_b", enrolled=False),
        "b_only": world.patient(kommun="kommun_b", vardcentral="vc_b"),
        "none": None,
    }
    for key, ends_on in (("b_enrolled_in_a", None), ("b_ended_in_a", datetime.date(2025, 6, 30))):
        Enrolment.objects.create(
            patient=patients[key],
            kommun=a,
            starts_on=datetime.date(2025, 1, 1),
            ends_on=ends_on,
            threshold_justification="Kan inte ta sig till vårdcentralen.",
            enrolled_by=world.users["nurse_a"],
        )
    # Staff of A whose membership ended the day before, ended on the day, starts the day after or
    # the same day, is open, or is in another kommun as well; and people who were never A's staff.
    users = {
        "open_a": world.users["nurse_a"],
        "b_only": world.users["nurse_b"],
        "gp_a": world.users["gp_a"],
        "ended_before": make_user("ended.before"),
        "ended_on_day": make_user("ended.on.day"),
        "starts_after": make_user("starts.after"),
        "starts_on_day": make_user("starts.on.day"),
        "a_and_b": make_user("a.and.b"),
        "api": None,
    }
    membership(users["ended_before"], a, datetime.date(2024, 1, 1), DAY - datetime.timedelta(days=1))
    membership(users["ended_on_day"], a, datetime.date(2024, 1, 1), DAY)
    membership(users["starts_after"], a, DAY + datetime.timedelta(days=1), None)
    membership(users["starts_on_day"], a, DAY, None)
    membership(users["a_and_b"], a, datetime.date(2024, 1, 1), None)
    membership(users["a_and_b"], b, datetime.date(2024, 1, 1), None)
    organisations = [a, b, vc_a, clinic, None]
    combinations = itertools.product(patients.values(), users.values(), organisations, (0, 12, 23))
    for patient, user, organisation, hour in combinations:
        denied = organisation is None
        entry(
            when=at(DAY, hour),
            user=user,
            organisation=organisation,
            patient=patient,
            outcome=Outcome.DENIED if denied else Outcome.GRANTED,
        )
    assert AccessLogEntry.objects.count() == 6 * 9 * 5 * 3
    for kommun in (a, b, vc_a):
        expected = set(AccessLogEntry.objects.filter(reference_q(kommun.pk)).values_list("pk", flat=True))
        selected = set(
            AccessLogEntry.objects.filter(kommun_entries_q(kommun.pk)).values_list("pk", flat=True)
        )
        assert selected == expected
        assert AccessLogEntry.objects.filter(kommun_entries_q(kommun.pk)).count() == len(expected)
    # Neither selects everything or nothing: the data set exercises both sides of every condition.
    of_a = AccessLogEntry.objects.filter(kommun_entries_q(a.pk))
    assert 0 < of_a.count() < AccessLogEntry.objects.count()
    assert of_a.filter(organisation__isnull=True, patient__folkbokforing_kommun=b).exists()
    noon = {"organisation": None, "patient": None, "at": at(DAY, 12)}
    assert not of_a.filter(user=users["ended_before"], **noon).exists()
    assert of_a.filter(user=users["ended_on_day"], **noon).exists()
    assert not of_a.filter(user=users["starts_after"], **noon).exists()
