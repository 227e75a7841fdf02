"""A vacant MAR is a compliance warning where the agreement says every kommun must have one.

Prop. 2025/26:19 proposes a mandatory MAR from 2026-07-01; the date, its source and the term "hälso- och
sjukvård i hemmet" are the agreement's data (``AgreementVersion.mar_required_from`` and friends), so the
warning shows only where the case's agreement says so, and says it in the agreement's words.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from agreements.compliance import mar_vacancy_warning
from agreements.models import AgreementVersion
from cases import presenters
from directory.models import Membership, Role
from tests.fixtures.agreements import Halland
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db

REQUIRED_FROM = datetime.date(2026, 7, 1)


@pytest.fixture
def requires_mar(halland: Halland) -> AgreementVersion:
    AgreementVersion.objects.filter(pk=halland.version.pk).update(
        mar_required_from=REQUIRED_FROM,
        mar_required_citation="prop. 2025/26:19",
        home_care_term="hälso- och sjukvård i hemmet",
        home_care_term_from=REQUIRED_FROM,
    )
    halland.version.refresh_from_db()
    return halland.version


def _vacate_mar(world: World) -> None:
    Membership.objects.filter(organisation=world.orgs["kommun_a"], role=Role.MAR).delete()


def test_a_vacant_mar_is_a_compliance_warning_where_the_agreement_requires_one(
    world: World, requires_mar: AgreementVersion, case_in: Any
) -> None:
    _vacate_mar(world)
    case = case_in("in_review")
    with translation.override("en"):
        [warning] = presenters.compliance_warnings(case)
    assert "A kommun has no MAR" in warning
    assert "2026-07-01" in warning
    assert "hälso- och sjukvård i hemmet" in warning
    assert "prop. 2025/26:19" in warning

    page = signed_in(world.users["mas_a"]).get(reverse("cases:detail", args=[case.public_id]))
    assert page.status_code == 200
    assert "compliance-warning" in page.content.decode()
    assert "prop. 2025/26:19" in page.content.decode()


def test_no_warning_where_the_kommun_has_a_mar(
    world: World, requires_mar: AgreementVersion, case_in: Any
) -> None:
    assert presenters.compliance_warnings(case_in("in_review")) == []


def test_no_warning_where_the_agreement_does_not_require_a_mar(
    world: World, halland: Halland, case_in: Any
) -> None:
    _vacate_mar(world)
    case = case_in("in_review")
    assert presenters.compliance_warnings(case) == []
    page = signed_in(world.users["mas_a"]).get(reverse("cases:detail", args=[case.public_id]))
    assert "compliance-warning" not in page.content.decode()


def test_before_the_date_the_warning_says_what_is_coming(requires_mar: AgreementVersion) -> None:
    with translation.override("en"):
        warning = mar_vacancy_warning(
            version=requires_mar, kommun_name="Hylte kommun", mar_vacant=True, on=datetime.date(2026, 6, 1)
        )
    assert warning is not None
    assert warning.startswith("Hylte kommun has no MAR. From 2026-07-01")
    assert "MAS decides" not in warning
