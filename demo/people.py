"""The staff of the demo world: one user per role per organisation where the role fits, with fictional
names and HSA-ids, and the system administrators' way into Django admin.

``user_specs`` describes them; ``seed_users`` writes them and their memberships, matched on usernames,
all with the one demo password.
"""

from __future__ import annotations

import datetime
import random
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password

from directory.models import (
    ROLES_BY_ORGANISATION_KIND,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    Team,
    User,
)

from .names import FAMILY_NAMES, STAFF_GIVEN_NAMES_FEMALE, STAFF_GIVEN_NAMES_MALE
from .organisations import KOMMUN_BY_NAME, demo_hsa_id, organisation_specs
from .report import Credential, WorldReport

# Public on purpose: every demo user has it, and the command prints it.
DEFAULT_PASSWORD = "Demo-hemsjukvard-2026"  # noqa: S105

# Every membership in the demo world starts on the same fixed day, so that reruns on other days match
# the memberships they made before (the membership's natural key includes its start).
DEMO_MEMBERSHIP_START = datetime.date(2024, 1, 1)


# A kommun whose MAR post is vacant: MAS decides rehabilitation matters there (domain brief §2).
VACANT_MAR_KOMMUN = "Hylte kommun"
# One MAR serves two kommuner: the MAR of the first is also the MAR of the second.
SHARED_MAR = ("Halmstads kommun", "Laholms kommun")
# A kommun nurse who is also acting MAS (tf. MAS) in the same kommun, beside its MAS: a user with several
# memberships, to show the choice of acting role.
ACTING_MAS_KOMMUN = "Falkenbergs kommun"

# A kommun with a second nurse and a team of its two nurses, to walk a case's hand-over to a colleague
# (holidays, sick leave) or to the team (``TEAM_NAME``): ``nurse2.varberg`` beside ``nurse.varberg``.
SECOND_NURSE_KOMMUN = "Varbergs kommun"
TEAM_NAME = "Hemsjukvården Varberg dagtid"

# The order roles are listed in: each organisation's own care or decision roles first.
_ROLE_ORDER: list[str] = [
    Role.NURSE,
    Role.REHAB,
    Role.GP,
    Role.SPECIALIST,
    Role.MAS,
    Role.MAR,
    Role.BISTANDSHANDLAGGARE,
    Role.GOVERNANCE,
    Role.COORDINATOR,
    Role.LOG_REVIEWER,
    Role.ADMIN,
]


@dataclass(frozen=True)
class MembershipSpec:
    organisation_name: str
    role: str
    note: str = ""


@dataclass(frozen=True)
class UserSpec:
    username: str
    given_name: str
    family_name: str
    hsa_id: str
    memberships: tuple[MembershipSpec, ...]

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


def _user_hsa_id(username: str) -> str:
    # Derived from the username, not from a position in a list, so adding an organisation to the
    # world never moves an existing user's HSA-id onto another user.
    return demo_hsa_id(f"P{zlib.crc32(username.encode()) % 1_000_000:06d}")


def _staff_name(username: str, taken: set[tuple[str, str]]) -> tuple[str, str]:
    rng = random.Random(f"staff:{username}")  # noqa: S311 - made-up names, not secrets
    while True:
        names = rng.choice((STAFF_GIVEN_NAMES_FEMALE, STAFF_GIVEN_NAMES_MALE))
        name = (rng.choice(names), rng.choice(FAMILY_NAMES))
        if name not in taken:
            taken.add(name)
            return name


def user_specs() -> list[UserSpec]:
    """One user per role per organisation where the role fits (``ROLES_BY_ORGANISATION_KIND``).

    Usernames are ``<role>.<organisation slug>``, e.g. ``nurse.varberg``, ``gp.vc-centrum-varberg``,
    ``specialist.njurmedicin``, ``governance.rug``, ``admin.halland``. Exceptions, on purpose: Hylte has no
    MAR (vacant), Laholm's MAR is ``mar.halmstad`` (shared), ``nurse.falkenberg`` is also acting MAS, and
    the region's log reviewer (``log_reviewer.<region>``) sits in the region, not in each unit.
    """
    memberships: dict[str, list[MembershipSpec]] = {}
    for org in organisation_specs():
        for role in sorted(ROLES_BY_ORGANISATION_KIND[org.kind], key=_ROLE_ORDER.index):
            if role == Role.MAR and org.name == VACANT_MAR_KOMMUN:
                continue
            if role == Role.MAR and org.name == SHARED_MAR[1]:
                continue  # held by the shared MAR below
            if role == Role.LOG_REVIEWER and org.kind != OrganisationKind.REGION:
                continue  # one loggranskare reviews the whole region's staff, units included
            memberships.setdefault(f"{role}.{org.slug}", []).append(MembershipSpec(org.name, role))

    shared_mar_username = f"{Role.MAR}.{KOMMUN_BY_NAME[SHARED_MAR[0]].slug}"
    memberships[shared_mar_username] = [
        MembershipSpec(SHARED_MAR[0], Role.MAR, f"delad MAR, även {SHARED_MAR[1]}"),
        MembershipSpec(SHARED_MAR[1], Role.MAR, f"delad MAR, även {SHARED_MAR[0]}"),
    ]
    acting_username = f"{Role.NURSE}.{KOMMUN_BY_NAME[ACTING_MAS_KOMMUN].slug}"
    memberships[acting_username].append(MembershipSpec(ACTING_MAS_KOMMUN, Role.MAS, "tf. MAS"))
    # Last, so that adding her changes no other demo person's name.
    second_nurse = f"{Role.NURSE}2.{KOMMUN_BY_NAME[SECOND_NURSE_KOMMUN].slug}"
    memberships[second_nurse] = [MembershipSpec(SECOND_NURSE_KOMMUN, Role.NURSE, "kollega, samma team")]

    taken: set[tuple[str, str]] = set()
    specs = []
    for username, held in memberships.items():
        given_name, family_name = _staff_name(username, taken)
        specs.append(UserSpec(username, given_name, family_name, _user_hsa_id(username), tuple(held)))
    return specs


