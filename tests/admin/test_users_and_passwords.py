"""A new user gets a link to their own e-mail address to choose a password; nobody else ever sets it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from directory.models import AdminEvent, Membership, Role, User

from .conftest import AdminWorld


def _user_add(as_admin: Client, organisation: int, role: str = Role.GP, **fields: str) -> Any:
    data = {
        "username": "ny.lakare",
        "first_name": "Ny",
        "last_name": "Läkare",
        "email": "ny.lakare@example.org",
        "hsa_id": "SE2321000131-E000000099",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-organisation": str(organisation),
        "memberships-0-role": role,
        "memberships-0-valid_from": "2026-01-01",
        "memberships-0-valid_to": "",
        "_save": "Spara",
        **fields,
    }
    return as_admin.post("/admin/directory/user/add/", data)


@pytest.mark.django_db
def test_a_new_user_gets_a_link_and_logs_in_with_the_password_they_chose(
    aw: AdminWorld, as_admin: Client
) -> None:
    response = _user_add(
        as_admin, aw.own_org.pk, password1="admin-knows-this-1", password2="admin-knows-this-1"
    )
    assert response.status_code == 302
    user = User.objects.get(username="ny.lakare")
    assert not user.has_usable_password()
    assert not user.is_staff
    assert not user.is_superuser
    assert list(Membership.objects.filter(user=user).values_list("organisation", "role")) == [
        (aw.own_org.pk, Role.GP)
    ]
    actions = list(AdminEvent.objects.filter(object_id=str(user.public_id)).values_list("action", flat=True))
    assert sorted(actions) == ["created", "password_link_sent"]
    assert AdminEvent.objects.filter(object_type="membership", actor=aw.admin, action="created").exists()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ny.lakare@example.org"]
    assert message.subject == "Välj ditt lösenord till Hemsjukvård"
    assert "Din systemförvaltare har bett dig välja ett lösenord" in str(message.body)
    link = re.search(r"https?://[^/\s]+(/accounts/password/\S+/)", str(message.body))
    assert link is not None, message.body
    anonymous = Client()
    page = anonymous.get(link.group(1), follow=True)
    assert page.status_code == 200
    form_url = page.redirect_chain[-1][0] if page.redirect_chain else link.group(1)
    done = anonymous.post(
        form_url, {"new_password1": "Valt-av-mig-själv-77", "new_password2": "Valt-av-mig-själv-77"}
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Valt-av-mig-själv-77")
    # The link works once.
    assert "new_password1" not in anonymous.get(link.group(1), follow=True).content.decode()


@pytest.mark.django_db
def test_a_new_user_in_another_organisation_is_a_form_error(aw: AdminWorld, as_admin: Client) -> None:
    users, events = User.objects.count(), AdminEvent.objects.count()
    response = _user_add(as_admin, aw.other_org.pk, role=Role.NURSE)
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert (User.objects.count(), AdminEvent.objects.count()) == (users, events)
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_new_user_needs_a_membership_in_the_own_organisation(aw: AdminWorld, as_admin: Client) -> None:
    users = User.objects.count()
    response = _user_add(as_admin, aw.own_org.pk, **{"memberships-TOTAL_FORMS": "0"})
    assert response.status_code == 200
    assert User.objects.count() == users


@pytest.mark.django_db
def test_the_link_action_sends_to_managed_users_only(aw: AdminWorld, as_admin: Client) -> None:
    response = as_admin.post(
        "/admin/directory/user/",
        {"action": "send_password_link", "_selected_action": [str(aw.own_user.pk), str(aw.other_user.pk)]},
    )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[aw.own_user.email]]
    event = AdminEvent.objects.latest("pk")
    assert (event.action, event.object_label, event.actor) == (
        "password_link_sent",
        str(aw.own_user),
        aw.admin,
    )


@pytest.mark.django_db
def test_the_address_of_a_user_who_has_a_password_is_not_the_administrators_to_change(
    aw: AdminWorld, as_admin: Client
) -> None:
    # Otherwise: change the address to one's own, send the link, choose the password, log in as them.
    assert aw.own_user.has_usable_password()
    page = as_admin.get(f"/admin/directory/user/{aw.own_user.pk}/change/").content.decode()
    assert 'name="email"' not in page
    as_admin.post(
        f"/admin/directory/user/{aw.own_user.pk}/change/",
        {
            "username": aw.own_user.username,
            "email": "attacker@example.org",
            "is_active": "on",
            "first_name": "X",
        },
    )
    aw.own_user.refresh_from_db()
    assert aw.own_user.email == "gp.a@example.org"
