"""Versions: a new one supersedes the old without rewriting it; drafts copy everything."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from agreements.choices import AgreementStatus
from agreements.exchange import version_document
from agreements.models import AgreementEvent, AgreementVersion
from agreements.services import (
    agreement_version_new_draft,
    agreement_version_put_in_force,
    rule_change,
)
from directory.actor import Actor
from hemsjukvard.errors import StateConflictError
from tests.fixtures.world import World

NEXT_YEAR = datetime.date(2026, 1, 1)


def test_a_new_version_supersedes_the_old_one_without_rewriting_it(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    actor = Actor.for_user(region_halland.users["admin_halland"])
    before = version_document(demo_version)
    draft = agreement_version_new_draft(
        actor=actor, source=demo_version, version="2026.1", valid_from=NEXT_YEAR
    )
    assert draft.status == AgreementStatus.DRAFT
    assert draft.rules.count() == demo_version.rules.count() == 28
    assert draft.sections.count() == demo_version.sections.count()
    assert draft.threshold_section is not None
    assert draft.threshold_section.version_id == draft.pk

    put = agreement_version_put_in_force(actor=actor, version=draft)
    demo_version.refresh_from_db()
    assert put.status == AgreementStatus.IN_FORCE
    assert put.supersedes_id == demo_version.pk
    assert demo_version.status == AgreementStatus.SUPERSEDED
    assert demo_version.valid_to is None  # its end is the new version's start, not a rewrite
    after = version_document(demo_version)
    after["version"]["status"] = before["version"]["status"]
    assert after == before
    actions = list(
        AgreementEvent.objects.filter(agreement=demo_version.agreement).values_list("action", flat=True)
    )
    assert {"imported", "draft_created", "superseded", "put_in_force"} <= set(actions)


def test_an_older_version_recorded_afterwards_goes_straight_to_history(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    older = agreement_version_new_draft(
        actor=None, source=demo_version, version="2021.1", valid_from=datetime.date(2021, 1, 1)
    )
    agreement_version_put_in_force(actor=None, version=older)
    older.refresh_from_db()
    demo_version.refresh_from_db()
    assert older.status == AgreementStatus.SUPERSEDED
    assert demo_version.status == AgreementStatus.IN_FORCE


def test_two_versions_cannot_start_on_the_same_day(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    same_day = agreement_version_new_draft(
        actor=None, source=demo_version, version="2025.2", valid_from=demo_version.valid_from
    )
    with pytest.raises(ValidationError) as caught:
        agreement_version_put_in_force(actor=None, version=same_day)
    assert "valid_from" in caught.value.message_dict


def test_a_draft_under_its_provisional_number_is_not_put_in_force(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    """Cases cite the version by its number: "2025.1-draft" would be cited in every proposal."""
    actor = Actor.for_user(region_halland.users["admin_halland"])
    draft = agreement_version_new_draft(
        actor=actor, source=demo_version, version=f"{demo_version.version}-draft", valid_from=NEXT_YEAR
    )
    with pytest.raises(ValidationError) as caught:
        agreement_version_put_in_force(actor=actor, version=draft)
    assert "version" in caught.value.message_dict
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT


def test_only_the_regions_admin_changes_its_agreement(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    for who in ("admin_varberg", "admin_skane", "nurse_varberg"):
        with pytest.raises(PermissionDenied):
            agreement_version_new_draft(
                actor=Actor.for_user(region_halland.users[who]),
                source=demo_version,
                version="2026.1",
                valid_from=NEXT_YEAR,
            )
    assert demo_version.agreement.versions.count() == 1


def test_a_rule_of_a_version_in_force_cannot_be_saved(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    rule = demo_version.rules.get(task_type__code="catheter_care")
    with pytest.raises(StateConflictError, match="no longer a draft"):
        rule_change(
            actor=Actor.for_user(region_halland.users["admin_halland"]),
            rule=rule,
            changes={"note": "Ãndrad i efterhand"},
        )
    rule.refresh_from_db()
    assert rule.note == ""
