"""Teams in the administration: an organisation administrator keeps their own organisation's teams (every
change an administration event) and does not find another organisation's."""

from __future__ import annotations

import pytest

from directory.models import AdminEvent, Team

pytestmark = pytest.mark.django_db


def test_an_administrator_keeps_own_teams_and_finds_no_other(aw, as_admin):
    own = aw.own_org
    gp = aw.own_membership
    created = as_admin.post(
        "/admin/directory/team/add/",
        {"organisation": own.pk, "name": "Jour VC A", "members": [gp.pk], "is_active": "on"},
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    team = Team.objects.get(name="Jour VC A")
    assert list(team.members.all()) == [gp]
    event = AdminEvent.objects.get(object_type="team", object_id=str(team.public_id))
    assert event.actor == aw.admin
    assert event.changes["members"] == [None, [str(gp.public_id)]]

    other = Team.objects.create(organisation=aw.other_org, name="Dagtid B")
    assert as_admin.get(f"/admin/directory/team/{other.pk}/change/").status_code == 404
    assert "Dagtid B" not in as_admin.get("/admin/directory/team/").content.decode()
    # Another organisation cannot be chosen for a new team.
    refused = as_admin.post(
        "/admin/directory/team/add/", {"organisation": aw.other_org.pk, "name": "Smygteam", "is_active": "on"}
    )
    assert refused.status_code == 200
    assert not Team.objects.filter(name="Smygteam").exists()
