"""Cases, tasks and their timelines for the national world."""

from __future__ import annotations

import datetime
import json
import random
import uuid
from dataclasses import dataclass
from typing import Any

from bench.national.copying import Copier, _text
from bench.national.organisations import PatientRow, World, _cumulative, _next_id
from bench.national.shape import HALLAND, STATUS_WEIGHTS, TRIGGERS

# --- Cases, tasks and timelines ------------------------------------------------------------------------


CASE_COLUMNS = [
    "id",
    "public_id",
    "created_at",
    "updated_at",
    "patient_id",
    "opened_by_id",
    "opened_by_organisation_id",
    "kommun_id",
    "vardcentral_id",
    "specialist_clinic_id",
    "trigger",
    "urgency",
    "background",
    "increased_staff_time",
    "increased_other_costs",
    "competence_needed",
    "patient_safety_risk",
    "shift_planning",
    "status",
    "owner_organisation_id",
    "owner_role",
    "due_at",
    "escalation_level",
    "escalation_body_id",
    "agreement_version_id",
    "closure",
    "submitted_at",
    "agreed_at",
    "closed_at",
    "version",
    "number",
    "stay_note",
]
TASK_COLUMNS = [
    "id",
    "public_id",
    "case_id",
    "task_type_id",
    "note",
    "proposal_status",
    "proposal",
    "rule_id",
    "agreement_version_id",
    "requires_risk_analysis",
    "approver_role",
    "specialist_active_role_required",
    "review_state",
    "agreed_orders_id",
    "agreed_performs_id",
    "agreed_follows_up_id",
    "agreed_basis",
    "agreed_at",
    "arrangement",
    "arrangement_note",
    "visit_bands",
]
EVENT_COLUMNS = [
    "id",
    "case_id",
    "at",
    "user_id",
    "organisation_id",
    "role",
    "api_client",
    "kind",
    "action",
    "from_status",
    "to_status",
    "reason",
    "payload",
    "deadline_key",
]
BACKGROUNDS = (
    "Utskrivningsklar från slutenvården; behov av insatser i hemmet.",
    "Specialistvården önskar att kommunens sjuksköterskor tar över uppföljningen.",
    "Förändrat vårdbehov efter fall i hemmet.",
    "Nyinskriven i hemsjukvården; ansvarsfördelning behöver klargöras.",
    "Ökat omvårdnadsbehov; närstående orkar inte längre.",
)
COMMENTS = ("Kontaktat vårdcentralen.", "Väntar på besked från specialistvården.", "Uppföljning bokad.")
SPECIALISED = {"specialised"}


def _ts(value: datetime.datetime) -> str:
    return value.isoformat()


@dataclass
class Event:
    at: datetime.datetime
    actor: int | None  # index into World.staff, or None for the system
    kind: str
    action: str = ""
    from_status: str = ""
    to_status: str = ""
    reason: str = ""
    payload: dict[str, Any] | None = None


