"""My work's kept filters over the API: the page's form decides what is valid, an ETag on the read and
``If-Match`` on the write, and a client acting for a person changes that person's filters."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from directory.actor import Actor
from integrations import services as integration_services
from integrations.models import ClientAccess
from portal.models import WorkListChoice
from portal.work_filters import kept_form, organisations_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_rate_limit_counters")]

PATH = "/api/v1/me/work-filters"
DEFAULTS = {
    "urgent": False,
    "overdue": False,
    "status": "",
    "organisation": None,
    "handler": "",
    "sort": "due",
}


def test_the_filters_round_trip_and_the_page_opens_with_them(world, api):
    nurse = world.users["nurse_a"]
    client = api(nurse)
    first = client.get(PATH)
    assert first.status_code == 200
    assert first.json() == DEFAULTS
    chosen = {
        "urgent": True,
        "overdue": False,
        "status": "submitted",
        "organisation": str(world.orgs["vc_a"].public_id),
        "handler": "me",
        "sort": "urgent",
    }
    assert client.put(PATH, chosen, format="json").status_code == 428
    changed = client.put(PATH, chosen, format="json", HTTP_IF_MATCH=first["ETag"])
    assert changed.status_code == 200, changed.content
    assert changed.json() == chosen
    assert client.get(PATH).json() == chosen
    # What the page opens with: the same kept choice.
    form = kept_form(nurse, organisations_for(Actor.for_user(nurse)))
    assert form.filters().urgent
    assert form.filters().handler == "me"
    assert form.filters().organisation == world.orgs["vc_a"].pk
    # The first read's ETag is stale now.
    stale = client.put(PATH, DEFAULTS, format="json", HTTP_IF_MATCH=first["ETag"])
    assert stale.status_code == 412
    assert client.get(PATH).json() == chosen


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "closed"}, "status"),
        ({"status": "whatever"}, "status"),
        ({"handler": "boss"}, "handler"),
        ({"sort": "random"}, "sort"),
        ({"organisation": "00000000-0000-4000-8000-000000000001"}, "organisation"),
        ({"urgent": "sometimes"}, "urgent"),
    ],
)
def test_an_invalid_value_is_refused_naming_the_field(world, api, change, field):
    client = api(world.users["nurse_a"])
    etag = client.get(PATH)["ETag"]
    answer = client.put(PATH, {**DEFAULTS, **change}, format="json", HTTP_IF_MATCH=etag)
    assert answer.status_code == 400, answer.content
    assert set(answer.json()["error"]["fields"]) == {field}
    assert not WorkListChoice.objects.exists()


def test_each_person_keeps_their_own(world, api):
    nurse, gp = world.users["nurse_a"], world.users["gp_a"]
    client = api(nurse)
    client.put(PATH, {**DEFAULTS, "urgent": True}, format="json", HTTP_IF_MATCH=client.get(PATH)["ETag"])
    assert api(gp).get(PATH).json() == DEFAULTS


def _client_token(world, **headers: str) -> APIClient:
    issued = integration_services.api_client_create(
        name="Journalsystem A",
        organisation=world.orgs["kommun_a"],
        scope=[world.orgs["kommun_a"]],
        access=ClientAccess.READ_WRITE,
        contact_email="it@example.org",
    )
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {integration_services.client_token_issue(client=issued.client).token}",
        **headers,
    )
    return client


def test_a_client_changes_the_filters_of_the_person_it_acts_for(world):
    nurse = world.users["nurse_a"]
    nurse.hsa_id = "SE2321000115-E00000000A01"
    nurse.save(update_fields=["hsa_id"])
    client = _client_token(world, HTTP_X_ON_BEHALF_OF=nurse.hsa_id)
    read = client.get(PATH)
    assert read.status_code == 200, read.content
    changed = client.put(PATH, {**DEFAULTS, "overdue": True}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200, changed.content
    assert WorkListChoice.objects.get(user=nurse).values == {"overdue": True, "sort": "due"}


def test_a_client_acting_for_nobody_is_told_to_name_the_person(world):
    client = _client_token(world)
    answer = client.get(PATH)
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "person_required"
    assert "X-On-Behalf-Of" in answer.json()["error"]["message"]
    assert client.put(PATH, DEFAULTS, format="json", HTTP_IF_MATCH='"x"').status_code == 403
    assert not WorkListChoice.objects.exists()
