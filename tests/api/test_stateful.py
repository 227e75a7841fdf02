"""Stateful fuzzing along the schema's OpenAPI links, in the seeded demo world (schemathesis).

The committed openapi.yaml carries links (``hemsjukvard.api.links``) from each answer that names a resource
to what can be done with it next: the created case's ``id`` into submitting it, its ``ETag`` into
``If-Match``. ``schema.as_state_machine()`` builds a state machine of those links, and the test runs it
against the WSGI app:

- a scenario starts from a creating operation sent as an integrator would send it, with real ids, the
  caller who may use it and its request example (the same preparations as ``test_fuzz``);
- every later step follows a link from an earlier answer, as the same caller, with the ids and ETag the
  link takes from that answer and the rest of the request generated.

No answer may be a 5xx, and every answer must be one the operation declares and fit its schema. The test
prints the link transitions taken and the operations that answered 2xx through a link, and asks for a
floor of distinct transitions answering 2xx. The link tables themselves are checked against the schema.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
import schemathesis
import yaml
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.stateful.state_machine import normalize_name
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from hemsjukvard.api import links
from integrations import webhooks

from .example_setups import PUBLIC_ADDRESS, SETUPS, Prepared
from .examples_world import Caller, ExampleWorld, fill_ids, seed_demo_world
from .fuzz_seeds import SEEDS
from .handoff.contract import Contract, schema
from .test_fuzz import connection_kept_open
from .test_request_examples import request_examples

__all__ = ["schema"]

OPENAPI = Path(settings.BASE_DIR) / "openapi.yaml"
# Where a scenario may start: operations that make (or, for a patient, find) a resource with links on.
ROOTS = (
    "cases_create",
    "sips_from_case_create",
    "cases_risk_analyses_create",
    "documents_create",
    "patients_log_extract_create",
    "cases_messages_create",
    "webhook_subscriptions_create",
    "agreement_versions_create",
    "competence_transfers_create",
    "delegations_create",
)
SCENARIOS = 6
STEPS_PER_SCENARIO = 12
# Distinct link transitions that answered 2xx at least once (13 measured, of 34 distinct taken; kept
# below it, as which links are followed also depends on which earlier answers were 2xx).
LINKS_ANSWERING_2XX_AT_LEAST = 8
ACTING_FOR = frozenset({"X-On-Behalf-Of", "X-Acting-Membership"})
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def _committed() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))


# --- The link tables ------------------------------------------------------------------------------------


def test_the_link_tables_fit_the_schema():
    assert links.check_links(_committed()) == []


def test_a_link_to_a_missing_operation_or_parameter_is_found(monkeypatch):
    broken = {
        **links.LINKS,
        "SubmitCase": links.Link("cases_send_create", "Submit the case."),
        "ReadCase": links.Link("cases_retrieve", "Read it.", parameters={"case_id": links.BODY_ID}),
        "CloseCase": links.Link("cases_close_create", "Close it.", parameters={}),
    }
    monkeypatch.setattr(links, "LINKS", broken)
    monkeypatch.setitem(links.FOLLOW_UPS, "cases_nonexistent_create", ("ReadCase",))
    problems = links.check_links(_committed())
    assert "SubmitCase: no operation cases_send_create" in problems
    assert "ReadCase: cases_retrieve takes no path case_id" in problems
    assert "ReadCase: cases_retrieve needs ['id']" in problems
    assert "CloseCase: cases_close_create needs ['id']" in problems
    assert "no operation cases_nonexistent_create" in problems


def test_a_created_case_links_to_what_can_be_done_with_it():
    committed = _committed()
    created = committed["paths"]["/api/v1/cases"]["post"]["responses"]["201"]["links"]
    assert {"ReadCase", "SubmitCase", "RecordLegalBasis", "StartRiskAnalysis"} <= set(created)
    submit = committed["components"]["links"]["SubmitCase"]
    assert submit["operationId"] == "cases_submit_create"
    assert submit["parameters"] == {"id": "$response.body#/id", "header.If-Match": "$response.header.ETag"}
    # What the committed schema says is what the tables make.
    regenerated = links.add_links(copy.deepcopy(committed), None, None, True)
    assert regenerated["components"]["links"] == committed["components"]["links"]


# --- The state machine ----------------------------------------------------------------------------------


def _root_request(w: ExampleWorld, operation_id: str, examples: dict[str, Any]) -> tuple[Prepared, Any]:
    """The operation sent as intended: who, to which ids, with which headers and body."""
    if operation_id in SETUPS:
        prepared = SETUPS[operation_id](w)
        example = next(iter(examples.get(operation_id, {}).values()), None)
        missing: list[str] = []
        body = fill_ids(example, prepared.ids, prepared.values, missing)
        assert not missing, (operation_id, missing)
        return prepared, body
    return SEEDS[operation_id](w), None


def _headers(caller: Caller) -> dict[str, str]:
    headers = dict(caller.headers)
    if caller.authorization:
        headers["Authorization"] = caller.authorization
    return headers


def _machine(entries: dict[str, tuple[Prepared, Any]], taken: Counter[tuple[str, int]]) -> type:
    loaded = schemathesis.openapi.from_path(OPENAPI)
    loaded.app = get_wsgi_application()
    # Only the schema's own links: no links inferred by schemathesis.
    loaded.config.phases.stateful.inference.algorithms = []
    base = loaded.as_state_machine()
    labels = {
        operation.label: operation.definition.raw["operationId"]
        for operation in (result.ok() for result in loaded.get_all_operations())
    }
    roots = {normalize_name(f"RANDOM -> {label}") for label, op in labels.items() if op in ROOTS}
    # Random entry points (a made-up id answers 404) are left out; scenarios start from ROOTS.
    dropped = set(base.root_rules) - roots
    assert roots <= set(base.root_rules), roots - set(base.root_rules)
    callers: dict[str, Caller] = {}

    class Workflow(base):  # type: ignore[valid-type]
        root_rules = frozenset(roots)

        def step(self, input: Any) -> Any:
            case = input.case
            operation_id = labels[case.operation.label]
            extra: dict[str, str] = {}
            if input.transition is None:
                prepared, body = entries[operation_id]
                case.path_parameters = {k: str(v) for k, v in prepared.path_params.items()}
                if body is not None:
                    case.body = body
                    case.media_type = "application/json"
                extra = dict(prepared.headers)
                caller = prepared.caller
            else:
                caller = callers[input.transition.parent_id]
            callers[case.id] = caller
            # Acting for someone else is the caller's to say (an API client's), never generated.
            generated = {k: v for k, v in (case.headers or {}).items() if k not in ACTING_FOR}
            case.headers = {**generated, **extra, **_headers(caller)}
            with connection_kept_open():
                output = super().step(input)
            if input.transition is not None:
                taken[(input.transition.id, output.response.status_code)] += 1
            return output

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS)

    for name in dropped:
        setattr(Workflow, name, None)
    return Workflow


@pytest.mark.django_db
@pytest.mark.usefixtures("own_rate_limit_counters")
def test_follow_the_links_in_the_demo_world(
    schema, eager_celery, django_capture_on_commit_callbacks, capsys, monkeypatch
):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
    started = time.monotonic()
    seed_demo_world()
    w = ExampleWorld(Contract(schema, lambda: django_capture_on_commit_callbacks(execute=True)))
    taken: Counter[tuple[str, int]] = Counter()
    examples = request_examples(schema)
    with mock.patch.object(webhooks, "resolve", return_value=[PUBLIC_ADDRESS]):
        # Each entry point prepared once (its caller, ids, ETag and body), then sent at each start.
        entries = {operation_id: _root_request(w, operation_id, examples) for operation_id in ROOTS}
        machine = _machine(entries, taken)
        prepared_in = time.monotonic() - started
        machine.run(
            settings=hypothesis_settings(
                max_examples=SCENARIOS,
                stateful_step_count=STEPS_PER_SCENARIO,
                derandomize=True,
                deadline=None,
                phases=[Phase.generate],
                database=None,
                suppress_health_check=list(HealthCheck),
            )
        )
    succeeded = {transition for (transition, status), _ in taken.items() if 200 <= status < 300}
    reached = sorted({transition.rsplit(" -> ", 1)[1] for transition in succeeded})
    with capsys.disabled():
        print(f"\nlink transitions taken: {sum(taken.values())} ({len({t for t, _ in taken})} distinct)")
        print(f"distinct link transitions answering 2xx: {len(succeeded)}")
        print(f"operations answering 2xx through a link ({len(reached)}): {reached}")
        for (transition, status), count in sorted(taken.items()):
            print(f"  {status} ×{count}  {transition}")
        print(f"in {time.monotonic() - started:.0f} s ({prepared_in:.0f} s seeding and preparing)")
    assert len(succeeded) >= LINKS_ANSWERING_2XX_AT_LEAST
