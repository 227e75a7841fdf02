"""Per-task review by every party that answers for a task (issue 15, item 2).

The proposal makes organisations responsible for each task: the specialist clinic answers for what it
orders (PD, TPN), the listed vårdcentral for what it orders, performs or follows up (wound care), the
kommun for what it is asked to perform (it may dispute; where the proposal names only the kommun it
confirms). A task is agreed as soon as every party it awaits has accepted; a dispute marks only that
task; the case is disputed only once no task awaits an answer; after MAS rejects a risk analysis the
kommun may dispute instead of writing a new version.
"""

from __future__ import annotations

import pytest

from agreements.choices import ApproverRole, CareLevel, PartyRef, TaskKind
from agreements.models import CareTaskType, ResponsibilityRule
from cases import selectors
from cases.models import CaseEvent, Position, ResponsibilityCase, TaskReview
from directory.models import Organisation, OrganisationKind
from tests.fixtures.agreements import PD, REHAB, WOUND

pytestmark = pytest.mark.django_db

TPN = "parenteral-nutrition"


@pytest.fixture
def tpn_rule(halland):
    """Parenteral nutrition as PD: the specialist clinic orders and follows up, the kommun performs."""
    version = halland.version
    tpn = CareTaskType.objects.create(
        code=TPN,
        name_sv="Parenteral nutrition (TPN)",
        name_en="Parenteral nutrition",
        kind=TaskKind.SPECIALISED,
        care_level=CareLevel.SPECIALISED,
    )
    return ResponsibilityRule.objects.create(
        version=version,
        task_type=tpn,
        section=version.sections.get(number="5.3"),
        orders_party=PartyRef.CASE_SPECIALIST_CLINIC,
        performs_party=PartyRef.ENROLMENT_KOMMUN,
        follows_up_party=PartyRef.CASE_SPECIALIST_CLINIC,
        risk_analysis_required=True,
        approver_role=ApproverRole.MAS,
        specialist_active_role_required=True,
    )


def _read(api, user, case):
    response = api(user).get(f"/api/v1/cases/{case.public_id}")
    assert response.status_code == 200, response.content
    return response.json()


def _tasks(body):
    return {t["task_type"]: t for t in body["tasks"]}


def _task_id(case, code):
    return str(case.tasks.get(task_type__code=code).public_id)


@pytest.mark.usefixtures("tpn_rule")
def test_specialist_accepts_what_it_orders_and_the_gp_the_rest(world, case_in, api, act):
    u, o = world.users, world.orgs
    case = case_in("in_review", tasks=(PD, TPN, WOUND))

    # Each party is offered the review only of what it answers for.
    assert "accept" in _read(api, u["specialist"], case)["allowed_actions"]
    assert "accept" in _read(api, u["gp_a"], case)["allowed_actions"]

    # The specialist accepts every task awaiting the clinic: PD and TPN, agreed at once.
    response = act(u["specialist"], case, f"cases/{case.public_id}/accept")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_review"
    tasks = _tasks(body)
    assert {code: t["review_state"] for code, t in tasks.items()} == {
        PD: "accepted",
        TPN: "accepted",
        WOUND: "pending",
    }
    assert tasks[PD]["agreed_orders"]["id"] == str(o["clinic"].public_id)
    assert tasks[PD]["agreed_performs"]["id"] == str(o["kommun_a"].public_id)
    [answer] = tasks[PD]["reviews"]
    assert answer["organisation"]["id"] == str(o["clinic"].public_id)
    assert answer["answer"] == "accepted"
    assert answer["role"] == "specialist"
    assert tasks[WOUND]["reviews"] == []
    assert "accept" not in _read(api, u["specialist"], case)["allowed_actions"]

    # The GP accepts the rest (wound care, which the vårdcentral orders): PD and TPN need an analysis.
    response = act(u["gp_a"], case, f"cases/{case.public_id}/accept")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "risk_analysis"
    assert {t["review_state"] for t in body["tasks"]} == {"accepted"}
    assert _tasks(body)[WOUND]["reviews"][0]["organisation"]["id"] == str(o["vc_a"].public_id)
    # Nobody in the kommun was asked: its request stands as its acceptance of what it performs.
    assert not TaskReview.objects.filter(case=case, organisation=o["kommun_a"]).exists()
    assert "accept" not in _read(api, u["nurse_a"], case)["allowed_actions"]


