"""The suite's shared fixtures live in ``tests/fixtures/``, one module per subject (see its docstring)."""

import os

import pytest

pytest_plugins = [
    "tests.fixtures.world",
    "tests.fixtures.clients",
    "tests.fixtures.agreements",
    "tests.fixtures.cases",
    "tests.fixtures.sip",
    "tests.fixtures.documents",
    "tests.fixtures.worker",
    "tests.fixtures.webhooks",
]


def pytest_configure(config: pytest.Config) -> None:
    # Under pytest-xdist each worker has its own test database (pytest-django adds the worker's name);
    # its cache counters (rate limits) are its own too, before anything has used the cache.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        from django.conf import settings

        for config_ in settings.CACHES.values():
            config_["KEY_PREFIX"] = f"{config_.get('KEY_PREFIX', '')}-{worker}"
    config.addinivalue_line(
        "markers",
        "slow: takes minutes (a seeded demo world, a walk of every page); skip with -m 'not slow'",
    )