def check_demo_password(password: str) -> None:
    """Raise ``django.core.exceptions.ValidationError`` unless the project's validators accept it."""
    validate_password(password)


def _shared_password_hash(password: str, usernames: Sequence[str]) -> str:
    # Hashing with the production hasher takes a good fraction of a second; once for the whole
    # staff is enough, and reusing a stored hash that already matches keeps reruns quiet.
    for stored in User.objects.filter(username__in=usernames).values_list("password", flat=True)[:1]:
        if check_password(password, stored):
            return stored
    return make_password(password)


ADMIN_GROUP = "Systemförvaltare"
REGION_ADMIN_GROUP = "Systemförvaltare, region"
# What every systemförvaltare may do in Django admin (no patient data): manage their own organisation's
# users, memberships and teams, see their organisation, revoke their users' API tokens and their
# organisation's API clients, read agreements and the history of administration. The admin narrows each
# of these to the organisations the person administers (directory.administration); these are the ceiling.
ADMIN_PERMISSIONS = (
    ("directory", "view_user"),
    ("directory", "add_user"),
    ("directory", "change_user"),
    ("directory", "view_membership"),
    ("directory", "add_membership"),
    ("directory", "change_membership"),
    ("directory", "delete_membership"),
    ("directory", "view_organisation"),
    ("directory", "view_apitoken"),
    ("directory", "change_apitoken"),
    ("directory", "view_adminevent"),
    ("directory", "view_team"),
    ("directory", "add_team"),
    ("directory", "change_team"),
    ("integrations", "view_apiclient"),
    ("integrations", "change_apiclient"),
    ("agreements", "view_agreement"),
    ("agreements", "view_agreementversion"),
    ("agreements", "view_responsibilityrule"),
    ("agreements", "view_caretasktype"),
    ("agreements", "view_agreementevent"),
)
# A region's systemförvaltare also maintains the region's agreements and the task types.
REGION_ADMIN_APPS = ("agreements",)


def _is_admin(spec: UserSpec) -> bool:
    return any(held.role == Role.ADMIN for held in spec.memberships)


def _permissions(pairs: Sequence[tuple[str, str]]) -> list[Permission]:
    wanted = set(pairs)
    return [
        permission
        for permission in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={app for app, _codename in wanted}
        )
        if (permission.content_type.app_label, permission.codename) in wanted
    ]


def grant_admin_site(*, users: Sequence[User]) -> None:
    """Let the demo's system administrators into Django admin: staff, with the administrators' group, and
    a region's administrators also with the agreements group. Never superuser."""
    group, _ = Group.objects.get_or_create(name=ADMIN_GROUP)
    group.permissions.set(_permissions(ADMIN_PERMISSIONS))
    region_group, _ = Group.objects.get_or_create(name=REGION_ADMIN_GROUP)
    region_group.permissions.set(Permission.objects.filter(content_type__app_label__in=REGION_ADMIN_APPS))
    for user in users:
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(group)
        in_region = Membership.objects.filter(
            user=user, role=Role.ADMIN, organisation__kind=OrganisationKind.REGION
        ).exists()
        if in_region:
            user.groups.add(region_group)
        else:
            user.groups.remove(region_group)


def seed_users(
    *, password: str, organisations: dict[str, Organisation], report: WorldReport | None = None
) -> dict[str, User]:
    """Create or update the staff and their memberships; return the users by username."""
    report = report or WorldReport()
    specs = user_specs()
    password_hash = _shared_password_hash(password, [spec.username for spec in specs])
    users: dict[str, User] = {}
    for spec in specs:
        user, created = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.given_name,
                "last_name": spec.family_name,
                "email": spec.email,
                "hsa_id": spec.hsa_id,
                "password": password_hash,
                "is_active": True,
            },
        )
        if created:
            report.users.created += 1
        else:
            report.users.updated += 1
        users[spec.username] = user
        for held in spec.memberships:
            _, created = Membership.objects.update_or_create(
                user=user,
                organisation=organisations[held.organisation_name],
                role=held.role,
                defaults={"valid_from": DEMO_MEMBERSHIP_START, "valid_to": None},
            )
            if created:
                report.memberships.created += 1
            else:
                report.memberships.updated += 1
            report.credentials.append(
                Credential(spec.username, spec.full_name, held.role, held.organisation_name, held.note)
            )
    grant_admin_site(users=[users[spec.username] for spec in specs if _is_admin(spec)])
    seed_team(organisations=organisations)
    order = {name: position for position, name in enumerate(organisations)}
    report.credentials.sort(key=lambda c: (order[c.organisation], _ROLE_ORDER.index(c.role)))
    return users


def seed_team(*, organisations: dict[str, Organisation]) -> Team:
    """The kommun's team of its nurses (``TEAM_NAME``), so a case can be handed to the team."""
    kommun = organisations[SECOND_NURSE_KOMMUN]
    team, _created = Team.objects.get_or_create(organisation=kommun, name=TEAM_NAME)
    team.members.set(Membership.objects.filter(organisation=kommun, role=Role.NURSE))
    return team
