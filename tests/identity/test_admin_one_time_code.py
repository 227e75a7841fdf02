"""The administrators' sign-in to /admin/: password and a one-time code from an enrolled authenticator app.

With ``ADMIN_OTP_REQUIRED`` on (production's default) a password alone does not open the admin, a code
is accepted once, a refused code is logged, and only staff accounts are enrolled (on the server, with an
administration event for enrolling and removing).
"""

from __future__ import annotations

import logging
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from demo.world import grant_admin_site
from directory.models import AdminEvent, User

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-test-password-1"


@pytest.fixture
def otp_required(settings):
    settings.ADMIN_OTP_REQUIRED = True


@pytest.fixture
def root(db) -> User:
    return User.objects.create_superuser("root", "root@example.org", PASSWORD)


def _enrol(username: str, *args: str) -> str:
    out = StringIO()
    call_command("totp_enrol", username, *args, stdout=out)
    return out.getvalue()


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _sign_in(client: Client, username: str, code: str | None, password: str = PASSWORD):
    data = {"username": username, "password": password}
    if code is not None:
        data["otp_token"] = code
    return client.post("/admin/login/?next=/admin/", data)


def _signed_in(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_the_setting_decides_whether_a_password_alone_opens_the_admin(settings, root):
    # Development and the demo: one command, printed credentials, no authenticator app.
    settings.ADMIN_OTP_REQUIRED = False
    demo = Client()
    assert b"otp_token" not in demo.get("/admin/login/").content
    assert _sign_in(demo, "root", None).status_code == 302
    assert _signed_in(demo)

    settings.ADMIN_OTP_REQUIRED = True
    assert not _signed_in(demo)  # the same session, now without its second factor


def test_a_password_without_a_code_does_not_open_the_admin(otp_required, root):
    _enrol("root")
    client = Client()
    page = client.get("/admin/login/")
    assert b'name="otp_token"' in page.content
    assert "Engångskod" in page.content.decode()
    answer = _sign_in(client, "root", None)
    assert answer.status_code == 200
    assert "Ange engångskoden från din autentiseringsapp." in answer.content.decode()
    assert "_auth_user_id" not in client.session
    assert not _signed_in(client)
    # Nor does a session signed in with the password elsewhere (the login page, where it is on).
    password_only = Client()
    password_only.force_login(root)
    assert password_only.get("/admin/")["Location"].startswith("/admin/login/")


def test_the_right_code_opens_the_admin(otp_required, root):
    _enrol("root")
    client = Client()
    answer = _sign_in(client, "root", _code(TOTPDevice.objects.get(user=root)))
    assert answer.status_code == 302
    assert answer["Location"] == "/admin/"
    assert _signed_in(client)


def test_a_used_code_is_refused_and_logged(otp_required, root, caplog):
    _enrol("root")
    code = _code(TOTPDevice.objects.get(user=root))
    assert _sign_in(Client(), "root", code).status_code == 302
    again = Client()
    with caplog.at_level(logging.WARNING, logger="hemsjukvard.security"):
        answer = _sign_in(again, "root", code)
    assert answer.status_code == 200
    assert "Fel eller förbrukad engångskod" in answer.content.decode()
    assert not _signed_in(again)
    assert any(
        r.name == "hemsjukvard.security" and "one-time code invalid_token for root" in r.getMessage()
        for r in caplog.records
    )
    assert code not in caplog.text  # the code itself is not logged


def test_a_wrong_code_is_refused_and_logged(otp_required, root, caplog):
    _enrol("root")
    right = _code(TOTPDevice.objects.get(user=root))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    client = Client()
    with caplog.at_level(logging.WARNING, logger="hemsjukvard.security"):
        answer = _sign_in(client, "root", wrong)
    assert "Fel eller förbrukad engångskod" in answer.content.decode()
    assert not _signed_in(client)
    assert "one-time code invalid_token for root" in caplog.text


def test_an_account_without_an_authenticator_app_cannot_sign_in(otp_required, root):
    client = Client()
    answer = _sign_in(client, "root", "123456")
    assert "Ingen autentiseringsapp" in answer.content.decode()
    assert not _signed_in(client)


def test_a_siths_session_needs_no_code(otp_required, world, settings):
    """A SITHS sign-in is two-factor already: an organisation administrator's admin opens without a code."""
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "identity.oidc.SithsBackend"]
    administrator = world.users["admin"]
    grant_admin_site(users=[administrator])
    siths = Client()
    siths.force_login(administrator, backend="identity.oidc.SithsBackend")
    assert _signed_in(siths)
    password = Client()
    password.force_login(administrator, backend="django.contrib.auth.backends.ModelBackend")
    assert not _signed_in(password)


def test_enrolment_prints_the_address_once_and_is_recorded(root):
    output = _enrol("root")
    device = TOTPDevice.objects.get(user=root)
    assert device.confirmed
    assert output.startswith("otpauth://totp/hemsjukvard%3Aroot?secret=")
    assert device.config_url in output
    event = AdminEvent.objects.get()
    assert (event.action, event.object_type, event.actor) == ("created", "totp_device", None)
    assert event.actor_label.startswith("manage.py totp_enrol")
    assert event.changes == {"user": [None, "root"], "name": [None, device.name], "confirmed": [None, True]}
    assert device.key not in str(event.changes)

    with pytest.raises(CommandError, match="already has"):
        _enrol("root")
    _enrol("root", "--replace")
    assert TOTPDevice.objects.filter(user=root).count() == 1
    assert TOTPDevice.objects.get(user=root).pk != device.pk
    assert list(AdminEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "created",
        "deleted",
        "created",
    ]

    call_command("totp_remove", "root", stdout=StringIO())
    assert not TOTPDevice.objects.exists()
    removed = AdminEvent.objects.order_by("pk").last()
    assert (removed.action, removed.object_type) == ("deleted", "totp_device")
    assert removed.actor_label.startswith("manage.py totp_remove")


def test_enrolment_is_refused_for_an_account_that_is_not_staff(world):
    with pytest.raises(CommandError, match="not an administrator"):
        _enrol(world.users["nurse_a"].username)
    assert not TOTPDevice.objects.exists()
    assert not AdminEvent.objects.exists()


def test_a_superuser_removes_an_authenticator_app_in_the_admin_and_it_is_recorded(settings, root):
    settings.ADMIN_OTP_REQUIRED = False
    staff = User.objects.create_user("breakglass", password=PASSWORD, is_staff=True)
    _enrol("breakglass")
    device = TOTPDevice.objects.get(user=staff)
    client = Client()
    client.force_login(root)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()  # the key is never shown
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    answer = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert not TOTPDevice.objects.exists()
    removed = AdminEvent.objects.order_by("pk").last()
    assert (removed.action, removed.actor, removed.as_superuser) == ("deleted", root, True)
    assert removed.changes["user"] == ["breakglass", None]
