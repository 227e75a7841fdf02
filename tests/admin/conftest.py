"""The administration's test world: a vårdcentral's administrator, their own and another organisation's
people, memberships, tokens and API clients, and a superuser.

The administrators get exactly the demo's group permissions (``demo.world.grant_admin_site``), so the
tests check what a real deployment's systemförvaltare can do. Forms are posted as the admin renders them
(``form_data`` reads the page), the way a person, or an attacker with the page open, would post them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from django.test import Client

from demo.world import grant_admin_site
from directory.authentication import token_issue
from directory.models import ApiToken, Membership, Organisation, Role, User
from integrations.models import ApiClient
from integrations.services import api_client_create
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World, make_user


@dataclass
class AdminWorld:
    world: World
    admin: User  # the administrator of Vårdcentralen A
    superuser: User
    own_user: User  # a GP of Vårdcentralen A only
    other_user: User  # a nurse of B kommun only
    own_token: ApiToken
    other_token: ApiToken
    own_client: ApiClient
    other_client: ApiClient

    @property
    def own_org(self) -> Organisation:
        return self.world.orgs["vc_a"]

    @property
    def other_org(self) -> Organisation:
        return self.world.orgs["kommun_b"]

    @property
    def own_membership(self) -> Membership:
        return Membership.objects.get(user=self.own_user, organisation=self.own_org)

    @property
    def other_membership(self) -> Membership:
        return Membership.objects.get(user=self.other_user, organisation=self.other_org)


def _token(user: User) -> ApiToken:
    return token_issue(user=user)[1]


@pytest.fixture
def aw(world: World) -> AdminWorld:
    admin = make_user("admin.vc-a", (world.orgs["vc_a"], Role.ADMIN))
    admin.email = "admin.vc-a@example.org"
    admin.save(update_fields=["email"])
    grant_admin_site(users=[admin, world.users["admin"]])
    own_user, other_user = world.users["gp_a"], world.users["nurse_b"]
    for user in (own_user, other_user):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    superuser = User.objects.create_superuser("root", "root@example.org", "a-long-test-password-1")
    return AdminWorld(
        world=world,
        admin=admin,
        superuser=superuser,
        own_user=own_user,
        other_user=other_user,
        own_token=_token(own_user),
        other_token=_token(other_user),
        own_client=api_client_create(
            name="Journal A", organisation=world.orgs["vc_a"], scope=[world.orgs["vc_a"]]
        ).client,
        other_client=api_client_create(
            name="Verksamhetssystem B", organisation=world.orgs["kommun_b"], scope=[world.orgs["kommun_b"]]
        ).client,
    )


@pytest.fixture
def as_admin(aw: AdminWorld) -> Client:
    return signed_in(aw.admin)


@pytest.fixture
def as_superuser(aw: AdminWorld) -> Client:
    return signed_in(aw.superuser)


class _FormReader(HTMLParser):
    """The fields of the admin's main form as the browser would post them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        if tag == "form" and a.get("method", "").lower() == "post" and "id" in a:
            self._in_form = True
        if not self._in_form or "name" not in a or "disabled" in a:
            if tag == "option" and self._select is not None and "selected" in a:
                self.data.setdefault(self._select, []).append(a.get("value", ""))
            return
        name = a["name"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in {"submit", "button", "file"}:
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self.data[self._textarea] = [self.data[self._textarea][0] + data]


def form_data(html: str, **changes: str | list[str]) -> dict[str, list[str]]:
    reader = _FormReader()
    reader.feed(html)
    data = {name: values for name, values in reader.data.items() if values}
    for name, value in changes.items():
        data[name] = value if isinstance(value, list) else [value]
    return data


LONG_AGO = datetime.date(2020, 1, 1)
