"""The SIP editor names socialtjänst's biståndshandläggare: a choice among the kommun's biståndshandläggare,
saved through the same service as the API's draft PATCH. A wrong choice is refused beside the field with
everything typed kept; the one named is told, and finds the plan under My work."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from cases.models import Notification, NotificationKind
from directory.models import Role
from sip.models import Sip
from tests.fixtures.clients import signed_in
from tests.fixtures.world import make_user

pytestmark = pytest.mark.django_db


class _Fields(HTMLParser):
    """What a browser would post from the editor: every field as the page shows it."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, str] = {}
        self.options: dict[str, list[tuple[str, str]]] = {}
        self.select: str | None = None
        self.option: str | None = None
        self.area: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name") or ""
        if tag == "input" and name and a.get("type") not in ("checkbox", "radio", "submit"):
            self.data[name] = a.get("value") or ""
        elif tag == "input" and name and "checked" in a:
            self.data[name] = a.get("value") or "on"
        elif tag == "select":
            self.select = name
            self.options[name] = []
        elif tag == "option" and self.select:
            self.option = a.get("value") or ""
            if "selected" in a:
                self.data[self.select] = self.option
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
        if self.select and self.option is not None:
            self.options[self.select].append((self.option, data.strip()))
            self.option = None


def _page(client: Any, sip: Sip) -> _Fields:
    answer = client.get(f"/sip/{sip.public_id}/")
    assert answer.status_code == 200
    fields = _Fields()
    fields.feed(answer.content.decode())
    return fields


@pytest.fixture
def handlaggare(world: Any) -> Any:
    return make_user("bistand.a", (world.orgs["kommun_a"], Role.BISTANDSHANDLAGGARE))


@pytest.fixture
def colleague(world: Any) -> Any:
    return make_user("bistand.a2", (world.orgs["kommun_a"], Role.BISTANDSHANDLAGGARE))


def test_the_editor_offers_the_kommuns_bistandshandlaggare_by_name_and_unit(
    world, sip_from_case, handlaggare, colleague
):
    make_user("bistand.b", (world.orgs["kommun_b"], Role.BISTANDSHANDLAGGARE))
    page = _page(signed_in(world.users["nurse_a"]), sip_from_case)
    offered = dict(page.options["bistandshandlaggare"])
    assert offered == {
        "": "Ingen vald",
        str(handlaggare.public_id): "Bistand.A Test, A kommun",
        str(colleague.public_id): "Bistand.A2 Test, A kommun",
    }
    assert page.data["bistandshandlaggare"] == ""


def test_a_nurse_of_another_kommun_gets_404_naming_her(world, sip_from_case, handlaggare):
    client = signed_in(world.users["nurse_b"])
    assert client.get(f"/sip/{sip_from_case.public_id}/").status_code == 404
    answer = client.post(
        f"/sip/{sip_from_case.public_id}/save/", {"bistandshandlaggare": str(handlaggare.public_id)}
    )
    assert answer.status_code == 404
    sip_from_case.refresh_from_db()
    assert sip_from_case.bistandshandlaggare_id is None


@pytest.mark.parametrize("who", ["bistand_of_kommun_b", "nurse_of_kommun_a"])
def test_someone_not_biståndshandläggare_in_the_kommun_is_refused_and_nothing_typed_is_lost(
    world, sip_from_case, who
):
    wrong = (
        make_user("bistand.b", (world.orgs["kommun_b"], Role.BISTANDSHANDLAGGARE))
        if who == "bistand_of_kommun_b"
        else world.users["nurse_a"]
    )
    client = signed_in(world.users["nurse_a"])
    page = _page(client, sip_from_case)
    data = {
        **page.data,
        "what_matters": "Att få sova länge på söndagar.",
        "bistandshandlaggare": str(wrong.public_id),
    }
    answer = client.post(f"/sip/{sip_from_case.public_id}/save/", data)
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "Välj en biståndshandläggare i personens kommun eller i kommunen som håller i planen." in body
    assert "Att få sova länge på söndagar." in body
    sip_from_case.refresh_from_db()
    assert sip_from_case.bistandshandlaggare_id is None
    assert not sip_from_case.versions.filter(what_matters__contains="söndagar").exists()
    assert not Notification.objects.filter(user=wrong, kind=NotificationKind.SIP_NAMED).exists()


def test_a_value_that_names_no_one_is_refused_beside_the_field(world, sip_from_case):
    client = signed_in(world.users["nurse_a"])
    data = {**_page(client, sip_from_case).data, "bistandshandlaggare": "not-a-user"}
    answer = client.post(f"/sip/{sip_from_case.public_id}/save/", data)
    assert answer.status_code == 400
    assert "Välj biståndshandläggaren i listan." in answer.content.decode()


