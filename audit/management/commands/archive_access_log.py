"""``manage.py archive_access_log``: archive, verify and drop the months older than the retention."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import archive, partitions


def parse_month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"{value!r} is not a month (YYYY-MM)") from error


class Command(BaseCommand):
    help = (
        "Write each month of the access log older than the retention (AUDIT_LOG_RETENTION_YEARS) to the "
        "archive storage as gzip-compressed CSV with a SHA-256 manifest, verify it, then detach and drop "
        "the month."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--month", type=parse_month, help="one month (YYYY-MM) instead of all that are due"
        )
        parser.add_argument("--dry-run", action="store_true", help="list the months that would be archived")

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitions.is_partitioned():
            raise CommandError("The access log is partitioned only on PostgreSQL; nothing to archive here.")
        months = [options["month"]] if options["month"] else partitions.archivable_months()
        if options["dry_run"]:
            for month in months:
                self.stdout.write(f"would archive {partitions.partition_name(month)}")
            return
        for month in months:
            try:
                manifest = archive.archive_partition(month)
            except archive.ArchiveError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"archived {manifest.partition}: {manifest.rows} rows, {manifest.file}, "
                f"SHA-256 {manifest.sha256}"
            )
