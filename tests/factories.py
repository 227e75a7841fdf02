"""A small world for tests: two kommuner, two vårdcentraler, a clinic, a joint body, one user per role.

Tests name people by role and place (``world.users["nurse_a"]``) so a reader sees who acts.
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from django.test import Client

from directory.actor import ACTING_MEMBERSHIP_SESSION_KEY
from directory.models import Membership, Organisation, OrganisationKind, Ownership, Role, User
from patients.models import Enrolment, HousingSetting, Patient
from patients.personnummer import luhn_check_digit

_serial = itertools.count(1)


def make_personnummer(birth: str = "19400312", *, samordning: bool = False) -> str:
    """A valid, fictional personnummer (or samordningsnummer) that no other call returns."""
    # Birth numbers 980-999 (the fictional test series) give 20 numbers a day; then the next day.
    serial = next(_serial)
    day = datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:8]) % 60) + datetime.timedelta(
        days=serial // 20
    )
    offset = 60 if samordning else 0
    date_part = f"{day:%Y%m}{day.day + offset:02d}"
    nine = date_part[2:] + f"{980 + serial % 20:03d}"
    return date_part + nine[6:] + luhn_check_digit(nine)


def make_user(username: str, *memberships: tuple[Organisation, str]) -> User:
    user = User.objects.create_user(
        username=username,
        password="test-password-long",
        first_name=username.title(),
        last_name="Test",
    )
    for organisation, role in memberships:
        Membership.objects.create(
            user=user, organisation=organisation, role=role, valid_from=datetime.date(2020, 1, 1)
        )
    return user


@dataclass
class World:
    orgs: dict[str, Organisation] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)

    def patient(
        self,
        *,
        kommun: str = "kommun_a",
        vardcentral: str | None = "vc_a",
        enrolled: bool = True,
        housing: str = HousingSetting.ORDINARY_HOME,
        protected: bool = False,
        given_name: str = "Karin",
        family_name: str = "Svensson",
    ) -> Patient:
        patient = Patient.objects.create(
            personal_identity=make_personnummer(),
            given_name=given_name,
            family_name=family_name,
            street_address="Storgatan 1",
            postal_code="43230",
            city="Varberg",
            folkbokforing_kommun=self.orgs[kommun],
            housing_setting=housing,
            listed_vardcentral=self.orgs[vardcentral] if vardcentral else None,
            protected_identity=protected,
        )
        if enrolled:
            Enrolment.objects.create(
                patient=patient,
                kommun=self.orgs[kommun],
                starts_on=datetime.date(2025, 1, 1),
                threshold_justification="Kan inte ta sig till vårdcentralen.",
                enrolled_by=self.users["nurse_a"],
            )
        return patient


def build_world() -> World:
    world = World()
    o = world.orgs
    o["region"] = Organisation.objects.create(name="Region Test", kind=OrganisationKind.REGION)
    region = o["region"]
    o["kommun_a"] = Organisation.objects.create(name="A kommun", kind=OrganisationKind.KOMMUN, region=region)
    o["kommun_b"] = Organisation.objects.create(name="B kommun", kind=OrganisationKind.KOMMUN, region=region)
    o["vc_a"] = Organisation.objects.create(
        name="Vårdcentralen A",
        kind=OrganisationKind.VARDCENTRAL,
        region=region,
        kommun=o["kommun_a"],
    )
    o["vc_b"] = Organisation.objects.create(
        name="Vårdcentralen B",
        kind=OrganisationKind.VARDCENTRAL,
        region=region,
        kommun=o["kommun_b"],
        ownership=Ownership.PRIVATE,
    )
    o["clinic"] = Organisation.objects.create(
        name="Njurmedicin Test", kind=OrganisationKind.SPECIALIST_CLINIC, region=region
    )
    o["body"] = Organisation.objects.create(name="RUG Test", kind=OrganisationKind.JOINT_BODY, region=region)

    u = world.users
    for place in ("a", "b"):
        kommun = o[f"kommun_{place}"]
        for role in (Role.NURSE, Role.REHAB, Role.MAS, Role.MAR, Role.COORDINATOR):
            u[f"{role}_{place}"] = make_user(f"{role}.{place}", (kommun, role))
        u[f"gp_{place}"] = make_user(f"gp.{place}", (o[f"vc_{place}"], Role.GP))
    u["specialist"] = make_user("specialist", (o["clinic"], Role.SPECIALIST))
    u["governance"] = make_user("governance", (o["body"], Role.GOVERNANCE))
    u["admin"] = make_user("admin", (region, Role.ADMIN), (o["kommun_a"], Role.ADMIN))
    u["nobody"] = make_user("nobody")
    return world


def signed_in(user: User, membership: Membership | None = None) -> Client:
    """A browser session of ``user`` acting in ``membership`` (by default their first), as after the
    role choice that sessions with several memberships go through."""
    client = Client()
    client.force_login(user)
    chosen = membership or user.memberships.order_by("pk").first()
    if chosen is not None:
        session = client.session
        session[ACTING_MEMBERSHIP_SESSION_KEY] = str(chosen.public_id)
        session.save()
    return client
