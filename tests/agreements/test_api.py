"""The agreements API: open to read, changed only by the region's administrator, and the proposal."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from django.conf import settings
from rest_framework.test import APIClient

from agreements.choices import AgreementStatus
from agreements.models import (
    AgreementEvent,
    AgreementVersion,
    CareTaskType,
    ResponsibilityRule,
    Section,
)
from agreements.services import agreement_version_new_draft
from audit.models import AccessLogEntry, Outcome
from directory.models import User
from patients.models import HousingSetting
from tests.fixtures.world import World

Api = Callable[[User | None], APIClient]
P = "/api/v1"


@pytest.fixture
def draft(demo_version: AgreementVersion) -> AgreementVersion:
    return agreement_version_new_draft(
        actor=None, source=demo_version, version="2026.1", valid_from=datetime.date(2026, 1, 1)
    )


def _rule_body(version: AgreementVersion, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "version": str(version.public_id),
        "task_type": "physician_home_visit",
        "housing_setting": HousingSetting.SHORT_TERM_HOUSING,
        "orders": {"party": "listed_vardcentral"},
        "performs": {"party": "listed_vardcentral"},
        "follows_up": {"party": "listed_vardcentral"},
        "conditions": {"note": "Rond på korttidsboendet."},
        "section": str(version.sections.get(number="5").public_id),
    }
    body.update(changes)
    return body


# --- Reading ---------------------------------------------------------------------------------------


def test_any_authenticated_user_reads_agreements(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    client = api(region_halland.users["nurse_varberg"])
    agreements = client.get(f"{P}/agreements").json()
    assert agreements["count"] == 1
    [agreement] = agreements["results"]
    assert agreement["code"] == "halland-hemsjukvard"
    assert agreement["versions"][0]["status"] == "in_force"

    version = client.get(f"{P}/agreement-versions/{demo_version.public_id}")
    assert version.status_code == 200
    assert version["ETag"]
    body = version.json()
    assert body["deadlines"] == {
        "day_kind": "working_days",
        "review_days": 3,
        "approval_days": 5,
        "urgent_review_days": 1,
        "urgent_approval_days": 2,
        "auto_escalate_unanswered_review": True,
    }
    assert [level["body"]["name"] if level["body"] else None for level in body["escalation"]] == [
        None,
        "RUG Halland",
        "GNHH",
    ]
    # Lokal samverkan and RUG recommend, GNHH decides; each level is shorter for an urgent case.
    assert [(level["binding"], level["urgent_deadline_days"]) for level in body["escalation"]] == [
        (False, 3),
        (False, 5),
        (True, 10),
    ]
    assert body["threshold_section"]["number"] == "3.1"

    rules = client.get(
        f"{P}/responsibility-rules", {"version": str(demo_version.public_id), "page_size": "100"}
    )
    assert rules.json()["count"] == 28
    pd = client.get(f"{P}/responsibility-rules", {"task_type": "peritoneal_dialysis"}).json()["results"][0]
    assert pd["orders"]["party"] == "case_specialist_clinic"
    assert pd["orders"]["organisation"]["name"] == "Njurmedicin Halland"
    assert pd["conditions"]["contact_24_7_required"] is True
    assert pd["section"]["number"] == "6.1"

    sections = client.get(
        f"{P}/agreement-sections", {"version": str(demo_version.public_id), "page_size": "100"}
    )
    assert sections.json()["count"] == demo_version.sections.count()
    task_types = client.get(f"{P}/task-types", {"kind": "physician"}).json()
    assert {t["code"] for t in task_types["results"]} >= {"physician_home_visit"}


def test_reading_needs_authentication(demo_version: AgreementVersion, api: Api) -> None:
    assert api(None).get(f"{P}/agreements").status_code == 401
    assert api(None).get(f"{P}/responsibility-rules").status_code == 401


def test_a_malformed_filter_is_a_400_not_a_500(region_halland: World, api: Api) -> None:
    response = api(region_halland.users["nurse_varberg"]).get(f"{P}/responsibility-rules", {"version": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["version"]


def test_an_unknown_id_is_404(region_halland: World, api: Api) -> None:
    response = api(region_halland.users["nurse_varberg"]).get(
        f"{P}/agreement-versions/3fa85f64-5717-4562-b3fc-2c963f66afa6"
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# --- Writing ---------------------------------------------------------------------------------------


def test_the_region_admin_adds_a_rule_to_a_draft(
    region_halland: World, draft: AgreementVersion, api: Api
) -> None:
    response = api(region_halland.users["admin_halland"]).post(
        f"{P}/responsibility-rules", _rule_body(draft), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["housing_setting"] == "short_term_housing"
    assert body["conditions"]["note"] == "Rond på korttidsboendet."
    assert AgreementEvent.objects.filter(version=draft, action="rule_saved").exists()


@pytest.mark.parametrize("who", ["nurse_varberg", "admin_varberg", "admin_skane", "nobody"])
def test_others_may_not_change_the_agreement(
    region_halland: World, draft: AgreementVersion, api: Api, who: str
) -> None:
    client = api(region_halland.users[who])
    before = ResponsibilityRule.objects.count()
    assert client.post(f"{P}/responsibility-rules", _rule_body(draft), format="json").status_code == 403
    rule = draft.rules.get(task_type__code="insulin_injection")
    owner = api(region_halland.users["admin_halland"])
    rule_etag = owner.get(f"{P}/responsibility-rules/{rule.public_id}")["ETag"]
    draft_etag = owner.get(f"{P}/agreement-versions/{draft.public_id}")["ETag"]
    patch = client.patch(
        f"{P}/responsibility-rules/{rule.public_id}",
        {"conditions": {"delegation_allowed": False}},
        format="json",
        HTTP_IF_MATCH=rule_etag,
    )
    assert patch.status_code == 403
    assert (
        client.delete(f"{P}/responsibility-rules/{rule.public_id}", HTTP_IF_MATCH=rule_etag).status_code
        == 403
    )
    put_in_force = client.post(
        f"{P}/agreement-versions/{draft.public_id}/put-in-force", HTTP_IF_MATCH=draft_etag
    )
    assert put_in_force.status_code == 403
    assert ResponsibilityRule.objects.count() == before
    assert draft.rules.get(pk=rule.pk).delegation_allowed is True
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT


def test_a_kommun_performing_a_physician_task_is_refused_by_the_api(
    region_halland: World, draft: AgreementVersion, api: Api
) -> None:
    before = ResponsibilityRule.objects.count()
    response = api(region_halland.users["admin_halland"]).post(
        f"{P}/responsibility-rules",
        _rule_body(draft, performs={"party": "enrolment_kommun"}),
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    # Under the request's own field, as the schema names it (not the model's ``performs_party``).
    assert set(error["fields"]) == {"performs"}
    assert "HSL 12 kap. 3 §" in " ".join(error["fields"]["performs"])
    assert ResponsibilityRule.objects.count() == before


def test_a_rule_of_a_version_in_force_is_a_conflict(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    rule = demo_version.rules.get(task_type__code="insulin_injection")
    client = api(region_halland.users["admin_halland"])
    etag = client.get(f"{P}/responsibility-rules/{rule.public_id}")["ETag"]
    response = client.patch(
        f"{P}/responsibility-rules/{rule.public_id}",
        {"conditions": {"delegation_allowed": False}},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert response.status_code == 409
    rule.refresh_from_db()
    assert rule.delegation_allowed is True


def test_a_change_needs_the_etag_of_the_last_read(
    region_halland: World, draft: AgreementVersion, api: Api
) -> None:
    client = api(region_halland.users["admin_halland"])
    rule = draft.rules.get(task_type__code="insulin_injection")
    url = f"{P}/responsibility-rules/{rule.public_id}"
    change = {"conditions": {"delegation_allowed": False, "max_duration_days": 365}}
    assert client.patch(url, change, format="json").status_code == 428
    etag = client.get(url)["ETag"]
    assert client.patch(url, change, format="json", HTTP_IF_MATCH='"stale"').status_code == 412
    response = client.patch(url, change, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["conditions"]["max_duration_days"] == 365
    assert client.patch(url, change, format="json", HTTP_IF_MATCH=etag).status_code == 412


def test_the_region_admin_edits_and_puts_a_draft_in_force(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    client = api(region_halland.users["admin_halland"])
    created = client.post(
        f"{P}/agreement-versions",
        {"based_on": str(demo_version.public_id), "version": "2026.1", "valid_from": "2026-01-01"},
        format="json",
    )
    assert created.status_code == 201, created.json()
    draft_id = created.json()["id"]
    assert created.json()["status"] == "draft"
    assert ResponsibilityRule.objects.filter(version__public_id=draft_id).count() == 28

    url = f"{P}/agreement-versions/{draft_id}"
    etag = client.get(url)["ETag"]
    patched = client.patch(
        url,
        {
            "deadlines": {
                "review_days": 4,
                "day_kind": "working_days",
                "approval_days": 5,
                "auto_escalate_unanswered_review": False,
            }
        },
        format="json",
        HTTP_IF_MATCH=etag,
    )
    assert patched.status_code == 200, patched.json()
    assert patched.json()["deadlines"]["review_days"] == 4

    put = client.post(f"{url}/put-in-force", HTTP_IF_MATCH=patched["ETag"])
    assert put.status_code == 200, put.json()
    assert put.json()["status"] == "in_force"
    assert put.json()["supersedes"] == str(demo_version.public_id)
    demo_version.refresh_from_db()
    assert demo_version.status == AgreementStatus.SUPERSEDED
    assert client.post(f"{url}/put-in-force", HTTP_IF_MATCH=put["ETag"]).status_code == 409


def test_sections_of_a_draft_are_edited_and_cited_ones_kept(
    region_halland: World, draft: AgreementVersion, api: Api
) -> None:
    client = api(region_halland.users["admin_halland"])
    created = client.post(
        f"{P}/agreement-sections",
        {"version": str(draft.public_id), "number": "11", "heading": "Uppföljning", "text": "Årligen."},
        format="json",
    )
    assert created.status_code == 201, created.json()
    cited = draft.sections.get(number="6.1")
    url = f"{P}/agreement-sections/{cited.public_id}"
    response = client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"])
    assert response.status_code == 400
    assert Section.objects.filter(pk=cited.pk).exists()


def test_the_task_catalogue_is_changed_by_region_admins_only(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    body = {
        "code": "compression_therapy",
        "name_sv": "Kompressionsbehandling",
        "name_en": "Compression therapy",
        "kind": "nursing",
        "care_level": "primary",
    }
    assert (
        api(region_halland.users["admin_varberg"]).post(f"{P}/task-types", body, format="json").status_code
        == 403
    )
    admin = api(region_halland.users["admin_halland"])
    assert admin.post(f"{P}/task-types", body, format="json").status_code == 201

    insulin = CareTaskType.objects.get(code="insulin_injection")
    url = f"{P}/task-types/{insulin.public_id}"
    response = admin.patch(url, {"kind": "physician"}, format="json", HTTP_IF_MATCH=admin.get(url)["ETag"])
    assert response.status_code == 400
    assert "kind" in response.json()["error"]["fields"]
    insulin.refresh_from_db()
    assert insulin.kind == "nursing"


# --- The proposal ----------------------------------------------------------------------------------


def _propose(client: APIClient, patient_id: object, codes: list[str], **extra: Any) -> Any:
    body = {"patient": str(patient_id), "task_codes": codes, "on": "2025-06-02", **extra}
    return client.post(f"{P}/responsibility/proposals", body, format="json")


def test_the_proposal_for_a_patient_the_caller_may_see(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    patient = region_halland.patient()
    before = {
        model: model.objects.count() for model in (AgreementVersion, ResponsibilityRule, AgreementEvent)
    }
    response = _propose(
        api(region_halland.users["nurse_varberg"]),
        patient.public_id,
        ["peritoneal_dialysis", "insulin_injection", "parenteral_nutrition", "physician_home_visit"],
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["patient"] == str(patient.public_id)
    tasks = {task["task_type"]["code"]: task for task in body["tasks"]}
    assert list(tasks) == [
        "peritoneal_dialysis",
        "insulin_injection",
        "parenteral_nutrition",
        "physician_home_visit",
    ]

    pd = tasks["peritoneal_dialysis"]
    assert pd["status"] == "proposed"
    assert pd["orders"]["organisation"]["name"] == "Njurmedicin Halland"
    assert pd["performs"]["organisation"]["name"] == "Varbergs kommun"
    assert pd["conditions"]["approver_role"] == "mas"
    assert pd["agreement"]["code"] == "halland-hemsjukvard"
    assert pd["agreement"]["version"] == "2025.1"
    assert pd["section"]["number"] == "6.1"
    assert pd["rule"]
    assert pd["review_by"] == "2025-11-29"

    tpn = tasks["parenteral_nutrition"]
    assert (tpn["status"], tpn["reason"]) == ("unclear", "party_unresolved")
    assert tasks["physician_home_visit"]["performs"]["organisation"]["kind"] == "vardcentral"

    # Nothing is stored, and the read of the patient is in the access log.
    assert before == {model: model.objects.count() for model in before}
    entry = AccessLogEntry.objects.get(patient=patient)
    assert (entry.outcome, entry.record_type) == (Outcome.GRANTED, "responsibility_proposal")
    assert entry.user == region_halland.users["nurse_varberg"]


def test_the_clinic_named_on_the_case_is_used(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    clinic = region_halland.orgs["Njurmedicin Halland"]
    response = _propose(
        api(region_halland.users["nurse_varberg"]),
        region_halland.patient().public_id,
        ["parenteral_nutrition"],
        specialist_clinic=str(clinic.public_id),
    )
    [task] = response.json()["tasks"]
    assert task["status"] == "proposed"
    assert task["orders"]["organisation"]["id"] == str(clinic.public_id)


def test_lss_housing_is_unclear_through_the_api(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    patient = region_halland.patient(housing=HousingSetting.LSS_HOUSING)
    [task] = _propose(
        api(region_halland.users["nurse_varberg"]), patient.public_id, ["insulin_injection"]
    ).json()["tasks"]
    assert (task["status"], task["reason"], task["orders"], task["rule"]) == (
        "unclear",
        "no_rule",
        None,
        None,
    )


def test_troskelprincipen_through_the_api(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    patient = region_halland.patient(enrolled=False)
    response = _propose(
        api(region_halland.users["gp_centrum"]), patient.public_id, ["rehabilitation_physiotherapy"]
    )
    [task] = response.json()["tasks"]
    assert task["basis"] == "threshold_principle"
    assert task["performs"]["organisation"]["name"] == "Vårdcentralen Centrum Varberg"
    assert task["section"]["number"] == "3.1"


@pytest.mark.parametrize("who", ["nurse_halmstad", "admin_halland", "nobody"])
def test_a_patient_the_caller_may_not_see_is_404_and_logged(
    region_halland: World, demo_version: AgreementVersion, api: Api, who: str
) -> None:
    patient = region_halland.patient()
    response = _propose(api(region_halland.users[who]), patient.public_id, ["insulin_injection"])
    assert response.status_code == 404
    assert "tasks" not in response.json()
    entry = AccessLogEntry.objects.get(patient=patient)
    assert entry.outcome == Outcome.DENIED
    assert entry.user == region_halland.users[who]


def test_an_unknown_patient_is_the_same_404(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    response = _propose(
        api(region_halland.users["nurse_varberg"]),
        "3fa85f64-5717-4562-b3fc-2c963f66afa6",
        ["insulin_injection"],
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"task_codes": ["no_such_task"]}, "task_codes"),
        ({"task_codes": []}, "task_codes"),
        ({"task_codes": ["insulin_injection", "insulin_injection"]}, "task_codes"),
        ({"task_codes": "insulin_injection"}, "task_codes"),
        ({"patient": "not-a-uuid"}, "patient"),
        ({"on": "2025-13-01"}, "on"),
        ({"specialist_clinic": "kommun"}, "specialist_clinic"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(
    region_halland: World, demo_version: AgreementVersion, api: Api, body: dict[str, Any], field: str
) -> None:
    patient = region_halland.patient()
    if body.get("specialist_clinic") == "kommun":
        body = {"specialist_clinic": str(region_halland.orgs["Varbergs kommun"].public_id)}
    payload = {"patient": str(patient.public_id), "task_codes": ["insulin_injection"], **body}
    response = api(region_halland.users["nurse_varberg"]).post(
        f"{P}/responsibility/proposals", payload, format="json"
    )
    assert response.status_code == 400, response.json()
    assert field in response.json()["error"]["fields"]


def test_the_proposal_needs_authentication(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    response = _propose(api(None), region_halland.patient().public_id, ["insulin_injection"])
    assert response.status_code == 401
    assert not AccessLogEntry.objects.exists()


def test_a_version_from_nothing_says_in_the_schema_and_the_answer_what_it_requires(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    """The schema's two shapes of a new version are the ones the API checks: a copy (``based_on``) needs
    its number and start; a version from nothing also its agreement, title, kommuner and settings."""
    schema = yaml.safe_load((settings.BASE_DIR / "openapi.yaml").read_text(encoding="utf-8"))
    components = schema["components"]["schemas"]
    shapes = {
        name: set(components[name].get("required", []))
        for name in ("AgreementVersionCopyRequest", "AgreementVersionNewRequest")
    }
    assert shapes["AgreementVersionCopyRequest"] == {"based_on", "version", "valid_from"}
    required_new = {"agreement", "version", "valid_from", "title", "kommuner", "housing_settings"}
    assert shapes["AgreementVersionNewRequest"] == required_new

    client = api(region_halland.users["admin_halland"])
    before = AgreementVersion.objects.count()
    bare = client.post(
        f"{P}/agreement-versions",
        {"agreement": str(demo_version.agreement.public_id), "version": "2027.1", "valid_from": "2027-01-01"},
        format="json",
    )
    assert bare.status_code == 400
    assert set(bare.json()["error"]["fields"]) == {"title", "kommuner", "housing_settings"}
    nothing = client.post(f"{P}/agreement-versions", {}, format="json")
    assert nothing.status_code == 400
    assert set(nothing.json()["error"]["fields"]) == required_new
    assert AgreementVersion.objects.count() == before
