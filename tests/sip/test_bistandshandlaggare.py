"""Socialtjänst takes part in the SIP: the biståndshandläggare named on a plan reads it (logged, the
identity masked where protected) and changes its SoL parts — the kommun's socialtjänst insatser and what
others do — but never the health care (HSL) insatser. Plans she is not named on, or of another kommun,
are a 404 to her."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.utils import timezone

from audit.models import AccessLogEntry
from directory.actor import Actor
from directory.models import ROLES_BY_ORGANISATION_KIND, OrganisationKind, Role
from hemsjukvard.errors import NotPermitted
from patients.selectors import patient_get
from sip import selectors, services
from sip.models import LegalBasis, Sip, SipInsats, SipVersion
from tests.fixtures.sip import fill
from tests.fixtures.world import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def handlaggare(world: Any) -> Any:
    return make_user("bistand.a", (world.orgs["kommun_a"], Role.BISTANDSHANDLAGGARE))


def _name_her(sip: Sip, nurse: Actor, user: Any) -> None:
    services.sip_update_draft(
        actor=nurse,
        sip=sip,
        expected_revision=None,
        changes=services.DraftChanges(fields={}, bistandshandlaggare=user),
    )


def _rows(sip: Sip) -> list[services.InsatsInput]:
    draft = SipVersion.objects.get(sip=sip, status="draft")
    return [
        services.InsatsInput(
            description=i.description,
            responsible=i.responsible,
            orders=i.orders,
            follows_up=i.follows_up,
            task_type=i.task_type,
            notes=i.notes,
            basis=i.basis,
            starts_on=i.starts_on,
            frequency=i.frequency,
            reported_by=i.reported_by,
            reported_to=i.reported_to,
        )
        for i in draft.insatser.order_by("position", "pk")
    ]


def test_the_bistandshandlaggare_role_belongs_to_a_kommun():
    assert Role.BISTANDSHANDLAGGARE in ROLES_BY_ORGANISATION_KIND[OrganisationKind.KOMMUN]
    for kind, roles in ROLES_BY_ORGANISATION_KIND.items():
        if kind != OrganisationKind.KOMMUN:
            assert Role.BISTANDSHANDLAGGARE not in roles
    assert str(Role.BISTANDSHANDLAGGARE.label)


def test_a_bistandshandlaggare_reads_only_the_plans_she_is_named_on(world, sip_from_case, nurse, handlaggare):
    her = Actor.for_user(handlaggare)
    with pytest.raises(Http404):
        selectors.sip_get(actor=her, public_id=sip_from_case.public_id)
    assert list(selectors.sip_list(actor=her)) == []
    # Nor does she reach the patient's record: her part is the plan.
    with pytest.raises(Http404):
        patient_get(actor=her, public_id=sip_from_case.patient.public_id)

    _name_her(sip_from_case, nurse, handlaggare)
    view = selectors.sip_get(actor=her, public_id=sip_from_case.public_id)
    assert view.membership.role == Role.BISTANDSHANDLAGGARE
    assert [s.pk for s in selectors.sip_list(actor=her)] == [sip_from_case.pk]
    logged = AccessLogEntry.objects.filter(user=handlaggare, record_id=str(sip_from_case.public_id))
    assert logged.filter(outcome="granted").exists()
    assert logged.filter(outcome="denied").exists()


def test_a_bistandshandlaggare_of_another_kommun_cannot_be_named(world, sip_from_case, nurse):
    other = make_user("bistand.b", (world.orgs["kommun_b"], Role.BISTANDSHANDLAGGARE))
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        _name_her(sip_from_case, nurse, other)
    assert "bistandshandlaggare" in caught.value.message_dict
    with pytest.raises(Http404):
        selectors.sip_get(actor=Actor.for_user(other), public_id=sip_from_case.public_id)


def test_a_bistandshandlaggare_edits_the_sol_parts(world, sip_from_case, nurse, handlaggare):
    fill(sip_from_case, nurse, world)
    _name_her(sip_from_case, nurse, handlaggare)
    her = Actor.for_user(handlaggare)
    view = selectors.sip_get(actor=her, public_id=sip_from_case.public_id)
    assert selectors.sip_facts(view.sip) is not None
    home_help = services.InsatsInput(
        description="Hemtjänst: inköp och städning",
        responsible=world.orgs["kommun_a"],
        basis=LegalBasis.SOL,
        starts_on=timezone.localdate(),
        frequency="varje måndag",
    )
    measures = [
        services.OtherMeasureInput(
            description="Följer med till tandläkaren", actor_kind="voluntary", actor_name="Röda korset"
        )
    ]
    version = services.sip_update_draft(
        actor=her,
        sip=view.sip,
        expected_revision=None,
        changes=services.DraftChanges(
            fields={}, insatser=[*_rows(sip_from_case), home_help], other_measures=measures
        ),
    )
    assert list(version.insatser.filter(basis="sol").values_list("description", flat=True)) == [
        "Hemtjänst: inköp och städning"
    ]
    assert list(version.other_measures.values_list("actor_name", flat=True)) == ["Röda korset"]
    assert version.insatser.filter(basis="hsl").count() == 2


def test_a_bistandshandlaggare_is_refused_the_hsl_parts(world, sip_from_case, nurse, handlaggare):
    fill(sip_from_case, nurse, world)
    _name_her(sip_from_case, nurse, handlaggare)
    her = Actor.for_user(handlaggare)
    before = list(
        SipInsats.objects.filter(version__sip=sip_from_case).values_list("description", "frequency")
    )
    rows = _rows(sip_from_case)
    changed = [services.InsatsInput(**{**rows[0].__dict__, "frequency": "var 3:e dag"}), *rows[1:]]
    for changes in (
        services.DraftChanges(fields={}, insatser=changed),
        services.DraftChanges(fields={}, insatser=rows[1:]),  # an HSL insats dropped
        services.DraftChanges(fields={"huvudansvar_contact": "Någon annan"}),
        services.DraftChanges(fields={}, bistandshandlaggare=None),
    ):
        with pytest.raises(NotPermitted):
            services.sip_update_draft(actor=her, sip=sip_from_case, expected_revision=None, changes=changes)
    after = list(SipInsats.objects.filter(version__sip=sip_from_case).values_list("description", "frequency"))
    assert after == before
    # Nor does she finalise the plan: that is the care staff's.
    with pytest.raises(NotPermitted):
        services.sip_finalise(actor=her, sip=sip_from_case, expected_revision=None)


def test_the_api_lets_a_bistandshandlaggare_edit_sol_parts_and_refuses_hsl_parts(
    world, api, sip_from_case, nurse, handlaggare
):
    fill(sip_from_case, nurse, world)
    _name_her(sip_from_case, nurse, handlaggare)
    client = api(handlaggare)
    url = f"/api/v1/sips/{sip_from_case.public_id}"
    read = client.get(url)
    assert read.status_code == 200, read.content
    assert read.json()["allowed_actions"] == ["update_draft"]
    insatser = [
        {
            "description": i["description"],
            "task_type": i["task_type"],
            "responsible": i["responsible"]["id"] if i["responsible"] else None,
            "orders": i["orders"]["id"] if i["orders"] else None,
            "follows_up": i["follows_up"]["id"] if i["follows_up"] else None,
            "notes": i["notes"],
            "basis": i["basis"],
            "starts_on": i["starts_on"],
            "frequency": i["frequency"],
            "reported_by": i["reported_by"],
            "reported_to": i["reported_to"],
        }
        for i in read.json()["current_version"]["insatser"]
    ]
    sol = {
        "description": "Hemtjänst: hjälp med dusch",
        "basis": "sol",
        "responsible": str(world.orgs["kommun_a"].public_id),
        "starts_on": timezone.localdate().isoformat(),
        "frequency": "tisdagar och fredagar",
    }
    ok = client.patch(
        url + "/draft", {"insatser": [*insatser, sol]}, format="json", HTTP_IF_MATCH=read["ETag"]
    )
    assert ok.status_code == 200, ok.content
    assert [i["basis"] for i in ok.json()["current_version"]["insatser"]] == ["hsl", "hsl", "sol"]

    insatser[0]["frequency"] = "varannan dag"
    refused = client.patch(url + "/draft", {"insatser": insatser}, format="json", HTTP_IF_MATCH=ok["ETag"])
    assert refused.status_code == 403, refused.content
    assert "biståndshandläggare" in refused.json()["error"]["message"]
    assert SipInsats.objects.filter(version__sip=sip_from_case, frequency="varannan dag").count() == 0
    assert client.post(url + "/finalise", HTTP_IF_MATCH=ok["ETag"]).status_code == 403


def test_the_page_shows_her_what_she_may_not_change_read_only_and_keeps_it_as_stored(
    world, sip_from_case, nurse, handlaggare
):
    """The editor offers the biståndshandläggare only what saving accepts: the plan's fields and the HSL
    insatser are read-only, "Save and finalise" is not offered, nor links to the case and the patient
    page she cannot open; a value forged into a read-only field is ignored."""
    import re
    from html.parser import HTMLParser

    from sip.models import SipVersion
    from tests.fixtures.clients import signed_in

    fill(sip_from_case, nurse, world)
    _name_her(sip_from_case, nurse, handlaggare)
    client = signed_in(handlaggare)
    page = client.get(f"/sip/{sip_from_case.public_id}/").content.decode()

    class Fields(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.data: dict[str, str] = {}
            self.rows: list[str] = []
            self.select: str | None = None
            self.area: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            a = dict(attrs)
            name = a.get("name") or ""
            if name == "insats_row":  # one per row, in order
                self.rows.append(a.get("value") or "")
            elif tag == "input" and name and a.get("type") not in ("checkbox", "radio", "submit"):
                self.data[name] = a.get("value") or ""
            elif tag == "input" and name and "checked" in a:
                self.data[name] = a.get("value") or "on"
            elif tag == "select":
                self.select = name
            elif tag == "option" and self.select and "selected" in a:
                self.data[self.select] = a.get("value") or ""
            elif tag == "textarea":
                self.area = name
                self.data[name] = ""

        def handle_endtag(self, tag: str) -> None:
            if tag == "select":
                self.select = None
            if tag == "textarea":
                self.area = None

        def handle_data(self, data: str) -> None:
            if self.area:
                self.data[self.area] += data

    fields = Fields()
    fields.feed(page)
    assert re.search(r'name="huvudansvar_contact"[^>]*disabled', page)
    assert re.search(r'name="insats_0_description"[^>]*disabled', page)  # an HSL insats
    assert not re.search(r'name="other_0_description"[^>]*disabled', page)
    assert "/finalise/" not in page
    assert f"/cases/{sip_from_case.case.public_id}/" not in page
    assert "Som biståndshandläggare ser du planen" in page
    stored = SipVersion.objects.filter(sip=sip_from_case).latest("number").huvudansvar_contact
    data = {**fields.data, "insats_row": fields.rows, "huvudansvar_contact": "Någon annan kontaktperson"}
    answer = client.post(f"/sip/{sip_from_case.public_id}/save/", data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    assert SipVersion.objects.filter(sip=sip_from_case).latest("number").huvudansvar_contact == stored

    # What she is there for: what others do, saved through the page as the browser sends it.
    fields = Fields()
    fields.feed(client.get(f"/sip/{sip_from_case.public_id}/").content.decode())
    data = {
        **fields.data,
        "insats_row": fields.rows,
        "other_0_description": "Följer med till tandläkaren",
        "other_0_kind": "voluntary",
        "other_0_name": "Röda korset",
    }
    answer = client.post(f"/sip/{sip_from_case.public_id}/save/", data)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    version = SipVersion.objects.filter(sip=sip_from_case).latest("number")
    assert sorted(version.other_measures.values_list("actor_name", flat=True)) == [
        "Försäkringskassan",
        "Röda korset",
    ]
    # The contact paths keep the organisations and notes the page does not show.
    kept = {path.period: (path.organisation_id, path.notes) for path in version.contact_paths.all()}
    assert kept["day"] == (world.orgs["kommun_a"].pk, "")
    assert kept["evening_night"] == (world.orgs["clinic"].pk, "Fråga efter PD-sjuksköterskan.")


def test_my_work_lists_the_plans_that_name_her(world, sip_from_case, nurse, handlaggare):
    from tests.fixtures.clients import signed_in

    before = signed_in(handlaggare).get("/").content.decode()
    assert f"/sip/{sip_from_case.public_id}/" not in before
    assert "Ingen öppen plan (SIP) anger dig" in before
    # She works on plans, not cases: no case lists, filters or patient register.
    assert 'id="waiting-cases-heading"' not in before
    assert "work-filters" not in before
    assert "Meddelanden att besvara" not in before  # messages are between a case's parties
    assert 'href="/patients/"' not in before
    _name_her(sip_from_case, nurse, handlaggare)
    page = signed_in(handlaggare).get("/").content.decode()
    assert f"/sip/{sip_from_case.public_id}/" in page
    assert "biståndshandläggare" in page
    assert AccessLogEntry.objects.filter(user=handlaggare, record_id=str(sip_from_case.public_id)).exists()
