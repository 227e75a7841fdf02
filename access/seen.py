"""What a read returns: the record, the membership that let the person see it, and whether they may see
the identity of the patient it is about.

A selector hands this back as a value instead of setting attributes on the model instance, so a policy,
a template or a serializer that needs to know how the record was seen takes a ``Seen`` and cannot be
given a record loaded some other way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from directory.models import Membership

T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True)
class Seen(Generic[T]):
    """``obj`` as one person saw it.

    ``membership`` is the one that granted the read (the access log names it); ``identity_visible`` is
    false when the patient the record is about has skyddad identitet and the person may not see it
    (``access.patients.identity_visible``): name, address and personnummer are then shown masked.
    """

    obj: T
    membership: Membership
    identity_visible: bool

    def of(self, other: U) -> Seen[U]:
        """The same read, carrying another record about the same patient (an enrolment's patient, a
        plan's patient): the membership and the identity rule are the patient's, so they hold for it."""
        return Seen(obj=other, membership=self.membership, identity_visible=self.identity_visible)
