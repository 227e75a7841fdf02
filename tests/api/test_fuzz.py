"""Property-based fuzzing of the live API from the committed openapi.yaml (schemathesis).

Every operation gets a bounded, derandomised number of generated requests as a nurse who has a case
and a SIP to read; no answer may be a 5xx, and every answer must match its documented status codes
and schema.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

SCHEMA = schemathesis.openapi.from_path(Path(settings.BASE_DIR) / "openapi.yaml")
# Token issuing and OAuth are fuzzed by their own tests; their failures lock users out (django-axes).
# Logging out would revoke the fuzzing token, leaving every later operation a 401.
SKIPPED = r"^/api/v1/(auth/token|auth/logout|oauth/token)$"


@pytest.fixture
def live_api(live_server, world, halland, case_in, sip_from_case, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from directory.authentication import token_issue

    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    case_in("in_review")
    raw, _token = token_issue(user=world.users["nurse_a"])
    return live_server.url, raw


@pytest.mark.django_db(transaction=True)
def test_fuzz_the_api(live_api):
    base_url, token = live_api
    schema = SCHEMA.exclude(path_regex=SKIPPED)
    schema.config.update(base_url=base_url)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @hypothesis_settings(  # type: ignore[untyped-decorator]
            max_examples=10,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())  # type: ignore[untyped-decorator]
        def check(case) -> None:
            response = case.call(headers={"Authorization": f"Bearer {token}"}, timeout=30)
            case.validate_response(
                response,
                checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
            )

        try:
            check()
        except Exception as exc:  # collect every operation's failure, then fail once
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:2000]}")
    assert not failures, "\n\n".join(failures)
