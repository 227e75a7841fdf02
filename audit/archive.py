"""Archiving a month of the access log once it is older than the retention, and restoring it.

A month is archived when it ended ``AUDIT_LOG_RETENTION_YEARS`` ago (``partitions.is_archivable``):

1. its partition is written as CSV (header, every column, ordered by id; PostgreSQL's COPY, so NULL and
   the empty string stay apart) compressed with gzip, into the storage ``audit_log_archive`` (Django's
   storage API; a directory by default, ``AUDIT_LOG_ARCHIVE_DIR``);
2. a manifest beside it names the partition, the period (UTC, end exclusive), the row count, the columns
   and the SHA-256 of the compressed file;
3. the archive is read back from the storage and verified: the checksum, the header, the row count;
4. only then the database detaches and drops the partition (``audit_accesslog_drop_partition``), which
   refuses a month younger than five years or a row count other than the archive's.

``restore_partition`` verifies the archive the same way, loads it into a new table and attaches that as
the month's partition again: the entries are in the review and the extracts as before. Restoring needs
the owner of the schema (an operator's act); archiving runs as the application's role.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import hashlib
import io
import json
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.utils import timezone

from . import partitions
from .models import AccessLogEntry

STORAGE = "audit_log_archive"
_CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """An archive that is missing, does not match its manifest, or may not be made or restored."""


@dataclass(frozen=True)
class Manifest:
    partition: str
    period_start: str
    period_end: str
    rows: int
    sha256: str
    file: str
    columns: list[str]
    archived_at: str


def _columns() -> list[str]:
    return [str(field.column) for field in AccessLogEntry._meta.concrete_fields]


def _storage() -> Storage:
    return storages[STORAGE]


def _names(month: datetime.date) -> tuple[str, str]:
    name = partitions.partition_name(month)
    return f"{month:%Y}/{name}.csv.gz", f"{month:%Y}/{name}.manifest.json"


def _sha256(stream: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def read_manifest(month: datetime.date) -> Manifest:
    _data, manifest_name = _names(month)
    storage = _storage()
    if not storage.exists(manifest_name):
        raise ArchiveError(f"no archive of the access log for {month:%Y-%m} ({manifest_name})")
    with storage.open(manifest_name, "rb") as stream:
        return Manifest(**json.loads(stream.read().decode()))


def _records(stream: IO[bytes]) -> Iterator[list[str]]:
    with gzip.open(stream, "rt", encoding="utf-8", newline="") as text:
        yield from csv.reader(text)


def verify(month: datetime.date) -> Manifest:
    """The archive of a month as its manifest describes it: checksum, columns and row count."""
    manifest = read_manifest(month)
    storage = _storage()
    if not storage.exists(manifest.file):
        raise ArchiveError(f"the archive {manifest.file} named by the manifest is missing")
    with storage.open(manifest.file, "rb") as stream:
        checksum = _sha256(stream)
    if checksum != manifest.sha256:
        raise ArchiveError(
            f"the archive {manifest.file} has SHA-256 {checksum}, its manifest {manifest.sha256}"
        )
    with storage.open(manifest.file, "rb") as stream:
        records = _records(stream)
        header = next(records, None)
        rows = sum(1 for _record in records)
    if header != manifest.columns or manifest.columns != _columns():
        raise ArchiveError(f"the archive {manifest.file} does not have the access log's columns")
    if rows != manifest.rows:
        raise ArchiveError(f"the archive {manifest.file} has {rows} rows, its manifest {manifest.rows}")
    return manifest


def _copy_out(cursor: Any, partition: str, target: IO[bytes]) -> None:
    rows = f"SELECT {_quoted(_columns())} FROM {partition} ORDER BY id"  # noqa: S608
    query = f"COPY ({rows}) TO STDOUT WITH (FORMAT csv, HEADER)"
    with gzip.GzipFile(fileobj=target, mode="wb", mtime=0) as compressed, cursor.copy(query) as copy:
        for data in copy:
            compressed.write(bytes(data))


def export(month: datetime.date, *, using: str = DEFAULT_DB_ALIAS) -> Manifest:
    """Write a month's partition and its manifest to the archive storage.

    An archive already there is never replaced by different content: a month restored and archived
    again gives the same bytes (the rows in id order, gzip without a timestamp), so its manifest is kept
    (and a damaged file beside it written again); anything else is refused.
    """
    month = partitions.month_start(month)
    name = partitions.partition_name(month)
    if month not in partitions.monthly_partitions(using):
        raise ArchiveError(f"the access log has no partition for {month:%Y-%m}")
    data_name, manifest_name = _names(month)
    storage = _storage()
    existing = read_manifest(month) if storage.exists(manifest_name) else None
    with tempfile.TemporaryFile() as raw:
        with connections[using].cursor() as cursor:
            _copy_out(cursor.cursor, name, raw)
        # The rows as written (one COPY is one snapshot). The database compares this count with the
        # partition's again, under a lock, before it drops the partition.
        raw.seek(0)
        rows = sum(1 for _record in _records(raw)) - 1
        raw.seek(0)
        checksum = _sha256(raw)
        if existing is not None and existing.sha256 != checksum:
            raise ArchiveError(
                f"{month:%Y-%m} is archived already ({manifest_name}) with other content: "
                "restore that archive, or move it away, first"
            )
        if storage.exists(data_name):  # an export interrupted before its manifest, or a damaged copy
            storage.delete(data_name)
        raw.seek(0)
        saved = storage.save(data_name, File(raw))
    if existing is not None:
        return existing
    manifest = Manifest(
        partition=name,
        period_start=f"{month:%Y-%m-%d}T00:00:00+00:00",
        period_end=f"{partitions.add_months(month, 1):%Y-%m-%d}T00:00:00+00:00",
        rows=rows,
        sha256=checksum,
        file=saved,
        columns=_columns(),
        archived_at=timezone.now().isoformat(),
    )
    storage.save(manifest_name, io.BytesIO(json.dumps(asdict(manifest), indent=2).encode()))
    return manifest


def archive_partition(
    month: datetime.date, *, today: datetime.date | None = None, using: str = DEFAULT_DB_ALIAS
) -> Manifest:
    """Export, verify, then detach and drop one month older than the retention."""
    month = partitions.month_start(month)
    if not partitions.is_archivable(month, today):
        raise ArchiveError(
            f"the access log of {month:%Y-%m} is kept until {partitions.add_months(month, 1):%Y-%m} plus the "
            "retention (AUDIT_LOG_RETENTION_YEARS)"
        )
    export(month, using=using)
    manifest = verify(month)
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute("SELECT audit_accesslog_drop_partition(%s, %s)", [month, manifest.rows])
    return manifest


def archive_due(*, today: datetime.date | None = None, using: str = DEFAULT_DB_ALIAS) -> list[Manifest]:
    """Archive every month older than the retention that is still in the database."""
    return [
        archive_partition(month, today=today, using=using)
        for month in partitions.archivable_months(today, using)
    ]


def restore_partition(month: datetime.date, *, using: str = DEFAULT_DB_ALIAS) -> int:
    """Attach an archived month again from its verified archive; returns its row count."""
    month = partitions.month_start(month)
    manifest = verify(month)
    name = partitions.partition_name(month)
    if month in partitions.monthly_partitions(using):
        raise ArchiveError(f"the access log already has a partition for {month:%Y-%m}")
    staging = f"{name}_restore"
    low = f"{month:%Y-%m-%d} 00:00:00+00"
    high = f"{partitions.add_months(month, 1):%Y-%m-%d} 00:00:00+00"
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        cursor.execute(f"CREATE TABLE {staging} (LIKE {partitions.TABLE} INCLUDING DEFAULTS)")
        query = f"COPY {staging} ({_quoted(manifest.columns)}) FROM STDIN WITH (FORMAT csv, HEADER)"
        with (
            _storage().open(manifest.file, "rb") as stream,
            gzip.open(stream, "rb") as plain,
            cursor.cursor.copy(query) as copy,
        ):
            while chunk := plain.read(_CHUNK):
                copy.write(chunk)
        cursor.execute(f"SELECT count(*) FROM {staging}")  # noqa: S608
        rows = int(cursor.fetchone()[0])
        if rows != manifest.rows:
            raise ArchiveError(f"{rows} rows loaded from {manifest.file}, its manifest says {manifest.rows}")
        cursor.execute(f"ALTER TABLE {staging} RENAME TO {name}")
        cursor.execute(
            f"ALTER TABLE {partitions.TABLE} ATTACH PARTITION {name} FOR VALUES FROM ('{low}') TO ('{high}')"
        )
        cursor.execute("SELECT audit_accesslog_protect_partition(%s::regclass)", [name])
    return rows
