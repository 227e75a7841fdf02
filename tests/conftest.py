"""The suite's shared fixtures live in ``tests/fixtures/``, one module per subject (see its docstring)."""

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
