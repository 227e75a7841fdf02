"""``manage.py access_log_partitions``: create the access log's monthly partitions ahead, and list them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from audit import partitions


class Command(BaseCommand):
    help = (
        "Create the access log's partitions for this month and the months ahead "
        "(AUDIT_LOG_PARTITIONS_AHEAD); list the partitions and which are older than the retention."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--ahead", type=int, default=None, help="months ahead (default: the setting)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not partitions.is_partitioned():
            self.stdout.write("The access log is one table on this database (not PostgreSQL): nothing to do.")
            return
        for name in partitions.ensure_partitions(months_ahead=options["ahead"]):
            self.stdout.write(f"created {name}")
        cutoff = partitions.retention_cutoff()
        for month in partitions.monthly_partitions():
            due = " (older than the retention: to archive)" if partitions.is_archivable(month) else ""
            self.stdout.write(f"{partitions.partition_name(month)}{due}")
        self.stdout.write(
            f"Kept: from {cutoff:%Y-%m}. Rows in the DEFAULT partition: {partitions.default_partition_rows()}"
        )
