"""Creating the benchmark database and loading it with COPY."""

from __future__ import annotations

import io
import time
from typing import Any

from bench.national.shape import COPY_BATCH, progress

# --- Database creation -----------------------------------------------------------------------------


def _server_dsn(database_url: str, dbname: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(database_url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def database_prepare(database_url: str, *, reset: bool) -> None:
    from urllib.parse import urlsplit

    import psycopg

    name = urlsplit(database_url).path.lstrip("/")
    if not name or name.startswith("test") or name in {"postgres", "template0", "template1"}:
        raise SystemExit(f"Refusing to fill database {name!r}: use a dedicated one such as hsv_national.")
    with psycopg.connect(_server_dsn(database_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and reset:
            progress(f"dropping database {name}")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            progress(f"creating database {name}")
            conn.execute(f'CREATE DATABASE "{name}"')


# --- COPY helpers ---------------------------------------------------------------------------------


def _text(value: object) -> str:
    """One field in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


class Copier:
    """COPY rows (already formatted lines) into one table in batches of ``COPY_BATCH`` rows."""

    def __init__(self, conn: Any, table: str, columns: list[str], total: int, label: str) -> None:
        self.conn = conn
        self.table = table
        self.columns = columns
        self.total = total
        self.label = label
        self.buffer = io.StringIO()
        self.pending = 0
        self.written = 0
        self.started = time.perf_counter()
        self.next_report = max(total // 10, COPY_BATCH)

    def add(self, line: str) -> None:
        self.buffer.write(line)
        self.pending += 1
        if self.pending >= COPY_BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        statement = f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"
        with self.conn.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write(self.buffer.getvalue())
        self.written += self.pending
        self.pending = 0
        self.buffer = io.StringIO()
        if self.written >= self.next_report or self.written >= self.total:
            elapsed = time.perf_counter() - self.started
            rate = self.written / elapsed if elapsed else 0.0
            left = (self.total - self.written) / rate if rate else 0.0
            progress(
                f"  {self.label}: {self.written:,} of {self.total:,} ({rate:,.0f} rows/s, ~{left:.0f} s left)"
            )
            self.next_report = self.written + max(self.total // 10, COPY_BATCH)


def secondary_indexes(conn: Any, table: str) -> list[tuple[str, str]]:
    """(name, exact CREATE INDEX statement) of the indexes of ``table`` not backing a constraint."""
    rows = conn.execute(
        """
        SELECT i.relname, pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY i.relname
        """,
        [table],
    ).fetchall()
    return [(name, definition) for name, definition in rows]


def foreign_keys_check(conn: Any, tables: list[str]) -> None:
    """Every foreign key of ``tables`` holds (COPY ran without the FK triggers)."""
    rows = conn.execute(
        """
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, fa.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
        """,
        [tables],
    ).fetchall()
    for table, column, target, target_column in rows:
        broken = conn.execute(
            f"SELECT count(*) FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {target} r WHERE r.{target_column} = t.{column})"
        ).fetchone()[0]
        if broken:
            raise SystemExit(f"{broken} rows of {table}.{column} point at no {target} row")
    progress(f"  foreign keys checked: {len(rows)} on {len(tables)} tables, all hold")
