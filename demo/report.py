"""What building the demo world reports back (counts, the credentials to print), and its one error."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Notify = Callable[[str], None]


class DemoWorldError(Exception):
    """The database holds something that stops the demo world from being built as asked."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0


@dataclass(frozen=True)
class Credential:
    username: str
    full_name: str
    role: str
    organisation: str
    note: str


@dataclass
class WorldReport:
    organisations: Counts = field(default_factory=Counts)
    users: Counts = field(default_factory=Counts)
    memberships: Counts = field(default_factory=Counts)
    patients_created: int = 0
    patients_present: int = 0
    patients_beyond_request: int = 0
    enrolments_created: int = 0
    agreement_loaded: bool = False
    credentials: list[Credential] = field(default_factory=list)
