"""``manage.py import_agreement PATH``: import one agreement version from its YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from agreements.exchange import AgreementImportError
from agreements.importer import agreement_import


class _DryRunError(Exception):
    pass


class Command(BaseCommand):
    help = (
        "Import an agreement version from a file in the hemsjukvard-agreement/1 format "
        "(see agreements/data/README.md). All or nothing: an invalid file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="The YAML file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file against the database and report, but write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        try:
            with transaction.atomic():
                version = agreement_import(text=text, source_name=str(path))
                summary = (
                    f"{version.agreement.code} version {version.version} "
                    f"({version.get_status_display()}, valid from {version.valid_from}): "
                    f"{version.sections.count()} sections, {version.rules.count()} rules"
                )
                if options["dry_run"]:
                    raise _DryRunError
        except _DryRunError:
            self.stdout.write(f"{path}: the file is valid; would import {summary}.")
            return
        except AgreementImportError as exc:
            lines = "\n".join(f"  {problem}" for problem in exc.problems)
            raise CommandError(f"{path} was not imported; nothing was changed:\n{lines}") from exc
        self.stdout.write(self.style.SUCCESS(f"Imported {summary} from {path}."))
