"""Fixtures of the case tests, for the page tests."""

from tests.cases.conftest import _eager_celery, case_in, halland  # noqa: F401
