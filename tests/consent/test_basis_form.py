"""The form that records the legal basis for sharing on the sharing page: each kind of basis (consent,
menprövning, another legal ground) has its own fields under a legend that says when to fill them, only
the chosen kind's fields are checked and recorded, and on an error everything typed is shown again."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from cases.models import CaseStatus
from consent.models import SharingBasis
from tests.fixtures.clients import signed_in
from tests.fixtures.world import World

pytestmark = pytest.mark.django_db


def _fieldset(html: str, kind: str) -> str:
    found = re.search(rf'<fieldset[^>]*data-basis-group="{kind}"[^>]*>(.*?)</fieldset>', html, re.S)
    assert found is not None, kind
    return found.group(1)


def _ids(html: str) -> set[str]:
    """The ids of the form's inputs in ``html`` (not of their hints and errors)."""
    return {i for i in re.findall(r'id="(id_basis-[a-z_]+)"', html) if not i.endswith("_helptext")}


def _sharing_page(client: Any, case: Any) -> str:
    with translation.override("sv"):
        answer = client.get(reverse("consent:sharing", args=[case.public_id]), HTTP_ACCEPT_LANGUAGE="sv")
    assert answer.status_code == 200
    return answer.content.decode()


def _record(client: Any, case: Any, data: dict[str, str]) -> Any:
    with translation.override("sv"):
        return client.post(
            reverse("consent:basis", args=[case.public_id]),
            {f"basis-{name}": value for name, value in data.items()},
            HTTP_ACCEPT_LANGUAGE="sv",
        )


def test_each_kind_of_basis_has_its_own_fieldset_saying_when_to_fill_it(world: World, case_in: Any) -> None:
    case = case_in(CaseStatus.IN_REVIEW)
    html = _sharing_page(signed_in(world.users["nurse_a"]), case)

    # The kinds are one radio group with a legend, the consent chosen to start with.
    assert re.search(r"<fieldset><legend>Rättslig grund för delning</legend>", html)
    assert re.search(r'<input type="radio" name="basis-kind" value="consent"[^>]*checked', html)
    consent = _fieldset(html, "consent")
    assert "<legend>Samtycke</legend>" in consent
    assert "Fyll i bara om den rättsliga grunden är samtycke." in consent
    assert {"id_basis-scope", "id_basis-given_by", "id_basis-given_on", "id_basis-valid_until"} <= _ids(
        consent
    )
    assert "id_basis-reasoning" not in consent
    menprovning = _fieldset(html, "menprovning")
    assert "<legend>Menprövning</legend>" in menprovning
    assert _ids(menprovning) == {
        "id_basis-assessed_by_name",
        "id_basis-assessed_on",
        "id_basis-reasoning",
    }
    other = _fieldset(html, "other_ground")
    assert "<legend>Annan rättslig grund</legend>" in other
    assert _ids(other) == {"id_basis-ground", "id_basis-ground_text"}
    # Shown or hidden by a script of its own, from the site (the CSP allows no inline script).
    assert re.search(r'<script src="/static/js/sharing\.js" defer></script>', html)
    assert "<script>" not in html


def test_only_the_chosen_kind_s_fields_are_checked_and_recorded(world: World, case_in: Any) -> None:
    case = case_in(CaseStatus.IN_REVIEW)
    nurse = signed_in(world.users["nurse_a"])
    today = str(timezone.localdate())
    before = set(SharingBasis.objects.filter(case=case).values_list("pk", flat=True))
    # Consent was begun (with a date the form cannot read), then a menprövning chosen instead.
    answer = _record(
        nurse,
        case,
        {
            "kind": "menprovning",
            "scope": "Påbörjat samtycke",
            "given_on": "igår",
            "ground_text": "x" * 5000,
            "assessed_by_name": "Maria MAS",
            "assessed_on": today,
            "reasoning": "Personen kan inte samtycka; delningen skadar inte.",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    basis = SharingBasis.objects.filter(case=case).exclude(pk__in=before).get()
    assert (basis.kind, basis.assessed_by_name) == ("menprovning", "Maria MAS")
    assert (basis.scope, basis.given_on, basis.ground_text) == ("", None, "")


def test_an_error_is_said_at_the_chosen_kind_s_fields_and_nothing_typed_is_lost(
    world: World, case_in: Any
) -> None:
    case = case_in(CaseStatus.IN_REVIEW)
    nurse = signed_in(world.users["nurse_a"])
    before = SharingBasis.objects.filter(case=case).count()
    answer = _record(
        nurse,
        case,
        {
            "kind": "consent",
            "scope": "Delas med vårdcentralen.",
            "given_by": "person",
            "given_on": "inte ett datum",
            "reasoning": "Skrivet under menprövning först.",
            "ground_text": "Och under annan grund.",
        },
    )
    assert answer.status_code == 400
    html = answer.content.decode()
    consent = _fieldset(html, "consent")
    assert 'id="id_basis-given_on-error"' in consent  # not a date
    assert "Delas med vårdcentralen." in consent
    assert 'value="inte ett datum"' in consent
    assert re.search(r'<option value="person" selected>', consent)
    # The other kinds' fields: not checked, and what was typed there is still there.
    for kind, typed in (
        ("menprovning", "Skrivet under menprövning först."),
        ("other_ground", "Och under annan grund."),
    ):
        group = _fieldset(html, kind)
        assert typed in group
        assert 'class="error"' not in group
    assert re.search(r'<input type="radio" name="basis-kind" value="consent"[^>]*checked', html)
    assert SharingBasis.objects.filter(case=case).count() == before

    # A date it can read: the fields a consent needs are asked for, beside them.
    answer = _record(nurse, case, {"kind": "consent", "scope": "Delas.", "given_by": "person"})
    assert answer.status_code == 400
    consent = _fieldset(answer.content.decode(), "consent")
    assert 'id="id_basis-form-error"' in consent
    assert 'id="id_basis-given_on-error"' in consent
    assert 'class="error"' not in _fieldset(answer.content.decode(), "menprovning")