@pytest.mark.usefixtures("tpn_rule")
def test_four_tasks_one_disputed_by_the_kommun_three_agreed_at_once(world, case_in, api, act):
    u, o = world.users, world.orgs
    case = case_in("in_review", tasks=(PD, TPN, WOUND, REHAB))

    # The kommun (its nurse) disputes wound care, which it is asked to perform.
    response = act(
        u["nurse_a"],
        case,
        f"cases/{case.public_id}/dispute",
        {"positions": [{"task": _task_id(case, WOUND), "text": "Patienten kan ta sig till vårdcentralen."}]},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "in_review"  # other tasks still await their parties
    assert _tasks(body)[WOUND]["review_state"] == "disputed"
    # The disputed task is no longer the vårdcentral's to accept.
    assert "accept" not in _read(api, u["gp_a"], case)["allowed_actions"]

    # The specialist accepts PD and TPN: both agreed at once, while the case is still in review.
    assert act(u["specialist"], case, f"cases/{case.public_id}/accept").status_code == 200
    states = {code: t["review_state"] for code, t in _tasks(_read(api, u["nurse_a"], case)).items()}
    assert states == {PD: "accepted", TPN: "accepted", WOUND: "disputed", REHAB: "pending"}

    # The kommun confirms the rehabilitation task that the proposal gives the kommun alone.
    response = act(
        u["nurse_a"], case, f"cases/{case.public_id}/accept", {"tasks": [{"task": _task_id(case, REHAB)}]}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # No task awaits an answer: the case is disputed, for the one disputed task only.
    assert body["status"] == "disputed"
    states = {code: t["review_state"] for code, t in _tasks(body).items()}
    assert states == {PD: "accepted", TPN: "accepted", WOUND: "disputed", REHAB: "accepted"}
    assert all(_tasks(body)[code]["agreed_at"] for code in (PD, TPN, REHAB))
    wound_answers = _tasks(body)[WOUND]["reviews"]
    assert [(a["organisation"]["id"], a["answer"]) for a in wound_answers] == [
        (str(o["kommun_a"].public_id), "disputed")
    ]
    assert wound_answers[0]["text"] == "Patienten kan ta sig till vårdcentralen."
    assert Position.objects.get(case=case).organisation == o["kommun_a"]
    # The vårdcentral states its position on the disputed task, and a coordinator may escalate.
    assert "state_position" in _read(api, u["gp_a"], case)["allowed_actions"]
    assert "escalate" in _read(api, u["coordinator_a"], case)["allowed_actions"]


def test_a_party_cannot_answer_for_a_task_it_is_not_party_to(world, case_in, api, act):
    u = world.users
    case = case_in("in_review", tasks=(PD, WOUND))
    before = ResponsibilityCase.objects.get(pk=case.pk).version
    events = CaseEvent.objects.filter(case=case).count()

    # The GP answers for wound care, but not for PD, which the clinic orders.
    for path, body in (
        ("accept", {"tasks": [{"task": _task_id(case, PD)}]}),
        ("dispute", {"positions": [{"task": _task_id(case, PD), "text": "Nej."}]}),
    ):
        response = act(u["gp_a"], case, f"cases/{case.public_id}/{path}", body)
        assert response.status_code == 403, response.content
    # Another kommun's vårdcentral does not see the case at all.
    response = act(u["gp_b"], case, f"cases/{case.public_id}/accept", {})
    assert response.status_code == 404
    assert ResponsibilityCase.objects.get(pk=case.pk).version == before
    assert CaseEvent.objects.filter(case=case).count() == events
    assert not TaskReview.objects.filter(case=case).exists()

    # An answer given is given once: a second accept of the same task is refused.
    assert act(u["gp_a"], case, f"cases/{case.public_id}/accept").status_code == 200
    response = act(
        u["gp_a"], case, f"cases/{case.public_id}/accept", {"tasks": [{"task": _task_id(case, WOUND)}]}
    )
    assert response.status_code in (400, 403, 409), response.content
    assert TaskReview.objects.filter(case=case).count() == 1
    # A stale If-Match is refused before anything is written.
    response = api(u["specialist"]).post(
        f"/api/v1/cases/{case.public_id}/accept", {}, format="json", HTTP_IF_MATCH='"stale"'
    )
    assert response.status_code == 412
    assert TaskReview.objects.filter(case=case).count() == 1


def test_after_mas_rejects_the_kommun_may_dispute_instead_of_a_new_version(world, halland, drive, api, act):
    u, o = world.users, world.orgs
    case = drive.to("awaiting_approval")
    analysis = selectors.current_analysis(case)

    # Before any rejection the kommun has no such path.
    assert "dispute_after_rejection" not in _read(api, u["mas_a"], case)["allowed_actions"]
    drive.reject(case, analysis, by="mas_a")
    assert case.status == "risk_analysis"
    allowed = _read(api, u["mas_a"], case)["allowed_actions"]
    assert "dispute_after_rejection" in allowed
    assert "dispute_after_rejection" in _read(api, u["nurse_a"], case)["allowed_actions"]
    assert "dispute_after_rejection" not in _read(api, u["gp_a"], case)["allowed_actions"]
    assert "dispute_after_rejection" not in _read(api, u["specialist"], case)["allowed_actions"]

    # The GP may not; MAS disputes PD, which the analysis covers.
    body = {"positions": [{"task": _task_id(case, PD), "text": "Risken kan inte hanteras i kommunen."}]}
    assert act(u["specialist"], case, f"cases/{case.public_id}/dispute", body).status_code == 403
    response = act(u["mas_a"], case, f"cases/{case.public_id}/dispute", body)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "disputed"
    pd = _tasks(body)[PD]
    assert pd["review_state"] == "disputed"
    assert pd["agreed_performs"] is None
    assert pd["reviews"][-1]["organisation"]["id"] == str(o["kommun_a"].public_id)
    assert pd["reviews"][-1]["answer"] == "disputed"
    event = CaseEvent.objects.filter(case=case).latest("pk")
    assert (event.action, event.from_status, event.to_status) == (
        "dispute_after_rejection",
        "risk_analysis",
        "disputed",
    )

    # On to the escalation ladder, where the body recommends on the disputed task and both parties
    # accept the recommendation.
    case = drive.escalate(case)
    assert case.status == "escalated"
    case = drive.decide(case, split={"orders": "clinic", "performs": "clinic", "follows_up": "clinic"})
    case = drive.answer(case, by="coordinator_a")
    case = drive.answer(case, by="specialist")
    pd_task = case.tasks.get()
    assert pd_task.review_state == "decided"
    assert pd_task.agreed_performs == o["clinic"]


def test_the_mobile_team_can_be_named_in_a_position(world, halland, case_in, api, act, client):
    u, o = world.users, world.orgs
    team = Organisation.objects.create(
        name="Mobilt närsjukvårdsteam Test", kind=OrganisationKind.MOBILE_TEAM, region=o["region"]
    )
    case = case_in("in_review", tasks=(PD,))
    assert team in selectors.assignable_organisations(case)

    # The review form offers the mobile team as a party of the split the specialist proposes.
    client.force_login(u["specialist"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert 'id="action-accept"' in page
    assert f'value="{team.public_id}"' in page or f'value="{team.pk}"' in page
    assert "Mobilt närsjukvårdsteam Test" in page

    response = act(
        u["specialist"],
        case,
        f"cases/{case.public_id}/dispute",
        {
            "positions": [
                {
                    "task": _task_id(case, PD),
                    "text": "Mobila teamet bör utföra PD de första veckorna.",
                    "performs": str(team.public_id),
                }
            ]
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "disputed"
    assert Position.objects.get(case=case).proposed_performs == team


@pytest.mark.usefixtures("tpn_rule")
def test_the_review_form_accepts_some_tasks_and_disputes_others_in_one_submit(world, case_in, client):
    u, o = world.users, world.orgs
    case = case_in("in_review", tasks=(PD, TPN, WOUND))
    pd, tpn = case.tasks.get(task_type__code=PD), case.tasks.get(task_type__code=TPN)
    client.force_login(u["specialist"])
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "review-heading" in page
    # Only the tasks awaiting the clinic are in its form.
    assert f"accept-answer_{pd.public_id}" in page
    assert f"accept-answer_{case.tasks.get(task_type__code=WOUND).public_id}" not in page

    case.refresh_from_db()
    response = client.post(
        f"/cases/{case.public_id}/actions/accept/",
        {
            "accept-version": case.version,
            f"accept-answer_{pd.public_id}": "accept",
            f"accept-answer_{tpn.public_id}": "dispute",
            f"accept-text_{tpn.public_id}": "TPN bör skötas av ASIH.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    pd.refresh_from_db()
    tpn.refresh_from_db()
    assert (pd.review_state, tpn.review_state) == ("accepted", "disputed")
    assert pd.agreed_orders == o["clinic"]
    assert Position.objects.get(case=case).text == "TPN bör skötas av ASIH."
    page = client.get(f"/cases/{case.public_id}/").content.decode()
    assert "TPN bör skötas av ASIH." in page
    assert "Njurmedicin Test" in page

    # A dispute without a position is refused next to the field, and nothing is written.
    client.force_login(u["gp_a"])
    wound = case.tasks.get(task_type__code=WOUND)
    case.refresh_from_db()
    response = client.post(
        f"/cases/{case.public_id}/actions/accept/",
        {"accept-version": case.version, f"accept-answer_{wound.public_id}": "dispute"},
    )
    assert response.status_code == 400
    wound.refresh_from_db()
    assert wound.review_state == "pending"
