"""The handoff loop in the browser: every party learns from its inbox that it is its turn, and answers.

Each person has a browser context of their own. After the nurse submits, nobody types a case's address:
each opens the inbox from the header and follows the notification to the case, and from the case page
to what it asks of them. After every step the test asserts who was told (the ``Notification`` rows, by
person and kind) and that each of them got the e-mail, handed to the worker through the outbox.

(a) PD, TPN and medication: the specialist accepts what the clinic orders, the GP the rest, the nurse
writes the risk analysis, the specialist signs it, MAS approves, the nurse finalises the SIP.

(b) Four tasks, one disputed: the three others are agreed at once; lokal samverkan recommends, the
vårdcentral declines, RUG cannot settle it, GNHH decides (binding); every party is told and reads and
downloads the decision notice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core import mail

from cases.models import (
    CaseStatus,
    DecisionOutcome,
    EscalationDecision,
    Notification,
    NotificationKind,
    ResponsibilityCase,
    ReviewState,
)
from hemsjukvard.models import OutboxMessage
from tests.browser.conftest import fill_sip_editor, record_consent, screenshot
from tests.fixtures.agreements import MEDICATION, PD, TPN, WOUND, Halland
from tests.fixtures.world import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

K = NotificationKind


@dataclass
class Told:
    """Who was told what since the last look, in the inbox and by e-mail."""

    world: World
    seen: set[int] = field(default_factory=set)
    mailed: int = 0

    def __post_init__(self) -> None:
        self.by_user = {u.pk: key for key, u in self.world.users.items()}
        self.emails = {u.email: key for key, u in self.world.users.items()}

    def step(self, case: ResponsibilityCase) -> dict[str, Any]:
        """The notifications written on ``case`` since the last step, as {person: kind} (a sorted tuple
        of kinds where one step told a person of two things); asserts that each notification was
        e-mailed once to its person, through the outbox, and that nobody else got an e-mail."""
        new = list(Notification.objects.filter(case=case).exclude(pk__in=self.seen).order_by("pk"))
        self.seen |= {n.pk for n in new}
        kinds: dict[str, list[str]] = {}
        for n in new:
            kinds.setdefault(self.by_user[n.user_id], []).append(str(n.kind))
        told = {key: k[0] if len(k) == 1 else tuple(sorted(k)) for key, k in kinds.items()}
        for n in new:
            assert n.message
            assert case.patient.family_name not in n.message
            assert n.emailed_at is not None, (self.by_user[n.user_id], n.kind)
        sent = mail.outbox[self.mailed :]
        self.mailed = len(mail.outbox)
        assert sorted(self.emails[m.to[0]] for m in sent) == sorted(self.by_user[n.user_id] for n in new)
        for m in sent:
            assert "Hemsjukvård" in m.subject
            assert any(m.body.startswith(n.message) for n in new), m.body
        # Every e-mail went through the outbox and was published (none left pending for the relay).
        assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
        return told


def _click(page: Any, selector: str) -> None:
    """Click what submits a form or follows a link, and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(selector).first.click()
    page.wait_for_load_state()


def _from_inbox(page: Any, world: World, user: str, case: ResponsibilityCase, kind: str) -> None:
    """Open the inbox from the header and follow ``user``'s newest notification of ``kind`` to the case."""
    notification = Notification.objects.filter(user=world.users[user], case=case, kind=kind).latest("pk")
    _click(page, "header a[href='/inbox/']")
    row = page.locator(f"form[action='/inbox/{notification.public_id}/read/'] button[name=open]")
    assert row.count() == 1, f"{user} has no notice {kind} in the inbox"
    _click(page, f"form[action='/inbox/{notification.public_id}/read/'] button[name=open]")
    assert page.url.rstrip("/").endswith(f"/cases/{case.public_id}"), page.url
    notification.refresh_from_db()
    assert notification.read_at is not None


def _state(case: ResponsibilityCase) -> dict[str, str]:
    return {t.task_type.code: t.review_state for t in case.tasks.select_related("task_type")}


def _new_case(page: Any, live_server: Any, patient: Any, tasks: list[tuple[str, str]]) -> ResponsibilityCase:
    page.goto(f"{live_server.url}/patients/?q={patient.given_name}")
    _click(page, f"a[href='/cases/new/{patient.public_id}/']")
    page.locator("input[name=trigger][value=discharge]").check()
    page.select_option("#id_specialist_clinic", label="Njurmedicin Test")
    for code, search in tasks:
        page.fill("#task-filter", search)
        page.locator(f"input[name=tasks][value={code}]").check()
    page.fill("#task-filter", "")
    page.fill("#id_background", "Utskriven från njurmedicin med PD och TPN; läkemedel ges av kommunen.")
    page.locator("#proposal").get_by_text("Njurmedicin Test").first.wait_for()
    record_consent(page)
    with page.expect_navigation(url="**/cases/*/"):
        page.locator("button[name=submit]").click()
    return ResponsibilityCase.objects.get(patient=patient)


