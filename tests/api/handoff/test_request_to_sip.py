"""Handoff case (a) through the REST API alone, as an integration that has only ``openapi.yaml``
(the schema-only client and its rules are in ``contract``).

PD, TPN and medication administration: the kommun nurse works in the kommun's journal system (client
credentials, ``X-On-Behalf-Of``); the clinic's specialist accepts what the clinic orders, the GP the rest
(a stale ETag is refused with 412 first); the nurse writes the risk analysis, the specialist (the named
signer) signs, MAS approves, and the nurse draws up and finalises the SIP, which the specialist prints.
After every step the next party finds a notice naming the case and what is asked; others find none.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from integrations.services import IssuedSecret
from tests.fixtures.agreements import MEDICATION, PD, TPN

from .contract import NURSE_HSA_ID, Integration, fetch_pdf, now, open_case, tasks_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_rate_limit_counters")]


# --- (a) PD + TPN + medication: review, risk analysis, approval, SIP ---------------------------------


def test_pd_tpn_and_medication_from_request_to_finalised_sip(
    integration: Integration, journal: IssuedSecret
) -> None:
    api = integration
    o = api.world.orgs
    # The nurse works in the kommun's journal system; the others use tokens of their own.
    api.sign_in_through("nurse_a", journal, NURSE_HSA_ID)
    for key in ("gp_a", "gp_b", "specialist", "mas_a", "mas_b", "coordinator_a"):
        api.sign_in(key)

    since = now()
    case = open_case(
        api, [PD, TPN, MEDICATION], "Utskriven från njurmedicin med PD och TPN; läkemedel delas av kommunen."
    )
    case_id = case["id"]
    pd_name = tasks_of(case)[PD]["task_type_name"]
    assert {t["review_state"] for t in case["tasks"]} == {"pending"}

    # Submitted: the clinic reviews what it orders (PD, TPN), the vårdcentral the medication.
    specialist_notice = api.told(
        "specialist",
        case_id,
        since,
        "review_requested",
        naming=pd_name,
        asks="godta eller bestrid",
        acts=True,
    )
    gp_notice = api.told(
        "gp_a", case_id, since, "review_requested", naming=pd_name, asks="godta eller bestrid", acts=True
    )
    assert specialist_notice["organisation"] == str(o["clinic"].public_id)
    assert gp_notice["organisation"] == str(o["vc_a"].public_id)
    assert gp_notice["due_at"] is not None
    api.not_told(case_id, since, "gp_b", "mas_a", "mas_b")

    # The GP opens the case from the notice, but the specialist answers first.
    assert "accept" in api.read_case("gp_a", case_id)["allowed_actions"]
    read_before = api.people["gp_a"].etags[case_id]

    # The specialist accepts every task awaiting the clinic: PD and TPN are agreed at once.
    since = now()
    case = api.act("specialist", case_id, "cases_accept_create", action="accept", json={})
    assert case["status"] == "in_review"
    states = {code: t["review_state"] for code, t in tasks_of(case).items()}
    assert states == {PD: "accepted", TPN: "accepted", MEDICATION: "pending"}
    assert tasks_of(case)[PD]["agreed_orders"]["id"] == str(o["clinic"].public_id)
    assert tasks_of(case)[TPN]["reviews"][0]["organisation"]["id"] == str(o["clinic"].public_id)
    api.told(
        "nurse_a",
        case_id,
        since,
        "tasks_accepted",
        naming=pd_name,
        asks="godtagna; de övriga väntar",
        acts=False,
    )
    api.not_told(case_id, since, "gp_a", "mas_a")
    assert "accept" not in api.read_case("specialist", case_id)["allowed_actions"]

    # The GP's answer on the case as first read is refused as stale (412), and nothing changes; read
    # again, the GP accepts the medication, naming it: the case goes on to the risk analysis.
    since = now()
    stale = api.call(
        "gp_a",
        "cases_accept_create",
        path_params={"id": case_id},
        json={},
        headers={"If-Match": read_before},
    )
    assert stale.status == 412, stale.body
    medication = tasks_of(api.read_case("gp_a", case_id))[MEDICATION]
    assert medication["review_state"] == "pending"
    case = api.act(
        "gp_a",
        case_id,
        "cases_accept_create",
        action="accept",
        json={"tasks": [{"task": medication["id"]}], "reason": "Enligt överenskommelsen."},
    )
    assert case["status"] == "risk_analysis"
    assert {t["review_state"] for t in case["tasks"]} == {"accepted"}
    assert tasks_of(case)[MEDICATION]["agreed_orders"]["id"] == str(o["vc_a"].public_id)
    api.told(
        "nurse_a", case_id, since, "analysis_requested", naming=pd_name, asks="Skriv riskanalysen", acts=True
    )
    api.told(
        "specialist",
        case_id,
        since,
        "tasks_accepted",
        naming=pd_name,
        asks="godtagen; en riskanalys följer",
        acts=False,
    )
    api.not_told(case_id, since, "mas_a", "gp_b")

    # The nurse writes the risk analysis: the specialist, the one named signer, is asked to sign.
    since = now()
    review_on = (timezone.localdate() + datetime.timedelta(days=180)).isoformat()
    api.read_case("nurse_a", case_id)
    written = api.call(
        "nurse_a",
        "cases_risk_analyses_create",
        path_params={"id": case_id},
        json={
            "summary": "PD och TPN i hemmet med kommunens sjuksköterskor efter utbildning.",
            "review_on": review_on,
            "hazards": [
                {
                    "description": "Peritonit vid påsbyte",
                    "likelihood": 2,
                    "consequence": 4,
                    "measures": [
                        {
                            "description": "Utbildning i aseptisk teknik",
                            "owner_organisation": str(o["clinic"].public_id),
                            "owner_name": "PD-sjuksköterska",
                            "due_on": review_on,
                        }
                    ],
                },
                {"description": "Infektion i CVK vid TPN", "likelihood": 2, "consequence": 3},
            ],
        },
        headers={"If-Match": api.people["nurse_a"].etags[case_id]},
    )
    assert written.status == 201, written.body
    assert written.etag  # the case's new ETag
    analysis_id = written.body["id"]
    assert (written.body["status"], written.body["signatures"]) == ("draft", [])
    api.told(
        "specialist", case_id, since, "signature_requested", naming=pd_name, asks="läs och signera", acts=True
    )
    api.not_told(case_id, since, "gp_a", "mas_a")
    assert "sign_analysis" not in api.read_case("gp_a", case_id)["allowed_actions"]

    # The specialist finds the analysis on the case and signs it: MAS is asked to approve.
    since = now()
    listed = api.call("specialist", "cases_risk_analyses_list", path_params={"id": case_id})
    assert [a["id"] for a in listed.body] == [analysis_id]
    signed = api.act(
        "specialist",
        case_id,
        "risk_analyses_sign_create",
        action="sign_analysis",
        path_params={"id": analysis_id},
    )
    assert [s["organisation"]["id"] for s in signed["signatures"]] == [str(o["clinic"].public_id)]
    assert api.read_case("specialist", case_id)["status"] == "awaiting_approval"
    approval = api.told(
        "mas_a", case_id, since, "approval_requested", naming=pd_name, asks="godkänn eller avslå", acts=True
    )
    assert approval["due_at"] is not None
    api.not_told(case_id, since, "mas_b", "gp_a", "nurse_a")

    # MAS approves: the case is agreed and every party is told.
    since = now()
    approved = api.act(
        "mas_a",
        case_id,
        "risk_analyses_approve_create",
        action="approve_analysis",
        path_params={"id": analysis_id},
    )
    assert [d["verdict"] for d in approved["decisions"]] == ["approved"]
    case = api.read_case("nurse_a", case_id)
    assert case["status"] == "agreed"
    assert case["agreed_at"] is not None
    for key in ("nurse_a", "gp_a", "specialist"):
        api.told(key, case_id, since, "case_agreed", naming=pd_name, asks="Upprätta SIP", acts=False)
    api.not_told(case_id, since, "mas_b", "gp_b")

    # The nurse starts the SIP from the case (with the case's ETag): each party on it is asked to plan.
    since = now()
    started = api.call(
        "nurse_a",
        "sips_from_case_create",
        json={"case": case_id},
        headers={"If-Match": api.people["nurse_a"].etags[case_id], "Idempotency-Key": str(uuid.uuid4())},
    )
    assert started.status == 201, started.body
    sip_id = started.body["id"]
    insatser = started.body["current_version"]["insatser"]
    assert len(insatser) == 3
    for key in ("gp_a", "specialist"):
        api.told(key, case_id, since, "sip_started", naming=pd_name, asks="delta i planeringen", acts=True)
    api.not_told(case_id, since, "gp_b", "mas_b")
    assert api.read_case("nurse_a", case_id)["status"] == "agreed"

    # The plan is filled in and finalised, each write with the ETag of the answer before it.
    today = timezone.localdate()
    kommun_id = case["kommun"]["id"]
    filled = api.call(
        "nurse_a",
        "sips_draft_partial_update",
        path_params={"id": sip_id},
        json={
            "huvudansvar": kommun_id,
            "huvudansvar_contact": "Kommunsjuksköterska Eva Ek",
            "huvudansvar_phone": "0340-111 11",
            "fast_vardkontakt_name": "Eva Ek",
            "fast_vardkontakt_unit": "Hemsjukvården A kommun",
            "fast_vardkontakt_phone": "0340-111 11",
            "fast_lakarkontakt_name": "Lars Berg",
            "fast_lakarkontakt_unit": "Vårdcentralen A",
            "what_matters": "Att få bo kvar hemma.",
            # The insatser as started from the case, each now with when it starts and how often.
            "insatser": [
                {
                    "description": i["description"],
                    "task_type": i["task_type"],
                    "responsible": i["responsible"]["id"] if i["responsible"] else None,
                    "orders": i["orders"]["id"] if i["orders"] else None,
                    "follows_up": i["follows_up"]["id"] if i["follows_up"] else None,
                    "starts_on": today.isoformat(),
                    "frequency": "dagligen kl 08 och 20",
                }
                for i in insatser
            ],
            "own_goals": "Klara påsbytena själv på dagtid.",
            "follow_up_on": (today + datetime.timedelta(days=90)).isoformat(),
            "consent_given_by": "person",
            "consent_given_by_name": "Greta Andersson",
            "consent_scope": "Planen får delas mellan kommunen, vårdcentralen och njurmedicin.",
            "consent_given_on": today.isoformat(),
            "no_other_measures": True,
            "participants": [
                {"name": "Greta Andersson", "kind": "person", "attendance": "yes"},
                {
                    "name": "Eva Ek",
                    "kind": "kommun",
                    "organisation": kommun_id,
                    "role": "Sjuksköterska",
                    "attendance": "yes",
                },
            ],
            "contact_paths": [
                {"period": "day", "who": "Hemsjukvården A kommun", "phone": "0340-111 11"},
                {"period": "evening_night", "who": "Njurmedicin PD-jour", "phone": "035-222 22"},
                {"period": "weekend", "who": "Njurmedicin helgjour", "phone": "035-333 33"},
            ],
        },
        headers={"If-Match": str(started.etag)},
    )
    assert filled.status == 200, filled.body
    since = now()
    finalised = api.call(
        "nurse_a", "sips_finalise_create", path_params={"id": sip_id}, headers={"If-Match": str(filled.etag)}
    )
    assert finalised.status == 200, finalised.body
    assert finalised.body["status"] == "finalised"
    assert api.read_case("nurse_a", case_id)["status"] == "active"
    for key in ("gp_a", "specialist"):
        api.told(key, case_id, since, "sip_finalised", naming=pd_name, asks="läs er del", acts=False)
    api.not_told(case_id, since, "gp_b", "mas_b")

    # The specialist, told, reads the plan and prints it.
    plan = api.call("specialist", "sips_retrieve", path_params={"id": sip_id})
    assert plan.status == 200
    version = plan.body["current_version"]
    assert version["status"] == "finalised"
    assert {i["task_type"] for i in version["insatser"]} == {PD, TPN, MEDICATION}
    fetch_pdf(api, "specialist", "sip_care_plan", version["id"])
