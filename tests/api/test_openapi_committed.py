"""The committed openapi.yaml is what the code generates, and every operation is documented."""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management import call_command

COMMITTED = Path(settings.BASE_DIR) / "openapi.yaml"


def _generate(tmp_path: Path) -> str:
    target = tmp_path / "openapi.yaml"
    # In English whatever language an earlier test left active.
    call_command("spectacular", "--lang", "en", "--validate", "--fail-on-warn", "--file", str(target))
    return target.read_text()


def test_committed_schema_matches_the_code(tmp_path):
    generated = _generate(tmp_path)
    assert COMMITTED.exists(), (
        "openapi.yaml is missing; run: python manage.py spectacular --lang en --file openapi.yaml"
    )
    assert COMMITTED.read_text() == generated, (
        "openapi.yaml differs from the code; run: python manage.py spectacular --lang en --file openapi.yaml"
    )


def test_every_operation_has_summary_errors_examples_and_an_integrators_description():
    schema = yaml.safe_load(COMMITTED.read_text())
    problems = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            name = f"{method.upper()} {path}"
            if not operation.get("summary"):
                problems.append(f"{name}: no summary")
            # reST double backticks mark a docstring written for the code's maintainers, which
            # drf-spectacular would otherwise inherit from a base class into the operation.
            if "``" in (operation.get("description") or ""):
                problems.append(f"{name}: description taken from a maintainer's docstring")
            if not any(code.startswith("4") for code in operation["responses"]):
                problems.append(f"{name}: no documented 4xx response")
            body = operation.get("requestBody")
            if body and not any(
                media.get("examples") or media.get("example") for media in body["content"].values()
            ):
                problems.append(f"{name}: request body without an example")
    assert not problems, "\n".join(problems)
