"""A worker that has loaded every view has not paid for matplotlib: charts import it when drawn."""

from __future__ import annotations

import os
import subprocess
import sys


def test_loading_the_url_configuration_does_not_import_matplotlib() -> None:
    code = (
        "import django, sys; django.setup(); from django.urls import get_resolver; "
        "get_resolver().url_patterns; print('matplotlib' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True, env=os.environ
    )
    assert result.stdout.strip().splitlines()[-1] == "False"
