"""Fixtures for the directory tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _own_rate_limit_counters(own_rate_limit_counters: None) -> None:
    pass
