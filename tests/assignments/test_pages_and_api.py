"""The case page's "Handläggare" box and its form, the teams page, and the same through the API: the
case's access rule first (another organisation's case is a 404, logged as denied), JSON errors, and the
current handlers in the case's representation."""

from __future__ import annotations

import pytest

from assignments.models import CaseAssignment
from audit.models import AccessLogEntry, Outcome
from cases.models import CaseStatus
from directory.models import Team
from tests.fixtures.cases import etag
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_handlers_and_hands_over(world, case_in, colleagues):
    case = case_in(CaseStatus.AGREED)
    client = signed_in(world.users["nurse_a"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "Handläggare" in page
    assert "Ingen särskild" in page
    assert "Dagtid A" in page  # the team is a choice of the form

    colleague = world.users["nurse2_a"]
    response = client.post(
        f"/cases/{case.public_id}/handler/", {"to": f"user:{colleague.public_id}", "note": "Semester."}
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert colleague.display_name in page.split('id="handlers-heading"')[1].split("</section>")[0]
    assert "Överlämnat" in page  # the timeline

    # An invalid choice keeps the note and says what is wrong.
    refused = client.post(f"/cases/{case.public_id}/handler/", {"to": "user:nobody", "note": "Kvar."})
    assert refused.status_code == 400
    assert "Kvar." in refused.content.decode()


def test_an_outsider_gets_404_on_the_page_and_the_api(world, case_in, colleagues, api):
    case = case_in(CaseStatus.AGREED)
    target = world.users["nurse2_a"]
    page = signed_in(world.users["mas_b"]).post(
        f"/cases/{case.public_id}/handler/", {"to": f"user:{target.public_id}"}
    )
    assert page.status_code == 404
    answer = api(world.users["mas_b"]).post(
        f"/api/v1/cases/{case.public_id}/handler",
        {"assignee": str(target.public_id)},
        format="json",
        HTTP_IF_MATCH=etag(case),
    )
    assert answer.status_code == 404
    assert not CaseAssignment.objects.exists()
    assert AccessLogEntry.objects.filter(
        user=world.users["mas_b"], record_id=str(case.public_id), outcome=Outcome.DENIED
    ).exists()


def test_the_api_hands_over_and_shows_the_handlers(world, case_in, colleagues, api):
    case = case_in(CaseStatus.AGREED)
    nurse = api(world.users["nurse_a"])
    colleague = world.users["nurse2_a"]
    answer = nurse.post(
        f"/api/v1/cases/{case.public_id}/handler",
        {"assignee": str(colleague.public_id), "note": "Semester."},
        format="json",
        HTTP_IF_MATCH=etag(case),
    )
    assert answer.status_code == 200, answer.content
    handlers = answer.json()["handlers"]
    assert handlers[0]["assignee"]["id"] == str(colleague.public_id)
    assert handlers[0]["organisation"]["id"] == str(world.orgs["kommun_a"].public_id)
    assert answer["ETag"] == etag(case)
    read = nurse.get(f"/api/v1/cases/{case.public_id}").json()
    assert read["handlers"] == handlers

    # Another organisation's person: a JSON error naming the field; nothing written.
    refused = api(world.users["nurse2_a"]).post(
        f"/api/v1/cases/{case.public_id}/handler",
        {"assignee": str(world.users["nurse_b"].public_id)},
        format="json",
        HTTP_IF_MATCH=etag(case),
    )
    assert refused.status_code == 400
    assert "assignee" in refused.json()["error"]["fields"]
    # Neither or both: 400; a stale ETag: 412.
    assert (
        nurse.post(
            f"/api/v1/cases/{case.public_id}/handler", {}, format="json", HTTP_IF_MATCH=etag(case)
        ).status_code
        == 400
    )
    stale = nurse.post(
        f"/api/v1/cases/{case.public_id}/handler/release", {}, format="json", HTTP_IF_MATCH='"stale"'
    )
    assert stale.status_code == 412
    # nurse_a no longer holds the case: a colleague's case is refused (403).
    assert (
        nurse.post(
            f"/api/v1/cases/{case.public_id}/handler/release", {}, format="json", HTTP_IF_MATCH=etag(case)
        ).status_code
        == 403
    )
    released = api(world.users["coordinator_a"]).post(
        f"/api/v1/cases/{case.public_id}/handler/release", {}, format="json", HTTP_IF_MATCH=etag(case)
    )
    assert released.status_code == 200
    assert released.json()["handlers"] == []
    assert CaseAssignment.objects.filter(case=case).count() == 2


def test_teams_are_listed_for_the_organisation_and_kept_by_its_coordinator(world, colleagues, api):
    listed = api(world.users["nurse_a"]).get("/api/v1/teams").json()
    assert [t["name"] for t in listed] == ["Dagtid A"]
    assert api(world.users["nurse_b"]).get("/api/v1/teams").json() == []
    # A nurse does not keep teams; the coordinator does, with members of the kommun only.
    assert (
        api(world.users["nurse_a"]).post("/api/v1/teams", {"name": "Kväll"}, format="json").status_code == 403
    )
    coordinator = api(world.users["coordinator_a"])
    created = coordinator.post(
        "/api/v1/teams",
        {"name": "Kväll A", "members": [str(world.membership("nurse3_a").public_id)]},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert [m["name"] for m in created.json()["members"]] == [world.users["nurse3_a"].display_name]
    foreign = coordinator.patch(
        f"/api/v1/teams/{created.json()['id']}",
        {"members": [str(world.membership("nurse_b").public_id)]},
        format="json",
    )
    assert foreign.status_code == 400
    assert (
        api(world.users["coordinator_b"])
        .patch(f"/api/v1/teams/{created.json()['id']}", {"is_active": False}, format="json")
        .status_code
        == 404
    )
    # The coordinator's page does the same.
    page = signed_in(world.users["coordinator_a"])
    assert "Kväll A" in page.get("/teams/").content.decode()
    team = Team.objects.get(name="Kväll A")
    saved = page.post(
        f"/teams/{team.public_id}/", {f"team-{team.pk}-name": "Kväll A", f"team-{team.pk}-is_active": ""}
    )
    assert saved.status_code == 302
    team.refresh_from_db()
    assert not team.is_active


def test_the_api_shows_a_hand_over_note_only_to_the_handlers_own_organisation(
    world, case_in, colleagues, api
):
    case = case_in(CaseStatus.IN_REVIEW)
    handed = api(world.users["nurse_a"]).post(
        f"/api/v1/cases/{case.public_id}/handler",
        {"assignee": str(world.users["nurse2_a"].public_id), "note": "Semester v. 28."},
        format="json",
        HTTP_IF_MATCH=etag(case),
    )
    assert handed.json()["handlers"][0]["note"] == "Semester v. 28."
    own = api(world.users["nurse2_a"]).get(f"/api/v1/cases/{case.public_id}").json()
    assert own["handlers"][0]["note"] == "Semester v. 28."
    for other in (
        api(world.users["gp_a"]).get(f"/api/v1/cases/{case.public_id}").json()["handlers"],
        api(world.users["gp_a"]).get("/api/v1/cases").json()["results"][0]["handlers"],
    ):
        assert other[0]["assignee"]["id"] == str(world.users["nurse2_a"].public_id)
        assert other[0]["note"] == ""


def test_a_hand_over_answers_the_case_as_the_handing_party_may_see_it(world, case_in, api):
    from consent.models import SharingBasis
    from directory.models import Role
    from tests.fixtures.world import make_user

    case = case_in(CaseStatus.IN_REVIEW)
    SharingBasis.objects.filter(case=case).delete()  # no legal basis: the vårdcentral sees no health details
    colleague = make_user("gp2.a", (world.orgs["vc_a"], Role.GP))
    answer = api(world.users["gp_a"]).post(
        f"/api/v1/cases/{case.public_id}/handler",
        {"assignee": str(colleague.public_id)},
        format="json",
        HTTP_IF_MATCH=etag(case),
    )
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["sharing"]["health_details_shared"] is False
    assert body["background"] == ""
