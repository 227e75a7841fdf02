"""Skyddad identitet in a SIP: a reader who sees the patient's identity masked sees masked, on every path,
every field of the plan that names the person or a närstående (the participant who is the person, the
närstående's name and phone, who gave and who withdrew consent, närstående doing something in the plan).

The attack: the plan of a patient with skyddad identitet names the person and their daughter; the
clinic's specialist (on the case, so an editor of the plan) and the kommun's coordinator may see the
patient but not the identity. Kommun A's nurse and the listed vårdcentral's GP may see the identity, and
still do.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django import forms
from django.utils import timezone
from pypdf import PdfReader

from directory.actor import Actor
from documents import services as document_services
from documents.models import DocumentContent, DocumentStatus
from integrations import services as integration_services
from integrations.models import WebhookDelivery
from sip import services
from sip.masking import MASK
from sip.models import Sip, SipOtherMeasure, SipParticipant, SipVersion, VersionStatus
from tests.fixtures.sip import SECRET_GUARDIAN, SECRET_KIN, SECRET_NAME, SECRET_PHONE, SECRETS
from tests.fixtures.world import World, as_actor

pytestmark = pytest.mark.django_db

MASKED_READERS = ("specialist", "coordinator_a")
SEEING_READERS = ("nurse_a", "gp_a")


def _leaks(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret in text]


def _draft(sip: Sip) -> SipVersion:
    return SipVersion.objects.get(sip=sip, status=VersionStatus.DRAFT)


def _finalise(sip: Sip, nurse: Actor) -> SipVersion:
    return services.sip_finalise(actor=nurse, sip=sip, expected_revision=None)


def _withdraw(sip: Sip, nurse: Actor) -> None:
    services.sip_withdraw_consent(
        actor=nurse,
        sip=sip,
        expected_revision=None,
        withdrawn_by="representative",
        withdrawn_by_name=SECRET_KIN,
        withdrawn_on=timezone.localdate(),
    )


# --- API ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", MASKED_READERS)
def test_the_api_masks_the_persons_and_next_of_kins_names_for_a_masked_reader(
    world: World, api: Any, protected_sip: Sip, reader: str
) -> None:
    client = api(world.users[reader])
    response = client.get(f"/api/v1/sips/{protected_sip.public_id}")
    assert response.status_code == 200, response.content
    assert _leaks(response.content.decode()) == []
    body = response.json()
    assert body["identity_masked"] is True
    version = body["current_version"]
    assert version["consent_given_by_name"] == MASK
    people = {p["kind"]: p for p in version["participants"]}
    assert people["person"]["name"] == MASK
    assert people["next_of_kin"]["name"] == MASK
    assert (people["next_of_kin"]["phone"], people["next_of_kin"]["email"]) == (MASK, MASK)
    assert people["next_of_kin"]["role"] == "Dotter"
    assert (people["other"]["name"], people["other"]["role"]) == (MASK, "God man")
    # Staff and organisations are not the person: they stay, or the plan would be of no use.
    assert people["kommun"]["name"] == "Eva Ek"
    measures = {m["actor_kind"]: m["actor_name"] for m in version["other_measures"]}
    assert measures == {"next_of_kin": MASK, "other": MASK, "forsakringskassan": "Försäkringskassan"}

    listed = client.get("/api/v1/sips", {"patient": str(protected_sip.patient.public_id)})
    assert listed.status_code == 200
    assert _leaks(listed.content.decode()) == []
    assert listed.json()["results"][0]["identity_masked"] is True


@pytest.mark.parametrize("reader", SEEING_READERS)
def test_the_api_shows_the_names_to_a_reader_who_may_see_the_identity(
    world: World, api: Any, protected_sip: Sip, reader: str
) -> None:
    body = api(world.users[reader]).get(f"/api/v1/sips/{protected_sip.public_id}").json()
    assert body["identity_masked"] is False
    version = body["current_version"]
    assert version["consent_given_by_name"] == SECRET_NAME
    people = {p["kind"]: p for p in version["participants"]}
    assert people["person"]["name"] == SECRET_NAME
    assert (people["next_of_kin"]["name"], people["next_of_kin"]["phone"]) == (SECRET_KIN, SECRET_PHONE)
    assert people["other"]["name"] == SECRET_GUARDIAN


def test_who_withdrew_consent_is_masked_too(world: World, api: Any, protected_sip: Sip, nurse: Actor) -> None:
    _finalise(protected_sip, nurse)
    _withdraw(protected_sip, nurse)
    # Kommun A's coordinator is in the organisation that keeps the plan: still shared with them.
    body = api(world.users["coordinator_a"]).get(f"/api/v1/sips/{protected_sip.public_id}").json()
    assert body["shared"] is True
    withdrawal = body["versions"][0]["consent_withdrawal"]
    assert withdrawal["withdrawn_by_name"] == MASK
    assert _leaks(json.dumps(body, ensure_ascii=False)) == []
    seen = api(world.users["nurse_a"]).get(f"/api/v1/sips/{protected_sip.public_id}").json()
    assert seen["versions"][0]["consent_withdrawal"]["withdrawn_by_name"] == SECRET_KIN


def _as_sent(version: dict[str, Any]) -> dict[str, Any]:
    """The draft as an integration sends it back after reading it (organisations by id)."""

    def org(value: Any) -> Any:
        return value["id"] if value else None

    return {
        "consent_given_by_name": version["consent_given_by_name"],
        "participants": [
            {
                **{k: p[k] for k in ("name", "kind", "role", "attendance", "phone", "email")},
                "organisation": org(p["organisation"]),
            }
            for p in version["participants"]
        ],
        "other_measures": [
            {k: m[k] for k in ("description", "actor_kind", "actor_name")} for m in version["other_measures"]
        ],
    }


def test_a_masked_editor_sending_the_masked_plan_back_keeps_the_names(
    world: World, api: Any, protected_sip: Sip
) -> None:
    client = api(world.users["specialist"])
    response = client.get(f"/api/v1/sips/{protected_sip.public_id}")
    sent = _as_sent(response.json()["current_version"])
    # The specialist adds themself, puts the närstående first and changes what matters.
    sent["participants"].reverse()
    sent["participants"].append({"name": "Sven Specialist", "kind": "region", "role": "Överläkare"})
    sent["what_matters"] = "Att få vara hemma."
    answer = client.patch(
        f"/api/v1/sips/{protected_sip.public_id}/draft", sent, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert answer.status_code == 200, answer.content
    assert _leaks(answer.content.decode()) == []

    version = _draft(protected_sip)
    assert version.what_matters == "Att få vara hemma."
    assert version.consent_given_by_name == SECRET_NAME
    stored = [(p.kind, p.name, p.phone) for p in SipParticipant.objects.filter(version=version)]
    assert stored == [
        ("other", SECRET_GUARDIAN, ""),
        ("kommun", "Eva Ek", ""),
        ("next_of_kin", SECRET_KIN, SECRET_PHONE),
        ("person", SECRET_NAME, ""),
        ("region", "Sven Specialist", ""),
    ]
    measures = [(m.actor_kind, m.actor_name) for m in SipOtherMeasure.objects.filter(version=version)]
    assert measures == [
        ("next_of_kin", SECRET_KIN),
        ("other", SECRET_GUARDIAN),
        ("forsakringskassan", "Försäkringskassan"),
    ]


def test_a_masked_editor_may_correct_a_name_but_not_invent_a_masked_one(
    world: World, api: Any, protected_sip: Sip
) -> None:
    client = api(world.users["specialist"])
    response = client.get(f"/api/v1/sips/{protected_sip.public_id}")
    sent = _as_sent(response.json()["current_version"])
    sent["participants"].append({"name": MASK, "kind": "next_of_kin"})
    refused = client.patch(
        f"/api/v1/sips/{protected_sip.public_id}/draft", sent, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert refused.status_code == 400, refused.content
    assert "participants" in refused.json()["error"]["fields"]

    sent = _as_sent(response.json()["current_version"])
    sent["consent_given_by_name"] = "Hemlig S. Skyddadsson"
    answer = client.patch(
        f"/api/v1/sips/{protected_sip.public_id}/draft", sent, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["current_version"]["consent_given_by_name"] == MASK
    assert _draft(protected_sip).consent_given_by_name == "Hemlig S. Skyddadsson"


# --- Pages -------------------------------------------------------------------------------------------


def _page_data(form: Any) -> dict[str, Any]:
    """What the browser posts for ``form`` as the page shows it."""
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


def test_the_editor_page_masks_the_names_and_saving_it_keeps_them(
    world: World, client: Any, protected_sip: Sip
) -> None:
    client.force_login(world.users["specialist"])
    page = client.get(f"/sip/{protected_sip.public_id}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert _leaks(text) == []
    assert "Låt ***** stå kvar" in text
    assert "Personen har skyddad identitet" in text
    form = page.context["form"]
    assert form["consent_given_by_name"].value() == MASK
    assert form["participant_0_name"].value() == MASK
    assert form["participant_2_name"].value() == "Eva Ek"

    data = _page_data(form)
    data["what_matters"] = "Att få vara hemma."
    saved = client.post(f"/sip/{protected_sip.public_id}/save/", data)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    version = _draft(protected_sip)
    assert version.what_matters == "Att få vara hemma."
    assert version.consent_given_by_name == SECRET_NAME
    names = list(SipParticipant.objects.filter(version=version).values_list("name", flat=True))
    assert names == [SECRET_NAME, SECRET_KIN, "Eva Ek", SECRET_GUARDIAN]
    measures = SipOtherMeasure.objects.filter(version=version).values_list("actor_name", flat=True)
    assert list(measures) == [SECRET_KIN, SECRET_GUARDIAN]


def test_the_editor_page_shows_the_names_to_the_nurse(world: World, client: Any, protected_sip: Sip) -> None:
    client.force_login(world.users["nurse_a"])
    text = client.get(f"/sip/{protected_sip.public_id}/").content.decode()
    assert SECRET_NAME in text
    assert SECRET_KIN in text
    assert "Låt ***** stå kvar" not in text


def test_the_plan_page_masks_who_gave_and_who_withdrew_consent(
    world: World, client: Any, protected_sip: Sip, nurse: Actor
) -> None:
    _finalise(protected_sip, nurse)
    client.force_login(world.users["coordinator_a"])
    text = client.get(f"/sip/{protected_sip.public_id}/").content.decode()
    assert f"av {MASK}." in text  # "Samtycke lämnat den … av *****."
    assert _leaks(text) == []

    _withdraw(protected_sip, nurse)
    text = client.get(f"/sip/{protected_sip.public_id}/").content.decode()
    assert 'id="consent-withdrawn"' in text
    assert f"av {MASK} (" in text  # "… av ***** (En företrädare …)."
    assert _leaks(text) == []
    # Outside the organisation that keeps the plan the specialist sees only that it is not shared.
    client.force_login(world.users["specialist"])
    assert _leaks(client.get(f"/sip/{protected_sip.public_id}/").content.decode()) == []
    client.force_login(world.users["nurse_a"])
    assert SECRET_KIN in client.get(f"/sip/{protected_sip.public_id}/").content.decode()


# --- PDF ---------------------------------------------------------------------------------------------


def _pdf_text(actor: Actor, version: SipVersion) -> tuple[str, bool]:
    document = document_services.document_request(
        actor=actor, kind="sip_care_plan", source_id=version.public_id, language="sv"
    )
    outcome = document_services.document_render(document_id=document.pk, worker="test-sip-masking")
    document.refresh_from_db()
    assert outcome.status == DocumentStatus.READY, document.failure_reason
    reader = PdfReader(io.BytesIO(bytes(DocumentContent.objects.get(document=document).content)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    return text, document.identity_masked


def test_the_masked_pdf_names_neither_the_person_nor_next_of_kin(
    world: World, protected_sip: Sip, nurse: Actor
) -> None:
    version = _finalise(protected_sip, nurse)
    _withdraw(protected_sip, nurse)
    text, masked = _pdf_text(as_actor(world, "coordinator_a"), version)
    assert masked
    assert _leaks(text) == []
    assert protected_sip.patient.formatted_identity not in text
    # The plan itself is all there: the insatser, the staff, Försäkringskassan, the withdrawal.
    for words in ("Peritonealdialys (PD)", "Eva Ek", "Försäkringskassan", "Dotter", "Samtycke återkallat"):
        assert words in text
    assert MASK in text

    seen, masked = _pdf_text(nurse, version)
    assert not masked
    for words in (SECRET_NAME, SECRET_KIN, SECRET_PHONE):
        assert words in seen


def test_the_masked_pdf_hides_a_representative_who_gave_consent(
    world: World, protected_sip: Sip, nurse: Actor
) -> None:
    services.sip_update_draft(
        actor=nurse,
        sip=protected_sip,
        expected_revision=None,
        changes=services.DraftChanges(
            fields={
                "consent_given_by": "representative",
                "consent_given_by_name": "Nära Skyddadsson",
                "consent_representative_role": "god man",
            }
        ),
    )
    version = _finalise(protected_sip, nurse)
    text, _masked = _pdf_text(as_actor(world, "specialist"), version)
    assert _leaks(text) == []
    assert f"{MASK}, i egenskap av god man" in text


# --- Webhooks ----------------------------------------------------------------------------------------


def test_the_finalised_webhook_carries_no_name(
    world: World, protected_sip: Sip, nurse: Actor, settings: Any
) -> None:
    # The receiver is named as the installation's own (this machine has no DNS to resolve it).
    settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS = ["journal.example.org"]
    issued = integration_services.api_client_create(
        name="Journalsystem A",
        organisation=world.orgs["kommun_a"],
        scope=[world.orgs["kommun_a"]],
        contact_email="it@example.org",
    )
    integration_services.subscription_create(
        client=issued.client, url="https://journal.example.org/hook", events=["sip.finalised"]
    )
    _finalise(protected_sip, nurse)
    deliveries = list(WebhookDelivery.objects.filter(kind="sip.finalised"))
    assert deliveries
    for delivery in deliveries:
        assert _leaks(json.dumps(delivery.payload, ensure_ascii=False)) == []
