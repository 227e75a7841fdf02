"""Every request example in the committed openapi.yaml is sent, and works; and a request broken on
purpose is refused with a 400 that names the field.

An integrator copies the schema's examples. Each one is sent to the demo world as it stands in the
schema: only its ids (UUIDs, which the schema cannot know) are replaced by the ids of the seeded world's
records, field by field, and the integrator's own secrets (a password, a client secret) put in. The
request must fit the operation's request schema, the answer must be a 2xx the operation declares and
fit that status's response schema (``handoff.contract``). An example whose id field no setup names, a
retyped field or an example the service refuses fails here.

Each operation has a setup (``SETUPS``) that says who sends the example and what state it is sent in:
a case on which someone may take the action now (found with the transition table, as the API's
``allowed_actions``), a draft agreement version, a patient without a case. Where the demo world does
not have the state an example needs, the setup makes it, through the API or the services, and says so.

Before each example, the same request is sent broken: its first required field left out (or, where the
operation requires none, its first field sent as the wrong type). The answer must be a 400 whose
``fields`` name that field, and every name in ``fields`` must be a field of the operation's request
schema, so that an integrator can point at the input that was wrong. (``POST /oauth/token`` answers
in the shape RFC 6749 gives it, ``{"error": "invalid_request"}``, which is checked instead.)
"""

from __future__ import annotations

import uuid
from typing import Any
from unittest import mock

import pytest

from integrations import webhooks

from .example_setups import PUBLIC_ADDRESS, SETUPS, Prepared
from .examples_world import (
    ExampleWorld,
    fill_ids,
    seed_demo_world,
)
from .handoff.contract import METHODS, Contract, schema

__all__ = ["schema"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_rate_limit_counters")]

EXAMPLE_REF = "#/components/examples/"
SCHEMA_REF = "#/components/schemas/"


def request_examples(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every JSON request example of every operation: {operationId: {example name: value}}."""
    found: dict[str, dict[str, Any]] = {}
    for item in schema["paths"].values():
        for method, operation in item.items():
            if method not in METHODS or "requestBody" not in operation:
                continue
            media = operation["requestBody"]["content"].get("application/json", {})
            examples = {}
            for name, example in (media.get("examples") or {}).items():
                if "$ref" in example:
                    example = schema["components"]["examples"][example["$ref"].removeprefix(EXAMPLE_REF)]
                examples[name] = example["value"]
            if "example" in media:
                examples["example"] = media["example"]
            if examples:
                found[operation["operationId"]] = examples
    return found


def request_schema(schema: dict[str, Any], operation_id: str) -> list[dict[str, Any]]:
    """The operation's JSON request schema, as its alternatives (one unless it is a ``oneOf``)."""
    for item in schema["paths"].values():
        for method, operation in item.items():
            if method in METHODS and operation["operationId"] == operation_id:
                node = operation["requestBody"]["content"]["application/json"]["schema"]
                return [_resolve(schema, n) for n in _resolve(schema, node).get("oneOf", [node])]
    raise KeyError(operation_id)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].removeprefix(SCHEMA_REF)]
    return node


# A value of the wrong type for a field of each JSON type.
WRONG_TYPE: dict[str, Any] = {
    "string": {"fel": "typ"},
    "integer": "många",
    "number": "många",
    "boolean": "kanske",
    "array": "inte en lista",
    "object": "inte ett objekt",
}


