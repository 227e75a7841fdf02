"""The nightly HSA import, where ``HSA_EXPORT_PATH`` names the file the HSA export is delivered to."""

from __future__ import annotations

import logging
from pathlib import Path

from celery import shared_task
from django.conf import settings

from .hsa import JsonExportReader, hsa_import

logger = logging.getLogger(__name__)


@shared_task
def import_hsa_export() -> str:
    if not settings.HSA_EXPORT_PATH:
        return "no HSA_EXPORT_PATH"
    path = Path(settings.HSA_EXPORT_PATH)
    report = hsa_import(export=JsonExportReader().read(path), source=f"HSA-import {path.name}")
    summary = "; ".join(line for line in report.lines() if not line.startswith("  "))
    logger.info("%s", summary)
    return summary
