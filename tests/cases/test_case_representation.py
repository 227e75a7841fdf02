"""The hand-written case representation (``case_representations``) is byte for byte ``CaseSerializer``.

The API answers case reads with the hand-written one for speed, while the OpenAPI schema is generated
from ``CaseSerializer``; if the two drift, integrations get something other than what the schema says.
Each test renders both with the API's JSON renderer and compares the bytes, so a key, its order, a
format or a null that differs fails here.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from agreements.choices import CareLevel, TaskKind
from agreements.models import CareTaskType
from cases import selectors, services
from cases.api.serializers import CaseSerializer, case_representation, case_representations
from cases.models import CaseStatus, Closure, ResponsibilityCase
from cases.policies import allowed_actions
from directory.actor import Actor
from tests.fixtures.agreements import PD, REHAB, WOUND, Halland
from tests.fixtures.world import World, as_actor

pytestmark = pytest.mark.django_db

UNCLEAR = "lss-unclear-test"


def _render(data: Any) -> bytes:
    return JSONRenderer().render(data)


def _listed(actor: Actor) -> list[ResponsibilityCase]:
    """The actor's list as the API builds it: the selector's rows with ``allowed_actions`` set."""
    cases = list(selectors.case_list(actor=actor))
    facts = selectors.case_facts_many(cases)
    for case in cases:
        case.allowed_actions = allowed_actions(actor, case, facts[case.pk])  # type: ignore[attr-defined, unused-ignore]
    return cases


def _assert_same(cases: list[ResponsibilityCase]) -> None:
    assert cases, "nothing to compare"
    expected = _render(CaseSerializer(cases, many=True).data)
    assert _render(case_representations(cases)) == expected
    for case in cases:
        assert _render(case_representation(case)) == _render(CaseSerializer(case).data)


@pytest.fixture
def varied(world: World, halland: Halland, case_in: Callable[..., ResponsibilityCase]) -> dict[str, Any]:
    """Cases in every status, with one to four tasks, a protected patient, an unclear task, an
    escalation decided by a body, a withdrawal, a closure and an overdue deadline."""
    o, u = world.orgs, world.users
    CareTaskType.objects.create(
        code=UNCLEAR,
        name_sv="Insats utan regel (test) – ”citat” & <tecken>",
        name_en="A task without a rule (test)",
        kind=TaskKind.NURSING,
        care_level=CareLevel.PRIMARY,
    )
    made: dict[str, Any] = {}
    for status in (
        CaseStatus.DRAFT,
        CaseStatus.IN_REVIEW,
        CaseStatus.RISK_ANALYSIS,
        CaseStatus.AWAITING_APPROVAL,
        CaseStatus.AGREED,
        CaseStatus.ACTIVE,
        CaseStatus.FOLLOW_UP,
        CaseStatus.DISPUTED,
        CaseStatus.ESCALATED,
    ):
        made[status] = case_in(status)
    made["protected"] = case_in(CaseStatus.IN_REVIEW, patient=world.patient(protected=True))
    made["many_tasks"] = case_in(CaseStatus.IN_REVIEW, tasks=(PD, WOUND, REHAB, UNCLEAR))
    made["rehab"] = case_in(CaseStatus.RISK_ANALYSIS, tasks=(REHAB, WOUND))
    made["no_vardcentral"] = case_in(CaseStatus.DRAFT, patient=world.patient(vardcentral=None))

    closed = case_in(CaseStatus.FOLLOW_UP)
    made["closed"] = services.case_move(
        actor=as_actor(world, "nurse_a"), case=closed, expected_version=None, action="close"
    )
    withdrawn = case_in(CaseStatus.IN_REVIEW)
    made["withdrawn"] = services.case_withdraw(
        actor=as_actor(world, "nurse_a"), case=withdrawn, expected_version=None, reason="Flyttat."
    )
    assert made["withdrawn"].closure == Closure.WITHDRAWN

    decided = case_in(CaseStatus.ESCALATED, tasks=(WOUND,))
    task = decided.tasks.get()
    made["decided"] = services.case_decide(
        actor=as_actor(world, "governance_lokal"),
        case=decided,
        expected_version=None,
        outcome="agreed",
        reasons="Enligt § 5.3.",
        splits=[
            services.Split(
                task=task.public_id, orders=o["vc_a"], performs=o["kommun_a"], follows_up=o["vc_a"]
            )
        ],
    )
    # Lokal samverkan recommends; both parties accept, and the recommendation settles the task.
    for who in ("coordinator_a", "gp_a"):
        made["decided"] = services.case_answer_recommendation(
            actor=as_actor(world, who), case=made["decided"], expected_version=None, accept=True
        )
    overdue = made[CaseStatus.IN_REVIEW]
    ResponsibilityCase.objects.filter(pk=overdue.pk).update(
        due_at=timezone.now() - datetime.timedelta(days=2),
        background='Rad ett\nrad två: "citat", \\ och emoji ✓',
    )
    # An escalated case that is past its deadline, and one whose deadline was cleared.
    ResponsibilityCase.objects.filter(pk=made[CaseStatus.ESCALATED].pk).update(
        due_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    ResponsibilityCase.objects.filter(pk=made[CaseStatus.ACTIVE].pk).update(due_at=None)
    assert u["nurse_a"]  # the nurse of kommun A sees every case above
    return made


def test_every_status_and_shape_renders_as_the_serializer(world: World, varied: dict[str, Any]) -> None:
    cases = _listed(as_actor(world, "nurse_a"))
    statuses = {case.status for case in cases}
    assert statuses == set(CaseStatus.values) - {CaseStatus.SUBMITTED}, statuses
    assert any(case.patient.protected_identity for case in cases)
    assert any(case.escalation_body_id for case in cases)
    assert any(case.closure == Closure.WITHDRAWN for case in cases)
    assert any(len(case.tasks.all()) == 4 for case in cases)
    assert any(t.proposal_status == "unclear" for case in cases for t in case.tasks.all())
    assert any(t.agreed_basis == "escalation" for case in cases for t in case.tasks.all())
    assert any(getattr(case, "allowed_actions", []) for case in cases)
    _assert_same(cases)


@pytest.mark.parametrize("who", ["gp_a", "mas_a", "specialist", "coordinator_a", "mar_a"])
def test_other_readers_see_the_same_representation(world: World, varied: dict[str, Any], who: str) -> None:
    """``allowed_actions`` differs per reader; the representation must carry each reader's own."""
    _assert_same(_listed(as_actor(world, who)))


def test_times_in_utc_are_written_with_z(world: World, varied: dict[str, Any]) -> None:
    with timezone.override("UTC"):
        cases = _listed(as_actor(world, "nurse_a"))
        _assert_same(cases)
        assert case_representation(cases[0])["created_at"].endswith("Z")


def test_the_api_answers_with_the_serializer_s_json(
    world: World, varied: dict[str, Any], api: Callable[..., Any]
) -> None:
    """List and detail over HTTP equal the serializer's output for the same reader."""
    client = api(world.users["nurse_a"])
    response = client.get("/api/v1/cases", {"page_size": 100})
    assert response.status_code == 200
    actor = as_actor(world, "nurse_a")
    expected = CaseSerializer(_listed(actor), many=True).data
    assert _render(response.json()["results"]) == _render(expected)

    case = varied["decided"]
    response = client.get(f"/api/v1/cases/{case.public_id}")
    assert response.status_code == 200
    fresh = selectors.case_reload(case=case)
    fresh.allowed_actions = allowed_actions(actor, fresh, selectors.case_facts(fresh))  # type: ignore[attr-defined, unused-ignore]
    assert _render(response.json()) == _render(CaseSerializer(fresh).data)
