"""``manage.py import_hsa <export.json> [--dry-run]``: bring people and units in from an HSA export."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from identity.hsa import HsaExportError, JsonExportReader, hsa_import


class Command(BaseCommand):
    help = "Create, update and deactivate organisations, people and memberships from an HSA export."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("export", type=Path, help="the HSA export (JSON, see identity/README.md)")
        parser.add_argument("--dry-run", action="store_true", help="report what would change; save nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            export = JsonExportReader().read(options["export"])
        except HsaExportError as exc:
            raise CommandError(str(exc)) from exc
        report = hsa_import(
            export=export, dry_run=options["dry_run"], source=f"HSA-import {options['export'].name}"
        )
        for line in report.lines():
            self.stdout.write(line)
