"""Cursor pagination and updated_since on the large lists."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_cases_cursor_and_updated_since(world, halland, case_in, api):
    cases = [case_in() for _ in range(3)]
    client = api(world.users["nurse_a"])
    first = client.get("/api/v1/cases", {"cursor": "", "page_size": 2}).json()
    assert "count" not in first
    assert len(first["results"]) == 2
    second = client.get(first["next"]).json()
    seen = [c["id"] for c in first["results"] + second["results"]]
    assert sorted(seen) == sorted(str(c.public_id) for c in cases)
    cases[0].refresh_from_db()
    since = cases[-1].updated_at.isoformat()
    recent = client.get("/api/v1/cases", {"updated_since": since}).json()
    assert [c["id"] for c in recent["results"]] == [str(cases[-1].public_id)]
    assert client.get("/api/v1/cases", {"updated_since": "yesterday"}).status_code == 400
    assert client.get("/api/v1/cases", {"updated_since": "2026-01-01T00:00:00"}).status_code == 400
    assert client.get("/api/v1/cases", {"ordering": "-due_at"}).status_code == 200
    assert client.get("/api/v1/cases", {"ordering": "patient"}).status_code == 400
    # page-number pagination stays the default
    assert client.get("/api/v1/cases").json()["count"] == 3


@pytest.mark.parametrize("size", ["0", "101", "1000", "-5", "ten"])
@pytest.mark.parametrize("cursor", [False, True])
def test_a_page_size_out_of_bounds_is_refused_not_capped(world, halland, api, size, cursor):
    client = api(world.users["nurse_a"])
    query = {"page_size": size, **({"cursor": ""} if cursor else {})}
    response = client.get("/api/v1/cases", query)
    assert response.status_code == 400
    assert "page_size" in response.json()["error"]["fields"]


def test_the_largest_page_size_is_served_and_next_repeats_it(world, halland, case_in, api):
    for _ in range(3):
        case_in()
    client = api(world.users["nurse_a"])
    assert len(client.get("/api/v1/cases", {"page_size": 100}).json()["results"]) == 3
    first = client.get("/api/v1/cases", {"page_size": 2}).json()
    assert "page_size=2" in first["next"]
