"""Where attached files are kept is a setting: a local folder by default, S3-compatible object storage
(django-storages) with ``ATTACHMENT_STORAGE=s3``; a wrong value stops the process at start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW = (
    "import django; django.setup(); from django.core.files.storage import storages; "
    "s = storages['attachments']; print(type(s).__name__, getattr(s, 'bucket_name', ''), "
    "getattr(s, 'location', ''))"
)


def _start(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ATTACHMENT")}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "hemsjukvard.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_local_folder_by_default(tmp_path):
    started = _start(ATTACHMENT_ROOT=str(tmp_path))
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["FileSystemStorage", str(tmp_path)]


def test_object_storage_by_setting():
    started = _start(
        ATTACHMENT_STORAGE="s3",
        ATTACHMENT_S3_BUCKET="hemsjukvard-bilagor",
        ATTACHMENT_S3_ENDPOINT_URL="http://127.0.0.1:9",
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["S3Storage", "hemsjukvard-bilagor", "attachments"]


def test_object_storage_without_a_bucket_does_not_start():
    started = _start(ATTACHMENT_STORAGE="s3")
    assert started.returncode != 0
    assert "ATTACHMENT_S3_BUCKET" in started.stderr


def test_an_unknown_storage_does_not_start():
    started = _start(ATTACHMENT_STORAGE="ftp")
    assert started.returncode != 0
    assert "ATTACHMENT_STORAGE must be local or s3" in started.stderr
