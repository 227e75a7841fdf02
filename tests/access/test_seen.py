"""What a read returns is a value (``Seen``), and the policies that decide on it take that value: a patient
loaded some other way cannot be passed for one that was read."""

from __future__ import annotations

import pytest

from access.seen import Seen
from directory.actor import Actor
from patients import selectors
from patients.policies import can_update_patient
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("who", "protected", "may_update"),
    [
        ("nurse_a", False, True),
        ("nurse_a", True, True),  # treats the patient: sees the identity, may correct it
        ("coordinator_a", False, True),
        ("coordinator_a", True, False),  # reaches the patient, sees the identity masked
        ("mas_a", True, True),
    ],
)
def test_a_read_carries_its_grant_and_the_identity_rule(
    world: World, who: str, protected: bool, may_update: bool
) -> None:
    actor = Actor.for_user(world.users[who])
    patient = world.patient(protected=protected)
    seen = selectors.patient_get(actor=actor, public_id=patient.public_id)
    assert isinstance(seen, Seen)
    assert seen.obj == patient
    assert seen.membership.organisation == world.orgs["kommun_a"]
    assert seen.identity_visible is may_update
    assert can_update_patient(actor, seen) is may_update
    # Nothing is set on the model instance any more.
    assert not hasattr(seen.obj, "identity_visible")
    assert not hasattr(seen.obj, "granted_by")


def test_a_listed_page_is_seen_row_by_row(world: World) -> None:
    actor = Actor.for_user(world.users["coordinator_a"])
    plain = world.patient(given_name="Anna")
    protected = world.patient(protected=True, given_name="Berit")
    shown = selectors.patients_listed(
        actor=actor,
        patients=list(selectors.patient_list(actor=actor).filter(pk__in=[plain.pk, protected.pk])),
    )
    assert {seen.obj.pk: seen.identity_visible for seen in shown} == {plain.pk: True, protected.pk: False}
