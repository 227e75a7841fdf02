"""The SIP says who, what and when (HSL 16 kap. 4 §, SoL): each insats's start and frequency and who
reports its results to whom, huvudansvar with a named contact, the person's fast vårdkontakt and fast
läkarkontakt, each participant's attendance and phone, and the record of who received the plan. Each rule
is checked where a nurse meets it: the service's Swedish message, and nothing she typed lost."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from audit.models import AccessLogEntry, Action
from hemsjukvard.errors import StateConflictError
from sip import services
from sip.models import SipDistribution, SipEvent, SipEventKind, SipVersion, VersionStatus
from tests.fixtures.sip import fill

pytestmark = pytest.mark.django_db


def _when(description: str, responsible: Any, **extra: Any) -> services.InsatsInput:
    return services.InsatsInput(
        description=description,
        responsible=responsible,
        starts_on=timezone.localdate(),
        frequency="dagligen kl 08 och 20",
        **extra,
    )


def _finalise_problems(sip: Any, nurse: Any) -> dict[str, list[str]]:
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        services.sip_finalise(actor=nurse, sip=sip, expected_revision=None)
    return caught.value.message_dict


# --- When ------------------------------------------------------------------------------------------


def test_each_insats_says_when_it_starts_and_how_often(world, sip_from_case, nurse):
    kommun = world.orgs["kommun_a"]
    without = services.InsatsInput(description="Blodtryckskontroll", responsible=kommun)
    fill(sip_from_case, nurse, world, insatser=[_when("Såromläggning", kommun), without])
    problems = _finalise_problems(sip_from_case, nurse)
    assert list(problems) == ["when"]
    assert "när varje insats börjar" in problems["when"][0]
    assert "Blodtryckskontroll" in problems["when"][0]
    assert "Såromläggning" not in problems["when"][0]

    fill(sip_from_case, nurse, world, insatser=[_when("Såromläggning", kommun), _when("Blodtryck", kommun)])
    version = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    stored = list(version.insatser.values_list("starts_on", "frequency"))
    assert stored == [(timezone.localdate(), "dagligen kl 08 och 20")] * 2


def test_results_reporting_names_both_who_reports_and_to_whom(world, sip_from_case, nurse):
    kommun = world.orgs["kommun_a"]
    half = _when("Blodtryckskontroll", kommun, reported_by="Kommunens sjuksköterska")
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        fill(sip_from_case, nurse, world, insatser=[half])
    assert "vem som rapporterar resultaten och till vem" in caught.value.message_dict["insatser"][0]
    whole = _when(
        "Blodtryckskontroll",
        kommun,
        reported_by="Kommunens sjuksköterska",
        reported_to="Beställande specialist, njurmedicin",
    )
    version = fill(sip_from_case, nurse, world, insatser=[whole])
    assert version.insatser.get().reported_to == "Beställande specialist, njurmedicin"


def test_huvudansvar_has_a_named_contact_person(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world, huvudansvar_contact="")
    problems = _finalise_problems(sip_from_case, nurse)
    assert list(problems) == ["huvudansvar_contact"]
    assert "kontaktperson" in problems["huvudansvar_contact"][0]


def test_fast_vardkontakt_and_fast_lakarkontakt_are_named_before_finalising(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world, fast_vardkontakt_name="", fast_lakarkontakt_name="")
    problems = _finalise_problems(sip_from_case, nurse)
    assert set(problems) == {"fast_vardkontakt_name", "fast_lakarkontakt_name"}
    assert "fasta vårdkontakt" in problems["fast_vardkontakt_name"][0]
    assert "fasta läkarkontakt" in problems["fast_lakarkontakt_name"][0]


def test_each_participants_attendance_is_recorded_before_finalising(world, sip_from_case, nurse):
    people = [
        services.ParticipantInput(name="Karin Svensson", kind="person", attendance="yes"),
        services.ParticipantInput(name="Anna Svensson", kind="next_of_kin", role="Dotter"),
    ]
    fill(sip_from_case, nurse, world, participants=people)
    problems = _finalise_problems(sip_from_case, nurse)
    assert list(problems) == ["participants"]
    assert "deltog" in problems["participants"][0]


def test_a_sol_insats_is_answered_for_by_the_kommun(world, sip_from_case, nurse):
    home_help = _when("Hemtjänst: inköp varje måndag", world.orgs["vc_a"], basis="sol")
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        fill(sip_from_case, nurse, world, insatser=[home_help])
    assert "socialtjänst" in caught.value.message_dict["insatser"][0]


# --- Phone numbers and e-mail ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone", ["0340-123 45", "070-123 45 67", "08-12 34 56", "+46 70 123 45 67", "+46 (0)70-123 45 67"]
)
def test_phone_numbers_are_swedish_formats(world, sip_from_case, nurse, phone):
    people = [services.ParticipantInput(name="Anna", kind="next_of_kin", phone=phone, attendance="yes")]
    version = fill(sip_from_case, nurse, world, participants=people, fast_vardkontakt_phone=phone)
    assert version.participants.get().phone == phone
    assert version.fast_vardkontakt_phone == phone


@pytest.mark.parametrize(
    ("field", "phone"),
    [
        ("participants", "ring Anna"),
        ("participants", "12345"),
        ("fast_vardkontakt_phone", "0340-1"),
        ("fast_lakarkontakt_phone", "+46 070"),
        ("huvudansvar_phone", "kvällstid"),
    ],
)
def test_a_phone_number_that_cannot_be_dialled_is_refused_in_swedish(
    world, sip_from_case, nurse, field, phone
):
    before = SipVersion.objects.get(sip=sip_from_case).fast_vardkontakt_phone
    overrides: dict[str, Any] = (
        {"participants": [services.ParticipantInput(name="Anna", kind="next_of_kin", phone=phone)]}
        if field == "participants"
        else {field: phone}
    )
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        fill(sip_from_case, nurse, world, **overrides)
    assert "inte ett telefonnummer" in caught.value.message_dict[field][0]
    assert SipVersion.objects.get(sip=sip_from_case).fast_vardkontakt_phone == before  # nothing half-written


def test_an_email_address_is_checked(world, sip_from_case, nurse):
    people = [services.ParticipantInput(name="Anna", kind="next_of_kin", email="anna.example.se")]
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        fill(sip_from_case, nurse, world, participants=people)
    assert "inte en e-postadress" in caught.value.message_dict["participants"][0]


def test_nothing_typed_is_lost_when_the_api_refuses_a_draft(world, api, sip_from_case):
    """A refused save writes nothing (the draft is as it was) and names the field in Swedish; what the
    client sent is still its own to correct and send again."""
    client = api(world.users["nurse_a"])
    url = f"/api/v1/sips/{sip_from_case.public_id}"
    read = client.get(url)
    body = {
        "what_matters": "Att få vara hemma.",
        "fast_vardkontakt_name": "Eva Ek",
        "fast_vardkontakt_phone": "ring Eva",
    }
    response = client.patch(url + "/draft", body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 400, response.content
    assert "inte ett telefonnummer" in str(response.json()["error"]["fields"]["fast_vardkontakt_phone"])
    draft = SipVersion.objects.get(sip=sip_from_case)
    assert (draft.what_matters, draft.fast_vardkontakt_name) == ("", "")
    body["fast_vardkontakt_phone"] = "0340-123 45"
    again = client.patch(url + "/draft", body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert again.status_code == 200, again.content
    assert again.json()["current_version"]["fast_vardkontakt_phone"] == "0340-123 45"


def test_nothing_typed_is_lost_when_the_page_refuses_a_draft(world, client, sip_from_case):
    client.force_login(world.users["nurse_a"])
    page = client.get(f"/sip/{sip_from_case.public_id}/")
    assert page.status_code == 200
    form = page.context["form"]
    data = dict.fromkeys(form.fields, "")
    data.update({k: v for k, v in form.initial.items() if v is not None})
    data.update(
        {
            "revision": sip_from_case.revision,
            "what_matters": "Att få vara hemma med katten.",
            "participant_1_name": "Anna Svensson",
            "participant_1_kind": "next_of_kin",
            "participant_1_phone": "ring Anna",
            "participant_1_email": "anna@example.se",
            "participant_1_attendance": "remote",
            "insats_0_frequency": "var 3:e dag",
        }
    )
    data = {k: (v.isoformat() if isinstance(v, datetime.date) else str(v)) for k, v in data.items()}
    response = client.post(f"/sip/{sip_from_case.public_id}/save/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "inte ett telefonnummer" in html
    for typed in ("Att få vara hemma med katten.", "ring Anna", "anna@example.se", "var 3:e dag"):
        assert typed in html
    assert SipVersion.objects.get(sip=sip_from_case).what_matters == ""


# --- Who received the plan ---------------------------------------------------------------------------


def test_who_received_the_plan_is_recorded_not_sent(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    with pytest.raises(StateConflictError):
        services.sip_record_distribution(
            actor=nurse,
            sip=sip_from_case,
            expected_revision=None,
            recipient_kind="person",
            recipient_name="Karin Svensson",
            method="by_hand",
            given_on=timezone.localdate(),
        )
    version = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        services.sip_record_distribution(
            actor=nurse,
            sip=sip_from_case,
            expected_revision=None,
            recipient_kind="person",
            recipient_name="",
            method="pigeon",
            given_on=tomorrow,
        )
    assert set(caught.value.message_dict) == {"recipient_name", "method", "given_on"}
    row = services.sip_record_distribution(
        actor=nurse,
        sip=sip_from_case,
        expected_revision=None,
        recipient_kind="participant",
        recipient_name="Anna Svensson",
        method="1177",
        given_on=timezone.localdate(),
    )
    assert (row.version, row.given_by) == (version, world.users["nurse_a"])
    assert row.organisation == world.orgs["kommun_a"]
    assert SipEvent.objects.filter(sip=sip_from_case, kind=SipEventKind.DISTRIBUTED).count() == 1
    assert AccessLogEntry.objects.filter(
        record_id=str(sip_from_case.public_id), action=Action.UPDATE, user=world.users["nurse_a"]
    ).exists()
    assert version.status == VersionStatus.FINALISED
    assert SipDistribution.objects.filter(sip=sip_from_case).count() == 1


def test_who_received_the_plan_is_recorded_through_the_api(world, api, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    client = api(world.users["nurse_a"])
    url = f"/api/v1/sips/{sip_from_case.public_id}"
    read = client.get(url)
    body = {"recipient_kind": "person", "recipient_name": "Karin", "method": "post", "given_on": "2020-01-02"}
    response = client.post(url + "/distributions", body, format="json", HTTP_IF_MATCH=read["ETag"])
    assert response.status_code == 201, response.content
    assert response.json()["method"] == "post"
    listed = client.get(url).json()["distributions"]
    assert [(d["recipient_name"], d["given_on"]) for d in listed] == [("Karin", "2020-01-02")]


def test_the_page_has_a_row_for_as_many_participants_as_needed(world, client, sip_from_case, nurse):
    from tests.web.test_sip_editor import editor, page_data

    people = [
        services.ParticipantInput(name=f"Deltagare {n}", kind="other", role="Granne", attendance="yes")
        for n in range(6)
    ]
    fill(
        sip_from_case,
        nurse,
        world,
        participants=[services.ParticipantInput(name="Karin", kind="person"), *people],
    )
    client.force_login(world.users["nurse_a"])
    form = editor(client, sip_from_case).context["form"]
    assert form.participant_rows == 9  # the seven on the plan and two empty ones
    data = page_data(form)
    data.update(
        {
            "participant_7_name": "Nils Nilsson",
            "participant_7_kind": "next_of_kin",
            "participant_7_attendance": "no",
        }
    )
    assert client.post(f"/sip/{sip_from_case.public_id}/save/", data).status_code == 302
    stored = SipVersion.objects.get(sip=sip_from_case).participants.order_by("position")
    assert [p.name for p in stored][-2:] == ["Deltagare 5", "Nils Nilsson"]
    assert stored.last().attendance == "no"


def test_the_page_records_who_received_the_plan(world, client, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    client.force_login(world.users["nurse_a"])
    page = client.get(f"/sip/{sip_from_case.public_id}/").content.decode()
    assert "Anteckna vem som fick planen" in page
    sip_from_case.refresh_from_db()
    data = {
        "dist-revision": sip_from_case.revision,
        "dist-recipient_kind": "representative",
        "dist-recipient_name": "Gun God",
        "dist-method": "email",
        "dist-given_on": timezone.localdate().isoformat(),
    }
    response = client.post(f"/sip/{sip_from_case.public_id}/record_distribution/", data, follow=True)
    assert response.status_code == 200
    assert "Gun God" in response.content.decode()
    assert SipDistribution.objects.get(sip=sip_from_case).method == "email"
