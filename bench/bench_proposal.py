"""Benchmark: the responsibility proposal for a 10-task case against the demo agreement.

Run: ``.venv/bin/python bench/bench_proposal.py [--runs 300]``

It needs PostgreSQL as the tests do (``DATABASE_URL``, default postgres://postgres@127.0.0.1:5432/hemsjukvard
with ``HEMSJUKVARD_ENV=test``) and works in a throwaway database of its own, ``test_hsv_bench_proposal``,
created and dropped by Django's test-database machinery, so it never touches real or other people's data.
In it, it builds Region Halland's demo organisations, imports ``agreements/data/region_halland.yaml``
and creates one enrolled patient, then measures, over ``--runs`` repetitions after a warm-up:

1. **load + engine** - ``selectors.responsibility_inputs_load`` and ``engine.rules_propose_split`` for ten
   tasks: what the target (median <= 5 ms, <= 3 queries) is about;
2. **engine alone** - the pure function on the loaded rule set;
3. **API** - ``POST /api/v1/responsibility/proposals`` through Django's test client, including the
   bearer-token check, ``patient_get`` with its access-log row, and serialisation.

It prints median, 95th percentile and query counts. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemsjukvard.settings")
os.environ.setdefault("HEMSJUKVARD_ENV", "test")

import django  # noqa: E402

django.setup()

from django.core.signals import request_started  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

TASKS = [
    "peritoneal_dialysis",
    "insulin_injection",
    "wound_care_extensive",
    "catheter_care",
    "blood_sampling_home",
    "physician_home_visit",
    "iv_antibiotics",
    "tracheostomy_care",
    "rehabilitation_physiotherapy",
    "blood_pressure_follow_up",
]
ON = datetime.date(2025, 6, 2)
KOMMUNER = {
    "Kungsbacka kommun": "Kungsbacka",
    "Varbergs kommun": "Varberg",
    "Falkenbergs kommun": "Falkenberg",
    "Halmstads kommun": "Halmstad",
    "Hylte kommun": "Hylte",
    "Laholms kommun": "Laholm",
}
CLINICS = (
    "Njurmedicin Halland",
    "Infektionskliniken Halland",
    "Lungmedicin Halland",
    "Palliativ enhet/ASIH Halland",
)


def build_world() -> dict[str, object]:
    from agreements.importer import agreement_import
    from directory.models import Membership, Organisation, OrganisationKind, Role, User
    from patients.models import Enrolment, Patient
    from patients.personnummer import luhn_check_digit

    org = Organisation.objects.create
    region = org(name="Region Halland", kind=OrganisationKind.REGION)
    orgs: dict[str, Organisation] = {}
    for name, short in KOMMUNER.items():
        orgs[name] = org(name=name, kind=OrganisationKind.KOMMUN, region=region)
        org(
            name=f"Lokal samverkan {short}",
            kind=OrganisationKind.JOINT_BODY,
            region=region,
            kommun=orgs[name],
        )
    for name in CLINICS:
        orgs[name] = org(name=name, kind=OrganisationKind.SPECIALIST_CLINIC, region=region)
    org(name="Mobilt närsjukvårdsteam Halland", kind=OrganisationKind.MOBILE_TEAM, region=region)
    for name in ("RUG Halland", "GNHH"):
        org(name=name, kind=OrganisationKind.JOINT_BODY, region=region)
    vardcentral = org(
        name="Vårdcentralen Centrum Varberg",
        kind=OrganisationKind.VARDCENTRAL,
        region=region,
        kommun=orgs["Varbergs kommun"],
    )

    path = ROOT / "agreements" / "data" / "region_halland.yaml"
    agreement_import(text=path.read_text(encoding="utf-8"), source_name=path.name)

    nurse = User.objects.create_user(username="nurse.bench", password="bench-password-long")  # noqa: S106
    Membership.objects.create(
        user=nurse,
        organisation=orgs["Varbergs kommun"],
        role=Role.NURSE,
        valid_from=datetime.date(2020, 1, 1),
    )
    nine = "380514" + "981"
    patient = Patient.objects.create(
        personal_identity="19" + nine + luhn_check_digit(nine),
        given_name="Astrid",
        family_name="Demosson",
        folkbokforing_kommun=orgs["Varbergs kommun"],
        listed_vardcentral=vardcentral,
        is_demo=True,
    )
    Enrolment.objects.create(
        patient=patient,
        kommun=orgs["Varbergs kommun"],
        starts_on=datetime.date(2024, 6, 1),
        threshold_justification="Kan inte ta sig till vårdcentralen.",
        enrolled_by=nurse,
    )
    return {"patient": patient, "nurse": nurse, "clinic": orgs["Njurmedicin Halland"]}


def measure(name: str, runs: int, work: Callable[[], object]) -> None:
    for _ in range(max(10, runs // 10)):
        work()
    # A request through the test client clears the query log when it starts; count across it.
    request_started.disconnect(reset_queries)
    try:
        with CaptureQueriesContext(connection) as queries:
            work()
        query_count = len(queries.captured_queries)
    finally:
        request_started.connect(reset_queries)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
    print(
        f"{name:<16} median {statistics.median(timings):7.3f} ms   p95 {p95:7.3f} ms   queries {query_count}"
    )


def run(runs: int) -> None:
    from rest_framework.test import APIClient

    from agreements.engine import rules_propose_split
    from agreements.selectors import patient_situation, responsibility_inputs_load
    from directory.authentication import token_issue
    from patients.models import Patient

    world = build_world()
    patient = Patient.objects.select_related("folkbokforing_kommun").get(pk=world["patient"].pk)
    clinic_id = world["clinic"].pk
    situation = patient_situation(patient=patient, specialist_clinic_id=clinic_id)

    def load_and_propose() -> object:
        inputs = responsibility_inputs_load(actor=None, situation=situation, task_codes=TASKS, on=ON)
        return rules_propose_split(
            situation=situation,
            task_types=[inputs.task_types[code] for code in TASKS],
            rules=inputs.rules,
            on=ON,
        )

    inputs = responsibility_inputs_load(actor=None, situation=situation, task_codes=TASKS, on=ON)
    task_types = [inputs.task_types[code] for code in TASKS]
    proposals = rules_propose_split(situation=situation, task_types=task_types, rules=inputs.rules, on=ON)
    unclear = [p.task_type.code for p in proposals if p.is_unclear]
    print(f"10 tasks, {len(proposals) - len(unclear)} proposed, unclear: {unclear or 'none'}")

    def engine_only() -> object:
        return rules_propose_split(situation=situation, task_types=task_types, rules=inputs.rules, on=ON)

    client = APIClient()
    raw, _token = token_issue(user=world["nurse"])  # type: ignore[arg-type]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    body = {
        "patient": str(patient.public_id),
        "task_codes": TASKS,
        "on": ON.isoformat(),
        "specialist_clinic": str(world["clinic"].public_id),
    }

    def api() -> object:
        response = client.post("/api/v1/responsibility/proposals", body, format="json")
        assert response.status_code == 200, response.content
        return response

    measure("load + engine", runs, load_and_propose)
    measure("engine alone", runs, engine_only)
    measure("API end to end", max(50, runs // 3), api)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()

    setup_test_environment()
    connection.settings_dict.setdefault("TEST", {})["NAME"] = "test_hsv_bench_proposal"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        run(args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)


if __name__ == "__main__":
    main()
