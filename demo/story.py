"""The story driver: one demo case driven through the real services, step by step, by the demo user whose
job each step is (see ``demo.cases``). Each step is what that person would do on the page or in the API;
no status is ever written directly. ``drive`` takes a new case along its path (``demo.scenarios``).
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from agreements.choices import TaskKind
from cases import selectors as case_selectors
from cases import services as case_services
from cases.governance import tasks_to_decide
from cases.models import (
    CaseStatus,
    CaseTask,
    ProposalStatus,
    ResponsibilityCase,
    ReviewState,
    RiskAnalysis,
    Urgency,
)
from cases.transitions import A
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind, Role
from sip import services as sip_services
from sip.models import (
    Attendance,
    ConsentGivenBy,
    ContactPeriod,
    DistributionMethod,
    FollowUpOutcome,
    OtherActorKind,
    ParticipantKind,
    RecipientKind,
    Sip,
)

from .scenarios import (
    ACTIVE,
    AGREED,
    ANALYSIS_PATHS,
    DECIDED_WITHDRAWN,
    DECISION_WITHDRAWN,
    DECLINE_REASON,
    DISPUTE_PATHS,
    DISPUTED,
    DRAFT,
    ESCALATE_REASONS,
    ESCALATED_1,
    ESCALATED_2,
    ESCALATED_3,
    FOLLOW_UP,
    FOLLOW_UP_NOTES,
    IN_REVIEW,
    LEVEL_COMMENTS,
    NEXT_OF_KIN,
    RISK_ANALYSIS,
    WITHDRAW_REASONS,
    WITHDRAWN,
    Scenario,
)
from .sip_plan import insatser_with_when


class DemoCasesError(Exception):
    """A demo case could not be driven through the services."""


# --- The people --------------------------------------------------------------------------------------


class Cast:
    """The demo users by role and organisation, as ``Actor`` s (loaded once each)."""

    def __init__(self) -> None:
        self._actors: dict[tuple[str, int], Actor] = {}
        self._by_name: dict[str, Organisation] = {
            o.name: o for o in Organisation.objects.filter(is_active=True).order_by("pk")
        }

    def organisation(self, name: str) -> Organisation:
        return self._by_name[name]

    @property
    def mobile_team(self) -> Organisation | None:
        return next((o for o in self._by_name.values() if o.kind == OrganisationKind.MOBILE_TEAM), None)

    def actor(self, role: str, organisation_id: int) -> Actor:
        key = (role, organisation_id)
        if key not in self._actors:
            users = [
                m.user
                for m in Membership.objects.active()
                .filter(role=role, organisation_id=organisation_id, user__is_active=True)
                .select_related("user")
            ]
            if not users:
                raise LookupError(f"no {role} in organisation {organisation_id}")
            # The user named for the role (mas.falkenberg) before one who also holds it (tf. MAS).
            users.sort(key=lambda u: (not u.username.startswith(f"{role}."), u.username))
            self._actors[key] = Actor.for_user(users[0])
        return self._actors[key]


@dataclass
class Story:
    """One case on its way through the services."""

    number: int
    path: str
    scenario: Scenario
    rng: random.Random
    cast: Cast
    case: ResponsibilityCase
    kommun: Organisation
    vardcentral: Organisation
    clinic: Organisation | None
    analysis: RiskAnalysis | None = None
    sip: Sip | None = None

    # -- who --
    def nurse(self) -> Actor:
        return self.cast.actor(self.scenario.opener, self.kommun.pk)

    def gp(self) -> Actor:
        return self.cast.actor(Role.GP, self.vardcentral.pk)

    def mas(self) -> Actor:
        return self.cast.actor(Role.MAS, self.kommun.pk)

    def coordinator(self) -> Actor:
        return self.cast.actor(Role.COORDINATOR, self.kommun.pk)

    def specialist(self) -> Actor:
        assert self.clinic is not None
        return self.cast.actor(Role.SPECIALIST, self.clinic.pk)

    def org(self, key: str) -> Organisation:
        if key == "clinic" and self.clinic is not None:
            return self.clinic
        return self.kommun if key == "kommun" else self.vardcentral

    def refresh(self) -> None:
        self.case.refresh_from_db()

    @property
    def status(self) -> str:
        return self.case.status

    # -- review --
    def _fallback_split(self, task: CaseTask) -> case_services.Split:
        proposal = task.proposal or {}

        def org(name: str, default: Organisation) -> Organisation:
            ref = (proposal.get(name) or {}).get("organisation") or {}
            found = Organisation.objects.filter(public_id=ref["id"]).first() if ref.get("id") else None
            return found or default

        region_side = self.clinic or self.vardcentral
        if task.task_type.kind == TaskKind.PHYSICIAN:
            return case_services.Split(task.public_id, self.vardcentral, self.vardcentral, self.vardcentral)
        performs_default = self.kommun if task.task_type.kind != TaskKind.SPECIALISED else region_side
        orders_default = self.kommun if task.task_type.kind == TaskKind.REHAB else self.vardcentral
        return case_services.Split(
            task.public_id,
            org("orders", orders_default),
            org("performs", performs_default),
            org("follows_up", orders_default),
        )

    def submit(self) -> None:
        self.case = case_services.case_submit(actor=self.nurse(), case=self.case, expected_version=None)

    def reviewer(self, organisation_id: int) -> Actor:
        """Who answers for ``organisation_id`` in a review: its GP, specialist, nurse or MAS."""
        for role in (Role.GP, Role.SPECIALIST, Role.NURSE, Role.MAS):
            try:
                return self.cast.actor(role, organisation_id)
            except LookupError:
                continue
        raise DemoCasesError(f"nobody answers for organisation {organisation_id}")

    def _awaiting(self, tasks: list[CaseTask]) -> dict[int, list[CaseTask]]:
        """``tasks`` by the organisation whose answer each still awaits (every party to it in turn)."""
        self.refresh()
        parties = case_selectors.task_parties_for([(self.case, tasks)])
        answers = case_selectors.task_answers_many([t.pk for t in tasks])
        waiting: dict[int, list[CaseTask]] = {}
        for task in tasks:
            for organisation_id in sorted(parties[task.pk].awaited - set(answers.get(task.pk, {}))):
                waiting.setdefault(organisation_id, []).append(task)
        return waiting

    def _accept(self, tasks: list[CaseTask]) -> None:
        """Every party each of ``tasks`` awaits accepts it (the reviewer states a split where unclear)."""
        for organisation_id, mine in self._awaiting(tasks).items():
            splits = [
                self._fallback_split(t)
                if t.proposal_status == ProposalStatus.UNCLEAR
                else case_services.Split(t.public_id)
                for t in mine
            ]
            reason = (
                "Ansvaret för LSS-bostaden är oreglerat; vårdcentralen tar ordinationsansvaret tills vidare."
                if organisation_id == self.vardcentral.pk
                and any(t.proposal_status == ProposalStatus.UNCLEAR for t in mine)
                else ""
            )
            self.case = case_services.case_accept(
                actor=self.reviewer(organisation_id),
                case=self.case,
                expected_version=None,
                splits=splits,
                reason=reason,
            )

    def _pending(self) -> list[CaseTask]:
        tasks = self.case.tasks.select_related("task_type").order_by("pk")
        return [t for t in tasks if t.review_state == ReviewState.PENDING]

    def accept(self, *, partial: bool = False) -> None:
        pending = self._pending()
        self._accept(pending[:1] if partial else pending)

    def dispute(self) -> None:
        scenario = self.scenario
        orders, performs, follows_up = (self.org(k) for k in (scenario.gp_split or ("vc", "kommun", "vc")))
        tasks = list(self.case.tasks.select_related("task_type").order_by("pk"))
        # The task the scenario is about (for an unclear case every unclear task) is disputed by the
        # vårdcentral where it answers for it, else by the clinic, else by the party it awaits.
        disputed = [t for t in tasks if t.proposal_status == ProposalStatus.UNCLEAR] or tasks[:1]
        parties = case_selectors.task_parties_for([(self.case, disputed)])[disputed[0].pk]
        if self.vardcentral.pk in parties.may_answer:
            disputer, text = self.vardcentral.pk, scenario.gp_position
            reason = "Vårdcentralen delar inte förslaget."
        elif self.clinic is not None and self.clinic.pk in parties.may_answer:
            disputer, text = self.clinic.pk, scenario.specialist_position or scenario.gp_position
            reason = "Specialistkliniken delar inte förslaget."
        else:
            disputer, text = min(parties.awaited), scenario.gp_position
            reason = "Förslaget delas inte."
        self.case = case_services.case_dispute(
            actor=self.reviewer(disputer),
            case=self.case,
            expected_version=None,
            positions=[
                case_services.PositionInput(
                    task=t.public_id, text=text, orders=orders, performs=performs, follows_up=follows_up
                )
                for t in disputed
            ],
            reason=reason,
        )
        # The tasks nobody disputes are answered by their parties (agreed at once); then the case is
        # disputed, for the disputed tasks only.
        self._accept(self._pending())
        if disputer != self.vardcentral.pk and scenario.gp_position:
            self.case = case_services.case_state_position(
                actor=self.gp(),
                case=self.case,
                expected_version=None,
                positions=[
                    case_services.PositionInput(task=t.public_id, text=scenario.gp_position) for t in disputed
                ],
            )
        kommun_split = self._fallback_split(disputed[0])
        self.case = case_services.case_state_position(
            actor=self.nurse(),
            case=self.case,
            expected_version=None,
            positions=[
                case_services.PositionInput(
                    task=t.public_id,
                    text=scenario.kommun_position,
                    orders=kommun_split.orders,
                    performs=self.clinic or self.vardcentral
                    if t.proposal_status == ProposalStatus.UNCLEAR
                    else kommun_split.performs,
                    follows_up=kommun_split.follows_up,
                )
                for t in disputed
            ],
        )
        if self.clinic is not None and scenario.specialist_position and disputer != self.clinic.pk:
            self.case = case_services.case_state_position(
                actor=self.specialist(),
                case=self.case,
                expected_version=None,
                positions=[
                    case_services.PositionInput(task=t.public_id, text=scenario.specialist_position)
                    for t in disputed
                ],
            )

    def governance(self) -> Actor:
        return self.cast.actor(Role.GOVERNANCE, _require(self.case.escalation_body_id))

    def escalate(self) -> None:
        """Up one level, as the ladder allows: lokal samverkan recommends and the vårdcentral declines,
        so the kommun's coordinator takes the case on; RUG finds it cannot settle the case."""
        level = (self.case.escalation_level or 0) + 1
        if level == 2:
            self._decide(reasons=self.scenario.decision)
            self.case = case_services.case_answer_recommendation(
                actor=self.gp(), case=self.case, expected_version=None, accept=False, reason=DECLINE_REASON
            )
        elif level == 3:
            self.case = case_services.case_cannot_settle(
                actor=self.governance(), case=self.case, expected_version=None, reasons=LEVEL_COMMENTS[2]
            )
            return
        self.case = case_services.case_escalate(
            actor=self.coordinator(), case=self.case, expected_version=None, reason=ESCALATE_REASONS[level]
        )

    def auto_escalate(self) -> None:
        """DEMO ONLY: the review deadline is moved into the past, then the reminder service runs."""
        ResponsibilityCase.objects.filter(pk=self.case.pk).update(
            due_at=timezone.now() - datetime.timedelta(days=self.rng.randint(1, 3))
        )
        case_services.case_remind_if_overdue(case_id=self.case.pk, now=timezone.now())
        self.refresh()

    def _decide(self, *, reasons: str, withdraw: bool = False) -> None:
        if withdraw:
            self.case = case_services.case_decide(
                actor=self.governance(),
                case=self.case,
                expected_version=None,
                outcome="withdrawn",
                reasons=reasons,
            )
            return
        tasks = tasks_to_decide(self.case.tasks.select_related("task_type"))
        self.case = case_services.case_decide(
            actor=self.governance(),
            case=self.case,
            expected_version=None,
            outcome="agreed",
            reasons=reasons,
            splits=[self._fallback_split(t) for t in tasks],
        )

    def decide(self, *, withdraw: bool) -> None:
        """The body at the case's level decides; where it only recommends, both parties accept."""
        reasons = self.rng.choice(DECISION_WITHDRAWN) if withdraw else self.scenario.decision
        self._decide(reasons=reasons, withdraw=withdraw)
        if self.case.status == CaseStatus.ESCALATED:
            for actor in (self.coordinator(), self.gp()):
                self.case = case_services.case_answer_recommendation(
                    actor=actor, case=self.case, expected_version=None, accept=True
                )

    # -- risk analysis --
    def write_analysis(self) -> None:
        today = timezone.localdate()
        hazards = [
            case_services.HazardInput(
                description=h.description,
                likelihood=h.likelihood,
                consequence=h.consequence,
                measures=[
                    case_services.MeasureInput(
                        description=h.measure,
                        owner_organisation=self.org(h.owner),
                        owner_name="Ansvarig sjuksköterska" if h.owner == "kommun" else "Ansvarig läkare",
                        due_on=today + datetime.timedelta(days=self.rng.randint(7, 21)),
                    )
                ],
            )
            for h in self.scenario.hazards
        ]
        self.analysis = case_services.risk_analysis_create(
            actor=self.nurse()
            if self.scenario.opener == Role.NURSE
            else self.cast.actor(Role.NURSE, self.kommun.pk),
            case=self.case,
            expected_version=None,
            data=case_services.AnalysisInput(
                hazards=hazards,
                summary=self.scenario.summary,
                review_on=today + datetime.timedelta(days=180),
            ),
        )
        self.refresh()

    def sign_analysis(self) -> None:
        assert self.analysis is not None
        # The one named signer: the physician who orders the tasks the analysis covers.
        by_clinic = case_selectors.case_facts(self.case).signer_party == "clinic"
        signer = self.specialist() if by_clinic else self.gp()
        case_services.risk_analysis_sign(
            actor=signer, case=self.case, analysis=self.analysis, expected_version=None
        )
        self.refresh()

    def approve_analysis(self) -> None:
        assert self.analysis is not None
        case_services.risk_analysis_approve(
            actor=self.mas(), case=self.case, analysis=self.analysis, expected_version=None
        )
        self.refresh()

    def reject_analysis(self) -> None:
        assert self.analysis is not None
        case_services.risk_analysis_reject(
            actor=self.mas(),
            case=self.case,
            analysis=self.analysis,
            expected_version=None,
            reason=self.scenario.rejection or "Åtgärderna saknar ansvarig och datum. Komplettera.",
        )
        self.refresh()

    def settle_analysis(self) -> None:
        """From ``risk_analysis`` to ``agreed``; one analysis in four is rejected once on the way.

        Where nobody in the kommun approves the analysis, signing it agrees the case (MAS is informed).
        """
        self.write_analysis()
        self.sign_analysis()
        if not self.scenario.kommun_approves:
            return
        if self.rng.random() < 0.25:
            self.reject_analysis()
            self.write_analysis()
            self.sign_analysis()
        self.approve_analysis()

    def remind_overdue(self) -> None:
        """DEMO ONLY: the approval deadline is moved into the past, then the reminder service runs."""
        ResponsibilityCase.objects.filter(pk=self.case.pk).update(
            due_at=timezone.now() - datetime.timedelta(days=self.rng.randint(1, 6))
        )
        case_services.case_remind_if_overdue(case_id=self.case.pk, now=timezone.now())
        self.refresh()

    # -- the SIP and the follow-up cycle --
    def start_sip(self) -> None:
        nurse = self.nurse()
        case = case_selectors.case_get(actor=nurse, public_id=self.case.public_id)
        sip = sip_services.sip_create_from_case(actor=nurse, case=case)
        patient = self.case.patient
        today = timezone.localdate()
        relation, kin_name = self.rng.choice(NEXT_OF_KIN)
        kin_full = f"{kin_name} {patient.family_name}"
        nurse_name = nurse.user.get_full_name()
        gp_name = self.gp().user.get_full_name()
        huvudansvar = self.org(self.scenario.huvudansvar)
        number = f"{self.number % 100:02d}"
        participants = [
            sip_services.ParticipantInput(
                name=f"{patient.given_name} {patient.family_name}",
                kind=ParticipantKind.PERSON,
                attendance=Attendance.YES,
                phone=f"0340-61 {number} 0",
            ),
            sip_services.ParticipantInput(
                name=kin_full,
                kind=ParticipantKind.NEXT_OF_KIN,
                role=relation,
                attendance=self.rng.choice((Attendance.YES, Attendance.REMOTE)),
                phone=f"070-512 {number} 11",
                email=f"{kin_name.lower()}.{number}@example.se" if self.rng.random() < 0.5 else "",
            ),
            sip_services.ParticipantInput(
                name=nurse_name,
                kind=ParticipantKind.KOMMUN,
                organisation=self.kommun,
                role="Sjuksköterska, fast vårdkontakt",
                attendance=Attendance.YES,
                phone=f"031-390 06 {number}",
            ),
            sip_services.ParticipantInput(
                name=gp_name,
                kind=ParticipantKind.REGION,
                organisation=self.vardcentral,
                role="Fast läkarkontakt",
                attendance=self.rng.choice((Attendance.YES, Attendance.REMOTE, Attendance.NO)),
                phone=f"031-345 10 {number}",
            ),
        ]
        if self.clinic is not None:
            participants.append(
                sip_services.ParticipantInput(
                    name=self.specialist().user.get_full_name(),
                    kind=ParticipantKind.REGION,
                    organisation=self.clinic,
                    role="Specialistläkare",
                    attendance=Attendance.REMOTE,
                    phone="035-13 10 00",
                )
            )
        with_sol = self.rng.random() < 0.6
        handlaggare = self.cast.actor(Role.BISTANDSHANDLAGGARE, self.kommun.pk) if with_sol else None
        if handlaggare is not None:
            participants.append(
                sip_services.ParticipantInput(
                    name=handlaggare.user.get_full_name(),
                    kind=ParticipantKind.KOMMUN,
                    organisation=self.kommun,
                    role="Biståndshandläggare",
                    attendance=Attendance.YES,
                    phone=f"031-390 07 {number}",
                )
            )
        night = self.clinic or self.kommun
        contact_paths = [
            sip_services.ContactPathInput(
                period=ContactPeriod.DAY,
                who=f"Hemsjukvården, {self.kommun.name}, ansvarig sjuksköterska",
                phone=f"031-390 06 {number}",
                organisation=self.kommun,
            ),
            sip_services.ContactPathInput(
                period=ContactPeriod.EVENING_NIGHT,
                who=f"{night.name}, jourhavande" if self.clinic else "Kommunens nattsjuksköterska",
                phone=f"070-174 06 {number}",
                organisation=night,
            ),
            sip_services.ContactPathInput(
                period=ContactPeriod.WEEKEND,
                who="Kommunens helgsjuksköterska; läkare via jourcentralen",
                phone=f"031-390 06 {(self.number + 50) % 100:02d}",
                organisation=self.kommun,
            ),
        ]
        with_kin = self.rng.random() < 0.7
        other_measures = (
            [
                sip_services.OtherMeasureInput(
                    description="Handlar, följer med på återbesök och hör av sig vid försämring.",
                    actor_kind=OtherActorKind.NEXT_OF_KIN,
                    actor_name=f"{kin_full} ({relation.lower()})",
                )
            ]
            if with_kin
            else []
        )
        huvudansvar_contact = (
            (nurse_name, f"031-390 06 {number}")
            if huvudansvar == self.kommun
            else (self.specialist().user.get_full_name(), "035-13 10 00")
            if huvudansvar == self.clinic
            else (gp_name, f"031-345 10 {number}")
        )
        draft = sip.versions.get()
        sip_services.sip_update_draft(
            actor=nurse,
            sip=sip,
            expected_revision=None,
            changes=sip_services.DraftChanges(
                bistandshandlaggare=handlaggare.user if handlaggare is not None else None,
                insatser=insatser_with_when(draft, rng=self.rng, today=today, with_sol=with_sol),
                fields={
                    "huvudansvar": huvudansvar,
                    "huvudansvar_contact": huvudansvar_contact[0],
                    "huvudansvar_phone": huvudansvar_contact[1],
                    "fast_vardkontakt_name": nurse_name,
                    "fast_vardkontakt_unit": f"Hemsjukvården, {self.kommun.name}",
                    "fast_vardkontakt_phone": f"031-390 06 {number}",
                    "fast_lakarkontakt_name": gp_name,
                    "fast_lakarkontakt_unit": self.vardcentral.name,
                    "fast_lakarkontakt_phone": f"031-345 10 {number}",
                    "no_other_measures": not with_kin,
                    "what_matters": self.scenario.what_matters,
                    "own_goals": self.scenario.own_goals,
                    "follow_up_on": today + datetime.timedelta(days=self.rng.randint(30, 120)),
                    "consent_given_by": ConsentGivenBy.PERSON,
                    "consent_given_by_name": f"{patient.given_name} {patient.family_name}",
                    "consent_scope": "Att planen upprättas och att kommunen och regionen delar de "
                    "uppgifter som behövs för den.",
                    "consent_given_on": today,
                },
                other_measures=other_measures,
                participants=participants,
                contact_paths=contact_paths,
            ),
        )
        sip_services.sip_finalise(actor=nurse, sip=sip, expected_revision=None)
        # The plan is handed to the person at the meeting and sent to the närstående: recorded, not sent.
        sip_services.sip_record_distribution(
            actor=nurse,
            sip=sip,
            expected_revision=None,
            recipient_kind=RecipientKind.PERSON,
            recipient_name=f"{patient.given_name} {patient.family_name}",
            method=DistributionMethod.BY_HAND,
            given_on=today,
        )
        sip_services.sip_record_distribution(
            actor=nurse,
            sip=sip,
            expected_revision=None,
            recipient_kind=RecipientKind.PARTICIPANT,
            recipient_name=kin_full,
            method=self.rng.choice((DistributionMethod.POST, DistributionMethod.E_SERVICE_1177)),
            given_on=today,
        )
        self.sip = sip
        self.refresh()

    def start_follow_up(self) -> None:
        self.case = case_services.case_move(
            actor=self.nurse(),
            case=self.case,
            expected_version=None,
            action=A.START_FOLLOW_UP,
            reason="Uppföljningsdatumet i SIP har passerats; uppföljningsmöte bokat.",
        )

    def close_after_follow_up(self) -> None:
        assert self.sip is not None
        sip_services.sip_record_follow_up(
            actor=self.nurse(),
            sip=self.sip,
            expected_revision=None,
            held_on=timezone.localdate(),
            outcome=FollowUpOutcome.CLOSE,
            notes=self.rng.choice(FOLLOW_UP_NOTES),
        )
        self.refresh()

    def withdraw(self) -> None:
        self.case = case_services.case_withdraw(
            actor=self.nurse(),
            case=self.case,
            expected_version=None,
            reason=self.rng.choice(WITHDRAW_REASONS),
        )


