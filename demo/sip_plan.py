"""DEMO ONLY: what a demo SIP says about when each insats happens, who reports to whom, and the
kommun's socialtjänst insats beside the health care, so that a walk through the demo shows a plan as
the law and the SIP meeting would write it."""

from __future__ import annotations

import datetime
import random

from sip import services as sip_services
from sip.models import LegalBasis, SipVersion, VersionStatus

# When each task type is done, as a SIP meeting would write it (free text on the plan).
WHEN_BY_TASK: dict[str, str] = {
    "peritoneal_dialysis": "dagligen, påsbyten kl 07, 12, 17 och 22",
    "blood_sampling_home": "var 14:e dag, tisdagar före kl 10",
    "parenteral_nutrition": "dagligen, kopplas kl 20 och kopplas bort kl 08",
    "venous_port_care": "var 7:e dag och vid varje koppling",
    "wound_care_extensive": "var 3:e dag, pumpen byts måndag och torsdag",
    "wound_care_simple": "var 3:e dag",
    "tracheostomy_care": "dagligen kl 08 och 20, kanylbyte var 4:e vecka",
    "enteral_nutrition": "dagligen kl 08, 12, 16 och 20",
    "home_ventilator": "nattetid, kl 22–07, och vid behov dagtid",
    "iv_antibiotics": "två gånger per dygn, kl 08 och 20, i 14 dagar",
    "blood_pressure_follow_up": "en gång per månad, första veckan",
    "palliative_care_advanced": "hembesök dagligen och vid behov dygnet runt",
    "palliative_care_general": "dagligen och vid behov",
    "medication_administration": "dagligen kl 08 och 20",
    "insulin_injection": "dagligen kl 07 och 19",
    "catheter_care": "kateterbyte var 6:e vecka",
    "stoma_care": "två gånger i veckan",
    "rehabilitation_physiotherapy": "v. 50–52, två gånger i veckan",
    "rehabilitation_occupational_therapy": "v. 50–52, en gång i veckan",
}
# Tasks whose results the kommun's nurse reports to the physician who ordered them.
REPORTED_TO_THE_ORDERING_PHYSICIAN = frozenset(
    {"blood_pressure_follow_up", "peritoneal_dialysis", "blood_sampling_home", "parenteral_nutrition"}
)
SOL_INSATSER = (
    ("Hemtjänst: hjälp med inköp och städning", "varje måndag, förmiddag"),
    ("Hemtjänst: hjälp med dusch", "tisdagar och fredagar kl 09"),
    ("Trygghetslarm", "dygnet runt från och med installationen"),
    ("Matdistribution", "dagligen kl 11–12"),
)


def insatser_with_when(
    draft: SipVersion, *, rng: random.Random, today: datetime.date, with_sol: bool
) -> list[sip_services.InsatsInput]:
    """The draft's insatser, each with its start and frequency; and, for a person who also has the
    kommun's socialtjänst, one SoL insats by the kommun."""
    assert draft.status == VersionStatus.DRAFT
    kommun = draft.sip.case.kommun if draft.sip.case is not None else None
    rows = []
    for insats in draft.insatser.select_related("task_type", "orders", "responsible").order_by("position"):
        code = insats.task_type.code if insats.task_type is not None else ""
        reports = code in REPORTED_TO_THE_ORDERING_PHYSICIAN and insats.orders is not None
        rows.append(
            sip_services.InsatsInput(
                description=insats.description,
                responsible=insats.responsible,
                orders=insats.orders,
                follows_up=insats.follows_up,
                task_type=insats.task_type,
                notes=insats.notes,
                starts_on=today + datetime.timedelta(days=rng.randint(0, 3)),
                frequency=WHEN_BY_TASK.get(code, "enligt ordination, dagligen"),
                reported_by="Kommunens sjuksköterska" if reports else "",
                reported_to=f"ordinerande läkare, {insats.orders.name}" if reports and insats.orders else "",
            )
        )
    if with_sol and kommun is not None:
        description, frequency = rng.choice(SOL_INSATSER)
        rows.append(
            sip_services.InsatsInput(
                description=description,
                responsible=kommun,
                basis=LegalBasis.SOL,
                starts_on=today + datetime.timedelta(days=rng.randint(3, 10)),
                frequency=frequency,
            )
        )
    return rows
