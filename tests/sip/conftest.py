"""Fixtures for the SIP tests: an agreed PD case (driven there by the cases services, reusing the case
tests' fixtures) and a helper that fills in a complete draft."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from cases.models import CaseStatus, ResponsibilityCase
from cases.selectors import case_get
from directory.actor import Actor
from sip import services
from sip.models import Sip, SipVersion
from tests.cases.conftest import PD, WOUND, as_actor, case_in, halland  # noqa: F401 (fixtures)
from tests.factories import World


@pytest.fixture
def agreed_case(case_in: Callable[..., ResponsibilityCase]) -> ResponsibilityCase:  # noqa: F811
    case = case_in(CaseStatus.AGREED, tasks=(PD, WOUND))
    assert case.status == CaseStatus.AGREED
    return case


@pytest.fixture
def nurse(world: World) -> Actor:
    return as_actor(world, "nurse_a")


@pytest.fixture
def sip_from_case(agreed_case: ResponsibilityCase, nurse: Actor) -> Sip:
    case = case_get(actor=nurse, public_id=agreed_case.public_id)
    return services.sip_create_from_case(actor=nurse, case=case)


def complete_changes(world: World, **overrides: Any) -> services.DraftChanges:
    """Everything a plan needs to be finalised; ``overrides`` replace fields (or lists) by name."""
    o = world.orgs
    today = timezone.localdate()
    fields: dict[str, Any] = {
        "huvudansvar": o["kommun_a"],
        "huvudansvar_contact": "Kommunsjuksköterska Eva Ek",
        "what_matters": "Att få bo kvar hemma med katten Måns.",
        "own_goals": "Klara påsbytena själv på dagtid.",
        "follow_up_on": today + datetime.timedelta(days=90),
        "consent_given_by": "person",
        "consent_given_by_name": "Karin Svensson",
        "consent_scope": "Planen får delas mellan kommunen, vårdcentralen och njurmedicin.",
        "consent_given_on": today,
    }
    lists: dict[str, Any] = {
        "other_measures": [
            services.OtherMeasureInput(
                description="Handlar och följer med på återbesök",
                actor_kind="next_of_kin",
                actor_name="Dottern Anna",
            ),
            services.OtherMeasureInput(
                description="Handlägger bilstöd",
                actor_kind="forsakringskassan",
                actor_name="Försäkringskassan",
            ),
        ],
        "participants": [
            services.ParticipantInput(name="Karin Svensson", kind="person"),
            services.ParticipantInput(
                name="Anna Svensson",
                kind="next_of_kin",
                role="Dotter",
                contact="070-123 45 67",
                present=False,
            ),
            services.ParticipantInput(
                name="Eva Ek", kind="kommun", organisation=o["kommun_a"], role="Sjuksköterska"
            ),
        ],
        "contact_paths": [
            services.ContactPathInput(period="day", who="Hemsjukvården A kommun", phone="0340-111 11"),
            services.ContactPathInput(
                period="evening_night", who="Njurmedicin PD-jour dygnet runt", phone="035-222 22"
            ),
            services.ContactPathInput(period="weekend", who="Njurmedicin helgjour", phone="035-333 33"),
        ],
    }
    for name, value in overrides.items():
        if name in lists or name == "insatser":
            lists[name] = value
        else:
            fields[name] = value
    return services.DraftChanges(fields=fields, **lists)


def fill(sip: Sip, actor: Actor, world: World, **overrides: Any) -> SipVersion:
    return services.sip_update_draft(
        actor=actor, sip=sip, expected_revision=None, changes=complete_changes(world, **overrides)
    )
