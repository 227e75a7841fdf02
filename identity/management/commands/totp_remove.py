"""``manage.py totp_remove <username>``: remove an administrator's authenticator app (a lost phone)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from identity.totp import server_source, totp_remove


class Command(BaseCommand):
    help = "Remove a staff account's authenticator app (TOTP); it cannot sign in to /admin/ until enrolled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        devices = TOTPDevice.objects.filter(user__username=options["username"]).select_related("user")
        if not devices:
            raise CommandError(f"{options['username']!r} has no authenticator app.")
        for device in devices:
            totp_remove(device=device, request=None, source=server_source("totp_remove"))
        self.stdout.write(f"Removed {len(devices)} authenticator app(s) of {options['username']}.")
