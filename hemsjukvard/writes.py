"""The start and end every versioned write shares (cases, SIPs): lock the row, check the version the
caller read, and bump it when saving.

Lock order: the record's own row first (``select_for_update(of=("self",))``), then rows that belong to it.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models

from .errors import StaleVersionError

M = TypeVar("M", bound=models.Model)


def lock_current(
    queryset: models.QuerySet[M],
    pk: int,
    *,
    version_field: str,
    expected: int | None,
) -> M:
    """The row, locked for this transaction; ``StaleVersionError`` (412) if it changed since the
    caller read it.

    ``expected=None`` is for callers without a prior read (the worker, a page acting on what it just
    showed): they act on the current version.
    """
    locked = queryset.select_for_update(of=("self",)).get(pk=pk)
    if expected is not None and getattr(locked, version_field) != expected:
        raise StaleVersionError()
    return locked


def save_next_version(instance: models.Model, *, version_field: str) -> None:
    """Save with the version bumped, so every later read sees a new ETag."""
    setattr(instance, version_field, getattr(instance, version_field) + 1)
    instance.save()
