"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from directory.models import Membership, User
from tests.factories import World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def api() -> Callable[..., APIClient]:
    """An API client acting as ``user`` (authenticated the way integrations are: a bearer token).

    A token acts in one membership: ``membership`` if given, else the person's only one, else (a person
    with several) the first as ``POST /api/v1/auth/token`` lists them.
    """

    def make(user: User | None, membership: Membership | None = None) -> APIClient:
        client = APIClient()
        if user is not None:
            from directory.authentication import token_issue, token_memberships

            if membership is None:
                membership = next(iter(token_memberships(user)), None)
            raw, _ = token_issue(user=user, membership=membership)
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        return client

    return make
