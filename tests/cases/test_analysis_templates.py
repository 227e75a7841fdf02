"""Utgå från mall: the risk-analysis form filled in from the agreement's template for the case's tasks,
nothing stored until the nurse saves; the same templates over the API under the analysis's access rule."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from agreements.models import CareTaskType
from agreements.risk_templates import RiskTemplate
from audit.models import AccessLogEntry
from audit.records import RECORD_ANALYSIS
from cases.models import CaseStatus, RiskAnalysis
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db

PD_HAZARDS = [
    {
        "description": "Peritonit",
        "cause": "Bristande aseptik vid påsbyte.",
        "consequence": "Sepsis.",
        "likelihood": 2,
        "severity": 4,
        "measures": [
            {"what": "Utbildning i aseptiskt påsbyte", "who": "region", "within_days": 0},
            {"what": "Rutin vid grumlig dialysvätska", "who": "kommun", "within_days": 7},
        ],
    },
    {
        "description": "Övervätskning",
        "cause": "Missad vägning.",
        "consequence": "Andnöd.",
        "likelihood": 2,
        "severity": 3,
        "measures": [{"what": "Daglig vikt", "who": "kommun", "within_days": 3}],
    },
]


@pytest.fixture
def pd_template(halland):
    return RiskTemplate.objects.create(
        version=halland.version, task_type=CareTaskType.objects.get(code=PD), hazards=PD_HAZARDS
    )


def _blank_form(case):
    return {
        "version": case.version,
        "hazard-TOTAL_FORMS": "1",
        "hazard-INITIAL_FORMS": "0",
        "hazard-0-description": "",
        "from_template": "1",
    }


def test_start_from_the_template_fills_the_form_and_saves_nothing(world, case_in, pd_template):
    case = case_in(CaseStatus.RISK_ANALYSIS)
    client = signed_in(world.users["nurse_a"])
    page = client.get(f"/cases/{case.public_id}/risk-analysis/").content.decode()
    assert "Utgå från mall" in page
    response = client.post(f"/cases/{case.public_id}/risk-analysis/", _blank_form(case))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Peritonit (Peritonealdialys (PD)). Orsak: Bristande aseptik vid påsbyte." in text
    assert "Utbildning i aseptiskt påsbyte\nRutin vid grumlig dialysvätska" in text
    assert "Övervätskning" in text
    assert "Inget sparas förrän du sparar riskanalysen." in text
    assert not RiskAnalysis.objects.filter(case=case).exists()
    formset = response.context["formset"]
    first = formset.forms[0].initial
    assert (first["likelihood"], first["consequence"]) == (2, 4)
    # "region" is the party that orders PD on this case, the clinic; the due date the earliest measure's.
    assert first["measure_owner"] == world.orgs["clinic"]
    assert formset.forms[1].initial["measure_owner"] == world.orgs["kommun_a"]


def test_a_prefilled_measure_is_due_on_its_template_s_days_and_never_today(world, case_in, pd_template):
    # Peritonit: 0 days (read as the next day) and 7, the earliest wins; Övervätskning: 3 days.
    case = case_in(CaseStatus.RISK_ANALYSIS)
    response = signed_in(world.users["nurse_a"]).post(
        f"/cases/{case.public_id}/risk-analysis/", _blank_form(case)
    )
    forms = response.context["formset"].forms
    today = timezone.localdate()
    assert forms[0].initial["measure_due"] == today + datetime.timedelta(days=1)
    assert forms[1].initial["measure_due"] == today + datetime.timedelta(days=3)
    assert all(f.initial["measure_due"] > today for f in forms)


def test_a_prefilled_measure_without_days_is_due_in_fourteen_days(world, case_in, halland):
    hazards = [{**PD_HAZARDS[1], "measures": [{"what": "Daglig vikt", "who": "kommun"}]}]
    RiskTemplate.objects.create(
        version=halland.version, task_type=CareTaskType.objects.get(code=PD), hazards=hazards
    )
    case = case_in(CaseStatus.RISK_ANALYSIS)
    response = signed_in(world.users["nurse_a"]).post(
        f"/cases/{case.public_id}/risk-analysis/", _blank_form(case)
    )
    (form,) = response.context["formset"].forms
    assert form.initial["measure_due"] == timezone.localdate() + datetime.timedelta(days=14)


def test_what_the_nurse_typed_is_kept_and_the_template_added(world, case_in, pd_template):
    case = case_in(CaseStatus.RISK_ANALYSIS)
    data = _blank_form(case)
    data.update(
        {"hazard-0-description": "Fall vid påsbyte", "hazard-0-likelihood": "2", "hazard-0-consequence": "2"}
    )
    response = signed_in(world.users["nurse_a"]).post(f"/cases/{case.public_id}/risk-analysis/", data)
    forms = response.context["formset"].forms
    assert [f.initial["description"].split(" (")[0] for f in forms] == [
        "Fall vid påsbyte",
        "Peritonit",
        "Övervätskning",
    ]


def test_a_case_without_a_template_says_so(world, case_in):
    case = case_in(CaseStatus.RISK_ANALYSIS)
    client = signed_in(world.users["nurse_a"])
    assert "Utgå från mall" not in client.get(f"/cases/{case.public_id}/risk-analysis/").content.decode()
    response = client.post(f"/cases/{case.public_id}/risk-analysis/", _blank_form(case))
    assert (
        "Överenskommelsen har ingen mall för riskanalys för ärendets insatser." in response.content.decode()
    )
    assert not RiskAnalysis.objects.filter(case=case).exists()


def test_the_api_lists_the_templates_of_a_case_under_the_analysis_rule(world, api, case_in, pd_template):
    case = case_in(CaseStatus.RISK_ANALYSIS, tasks=(PD, WOUND))
    before = AccessLogEntry.objects.filter(record_type=RECORD_ANALYSIS, record_id=str(case.public_id)).count()
    body = api(world.users["nurse_a"]).get(f"/api/v1/cases/{case.public_id}/risk-templates").json()
    assert [t["task_type"] for t in body] == [PD]
    assert body[0]["hazards"][0]["measures"][0]["who"] == "region"
    # The days the form counts with: 0 in the template is the next day.
    assert [m["within_days"] for m in body[0]["hazards"][0]["measures"]] == [1, 7]
    assert (
        AccessLogEntry.objects.filter(record_type=RECORD_ANALYSIS, record_id=str(case.public_id)).count()
        == before + 1
    )
    assert (
        api(world.users["nurse_b"]).get(f"/api/v1/cases/{case.public_id}/risk-templates").status_code == 404
    )
