"""``GET /api/v1/sips``: the plans of every patient one may see (or of one patient), paged, for syncing."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry, Action
from directory.actor import Actor
from patients.selectors import patient_get
from sip import services
from sip.models import Sip
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db


def _start(world: World, user: str, *, kommun: str, vardcentral: str) -> Sip:
    actor = Actor.for_user(world.users[user])
    patient = world.patient(kommun=kommun, vardcentral=vardcentral)
    return services.sip_create_for_patient(
        actor=actor, patient=patient_get(actor=actor, public_id=patient.public_id)
    )


@pytest.fixture
def plans(world: World) -> dict[str, list[Sip]]:
    return {
        "a": [_start(world, "nurse_a", kommun="kommun_a", vardcentral="vc_a") for _ in range(3)],
        "b": [_start(world, "nurse_b", kommun="kommun_b", vardcentral="vc_b")],
    }


def _ids(body: dict[str, Any]) -> set[str]:
    return {plan["id"] for plan in body["results"]}


def test_lists_the_plans_of_the_patients_one_may_see_and_logs_each(
    world: World, api: Callable[..., Any], plans: dict[str, list[Sip]]
) -> None:
    logged_before = AccessLogEntry.objects.filter(record_type="sip", action=Action.LIST).count()
    response = api(world.users["nurse_a"]).get("/api/v1/sips")
    assert response.status_code == 200, response.content
    body = response.json()
    assert _ids(body) == {str(sip.public_id) for sip in plans["a"]}
    assert body["count"] == 3
    rows = AccessLogEntry.objects.filter(record_type="sip", action=Action.LIST).order_by("-pk")[:3]
    assert AccessLogEntry.objects.filter(record_type="sip", action=Action.LIST).count() == logged_before + 3
    assert {row.record_id for row in rows} == _ids(body)
    assert {row.user_id for row in rows} == {world.users["nurse_a"].pk}

    other = api(world.users["nurse_b"]).get("/api/v1/sips").json()
    assert _ids(other) == {str(plans["b"][0].public_id)}


def test_one_patient_and_another_kommuns_patient_is_404(
    world: World, api: Callable[..., Any], plans: dict[str, list[Sip]]
) -> None:
    client = api(world.users["nurse_a"])
    mine = plans["a"][0]
    response = client.get("/api/v1/sips", {"patient": str(mine.patient.public_id)})
    assert response.status_code == 200
    assert _ids(response.json()) == {str(mine.public_id)}

    theirs = plans["b"][0]
    response = client.get("/api/v1/sips", {"patient": str(theirs.patient.public_id)})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"

    response = client.get("/api/v1/sips", {"patient": "inte-ett-id"})
    assert response.status_code == 400
    assert "patient" in response.json()["error"]["fields"]


def test_a_planning_system_syncs_with_the_cursor_and_updated_since(
    world: World, api: Callable[..., Any], plans: dict[str, list[Sip]]
) -> None:
    client = api(world.users["nurse_a"])
    seen: list[str] = []
    response = client.get("/api/v1/sips", {"cursor": "", "page_size": 2})
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body
        seen += [plan["id"] for plan in body["results"]]
        if not body["next"]:
            break
        response = client.get(body["next"])
    # Oldest change first, each plan once.
    assert seen == [str(sip.public_id) for sip in sorted(plans["a"], key=lambda s: (s.updated_at, s.pk))]

    later = timezone.now() + datetime.timedelta(minutes=1)
    assert client.get("/api/v1/sips", {"updated_since": later.isoformat()}).json()["results"] == []
    response = client.get("/api/v1/sips", {"updated_since": "igår"})
    assert response.status_code == 400
    assert "updated_since" in response.json()["error"]["fields"]
