"""Fixtures of the case and SIP tests, for the page tests."""

from tests.cases.conftest import _eager_celery, case_in, halland  # noqa: F401
from tests.sip.conftest import agreed_case, nurse, sip_from_case  # noqa: F401
