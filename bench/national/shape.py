"""The national world's shape: how many of what, and how they are weighted."""

from __future__ import annotations

import time

FULL_PATIENTS = 414_000
FULL_CASES = 1_000_000
FULL_ACCESS_LOG = 20_000_000
SEED = 20260414
COPY_BATCH = 250_000

# (name, short name, population, number of kommuner): the 21 regions of Sweden (2023, rounded).
REGIONS: tuple[tuple[str, str, int, int], ...] = (
    ("Region Stockholm", "Stockholm", 2_450_000, 26),
    ("Region Uppsala", "Uppsala", 400_000, 8),
    ("Region Sörmland", "Sörmland", 300_000, 9),
    ("Region Östergötland", "Östergötland", 470_000, 13),
    ("Region Jönköpings län", "Jönköping", 370_000, 13),
    ("Region Kronoberg", "Kronoberg", 205_000, 8),
    ("Region Kalmar län", "Kalmar", 247_000, 12),
    ("Region Gotland", "Gotland", 61_000, 1),
    ("Region Blekinge", "Blekinge", 159_000, 5),
    ("Region Skåne", "Skåne", 1_400_000, 33),
    ("Region Halland", "Halland", 340_000, 6),
    ("Västra Götalandsregionen", "Västra Götaland", 1_750_000, 49),
    ("Region Värmland", "Värmland", 283_000, 16),
    ("Region Örebro län", "Örebro", 306_000, 12),
    ("Region Västmanland", "Västmanland", 280_000, 10),
    ("Region Dalarna", "Dalarna", 288_000, 15),
    ("Region Gävleborg", "Gävleborg", 288_000, 10),
    ("Region Västernorrland", "Västernorrland", 245_000, 7),
    ("Region Jämtland Härjedalen", "Jämtland", 132_000, 8),
    ("Region Västerbotten", "Västerbotten", 275_000, 15),
    ("Region Norrbotten", "Norrbotten", 250_000, 14),
)
HALLAND = "Region Halland"
PEOPLE_PER_VARDCENTRAL = 9_000
CLINIC_KINDS = (
    ("Njurmedicin", "njurmedicin"),
    ("Infektionskliniken", "infektion"),
    ("Lungmedicin", "lungmedicin"),
    ("Palliativ enhet/ASIH", "asih"),
)

# The status a case has now, how often, and how old (days) a case in it can be.
STATUS_WEIGHTS: tuple[tuple[str, float, int], ...] = (
    ("draft", 0.05, 30),
    ("submitted", 0.01, 10),
    ("in_review", 0.06, 45),
    ("risk_analysis", 0.04, 60),
    ("awaiting_approval", 0.04, 60),
    ("disputed", 0.03, 60),
    ("escalated", 0.03, 120),
    ("agreed", 0.03, 120),
    ("active", 0.25, 730),
    ("follow_up", 0.05, 730),
    ("closed", 0.41, 1095),
)
TRIGGERS = (("discharge", 45), ("specialist_request", 25), ("changed_needs", 20), ("new_enrolment", 10))
RECORD_TYPES = (
    ("patient", 30),
    ("responsibility_case", 40),
    ("case_timeline", 12),
    ("enrolment", 8),
    ("risk_analysis", 6),
    ("sip", 4),
)
LOG_ACTIONS = (("read", 58), ("list", 32), ("update", 7), ("create", 3))


def progress(message: str) -> None:
    # UTC throughout: Django's settings switch the process's local time zone part-way through the run.
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)
