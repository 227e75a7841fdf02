"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from directory.models import User
from tests.factories import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def api() -> Callable[[User | None], APIClient]:
    """An API client acting as ``user`` (authenticated the way integrations are: a bearer token)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            from directory.authentication import token_issue

            raw, _ = token_issue(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