def broken(schema: dict[str, Any], operation_id: str, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The body with its first required field left out (one every alternative of a ``oneOf`` requires),
    or else its first field of the wrong type; and that field's name."""
    alternatives = request_schema(schema, operation_id)
    fitting = [a for a in alternatives if set(a.get("required", [])) <= set(body)]
    chosen = (fitting or alternatives)[0]
    # A field every alternative requires: leaving out what tells a ``oneOf``'s alternatives apart would only
    # choose the other alternative.
    required = [
        name
        for name in chosen.get("required", [])
        if name in body and all(name in a.get("required", []) for a in alternatives)
    ]
    if required:
        return required[0], {key: value for key, value in body.items() if key != required[0]}
    name = next(iter(body))
    field_schema = _resolve(schema, chosen["properties"][name])
    kind = field_schema.get("type") or (
        "string" if "enum" in field_schema or "allOf" in field_schema else "object"
    )
    return name, {**body, name: WRONG_TYPE[kind]}


def request_field_names(schema: dict[str, Any], operation_id: str) -> set[str]:
    return {
        name for alternative in request_schema(schema, operation_id) for name in alternative["properties"]
    }


def send_broken(
    w: ExampleWorld, schema: dict[str, Any], operation_id: str, prepared: Prepared, body: dict[str, Any]
) -> str | None:
    """Send the body broken on purpose; what was wrong with the answer, or ``None``."""
    name, wrong = broken(schema, operation_id, body)
    headers = dict(prepared.headers)
    if "Idempotency-Key" in headers:
        headers["Idempotency-Key"] = str(uuid.uuid4())
    label = f"{operation_id} without a good {name!r} as {prepared.caller.label}"
    try:
        answer = w.call(
            prepared.caller,
            operation_id,
            path_params=prepared.path_params,
            json=wrong,
            headers=headers,
            unchecked=True,
        )
    except Exception as error:
        return f"{label}: {error!r}"
    if answer.status != 400:
        return f"{label}: {answer.status} {answer.body}"
    if operation_id == "oauth_token_create":
        return None if answer.body.get("error") == "invalid_request" else f"{label}: {answer.body}"
    fields = set(answer.body["error"].get("fields", {}))
    if name not in fields:
        return f"{label}: the 400 does not name {name!r}: {answer.body}"
    unknown = fields - request_field_names(schema, operation_id)
    if unknown:
        return f"{label}: the 400 names {sorted(unknown)}, which the request schema does not have"
    return None


def send_example(
    w: ExampleWorld, schema: dict[str, Any], operation_id: str, name: str, example: Any
) -> list[str]:
    """Send one example broken, then as it is, as its setup prepares it; what went wrong."""
    try:
        prepared = SETUPS[operation_id](w)
    except Exception as error:  # every example's problem is reported, then the test fails once
        return [f"{operation_id} [{name}]: the setup failed: {error!r}"]
    missing: list[str] = []
    body = fill_ids(example, prepared.ids, prepared.values, missing)
    if missing:
        return [f"{operation_id} [{name}]: the setup names no id for {', '.join(missing)}"]
    problems = []
    refused = send_broken(w, schema, operation_id, prepared, body)
    if refused:
        problems.append(f"BROKEN {refused}")
    try:
        answer = w.call(
            prepared.caller,
            operation_id,
            path_params=prepared.path_params,
            json=body,
            headers=prepared.headers,
        )
    except Exception as error:
        problems.append(f"{operation_id} [{name}] as {prepared.caller.label}: {error}")
    else:
        if not 200 <= answer.status < 300:
            problems.append(
                f"{operation_id} [{name}] as {prepared.caller.label}: {answer.status} {answer.body}"
            )
    return problems


def test_every_operation_with_a_request_example_has_a_setup(schema):
    assert set(request_examples(schema)) == set(SETUPS), (
        "operations with a request example and no setup here (or a setup for an example that went): "
        f"{set(request_examples(schema)) ^ set(SETUPS)}"
    )


def test_every_request_example_is_answered_as_the_schema_says_and_a_broken_one_is_refused(
    schema, eager_celery, django_capture_on_commit_callbacks
):
    seed_demo_world()
    w = ExampleWorld(Contract(schema, lambda: django_capture_on_commit_callbacks(execute=True)))
    examples = request_examples(schema)
    problems = []
    sent = 0
    for operation_id in SETUPS:
        for name, example in examples.get(operation_id, {}).items():
            with mock.patch.object(webhooks, "resolve", return_value=[PUBLIC_ADDRESS]):
                found = send_example(w, schema, operation_id, name, example)
            sent += 1
            problems.extend(found)
    print(f"{sent} request examples sent (each also broken on purpose first); problems: {len(problems)}")
    assert not problems, "\n".join(problems)
