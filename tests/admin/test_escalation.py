"""The attacks an organisation administrator tried, replayed: each is refused and writes nothing.

Logged in to /admin/ as a vårdcentral's administrator one could give oneself a nurse membership in
another kommun (and read its patients through the API), set another user's password and log in as them,
and tick is_superuser on oneself.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from directory.actor import Actor
from directory.models import AdminEvent, Membership, Role, User

from .conftest import AdminWorld, form_data


def _membership_add(as_admin: Client, **fields: str) -> tuple[int, str]:
    data = {"valid_from": "2026-01-01", "valid_to": "", **fields}
    response = as_admin.post("/admin/directory/membership/add/", data)
    return response.status_code, response.content.decode()


@pytest.mark.django_db
def test_a_nurse_membership_in_another_kommun_for_oneself_is_refused(
    aw: AdminWorld, as_admin: Client, api: Callable[[User | None], APIClient]
) -> None:
    patient = aw.world.patient(kommun="kommun_b", vardcentral="vc_b")
    before = Membership.objects.count(), AdminEvent.objects.count()
    status, html = _membership_add(
        as_admin, user=str(aw.admin.pk), organisation=str(aw.other_org.pk), role=Role.NURSE
    )
    assert status == 200  # the form again, with errors
    assert "errorlist" in html
    assert (Membership.objects.count(), AdminEvent.objects.count()) == before
    assert aw.other_org.pk not in Actor.for_user(aw.admin).organisation_ids()
    listing = api(aw.admin).get("/api/v1/patients")
    assert str(patient.public_id) not in listing.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "where", "role"),
    [
        ("own_user", "other_org", Role.NURSE),  # another organisation, for someone else
        ("admin", "own_org", Role.GP),  # a care role for oneself, in one's own organisation
        ("own_user", "own_org", Role.ADMIN),  # another administrator: a superuser's to make
        ("other_user", "own_org", Role.GP),  # someone the administrator does not manage
    ],
)
def test_memberships_an_organisation_administrator_may_not_grant(
    aw: AdminWorld, as_admin: Client, who: str, where: str, role: str
) -> None:
    user = getattr(aw, who)
    organisation = getattr(aw, where)
    before = Membership.objects.count(), AdminEvent.objects.count()
    status, html = _membership_add(as_admin, user=str(user.pk), organisation=str(organisation.pk), role=role)
    assert status == 200
    assert "errorlist" in html
    assert (Membership.objects.count(), AdminEvent.objects.count()) == before


@pytest.mark.django_db
def test_a_membership_in_the_own_organisation_is_granted_and_recorded(
    aw: AdminWorld, as_admin: Client
) -> None:
    colleague = aw.world.users["coordinator_a"]
    Membership.objects.create(user=colleague, organisation=aw.own_org, role=Role.COORDINATOR)
    status, _html = _membership_add(
        as_admin, user=str(aw.own_user.pk), organisation=str(aw.own_org.pk), role=Role.COORDINATOR
    )
    assert status == 302
    membership = Membership.objects.get(user=aw.own_user, role=Role.COORDINATOR)
    event = AdminEvent.objects.latest("pk")
    assert event.object_id == str(membership.public_id)
    assert (event.action, event.actor, event.acting_organisation) == ("created", aw.admin, aw.own_org)
    assert event.changes["role"] == [None, "coordinator"]
    assert event.changes["organisation"] == [None, aw.own_org.name]


@pytest.mark.django_db
def test_a_membership_cannot_be_moved_to_another_organisation(
    aw: AdminWorld, as_admin: Client, as_superuser: Client
) -> None:
    membership = aw.own_membership
    page = as_superuser.get(f"/admin/directory/membership/{membership.pk}/change/")
    data = form_data(page.content.decode(), organisation=str(aw.world.orgs["vc_b"].pk))
    response = as_admin.post(f"/admin/directory/membership/{membership.pk}/change/", data)
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.organisation == aw.own_org


@pytest.mark.django_db
def test_the_organisation_choices_offer_only_the_own_organisation(aw: AdminWorld, as_admin: Client) -> None:
    response = as_admin.get(
        "/admin/autocomplete/",
        {"app_label": "directory", "model_name": "membership", "field_name": "organisation", "term": ""},
    )
    assert response.status_code == 200
    assert {row["text"] for row in response.json()["results"]} == {aw.own_org.name}
    users = as_admin.get(
        "/admin/autocomplete/",
        {"app_label": "directory", "model_name": "membership", "field_name": "user", "term": ""},
    ).json()["results"]
    assert aw.other_user.username not in {row["text"] for row in users}


@pytest.mark.django_db
def test_ones_own_account_cannot_be_changed(aw: AdminWorld, as_admin: Client, as_superuser: Client) -> None:
    page = as_admin.get(f"/admin/directory/user/{aw.admin.pk}/change/")
    assert page.status_code == 200  # shown, read-only
    html = page.content.decode()
    assert 'name="is_superuser"' not in html
    assert 'name="is_staff"' not in html
    data = form_data(
        as_superuser.get(f"/admin/directory/user/{aw.admin.pk}/change/").content.decode(),
        is_superuser="on",
        is_staff="on",
    )
    assert as_admin.post(f"/admin/directory/user/{aw.admin.pk}/change/", data).status_code == 403
    aw.admin.refresh_from_db()
    assert not aw.admin.is_superuser


@pytest.mark.django_db
def test_staff_and_superuser_cannot_be_set_on_a_managed_user(
    aw: AdminWorld, as_admin: Client, as_superuser: Client
) -> None:
    page = as_admin.get(f"/admin/directory/user/{aw.own_user.pk}/change/")
    html = page.content.decode()
    for field in ("is_superuser", "is_staff", "groups", "user_permissions", "password"):
        assert f'name="{field}"' not in html
    data = form_data(
        as_superuser.get(f"/admin/directory/user/{aw.own_user.pk}/change/").content.decode(),
        is_superuser="on",
        is_staff="on",
        groups=[str(g.pk) for g in aw.admin.groups.all()],
    )
    assert as_admin.post(f"/admin/directory/user/{aw.own_user.pk}/change/", data).status_code == 302
    aw.own_user.refresh_from_db()
    assert not aw.own_user.is_superuser
    assert not aw.own_user.is_staff
    assert not aw.own_user.groups.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["own_user", "other_user", "admin"])
def test_the_password_change_view_is_refused(aw: AdminWorld, as_admin: Client, who: str) -> None:
    user: User = getattr(aw, who)
    url = f"/admin/directory/user/{user.pk}/password/"
    assert as_admin.get(url).status_code in {403, 404}
    response = as_admin.post(url, {"password1": "Ett-nytt-lösenord-42", "password2": "Ett-nytt-lösenord-42"})
    assert response.status_code in {403, 404}
    user.refresh_from_db()
    assert not user.check_password("Ett-nytt-lösenord-42")


@pytest.mark.django_db
def test_a_user_shared_with_another_organisation_is_read_only(aw: AdminWorld, as_admin: Client) -> None:
    # A GP of Vårdcentralen A who also works for Vårdcentralen B: A's administrator could otherwise take over
    # an account that B relies on.
    shared = aw.own_user
    Membership.objects.create(
        user=shared, organisation=aw.world.orgs["vc_b"], role=Role.GP, valid_from=timezone.localdate()
    )
    assert as_admin.get(f"/admin/directory/user/{shared.pk}/change/").status_code == 200
    response = as_admin.post(f"/admin/directory/user/{shared.pk}/change/", {"first_name": "Ändrad"})
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.first_name != "Ändrad"


@pytest.mark.django_db
def test_another_administrator_is_the_superusers_to_manage(aw: AdminWorld, as_admin: Client) -> None:
    colleague = User.objects.create_user("admin2.vc-a", email="admin2@example.org", is_staff=True)
    Membership.objects.create(user=colleague, organisation=aw.own_org, role=Role.ADMIN)
    response = as_admin.post(
        f"/admin/directory/user/{colleague.pk}/change/", {"email": "attacker@example.org"}
    )
    assert response.status_code == 403
    membership = Membership.objects.get(user=colleague)
    assert (
        as_admin.post(f"/admin/directory/membership/{membership.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Membership.objects.filter(pk=membership.pk).exists()


@pytest.mark.django_db
def test_a_staff_user_without_an_admin_membership_sees_nothing(aw: AdminWorld) -> None:
    aw.admin.memberships.update(valid_to=timezone.localdate() - timezone.timedelta(days=1))
    client = Client()
    client.force_login(aw.admin)
    for url in ("directory/user", "directory/membership", "directory/apitoken", "integrations/apiclient"):
        assert client.get(f"/admin/{url}/").status_code == 403
    assert client.get(f"/admin/directory/user/{aw.own_user.pk}/change/").status_code in {403, 404}
