"""The registers through the API and the pages: the same access rule as the services, a clear 4xx with
the error body for bad input, nothing half written, and the case's activation refused in Swedish."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import CareTaskType
from cases.models import CaseStatus
from competence.models import CompetenceTransfer, Delegation, RegisterEvent
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.cases import etag
from tests.fixtures.clients import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("halland")]


def _training(world, **overrides):
    today = timezone.localdate()
    return {
        "task_type": PD,
        "training_unit": str(world.orgs["clinic"].public_id),
        "trainers": "Karin PD-sjuksköterska",
        "receiving_unit": str(world.orgs["kommun_a"].public_id),
        "trained_staff": "Anna Nurse, Bo Nurse",
        "trained_on": (today - datetime.timedelta(days=1)).isoformat(),
        "valid_until": (today + datetime.timedelta(days=365)).isoformat(),
        **overrides,
    }


def test_activating_through_the_api_without_training_is_a_400_naming_what_is_missing(world, api, case_in):
    CompetenceTransfer.objects.filter(receiving_unit=world.orgs["kommun_a"]).delete()
    case = case_in(CaseStatus.AGREED, tasks=(PD,))
    response = api(world.users["nurse_a"]).post(
        f"/api/v1/cases/{case.public_id}/activate", {}, format="json", HTTP_IF_MATCH=etag(case)
    )
    assert response.status_code == 400
    assert "Kompetensöverföring för peritonealdialys (PD) till A kommun saknas" in str(response.json())
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED

    recorded = api(world.users["specialist"]).post(
        "/api/v1/competence-transfers", _training(world), format="json"
    )
    assert recorded.status_code == 201, recorded.json()
    response = api(world.users["nurse_a"]).post(
        f"/api/v1/cases/{case.public_id}/activate", {}, format="json", HTTP_IF_MATCH=etag(case)
    )
    assert response.status_code == 200
    assert response.json()["status"] == CaseStatus.ACTIVE


def test_recording_a_training_through_the_api_follows_the_access_rule(world, api):
    before = CompetenceTransfer.objects.count()
    assert (
        api(world.users["gp_a"])
        .post("/api/v1/competence-transfers", _training(world), format="json")
        .status_code
        == 403
    )
    bad = api(world.users["nurse_a"]).post(
        "/api/v1/competence-transfers", _training(world, trainers="", valid_until="2020-01-01"), format="json"
    )
    assert bad.status_code == 400
    assert CompetenceTransfer.objects.count() == before
    made = (
        api(world.users["nurse_a"])
        .post("/api/v1/competence-transfers", _training(world), format="json")
        .json()
    )
    assert made["receiving_unit"]["name"] == "A kommun"
    # MAS of the kommun reads it; kommun B's MAS gets 404.
    assert api(world.users["mas_a"]).get(f"/api/v1/competence-transfers/{made['id']}").status_code == 200
    assert api(world.users["mas_b"]).get(f"/api/v1/competence-transfers/{made['id']}").status_code == 404
    listed = api(world.users["mas_a"]).get("/api/v1/competence-transfers").json()
    assert made["id"] in {row["id"] for row in listed["results"]}
    revoked = api(world.users["nurse_a"]).post(
        f"/api/v1/competence-transfers/{made['id']}/revoke", {"reason": "Fel datum"}, format="json"
    )
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    assert RegisterEvent.objects.filter(transfer__public_id=made["id"]).count() == 2


def test_a_delegation_through_the_api_longer_than_twelve_months_is_a_400(world, api):
    today = timezone.localdate()
    body = {
        "task_type": WOUND,
        "receiver_name": "Sara Undersköterska",
        "receiver_organisation": str(world.orgs["kommun_a"].public_id),
        "decision": "Enkel sårvård enligt ordination.",
        "valid_from": today.isoformat(),
        "valid_until": (today + datetime.timedelta(days=400)).isoformat(),
    }
    response = api(world.users["nurse_a"]).post("/api/v1/delegations", body, format="json")
    assert response.status_code == 400
    assert "12" in str(response.json())
    assert not Delegation.objects.exists()
    body["valid_until"] = (today + datetime.timedelta(days=200)).isoformat()
    made = api(world.users["nurse_a"]).post("/api/v1/delegations", body, format="json")
    assert made.status_code == 201
    assert made.json()["delegated_by"]["id"] == str(world.users["nurse_a"].public_id)


def test_the_pages_list_and_record_trainings(world):
    page = signed_in(world.users["nurse_a"])
    listing = page.get(reverse("competence:register"))
    assert listing.status_code == 200
    assert "Kompetensöverföringar" in listing.content.decode()
    today = timezone.localdate()
    form = {
        "task_type": CareTaskType.objects.get(code=PD).pk,
        "training_unit": world.orgs["clinic"].pk,
        "trainers": "Karin PD-sjuksköterska",
        "receiving_unit": world.orgs["kommun_a"].pk,
        "trained_staff": "Anna Nurse",
        "trained_on": today.isoformat(),
        "valid_until": (today - datetime.timedelta(days=1)).isoformat(),
    }
    refused = page.post(reverse("competence:transfer-new"), form)
    assert refused.status_code == 200
    assert "Utbildningen kan inte upphöra innan den gavs." in refused.content.decode()
    form["valid_until"] = (today + datetime.timedelta(days=300)).isoformat()
    assert page.post(reverse("competence:transfer-new"), form).status_code == 302
    assert CompetenceTransfer.objects.filter(trained_staff="Anna Nurse").exists()
    assert (
        "Anna Nurse" in signed_in(world.users["mas_a"]).get(reverse("competence:register")).content.decode()
    )
    assert (
        "Anna Nurse"
        not in signed_in(world.users["mas_b"]).get(reverse("competence:register")).content.decode()
    )


def test_the_case_page_tells_the_nurse_which_training_is_missing(world, case_in):
    CompetenceTransfer.objects.filter(receiving_unit=world.orgs["kommun_a"]).delete()
    case = case_in(CaseStatus.AGREED, tasks=(PD,))
    page = signed_in(world.users["nurse_a"]).get(reverse("cases:detail", args=[case.public_id]))
    assert "Kompetensöverföring för peritonealdialys (PD) till A kommun saknas" in page.content.decode()
    refused = signed_in(world.users["nurse_a"]).post(
        reverse("cases:action", args=[case.public_id, "activate"]), {"activate-version": case.version}
    )
    assert refused.status_code == 400
    assert "Kompetensöverföring för peritonealdialys (PD) till A kommun saknas" in refused.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