def cases_load(
    conn: Any,
    world: World,
    patients: list[PatientRow],
    count: int,
    rng: random.Random,
    now: datetime.datetime,
) -> tuple[int, int, list[str]]:
    statuses = [s for s, _w, _a in STATUS_WEIGHTS]
    status_cum = _cumulative([w for _s, w, _a in STATUS_WEIGHTS])
    max_age = {s: a for s, _w, a in STATUS_WEIGHTS}
    triggers = [t for t, _ in TRIGGERS]
    trigger_cum = _cumulative([w for _, w in TRIGGERS])
    task_types = world.task_types
    # Common nursing tasks far more often than ventilators.
    tt_weights = [
        6.0 if kind == "nursing" else 2.0 if kind == "rehab" else 1.0 for _pk, _c, kind in task_types
    ]
    halland = next(r for r in world.regions if r.name == HALLAND)
    staff = world.staff

    # Who acts for each organisation in each role, looked up once.
    acting: dict[tuple[int, str], int] = {}
    for index, s in enumerate(staff):
        acting.setdefault((s.organisation_pk, s.role), index)

    next_case = _next_id(conn, "cases_responsibilitycase")
    next_task = _next_id(conn, "cases_casetask")
    next_event = _next_id(conn, "cases_caseevent")
    cases = Copier(conn, "cases_responsibilitycase", CASE_COLUMNS, count, "cases")
    tasks = Copier(conn, "cases_casetask", TASK_COLUMNS, int(count * 1.75), "case tasks")
    events = Copier(conn, "cases_caseevent", EVENT_COLUMNS, count * 6, "case events")
    case_ids: list[str] = []
    n_tasks = 0
    n_events = 0
    day = datetime.timedelta(days=1)
    for i in range(count):
        patient = patients[rng.randrange(len(patients))]
        kommun = patient.kommun
        region = patient.region
        status = statuses[_bisect(status_cum, rng.random() * status_cum[-1])]
        created = now - datetime.timedelta(seconds=rng.uniform(3600, max_age[status] * 86400))
        trigger = triggers[_bisect(trigger_cum, rng.random() * trigger_cum[-1])]
        clinic = (
            rng.choice(region.clinics).pk if trigger == "specialist_request" or rng.random() < 0.3 else None
        )
        nurse = acting.get((kommun.pk, "nurse"))
        gp = acting.get((patient.vardcentral, "gp"))
        mas = acting.get((kommun.pk, "mas"))
        coordinator = acting.get((kommun.pk, "coordinator"))
        n = 1 + _bisect([0.5, 0.8, 0.95, 1.0], rng.random())
        chosen: list[tuple[int, str, str]] = []
        while len(chosen) < n:
            candidate = rng.choices(task_types, weights=tt_weights)[0]
            if candidate not in chosen:
                chosen.append(candidate)
        needs_analysis = any(kind in SPECIALISED for _pk, _c, kind in chosen)
        # The timeline: the path through the life cycle that ends in ``status``.
        t = created
        timeline = [Event(t, nurse, "created", "create", payload={"tasks": [c for _p, c, _k in chosen]})]
        submitted_at = agreed_at = closed_at = due_at = None
        owner_org: int | None = None
        owner_role = ""
        escalation_level: int | None = None
        escalation_body: int | None = None
        closure = ""
        review_state = "pending"
        proposal_status = "pending"
        path = _path(status, rng)
        for step in path:
            t = t + datetime.timedelta(seconds=rng.uniform(600, 5 * 86400))
            if t > now:
                t = now - datetime.timedelta(seconds=rng.uniform(1, 600))
            if step == "submit":
                submitted_at = t
                proposal_status = "proposed"
                timeline.append(Event(t, nurse, "transition", "submit", "draft", "submitted"))
                timeline.append(Event(t, None, "transition", "submit", "submitted", "in_review"))
            elif step == "accept":
                review_state = "accepted"
                target = "risk_analysis" if needs_analysis else "agreed"
                timeline.append(Event(t, gp, "accepted", "accept", "in_review", target))
                if target == "agreed":
                    agreed_at = t
            elif step == "analysis":
                timeline.append(Event(t, nurse, "analysis_created", "create_analysis"))
                t = t + day
                timeline.append(
                    Event(t, gp, "analysis_signed", "sign_analysis", "risk_analysis", "awaiting_approval")
                )
            elif step == "approve":
                agreed_at = t
                timeline.append(
                    Event(t, mas, "analysis_approved", "approve_analysis", "awaiting_approval", "agreed")
                )
            elif step == "dispute":
                review_state = "disputed"
                timeline.append(Event(t, gp, "disputed", "dispute", "in_review", "disputed"))
                timeline.append(Event(t, nurse, "position", "state_position", reason="Kommunens ståndpunkt."))
            elif step.startswith("escalate"):
                level = int(step[-1])
                escalation_level = level
                escalation_body = (kommun.local_body, *region.bodies)[level - 1]
                source = "disputed" if level == 1 else "escalated"
                timeline.append(
                    Event(
                        t, coordinator, "escalated", "escalate", source, "escalated", payload={"level": level}
                    )
                )
            elif step == "decide":
                review_state = "decided"
                agreed_at = t
                timeline.append(Event(t, None, "decided", "decide", "escalated", "agreed"))
            elif step == "activate":
                timeline.append(Event(t, nurse, "transition", "activate", "agreed", "active"))
            elif step == "follow_up":
                timeline.append(Event(t, nurse, "transition", "start_follow_up", "active", "follow_up"))
            elif step == "complete":
                closed_at = t
                closure = "completed"
                timeline.append(Event(t, nurse, "transition", "close", "follow_up", "closed"))
            elif step == "withdraw":
                closed_at = t
                closure = "withdrawn"
                previous = timeline[-1].to_status or "draft"
                for event in reversed(timeline):
                    if event.to_status:
                        previous = event.to_status
                        break
                timeline.append(
                    Event(t, nurse, "withdrawn", "withdraw", previous, "closed", reason="Återkallat.")
                )
        for _ in range(_bisect([0.6, 0.9, 1.0], rng.random())):
            at = created + (t - created) * rng.random()
            timeline.append(
                Event(at, rng.choice((nurse, gp)), "comment", "comment", reason=rng.choice(COMMENTS))
            )
        if status != "escalated":
            escalation_level = escalation_body = None
        # Who holds the case now, and until when.
        if status == "in_review":
            owner_org, owner_role = patient.vardcentral, "gp"
            due_at = (submitted_at or created) + 5 * day
        elif status == "risk_analysis":
            owner_org, owner_role = kommun.pk, "nurse"
        elif status == "awaiting_approval":
            owner_org, owner_role = kommun.pk, "mas"
            due_at = t + 7 * day
        elif status == "disputed":
            owner_org, owner_role = kommun.pk, "coordinator"
        elif status == "escalated":
            owner_org, owner_role = escalation_body, "governance"
            due_at = t + 21 * day
        elif status == "follow_up":
            owner_org, owner_role = kommun.pk, "nurse"
            due_at = t + 30 * day
        elif status in ("draft", "submitted", "agreed", "active"):
            owner_org, owner_role = kommun.pk, "nurse"
        if status == "submitted":
            # Submitted, proposal not yet made: the second move has not happened.
            timeline = [e for e in timeline if e.from_status != "submitted"]
            proposal_status = "pending"
        case_pk = next_case + i
        public_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        case_ids.append(public_id)
        timeline.sort(key=lambda e: e.at)
        cases.add(
            "\t".join(
                (
                    str(case_pk),
                    public_id,
                    _ts(created),
                    _ts(t),
                    str(patient.pk),
                    str(kommun.nurse),
                    str(kommun.pk),
                    str(kommun.pk),
                    str(patient.vardcentral),
                    _text(clinic),
                    trigger,
                    "urgent" if rng.random() < 0.15 else "routine",
                    rng.choice(BACKGROUNDS),
                    "t" if rng.random() < 0.5 else "f",
                    "t" if rng.random() < 0.3 else "f",
                    "t" if needs_analysis or rng.random() < 0.2 else "f",
                    "t" if rng.random() < 0.15 else "f",
                    rng.choice(("unknown", "planned", "planned", "unorganised")),
                    status,
                    _text(owner_org),
                    owner_role,
                    _text(_ts(due_at) if due_at else None),
                    _text(escalation_level),
                    _text(escalation_body),
                    _text(world.agreement_version if region is halland else None),
                    closure,
                    _text(_ts(submitted_at) if submitted_at else None),
                    _text(_ts(agreed_at) if agreed_at else None),
                    _text(_ts(closed_at) if closed_at else None),
                    str(len(timeline)),
                    # The installation's sequence follows the row ids; the generator sets the counter after.
                    f"HSV-{created.year}-{case_pk:06d}",
                    "",  # no stay in another kommun
                )
            )
            + "\n"
        )
        agreed = review_state in ("accepted", "decided")
        for tt_pk, _code, kind in chosen:
            unclear = proposal_status == "proposed" and (
                patient.housing == "lss_housing" or rng.random() < 0.03
            )
            orders = clinic if (kind in SPECIALISED and clinic) else patient.vardcentral
            tasks.add(
                "\t".join(
                    (
                        str(next_task + n_tasks),
                        str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                        str(case_pk),
                        str(tt_pk),
                        "",
                        "unclear" if unclear else proposal_status,
                        "{}" if proposal_status == "pending" else '{"generated": true}',
                        "\\N",
                        _text(world.agreement_version if region is halland else None),
                        "t" if kind in SPECIALISED else "f",
                        ("mar" if kind == "rehab" else "mas") if kind in SPECIALISED else "",
                        "t" if kind in SPECIALISED and rng.random() < 0.5 else "f",
                        review_state,
                        _text(orders if agreed else None),
                        _text(kommun.pk if agreed else None),
                        _text(orders if agreed else None),
                        ("escalation" if review_state == "decided" else "proposal") if agreed else "",
                        _text(_ts(agreed_at) if agreed and agreed_at else None),
                        "",
                        "",
                        "",  # visits at no particular time of day
                    )
                )
                + "\n"
            )
            n_tasks += 1
        for event in timeline:
            who = staff[event.actor] if event.actor is not None else None
            events.add(
                "\t".join(
                    (
                        str(next_event + n_events),
                        str(case_pk),
                        _ts(event.at),
                        _text(who.user_pk if who else None),
                        _text(who.organisation_pk if who else None),
                        who.role if who else "",
                        "",
                        event.kind,
                        event.action,
                        event.from_status,
                        event.to_status,
                        event.reason,
                        json.dumps(event.payload or {}),
                        "",
                    )
                )
                + "\n"
            )
            n_events += 1
    cases.flush()
    tasks.total = tasks.written + tasks.pending
    tasks.flush()
    events.total = events.written + events.pending
    events.flush()
    return n_tasks, n_events, case_ids


