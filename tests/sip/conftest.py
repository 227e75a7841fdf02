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


# What must never reach a reader who sees the identity of a patient with skyddad identitet masked: the
# person's name (as the patient, as a participant and as who gave consent) and a närstående's name and
# phone number.
SECRET_NAME = "Hemlig Skyddadsson"
SECRET_KIN = "Nära Skyddadsson"
SECRET_PHONE = "070-999 88 77"
SECRET_GUARDIAN = "Gunnar Förvaltare"
SECRETS = ("Hemlig", "Skyddadsson", "Nära", SECRET_PHONE, "Förvaltare")


def protected_changes(world: World, **overrides: Any) -> services.DraftChanges:
    """A complete draft for the patient with skyddad identitet, naming them wherever a plan can."""
    o = world.orgs
    return complete_changes(
        world,
        consent_given_by_name=SECRET_NAME,
        other_measures=[
            services.OtherMeasureInput(
                description="Handlar och följer med på återbesök",
                actor_kind="next_of_kin",
                actor_name=SECRET_KIN,
            ),
            services.OtherMeasureInput(
                description="Sköter räkningarna", actor_kind="other", actor_name=SECRET_GUARDIAN
            ),
            services.OtherMeasureInput(
                description="Handlägger bilstöd",
                actor_kind="forsakringskassan",
                actor_name="Försäkringskassan",
            ),
        ],
        participants=[
            services.ParticipantInput(name=SECRET_NAME, kind="person"),
            services.ParticipantInput(
                name=SECRET_KIN, kind="next_of_kin", role="Dotter", contact=SECRET_PHONE, present=False
            ),
            services.ParticipantInput(
                name="Eva Ek", kind="kommun", organisation=o["kommun_a"], role="Sjuksköterska"
            ),
            services.ParticipantInput(name=SECRET_GUARDIAN, kind="other", role="God man"),
        ],
        **overrides,
    )


@pytest.fixture
def protected_sip(
    world: World,
    case_in: Callable[..., ResponsibilityCase],  # noqa: F811
    nurse: Actor,
) -> Sip:
    """A plan (a filled-in draft) for a patient with skyddad identitet, started by kommun A's nurse, who
    may see the identity; the clinic's specialist and kommun A's coordinator see it masked."""
    patient = world.patient(protected=True, given_name="Hemlig", family_name="Skyddadsson")
    case = case_in(CaseStatus.AGREED, patient=patient)
    sip = services.sip_create_from_case(actor=nurse, case=case_get(actor=nurse, public_id=case.public_id))
    services.sip_update_draft(actor=nurse, sip=sip, expected_revision=None, changes=protected_changes(world))
    return sip
