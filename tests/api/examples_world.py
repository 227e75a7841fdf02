"""The demo world as an integrator meets it, for the tests that send requests the schema describes.

``seed_demo_world`` builds the demo world (organisations, demo users, patients, the Halland agreement
and cases along every path) in the test's database. ``ExampleWorld`` finds in it what a request needs:
a patient without a case, a case on which someone may take an action now (and who), a draft version
of the agreement; and it signs people in with a bearer token acting in the membership that acts.
"""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.management import call_command
from rest_framework.test import APIClient

from cases import selectors
from cases.models import ResponsibilityCase
from cases.policies import allowed_actions
from directory.actor import Actor
from directory.authentication import token_issue
from directory.models import Membership, Organisation, OrganisationKind, User
from patients.models import Patient

from .handoff.contract import Answer, Contract

REGION = "Region Halland"
KOMMUN = "Varbergs kommun"
CLINIC = "Njurmedicin Halland"
VARDCENTRAL = "Vårdcentralen Centrum Varberg"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


def seed_demo_world() -> None:
    call_command(
        "seed_demo", "--patients", "200", "--cases", "40", stdout=io.StringIO(), stderr=io.StringIO()
    )


def organisation(name: str) -> Organisation:
    return Organisation.objects.get(name=name)


@dataclass
class Caller:
    """One person (a membership) or one API client, with the headers every call of theirs carries."""

    label: str
    client: APIClient
    headers: dict[str, str] = field(default_factory=dict)
    authorization: str = ""  # the Authorization header its client sends, for clients of other kinds


def as_member(membership: Membership) -> Caller:
    raw, _token = token_issue(user=membership.user, membership=membership)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return Caller(f"{membership.user.username} ({membership.role})", client, authorization=f"Bearer {raw}")


def member(username: str, role: str | None = None) -> Membership:
    memberships = Membership.objects.active().filter(user__username=username).order_by("pk")
    if role is not None:
        memberships = memberships.filter(role=role)
    found = memberships.select_related("user", "organisation").first()
    assert found is not None, f"the demo world has no {username} ({role})"
    return found


def as_user(username: str, role: str | None = None) -> Caller:
    return as_member(member(username, role))


@dataclass
class ExampleWorld:
    """The seeded demo world and the contract's client; remembers the cases already acted on, so that
    each request meets the state its example was written for."""

    contract: Contract
    used_cases: set[int] = field(default_factory=set)
    used_patients: set[int] = field(default_factory=set)
    recommended: ResponsibilityCase | None = None
    ended: Patient | None = None
    integrator: tuple[Caller, Any] | None = None  # an API client and its webhook subscription's id

    def call(self, caller: Caller, operation_id: str, **kwargs: Any) -> Answer:
        headers = {**caller.headers, **kwargs.pop("headers", {})}
        return self.contract.call(caller.client, operation_id, headers=headers, **kwargs)

    def etag(self, caller: Caller, operation_id: str, object_id: Any) -> str:
        """The ETag of the caller's read of the object, as sent back in ``If-Match``."""
        answer = self.call(caller, operation_id, path_params={"id": object_id})
        assert answer.status == 200, (operation_id, answer.body)
        assert answer.etag, f"{operation_id} gives no ETag"
        return answer.etag

    def case_for(
        self, action: str, *, where: Iterable[ResponsibilityCase] | None = None, again: bool = False
    ) -> tuple[ResponsibilityCase, Membership]:
        """A demo case not yet acted on here on which someone may now take ``action``, and the membership
        in which they take it (the rule the API's ``allowed_actions`` shows)."""
        cases = list(where if where is not None else ResponsibilityCase.objects.order_by("pk"))
        cases = [c for c in cases if again or c.pk not in self.used_cases]
        memberships = list(
            Membership.objects.active()
            .filter(user__is_active=True, organisation__is_active=True)
            .select_related("user", "organisation")
            .order_by("pk")
        )
        for case in cases:
            facts = selectors.case_facts(case)
            for candidate in memberships:
                actor = Actor.for_user(candidate.user, acting=candidate)
                if action in allowed_actions(actor, case, facts):
                    self.used_cases.add(case.pk)
                    return case, candidate
        raise AssertionError(f"no demo case on which anyone may {action}")

    def patient_without_a_case(self, *, enrolled: bool = True) -> Patient:
        """A patient of Varbergs kommun listed at a vårdcentral, with no case (and enrolled or not)."""
        kommun = organisation(KOMMUN)
        busy = ResponsibilityCase.objects.values("patient_id")
        patients = (
            Patient.objects.filter(
                folkbokforing_kommun=kommun, protected_identity=False, listed_vardcentral__isnull=False
            )
            .exclude(pk__in=busy)
            .exclude(pk__in=self.used_patients)
            .order_by("pk")
        )
        open_enrolment = {"enrolments__kommun": kommun, "enrolments__ends_on__isnull": True}
        patients = patients.filter(**open_enrolment) if enrolled else patients.exclude(**open_enrolment)
        patient = patients.first()
        assert patient is not None, "the demo world has no such patient"
        self.used_patients.add(patient.pk)
        return patient


def fill_ids(
    value: Any, ids: dict[str, Any], values: dict[str, Any], missing: list[str], at: str = ""
) -> Any:
    """The example with every id (a UUID string) replaced by the seeded world's id for its field, and
    the integrator's own values (a password, a client secret) put in; an id the setup does not name is
    reported in ``missing``."""
    if isinstance(value, dict):
        filled = {}
        for key, item in value.items():
            if key in values:
                filled[key] = values[key]
            elif isinstance(item, str) and UUID.match(item):
                if key not in ids:
                    missing.append(f"{at}{key}")
                filled[key] = str(ids.get(key, item))
            else:
                filled[key] = fill_ids(item, ids, values, missing, f"{at}{key}/")
        return filled
    if isinstance(value, list):
        return [fill_ids(item, ids, values, missing, at) for item in value]
    return value


def user_of(membership: Membership) -> User:
    return membership.user


def kommun_nurse() -> Caller:
    return as_user("nurse.varberg")


def the_region() -> Organisation:
    return Organisation.objects.get(name=REGION, kind=OrganisationKind.REGION)


def new_id() -> str:
    return str(uuid.uuid4())
