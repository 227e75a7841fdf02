"""The national world's access log: 20 million rows a year."""

from __future__ import annotations

import datetime
import random
from typing import Any

from bench.national.cases import _bisect
from bench.national.copying import Copier
from bench.national.organisations import PatientRow, World, _cumulative, _next_id
from bench.national.shape import LOG_ACTIONS, RECORD_TYPES

# --- The access log -----------------------------------------------------------------------------------


LOG_COLUMNS = [
    "id",
    "user_id",
    "user_label",
    "api_client",
    "role",
    "organisation_id",
    "organisation_label",
    "at",
    "patient_id",
    "record_type",
    "record_id",
    "action",
    "outcome",
    "purpose",
    "reason",
    "client_address",
]


def access_log_load(
    conn: Any,
    world: World,
    patients: list[PatientRow],
    case_ids: list[str],
    count: int,
    rng: random.Random,
    now: datetime.datetime,
) -> None:
    """``count`` rows over the last three years, in time order, by staff of the patient's region."""
    record_types = [r for r, _ in RECORD_TYPES]
    record_cum = _cumulative([w for _, w in RECORD_TYPES])
    actions = [a for a, _ in LOG_ACTIONS]
    action_cum = _cumulative([w for _, w in LOG_ACTIONS])
    start = now - datetime.timedelta(days=3 * 365)
    span = (now - start).total_seconds()
    step = span / max(count, 1)
    next_id = _next_id(conn, "audit_accesslogentry")
    log = Copier(conn, "audit_accesslogentry", LOG_COLUMNS, count, "access log")
    # Staff of each kommun and of its region (vårdcentraler, clinics), as formatted prefixes.
    kommun_readers: dict[int, list[str]] = {}
    for region in world.regions:
        regional = [
            world.staff[i].prefix for i in region.staff if world.staff[i].role in ("gp", "specialist")
        ]
        for kommun in region.kommuner:
            own = [world.staff[i].prefix for i in kommun.staff]
            kommun_readers[kommun.pk] = own * 3 + regional[:50]
    minute_cache: tuple[int, str] = (-1, "")
    base = start.replace(tzinfo=None)
    n_patients = len(patients)
    n_cases = len(case_ids)
    write = log.add
    random_ = rng.random
    for i in range(count):
        seconds = i * step + random_() * step
        minute = int(seconds // 60)
        if minute != minute_cache[0]:
            minute_cache = (minute, (base + datetime.timedelta(minutes=minute)).strftime("%Y-%m-%d %H:%M:"))
        second = seconds - minute * 60
        at = f"{minute_cache[1]}{second:09.6f}+00"
        patient = patients[int(random_() * n_patients)]
        readers = kommun_readers[patient.kommun.pk]
        prefix = readers[int(random_() * len(readers))]
        record_type = record_types[_bisect(record_cum, random_() * record_cum[-1])]
        if record_type in ("patient", "enrolment"):
            record_id = patient.public_id
        else:
            record_id = case_ids[int(random_() * n_cases)] if n_cases else ""
        roll = random_()
        if roll < 0.003:
            outcome, purpose, reason = "denied", "none", ""
        elif roll < 0.005:
            outcome, purpose, reason = "granted", "emergency_access", "Akut läge, patienten medvetslös."
        else:
            outcome, purpose, reason = "granted", "care_relationship", ""
        write(
            f"{next_id + i}\t{prefix}\t{at}\t{patient.pk}\t{record_type}\t{record_id}\t"
            f"{actions[_bisect(action_cum, random_() * action_cum[-1])]}\t{outcome}\t{purpose}\t{reason}\t"
            f"10.{int(random_() * 250)}.{int(random_() * 250)}.{1 + int(random_() * 250)}\n"
        )
    log.flush()
