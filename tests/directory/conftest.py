"""Fixtures for the directory tests."""

from __future__ import annotations

import uuid
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(settings: Any) -> None:
    """Counters of this test only: the cache (Redis) outlives tests and is shared with other runs."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"{config.get('KEY_PREFIX', '')}-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }
