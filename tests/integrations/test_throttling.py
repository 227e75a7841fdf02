"""Rate limits: per API client (over all its tokens) and per person; 429 with Retry-After."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import as_client, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(settings: Any):
    def set_rates(**rates: str) -> None:
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
        }

    return set_rates


def _assert_throttled(response) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["error"]["code"] == "throttled"


def test_client_is_limited_over_all_its_tokens(make_client, rates) -> None:
    rates(api_client="3/min", user="1/min")
    issued = make_client()
    first, second = as_client(token=token_for(issued)), as_client(token=token_for(issued))
    assert first.get("/api/v1/me").status_code == 200
    assert second.get("/api/v1/me").status_code == 200  # the per-person limit does not count clients
    assert first.get("/api/v1/me").status_code == 200
    _assert_throttled(second.get("/api/v1/me"))
    # Another client has its own count.
    assert as_client(make_client("Other")).get("/api/v1/me").status_code == 200


def test_person_is_limited(world, api, rates) -> None:
    rates(user="2/min")
    nurse = api(world.users["nurse_a"])
    assert nurse.get("/api/v1/me").status_code == 200
    assert nurse.get("/api/v1/me").status_code == 200
    _assert_throttled(nurse.get("/api/v1/me"))
    assert api(world.users["gp_a"]).get("/api/v1/me").status_code == 200


def test_token_endpoint_is_limited_per_address(make_client, rates) -> None:
    rates(oauth_token="2/min")
    issued = make_client()
    token_for(issued)
    token_for(issued)
    from .conftest import form_post

    _assert_throttled(
        form_post(
            {"grant_type": "client_credentials", "client_id": issued.client.client_id, "client_secret": "x"}
        )
    )
