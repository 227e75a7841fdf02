"""Every 2xx JSON answer in the committed openapi.yaml has an example, and every example fits its schema.

The examples are captured from the demo world (``manage.py api_examples --write``). Validating them
against the component schemas the serializers produce means an example cannot drift from the code: a
renamed, removed or retyped field fails here. The OpenAPI 3.0 schemas are turned into JSON Schema by the
small converter below (``nullable``, component ``$ref``, ``writeOnly``), and objects are closed
(``additionalProperties: false``) so that a field the serializer no longer has is caught too.
"""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from django.conf import settings
from jsonschema import Draft202012Validator, FormatChecker

from demo.management.commands.api_examples import identity_problems
from hemsjukvard.api.examples import load_examples

COMMITTED = Path(settings.BASE_DIR) / "openapi.yaml"
SCHEMA_REF = "#/components/schemas/"
EXAMPLE_REF = "#/components/examples/"
# Keywords of OpenAPI 3.0 that JSON Schema does not have (or that say nothing about a response's shape).
OPENAPI_ONLY = {
    "nullable",
    "readOnly",
    "writeOnly",
    "example",
    "discriminator",
    "xml",
    "externalDocs",
    "deprecated",
}
# Operations whose own, hand-written example does not fit the answer, with why. Each entry must still be
# wrong (see test_the_known_wrong_examples_are_still_wrong): remove it when the view is fixed.


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMMITTED.read_text())
    return loaded


def to_json_schema(node: Any) -> Any:
    """An OpenAPI 3.0 schema object as JSON Schema (2020-12), for validating answers."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return {"$ref": node["$ref"].replace(SCHEMA_REF, "#/$defs/")}
    converted: dict[str, Any] = {}
    for key, value in node.items():
        if key in OPENAPI_ONLY:
            continue
        if key == "properties":
            # A write-only field is never in an answer: leaving it out of a closed object forbids it.
            converted[key] = {
                name: to_json_schema(sub) for name, sub in value.items() if not sub.get("writeOnly")
            }
        elif key == "required":
            properties = node.get("properties", {})
            converted[key] = [name for name in value if not properties.get(name, {}).get("writeOnly")]
        elif key in {"items", "additionalProperties", "not", "allOf", "oneOf", "anyOf"}:
            converted[key] = to_json_schema(value)
        else:
            converted[key] = value
    if "properties" in node and "additionalProperties" not in node:
        converted["additionalProperties"] = False
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_datetime(value: object) -> bool:
    if isinstance(value, str):
        parsed = datetime.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("a time without its offset")
    return True


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


def validator(schema: dict[str, Any], response_schema: dict[str, Any]) -> Draft202012Validator:
    components = schema["components"]["schemas"]
    return Draft202012Validator(
        {
            **to_json_schema(response_schema),
            "$defs": {name: to_json_schema(component) for name, component in components.items()},
        },
        format_checker=FORMATS,
    )


def json_answers(schema: dict[str, Any]) -> Iterator[tuple[tuple[str, str, str], dict[str, Any]]]:
    """Every 2xx JSON answer of every operation, as ((method, path, status), media type object)."""
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            for code, response in operation["responses"].items():
                if not code.startswith("2"):
                    continue
                for media_type, media in (response.get("content") or {}).items():
                    if media_type == "application/json" or media_type.endswith("+json"):
                        yield (method.upper(), path, code), media


def example_values(schema: dict[str, Any], media: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    if "example" in media:
        yield "example", media["example"]
    for name, example in (media.get("examples") or {}).items():
        if "$ref" in example:
            example = schema["components"]["examples"][example["$ref"].removeprefix(EXAMPLE_REF)]
        yield name, example["value"]


def problems_of(schema: dict[str, Any], media: dict[str, Any]) -> list[str]:
    check = validator(schema, media["schema"])
    return [
        f"{name}: {'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for name, value in example_values(schema, media)
        for error in check.iter_errors(value)
    ]


def test_every_2xx_json_answer_has_an_example(schema):
    missing = [
        " ".join(operation)
        for operation, media in json_answers(schema)
        if not media.get("example") and not media.get("examples")
    ]
    assert not missing, "Without a response example (run manage.py api_examples --write):\n" + "\n".join(
        missing
    )


def test_every_example_fits_its_schema(schema):
    problems = [
        f"{' '.join(operation)} {problem}"
        for operation, media in json_answers(schema)
        for problem in problems_of(schema, media)
    ]
    assert not problems, (
        "Examples that no longer fit the serializers (run manage.py api_examples --write, then regenerate "
        "openapi.yaml):\n" + "\n".join(problems)
    )


def test_a_drifted_example_is_caught(schema):
    """The check is not vacuous: an example with a field too many, one missing or one retyped fails."""
    answers = dict(json_answers(schema))
    media = copy.deepcopy(answers[("GET", "/api/v1/cases/{id}", "200")])
    (_name, case), *_ = example_values(schema, media)
    drifted = [
        {**case, "priority": "high"},
        {key: value for key, value in case.items() if key != "kommun"},
        {**case, "tasks": [{**case["tasks"][0], "id": 17}]},
        {**case, "submitted_at": "igår"},
    ]
    check = validator(schema, media["schema"])
    assert not list(check.iter_errors(case))
    for value in drifted:
        assert list(check.iter_errors(value)), value


def test_the_examples_hold_only_demo_identities():
    problems = [
        problem
        for captured in load_examples().values()
        for example in captured.examples
        for problem in identity_problems(captured.component, example.value)
    ]
    assert not problems, "\n".join(problems)


def test_a_patient_with_skyddad_identitet_is_shown_masked():
    patient = {e.name: e.value for e in load_examples()["Patient"].examples}["Skyddad identitet"]
    assert patient["protected_identity"] is True
    assert patient["identity_masked"] is True
    assert patient["personal_identity"] == "********-****"
    assert {patient[f] for f in ("given_name", "family_name", "street_address", "postal_code", "city")} == {
        "*****"
    }
