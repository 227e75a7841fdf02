"""The pages' forms bound every text field like the API does: a value longer than its column is a form
error next to the field (and the browser's ``maxlength`` stops it first), never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from cases import forms as case_forms
from patients import views as patient_views
from sip import views as sip_views
from sip.models import SipVersion
from tests.web.test_sip_editor import editor, page_data

pytestmark = pytest.mark.django_db


def _unbounded(form: forms.Form) -> list[str]:
    return [
        f"{type(form).__name__}.{name}"
        for name, field in form.fields.items()
        if isinstance(field, forms.CharField)
        and not isinstance(field.widget, forms.HiddenInput)
        and field.max_length is None
    ]


def test_every_text_field_of_the_case_patient_and_sip_forms_has_a_maximum(world, case_in):
    case = case_in("in_review")
    tasks = list(case.tasks.all())
    every: list[forms.Form] = [
        case_forms.CaseNewForm(),
        case_forms.ReasonForm(),
        case_forms.OptionalReasonForm(),
        case_forms.CommentForm(),
        case_forms.ReviewForm(tasks=tasks),
        case_forms.PositionsForm(tasks=tasks),
        case_forms.DecideForm(tasks=tasks),
        case_forms.HazardForm(),
        case_forms.AnalysisForm(),
        patient_views.EnrolForm(kommuner=[]),
        patient_views.EndEnrolmentForm(),
        patient_views.EmergencyAccessForm(),
        sip_views.FollowUpForm(),
        sip_views.ConsentWithdrawalForm(),
        sip_views.DistributionForm(),
    ]
    problems = [name for form in every for name in _unbounded(form)]
    assert not problems


def test_the_sip_editor_bounds_its_fields_and_refuses_a_too_long_value_as_a_form_error(
    world, sip_from_case, client
):
    client.force_login(world.users["nurse_a"])
    form = editor(client, sip_from_case).context["form"]
    assert not _unbounded(form)
    assert 'maxlength="200"' in str(form["huvudansvar_contact"])

    before = SipVersion.objects.get(sip=sip_from_case, status="draft").huvudansvar_contact
    data: dict[str, Any] = page_data(form)
    data["huvudansvar_contact"] = "x" * 201
    data["participant_0_name"] = "y" * 201
    response = client.post(f"/sip/{sip_from_case.public_id}/save/", data)
    assert response.status_code == 400  # the editor again, with the errors next to the fields
    errors = response.context["form"].errors
    assert errors["huvudansvar_contact"] == ["Texten får vara högst 200 tecken (den är 201 tecken)."]
    assert "participant_0_name" in errors
    assert SipVersion.objects.get(sip=sip_from_case, status="draft").huvudansvar_contact == before


def test_the_projects_swedish_replaces_djangos_for_a_too_long_text():
    """LOCALE_PATHS come before Django's own catalogue: the project's wording of Django's max-length
    message is the one used."""
    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        text = forms.CharField(max_length=3)

    with translation.override("sv"):
        form = Form({"text": "abcd"})
        assert not form.is_valid()
        assert form.errors["text"] == ["Texten får vara högst 3 tecken (den är 4 tecken)."]
