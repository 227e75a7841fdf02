"""The suite's shared fixtures live in ``tests/fixtures/``, one module per subject (see its docstring)."""

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
    config.addinivalue_line(
        "markers",
        "slow: takes minutes (a seeded demo world, a walk of every page); skip with -m 'not slow'",
    )
