"""The admin: readable rule tables, drafts editable, versions in force read-only, hard rules as errors."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from agreements.choices import AgreementStatus
from agreements.models import AgreementVersion, CareTaskType, ResponsibilityRule
from agreements.services import agreement_version_new_draft
from directory.models import Role, User
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World


@pytest.fixture
def draft(demo_version: AgreementVersion) -> AgreementVersion:
    return agreement_version_new_draft(
        actor=None, source=demo_version, version="2026.1", valid_from=datetime.date(2026, 1, 1)
    )


@pytest.fixture
def superuser_client(region_halland: World) -> Client:
    user = User.objects.create_superuser(username="root", password="a-long-test-password")
    return signed_in(user)


def _staff_client(user: User) -> Client:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="agreements"))
    return signed_in(user)


def _rule_form(draft: AgreementVersion, **changes: str) -> dict[str, str]:
    data = {
        "version": str(draft.pk),
        "task_type": str(CareTaskType.objects.get(code="physician_home_visit").pk),
        "housing_setting": "short_term_housing",
        "enrolment_requirement": "any",
        "orders_party": "listed_vardcentral",
        "performs_party": "listed_vardcentral",
        "follows_up_party": "listed_vardcentral",
        "section": str(draft.sections.get(number="5").pk),
        "note": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    "page",
    [
        "agreement",
        "agreementversion",
        "responsibilityrule",
        "caretasktype",
        "agreementevent",
    ],
)
def test_the_lists_open(superuser_client: Client, demo_version: AgreementVersion, page: str) -> None:
    assert superuser_client.get(f"/admin/agreements/{page}/").status_code == 200


def test_a_version_shows_its_rules_as_a_readable_table(
    superuser_client: Client, demo_version: AgreementVersion
) -> None:
    page = superuser_client.get(f"/admin/agreements/agreementversion/{demo_version.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'class="agreement-rules"' in html
    assert "Peritonealdialys (PD)" in html
    assert "Njurmedicin Halland" in html
    assert "§ 6.1" in html


def test_a_version_in_force_is_read_only(superuser_client: Client, demo_version: AgreementVersion) -> None:
    url = f"/admin/agreements/agreementversion/{demo_version.pk}/change/"
    assert superuser_client.post(url, {"title": "Ändrad"}).status_code == 403
    rule = demo_version.rules.first()
    assert rule is not None
    rule_url = f"/admin/agreements/responsibilityrule/{rule.pk}/change/"
    assert superuser_client.post(rule_url, {"note": "x"}).status_code == 403
    demo_version.refresh_from_db()
    assert demo_version.title == "Överenskommelse om hemsjukvård i Halland"


def test_a_kommun_performing_a_physician_task_is_a_form_error(
    superuser_client: Client, draft: AgreementVersion
) -> None:
    before = ResponsibilityRule.objects.count()
    response = superuser_client.post(
        "/admin/agreements/responsibilityrule/add/",
        _rule_form(draft, performs_party="enrolment_kommun"),
    )
    assert response.status_code == 200  # the form again, with the error
    assert "HSL 12 kap. 3 §" in response.content.decode()
    assert ResponsibilityRule.objects.count() == before


def test_a_valid_rule_is_added_to_a_draft(superuser_client: Client, draft: AgreementVersion) -> None:
    response = superuser_client.post("/admin/agreements/responsibilityrule/add/", _rule_form(draft))
    assert response.status_code == 302
    assert draft.rules.filter(housing_setting="short_term_housing").exists()


def test_another_regions_admin_may_not_change_the_draft(
    region_halland: World, draft: AgreementVersion
) -> None:
    client = _staff_client(region_halland.users["admin_skane"])
    rule = draft.rules.get(task_type__code="insulin_injection")
    response = client.post(
        f"/admin/agreements/responsibilityrule/{rule.pk}/change/",
        _rule_form(draft, task_type=str(rule.task_type_id), note="Ändrad"),
    )
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.note == ""


def test_the_region_admin_may(region_halland: World, draft: AgreementVersion) -> None:
    assert region_halland.users["admin_halland"].memberships.filter(role=Role.ADMIN).exists()
    client = _staff_client(region_halland.users["admin_halland"])
    response = client.post("/admin/agreements/responsibilityrule/add/", _rule_form(draft))
    assert response.status_code == 302


def test_the_put_in_force_action(superuser_client: Client, draft: AgreementVersion) -> None:
    response = superuser_client.post(
        "/admin/agreements/agreementversion/",
        {"action": "put_in_force", "_selected_action": [str(draft.pk)]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == AgreementStatus.IN_FORCE