def _require(value: int | None) -> int:
    if value is None:
        raise DemoCasesError("the case has no escalation body")
    return value


def _to_agreed(story: Story) -> None:
    """From ``in_review`` (or a decision) on to ``agreed``, through the analysis where one is needed."""
    if story.status == CaseStatus.IN_REVIEW:
        story.accept()
    if story.status == CaseStatus.RISK_ANALYSIS:
        story.settle_analysis()


def drive(story: Story) -> None:
    path, rng = story.path, story.rng
    if path == DRAFT:
        if rng.random() < 0.4:
            story.case = case_services.case_update(
                actor=story.nurse(),
                case=story.case,
                expected_version=None,
                fields={
                    "urgency": Urgency.URGENT if story.case.urgency == Urgency.ROUTINE else Urgency.ROUTINE
                },
            )
        return
    story.submit()
    if path == IN_REVIEW:
        if story.case.tasks.count() > 1 and rng.random() < 0.4:
            story.accept(partial=True)
        return
    if path == WITHDRAWN:
        if rng.random() < 0.5:
            story.accept()
        story.withdraw()
        return
    if path in DISPUTE_PATHS:
        if path == ESCALATED_1 and rng.random() < 0.3:
            story.auto_escalate()  # the vårdcentral did not answer in time
        else:
            story.dispute()
        if path == DISPUTED:
            return
        levels = {ESCALATED_1: 1, ESCALATED_2: 2, ESCALATED_3: 3}.get(path) or rng.choice((1, 1, 2, 3))
        while (story.case.escalation_level or 0) < levels:
            story.escalate()
        if path in (ESCALATED_1, ESCALATED_2, ESCALATED_3):
            return
        story.decide(withdraw=path == DECIDED_WITHDRAWN)
        if path == DECIDED_WITHDRAWN:
            return
        _to_agreed(story)
        if rng.random() < 0.6:
            story.start_sip()
        return
    story.accept()
    if path in ANALYSIS_PATHS:
        if rng.random() < 0.3 and story.scenario.kommun_approves:
            story.write_analysis()
            story.sign_analysis()
            story.reject_analysis()  # back to risk_analysis, waiting for a new version
            if path == RISK_ANALYSIS:
                return
        story.write_analysis()
        if path == RISK_ANALYSIS:
            return
        story.sign_analysis()
        if rng.random() < 0.3:
            story.remind_overdue()
        return
    _to_agreed(story)
    if path == AGREED:
        return
    story.start_sip()
    if path == ACTIVE:
        return
    if path == FOLLOW_UP:
        story.start_follow_up()
        return
    story.close_after_follow_up()