def _bisect(cumulative: list[float], value: float) -> int:
    for index, bound in enumerate(cumulative):
        if value < bound:
            return index
    return len(cumulative) - 1


def _path(status: str, rng: random.Random) -> list[str]:
    """The steps from a new draft to ``status``."""
    to_agreed = ["submit", "accept", "analysis", "approve"] if rng.random() < 0.4 else ["submit", "accept"]
    if status == "draft":
        return []
    if status in ("submitted", "in_review"):
        return ["submit"]
    if status == "risk_analysis":
        return ["submit", "accept"]
    if status == "awaiting_approval":
        return ["submit", "accept", "analysis"]
    if status == "disputed":
        return ["submit", "dispute"]
    if status == "escalated":
        return ["submit", "dispute", *[f"escalate{level}" for level in range(1, 1 + _level(rng))]]
    if status == "agreed":
        return to_agreed
    if status == "active":
        return [*to_agreed, "activate"]
    if status == "follow_up":
        return [*to_agreed, "activate", "follow_up"]
    # closed: completed after follow-up, decided after escalation and completed, or withdrawn on the way
    roll = rng.random()
    if roll < 0.6:
        return [*to_agreed, "activate", "follow_up", "complete"]
    if roll < 0.75:
        levels = [f"escalate{level}" for level in range(1, 1 + _level(rng))]
        return ["submit", "dispute", *levels, "decide", "activate", "follow_up", "complete"]
    return [*rng.choice((["submit"], ["submit", "accept"], [])), "withdraw"]


def _level(rng: random.Random) -> int:
    roll = rng.random()
    return 1 if roll < 0.7 else 2 if roll < 0.92 else 3
