"""The API tests reuse the case and SIP builders of the case and SIP tests."""

from tests.cases.conftest import _eager_celery, case_in, halland  # noqa: F401
from tests.sip.conftest import agreed_case, nurse, protected_sip, sip_from_case  # noqa: F401
