"""The SIP editor's insats rows (added and removed with htmx or, without JavaScript, by a submit button)
and the withdrawal of consent (fill in, confirm, sharing stops)."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.utils import timezone

from audit.models import AccessLogEntry, Action
from sip import services
from sip.models import ConsentWithdrawal, SipInsats, VersionStatus
from tests.fixtures.sip import fill

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def page_data(form: Any) -> dict[str, Any]:
    """What the browser posts for ``form`` as the page shows it (the editor posts the whole form)."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.CheckboxInput):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    data["insats_row"] = [str(key) for key in form.insats_keys]
    return data


def editor(client, sip) -> Any:
    response = client.get(f"/sip/{sip.public_id}/")
    assert response.status_code == 200
    return response


def test_the_editor_offers_to_add_and_remove_rows(world, sip_from_case, client):
    client.force_login(world.users["nurse_a"])
    page = editor(client, sip_from_case).content.decode()
    assert f'hx-post="/sip/{sip_from_case.public_id}/draft/rows/"' in page
    assert page.count('name="insats_remove"') == 2
    assert 'name="insats_add"' in page


def test_adding_a_row_without_javascript_keeps_what_was_typed_and_saves_nothing(world, sip_from_case, client):
    client.force_login(world.users["nurse_a"])
    data = page_data(editor(client, sip_from_case).context["form"])
    data["what_matters"] = "Att få vara hemma."
    response = client.post(f"/sip/{sip_from_case.public_id}/draft/rows/", {**data, "insats_add": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<html" in page
    assert page.count('name="insats_remove"') == 3
    assert 'name="insats_2_description"' in page
    assert "Att få vara hemma." in page
    assert SipInsats.objects.filter(version__sip=sip_from_case).count() == 2  # nothing saved yet


def test_adding_a_row_with_htmx_answers_the_fieldset_with_focus_on_the_new_row(world, sip_from_case, client):
    client.force_login(world.users["nurse_a"])
    data = page_data(editor(client, sip_from_case).context["form"])
    response = client.post(f"/sip/{sip_from_case.public_id}/draft/rows/", {**data, "insats_add": "1"}, **HTMX)
    page = response.content.decode()
    assert "<html" not in page
    assert page.startswith("<legend>")
    assert 'name="insats_2_description"' in page
    assert page.index("data-focus-on-load") > page.index('id="insats-row-2"')


def test_removing_a_row_with_htmx_says_so(world, sip_from_case, client):
    client.force_login(world.users["nurse_a"])
    data = page_data(editor(client, sip_from_case).context["form"])
    response = client.post(
        f"/sip/{sip_from_case.public_id}/draft/rows/", {**data, "insats_remove": "0"}, **HTMX
    )
    page = response.content.decode()
    assert 'id="insats-row-0"' not in page
    assert 'id="insats-row-1"' in page
    assert 'role="status"' in page


def test_saving_keeps_the_rows_shown_and_what_the_page_does_not_show(world, sip_from_case, client):
    client.force_login(world.users["nurse_a"])
    form = editor(client, sip_from_case).context["form"]
    wound_before = form.insatser[1]
    data = page_data(form)
    # Row 0 (PD) removed, row 1 (wound care) kept, a new row 2 and an empty new row 3.
    data["insats_row"] = ["1", "2", "3"]
    data.update(
        {
            "insats_2_description": "Blodtryckskontroll varje månad",
            "insats_2_responsible": str(world.orgs["kommun_a"].public_id),
            "insats_3_description": "",
        }
    )
    response = client.post(f"/sip/{sip_from_case.public_id}/save/", data)
    assert response.status_code == 302
    rows = list(SipInsats.objects.filter(version__sip=sip_from_case).order_by("position"))
    assert [r.description for r in rows] == [wound_before.description, "Blodtryckskontroll varje månad"]
    assert rows[0].task_type_id == wound_before.task_type_id
    assert rows[0].orders_id == wound_before.orders_id
    assert rows[1].task_type_id is None
    assert rows[1].responsible == world.orgs["kommun_a"]


def test_a_page_from_before_rows_still_saves_by_position(world, sip_from_case, client):
    client.force_login(world.users["nurse_a"])
    data = page_data(editor(client, sip_from_case).context["form"])
    del data["insats_row"]
    for key in list(data):
        if key.endswith("_origin"):
            del data[key]
    data["insats_0_description"] = "PD, påsbyte fyra gånger om dagen"
    assert client.post(f"/sip/{sip_from_case.public_id}/save/", data).status_code == 302
    rows = list(SipInsats.objects.filter(version__sip=sip_from_case).order_by("position"))
    assert len(rows) == 2
    assert rows[0].description == "PD, påsbyte fyra gånger om dagen"
    assert rows[0].task_type is not None


def test_rows_are_for_those_who_may_edit_the_draft(world, sip_from_case, client):
    client.force_login(world.users["coordinator_a"])  # sees the patient, does not edit plans
    page = editor(client, sip_from_case).content.decode()
    assert 'name="insats_add"' not in page
    assert client.post(f"/sip/{sip_from_case.public_id}/draft/rows/", {"insats_add": "1"}).status_code == 403
    client.force_login(world.users["nurse_b"])
    assert client.post(f"/sip/{sip_from_case.public_id}/draft/rows/", {"insats_add": "1"}).status_code == 404


def test_rows_of_a_finalised_plan_cannot_change(world, sip_from_case, nurse, client):
    fill(sip_from_case, nurse, world)
    services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    client.force_login(world.users["nurse_a"])
    assert client.post(f"/sip/{sip_from_case.public_id}/draft/rows/", {"insats_add": "1"}).status_code == 403


# --- Consent withdrawn ---------------------------------------------------------------------------------


@pytest.fixture
def finalised(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    sip_from_case.refresh_from_db()
    return sip_from_case


def withdraw_url(sip) -> str:
    return f"/sip/{sip.public_id}/consent/withdraw/"


def withdrawal_data(sip, **extra) -> dict[str, Any]:
    return {
        "revision": str(sip.revision),
        "withdrawn_by": "person",
        "withdrawn_by_name": "Karin Svensson",
        "withdrawn_on": timezone.localdate().isoformat(),
        "reason": "Vill inte att planen delas.",
        **extra,
    }


def test_withdrawal_is_offered_only_to_those_who_may_record_it(world, finalised, client):
    client.force_login(world.users["nurse_a"])
    assert withdraw_url(finalised) in editor(client, finalised).content.decode()
    client.force_login(world.users["coordinator_a"])
    assert withdraw_url(finalised) not in editor(client, finalised).content.decode()
    assert client.get(withdraw_url(finalised)).status_code == 403
    assert client.post(withdraw_url(finalised), withdrawal_data(finalised, confirm="1")).status_code == 403
    client.force_login(world.users["nurse_b"])
    assert client.get(withdraw_url(finalised)).status_code == 404
    assert not ConsentWithdrawal.objects.exists()


def test_withdrawal_needs_who_and_when_in_swedish(world, finalised, client):
    client.force_login(world.users["nurse_a"])
    response = client.post(withdraw_url(finalised), {"revision": str(finalised.revision)})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Ange namnet på den som återkallade samtycket." in page
    assert 'id="id_withdrawn_by_name-error"' in page
    future = (timezone.localdate() + timezone.timedelta(days=2)).isoformat()
    response = client.post(
        withdraw_url(finalised), withdrawal_data(finalised, withdrawn_on=future, confirm="1")
    )
    assert response.status_code == 400
    assert "Datumet kan inte vara i framtiden." in response.content.decode()
    assert not ConsentWithdrawal.objects.exists()


def test_withdrawal_is_confirmed_before_it_is_recorded_and_then_sharing_stops(world, finalised, client):
    client.force_login(world.users["gp_a"])
    assert "Peritonealdialys" in editor(client, finalised).content.decode()  # shared with the vårdcentral

    client.force_login(world.users["nurse_a"])
    page = client.get(withdraw_url(finalised)).content.decode()
    assert "Vårdcentralen A" in page  # who will no longer see it
    review = client.post(withdraw_url(finalised), withdrawal_data(finalised))
    assert review.status_code == 200
    assert 'id="confirm-heading"' in review.content.decode()
    assert not ConsentWithdrawal.objects.exists()

    done = client.post(withdraw_url(finalised), withdrawal_data(finalised, confirm="1"))
    assert done.status_code == 302
    withdrawal = ConsentWithdrawal.objects.get()
    assert withdrawal.version.status == VersionStatus.FINALISED
    assert (withdrawal.withdrawn_by_name, withdrawal.recorded_by) == (
        "Karin Svensson",
        world.users["nurse_a"],
    )
    assert AccessLogEntry.objects.filter(
        user=world.users["nurse_a"], record_type="sip", action=Action.UPDATE
    ).exists()
    own = editor(client, finalised).content.decode()
    assert 'id="consent-withdrawn"' in own
    assert withdraw_url(finalised) not in own  # nothing left to withdraw

    client.force_login(world.users["gp_a"])
    other = editor(client, finalised).content.decode()
    assert "Peritonealdialys" not in other
    assert "samtycke" in other.lower()


def test_a_stale_revision_records_nothing(world, finalised, client):
    client.force_login(world.users["nurse_a"])
    response = client.post(
        withdraw_url(finalised), withdrawal_data(finalised, revision=str(finalised.revision - 1), confirm="1")
    )
    assert response.status_code == 302
    assert not ConsentWithdrawal.objects.exists()


def test_withdrawing_twice_is_refused_with_a_message(world, finalised, client):
    client.force_login(world.users["nurse_a"])
    client.post(withdraw_url(finalised), withdrawal_data(finalised, confirm="1"))
    finalised.refresh_from_db()
    response = client.get(withdraw_url(finalised))
    assert response.status_code == 302
    assert ConsentWithdrawal.objects.count() == 1


def test_a_refused_finalisation_says_each_missing_piece_at_its_field_and_keeps_what_was_typed(
    world, sip_from_case, client
):
    client.force_login(world.users["nurse_a"])
    data = page_data(editor(client, sip_from_case).context["form"])
    data["what_matters"] = "Att få vara hemma med katten."
    data["fast_vardkontakt_name"] = ""
    response = client.post(f"/sip/{sip_from_case.public_id}/finalise/", data)
    assert response.status_code == 400
    page = response.content.decode()
    sip_from_case.refresh_from_db()
    assert sip_from_case.status != "finalised"
    # The law's list at the top, each item a link to where it is filled in ...
    summary = page.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#id_fast_vardkontakt_name"' in summary
    # ... and the same message at the field itself.
    assert 'id="id_fast_vardkontakt_name-error"' in page
    assert page.count('class="error-summary"') == 1
    # What was typed is kept, and the page carries the saved draft's revision: saving again works.
    assert "Att få vara hemma med katten." in page
    again = page_data(response.context["form"])
    assert again["revision"] == str(sip_from_case.revision)
    saved = client.post(f"/sip/{sip_from_case.public_id}/save/", again)
    assert saved.status_code == 302


def test_a_draft_saved_by_someone_else_meanwhile_keeps_what_was_typed(world, sip_from_case, client):
    client.force_login(world.users["nurse_a"])
    data = page_data(editor(client, sip_from_case).context["form"])
    # A colleague saves the plan first.
    services.sip_update_draft(
        actor=_actor(world, "nurse_a"),
        sip=sip_from_case,
        expected_revision=None,
        changes=services.DraftChanges(fields={"own_goals": "Kunna gå till affären."}),
    )
    data["what_matters"] = "Att få vara hemma med katten."
    response = client.post(f"/sip/{sip_from_case.public_id}/save/", data)
    assert response.status_code == 409
    page = response.content.decode()
    assert "Någon annan sparade planen" in page
    assert "Att få vara hemma med katten." in page  # nothing typed is lost
    sip_from_case.refresh_from_db()
    assert response.context["form"]["revision"].value() == str(sip_from_case.revision)
    # Saving again is her choice, and it is taken.
    again = page_data(response.context["form"])
    assert client.post(f"/sip/{sip_from_case.public_id}/save/", again).status_code == 302
    assert services_version(sip_from_case).what_matters == "Att få vara hemma med katten."


def _actor(world, user):
    from tests.fixtures.world import as_actor

    return as_actor(world, user)


def services_version(sip):
    from sip.selectors import current_version

    return current_version(sip)
