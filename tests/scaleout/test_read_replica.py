"""Figures read from a real streaming replica, and from the primary when the replica lags or is gone.

Replay on the replica is paused while cases are added on the primary: the replica then still shows the
earlier count, which is how the test knows where an answer came from.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from prometheus_client import REGISTRY

from hemsjukvard import db_router
from tests.figures.helpers import at, make_case

from .replica import Replica, ReplicaUnavailableError, replica_start

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.django_db(transaction=True, databases=[db_router.PRIMARY, db_router.REPLICA]),
]

PERIOD = "from=2025-01-01&to=2025-03-31"


@pytest.fixture(scope="module")
def replica_server(django_db_setup: None) -> Iterator[Replica]:
    """The replica, known to Django as DATABASE_REPLICA_URL would make it known: the alias ``replica``,
    the test database on the replica's port. It is registered before the test's database access is
    set up, so that the test may use it; as a mirror of the default database, so that nothing tries to
    empty it after the test (a replica is read-only; emptying the primary empties it)."""
    try:
        server = replica_start()
    except ReplicaUnavailableError as why:
        pytest.skip(f"no streaming replica here: {why}")
    replica_settings = copy.deepcopy(connections.settings[db_router.PRIMARY])
    replica_settings.update(PORT=server.port, TEST={**replica_settings["TEST"], "MIRROR": db_router.PRIMARY})
    connections.settings[db_router.REPLICA] = replica_settings
    try:
        yield server
    finally:
        connections[db_router.REPLICA].close()
        del connections[db_router.REPLICA]
        del connections.settings[db_router.REPLICA]
        server.remove()


@pytest.fixture
def replica(replica_server: Replica, settings: Any) -> Iterator[Replica]:
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600.0
    settings.DATABASE_REPLICA_CHECK_SECONDS = 3600.0
    db_router.replica_state_forget()
    yield replica_server
    connections[db_router.REPLICA].close()
    db_router.replica_state_forget()


def _fallbacks(reason: str) -> float:
    return REGISTRY.get_sample_value("hemsjukvard_db_replica_fallbacks_total", {"reason": reason}) or 0.0


def _submitted(api: Any, user: Any) -> int:
    answer = api(user).get(f"/api/v1/figures/kpis?{PERIOD}")
    assert answer.status_code == 200, answer.content
    value: int = answer.json()["submitted"]["value"]
    return value


def _add_cases(world: Any, count: int) -> None:
    for _ in range(count):
        make_case(world, submitted=at("2025-02-01"), tasks=(("wound", "proposed"),), competence_needed=True)


def test_figures_come_from_the_replica_and_from_the_primary_when_it_lags_or_is_gone(
    replica: Replica, world: Any, api: Any, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    nurse = world.users["nurse_a"]
    _add_cases(world, 6)
    replica.wait_caught_up()
    assert _submitted(api, nurse) == 6

    # Replay paused: what the primary writes now, the replica does not show.
    replica.execute("SELECT pg_wal_replay_pause()")
    _add_cases(world, 6)
    assert _submitted(api, nurse) == 6, "read from the replica"
    assert db_router.read_alias() == db_router.PRIMARY, "outside a figures page, reads use the primary"

    # Further behind than allowed: the primary answers, with a warning and a count.
    lagging = _fallbacks("lagging")
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 0.0
    db_router.replica_state_forget()
    caplog.clear()
    assert _submitted(api, nurse) == 12, "read from the primary"
    assert _fallbacks("lagging") > lagging
    assert "read replica is not used" in caplog.text

    # Caught up again, and then gone in the middle of its use: the page still answers, from the primary.
    settings.DATABASE_REPLICA_MAX_LAG_SECONDS = 3600.0
    replica.execute("SELECT pg_wal_replay_resume()")
    replica.wait_caught_up()
    db_router.replica_state_forget()
    assert _submitted(api, nurse) == 12
    assert db_router.replica_usable(), "the replica is in use again"
    replica.stop()
    unreachable = _fallbacks("unreachable")
    caplog.clear()
    assert _submitted(api, nurse) == 12
    assert _fallbacks("unreachable") > unreachable
    assert "read replica is not used" in caplog.text
    # And while it stays gone, without trying it on every read.
    assert _submitted(api, nurse) == 12
