"""Agreements in the admin are a region's administrators' to change; everyone else reads them. And the
demo's administrators are staff with the administrators' group, never superusers."""

from __future__ import annotations

import pytest
from django.test import Client

from agreements.models import Agreement, CareTaskType
from demo.world import ADMIN_GROUP, REGION_ADMIN_GROUP
from directory.models import Organisation, OrganisationKind

from .conftest import AdminWorld


@pytest.fixture
def task_type(aw: AdminWorld) -> CareTaskType:
    return CareTaskType.objects.create(
        code="wound_care", name_sv="Sårvård", name_en="Wound care", kind="nursing", care_level="primary"
    )


@pytest.mark.django_db
def test_a_vardcentral_admin_reads_agreements_and_changes_none(
    aw: AdminWorld, as_admin: Client, task_type: CareTaskType
) -> None:
    assert as_admin.get("/admin/agreements/caretasktype/").status_code == 200
    assert as_admin.get("/admin/agreements/agreement/add/").status_code == 403
    assert as_admin.get("/admin/agreements/caretasktype/add/").status_code == 403
    url = f"/admin/agreements/caretasktype/{task_type.pk}/change/"
    response = as_admin.post(
        url,
        {
            "code": "wound_care",
            "name_sv": "Ändrad",
            "name_en": "x",
            "kind": "nursing",
            "care_level": "primary",
        },
    )
    assert response.status_code == 403
    task_type.refresh_from_db()
    assert task_type.name_sv == "Sårvård"


@pytest.mark.django_db
def test_a_region_admin_adds_agreements_only_in_their_region(aw: AdminWorld, task_type: CareTaskType) -> None:
    other_region = Organisation.objects.create(name="Region Annan", kind=OrganisationKind.REGION)
    client = Client()
    client.force_login(aw.world.users["admin"])
    assert client.get("/admin/agreements/caretasktype/add/").status_code == 200
    response = client.post(
        "/admin/agreements/agreement/add/",
        {"region": str(other_region.pk), "code": "annan", "scope": "regional"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Agreement.objects.filter(region=other_region).exists()


@pytest.mark.django_db
def test_the_demo_administrators_are_staff_with_the_groups_never_superusers(aw: AdminWorld) -> None:
    vc_admin, region_admin = aw.admin, aw.world.users["admin"]
    for user in (vc_admin, region_admin):
        user.refresh_from_db()
        assert user.is_staff
        assert not user.is_superuser
    assert set(vc_admin.groups.values_list("name", flat=True)) == {ADMIN_GROUP}
    assert set(region_admin.groups.values_list("name", flat=True)) == {ADMIN_GROUP, REGION_ADMIN_GROUP}
    codenames = set(vc_admin.get_all_permissions())
    assert "directory.delete_user" not in codenames
    assert "directory.add_organisation" not in codenames
    assert "integrations.add_apiclient" not in codenames
    assert "agreements.change_agreement" not in codenames
