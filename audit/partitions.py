"""The access log's monthly partitions (PostgreSQL; migration 0007) and how long they are kept.

One partition per calendar month (UTC), named ``audit_accesslogentry_YYYY_MM``, created
``AUDIT_LOG_PARTITIONS_AHEAD`` months ahead by the beat task ``audit.tasks.create_log_partitions`` and on
every ``migrate``; a DEFAULT partition catches a row whose month has none (it should stay empty: the
gauge ``hemsjukvard_access_log_default_rows``). A month is kept ``AUDIT_LOG_RETENTION_YEARS`` (at least
five, HSLF-FS 2016:40) after its end, then archived (``audit.archive``). SQLite, the demo's database,
keeps the log as one table: there is nothing to create or archive.
"""

from __future__ import annotations

import datetime
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

TABLE = "audit_accesslogentry"
DEFAULT_PARTITION = f"{TABLE}_default"
# The law's minimum (HSLF-FS 2016:40 4 kap. 9 §, kept five years); the database refuses to drop a
# younger month whatever this application says (audit_accesslog_drop_partition).
MINIMUM_RETENTION_YEARS = 5
_MONTHLY = re.compile(rf"^{TABLE}_(\d{{4}})_(\d{{2}})$")


def check_retention() -> None:
    """Refuse to start with a retention shorter than the law's (called from ``AuditConfig.ready``)."""
    years = settings.AUDIT_LOG_RETENTION_YEARS
    if not isinstance(years, int) or years < MINIMUM_RETENTION_YEARS:
        raise ImproperlyConfigured(
            f"AUDIT_LOG_RETENTION_YEARS is {years!r}: the access log must be kept at least "
            f"{MINIMUM_RETENTION_YEARS} years (HSLF-FS 2016:40 4 kap. 9 §). Set it to "
            f"{MINIMUM_RETENTION_YEARS} or more."
        )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(month: datetime.date) -> str:
    return f"{TABLE}_{month:%Y_%m}"


def today_utc() -> datetime.date:
    return timezone.now().astimezone(datetime.UTC).date()


def is_partitioned(using: str = DEFAULT_DB_ALIAS) -> bool:
    connection = connections[using]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return row is not None and row[0] == "p"


def ensure_partitions(
    *, months_ahead: int | None = None, today: datetime.date | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[str]:
    """Create this month's partition and the next ``months_ahead``' that are missing; returns their names.

    The database function runs as the owner of the schema, so the application's role (which has no DDL)
    can call it; it moves any rows of a new month out of the DEFAULT partition.
    """
    if not is_partitioned(using):
        return []
    ahead = settings.AUDIT_LOG_PARTITIONS_AHEAD if months_ahead is None else months_ahead
    first = month_start(today or today_utc())
    created = []
    with connections[using].cursor() as cursor:
        for offset in range(ahead + 1):
            month = add_months(first, offset)
            cursor.execute("SELECT audit_accesslog_create_partition(%s)", [month])
            if cursor.fetchone()[0]:
                created.append(partition_name(month))
    return created


def create_partition(month: datetime.date, *, using: str = DEFAULT_DB_ALIAS) -> bool:
    """The partition of one month (any month), if missing; true if it was created."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT audit_accesslog_create_partition(%s)", [month_start(month)])
        return bool(cursor.fetchone()[0])


def monthly_partitions(using: str = DEFAULT_DB_ALIAS) -> list[datetime.date]:
    """The months that have a partition attached, oldest first (empty when the log is not partitioned)."""
    if not is_partitioned(using):
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [name for (name,) in cursor.fetchall()]
    months = []
    for name in names:
        match = _MONTHLY.match(name)
        if match:
            months.append(datetime.date(int(match[1]), int(match[2]), 1))
    return sorted(months)


def retention_cutoff(today: datetime.date | None = None) -> datetime.date:
    """The first month still kept: every month that ends on or before this day's month start, the
    retention's years ago, may be archived."""
    first = month_start(today or today_utc())
    return first.replace(year=first.year - settings.AUDIT_LOG_RETENTION_YEARS)


def is_archivable(month: datetime.date, today: datetime.date | None = None) -> bool:
    return add_months(month_start(month), 1) <= retention_cutoff(today)


def archivable_months(
    today: datetime.date | None = None, using: str = DEFAULT_DB_ALIAS
) -> list[datetime.date]:
    return [month for month in monthly_partitions(using) if is_archivable(month, today)]


def default_partition_rows(using: str = DEFAULT_DB_ALIAS) -> int:
    """Rows in the DEFAULT partition: a month had no partition when they were written (0 normally)."""
    if not is_partitioned(using):
        return 0
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {DEFAULT_PARTITION}")  # noqa: S608
        return int(cursor.fetchone()[0])
