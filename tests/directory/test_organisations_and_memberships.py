"""Organisations and memberships keep their shape: regions on top, roles where they belong."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind, Ownership, Role

pytestmark = pytest.mark.django_db


def test_a_kommun_must_belong_to_a_region(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Lös kommun", kind=OrganisationKind.KOMMUN)


def test_a_region_cannot_belong_to_a_region(world):
    region = Organisation(name="Region X", kind=OrganisationKind.REGION, region=world.orgs["region"])
    with pytest.raises(ValidationError) as info:
        region.full_clean()
    assert "region" in info.value.message_dict


def test_only_a_vardcentral_is_privately_run(world):
    kommun = Organisation(
        name="Privat kommun",
        kind=OrganisationKind.KOMMUN,
        region=world.orgs["region"],
        ownership=Ownership.PRIVATE,
    )
    with pytest.raises(ValidationError):
        kommun.full_clean()


@pytest.mark.parametrize(
    ("org", "role", "fits"),
    [
        ("kommun_a", Role.NURSE, True),
        ("kommun_a", Role.GP, False),
        ("vc_a", Role.GP, True),
        ("vc_a", Role.MAS, False),
        ("clinic", Role.SPECIALIST, True),
        ("body", Role.GOVERNANCE, True),
        ("kommun_a", Role.GOVERNANCE, False),
    ],
)
def test_roles_fit_their_organisation(world, org, role, fits):
    membership = Membership(user=world.users["nobody"], organisation=world.orgs[org], role=role)
    if fits:
        membership.full_clean()
    else:
        with pytest.raises(ValidationError) as info:
            membership.full_clean()
        assert "role" in info.value.message_dict


def test_membership_cannot_end_before_it_starts(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(
            user=world.users["nobody"],
            organisation=world.orgs["kommun_a"],
            role=Role.NURSE,
            valid_from=datetime.date(2026, 1, 10),
            valid_to=datetime.date(2026, 1, 1),
        )


def test_actor_holds_only_memberships_in_force(world):
    user = world.users["nobody"]
    Membership.objects.create(
        user=user,
        organisation=world.orgs["kommun_a"],
        role=Role.NURSE,
        valid_from=datetime.date(2020, 1, 1),
        valid_to=datetime.date(2021, 1, 1),
    )
    Membership.objects.create(
        user=user, organisation=world.orgs["kommun_b"], role=Role.MAS, valid_from=datetime.date(2020, 1, 1)
    )
    actor = Actor.for_user(user)
    assert [m.organisation for m in actor.memberships] == [world.orgs["kommun_b"]]
    assert actor.has_role(Role.MAS, world.orgs["kommun_b"].pk)
    assert not actor.has_role(Role.NURSE)


def test_an_expired_membership_gives_no_access(world, api):
    patient = world.patient()
    nurse = world.users["nurse_a"]
    Membership.objects.filter(user=nurse).update(valid_to=datetime.date(2021, 1, 1))
    assert api(nurse).get(f"/api/v1/patients/{patient.public_id}").status_code == 404
