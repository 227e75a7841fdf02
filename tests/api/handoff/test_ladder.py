"""Handoff case (b) through the REST API alone, as an integration that has only ``openapi.yaml``
(the schema-only client and its rules are in ``contract``).

Four tasks of which one is disputed: the other three are agreed at once, lokal samverkan recommends, the
kommun accepts and the vårdcentral declines, RUG cannot settle it, GNHH decides (binding), and every
party fetches the decision notice PDF. After every step the parties concerned find a notice saying what
is asked of them; others find none.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests.fixtures.agreements import MEDICATION, PD, TPN, WOUND

from .contract import Integration, fetch_pdf, now, open_case, tasks_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("own_rate_limit_counters")]


# --- (b) four tasks, one disputed, up the ladder to a binding decision -------------------------------


def _decisions(api: Integration, key: str, case_id: str) -> Iterator[dict[str, Any]]:
    """The decisions on the case, oldest first, as the timeline records them."""
    answer = api.call(key, "cases_timeline_list", path_params={"id": case_id})
    assert answer.status == 200
    for event in answer.body:
        if event["kind"] == "decided" and event["action"] == "decide":
            yield event


def test_four_tasks_one_disputed_up_the_ladder_to_a_binding_decision(integration: Integration) -> None:
    api = integration
    o = api.world.orgs
    people = (
        "nurse_a",
        "gp_a",
        "gp_b",
        "specialist",
        "mas_a",
        "coordinator_a",
        "coordinator_vc_a",
        "governance_lokal",
        "governance",
        "governance_gnhh",
    )
    for key in people:
        api.sign_in(key)

    case = open_case(api, [PD, TPN, WOUND, MEDICATION], "Utskriven med PD, TPN, sår och läkemedel.")
    case_id = case["id"]
    wound_name = tasks_of(case)[WOUND]["task_type_name"]
    wound_id = tasks_of(case)[WOUND]["id"]

    # The clinic accepts PD and TPN, agreed at once while the vårdcentral has yet to answer; the GP
    # accepts the medication and disputes the wound care.
    case = api.act("specialist", case_id, "cases_accept_create", action="accept", json={})
    assert case["status"] == "in_review"
    assert all(tasks_of(case)[code]["agreed_at"] for code in (PD, TPN))
    medication_id = tasks_of(api.read_case("gp_a", case_id))[MEDICATION]["id"]
    api.act(
        "gp_a", case_id, "cases_accept_create", action="accept", json={"tasks": [{"task": medication_id}]}
    )
    since = now()
    case = api.act(
        "gp_a",
        case_id,
        "cases_dispute_create",
        action="dispute",
        json={
            "positions": [
                {
                    "task": wound_id,
                    "text": "Såret är postoperativt; kirurgen bör ordinera och följa upp.",
                    "orders": str(o["clinic"].public_id),
                    "follows_up": str(o["clinic"].public_id),
                }
            ]
        },
    )
    # Three tasks agreed at once; only the wound care is disputed.
    assert case["status"] == "disputed"
    states = {code: t["review_state"] for code, t in tasks_of(case).items()}
    assert states == {PD: "accepted", TPN: "accepted", MEDICATION: "accepted", WOUND: "disputed"}
    assert all(tasks_of(case)[code]["agreed_at"] for code in (PD, TPN, MEDICATION))
    assert tasks_of(case)[WOUND]["agreed_at"] is None
    for key in ("coordinator_a", "nurse_a", "specialist"):
        api.told(
            key,
            case_id,
            since,
            "case_disputed",
            naming=wound_name,
            asks="Ange er ståndpunkt, eller eskalera",
            acts=True,
        )
    api.not_told(case_id, since, "gp_a", "mas_a", "governance_lokal", "gp_b")

    # The kommun's coordinator escalates: lokal samverkan (level 1) is asked to decide.
    since = now()
    case = api.act(
        "coordinator_a",
        case_id,
        "cases_escalate_create",
        action="escalate",
        json={"reason": "Parterna är oense om sårvården.", "level": 1},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert (case["status"], case["escalation_level"]) == ("escalated", 1)
    assert case["escalation_body"]["id"] == str(o["lokal_a"].public_id)
    notice = api.told(
        "governance_lokal",
        case_id,
        since,
        "case_escalated",
        naming=wound_name,
        asks="avgör det senast",
        acts=True,
    )
    assert notice["due_at"] is not None
    api.told(
        "gp_a",
        case_id,
        since,
        "case_escalated",
        naming=wound_name,
        asks="eskalerat till Lokal samverkan A (nivå 1)",
        acts=False,
    )
    api.not_told(case_id, since, "governance", "governance_gnhh", "gp_b")
    # Nobody climbs alone: a second escalation before level 1 has decided is refused.
    refused = api.act(
        "coordinator_a",
        case_id,
        "cases_escalate_create",
        json={"reason": "Vi vill vidare.", "level": 2},
        expect=409,
    )
    assert refused["error"]["level"] == 1
    assert "escalate" not in refused["error"]["allowed"]
    assert api.read_case("coordinator_a", case_id)["escalation_level"] == 1

    # Level 1 recommends, on the disputed task only.
    since = now()
    split = {
        "task": wound_id,
        "orders": str(o["vc_a"].public_id),
        "performs": str(o["kommun_a"].public_id),
        "follows_up": str(o["vc_a"].public_id),
    }
    case = api.act(
        "governance_lokal",
        case_id,
        "cases_decide_create",
        action="decide",
        json={"outcome": "agreed", "reasons": "Enligt § 5.3 ordinerar vårdcentralen.", "splits": [split]},
    )
    assert case["status"] == "escalated"
    assert tasks_of(case)[WOUND]["review_state"] == "disputed"
    for key in ("coordinator_a", "mas_a", "gp_a", "coordinator_vc_a", "specialist"):
        api.told(
            key,
            case_id,
            since,
            "recommendation_made",
            naming=wound_name,
            asks="godta rekommendationen för er part",
            acts=True,
        )
    api.told(
        "nurse_a",
        case_id,
        since,
        "recommendation_made",
        naming=wound_name,
        asks="rekommenderar hur ärendet",
        acts=False,
    )
    api.not_told(case_id, since, "governance", "governance_gnhh", "gp_b")

    # The kommun accepts the recommendation: the region side hears of it, the next level does not.
    since = now()
    case = api.act(
        "coordinator_a",
        case_id,
        "cases_accept_recommendation_create",
        action="accept_recommendation",
        json={"reason": "Kommunen godtar."},
    )
    assert case["status"] == "escalated"
    for key in ("gp_a", "governance_lokal"):
        api.told(key, case_id, since, "position_stated", naming=wound_name, asks="En part godtar", acts=False)
    api.not_told(case_id, since, "governance", "governance_gnhh", "gp_b")
    # The kommun has answered for its side; the vårdcentral does not accept.
    assert "accept_recommendation" not in api.read_case("mas_a", case_id)["allowed_actions"]
    since = now()
    case = api.act(
        "gp_a",
        case_id,
        "cases_decline_recommendation_create",
        action="decline_recommendation",
        json={"reason": "Vårdcentralen saknar resurser för postoperativ sårvård."},
    )
    assert case["status"] == "escalated"
    for key in ("coordinator_a", "coordinator_vc_a"):
        api.told(
            key,
            case_id,
            since,
            "position_stated",
            naming=wound_name,
            asks="godtar inte samverkansorganets rekommendation",
            acts=True,
        )
    api.told(
        "governance_lokal",
        case_id,
        since,
        "position_stated",
        naming=wound_name,
        asks="godtar inte samverkansorganets rekommendation",
        acts=False,
    )
    api.not_told(case_id, since, "governance", "governance_gnhh")

    # Declined: the coordinator sends it on to RUG (level 2), which finds it cannot settle it.
    since = now()
    case = api.act(
        "coordinator_a",
        case_id,
        "cases_escalate_create",
        action="escalate",
        json={"reason": "Vårdcentralen godtar inte rekommendationen.", "level": 2},
        headers={"Idempotency-Key": str(uuid.uuid4())},
    )
    assert (case["status"], case["escalation_level"]) == ("escalated", 2)
    api.told(
        "governance", case_id, since, "case_escalated", naming=wound_name, asks="avgör det senast", acts=True
    )
    api.not_told(case_id, since, "governance_gnhh")
    since = now()
    case = api.act(
        "governance",
        case_id,
        "cases_cannot_settle_create",
        action="cannot_settle",
        json={"reason": "Frågan gäller hela regionens avtal."},
    )
    assert (case["status"], case["escalation_level"]) == ("escalated", 3)
    assert case["escalation_body"]["id"] == str(o["gnhh"].public_id)
    api.told(
        "governance_gnhh",
        case_id,
        since,
        "case_escalated",
        naming=wound_name,
        asks="avgör det senast",
        acts=True,
    )
    api.not_told(case_id, since, "governance_lokal")

    # GNHH decides, binding: the wound care is settled and the case goes on to the risk analysis.
    since = now()
    case = api.act(
        "governance_gnhh",
        case_id,
        "cases_decide_create",
        action="decide",
        json={"outcome": "agreed", "reasons": "Kommunen utför, vårdcentralen ordinerar.", "splits": [split]},
    )
    assert case["status"] == "risk_analysis"
    wound = tasks_of(case)[WOUND]
    assert wound["review_state"] == "decided"
    assert wound["agreed_performs"]["id"] == str(o["kommun_a"].public_id)
    assert wound["agreed_orders"]["id"] == str(o["vc_a"].public_id)
    api.told(
        "nurse_a",
        case_id,
        since,
        "analysis_requested",
        naming=wound_name,
        asks="har avgjort oenigheten",
        acts=True,
    )
    for key in ("coordinator_a", "gp_a", "specialist"):
        api.told(
            key, case_id, since, "case_decided", naming=wound_name, asks="har avgjort ärendet", acts=False
        )
    api.not_told(case_id, since, "gp_b", "governance_lokal")

    # Every party fetches the decision notice of the binding decision: the same PDF for each; GNHH (level
    # 3, pseudonymised) gets the print without the patient's identity.
    documents: dict[str, str] = {}
    for key in ("nurse_a", "coordinator_a", "gp_a", "specialist", "governance_gnhh"):
        *_earlier, binding = list(_decisions(api, key, case_id))
        assert binding["payload"]["level"] == 3
        assert binding["payload"]["binding"] is True
        documents[key] = fetch_pdf(api, key, "decision_notice", binding["payload"]["decision"])
    assert len({documents[key] for key in ("nurse_a", "coordinator_a", "gp_a", "specialist")}) == 1
    assert documents["governance_gnhh"] != documents["nurse_a"]
    listed = api.call(
        "gp_a",
        "documents_list",
        query={"kind": "decision_notice", "source_id": binding["payload"]["decision"]},
    )
    # The identified print and the pseudonymised one: a reader who may see the identity is shown both.
    assert {d["id"] for d in listed.body["results"]} == set(documents.values())
    # Another kommun's vårdcentral does not get it.
    outsider = api.call(
        "gp_b",
        "documents_create",
        json={"kind": "decision_notice", "source_id": binding["payload"]["decision"]},
    )
    assert outsider.status == 404
