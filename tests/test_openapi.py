"""The OpenAPI description is valid and complete enough that drf-spectacular has no warning."""

from __future__ import annotations

import pytest
from django.core.management import call_command


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    assert "/api/v1/patients" in text
    assert "bearerAuth" in text


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
