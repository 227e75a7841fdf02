"""A care provider's entries as ``provider_entries_q`` selects them (its organisations and staff as lists
computed once) are the same as by a plain formulation (a join to the entry's organisation and a
correlated subquery), on a data set that mixes every way an entry can belong, or not belong, to a kommun
or to the region."""

from __future__ import annotations

import datetime
import itertools
from unittest import mock

import pytest
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from audit.models import AccessLogEntry, Action, Outcome, Purpose
from audit.providers import REGION_UNIT_KINDS, provider_entries_q, provider_scope
from directory.models import Membership, Organisation, OrganisationKind, Role
from patients.models import Enrolment
from tests.fixtures.world import make_user

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


def reference_q(provider: Organisation) -> Q:
    """The definition written plainly, as the oracle: the entry's organisation is the provider or, for
    a region, one of its units; or the entry has no organisation and its user held a membership in one
    of them on the day."""
    if provider.kind == OrganisationKind.REGION:
        ours = Q(organisation_id=provider.pk) | Q(
            organisation__region_id=provider.pk, organisation__kind__in=REGION_UNIT_KINDS
        )
        staff_orgs = Q(organisation_id=provider.pk) | Q(
            organisation__region_id=provider.pk, organisation__kind__in=REGION_UNIT_KINDS
        )
    else:
        ours = staff_orgs = Q(organisation_id=provider.pk)
    staff = (
        Membership.objects.filter(staff_orgs)
        .filter(user_id=OuterRef("user_id"), valid_from__lte=OuterRef("at"))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=OuterRef("at") - datetime.timedelta(days=1)))
    )
    return ours | (Q(organisation__isnull=True) & Q(Exists(staff)))


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
    a, b, vc_a, clinic, body, region = (
        world.orgs[k] for k in ("kommun_a", "kommun_b", "vc_a", "clinic", "body", "region")
    )
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
        "specialist": world.users["specialist"],
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
    # A kommun nurse who also works a shift at the region's vårdcentral, from the day.
    membership(users["starts_on_day"], vc_a, DAY, None)
    organisations = [a, b, vc_a, clinic, body, None]
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
    assert AccessLogEntry.objects.count() == 6 * 10 * 6 * 3
    for provider in (a, b, region):
        expected = set(AccessLogEntry.objects.filter(reference_q(provider)).values_list("pk", flat=True))
        scope = provider_scope(provider)
        selected = set(AccessLogEntry.objects.filter(provider_entries_q(scope)).values_list("pk", flat=True))
        assert selected == expected
        assert AccessLogEntry.objects.filter(provider_entries_q(scope)).count() == len(expected)
    # Neither selects everything or nothing: the data set exercises both sides of every condition.
    of_a = AccessLogEntry.objects.filter(provider_entries_q(provider_scope(a)))
    assert 0 < of_a.count() < AccessLogEntry.objects.count()
    noon = {"organisation": None, "patient": None, "at": at(DAY, 12)}
    assert not of_a.filter(user=users["ended_before"], **noon).exists()
    assert of_a.filter(user=users["ended_on_day"], **noon).exists()
    assert not of_a.filter(user=users["starts_after"], **noon).exists()
    # The kommun reviews its own staff only: not the region's reads of its patients, not the joint body's.
    assert not of_a.filter(organisation__in=[vc_a, clinic, body]).exists()
    assert of_a.filter(organisation=a, patient__folkbokforing_kommun=b).exists()
    of_region = AccessLogEntry.objects.filter(provider_entries_q(provider_scope(region)))
    assert set(of_region.exclude(organisation=None).values_list("organisation", flat=True)) == {
        vc_a.pk,
        clinic.pk,
    }
    assert of_region.filter(user=users["specialist"], organisation=None).exists()
    assert of_region.filter(user=users["starts_on_day"], organisation=None).exists()
    assert of_a.filter(user=users["starts_on_day"], organisation=None).exists()
