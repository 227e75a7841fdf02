"""``manage.py totp_enrol <username> [--replace]``: an authenticator app for an administrator's sign-in
to /admin/; prints the ``otpauth://`` address once."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.models import User
from identity.totp import TotpEnrolmentError, server_source, totp_enrol


class Command(BaseCommand):
    help = (
        "Enrol an authenticator app (TOTP) for a staff account's sign-in to /admin/ and print its "
        "otpauth:// address once."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--replace", action="store_true", help="remove the account's present authenticator app first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user {options['username']!r}.")
        try:
            device = totp_enrol(user=user, source=server_source("totp_enrol"), replace=options["replace"])
        except TotpEnrolmentError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(device.config_url)
        self.stdout.write(
            "Add this address to the administrator's authenticator app (as a QR code or by hand), in their "
            "presence; it is shown only now. They then sign in to /admin/ with their password and the "
            "app's one-time code."
        )
