"""A superuser keeps full power, and is recorded as such; the administration history is append-only."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from directory.models import AdminEvent, AppendOnlyError, Membership, Role

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
