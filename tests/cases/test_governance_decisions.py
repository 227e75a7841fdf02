"""A joint body decides only the disputed tasks, from a form that shows the parties' positions first, and
the decision lands: the decider sees it on the case page, every level that handled the case keeps
reading it, and a level that recommends waits for both parties to accept."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from audit.models import AccessLogEntry
from cases.models import CaseEvent, EscalationDecision, EventKind, ReviewState
from directory.models import Organisation, OrganisationKind
from documents.models import Document, DocumentContent, DocumentKind, DocumentStatus
from hemsjukvard.errors import StateConflictError
from tests.fixtures.agreements import PD, WOUND

pytestmark = pytest.mark.django_db


def _page(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _to_gnhh(drive, case):
    """Level 1 recommends, the vårdcentral declines, RUG cannot settle: the case is at GNHH (binding)."""
    case = drive.escalate(case)
    case = drive.decide(case)
    case = drive.answer(case, by="gp_a", accept=False)
    case = drive.escalate(case)
    return drive.cannot_settle(case, by="governance")


def _decide_post(
    world, case, *, performs: Organisation, extra: dict[str, str] | None = None
) -> dict[str, str]:
    o = world.orgs
    case.refresh_from_db()
    data = {
        "decide-version": str(case.version),
        "decide-outcome": "agreed",
        "decide-reasons": "Enligt § 5.3.",
    }
    for task in case.tasks.filter(review_state=ReviewState.DISPUTED):
        data[f"decide-split_{task.public_id}_orders"] = str(o["clinic"].public_id)
        data[f"decide-split_{task.public_id}_performs"] = str(performs.public_id)
        data[f"decide-split_{task.public_id}_follows_up"] = str(o["clinic"].public_id)
    data.update(extra or {})
    return data


def test_the_decider_lands_on_the_case_and_sees_the_decision(world, drive):
    o, u = world.orgs, world.users
    case = drive.submit(drive.open())
    case = drive.dispute(case)
    case = _to_gnhh(drive, case)
    page = _page(u["governance_gnhh"])

    response = page.post(
        f"/cases/{case.public_id}/actions/decide/",
        _decide_post(world, case, performs=o["kommun_a"]),
        follow=True,
    )

    assert response.status_code == 200, response.content.decode()[:2000]
    html = response.content.decode()
    assert "Inget ärende hittades" not in html
    assert "Beslut på nivå 3" in html
    assert "Enligt § 5.3." in html
    # The status box says what became of the case, not that it is escalated.
    assert "Eskalerat till nivå" not in html
    assert "Avgjort på nivå 3" in html
    # Every level that handled the case keeps reading it, each read logged through its membership.
    for who in ("governance_lokal", "governance", "governance_gnhh"):
        before = AccessLogEntry.objects.filter(user=u[who], outcome="granted").count()
        assert _page(u[who]).get(f"/cases/{case.public_id}/").status_code == 200, who
        assert AccessLogEntry.objects.filter(user=u[who], outcome="granted").count() > before, who
    # A body that never handled the case does not see it.
    other = Organisation.objects.create(
        name="Annan nämnd", kind=OrganisationKind.JOINT_BODY, region=o["region"]
    )
    from tests.fixtures.world import make_user

    outsider = make_user("governance.other", (other, "governance"))
    assert _page(outsider).get(f"/cases/{case.public_id}/").status_code == 404


def test_only_the_disputed_tasks_are_decided(world, drive):
    o, u = world.orgs, world.users
    case = drive.submit(drive.open(tasks=(PD, WOUND)))
    case = drive.accept(case, tasks=[WOUND])
    case = drive.dispute(case, tasks=[PD])
    case = _to_gnhh(drive, case)
    page = _page(u["governance_gnhh"])
    html = page.get(f"/cases/{case.public_id}/").content.decode()
    form = html[html.index('id="action-decide"') :]
    form = form[: form.index("</section>")]
    # Only PD is decided; the accepted wound care is not in the form.
    pd = case.tasks.get(task_type__code=PD)
    wound = case.tasks.get(task_type__code=WOUND)
    assert f"split_{pd.public_id}_performs" in form
    assert str(wound.public_id) not in form

    response = page.post(
        f"/cases/{case.public_id}/actions/decide/",
        _decide_post(world, case, performs=o["kommun_a"]),
        follow=True,
    )
    assert response.status_code == 200
    pd.refresh_from_db()
    wound.refresh_from_db()
    assert pd.review_state == ReviewState.DECIDED
    assert wound.review_state == ReviewState.ACCEPTED
    assert wound.agreed_basis == "proposal"


def test_the_form_shows_positions_first_is_prefilled_and_offers_every_organisation(world, drive):
    o, u = world.orgs, world.users
    mobile = Organisation.objects.create(
        name="Mobilt närsjukvårdsteam Test", kind=OrganisationKind.MOBILE_TEAM, region=o["region"]
    )
    case = drive.submit(drive.open())
    case = drive.dispute(case, text="Njurmedicin bör utföra PD.", performs="clinic")
    case = drive.escalate(case)
    html = _page(u["governance_lokal"]).get(f"/cases/{case.public_id}/").content.decode()

    positions = html.index("Njurmedicin bör utföra PD.")
    form = html.index('id="action-decide"')
    assert positions < form
    decide = html[form : html.index("</section>", form)]
    task = case.tasks.get()
    # Pre-filled: the proposal (the kommun performs) unless a party's latest position says otherwise; the
    # vårdcentral's position names the clinic as performer, so the form starts from it.
    performs = re.search(rf'name="decide-split_{task.public_id}_performs".*?</select>', decide, re.S)
    assert performs is not None
    selected = re.search(r'<option value="([^"]+)"[^>]*selected', performs.group(0))
    assert selected is not None
    assert selected.group(1) == str(o["clinic"].public_id)
    # The mobile team is offered.
    assert str(mobile.public_id) in performs.group(0)


def test_a_missing_split_names_the_task_in_swedish(world, drive):
    u = world.users
    case = drive.submit(drive.open())
    case = drive.dispute(case)
    case = drive.escalate(case)
    task = case.tasks.get()
    data = {
        "decide-version": str(case.version),
        "decide-outcome": "agreed",
        "decide-reasons": "Beslut.",
        f"decide-split_{task.public_id}_orders": "",
        f"decide-split_{task.public_id}_performs": "",
        f"decide-split_{task.public_id}_follows_up": "",
    }
    response = _page(u["governance_lokal"]).post(f"/cases/{case.public_id}/actions/decide/", data)
    assert response.status_code == 400
    html = response.content.decode()
    box = html[html.index('id="action-decide"') :]
    box = box[: box.index("</form>")]
    assert "Peritonealdialys (PD)" in box
    assert PD not in box  # never the task's code
    assert not EscalationDecision.objects.filter(case=case).exists()


def test_a_recommendation_takes_effect_when_both_parties_accept(world, drive):
    o = world.orgs
    case = drive.submit(drive.open())
    case = drive.dispute(case)
    case = drive.escalate(case)
    case = drive.decide(case)
    # Lokal samverkan recommends: nothing is settled yet.
    case.refresh_from_db()
    assert case.status == "escalated"
    task = case.tasks.get()
    assert task.review_state == ReviewState.DISPUTED
    decision = EscalationDecision.objects.get(case=case)
    assert decision.level == 1

    case = drive.answer(case, by="coordinator_a")
    case.refresh_from_db()
    assert case.status == "escalated"
    # One party accepting twice changes nothing: the same side cannot accept again.
    with pytest.raises(StateConflictError):
        drive.answer(case, by="mas_a")
    case = drive.answer(case, by="gp_a")
    case.refresh_from_db()
    task.refresh_from_db()
    assert case.status == "risk_analysis"
    assert task.review_state == ReviewState.DECIDED
    assert task.agreed_performs == o["kommun_a"]
    assert CaseEvent.objects.filter(
        case=case, kind=EventKind.DECIDED, action="accept_recommendation"
    ).exists()


def test_a_binding_level_settles_at_once(world, drive):
    case = drive.submit(drive.open())
    case = drive.dispute(case)
    case = _to_gnhh(drive, case)
    case = drive.decide(case, by="governance_gnhh")
    case.refresh_from_db()
    assert case.status == "risk_analysis"
    assert case.tasks.get().review_state == ReviewState.DECIDED


def test_the_decision_notice_is_printed_by_the_worker_when_the_body_decides(
    world, drive, eager_celery, django_capture_on_commit_callbacks
):
    """Nobody has to ask for it: once the decision is committed, its notice is queued and rendered, and
    the parties find it listed on the case."""
    case = drive.submit(drive.open())
    case = drive.dispute(case)
    case = _to_gnhh(drive, case)
    with django_capture_on_commit_callbacks(execute=True):
        case = drive.decide(case, by="governance_gnhh")
    decision = EscalationDecision.objects.filter(case=case).order_by("-level").first()
    assert decision is not None
    assert decision.level == 3
    notice = Document.objects.get(kind=DocumentKind.DECISION_NOTICE, source_id=decision.public_id)
    assert notice.status == DocumentStatus.READY
    assert bytes(DocumentContent.objects.get(document=notice).content).startswith(b"%PDF-")
    assert notice.requested_by == world.users["governance_gnhh"]

    page = _page(world.users["gp_a"]).get(f"/cases/{case.public_id}/")
    assert page.status_code == 200
    assert f"/documents/{notice.public_id}/" in page.content.decode()
