"""The SIP services: creation from an agreed case, the finalise checks, immutability, versions,
follow-ups, consent withdrawal and access across organisations."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.http import Http404
from django.utils import timezone, translation

from audit.models import AccessLogEntry
from cases.models import CaseStatus
from hemsjukvard.errors import StateConflictError
from patients.selectors import patient_get
from sip import selectors, services
from sip.models import SipEvent, SipFollowUp, SipInsats, SipStatus, SipVersion, VersionStatus
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.sip import fill
from tests.fixtures.world import as_actor

pytestmark = pytest.mark.django_db


def test_creating_from_an_agreed_case_prefills_the_split_and_leaves_the_case_agreed(
    world, agreed_case, sip_from_case
):
    o = world.orgs
    agreed_case.refresh_from_db()
    # Starting the plan is not the care starting: the case becomes active when the plan is finalised.
    assert agreed_case.status == CaseStatus.AGREED
    version = selectors.current_version(sip_from_case)
    assert version.number == 1
    assert version.status == VersionStatus.DRAFT
    rows = {
        i.task_type.code: i for i in SipInsats.objects.filter(version=version).select_related("task_type")
    }
    assert set(rows) == {PD, WOUND}
    # PD: njurmedicin prescribes and follows up, the kommun performs (and so answers for it).
    assert rows[PD].responsible == o["kommun_a"]
    assert rows[PD].orders == o["clinic"]
    assert rows[PD].follows_up == o["clinic"]
    assert rows[WOUND].orders == o["vc_a"]
    assert rows[PD].description == "Peritonealdialys (PD)"
    assert SipEvent.objects.filter(sip=sip_from_case, kind="created").exists()
    assert AccessLogEntry.objects.filter(record_type="sip", action="create").exists()


def test_a_case_that_is_not_agreed_gives_no_sip(world, case_in, nurse):
    case = case_in(CaseStatus.IN_REVIEW)
    with pytest.raises(StateConflictError):
        services.sip_create_from_case(actor=nurse, case=case)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW


def test_a_gp_cannot_start_the_sip_from_the_case_and_the_case_stays_agreed(world, agreed_case):
    with pytest.raises(PermissionDenied):
        services.sip_create_from_case(actor=as_actor(world, "gp_a"), case=agreed_case)
    agreed_case.refresh_from_db()
    assert agreed_case.status == CaseStatus.AGREED


def test_a_complete_plan_is_finalised_and_its_case_becomes_active(world, agreed_case, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    version = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    assert version.status == VersionStatus.FINALISED
    sip_from_case.refresh_from_db()
    assert sip_from_case.status == SipStatus.FINALISED
    agreed_case.refresh_from_db()
    assert agreed_case.status == CaseStatus.ACTIVE
    event = agreed_case.events.filter(action="activate").get()
    assert event.reason == "SIP:en fastställdes." or event.reason == "The SIP was finalised."


MISSING = {
    "insatser": ({"insatser": []}, "insatser the person needs"),
    "responsible": (
        {
            "insatser": [
                services.InsatsInput(
                    description="Hjälp med ögondroppar", starts_on=datetime.date.today(), frequency="kl 08"
                )
            ]
        },
        "Hjälp med ögondroppar",
    ),
    "other_measures": ({"other_measures": [], "no_other_measures": False}, "next of kin"),
    "huvudansvar": ({"huvudansvar": None}, "huvudansvar"),
    "consent": ({"consent_given_by": "", "consent_given_by_name": ""}, "consent"),
    "follow_up_on": ({"follow_up_on": None}, "followed up"),
}


@pytest.mark.parametrize("missing", list(MISSING))
def test_cannot_finalise_without_each_required_piece(world, sip_from_case, nurse, missing):
    overrides, words = MISSING[missing]
    fill(sip_from_case, nurse, world, **overrides)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    problems = caught.value.message_dict
    assert list(problems) == [missing], problems
    assert words in problems[missing][0]
    assert SipVersion.objects.get(sip=sip_from_case).status == VersionStatus.DRAFT


def test_no_other_measures_can_be_stated_explicitly(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world, other_measures=[], no_other_measures=True)
    services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)


def test_expired_consent_and_past_follow_up_date_block_finalising(world, sip_from_case, nurse):
    past = timezone.localdate() - datetime.timedelta(days=2)
    fill(sip_from_case, nurse, world, consent_given_on=past, consent_valid_to=past, follow_up_on=past)
    with pytest.raises(ValidationError) as caught:
        services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    assert set(caught.value.message_dict) == {"consent", "follow_up_on"}


def test_a_sip_with_pd_cannot_be_finalised_without_a_24_7_contact_path(world, sip_from_case, nurse):
    """The agreement's rule for PD asks for a contact path around the clock: a plan that names only a
    daytime number (the family told nobody answers at night) is not finalised, and says what is missing."""
    daytime_only = [
        services.ContactPathInput(period="day", who="Hemsjukvården A kommun", phone="0340-111 11")
    ]
    fill(sip_from_case, nurse, world, contact_paths=daytime_only)
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    assert set(caught.value.message_dict) == {"contact_paths"}
    message = caught.value.message_dict["contact_paths"][0]
    assert "Peritonealdialys (PD)" in message
    assert "peritoneal" not in message  # the task by its name, never its code
    assert "kväll och natt" in message
    assert "helger och helgdagar" in message
    assert "Enkel sårvård" not in message  # wound care asks for no such path
    assert SipVersion.objects.get(sip=sip_from_case).status == VersionStatus.DRAFT

    # The evening, night and weekend numbers added, the plan is finalised.
    fill(sip_from_case, nurse, world)
    services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)


def test_a_consent_dated_in_the_future_blocks_finalising(world, sip_from_case, nurse):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    fill(sip_from_case, nurse, world, consent_given_on=tomorrow)
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    assert set(caught.value.message_dict) == {"consent"}
    assert "framtiden" in caught.value.message_dict["consent"][0]


def test_a_new_plan_starts_with_the_person_among_the_participants(world, sip_from_case):
    version = sip_from_case.versions.get()
    patient = sip_from_case.patient
    assert [(p.kind, p.name) for p in version.participants.all()] == [
        ("person", f"{patient.given_name} {patient.family_name}")
    ]


def test_a_plan_made_without_the_person_or_a_representative_cannot_be_finalised(world, sip_from_case, nurse):
    staff_only = [
        services.ParticipantInput(
            name="Eva Ek", kind="kommun", organisation=world.orgs["kommun_a"], attendance="yes"
        ),
        services.ParticipantInput(
            name="Bo Berg", kind="region", organisation=world.orgs["vc_a"], attendance="no"
        ),
    ]
    fill(sip_from_case, nurse, world, participants=staff_only)
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    assert set(caught.value.message_dict) == {"participants"}
    assert "tillsammans med personen" in caught.value.message_dict["participants"][0]
    # A god man who speaks for the person will do.
    guardian = services.ParticipantInput(name="Gun God", kind="other", role="God man", attendance="remote")
    fill(sip_from_case, nurse, world, participants=[*staff_only, guardian])
    assert services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None).status == "finalised"


@pytest.mark.parametrize("phone", ["ring Anna", "070", "kvällstid", "0340-12 34 5x"])
def test_a_contact_path_needs_a_number_that_can_be_dialled(world, sip_from_case, nurse, phone):
    paths = [services.ContactPathInput(period="day", who="Hemsjukvården A", phone=phone)]
    with translation.override("sv"), pytest.raises(ValidationError) as caught:
        fill(sip_from_case, nurse, world, contact_paths=paths)
    assert "inte ett telefonnummer" in caught.value.message_dict["contact_paths"][0]


@pytest.mark.parametrize("phone", ["0340-123 45", "+46 70 123 45 67", "(031) 390 06 01", "08/123 456"])
def test_phone_numbers_as_people_write_them_are_kept(world, sip_from_case, nurse, phone):
    paths = [services.ContactPathInput(period="day", who="Hemsjukvården A", phone=phone)]
    version = fill(sip_from_case, nurse, world, contact_paths=paths)
    assert [p.phone for p in version.contact_paths.all()] == [phone]


def test_a_finalised_version_is_immutable_in_the_services(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    with pytest.raises(StateConflictError):
        fill(sip_from_case, nurse, world, what_matters="Något annat")
    with pytest.raises(StateConflictError):
        services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)


def test_a_finalised_version_is_immutable_in_the_database(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    version = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    attempts = [
        lambda: SipVersion.objects.filter(pk=version.pk).update(what_matters="ändrat"),
        lambda: SipVersion.objects.filter(pk=version.pk).delete(),
        lambda: SipInsats.objects.filter(version=version).update(description="ändrat"),
        lambda: SipInsats.objects.filter(version=version).delete(),
        lambda: SipInsats.objects.create(version=version, position=9, description="smugglad"),
    ]
    for attempt in attempts:
        with pytest.raises(DatabaseError), transaction.atomic():
            attempt()
    version.refresh_from_db()
    assert version.what_matters == "Att få bo kvar hemma med katten Måns."
    assert SipInsats.objects.filter(version=version).count() == 2


def test_new_version_copies_the_finalised_one_and_leaves_it_unchanged(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    first = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    second = services.sip_new_version(actor=nurse, sip=sip_from_case, expected_revision=None)
    assert (second.number, second.status, second.based_on_id) == (2, VersionStatus.DRAFT, first.pk)
    assert second.insatser.count() == 2
    assert second.contact_paths.count() == 3
    assert second.consent_given_by_name == "Karin Svensson"
    fill(sip_from_case, nurse, world, what_matters="Att kunna gå i trädgården.")
    first.refresh_from_db()
    assert first.what_matters == "Att få bo kvar hemma med katten Måns."
    sip_from_case.refresh_from_db()
    assert sip_from_case.status == SipStatus.DRAFT
    with pytest.raises(StateConflictError):
        services.sip_new_version(actor=nurse, sip=sip_from_case, expected_revision=None)


def test_follow_up_is_recorded_against_the_version_it_followed_up(world, agreed_case, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    first = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    follow_up = services.sip_record_follow_up(
        actor=nurse,
        sip=sip_from_case,
        expected_revision=None,
        held_on=timezone.localdate(),
        outcome="new_version",
        notes="PD fungerar, nytt datum behövs.",
    )
    assert follow_up.version == first
    assert follow_up.new_version is not None
    assert follow_up.new_version.number == 2
    agreed_case.refresh_from_db()
    assert agreed_case.status == CaseStatus.ACTIVE  # followed up, resumed
    fill(sip_from_case, nurse, world)
    second = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    closing = services.sip_record_follow_up(
        actor=nurse,
        sip=sip_from_case,
        expected_revision=None,
        held_on=timezone.localdate(),
        outcome="close",
        notes="Vården avslutad.",
    )
    assert closing.version == second
    assert closing.new_version is None
    sip_from_case.refresh_from_db()
    assert sip_from_case.status == SipStatus.CLOSED
    assert [f.version.number for f in SipFollowUp.objects.filter(sip=sip_from_case)] == [1, 2]
    agreed_case.refresh_from_db()
    assert agreed_case.status == CaseStatus.CLOSED
    with pytest.raises(StateConflictError):
        services.sip_new_version(actor=nurse, sip=sip_from_case, expected_revision=None)


def test_withdrawn_consent_is_shown_and_stops_sharing(world, sip_from_case, nurse):
    fill(sip_from_case, nurse, world)
    version = services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    gp = as_actor(world, "gp_a")
    assert selectors.sip_get(actor=gp, public_id=sip_from_case.public_id).shared
    assert selectors.sip_version_get(actor=gp, public_id=version.public_id) == version

    withdrawal = services.sip_withdraw_consent(
        actor=nurse,
        sip=sip_from_case,
        expected_revision=None,
        withdrawn_by="person",
        withdrawn_by_name="Karin Svensson",
        withdrawn_on=timezone.localdate(),
        reason="Vill inte att planen delas.",
    )
    assert withdrawal is not None
    assert withdrawal.version == version
    # The kommun that keeps the plan still sees it, with the withdrawal on it ...
    own = selectors.sip_get(actor=nurse, public_id=sip_from_case.public_id)
    assert own.shared
    assert selectors.consent_withdrawal(own.sip) == withdrawal
    # ... the vårdcentral no longer gets its content nor its PDF.
    assert not selectors.sip_get(actor=gp, public_id=sip_from_case.public_id).shared
    with pytest.raises(Http404):
        selectors.sip_version_get(actor=gp, public_id=version.public_id)
    # A new version needs a new consent.
    new = services.sip_new_version(actor=nurse, sip=sip_from_case, expected_revision=None)
    assert new.consent_given_by == ""
    # The vårdcentral is still on the plan but no longer shares it: it cannot change the draft either.
    with pytest.raises(PermissionDenied):
        fill(sip_from_case, gp, world, what_matters="Ändrat av vårdcentralen")
    assert selectors.current_version(selectors.sip_reload(sip=sip_from_case)).what_matters != (
        "Ändrat av vårdcentralen"
    )
    with pytest.raises(ValidationError) as caught:
        services.sip_finalise(actor=nurse, sip=sip_from_case, expected_revision=None)
    assert "consent" in caught.value.message_dict


def test_another_organisation_gets_404_and_the_attempt_is_logged(world, sip_from_case):
    for key in ("nurse_b", "gp_b", "admin", "governance"):
        with pytest.raises(Http404):
            selectors.sip_get(actor=as_actor(world, key), public_id=sip_from_case.public_id)
    assert AccessLogEntry.objects.filter(record_type="sip", outcome="denied").count() == 4


def test_who_may_edit(world, sip_from_case):
    # The MAS of the kommun sees and edits; the specialist on the case edits too.
    for key in ("mas_a", "specialist"):
        fill(sip_from_case, as_actor(world, key), world)
    # The kommun's coordinator sees the patient but is not nursing staff: 403.
    with pytest.raises(PermissionDenied):
        fill(sip_from_case, as_actor(world, "coordinator_a"), world)


def test_sip_for_an_enrolled_patient_on_its_own(world, nurse):
    patient = patient_get(actor=nurse, public_id=world.patient().public_id)
    sip = services.sip_create_for_patient(actor=nurse, patient=patient)
    assert sip.case is None
    assert sip.owner_organisation == world.orgs["kommun_a"]
    fill(
        sip,
        nurse,
        world,
        insatser=[
            services.InsatsInput(
                description="Såromläggning",
                responsible=world.orgs["kommun_a"],
                starts_on=timezone.localdate(),
                frequency="var 3:e dag",
            )
        ],
    )
    services.sip_finalise(actor=nurse, sip=sip, expected_revision=None)


def test_a_sip_can_be_made_for_anyone_who_needs_insatser_from_both_principals(world):
    """Not only for the enrolled or for an agreed case: the listed vårdcentral's GP starts the plan of a
    person who still visits the vårdcentral and needs the kommun's socialtjänst too."""
    gp = as_actor(world, "gp_a")
    not_enrolled = world.patient(enrolled=False)
    sip = services.sip_create_for_patient(
        actor=gp, patient=patient_get(actor=gp, public_id=not_enrolled.public_id)
    )
    assert (sip.case, sip.owner_organisation) == (None, world.orgs["vc_a"])
    # Someone who does not reach the person gets no plan of them: the patient read itself is refused.
    with pytest.raises(Http404):
        patient_get(actor=as_actor(world, "gp_b"), public_id=not_enrolled.public_id)


