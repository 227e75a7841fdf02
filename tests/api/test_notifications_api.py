"""The notifications API: a person's own notices, unread by default or all of them; ``updated_since`` for a
sync (a bad date is a 400 naming the field); someone else's notice answers 404 and is left alone;
read-all touches only the caller's; pages are bounded; every answer fits the committed ``openapi.yaml``.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.utils import timezone

from cases.models import Notification, NotificationKind
from tests.api.test_response_examples import validator
from tests.fixtures.agreements import PD, WOUND

pytestmark = pytest.mark.django_db

URL = "/api/v1/notifications"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((Path(settings.BASE_DIR) / "openapi.yaml").read_text())
    return loaded


def _fits(schema: dict[str, Any], path: str, method: str, status: int, body: Any) -> None:
    answer = schema["paths"][path][method]["responses"][str(status)]["content"]["application/json"]
    errors = [e.message for e in validator(schema, answer["schema"]).iter_errors(body)]
    assert not errors, (path, method, status, errors)


def _two_notices(drive: Any, world: Any) -> tuple[Notification, Notification]:
    # The GP reviews the wound care, the clinic the PD it orders: each is asked twice.
    drive.submit(drive.open(tasks=(PD, WOUND)))
    drive.submit(drive.open(tasks=(PD, WOUND)))
    older, newer = Notification.objects.filter(user=world.users["gp_a"]).order_by("created_at", "pk")
    return older, newer


def test_unread_by_default_and_read_ones_too_with_unread_false(world, drive, api, schema):
    older, newer = _two_notices(drive, world)
    client = api(world.users["gp_a"])
    read = client.post(f"{URL}/{older.public_id}/read")
    assert read.status_code == 200
    _fits(schema, "/api/v1/notifications/{id}/read", "post", 200, read.json())
    assert read.json()["read_at"] is not None

    unread = client.get(URL)
    assert unread.status_code == 200
    _fits(schema, URL, "get", 200, unread.json())
    assert [n["id"] for n in unread.json()["results"]] == [str(newer.public_id)]

    everything = client.get(URL, {"unread": "false"}).json()
    _fits(schema, URL, "get", 200, everything)
    assert [n["id"] for n in everything["results"]] == [str(newer.public_id), str(older.public_id)]
    first = everything["results"][0]
    assert first["kind"] == NotificationKind.REVIEW_REQUESTED
    assert first["case"] == str(newer.case.public_id)
    assert first["organisation"] == str(world.orgs["vc_a"].public_id)
    assert first["acts"] is True
    assert first["due_at"] is not None

    refused = client.get(URL, {"unread": "maybe"})
    assert refused.status_code == 400
    _fits(schema, URL, "get", 400, refused.json())
    assert "unread" in refused.json()["error"]["fields"]


def test_updated_since_returns_only_newer_and_a_bad_date_is_a_field_error(world, drive, api, schema):
    older, newer = _two_notices(drive, world)
    past = timezone.now() - datetime.timedelta(hours=1)
    Notification.objects.filter(pk=older.pk).update(updated_at=past)
    client = api(world.users["gp_a"])

    since = (past + datetime.timedelta(minutes=1)).isoformat()
    recent = client.get(URL, {"unread": "false", "updated_since": since}).json()
    assert [n["id"] for n in recent["results"]] == [str(newer.public_id)]

    # Marking the older one read changes it: a sync sees it again.
    client.post(f"{URL}/{older.public_id}/read")
    again = client.get(URL, {"unread": "false", "updated_since": since}).json()
    assert {n["id"] for n in again["results"]} == {str(older.public_id), str(newer.public_id)}

    for bad in ("yesterday", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00"):
        answer = client.get(URL, {"updated_since": bad})
        assert answer.status_code == 400, bad
        assert answer["Content-Type"].startswith("application/json")
        _fits(schema, URL, "get", 400, answer.json())
        assert "updated_since" in answer.json()["error"]["fields"], bad


def test_another_persons_notification_answers_404_and_is_left_unread(world, drive, api, schema):
    notice, _ = _two_notices(drive, world)
    for outsider in ("gp_b", "nurse_a", "specialist"):
        client = api(world.users[outsider])
        got = client.get(f"{URL}/{notice.public_id}")
        assert got.status_code == 404, outsider
        _fits(schema, "/api/v1/notifications/{id}", "get", 404, got.json())
        assert client.post(f"{URL}/{notice.public_id}/read").status_code == 404, outsider
    notice.refresh_from_db()
    assert notice.read_at is None

    mine = api(world.users["gp_a"]).get(f"{URL}/{notice.public_id}")
    assert mine.status_code == 200
    _fits(schema, "/api/v1/notifications/{id}", "get", 200, mine.json())


def test_read_all_touches_only_the_callers(world, drive, api, schema):
    _two_notices(drive, world)
    specialist_unread = Notification.objects.filter(user=world.users["specialist"], read_at__isnull=True)
    assert specialist_unread.count() == 2

    answer = api(world.users["gp_a"]).post(f"{URL}/read-all")
    assert answer.status_code == 200
    _fits(schema, "/api/v1/notifications/read-all", "post", 200, answer.json())
    assert answer.json() == {"marked_read": 2}
    assert not Notification.objects.filter(user=world.users["gp_a"], read_at__isnull=True).exists()
    assert specialist_unread.count() == 2
    assert api(world.users["gp_a"]).post(f"{URL}/read-all").json() == {"marked_read": 0}


def test_pages_are_bounded(world, drive, api, schema, django_assert_max_num_queries):
    case = drive.submit(drive.open(tasks=(WOUND,)))
    gp = world.users["gp_a"]
    Notification.objects.bulk_create(
        Notification(
            user=gp,
            case=case,
            kind=NotificationKind.DEADLINE_PASSED,
            deadline_key=f"bulk:{i}",
            message="Tidsfristen har passerat.",
        )
        for i in range(250)
    )
    client = api(gp)

    default = client.get(URL).json()
    assert default["count"] == 251
    assert len(default["results"]) == 25
    with django_assert_max_num_queries(25):
        largest = client.get(URL, {"page_size": 100})
    _fits(schema, URL, "get", 200, largest.json())
    assert len(largest.json()["results"]) == 100
    assert "page_size=100" in largest.json()["next"]
    # More than the largest page is refused with a reason, not silently cut.
    too_many = client.get(URL, {"page_size": 10_000})
    assert too_many.status_code == 400
    assert "page_size" in too_many.json()["error"]["fields"]
    assert client.get(URL, {"page": 999}).status_code == 404


def test_the_schema_names_every_kind_and_marks_every_field_read_only(schema):
    """An integration reads ``kind`` to route a notice: the contract lists every kind there is."""
    notification = schema["components"]["schemas"]["Notification"]
    assert schema["components"]["schemas"]["NotificationKindEnum"]["enum"] == NotificationKind.values
    assert notification["properties"]["kind"]["allOf"] == [
        {"$ref": "#/components/schemas/NotificationKindEnum"}
    ]
    assert all(field.get("readOnly") for field in notification["properties"].values())
    assert "read_at" in notification["required"]
