"""A second nurse and a team in kommun A, for handing cases over."""

from __future__ import annotations

from typing import Any

import pytest

from directory.models import Role, Team
from tests.fixtures.world import World, make_user


@pytest.fixture
def colleagues(world: World) -> dict[str, Any]:
    """``nurse2_a`` (a colleague of ``nurse_a``), ``nurse3_a`` (in no team) and the team "Dagtid A" of
    ``nurse_a`` and ``nurse2_a``."""
    kommun = world.orgs["kommun_a"]
    world.users["nurse2_a"] = make_user("nurse2.a", (kommun, Role.NURSE))
    world.users["nurse3_a"] = make_user("nurse3.a", (kommun, Role.NURSE))
    team = Team.objects.create(organisation=kommun, name="Dagtid A")
    team.members.set([world.membership("nurse_a"), world.membership("nurse2_a")])
    return {"team": team}