def test_naming_her_on_the_page_saves_her_and_tells_her_alone(world, sip_from_case, handlaggare, colleague):
    client = signed_in(world.users["nurse_a"])
    data = {**_page(client, sip_from_case).data, "bistandshandlaggare": str(handlaggare.public_id)}
    answer = client.post(f"/sip/{sip_from_case.public_id}/save/", data)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    sip_from_case.refresh_from_db()
    assert sip_from_case.bistandshandlaggare_id == handlaggare.pk

    told = Notification.objects.filter(kind=NotificationKind.SIP_NAMED)
    assert list(told.values_list("user_id", flat=True)) == [handlaggare.pk]
    notice = told.get()
    assert notice.case_id == sip_from_case.case_id
    assert notice.organisation_id == world.orgs["kommun_a"].pk
    assert "biståndshandläggare" in notice.message
    assert "Mitt arbete" in notice.message
    # The notice names the case by its tasks, never the patient.
    assert sip_from_case.patient.family_name not in notice.message

    # The plan's page shows her with her role; the editor keeps her chosen.
    page = client.get(f"/sip/{sip_from_case.public_id}/").content.decode()
    assert "Bistand.A Test" in page
    assert _page(client, sip_from_case).data["bistandshandlaggare"] == str(handlaggare.public_id)

    # Saving again with her still chosen tells her nothing more.
    again = client.post(f"/sip/{sip_from_case.public_id}/save/", _page(client, sip_from_case).data)
    assert again.status_code == 302
    assert told.count() == 1

    # She finds the plan under My work, and sees herself on it without the control to name anyone.
    hers = signed_in(handlaggare)
    assert f"/sip/{sip_from_case.public_id}/" in hers.get("/").content.decode()
    her_page = _page(hers, sip_from_case)
    assert "bistandshandlaggare" not in her_page.data
    assert (
        "Bistand.A Test, Biståndshandläggare" in hers.get(f"/sip/{sip_from_case.public_id}/").content.decode()
    )


def test_choosing_none_removes_her_from_the_plan(world, sip_from_case, handlaggare):
    client = signed_in(world.users["nurse_a"])
    named = {**_page(client, sip_from_case).data, "bistandshandlaggare": str(handlaggare.public_id)}
    assert client.post(f"/sip/{sip_from_case.public_id}/save/", named).status_code == 302
    removed = {**_page(client, sip_from_case).data, "bistandshandlaggare": ""}
    assert client.post(f"/sip/{sip_from_case.public_id}/save/", removed).status_code == 302
    sip_from_case.refresh_from_db()
    assert sip_from_case.bistandshandlaggare_id is None
    assert signed_in(handlaggare).get(f"/sip/{sip_from_case.public_id}/").status_code == 404
    assert Notification.objects.filter(user=handlaggare, kind=NotificationKind.SIP_NAMED).count() == 1


def test_her_notification_opens_the_plan_not_the_case(world, sip_from_case, handlaggare):
    client = signed_in(world.users["nurse_a"])
    named = {**_page(client, sip_from_case).data, "bistandshandlaggare": str(handlaggare.public_id)}
    assert client.post(f"/sip/{sip_from_case.public_id}/save/", named).status_code == 302
    notice = Notification.objects.get(user=handlaggare, kind=NotificationKind.SIP_NAMED)
    hers = signed_in(handlaggare)
    for page in ("/", "/inbox/"):
        body = hers.get(page).content.decode()
        assert "Öppna planen" in body
        assert f"/cases/{sip_from_case.case.public_id}/" not in body
    opened = hers.post(f"/inbox/{notice.public_id}/read/", {"open": "1"})
    assert opened.status_code == 302
    assert opened["Location"] == f"/sip/{sip_from_case.public_id}/"
    assert hers.get(opened["Location"]).status_code == 200
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_she_is_told_when_a_new_draft_version_opens_her_part_again(world, sip_from_case, nurse, handlaggare):
    from sip import services
    from tests.fixtures.sip import fill

    client = signed_in(world.users["nurse_a"])
    named = {**_page(client, sip_from_case).data, "bistandshandlaggare": str(handlaggare.public_id)}
    assert client.post(f"/sip/{sip_from_case.public_id}/save/", named).status_code == 302
    fill(sip_from_case, nurse, world)
    services.sip_finalise(actor=nurse, sip=Sip.objects.get(pk=sip_from_case.pk), expected_revision=None)
    services.sip_new_version(actor=nurse, sip=Sip.objects.get(pk=sip_from_case.pk), expected_revision=None)

    (notice,) = Notification.objects.filter(kind=NotificationKind.SIP_NEW_DRAFT)
    assert notice.user == handlaggare  # her alone
    assert "ny utkastversion" in notice.message
    opened = signed_in(handlaggare).post(f"/inbox/{notice.public_id}/read/", {"open": "1"})
    assert opened["Location"] == f"/sip/{sip_from_case.public_id}/"  # the plan, never the case
