"""The PD patient of domain §8, from draft to agreed through the API, each step by the right role."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from audit.models import AccessLogEntry
from cases.models import (
    AnalysisDecision,
    CaseEvent,
    ResponsibilityCase,
    Signature,
)
from patients.models import Patient
from tests.fixtures.agreements import PD, WOUND

pytestmark = pytest.mark.django_db


def _get(api, user, case_id):
    response = api(user).get(f"/api/v1/cases/{case_id}")
    assert response.status_code == 200, response.content
    return response.json(), response["ETag"]


def _post(api, user, path, etag, body=None, expect=200):
    response = api(user).post(f"/api/v1/{path}", body or {}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == expect, response.content
    return response


def test_pd_case_from_draft_to_agreed_through_the_api(world, halland, api):
    u, o = world.users, world.orgs
    patient: Patient = world.patient()

    # The kommun nurse opens the case.
    response = api(u["nurse_a"]).post(
        "/api/v1/cases",
        {
            "patient": str(patient.public_id),
            "trigger": "discharge",
            "urgency": "urgent",
            "specialist_clinic": str(o["clinic"].public_id),
            "background": "Utskrivningsklar från njurmedicin med PD i hemmet.",
            "increased_staff_time": True,
            "competence_needed": True,
            "patient_safety_risk": True,
            "shift_planning": "planned",
            "tasks": [PD, WOUND],
            # The person's consent, recorded with the case: the other parties read it on that basis.
            "legal_basis": {
                "kind": "consent",
                "scope": "Ärendet delas med vårdcentralen och njurmedicin.",
                "given_by": "person",
                "form": "oral",
                "given_on": "2026-01-02",
            },
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    case_id = body["id"]
    assert body["status"] == "draft"
    assert "submit" in body["allowed_actions"]
    assert "accept" not in body["allowed_actions"]

    # A draft can be changed with If-Match.
    response = api(u["nurse_a"]).patch(
        f"/api/v1/cases/{case_id}",
        {"background": "PD-byten kl 22 och 06."},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert response.status_code == 200, response.content

    # Submit: the engine proposes; the vårdcentral reviews within 3 working days.
    _, tag = _get(api, u["nurse_a"], case_id)
    body = _post(api, u["nurse_a"], f"cases/{case_id}/submit", tag).json()
    assert body["status"] == "in_review"
    assert body["owner_organisation"]["id"] == str(o["vc_a"].public_id)
    assert body["due_at"] is not None
    pd_task = next(t for t in body["tasks"] if t["task_type"] == PD)
    assert pd_task["proposal_status"] == "proposed"
    assert pd_task["proposal"]["orders"]["organisation"]["id"] == str(o["clinic"].public_id)
    assert pd_task["proposal"]["performs"]["organisation"]["id"] == str(o["kommun_a"].public_id)
    assert pd_task["proposal"]["section"]["number"] == "5.3"
    assert pd_task["requires_risk_analysis"] is True

    # The GP accepts what the vårdcentral answers for (wound care): it is agreed at once, while PD
    # awaits the clinic that orders it.
    body, tag = _get(api, u["gp_a"], case_id)
    assert body["allowed_actions"][:2] == ["accept", "dispute"]
    body = _post(api, u["gp_a"], f"cases/{case_id}/accept", tag).json()
    assert body["status"] == "in_review"
    states = {t["task_type"]: t["review_state"] for t in body["tasks"]}
    assert states == {PD: "pending", WOUND: "accepted"}
    assert "accept" not in body["allowed_actions"]

    # The specialist accepts PD, which the clinic orders: PD needs a risk analysis.
    body, tag = _get(api, u["specialist"], case_id)
    assert body["allowed_actions"][:2] == ["accept", "dispute"]
    body = _post(api, u["specialist"], f"cases/{case_id}/accept", tag).json()
    assert body["status"] == "risk_analysis"
    assert {t["review_state"] for t in body["tasks"]} == {"accepted"}

    # The nurse writes the analysis; the specialist (active role for PD) signs it.
    _, tag = _get(api, u["nurse_a"], case_id)
    analysis = _post(
        api,
        u["nurse_a"],
        f"cases/{case_id}/risk-analyses",
        tag,
        {
            "summary": "PD i hemmet",
            "hazards": [
                {
                    "description": "Peritonit vid påsbyte",
                    "likelihood": 2,
                    "consequence": 4,
                    "measures": [
                        {
                            "description": "Utbildning i aseptik",
                            "owner_organisation": str(o["clinic"].public_id),
                            "due_on": (timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
                        }
                    ],
                }
            ],
        },
        expect=201,
    ).json()
    assert analysis["hazards"][0]["score"] == 8
    assert analysis["hazards"][0]["high"] is True
    _, tag = _get(api, u["specialist"], case_id)
    # The GP may not sign where the specialist must take an active role.
    _post(api, u["gp_a"], f"risk-analyses/{analysis['id']}/sign", tag, expect=403)
    signed = _post(api, u["specialist"], f"risk-analyses/{analysis['id']}/sign", tag).json()
    assert signed["status"] == "signed"

    # MAS approves: agreed.
    body, tag = _get(api, u["mas_a"], case_id)
    assert body["status"] == "awaiting_approval"
    assert body["owner_role"] == "mas"
    assert "approve_analysis" in body["allowed_actions"]
    _, mar_tag = _get(api, u["mar_a"], case_id)
    _post(api, u["mar_a"], f"risk-analyses/{analysis['id']}/approve", mar_tag, expect=403)
    approved = _post(api, u["mas_a"], f"risk-analyses/{analysis['id']}/approve", tag).json()
    assert approved["status"] == "approved"
    body, _ = _get(api, u["nurse_a"], case_id)
    assert body["status"] == "agreed"
    pd_task = next(t for t in body["tasks"] if t["task_type"] == PD)
    assert pd_task["agreed_performs"]["id"] == str(o["kommun_a"].public_id)
    assert pd_task["agreed_orders"]["id"] == str(o["clinic"].public_id)

    case = ResponsibilityCase.objects.get(public_id=case_id)
    assert Signature.objects.get(analysis__case=case).user == u["specialist"]
    assert AnalysisDecision.objects.get(analysis__case=case).user == u["mas_a"]

    # The timeline tells the story in order, each step with who and which organisation.
    timeline = api(u["gp_a"]).get(f"/api/v1/cases/{case_id}/timeline").json()
    kinds = [e["kind"] for e in timeline]
    assert kinds == [
        "created",
        "sharing",  # the legal basis, recorded with the case
        "updated",
        "transition",
        "transition",
        "accepted",
        "accepted",
        "analysis_created",
        "analysis_signed",
        "analysis_approved",
    ]
    assert timeline[-1]["to_status"] == "agreed"
    assert timeline[-1]["organisation"]["id"] == str(o["kommun_a"].public_id)
    assert timeline[-1]["role"] == "mas"
    assert CaseEvent.objects.filter(case=case).count() == len(kinds)
    # Reads and writes of the case are in the access log.
    assert AccessLogEntry.objects.filter(patient=patient, record_type="responsibility_case").count() > 10


def test_case_rows_cannot_be_rewritten(world, case_in):
    from django.db import DatabaseError, transaction

    case = case_in("in_review")
    event = CaseEvent.objects.filter(case=case).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).delete()
