"""A draft is saved as it is; submitting it names every piece still missing, and writes nothing.

Through the services (the shared case driver) and the API (``PATCH`` to save a draft without tasks,
``POST .../submit`` refused with a ``fields`` error per missing piece).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from agreements.models import CareTaskType
from cases import services
from cases.models import CaseEvent, CaseStatus
from tests.fixtures.agreements import PD, WOUND
from tests.fixtures.cases import etag
from tests.fixtures.world import as_actor

pytestmark = pytest.mark.django_db


def test_a_draft_is_opened_without_tasks_or_background(world, halland, drive):
    case = drive.open(tasks=(), background="")
    assert case.status == CaseStatus.DRAFT
    assert case.tasks.count() == 0


def test_submit_names_every_missing_piece_in_swedish_and_writes_nothing(world, halland, drive):
    case = drive.open(tasks=(), background="  ")
    case.refresh_from_db()
    version, events = case.version, CaseEvent.objects.filter(case=case).count()
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        drive.submit(case)
    missing = refused.value.message_dict
    assert set(missing) == {"tasks", "background"}
    assert missing["tasks"] == ["Ingen insats är vald: välj minst en insats."]
    assert missing["background"] == ["Bakgrunden saknas: beskriv varför insatserna efterfrågas."]
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT
    assert case.version == version
    assert CaseEvent.objects.filter(case=case).count() == events


def test_a_task_taken_out_of_the_catalogue_since_the_draft_was_saved_is_named(world, halland, drive):
    case = drive.open(tasks=(PD, WOUND))
    CareTaskType.objects.filter(code=WOUND).update(is_active=False)
    with translation.override("sv"), pytest.raises(ValidationError) as refused:
        drive.submit(case)
    [message] = refused.value.message_dict["tasks"]
    assert "finns inte längre i katalogen" in message
    assert CareTaskType.objects.get(code=WOUND).name_sv in message


def test_a_complete_draft_is_submitted(world, halland, drive):
    case = drive.open(tasks=(), background="")
    case = services.case_update(
        actor=as_actor(world, "nurse_a"),
        case=case,
        expected_version=None,
        fields={"background": "Utskriven med PD."},
        task_codes=[PD],
    )
    assert drive.submit(case).status == CaseStatus.IN_REVIEW


def test_the_api_saves_a_draft_without_tasks_and_refuses_to_submit_it_per_missing_piece(
    world, halland, drive, api
):
    case = drive.open(tasks=(PD,), background="Utskriven med PD.")
    nurse = api(world.users["nurse_a"])
    emptied = nurse.patch(
        f"/api/v1/cases/{case.public_id}",
        {"tasks": [], "background": ""},
        format="json",
        HTTP_IF_MATCH=etag(case),
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert emptied.status_code == 200, emptied.content
    assert emptied.json()["tasks"] == []
    case.refresh_from_db()
    version, events = case.version, CaseEvent.objects.filter(case=case).count()

    refused = nurse.post(
        f"/api/v1/cases/{case.public_id}/submit",
        {},
        format="json",
        HTTP_IF_MATCH=etag(case),
        HTTP_ACCEPT_LANGUAGE="sv",
    )
    assert refused.status_code == 400, refused.content
    fields = refused.json()["error"]["fields"]
    assert set(fields) == {"tasks", "background"}
    assert "Ingen insats är vald" in str(fields["tasks"])
    assert "Bakgrunden saknas" in str(fields["background"])
    case.refresh_from_db()
    assert (case.status, case.version) == (CaseStatus.DRAFT, version)
    assert CaseEvent.objects.filter(case=case).count() == events
