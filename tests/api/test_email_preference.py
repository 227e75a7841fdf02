"""Choosing notification e-mails through the API, as on the inbox page: the same choice, an ETag on the
read, ``If-Match`` on the write, a clear error for an unknown choice."""

from __future__ import annotations

import pytest

from cases.models import NotificationPreference
from cases.services.notifications import email_choice

pytestmark = pytest.mark.django_db

PATH = "/api/v1/notifications/email-preference"


def test_the_choice_is_read_and_changed_with_its_etag(world, api):
    nurse = world.users["nurse_a"]
    client = api(nurse)
    first = client.get(PATH)
    assert first.status_code == 200
    assert first.json() == {"email": "immediate"}
    assert client.put(PATH, {"email": "digest"}, format="json").status_code == 428
    changed = client.put(PATH, {"email": "digest"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert changed.status_code == 200, changed.content
    assert changed.json() == {"email": "digest"}
    assert email_choice(nurse.pk) == "digest"
    # The first read's ETag is stale now.
    stale = client.put(PATH, {"email": "immediate"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert stale.status_code == 412
    assert email_choice(nurse.pk) == "digest"


def test_an_unknown_choice_is_refused_and_nothing_changes(world, api):
    nurse = world.users["nurse_a"]
    client = api(nurse)
    etag = client.get(PATH)["ETag"]
    answer = client.put(PATH, {"email": "hourly"}, format="json", HTTP_IF_MATCH=etag)
    assert answer.status_code == 400
    assert set(answer.json()["error"]["fields"]) == {"email"}
    assert not NotificationPreference.objects.filter(user=nurse).exists()


def test_each_person_sets_only_their_own(world, api):
    nurse, gp = world.users["nurse_a"], world.users["gp_a"]
    client = api(nurse)
    client.put(PATH, {"email": "digest"}, format="json", HTTP_IF_MATCH=client.get(PATH)["ETag"])
    assert api(gp).get(PATH).json() == {"email": "immediate"}