def test_saving_the_draft_keeps_each_insats_linked_to_its_agreed_case_task(world, sip_from_case, nurse):
    version = selectors.current_version(sip_from_case)
    linked = dict(
        SipInsats.objects.filter(version=version).values_list("task_type__code", "case_task__task_type__code")
    )
    assert linked == {PD: PD, WOUND: WOUND}
    rows = list(SipInsats.objects.filter(version=version).select_related("task_type").order_by("position"))
    pd = next(row for row in rows if row.task_type.code == PD)
    # The nurse rewrites the PD row, drops the wound row and adds a row of her own.
    services.sip_update_draft(
        actor=nurse,
        sip=sip_from_case,
        expected_revision=None,
        changes=services.DraftChanges(
            fields={},
            insatser=[
                services.InsatsInput(
                    description="Ledsagning till apoteket", responsible=world.orgs["kommun_a"]
                ),
                services.InsatsInput(
                    description="PD-påsbyten fyra gånger om dagen",
                    responsible=pd.responsible,
                    orders=pd.orders,
                    follows_up=pd.follows_up,
                    task_type=pd.task_type,
                ),
            ],
        ),
    )
    after = {
        row.description: row.case_task_id
        for row in SipInsats.objects.filter(
            version=selectors.current_version(selectors.sip_reload(sip=sip_from_case))
        )
    }
    assert after == {"Ledsagning till apoteket": None, "PD-påsbyten fyra gånger om dagen": pd.case_task_id}
