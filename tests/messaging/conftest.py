"""The message tests run Celery tasks (the notification e-mails) in the test's process, as they are sent."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery: None) -> None:
    pass