def _review(page: Any, case: ResponsibilityCase, dispute: dict[str, str] | None = None) -> None:
    """Answer every task the page offers the person: accept, or dispute those in ``dispute`` (code:
    position)."""
    for code, text in (dispute or {}).items():
        task = case.tasks.get(task_type__code=code)
        page.locator(f"#action-accept input[name='accept-answer_{task.public_id}'][value=dispute]").check()
        page.fill(f"#id_accept-text_{task.public_id}", text)
    _click(page, "#action-accept button[type=submit]")


@pytest.fixture
def people(as_user: Any) -> dict[str, Any]:
    """A page per person, logged in once, opened as they are first needed."""

    class Pages(dict[str, Any]):
        def __missing__(self, username: str) -> Any:
            self[username] = as_user(username)
            return self[username]

    return Pages()


def test_pd_tpn_and_medication_each_party_told_in_turn(
    live_server: Any, world: World, tpn_and_medication: Halland, people: dict[str, Any]
) -> None:
    told = Told(world)
    patient = world.patient(given_name="Greta", family_name="Andersson")

    nurse = people["nurse.a"]
    case = _new_case(
        nurse,
        live_server,
        patient,
        [(PD, "Perito"), (TPN, "Parenteral"), (MEDICATION, "Läkemedel")],
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    # The clinic answers for PD and TPN, which it orders; the vårdcentral for the medication.
    assert told.step(case) == {"specialist": K.REVIEW_REQUESTED, "gp_a": K.REVIEW_REQUESTED}

    specialist = people["specialist"]
    _from_inbox(specialist, world, "specialist", case, K.REVIEW_REQUESTED)
    screenshot(specialist, "handoff-a-01-specialist-review")
    offered = specialist.locator("#action-accept input[value=accept]")
    assert offered.count() == 2  # PD and TPN only
    _review(specialist, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_REVIEW
    assert _state(case) == {PD: ReviewState.ACCEPTED, TPN: ReviewState.ACCEPTED, MEDICATION: "pending"}
    assert told.step(case) == {"nurse_a": K.TASKS_ACCEPTED}

    gp = people["gp.a"]
    _from_inbox(gp, world, "gp_a", case, K.REVIEW_REQUESTED)
    assert gp.locator("#action-accept input[value=accept]").count() == 1  # the medication
    _review(gp, case)
    case.refresh_from_db()
    assert case.status == CaseStatus.RISK_ANALYSIS
    assert set(_state(case).values()) == {ReviewState.ACCEPTED}
    assert told.step(case) == {"nurse_a": K.ANALYSIS_REQUESTED, "specialist": K.TASKS_ACCEPTED}

    _from_inbox(nurse, world, "nurse_a", case, K.ANALYSIS_REQUESTED)
    _click(nurse, f"a[href='/cases/{case.public_id}/risk-analysis/']")
    nurse.fill("#id_hazard-0-description", "Peritonit vid påsbyte; infektion i central infart")
    nurse.select_option("#id_hazard-0-likelihood", "2")
    nurse.select_option("#id_hazard-0-consequence", "4")
    nurse.locator("#preview-matrix .hazard-marks").first.wait_for()
    _click(nurse, "#analysis-form button.primary")
    assert case.risk_analyses.count() == 1
    # The analysis's one named signer: the specialist, who orders the tasks it covers.
    assert told.step(case) == {"specialist": K.SIGNATURE_REQUESTED}

    _from_inbox(specialist, world, "specialist", case, K.SIGNATURE_REQUESTED)
    _click(specialist, f"a[href='/cases/{case.public_id}/risk-analysis/']")
    screenshot(specialist, "handoff-a-02-specialist-signs")
    _click(specialist, "form[action*='sign_analysis'] button")
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_APPROVAL
    assert told.step(case) == {"mas_a": K.APPROVAL_REQUESTED}

    mas = people["mas.a"]
    _from_inbox(mas, world, "mas_a", case, K.APPROVAL_REQUESTED)
    _click(mas, f"a[href='/cases/{case.public_id}/risk-analysis/']")
    _click(mas, "form[action*='approve_analysis'] button")
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED
    assert told.step(case) == {"nurse_a": K.CASE_AGREED, "gp_a": K.CASE_AGREED, "specialist": K.CASE_AGREED}

    _from_inbox(nurse, world, "nurse_a", case, K.CASE_AGREED)
    with nurse.expect_navigation(url="**/sip/*/"):
        nurse.locator("form[action*='/sip/from-case/'] button").click()
    assert told.step(case) == {"gp_a": K.SIP_STARTED, "specialist": K.SIP_STARTED}
    fill_sip_editor(nurse)
    _click(nurse, "button[formaction*='finalise']")
    screenshot(nurse, "handoff-a-03-sip-finalised")
    # Finalising the plan makes the case active: the parties are told of both.
    finalised = (K.CASE_ACTIVE, K.SIP_FINALISED)
    assert told.step(case) == {"gp_a": finalised, "specialist": finalised}

    # The parties read of it in their inbox and land on the case.
    _from_inbox(gp, world, "gp_a", case, K.SIP_FINALISED)
    _from_inbox(specialist, world, "specialist", case, K.SIP_FINALISED)
    screenshot(specialist, "handoff-a-04-specialist-sip-told")


def test_one_task_disputed_climbs_the_ladder_to_a_binding_decision(
    live_server: Any, world: World, tpn_and_medication: Halland, people: dict[str, Any]
) -> None:
    told = Told(world)
    patient = world.patient(given_name="Sven", family_name="Lindqvist")

    nurse = people["nurse.a"]
    case = _new_case(
        nurse,
        live_server,
        patient,
        [(PD, "Perito"), (TPN, "Parenteral"), (WOUND, "sårvård"), (MEDICATION, "Läkemedel")],
    )
    assert told.step(case) == {"specialist": K.REVIEW_REQUESTED, "gp_a": K.REVIEW_REQUESTED}

    specialist = people["specialist"]
    _from_inbox(specialist, world, "specialist", case, K.REVIEW_REQUESTED)
    _review(specialist, case)
    assert told.step(case) == {"nurse_a": K.TASKS_ACCEPTED}

    # The GP accepts the wound care and disputes the medication.
    gp = people["gp.a"]
    _from_inbox(gp, world, "gp_a", case, K.REVIEW_REQUESTED)
    _review(gp, case, dispute={MEDICATION: "Kommunen ordinerar via sin läkarresurs i särskilt boende."})
    case.refresh_from_db()
    # Only the disputed task waits; the three others are agreed at once.
    assert _state(case) == {
        PD: ReviewState.ACCEPTED,
        TPN: ReviewState.ACCEPTED,
        WOUND: ReviewState.ACCEPTED,
        MEDICATION: ReviewState.DISPUTED,
    }
    assert case.status == CaseStatus.DISPUTED
    screenshot(gp, "handoff-b-01-one-task-disputed")
    # The kommun (its coordinator first) and the clinic are told; the GP who disputed is not.
    assert told.step(case) == {
        "coordinator_a": K.CASE_DISPUTED,
        "nurse_a": K.CASE_DISPUTED,
        "specialist": K.CASE_DISPUTED,
    }

    # The kommun's coordinator escalates to lokal samverkan (level 1).
    coordinator = people["coordinator.a"]
    _from_inbox(coordinator, world, "coordinator_a", case, K.CASE_DISPUTED)
    coordinator.fill("#id_escalate-reason", "Parterna är oeniga om läkemedelshanteringen.")
    _click(coordinator, "#action-escalate button[type=submit]")
    case.refresh_from_db()
    assert (case.status, case.escalation_level) == (CaseStatus.ESCALATED, 1)
    # Lokal samverkan must decide; the parties and the vårdcentral's coordinator hear of it.
    assert told.step(case) == dict.fromkeys(
        ("governance_lokal", "nurse_a", "coordinator_vc_a", "gp_a", "specialist"), K.CASE_ESCALATED
    )

    lokal = people["governance.lokal"]
    _from_inbox(lokal, world, "governance_lokal", case, K.CASE_ESCALATED)
    medication = case.tasks.get(task_type__code=MEDICATION)
    decide = lokal.locator("#action-decide")
    # Only the disputed task is decided, pre-filled from the proposal.
    assert decide.locator(f"select[name='decide-split_{medication.public_id}_performs']").count() == 1
    for task in case.tasks.exclude(pk=medication.pk):
        assert decide.locator(f"[name*='{task.public_id}']").count() == 0
    decide.locator("input[name=decide-outcome][value=agreed]").check()
    lokal.fill("#id_decide-reasons", "Vårdcentralen ordinerar enligt § 4.1; kommunen utför.")
    _click(lokal, "#action-decide button[type=submit]")
    case.refresh_from_db()
    assert (case.status, case.escalation_level) == (CaseStatus.ESCALATED, 1)  # a recommendation
    # Each side accepts or declines the recommendation (the nurse only hears of it).
    assert told.step(case) == dict.fromkeys(
        ("coordinator_a", "mas_a", "coordinator_vc_a", "gp_a", "specialist", "nurse_a"), K.RECOMMENDATION_MADE
    )

    # The kommun accepts the recommendation; the vårdcentral does not.
    _from_inbox(coordinator, world, "coordinator_a", case, K.RECOMMENDATION_MADE)
    _click(coordinator, "#action-accept_recommendation button[type=submit]")
    assert told.step(case) == dict.fromkeys(
        ("nurse_a", "coordinator_vc_a", "gp_a", "specialist", "governance_lokal"), K.POSITION_STATED
    )
    _from_inbox(gp, world, "gp_a", case, K.RECOMMENDATION_MADE)
    gp.fill("#id_decline_recommendation-reason", "Vårdcentralen har ingen läkare i särskilt boende.")
    _click(gp, "#action-decline_recommendation button[type=submit]")
    case.refresh_from_db()
    assert (case.status, case.escalation_level) == (CaseStatus.ESCALATED, 1)
    # Both coordinators may now send it on; the body hears that its recommendation is declined.
    assert told.step(case) == dict.fromkeys(
        ("coordinator_a", "coordinator_vc_a", "governance_lokal"), K.POSITION_STATED
    )

    # A coordinator sends the declined recommendation on to RUG (level 2), which cannot settle it.
    coordinator_vc = people["coordinator.vc.a"]
    _from_inbox(coordinator_vc, world, "coordinator_vc_a", case, K.POSITION_STATED)
    coordinator_vc.fill("#id_escalate-reason", "Rekommendationen godtas inte av vårdcentralen.")
    _click(coordinator_vc, "#action-escalate button[type=submit]")
    case.refresh_from_db()
    assert (case.status, case.escalation_level) == (CaseStatus.ESCALATED, 2)
    assert told.step(case) == dict.fromkeys(
        ("governance", "coordinator_a", "nurse_a", "gp_a", "specialist"), K.CASE_ESCALATED
    )

    rug = people["governance"]
    _from_inbox(rug, world, "governance", case, K.CASE_ESCALATED)
    rug.fill("#id_cannot_settle-reason", "Frågan gäller hela regionens avtal.")
    _click(rug, "#action-cannot_settle button[type=submit]")
    case.refresh_from_db()
    assert (case.status, case.escalation_level) == (CaseStatus.ESCALATED, 3)
    assert told.step(case) == dict.fromkeys(
        ("governance_gnhh", "coordinator_a", "nurse_a", "coordinator_vc_a", "gp_a", "specialist"),
        K.CASE_ESCALATED,
    )

    gnhh = people["governance.gnhh"]
    _from_inbox(gnhh, world, "governance_gnhh", case, K.CASE_ESCALATED)
    screenshot(gnhh, "handoff-b-02-gnhh-decides")
    gnhh.locator("#action-decide input[name=decide-outcome][value=agreed]").check()
    gnhh.fill("#id_decide-reasons", "Beslut: vårdcentralen ordinerar och följer upp, kommunen utför.")
    _click(gnhh, "#action-decide button[type=submit]")
    case.refresh_from_db()
    # Binding: the medication is decided, the PD and TPN need their risk analysis.
    assert case.status == CaseStatus.RISK_ANALYSIS
    assert _state(case)[MEDICATION] == ReviewState.DECIDED
    decision = EscalationDecision.objects.get(case=case, level=3)
    assert decision.outcome == DecisionOutcome.AGREED
    # Every party is told of the decision; the nurse that it is her turn to write the risk analysis.
    decided = told.step(case)
    assert decided == {
        "nurse_a": K.ANALYSIS_REQUESTED,
        **dict.fromkeys(("coordinator_a", "coordinator_vc_a", "gp_a", "specialist"), K.CASE_DECIDED),
    }
    # The decider lands on the case and sees the decision; its notice was made by the worker as the
    # decision was committed (nobody asks for it), so the page offers no second one.
    assert gnhh.locator(f"#decision-{decision.public_id}").count() == 1
    gnhh.reload()
    gnhh.locator(f"#docs-{decision.public_id}-list a[download]").wait_for()
    assert gnhh.locator(f"#docs-{decision.public_id} form button").count() == 0
    screenshot(gnhh, "handoff-b-03-decision-notice")

    # Every party is told, follows the notice to the case, finds the decision notice and downloads it.
    for username, key, page in (
        ("gp.a", "gp_a", gp),
        ("nurse.a", "nurse_a", nurse),
        ("specialist", "specialist", specialist),
        ("coordinator.a", "coordinator_a", coordinator),
        ("coordinator.vc.a", "coordinator_vc_a", coordinator_vc),
    ):
        kind = decided[key]
        _from_inbox(page, world, key, case, kind)
        link = page.locator(f"#docs-{decision.public_id}-list a[download]")
        assert link.count() == 1, username
        with page.expect_download() as info:
            link.click()
        with open(info.value.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-", username
    screenshot(gp, "handoff-b-04-gp-reads-decision-notice")
