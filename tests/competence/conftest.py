"""The register tests run Celery tasks (notification e-mail) in the test's process, as they are sent."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery: None) -> None:
    pass
