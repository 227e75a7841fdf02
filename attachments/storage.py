"""Where attachment files are kept: the ``attachments`` storage of ``settings.STORAGES``.

Local disk under ``MEDIA_ROOT`` by default; S3-compatible object storage (django-storages) with
``ATTACHMENT_STORAGE=s3`` (see the README's configuration). Files are never served by URL from the storage:
every download goes through the access rule and the access log (``attachments.selectors``).
"""

from __future__ import annotations

import logging
import uuid

from django.core.files.storage import Storage, storages

log = logging.getLogger(__name__)

STORAGE_ALIAS = "attachments"


def attachment_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def new_storage_name(*, parent: str, extension: str) -> str:
    """A random name that says nothing about the patient: ``case/3f/3fa85f64….pdf``."""
    key = uuid.uuid4().hex
    return f"{parent}/{key[:2]}/{key}{extension}"


def delete_quietly(name: str) -> None:
    """Delete a stored file; a failure is logged, never raised (the row already says it was removed)."""
    try:
        attachment_storage().delete(name)
    except Exception:  # the storage may be briefly unreachable; the file is then an orphan to sweep
        log.exception("attachment file could not be deleted from storage", extra={"storage_name": name})
