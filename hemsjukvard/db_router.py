"""Which database a query goes to: the primary, or a streaming replica for reads that may be a moment old.

With ``DATABASE_REPLICA_URL`` set (hemsjukvard.settings), the pages that only count and list — the
figures, the access-log review and the exports made from them — read from the replica, so that a heavy
count never competes with people's writes on the primary. Everything else reads from the primary, and
every write goes there.

* A view opts in with ``@replica_reads``; code inside it may ask ``read_alias()`` for the connection
  its reads use (``transaction.atomic(using=...)``). Outside such a view the router sends every read
  to the primary.
* Reads that must see one's own writes stay on the primary: inside a transaction on the primary (a
  write in progress), the router keeps reads there too.
* The replica is used only while it answers and is at most ``DATABASE_REPLICA_MAX_LAG_SECONDS``
  behind (checked at most every ``DATABASE_REPLICA_CHECK_SECONDS`` per process). Otherwise the primary
  answers: a warning is logged when the replica becomes unusable (and an info line when it is back),
  and every read sent back to the primary counts in ``hemsjukvard_db_replica_fallbacks_total``. A
  replica that fails in the middle of a view is marked down, and the view runs again on the primary
  (the opted-in views write nothing before their reads).

Lag is measured on the replica as PostgreSQL's documentation suggests: none while it has replayed all
the WAL it has received, else the time since the last transaction it replayed.
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.db import DatabaseError, connections
from django.db.models import Model
from prometheus_client import Counter, Gauge

logger = logging.getLogger(__name__)

PRIMARY = "default"
REPLICA = "replica"

FALLBACKS = Counter(
    "hemsjukvard_db_replica_fallbacks_total",
    "Reads meant for the replica that the primary answered, by reason (unreachable, lagging).",
    ["reason"],
)
LAG_SECONDS = Gauge(
    "hemsjukvard_db_replica_lag_seconds",
    "How far behind the replica was at its last check (-1: it did not answer).",
    multiprocess_mode="max",
)

LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END
"""

P = ParamSpec("P")
R = TypeVar("R")

_wanted: contextvars.ContextVar[bool] = contextvars.ContextVar("hemsjukvard_replica_reads", default=False)


@dataclass
class _State:
    checked_at: float = float("-inf")
    usable: bool = False
    reason: str = ""
    lag: float = 0.0
    # What the last warning was about (unreachable, lagging); empty while the replica is in use.
    warned: str = ""


_state = _State()
_state_lock = threading.Lock()


def replica_configured() -> bool:
    return REPLICA in connections


def _check() -> tuple[bool, str, float]:
    """Ask the replica how far behind it is (on this thread's connection to it)."""
    replica = connections[REPLICA]
    try:
        with replica.cursor() as cursor:
            cursor.execute(LAG_SQL)
            row = cursor.fetchone()
    except DatabaseError as error:
        replica.close()
        first_line = (str(error).strip().splitlines() or [repr(error)])[0]
        return False, f"unreachable: {first_line}", -1.0
    lag = float(row[0] or 0)
    if lag > settings.DATABASE_REPLICA_MAX_LAG_SECONDS:
        return False, f"lagging: {lag:.1f} s behind", lag
    return True, "", lag


def _set(usable: bool, reason: str, lag: float) -> None:
    kind = reason.split(":", 1)[0]
    with _state_lock:
        warned = _state.warned
        _state.checked_at, _state.usable, _state.reason, _state.lag = time.monotonic(), usable, reason, lag
        _state.warned = "" if usable else kind
    LAG_SECONDS.set(lag)
    if not usable and kind != warned:
        logger.warning("the read replica is not used, the primary answers instead (%s)", reason)
    elif usable and warned:
        logger.info("the read replica is used again (%.1f s behind)", lag)


def replica_usable() -> bool:
    """Whether reads may go to the replica now (checked at most every DATABASE_REPLICA_CHECK_SECONDS)."""
    if not replica_configured():
        return False
    if time.monotonic() - _state.checked_at >= settings.DATABASE_REPLICA_CHECK_SECONDS:
        _set(*_check())
    return _state.usable


def replica_state_forget() -> None:
    """Check the replica again at the next read (after its settings or its server changed)."""
    with _state_lock:
        _state.checked_at = float("-inf")


def read_alias() -> str:
    """The database the current reads go to: the replica inside ``@replica_reads`` while it is usable
    and no transaction on the primary is in progress, the primary otherwise."""
    if not _wanted.get() or connections[PRIMARY].in_atomic_block:
        return PRIMARY
    if replica_usable():
        return REPLICA
    FALLBACKS.labels(reason=_state.reason.split(":", 1)[0] or "unreachable").inc()
    return PRIMARY


def replica_reads(view: Callable[P, R]) -> Callable[P, R]:
    """Run ``view`` with its reads on the replica (see the module's docstring); without a replica, or
    with one that is unusable or fails on the way, the primary answers."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if not replica_configured():
            return view(*args, **kwargs)
        token = _wanted.set(True)
        try:
            return view(*args, **kwargs)
        except DatabaseError:
            if not _state.usable:
                raise  # the primary answered, and failed
            connections[REPLICA].close()
            usable, reason, lag = _check()
            if usable:
                raise  # the replica answers: not its failure
            _set(usable, reason, lag)
            FALLBACKS.labels(reason=reason.split(":", 1)[0]).inc()
        finally:
            _wanted.reset(token)
        return view(*args, **kwargs)

    return wrapper


class ReplicaRouter:
    """Django's database router (settings.DATABASE_ROUTERS)."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_alias() if _wanted.get() else PRIMARY

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        return True  # one database, two copies of it

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool:
        return db != REPLICA  # a replica takes its schema from the primary
