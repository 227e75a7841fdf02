"""Property-based fuzzing of the API from the committed openapi.yaml (schemathesis), reaching the logic.

Generated requests with made-up ids stop at a 404 and never reach what is behind them. So the fuzzing
runs in the seeded demo world, operation by operation:

1. the operation is sent once as an integrator would use it, with real ids, the caller who may use it,
   a valid ``If-Match`` (the ETag of that caller's read) and, where it has one, the schema's request
   example (``example_setups``; the operations without an example are seeded in ``fuzz_seeds``);
2. then a bounded, derandomised number of generated requests is sent with the same path ids, caller and
   headers, and only the body and query generated (not for issuing and revoking tokens: ``NOT_FUZZED``).

No answer may be a 5xx, and every answer must be one the operation declares and fit its schema. At
least 80 % of the operations must answer 2xx at least once; the test prints how many did.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import schemathesis
from django.conf import settings
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from integrations import webhooks

from .example_setups import PUBLIC_ADDRESS, SETUPS, Prepared
from .examples_world import ExampleWorld, fill_ids, seed_demo_world
from .fuzz_seeds import LAST, SEEDS
from .handoff.contract import Contract, schema
from .test_request_examples import request_examples

__all__ = ["schema"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_rate_limit_counters")]

SCHEMA = schemathesis.openapi.from_path(Path(settings.BASE_DIR) / "openapi.yaml")
GENERATED_PER_OPERATION = 3
# Sent once as used, not fuzzed: token issuing and OAuth are fuzzed by their own tests (their failures
# lock the usernames out, django-axes), and a generated logout would revoke the caller's token.
NOT_FUZZED = frozenset({"auth_token_create", "oauth_token_create", "auth_logout_create"})
REACHED_AT_LEAST = 0.8


def _seeded_call(w: ExampleWorld, operation_id: str, example: Any) -> tuple[Prepared, int]:
    """The operation used as intended: its setup (with its request example) or its seed."""
    if operation_id in SETUPS:
        prepared = SETUPS[operation_id](w)
        missing: list[str] = []
        body = fill_ids(example, prepared.ids, prepared.values, missing)
        assert not missing, (operation_id, missing)
        answer = w.call(
            prepared.caller,
            operation_id,
            path_params=prepared.path_params,
            json=body,
            headers=prepared.headers,
        )
    else:
        prepared = SEEDS[operation_id](w)
        answer = w.call(
            prepared.caller,
            operation_id,
            path_params=prepared.path_params,
            query=prepared.values or None,
            multipart=prepared.multipart,
            headers=prepared.headers,
        )
    return prepared, answer.status


@contextmanager
def connection_kept_open() -> Iterator[None]:
    """A generated request runs in this process through the WSGI handler, in the test's transaction: the
    handler must not close the database connection after it (the test client does the same around each
    of its requests, and connects the signals again after)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _fuzz(operation: Any, prepared: Prepared) -> list[int]:
    """Generated requests with the seeded path ids, caller and headers; their statuses."""
    statuses: list[int] = []
    headers = {**prepared.caller.headers, **prepared.headers}
    if prepared.caller.authorization:
        headers["Authorization"] = prepared.caller.authorization
    fixed = (
        {"path_parameters": {k: str(v) for k, v in prepared.path_params.items()}}
        if prepared.path_params
        else {}
    )

    @hypothesis_settings(
        max_examples=GENERATED_PER_OPERATION,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(**fixed))
    def check(case: Any) -> None:
        with connection_kept_open():
            response = case.call(headers=headers)
        statuses.append(response.status_code)
        case.validate_response(
            response, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
        )

    check()
    return statuses


def test_fuzz_the_api_with_real_ids(
    schema, eager_celery, django_capture_on_commit_callbacks, capsys, monkeypatch
):
    from rest_framework.throttling import SimpleRateThrottle

    # Rate limits are tested on their own; here every caller makes hundreds of requests.
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    seed_demo_world()
    w = ExampleWorld(Contract(schema, lambda: django_capture_on_commit_callbacks(execute=True)))
    examples = request_examples(schema)
    fuzzed = SCHEMA
    fuzzed.app = get_wsgi_application()
    operations = {}
    for result in fuzzed.get_all_operations():
        operation = result.ok()
        operations[operation.definition.raw["operationId"]] = operation
    # Subscriptions after every operation that makes an event (their deliveries would go out, to a host
    # that is not there, as the requests commit); then the examples' own order for what is left.
    ordered = [*SETUPS, *(o for o in SEEDS if o not in LAST)]
    late = [o for o in ordered if o.startswith("webhook_subscriptions") or o == "task_types_create"]
    order = [
        *(o for o in ordered if o not in late),
        *sorted(late, key=lambda o: o == "task_types_create"),
        *LAST,
    ]
    assert set(order) == set(operations), set(order) ^ set(operations)

    reached: set[str] = set()
    failures: list[str] = []
    with mock.patch.object(webhooks, "resolve", return_value=[PUBLIC_ADDRESS]):
        for operation_id in order:
            example = next(iter(examples.get(operation_id, {}).values()), None)
            try:
                prepared, status = _seeded_call(w, operation_id, example)
                statuses = [status]
                if operation_id not in NOT_FUZZED:
                    statuses += _fuzz(operations[operation_id], prepared)
            except (
                Exception,
                BaseExceptionGroup,
            ) as exc:  # collect every operation's failure, then fail once
                failures.append(f"{operation_id}: {str(exc)[:1500]}")
                continue
            if any(200 <= s < 300 for s in statuses):
                reached.add(operation_id)
    with capsys.disabled():
        print(f"\nfuzzing reached {len(reached)} of {len(operations)} operations with a 2xx")
        print(f"without a 2xx: {sorted(set(operations) - reached)}")
    assert not failures, "\n\n".join(failures)
    unreached = sorted(set(operations) - reached)
    assert len(reached) >= REACHED_AT_LEAST * len(operations), f"no 2xx from: {unreached}"
