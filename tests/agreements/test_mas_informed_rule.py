"""A rule whose risk analysis nobody approves and of which the kommun's MAS is informed (``informed``).

Domain §8: "home ventilator treatment | region (lungmedicin) | region (specialist team) | joint risk
analysis, MAS informed". The setting travels through the file, the database, the admin and the API.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.utils import translation
from django.utils.html import escape

from agreements.choices import ApproverRole
from agreements.exchange import SCHEMA_PATH, AgreementImportError, agreement_export, version_document
from agreements.importer import agreement_import
from agreements.models import AgreementVersion, CareTaskType, ResponsibilityRule
from agreements.services import agreement_version_new_draft
from directory.models import User
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World

from .conftest import REGIONAL_FILE
from .test_api import Api, P, _propose, _rule_body

DEMO_TEXT = REGIONAL_FILE.read_text(encoding="utf-8")
VENTILATOR_CONDITIONS = (
    "    conditions: {risk_analysis: true, approver: informed, specialist_active_role: true}\n"
)


@pytest.fixture
def draft(demo_version: AgreementVersion) -> AgreementVersion:
    return agreement_version_new_draft(
        actor=None, source=demo_version, version="2026.1", valid_from=datetime.date(2026, 1, 1)
    )


def _ventilator(version: AgreementVersion) -> ResponsibilityRule:
    return version.rules.select_related("task_type").get(task_type__code="home_ventilator")


def _export_rule(version: AgreementVersion, code: str) -> dict[str, Any]:
    return next(rule for rule in version_document(version)["rules"] if rule["task"] == code)


# --- The file -------------------------------------------------------------------------------------


def test_the_schema_offers_the_same_approver_choices_as_the_code() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    conditions = schema["properties"]["rules"]["items"]["properties"]["conditions"]["properties"]
    assert conditions["approver"]["enum"] == list(ApproverRole.values)
    assert "informed" in ApproverRole.values


def test_the_demo_agreement_has_mas_informed_of_the_ventilator_analysis(
    demo_version: AgreementVersion,
) -> None:
    assert VENTILATOR_CONDITIONS in DEMO_TEXT
    rule = _ventilator(demo_version)
    assert rule.risk_analysis_required
    assert rule.approver_role == ApproverRole.INFORMED
    assert rule.section.number == "6.4"
    # Tracheostomy care in the same section is still approved by MAS.
    trach = demo_version.rules.get(task_type__code="tracheostomy_care")
    assert trach.approver_role == ApproverRole.MAS


def test_the_setting_round_trips_through_export_and_import(demo_version: AgreementVersion) -> None:
    exported = agreement_export(version=demo_version)
    assert _export_rule(demo_version, "home_ventilator")["conditions"] == {
        "risk_analysis": True,
        "approver": "informed",
        "specialist_active_role": True,
    }
    renumbered = exported.replace('version: "2025.1"', 'version: "2025.2"').replace(
        "version: '2025.1'", "version: '2025.2'"
    )
    renumbered = renumbered.replace("valid_from: '2025-01-01'", "valid_from: '2025-07-01'", 1).replace(
        "valid_from: 2025-01-01", "valid_from: 2025-07-01", 1
    )
    copy = agreement_import(text=renumbered, source_name="round-trip")
    assert copy.pk != demo_version.pk
    assert _ventilator(copy).approver_role == ApproverRole.INFORMED
    assert _export_rule(copy, "home_ventilator") == _export_rule(demo_version, "home_ventilator")


def test_informed_without_a_risk_analysis_is_refused_naming_the_line(region_halland: World) -> None:
    text = DEMO_TEXT.replace(
        VENTILATOR_CONDITIONS, "    conditions: {approver: informed, specialist_active_role: true}\n", 1
    )
    with pytest.raises(AgreementImportError) as caught:
        agreement_import(text=text, source_name="broken.yaml")
    assert not AgreementVersion.objects.exists()
    [problem] = caught.value.problems
    assert problem.path.endswith("conditions.approver")
    assert (
        problem.line
        == text.splitlines().index("    conditions: {approver: informed, specialist_active_role: true}") + 1
    )


def test_an_unknown_approver_is_refused_with_the_choices(region_halland: World) -> None:
    text = DEMO_TEXT.replace(VENTILATOR_CONDITIONS, VENTILATOR_CONDITIONS.replace("informed", "nobody"), 1)
    with pytest.raises(AgreementImportError) as caught:
        agreement_import(text=text, source_name="broken.yaml")
    message = str(caught.value.problems[0])
    assert "nobody" in message
    assert "informed" in message


# --- The model ------------------------------------------------------------------------------------


def test_the_model_keeps_informed_to_rules_that_require_a_risk_analysis(draft: AgreementVersion) -> None:
    rule = _ventilator(draft)
    rule.risk_analysis_required = False
    with pytest.raises(ValidationError) as caught:
        rule.full_clean()
    assert "approver_role" in caught.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        ResponsibilityRule.objects.filter(pk=rule.pk).update(risk_analysis_required=False)


# --- The API --------------------------------------------------------------------------------------


def test_the_api_shows_the_setting_on_the_rule_and_in_the_proposal(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    client = api(region_halland.users["nurse_varberg"])
    [rule] = client.get(f"{P}/responsibility-rules", {"task_type": "home_ventilator"}).json()["results"]
    assert rule["conditions"]["risk_analysis_required"] is True
    assert rule["conditions"]["approver_role"] == "informed"

    response = _propose(client, region_halland.patient().public_id, ["home_ventilator", "tracheostomy_care"])
    assert response.status_code == 200, response.json()
    tasks = {task["task_type"]["code"]: task for task in response.json()["tasks"]}
    ventilator = tasks["home_ventilator"]
    assert ventilator["performs"]["organisation"]["name"] == "Lungmedicin Halland"
    assert ventilator["conditions"]["approver_role"] == "informed"
    assert tasks["tracheostomy_care"]["conditions"]["approver_role"] == "mas"


def test_the_region_admin_writes_and_reads_back_the_setting(
    region_halland: World, draft: AgreementVersion, api: Api
) -> None:
    client = api(region_halland.users["admin_halland"])
    body = _rule_body(
        draft,
        task_type="home_ventilator",
        orders={"party": "case_specialist_clinic"},
        performs={"party": "case_specialist_clinic"},
        follows_up={"party": "case_specialist_clinic"},
        conditions={"risk_analysis_required": True, "approver_role": "informed"},
    )
    created = client.post(f"{P}/responsibility-rules", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["conditions"]["approver_role"] == "informed"
    stored = ResponsibilityRule.objects.get(public_id=created.json()["id"])
    assert stored.approver_role == ApproverRole.INFORMED

    url = f"{P}/responsibility-rules/{stored.public_id}"
    read = client.get(url)
    assert read.json()["conditions"]["approver_role"] == "informed"
    # Informed without a risk analysis is a 400 naming the field, and changes nothing.
    refused = client.patch(
        url,
        {"conditions": {"risk_analysis_required": False, "approver_role": "informed"}},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )
    assert refused.status_code == 400, refused.json()
    # Under the request's own names: ``approver_role`` of ``conditions``.
    assert "approver_role" in refused.json()["error"]["fields"]["conditions"]
    stored.refresh_from_db()
    assert stored.risk_analysis_required is True
    # An unknown value is a 400 too.
    unknown = client.patch(
        url, {"conditions": {"approver_role": "nobody"}}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert unknown.status_code == 400


# --- The admin ------------------------------------------------------------------------------------


@pytest.fixture
def superuser_client(region_halland: World) -> Client:
    user = User.objects.create_superuser(username="root", password="a-long-test-password")
    return signed_in(user)


def test_the_admin_rule_table_says_mas_is_informed(
    superuser_client: Client, demo_version: AgreementVersion
) -> None:
    with translation.override("sv"):
        label = escape(str(ApproverRole.INFORMED.label))
    page = superuser_client.get(f"/admin/agreements/agreementversion/{demo_version.pk}/change/")
    assert page.status_code == 200
    assert label in page.content.decode()
    listing = superuser_client.get("/admin/agreements/responsibilityrule/", {"q": "home_ventilator"})
    assert label in listing.content.decode()


def test_the_admin_form_offers_and_saves_the_setting(
    superuser_client: Client, draft: AgreementVersion
) -> None:
    rule = _ventilator(draft)
    url = f"/admin/agreements/responsibilityrule/{rule.pk}/change/"
    form = superuser_client.get(url).content.decode()
    assert 'value="informed"' in form
    data = {
        "version": str(draft.pk),
        "task_type": str(CareTaskType.objects.get(code="home_ventilator").pk),
        "housing_setting": "",
        "enrolment_requirement": "any",
        "orders_party": "case_specialist_clinic",
        "orders_organisation": str(rule.orders_organisation_id),
        "performs_party": "case_specialist_clinic",
        "performs_organisation": str(rule.performs_organisation_id),
        "follows_up_party": "case_specialist_clinic",
        "follows_up_organisation": str(rule.follows_up_organisation_id),
        "approver_role": "informed",
        "specialist_active_role_required": "on",
        "note": rule.note,
        "section": str(rule.section_id),
    }
    # Without "risk analysis required" the form says why and saves nothing.
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    rule.refresh_from_db()
    assert rule.risk_analysis_required is True
    response = superuser_client.post(url, {**data, "risk_analysis_required": "on", "note": "Ändrad."})
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.approver_role, rule.note) == (ApproverRole.INFORMED, "Ändrad.")
