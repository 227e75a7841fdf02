"""``manage.py restore_access_log YYYY-MM``: attach an archived month of the access log again."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from audit import archive, partitions

from .archive_access_log import parse_month


class Command(BaseCommand):
    help = (
        "Verify an archived month of the access log (SHA-256, columns, row count) and attach it again as its "
        "partition. Run as the owner of the schema (the role migrate runs as)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("month", type=parse_month, help="the month (YYYY-MM)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitions.is_partitioned():
            raise CommandError("The access log is partitioned only on PostgreSQL; nothing to restore here.")
        try:
            rows = archive.restore_partition(options["month"])
        except archive.ArchiveError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"restored {partitions.partition_name(options['month'])}: {rows} rows")
