"""One write path: the admin, the API and the importer change agreements through the same services, as the
person acting, and a version in force gives the same answer (409) wherever it is asked to change."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from agreements.choices import AgreementStatus
from agreements.models import AgreementEvent, AgreementVersion, LegalReference, Section
from agreements.services import (
    agreement_version_change,
    agreement_version_new_draft,
    agreement_version_put_in_force,
    rule_change,
    section_change,
)
from directory.actor import Actor
from directory.models import User
from hemsjukvard.api.concurrency import etag_for
from hemsjukvard.errors import StaleVersionError, StateConflictError
from tests.fixtures.world import World

from .test_api import Api, P

NEXT_YEAR = datetime.date(2026, 1, 1)


@pytest.fixture
def draft(demo_version: AgreementVersion) -> AgreementVersion:
    return agreement_version_new_draft(
        actor=None, source=demo_version, version="2026.1", valid_from=NEXT_YEAR
    )


def _staff(user: User) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="agreements"))
    client = Client()
    client.force_login(user)
    return client


def _events(version: AgreementVersion, action: str) -> list[AgreementEvent]:
    return list(AgreementEvent.objects.filter(version=version, action=action))


# --- The admin acts as the person signed in, once --------------------------------------------------


def test_putting_a_draft_in_force_in_the_admin_is_one_event_by_the_person(
    region_halland: World, demo_version: AgreementVersion, draft: AgreementVersion
) -> None:
    admin = region_halland.users["admin_halland"]
    response = _staff(admin).post(
        "/admin/agreements/agreementversion/",
        {"action": "put_in_force", "_selected_action": [str(draft.pk)]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.IN_FORCE
    [put] = _events(draft, "put_in_force")
    assert put.user == admin
    [superseded] = _events(demo_version, "superseded")
    assert superseded.user == admin


def test_a_new_draft_made_in_the_admin_is_one_event_by_the_person(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    admin = region_halland.users["admin_halland"]
    _staff(admin).post(
        "/admin/agreements/agreementversion/",
        {"action": "new_draft", "_selected_action": [str(demo_version.pk)]},
    )
    draft = AgreementVersion.objects.get(agreement=demo_version.agreement, status=AgreementStatus.DRAFT)
    [created] = _events(draft, "draft_created")
    assert created.user == admin


def test_a_superuser_acts_as_themself_in_the_admin(region_halland: World, draft: AgreementVersion) -> None:
    root = User.objects.create_superuser(username="root", password="a-long-test-password")
    client = Client()
    client.force_login(root)
    client.post(
        "/admin/agreements/agreementversion/",
        {"action": "put_in_force", "_selected_action": [str(draft.pk)]},
    )
    [put] = _events(draft, "put_in_force")
    assert put.user == root


def test_another_regions_admin_cannot_put_a_draft_in_force_through_the_admin(
    region_halland: World, draft: AgreementVersion
) -> None:
    response = _staff(region_halland.users["admin_skane"]).post(
        "/admin/agreements/agreementversion/",
        {"action": "put_in_force", "_selected_action": [str(draft.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.DRAFT
    assert not _events(draft, "put_in_force")


def _inline_management(**totals: int) -> dict[str, str]:
    data: dict[str, str] = {}
    for prefix in ("sections", "rules", "legal_references", "escalation_levels"):
        data |= {
            f"{prefix}-TOTAL_FORMS": str(totals.get(prefix, 0)),
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data


def test_a_version_and_its_parts_are_written_through_the_services_in_the_admin(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    admin = region_halland.users["admin_halland"]
    client = _staff(admin)
    version_fields: dict[str, Any] = {
        "version": "2027.1",
        "title": "Överenskommelse 2027",
        "valid_from": "2027-01-01",
        "kommuner": [str(region_halland.orgs["Varbergs kommun"].pk)],
        "covered_housing_settings": ["ordinary_home"],
        "deadline_day_kind": "working_days",
        "review_deadline_days": "3",
        "approval_deadline_days": "5",
        "threshold_principle": "on",
        "threshold_specialised_performer": "listed_vardcentral",
    }
    added = client.post(
        "/admin/agreements/agreementversion/add/",
        {"agreement": str(demo_version.agreement_id), **version_fields},
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    version = AgreementVersion.objects.get(version="2027.1")
    assert version.status == AgreementStatus.DRAFT
    assert [e.user for e in _events(version, "created")] == [admin]

    changed = client.post(
        f"/admin/agreements/agreementversion/{version.pk}/change/",
        {
            **version_fields,
            "title": "Överenskommelse 2027, reviderad",
            **_inline_management(sections=1, legal_references=1),
            "sections-0-number": "1",
            "sections-0-heading": "Inledning",
            "sections-0-position": "0",
            "legal_references-0-law": "Hälso- och sjukvårdslag (2017:30)",
            "legal_references-0-chapter": "12",
        },
    )
    assert changed.status_code == 302, changed.content.decode()[:2000]
    version.refresh_from_db()
    assert version.title == "Överenskommelse 2027, reviderad"
    assert Section.objects.filter(version=version, number="1").exists()
    assert LegalReference.objects.filter(version=version, chapter="12").exists()
    events = AgreementEvent.objects.filter(version=version).exclude(action="created")
    assert {(e.action, e.user_id) for e in events} == {("changed", admin.pk), ("section_saved", admin.pk)}
    assert events.filter(detail__legal_reference="Hälso- och sjukvårdslag (2017:30) 12 kap.").exists()


# --- A version in force: one rule, one answer ------------------------------------------------------


def test_a_version_in_force_is_a_conflict_for_every_write(
    region_halland: World, demo_version: AgreementVersion
) -> None:
    actor = Actor.for_user(region_halland.users["admin_halland"])
    rule = demo_version.rules.first()
    section = demo_version.sections.first()
    assert rule is not None
    assert section is not None
    with pytest.raises(StateConflictError):
        agreement_version_change(actor=actor, version=demo_version, changes={"title": "Ändrad"})
    with pytest.raises(StateConflictError):
        agreement_version_put_in_force(actor=actor, version=demo_version)
    with pytest.raises(StateConflictError):
        rule_change(actor=actor, rule=rule, changes={"note": "Ändrad"})
    with pytest.raises(StateConflictError):
        section_change(actor=actor, section=section, changes={"heading": "Ändrad"})
    demo_version.refresh_from_db()
    assert demo_version.title != "Ändrad"


def test_the_api_answers_409_for_a_version_in_force(
    region_halland: World, demo_version: AgreementVersion, api: Api
) -> None:
    client = api(region_halland.users["admin_halland"])
    url = f"{P}/agreement-versions/{demo_version.public_id}"
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"title": "Ändrad"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    section = demo_version.sections.first()
    assert section is not None
    section_url = f"{P}/agreement-sections/{section.public_id}"
    deleted = client.delete(section_url, HTTP_IF_MATCH=client.get(section_url)["ETag"])
    assert deleted.status_code == 409


# --- One ETag scheme, checked under the lock -------------------------------------------------------


def test_an_agreement_etag_is_the_kernels_revision_etag(
    region_halland: World, draft: AgreementVersion, api: Api
) -> None:
    client = api(region_halland.users["admin_halland"])
    url = f"{P}/agreement-versions/{draft.public_id}"
    read = client.get(url)
    draft.refresh_from_db()
    assert read["ETag"] == etag_for(draft, version=draft.revision)
    changed = client.patch(url, {"title": "Ny titel"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert changed.status_code == 200, changed.json()
    draft.refresh_from_db()
    assert changed["ETag"] == etag_for(draft, version=draft.revision) != read["ETag"]
    stale = client.patch(url, {"title": "Annan titel"}, format="json", HTTP_IF_MATCH=read["ETag"])
    assert stale.status_code == 412


def test_the_service_checks_the_revision_read_under_its_lock(
    region_halland: World, draft: AgreementVersion
) -> None:
    actor = Actor.for_user(region_halland.users["admin_halland"])
    rule = draft.rules.get(task_type__code="insulin_injection")
    read = rule.revision
    rule_change(actor=actor, rule=rule, changes={"note": "Först"}, expected_revision=read)
    with pytest.raises(StaleVersionError):
        rule_change(actor=actor, rule=rule, changes={"note": "Sedan"}, expected_revision=read)
    rule.refresh_from_db()
    assert (rule.note, rule.revision) == ("Först", read + 1)


def test_a_change_is_applied_to_the_stored_rule_not_to_the_callers_object(
    region_halland: World, draft: AgreementVersion
) -> None:
    rule = draft.rules.get(task_type__code="insulin_injection")
    rule.note = "Ändrad i minnet, aldrig sparad"
    rule_change(actor=None, rule=rule, changes={"training_required": True})
    rule.refresh_from_db()
    assert (rule.note, rule.training_required) == ("", True)
