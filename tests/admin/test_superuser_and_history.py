"""A superuser keeps full power, and is recorded as such; the administration history is append-only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from directory.models import AdminEvent, AppendOnlyError, Membership, Role
from integrations.models import ApiClient

from .conftest import AdminWorld, form_data


@pytest.mark.django_db
def test_a_superuser_may_change_anyone_and_is_recorded_as_superuser(
    aw: AdminWorld, as_superuser: Client
) -> None:
    url = f"/admin/directory/user/{aw.other_user.pk}/change/"
    data = form_data(as_superuser.get(url).content.decode(), is_staff="on", first_name="Ändrad")
    assert as_superuser.post(url, data).status_code == 302
    aw.other_user.refresh_from_db()
    assert aw.other_user.is_staff
    event = AdminEvent.objects.latest("pk")
    assert event.as_superuser
    assert event.actor == aw.superuser
    assert event.acting_organisation is None
    assert event.changes["is_staff"] == [False, True]
    assert event.changes["first_name"][1] == "Ändrad"
    assert "password" not in event.changes

    response = as_superuser.post(
        "/admin/directory/membership/add/",
        {
            "user": str(aw.other_user.pk),
            "organisation": str(aw.own_org.pk),
            "role": Role.ADMIN,
            "valid_from": "2026-01-01",
            "valid_to": "",
        },
    )
    assert response.status_code == 302
    assert Membership.objects.filter(user=aw.other_user, role=Role.ADMIN).exists()


@pytest.mark.django_db
def test_a_superuser_may_still_set_a_password(aw: AdminWorld, as_superuser: Client) -> None:
    url = f"/admin/directory/user/{aw.other_user.pk}/password/"
    response = as_superuser.post(
        url, {"password1": "Satt-av-root-123", "password2": "Satt-av-root-123", "usable_password": "true"}
    )
    assert response.status_code == 302
    aw.other_user.refresh_from_db()
    assert aw.other_user.check_password("Satt-av-root-123")


@pytest.mark.django_db
def test_the_history_refuses_update_and_delete_in_the_model_and_in_the_database(
    aw: AdminWorld, as_admin: Client
) -> None:
    as_admin.post(f"/admin/directory/membership/{aw.own_membership.pk}/delete/", {"post": "yes"})
    event = AdminEvent.objects.latest("pk")
    event.actor_label = "någon annan"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AdminEvent.objects.filter(pk=event.pk).update(actor_label="någon annan")
    with pytest.raises(DatabaseError), transaction.atomic():
        AdminEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.actor_label == aw.admin.display_name


@pytest.mark.django_db
def test_a_superusers_api_client_changes_are_recorded_without_the_secret(
    aw: AdminWorld, as_superuser: Client
) -> None:
    response = as_superuser.post(
        "/admin/integrations/apiclient/add/",
        {
            "name": "Ny journal",
            "organisation": str(aw.other_org.pk),
            "access": "read",
            "scope_organisations": [str(aw.other_org.pk)],
            "secrets-TOTAL_FORMS": "0",
            "secrets-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    client = ApiClient.objects.get(name="Ny journal")
    created = AdminEvent.objects.latest("pk")
    assert (created.action, created.object_type, created.as_superuser) == ("created", "api_client", True)
    assert created.changes["scope"] == [None, [aw.other_org.name]]
    secrets = [_shown_secret(response)]
    response = as_superuser.post(
        "/admin/integrations/apiclient/",
        {"action": "rotate_secret", "_selected_action": [str(client.pk)]},
        follow=True,
    )
    secrets.append(_shown_secret(response))
    rotated = AdminEvent.objects.latest("pk")
    assert (rotated.action, rotated.object_id) == ("secret_rotated", str(client.public_id))
    # The secret was shown once, on the page, and is nowhere in the record.
    for event in (created, rotated):
        for secret in secrets:
            assert secret not in json.dumps(event.changes)


def _shown_secret(response: Any) -> str:
    shown = [str(m) for m in response.context["messages"]]
    return next(m for m in shown if "client_secret" in m).split("<code>")[-1].split("</code>")[0]


@pytest.mark.django_db
def test_a_superuser_cannot_make_another_superuser_in_the_browser(
    aw: AdminWorld, as_superuser: Client
) -> None:
    url = f"/admin/directory/user/{aw.other_user.pk}/change/"
    page = as_superuser.get(url).content.decode()
    assert 'name="is_superuser"' not in page  # shown read-only, not as a box to tick
    data = form_data(page, first_name="Ändrad")
    data["is_superuser"] = ["on"]  # a hand-made post
    assert as_superuser.post(url, data).status_code == 302
    aw.other_user.refresh_from_db()
    assert (aw.other_user.first_name, aw.other_user.is_superuser) == ("Ändrad", False)


@pytest.mark.django_db
def test_groups_are_a_superusers_even_where_a_group_may_change_groups(
    aw: AdminWorld, as_admin: Client
) -> None:
    from django.contrib.auth.models import Group, Permission

    # Suppose a superuser once gave the administrators' group the permissions on groups: an organisation
    # administrator must still not be able to give their own group more.
    group = aw.admin.groups.first()
    assert group is not None
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="auth", codename__endswith="_group")
    )
    before = set(group.permissions.values_list("pk", flat=True))
    assert as_admin.get("/admin/auth/group/").status_code == 403
    assert as_admin.get(f"/admin/auth/group/{group.pk}/change/").status_code == 403
    everything = list(Permission.objects.values_list("pk", flat=True))
    post = as_admin.post(
        f"/admin/auth/group/{group.pk}/change/", {"name": group.name, "permissions": everything}
    )
    assert post.status_code == 403
    assert set(Group.objects.get(pk=group.pk).permissions.values_list("pk", flat=True)) == before
    assert as_admin.post("/admin/auth/group/add/", {"name": "Egen"}).status_code == 403
    assert not Group.objects.filter(name="Egen").exists()
