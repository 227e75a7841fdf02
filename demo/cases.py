"""Responsibility cases in every state for the demo world (domain brief §5, §7, §8).

Every case is driven through the real services (``cases.services``, ``sip.services``) as the demo user
whose job it is - ``nurse.<kommun>`` opens, ``gp.<vårdcentral>`` reviews, ``specialist.<clinic>`` signs,
``mas.<kommun>`` approves or rejects (or, for care the region performs, is informed),
``coordinator.<kommun>`` escalates, ``governance.<body>`` decides -
so the timeline, the access log and the notifications are the ones real use would leave. No status is
ever written directly.

Cases are numbered; the number is written at the end of the background ("Demoärende 017"), so a second
run finds the cases of the first and adds only those missing. Case *n* depends only on the seed and *n*.

The services stamp ``now``. To give the figures realistic lead times, ``_backdate`` (DEMO ONLY) moves the
case row's own dates (created, submitted, agreed, closed) and the risk analysis and SIP creation dates
into the past. The timeline, positions, signatures, decisions and the access log are append-only in the
database and keep the time the seed ran.
"""

from __future__ import annotations

import datetime
import random
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from agreements.choices import TaskKind
from agreements.models import AgreementVersion
from cases import selectors as case_selectors
from cases import services as case_services
from cases.models import (
    CaseStatus,
    CaseTask,
    EscalationDecision,
    ProposalStatus,
    ResponsibilityCase,
    ReviewState,
    RiskAnalysis,
    ShiftPlanning,
    Trigger,
    Urgency,
)
from cases.transitions import A
from directory.actor import Actor
from directory.models import Membership, Organisation, OrganisationKind, Role
from patients.models import Enrolment, HousingSetting, Patient
from patients.selectors import patient_get
from sip import services as sip_services
from sip.models import ConsentGivenBy, ContactPeriod, FollowUpOutcome, OtherActorKind, ParticipantKind, Sip

Notify = Callable[[str], None]

DEFAULT_CASES = 150
MARKER = "Demoärende"
_MARKER_RE = re.compile(rf"\({MARKER} (\d+)\b")


def _marker(number: int) -> str:
    return f"({MARKER} {number:03d} – påhittade uppgifter för demonstration.)"


# --- What happens to a case: the paths ---------------------------------------------------------------

DRAFT = "draft"
IN_REVIEW = "in_review"
WITHDRAWN = "withdrawn"
RISK_ANALYSIS = "risk_analysis"
AWAITING_APPROVAL = "awaiting_approval"
AGREED = "agreed"
ACTIVE = "active"
FOLLOW_UP = "follow_up"
CLOSED_AFTER_FOLLOW_UP = "closed_after_follow_up"
DISPUTED = "disputed"
ESCALATED_1 = "escalated_1"
ESCALATED_2 = "escalated_2"
ESCALATED_3 = "escalated_3"
DECIDED = "decided"
DECIDED_WITHDRAWN = "decided_withdrawn"

# The paths in the order cases are numbered: every path within the first 25 cases, the common ones
# (care going on under a SIP, agreed splits, cases in review) more often.
PATH_CYCLE: tuple[str, ...] = (
    ACTIVE,
    IN_REVIEW,
    AGREED,
    DISPUTED,
    RISK_ANALYSIS,
    ESCALATED_1,
    CLOSED_AFTER_FOLLOW_UP,
    AWAITING_APPROVAL,
    DRAFT,
    DECIDED,
    ACTIVE,
    WITHDRAWN,
    ESCALATED_2,
    FOLLOW_UP,
    AGREED,
    ESCALATED_3,
    IN_REVIEW,
    DECIDED_WITHDRAWN,
    ACTIVE,
    RISK_ANALYSIS,
    CLOSED_AFTER_FOLLOW_UP,
    AWAITING_APPROVAL,
    DECIDED,
    WITHDRAWN,
    ACTIVE,
)
ALL_PATHS = frozenset(PATH_CYCLE)
DISPUTE_PATHS = frozenset({DISPUTED, ESCALATED_1, ESCALATED_2, ESCALATED_3, DECIDED, DECIDED_WITHDRAWN})
ANALYSIS_PATHS = frozenset({RISK_ANALYSIS, AWAITING_APPROVAL})

# Days since the case was opened, per path: cases waiting on someone are recent, settled ones older.
AGE_DAYS: dict[str, tuple[int, int]] = {
    DRAFT: (0, 10),
    IN_REVIEW: (0, 2),
    WITHDRAWN: (20, 330),
    RISK_ANALYSIS: (5, 40),
    AWAITING_APPROVAL: (5, 30),
    AGREED: (10, 60),
    ACTIVE: (40, 360),
    FOLLOW_UP: (120, 360),
    CLOSED_AFTER_FOLLOW_UP: (150, 365),
    DISPUTED: (3, 20),
    ESCALATED_1: (15, 45),
    ESCALATED_2: (40, 100),
    ESCALATED_3: (80, 200),
    DECIDED: (60, 330),
    DECIDED_WITHDRAWN: (60, 330),
}


# --- What a case is about: the scenarios -------------------------------------------------------------


@dataclass(frozen=True)
class HazardSpec:
    description: str
    likelihood: int
    consequence: int
    measure: str
    owner: str  # "kommun", "vc" or "clinic"


@dataclass(frozen=True)
class Scenario:
    key: str
    tasks: tuple[str, ...]
    backgrounds: tuple[str, ...]
    triggers: tuple[str, ...]
    clinic: str | None = None  # the ordering specialist clinic, by name
    housing: str | None = None  # a housing setting the patient must have
    opener: str = Role.NURSE
    # Vårdöverskjutning flags (domain §7): staff time, other costs, competence, patient safety.
    flags: tuple[bool, bool, bool, bool] = (False, False, False, False)
    planned_share: float = 0.7  # of the assessed cases; about one in six is not assessed
    urgent_share: float = 0.2
    hazards: tuple[HazardSpec, ...] = ()
    # False where the agreement asks nobody in the kommun to approve the analysis (MAS is informed).
    kommun_approves: bool = True
    summary: str = ""
    rejection: str = ""
    gp_position: str = ""
    gp_split: tuple[str, str, str] | None = None
    kommun_position: str = ""
    specialist_position: str = ""
    decision: str = ""
    huvudansvar: str = "kommun"
    what_matters: str = ""
    own_goals: str = ""

    @property
    def needs_analysis(self) -> bool:
        return bool(self.hazards)

    @property
    def disputable(self) -> bool:
        return bool(self.gp_position)


NJUR = "Njurmedicin Halland"
INFEKTION = "Infektionskliniken Halland"
LUNG = "Lungmedicin Halland"
ASIH = "Palliativ enhet/ASIH Halland"

SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        key="pd",
        tasks=("peritoneal_dialysis", "blood_sampling_home"),
        clinic=NJUR,
        triggers=(Trigger.SPECIALIST_REQUEST, Trigger.DISCHARGE),
        backgrounds=(
            "Kronisk njursvikt stadium 5. Patienten har påbörjat peritonealdialys (CAPD) med fyra "
            "påsbyten per dygn. Njurmedicin önskar att kommunens sjuksköterskor övertar påsbytena i "
            "hemmet efter utbildning; patienten klarar inte bytena själv på grund av nedsatt syn och "
            "darrhänthet. Maken hjälper till men orkar inte nattetid.",
            "Utskrivningsklar från njurmedicinavdelningen efter inläggning för peritonit. PD fortsätter "
            "med automatiserad nattdialys (APD). Behov av hjälp med uppkoppling och avkoppling samt "
            "provtagning varannan vecka enligt ordination från njurmedicin.",
        ),
        flags=(True, True, True, True),
        planned_share=0.75,
        hazards=(
            HazardSpec(
                "Peritonit till följd av bristande aseptik vid påsbyte",
                2,
                4,
                "Praktisk utbildning i aseptiskt påsbyte av PD-sjuksköterska från njurmedicin för all "
                "personal som utför byten; kontroll av kunskap innan start.",
                "clinic",
            ),
            HazardSpec(
                "Fel påstyrka eller fel volym dialysvätska",
                1,
                3,
                "Ordinationen och påsstyrkan anges i signeringslistan; dubbelkontroll vid varje byte.",
                "kommun",
            ),
            HazardSpec(
                "Utbildad personal saknas kvällar och helger",
                3,
                3,
                "En namngiven grupp sjuksköterskor utbildas; schemat säkrar utbildad personal vid "
                "varje byte.",
                "kommun",
            ),
            HazardSpec(
                "Ingen kontaktväg till njurmedicin nattetid",
                2,
                3,
                "Telefonnummer dygnet runt till njurmedicinavdelningen förs in i SIP.",
                "clinic",
            ),
        ),
        summary="PD-byten utförs av kommunens sjuksköterskor efter kompetensöverföring från njurmedicin. "
        "Njurmedicin behåller det aktiva behandlingsansvaret och nås dygnet runt.",
        rejection="Riskanalysen saknar en åtgärd för hur utbildad personal säkras kvällar och helger. "
        "Komplettera med namngiven ansvarig och datum för kompetensöverföringen.",
        gp_position="PD är specialiserad vård. Vårdcentralen kan inte ta ordinationsansvar för "
        "dialysen; njurmedicin bör ordinera, följa upp och nås dygnet runt.",
        gp_split=("clinic", "kommun", "clinic"),
        kommun_position="Kommunen kan utföra påsbytena först när kompetensöverföringen är genomförd och "
        "njurmedicin har ett aktivt behandlingsansvar. Innan dess bör regionen utföra.",
        specialist_position="Njurmedicin ordinerar och följer upp enligt överenskommelsen avsnitt 6.1 "
        "och erbjuder utbildning inom två veckor.",
        decision="Enligt överenskommelsen avsnitt 6.1 ordinerar och följer njurmedicin upp; kommunen "
        "utför efter kompetensöverföring. Njurmedicin utför påsbytena tills utbildningen är klar.",
        what_matters="Att kunna bo kvar hemma med maken och slippa åka till sjukhuset för dialysen.",
        own_goals="Orka gå till brevlådan och följa med på barnbarnets student i juni.",
    ),
    Scenario(
        key="tpn",
        tasks=("parenteral_nutrition", "venous_port_care"),
        clinic=ASIH,
        triggers=(Trigger.DISCHARGE,),
        backgrounds=(
            "Utskrivningsklar från kirurgen efter tarmresektion. Kan inte tillgodogöra sig tillräckligt "
            "med näring via munnen; parenteral nutrition (TPN) nattetid via subkutan venport. Behov av "
            "uppkoppling på kvällen, nålbyte en gång i veckan och viktkontroller.",
            "Långt framskriden ventrikelcancer med nutritionssvikt. TPN via venport sex nätter i veckan "
            "enligt ordination. Utskrivning planerad till fredag; hemsjukvården har inte fått någon "
            "förvarning om pump och material.",
        ),
        flags=(True, True, True, True),
        planned_share=0.45,
        urgent_share=0.4,
        hazards=(
            HazardSpec(
                "Kateterrelaterad blodförgiftning via venporten",
                2,
                4,
                "Rutin för aseptisk hantering av venport; utbildning av specialistsjuksköterska.",
                "clinic",
            ),
            HazardSpec(
                "Fel infusionshastighet på grund av felprogrammerad pump",
                2,
                3,
                "Pumpen programmeras av två sjuksköterskor; pumpleverantörens utbildning genomförs.",
                "kommun",
            ),
            HazardSpec(
                "Hyperglykemi eller elektrolytrubbning upptäcks sent",
                2,
                3,
                "Provtagning enligt ordination; svaren går till ordinerande läkare.",
                "clinic",
            ),
        ),
        summary="TPN ges av kommunens sjuksköterskor efter utbildning; ordinerande läkare nås dygnet "
        "runt via palliativa enheten.",
        rejection="Det framgår inte vem som programmerar pumpen vid dosändring eller hur ändrad "
        "ordination når kommunens sjuksköterska. Komplettera innan godkännande.",
        gp_position="Vårdcentralen har inte ordinerat nutritionen och kan inte följa upp den. "
        "Ordinerande specialistenhet bör stå kvar som ordinatör.",
        gp_split=("clinic", "kommun", "clinic"),
        kommun_position="Kommunen fick besked om TPN samma dag som utskrivningen. Vi utför när pump, "
        "material och utbildning finns; tills dess bör ASIH utföra.",
        specialist_position="ASIH ordinerar och följer upp. Utförandet kan överlämnas till kommunen "
        "när riskanalysen är godkänd.",
        decision="Ordinatören följer upp enligt överenskommelsen avsnitt 6.2. Kommunen utför efter "
        "kompetensöverföring och godkänd riskanalys; ASIH utför fram till dess.",
        huvudansvar="clinic",
        what_matters="Att få vara hemma och äta det jag orkar med familjen, utan krav.",
        own_goals="Kunna sitta på altanen på eftermiddagarna.",
    ),
    Scenario(
        key="wound_extensive",
        tasks=("wound_care_extensive",),
        triggers=(Trigger.CHANGED_NEEDS, Trigger.DISCHARGE),
        backgrounds=(
            "Venöst bensår på vänster underben som inte läker trots kompressionsbehandling i sex "
            "månader. Vårdcentralens läkare vill pröva undertrycksbehandling (VAC) med förbandsbyte "
            "tre gånger i veckan.",
            "Djupt trycksår på korsbenet efter sjukhusvistelse. Undertrycksbehandling påbörjad på "
            "avdelningen och ska fortsätta i hemmet; byte måndag, onsdag och fredag.",
        ),
        flags=(True, True, True, False),
        planned_share=0.65,
        hazards=(
            HazardSpec(
                "Läckage eller stopp i undertryckssystemet med hudskada som följd",
                3,
                2,
                "Larmrutin och kontroll av systemet vid varje besök; reservförband finns i hemmet.",
                "kommun",
            ),
            HazardSpec(
                "Infektion i såret upptäcks sent",
                2,
                3,
                "Sårbedömning med foto varannan vecka; läkaren bedömer vid tecken på infektion.",
                "vc",
            ),
            HazardSpec(
                "Personalen saknar vana av förbandsbyte vid undertrycksbehandling",
                3,
                3,
                "Utbildning av leverantören och sårsjuksköterska innan start.",
                "kommun",
            ),
        ),
        summary="Undertrycksbehandlingen utförs av kommunens sjuksköterskor; ordinerande läkare följer "
        "upp läkningen var fjärde vecka.",
        rejection="Det saknas en rutin för vad personalen gör vid larm nattetid. Komplettera.",
        gp_position="Undertrycksbehandling startades av sjukhuset och bör följas upp där tills såret "
        "visar läkning.",
        gp_split=("clinic", "kommun", "clinic"),
        kommun_position="Enligt avsnitt 4.3 ordinerar den läkare som har behandlingsansvaret. Patienten "
        "är listad på vårdcentralen och ingen specialistmottagning har remitterat.",
        decision="Ingen specialistmottagning har remitterat; vårdcentralens läkare ordinerar och följer "
        "upp enligt avsnitt 4.3. Kommunen utför efter godkänd riskanalys.",
        what_matters="Att slippa ha ont vid förbandsbytena och att kunna duscha.",
        own_goals="Gå till affären med rollator igen före sommaren.",
    ),
    Scenario(
        key="tracheostomy",
        tasks=("tracheostomy_care", "enteral_nutrition"),
        clinic=LUNG,
        triggers=(Trigger.DISCHARGE, Trigger.SPECIALIST_REQUEST),
        backgrounds=(
            "ALS med andningssvikt; trakeostomerad under vårdtiden och har PEG för sondnäring. Behov av "
            "sugning, kanylvård och byte av innerkanyl dagligen samt sondmatning fem gånger per dygn.",
            "Trakeostomi efter strålbehandlad halscancer. Lungmedicin önskar att hemsjukvården övertar "
            "kanylvården efter utbildning; patienten sköter delvis sugningen själv.",
        ),
        flags=(True, True, True, True),
        planned_share=0.6,
        urgent_share=0.35,
        hazards=(
            HazardSpec(
                "Kanylstopp eller oavsiktlig dekanylering med andningsstillestånd",
                2,
                4,
                "Akutrutin och reservkanyl vid sängen; utbildning med praktisk övning.",
                "clinic",
            ),
            HazardSpec(
                "Slemstopp på grund av otillräcklig sugning",
                3,
                3,
                "Sugschema i signeringslista; närstående får instruktion.",
                "kommun",
            ),
            HazardSpec(
                "Nattpersonal saknar kompetens i kanylvård",
                2,
                4,
                "Endast utbildad personal schemaläggs; lungmedicin nås dygnet runt.",
                "kommun",
            ),
        ),
        summary="Kanylvården utförs av kommunens sjuksköterskor efter utbildning av lungmedicin, som "
        "har ett aktivt behandlingsansvar.",
        rejection="Signeringslistan för sugning och ansvarig för reservkanylen saknas. Komplettera.",
        gp_position="Trakeostomivård är specialiserad vård; vårdcentralen kan inte ta ansvar för "
        "kanylbyten eller uppföljning.",
        gp_split=("clinic", "kommun", "clinic"),
        kommun_position="Kommunen kan utföra kanylvården när lungmedicin har ett aktivt "
        "behandlingsansvar och utbildning är genomförd.",
        specialist_position="Lungmedicin ordinerar och följer upp enligt avsnitt 6.4.",
        decision="Lungmedicin ordinerar och följer upp med aktivt behandlingsansvar; kommunen utför "
        "efter kompetensöverföring enligt avsnitt 6.4.",
        what_matters="Att kunna kommunicera med familjen och inte vara ensam nattetid.",
        own_goals="Kunna vara med på dotterns bröllop i augusti.",
    ),
    Scenario(
        key="ventilator",
        tasks=("home_ventilator", "tracheostomy_care"),
        clinic=LUNG,
        triggers=(Trigger.SPECIALIST_REQUEST,),
        backgrounds=(
            "Neuromuskulär sjukdom med nattlig ventilatorbehandling via trakeostomi. Lungmedicins team "
            "sköter ventilatorn; kommunen ombeds ta över den dagliga kanylvården.",
        ),
        flags=(True, True, True, True),
        planned_share=0.8,
        hazards=(
            HazardSpec(
                "Strömavbrott eller tekniskt fel på ventilatorn",
                1,
                4,
                "Reservbatteri och manuell andningsballong; felanmälan dygnet runt till teamet.",
                "clinic",
            ),
            HazardSpec(
                "Larm uppmärksammas inte",
                2,
                4,
                "Larmet kopplas till trygghetslarmet; personalen övar larmrutinen.",
                "kommun",
            ),
        ),
        summary="Gemensam riskanalys: specialistteamet ansvarar för ventilatorn, kommunen för "
        "kanylvården. Kommunens MAS är informerad.",
        rejection="Det framgår inte vem som kontrollerar reservbatteriet. Komplettera.",
        gp_position="Ventilatorbehandling och kanylvård är specialiserad vård och ligger utanför "
        "vårdcentralens uppdrag.",
        gp_split=("clinic", "clinic", "clinic"),
        kommun_position="Kommunen utför kanylvården men inte ventilatorbehandlingen.",
        specialist_position="Specialistteamet ansvarar för ventilatorn; kanylvården överlämnas till "
        "kommunen efter utbildning.",
        decision="Lungmedicin ansvarar för ventilatorbehandlingen; kommunen utför kanylvården efter "
        "kompetensöverföring (avsnitt 6.4).",
        huvudansvar="clinic",
        what_matters="Att få sova hemma och känna mig trygg med personalen.",
        own_goals="Fortsätta arbeta hemifrån två förmiddagar i veckan.",
    ),
    Scenario(
        key="ventilator_niv",
        tasks=("home_ventilator",),
        clinic=LUNG,
        triggers=(Trigger.SPECIALIST_REQUEST, Trigger.DISCHARGE),
        backgrounds=(
            "Inskriven i kommunal hemsjukvård för läkemedelshantering. Lungmedicin inleder nattlig "
            "ventilatorbehandling via mask (NIV) i hemmet; specialistteamet utför och följer upp "
            "behandlingen. Ärendet öppnas så att ansvaret är klarlagt och kommunens personal vet vart de "
            "vänder sig när ventilatorn larmar.",
        ),
        flags=(False, False, True, True),
        planned_share=0.9,
        hazards=(
            HazardSpec(
                "Ventilatorn larmar nattetid och hemtjänstens personal vet inte vad de ska göra",
                2,
                3,
                "Larmrutin med specialistteamets telefonnummer dygnet runt finns i hemmet och i SIP.",
                "clinic",
            ),
            HazardSpec(
                "Tryckskada av masken",
                2,
                2,
                "Teamet kontrollerar maskens passform vid varje besök; hemsjukvården rapporterar rodnad.",
                "clinic",
            ),
            HazardSpec(
                "Strömavbrott",
                1,
                4,
                "Ventilatorn har internt batteri; teamet går igenom reservrutinen med närstående.",
                "clinic",
            ),
        ),
        kommun_approves=False,
        summary="Gemensam riskanalys: lungmedicins specialistteam utför och följer upp "
        "ventilatorbehandlingen. Enligt överenskommelsen (avsnitt 6.4) godkänns analysen inte av "
        "kommunen; kommunens MAS informeras.",
        huvudansvar="clinic",
        what_matters="Att kunna sova hemma utan att vara rädd för att maskinen ska stanna.",
        own_goals="Orka gå ut med hunden på förmiddagarna.",
    ),
    Scenario(
        key="drain",
        tasks=("drain_care",),
        clinic=LUNG,
        triggers=(Trigger.DISCHARGE,),
        backgrounds=(
            "Återkommande pleuravätska vid lungcancer; tunneliserad pleurakateter inlagd. Tömning två "
            "gånger i veckan enligt ordination från lungmedicin.",
        ),
        flags=(True, True, True, True),
        planned_share=0.5,
        hazards=(
            HazardSpec(
                "Dränaget lossnar eller blir ocklusivt",
                2,
                3,
                "Kontroll av fixering vid varje tömning; kontaktväg till lungmedicin.",
                "kommun",
            ),
            HazardSpec(
                "Infektion vid insticksstället",
                2,
                3,
                "Aseptisk teknik och förbandsbyte enligt rutin; odling vid misstanke.",
                "clinic",
            ),
        ),
        summary="Tömning av pleurakatetern utförs av kommunens sjuksköterskor; lungmedicin följer upp.",
        rejection="Maximal tömningsvolym per tillfälle saknas i riskanalysen.",
        gp_position="Pleurakatetern lades av lungmedicin som också bör följa upp.",
        gp_split=("clinic", "kommun", "clinic"),
        kommun_position="Kommunen utför tömningen efter utbildning.",
        decision="Lungmedicin ordinerar och följer upp; kommunen utför efter utbildning (avsnitt 6.5).",
        what_matters="Att kunna andas lättare och slippa åka in akut.",
        own_goals="Promenera till bryggan en gång i veckan.",
    ),
    Scenario(
        key="iv_pump",
        tasks=("iv_infusion_pump", "venous_port_care"),
        clinic=INFEKTION,
        triggers=(Trigger.DISCHARGE, Trigger.SPECIALIST_REQUEST),
        backgrounds=(
            "Långvarig intravenös behandling via pump för endokardit; venport. Infektionskliniken vill "
            "att kommunen kopplar pumpen morgon och kväll i sex veckor.",
        ),
        flags=(True, True, True, True),
        planned_share=0.55,
        urgent_share=0.4,
        hazards=(
            HazardSpec(
                "Extravasering eller flebit vid infusion",
                2,
                3,
                "Kontroll av insticksstället vid varje uppkoppling.",
                "kommun",
            ),
            HazardSpec(
                "Fel läkemedel eller dos i pumpen",
                1,
                4,
                "Dubbelkontroll vid iordningställande; ordination i läkemedelslistan.",
                "clinic",
            ),
        ),
        summary="Infusionerna ges av kommunens sjuksköterskor efter utbildning; infektionskliniken nås "
        "dygnet runt.",
        rejection="Det saknas rutin för vad som görs vid misstänkt reaktion under infusion.",
        gp_position="Behandlingen är ordinerad av infektionskliniken och bör följas upp där.",
        gp_split=("clinic", "kommun", "clinic"),
        kommun_position="Kommunen saknar personal för två besök per dygn i sex veckor; det mobila "
        "teamet bör utföra.",
        specialist_position="Infektionskliniken ordinerar och följer upp; utförandet kan överlämnas.",
        decision="Infektionskliniken ordinerar och följer upp; kommunen utför efter utbildning och "
        "godkänd riskanalys (avsnitt 6.2).",
        what_matters="Att slippa ligga kvar på sjukhuset i sex veckor.",
        own_goals="Bli frisk nog att åka till sommarstugan.",
    ),
    Scenario(
        key="iv_antibiotics",
        tasks=("iv_antibiotics", "wound_care_simple"),
        clinic=INFEKTION,
        triggers=(Trigger.DISCHARGE,),
        backgrounds=(
            "Erysipelas med sårinfektion; utskriven med intravenös antibiotika två gånger per dygn i "
            "tio dagar. Mobila närsjukvårdsteamet ger antibiotikan; hemsjukvården sköter såret.",
        ),
        flags=(True, False, False, True),
        planned_share=0.7,
        urgent_share=0.6,
        gp_position="Vårdcentralen ordinerar inte intravenös antibiotika; infektionskliniken bör "
        "följa upp även sårvården under behandlingen.",
        gp_split=("clinic", "kommun", "clinic"),
        kommun_position="Kommunen sköter sårvården enligt avsnitt 4.2; antibiotikan är regionens.",
        specialist_position="Infektionskliniken följer upp antibiotikabehandlingen, inte sårvården.",
        decision="Infektionskliniken ansvarar för antibiotikan med mobila teamet som utförare; "
        "vårdcentralen ordinerar sårvården som kommunen utför (avsnitt 4.2 och 6.3).",
        huvudansvar="clinic",
        what_matters="Att få vara hemma hos katten.",
        own_goals="Kunna gå utan smärta i benet.",
    ),
    Scenario(
        key="injections",
        tasks=("insulin_injection", "b12_injection", "medication_administration"),
        triggers=(Trigger.CHANGED_NEEDS, Trigger.NEW_ENROLMENT),
        backgrounds=(
            "Typ 2-diabetes och tilltagande kognitiv svikt; klarar inte längre insulininjektionerna "
            "själv och har tagit dubbla doser. Behöver även B12-injektion var tredje månad och hjälp "
            "med dosettdelade läkemedel.",
            "Nyinskriven i hemsjukvården efter stroke med nedsatt finmotorik i höger hand. Kan inte "
            "sköta sina insulinpennor eller läkemedel.",
        ),
        flags=(True, False, False, True),
        planned_share=0.85,
        urgent_share=0.1,
        gp_position="Patienten är inskriven i hemsjukvården; ordinationen kvarstår men uppföljningen "
        "av blodsocker bör ske av kommunens sjuksköterska.",
        gp_split=("vc", "kommun", "kommun"),
        kommun_position="Uppföljningen av behandlingen är ordinatörens enligt avsnitt 4.1; kommunen "
        "administrerar och rapporterar avvikande värden.",
        decision="Vårdcentralen ordinerar och följer upp; kommunen administrerar och rapporterar "
        "avvikande värden (avsnitt 4.1).",
        what_matters="Att känna mig trygg med mina mediciner.",
        own_goals="Fortsätta gå till dagverksamheten tre dagar i veckan.",
    ),
    Scenario(
        key="blood_pressure",
        tasks=("blood_pressure_follow_up",),
        clinic=NJUR,
        triggers=(Trigger.SPECIALIST_REQUEST,),
        backgrounds=(
            "Njurmedicin har ordinerat blodtryckskontroller en gång i månaden efter ändrad "
            "blodtrycksbehandling. Det framgår inte vem som tar emot värdena eller agerar på dem.",
            "Remissvar från njurmedicin: 'Blodtryck kontrolleras i hemmet månadsvis.' Ingen mottagare "
            "av resultaten angiven.",
        ),
        flags=(True, False, False, True),
        planned_share=0.3,
        urgent_share=0.05,
        gp_position="Njurmedicin har ordinerat kontrollerna och måste själv ta emot och agera på "
        "resultaten. Vårdcentralen kan inte ansvara för en behandling vi inte ordinerat.",
        gp_split=("clinic", "kommun", "clinic"),
        kommun_position="Kommunen mäter gärna, men någon måste ta emot värdena. I dag skickas de till "
        "vårdcentralen som inte vet vad de ska göra med dem.",
        specialist_position="Njurmedicin tar emot värdena men förutsätter att vårdcentralen justerar "
        "behandlingen mellan besöken.",
        decision="Den ordinerande mottagningen tar emot resultaten och agerar på dem (avsnitt 4.4). "
        "Kommunens sjuksköterska rapporterar direkt till njurmedicin; vem som rapporterar namnges i SIP.",
        what_matters="Att slippa åka till sjukhuset för att mäta blodtrycket.",
        own_goals="Hålla blodtrycket under kontroll så att njurarna håller.",
    ),
    Scenario(
        key="rehab",
        tasks=("rehabilitation_physiotherapy", "rehabilitation_occupational_therapy", "assistive_devices"),
        opener=Role.REHAB,
        triggers=(Trigger.DISCHARGE, Trigger.CHANGED_NEEDS),
        backgrounds=(
            "Utskriven efter opererad höftfraktur. Behöver gång- och förflyttningsträning, bedömning av "
            "bostaden och förskrivning av rollator, duschpall och toalettförhöjning.",
            "Ökad fallrisk efter flera fall i hemmet. Behov av balansträning och bedömning av hjälpmedel.",
        ),
        flags=(True, True, False, False),
        planned_share=0.9,
        urgent_share=0.1,
        what_matters="Att klara mig själv i badrummet.",
        own_goals="Gå ut med rollator till kiosken på egen hand.",
    ),
    Scenario(
        key="palliative",
        tasks=("palliative_care_general", "physician_home_visit", "medication_administration"),
        triggers=(Trigger.CHANGED_NEEDS,),
        backgrounds=(
            "Hjärtsvikt i sent skede; patienten och familjen har efter brytpunktssamtal valt vård i "
            "hemmet i livets slutskede. Behov av vid behov-läkemedel, läkarbesök i hemmet och tät "
            "omvårdnad.",
        ),
        flags=(True, False, True, False),
        planned_share=0.85,
        urgent_share=0.5,
        what_matters="Att få dö hemma med familjen omkring mig.",
        own_goals="Slippa ha ont och slippa åka in till sjukhuset.",
    ),
    Scenario(
        key="asih",
        tasks=("palliative_care_advanced", "blood_transfusion"),
        clinic=ASIH,
        triggers=(Trigger.SPECIALIST_REQUEST, Trigger.DISCHARGE),
        backgrounds=(
            "Spridd prostatacancer med skelettsmärtor och blodbrist. ASIH tar över den medicinska "
            "vården i hemmet; blodtransfusion vid behov. Kommunens omvårdnad fortsätter enligt SIP.",
        ),
        flags=(False, False, True, False),
        planned_share=0.9,
        urgent_share=0.5,
        huvudansvar="clinic",
        what_matters="Att få vara hemma och ha familjen nära.",
        own_goals="Vara smärtfri och kunna sitta uppe vid middagen.",
    ),
    Scenario(
        key="catheter_stoma",
        tasks=("catheter_care", "stoma_care", "blood_sampling_home"),
        triggers=(Trigger.NEW_ENROLMENT, Trigger.DISCHARGE),
        backgrounds=(
            "Nyinskriven efter operation för tarmcancer med kolostomi. Har även KAD efter "
            "urinretention. Behov av stomivård, katetervård och provtagning inför återbesök.",
        ),
        flags=(True, False, False, False),
        planned_share=0.85,
        urgent_share=0.1,
        what_matters="Att stomin sköts diskret och att jag kan träffa vänner igen.",
        own_goals="Sköta stomin själv inom tre månader.",
    ),
    Scenario(
        key="lss",
        tasks=("medication_administration", "insulin_injection", "wound_care_simple"),
        housing=HousingSetting.LSS_HOUSING,
        triggers=(Trigger.CHANGED_NEEDS,),
        backgrounds=(
            "Boende i gruppbostad enligt LSS. Nydebuterad diabetes som kräver insulin; personalen i "
            "bostaden har inte delegering. Oklart om kommunens hemsjukvård eller vårdcentralen ska "
            "utföra injektionerna och sårvården av ett fotsår.",
        ),
        flags=(True, False, True, True),
        planned_share=0.25,
        urgent_share=0.3,
        gp_position="Hälso- och sjukvård i LSS-bostad omfattas inte av överenskommelsen. Vårdcentralen "
        "har ingen personal som kan göra hembesök dagligen; kommunen bör utföra.",
        gp_split=("vc", "kommun", "vc"),
        kommun_position="LSS-bostäder ingår inte i kommunens hemsjukvårdsåtagande enligt "
        "överenskommelsen; insatserna är regionens tills annat beslutats.",
        decision="Vårdcentralen ordinerar och följer upp. Kommunens hemsjukvård utför tills vidare i "
        "avvaktan på en revidering av överenskommelsen för LSS-bostäder.",
        what_matters="Att få bo kvar i gruppbostaden med personalen jag känner.",
        own_goals="Lära mig känna igen när blodsockret är lågt.",
    ),
)
SCENARIOS_BY_KEY = {scenario.key: scenario for scenario in SCENARIOS}

WITHDRAW_REASONS = (
    "Patienten har avlidit.",
    "Patienten har flyttat till särskilt boende i annan kommun.",
    "Patienten återinlades på sjukhus och behovet bedöms på nytt vid utskrivningen.",
    "Behovet upphörde: specialistmottagningen avslutade behandlingen.",
    "Ärendet registrerades dubbelt; handläggs i ett annat ärende.",
)
DECISION_WITHDRAWN = (
    "Patienten har sedan eskaleringen flyttat till särskilt boende där kommunen redan ansvarar. "
    "Frågan har fallit och ärendet avskrivs.",
    "Behandlingen avslutades av specialistmottagningen innan beslut; ärendet avskrivs.",
)
LEVEL_COMMENTS = {
    1: "Lokal samverkan har behandlat ärendet utan att parterna enats. Lyfts till RUG.",
    2: "RUG har inte kunnat enas om tolkningen av överenskommelsen. Ärendet lyfts till GNHH.",
}
ESCALATE_REASONS = {
    1: "Parterna är oeniga om ansvaret; ärendet lyfts till lokal samverkan.",
    2: "Lokal samverkan har inte enats; frågan gäller tolkningen av överenskommelsen.",
    3: "Principiell fråga som berör flera kommuner; RUG föreslår att GNHH avgör.",
}
FOLLOW_UP_NOTES = (
    "Målen är uppnådda; patienten klarar nu insatserna med stöd av närstående. Planen avslutas.",
    "Behandlingen är avslutad enligt ordination. Inga fortsatta insatser behövs.",
    "Patienten har flyttat till särskilt boende; planen avslutas och ny plan upprättas där vid behov.",
)
NEXT_OF_KIN = (
    ("Dotter", "Anna"),
    ("Son", "Mikael"),
    ("Make", "Lennart"),
    ("Maka", "Birgitta"),
    ("Sonhustru", "Karin"),
    ("Syster", "Ingrid"),
)


# --- The people --------------------------------------------------------------------------------------


class _Cast:
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


# --- Writing the cases -------------------------------------------------------------------------------


class DemoCasesError(Exception):
    """A demo case could not be driven through the services."""


@dataclass
class CasesReport:
    created: int = 0
    present: int = 0
    skipped_reason: str = ""
    by_path: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def existing_demo_numbers() -> set[int]:
    numbers = set()
    for background in ResponsibilityCase.objects.filter(background__contains=f"({MARKER} ").values_list(
        "background", flat=True
    ):
        match = _MARKER_RE.search(background)
        if match:
            numbers.add(int(match.group(1)))
    return numbers


def path_for(number: int) -> str:
    return PATH_CYCLE[(number - 1) % len(PATH_CYCLE)]


def _scenario_for(path: str, rng: random.Random, *, lss_available: bool) -> Scenario:
    candidates = [s for s in SCENARIOS if lss_available or s.housing != HousingSetting.LSS_HOUSING]
    if path in ANALYSIS_PATHS:
        candidates = [s for s in candidates if s.needs_analysis]
        if path == AWAITING_APPROVAL:
            candidates = [s for s in candidates if s.kommun_approves]
    elif path in DISPUTE_PATHS:
        candidates = [s for s in candidates if s.disputable]
    return rng.choice(candidates)


class _PatientPool:
    """Enrolled demo patients without a case, per housing kind, in a fixed order."""

    def __init__(self) -> None:
        has_case = ResponsibilityCase.objects.filter(patient=OuterRef("pk"))
        open_enrolment = Enrolment.objects.filter(patient=OuterRef("pk"), ends_on__isnull=True)
        rows = (
            Patient.objects.filter(is_demo=True, protected_identity=False, listed_vardcentral__isnull=False)
            .filter(Exists(open_enrolment))
            .exclude(Exists(has_case))
            .order_by("pk")
            .values_list("pk", "public_id", "housing_setting")
        )
        self._lss = [
            (pk, public_id) for pk, public_id, housing in rows if housing == HousingSetting.LSS_HOUSING
        ]
        self._other = [
            (pk, public_id) for pk, public_id, housing in rows if housing != HousingSetting.LSS_HOUSING
        ]

    @property
    def lss_available(self) -> bool:
        return bool(self._lss)

    def __bool__(self) -> bool:
        return bool(self._lss or self._other)

    def take(self, rng: random.Random, *, lss: bool) -> tuple[int, str] | None:
        pool = self._lss if lss else self._other
        if not pool:
            return None
        pk, public_id = pool.pop(rng.randrange(len(pool)))
        return pk, str(public_id)


@dataclass
class _Story:
    """One case on its way through the services."""

    number: int
    path: str
    scenario: Scenario
    rng: random.Random
    cast: _Cast
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

    def accept(self, *, partial: bool = False) -> None:
        tasks = list(self.case.tasks.select_related("task_type").order_by("pk"))
        pending = [t for t in tasks if t.review_state == ReviewState.PENDING]
        if partial:
            pending = pending[:1]
        splits = [
            self._fallback_split(t)
            if t.proposal_status == ProposalStatus.UNCLEAR
            else case_services.Split(t.public_id)
            for t in pending
        ]
        reason = (
            "Ansvaret för LSS-bostaden är oreglerat; vårdcentralen tar ordinationsansvaret tills vidare."
            if any(t.proposal_status == ProposalStatus.UNCLEAR for t in pending)
            else ""
        )
        self.case = case_services.case_accept(
            actor=self.gp(), case=self.case, expected_version=None, splits=splits, reason=reason
        )

    def dispute(self) -> None:
        scenario = self.scenario
        orders, performs, follows_up = (self.org(k) for k in (scenario.gp_split or ("vc", "kommun", "vc")))
        tasks = list(self.case.tasks.select_related("task_type").order_by("pk"))
        # The GP disputes the task the scenario is about; for an unclear case every unclear task.
        disputed = [t for t in tasks if t.proposal_status == ProposalStatus.UNCLEAR] or tasks[:1]
        positions = [
            case_services.PositionInput(
                task=t.public_id,
                text=scenario.gp_position,
                orders=orders,
                performs=performs,
                follows_up=follows_up,
            )
            for t in disputed
        ]
        self.case = case_services.case_dispute(
            actor=self.gp(),
            case=self.case,
            expected_version=None,
            positions=positions,
            reason="Vårdcentralen delar inte förslaget.",
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
        if self.clinic is not None and scenario.specialist_position:
            self.case = case_services.case_state_position(
                actor=self.specialist(),
                case=self.case,
                expected_version=None,
                positions=[
                    case_services.PositionInput(task=t.public_id, text=scenario.specialist_position)
                    for t in disputed
                ],
            )
        # Tasks nobody disputes are accepted as proposed only once the dispute is decided.

    def escalate(self) -> None:
        level = (self.case.escalation_level or 0) + 1
        if level > 1:
            governance = self.cast.actor(Role.GOVERNANCE, _require(self.case.escalation_body_id))
            self.case = case_services.case_comment(
                actor=governance, case=self.case, expected_version=None, text=LEVEL_COMMENTS[level - 1]
            )
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

    def decide(self, *, withdraw: bool) -> None:
        governance = self.cast.actor(Role.GOVERNANCE, _require(self.case.escalation_body_id))
        if withdraw:
            self.case = case_services.case_decide(
                actor=governance,
                case=self.case,
                expected_version=None,
                outcome="withdrawn",
                reasons=self.rng.choice(DECISION_WITHDRAWN),
            )
            return
        tasks = self.case.tasks.select_related("task_type").exclude(review_state=ReviewState.ACCEPTED)
        self.case = case_services.case_decide(
            actor=governance,
            case=self.case,
            expected_version=None,
            outcome="agreed",
            reasons=self.scenario.decision,
            splits=[self._fallback_split(t) for t in tasks],
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
        signer = self.specialist() if self.clinic is not None else self.gp()
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
        participants = [
            sip_services.ParticipantInput(
                name=f"{patient.given_name} {patient.family_name}", kind=ParticipantKind.PERSON
            ),
            sip_services.ParticipantInput(name=kin_full, kind=ParticipantKind.NEXT_OF_KIN, role=relation),
            sip_services.ParticipantInput(
                name=nurse_name, kind=ParticipantKind.KOMMUN, organisation=self.kommun, role="Sjuksköterska"
            ),
            sip_services.ParticipantInput(
                name=gp_name,
                kind=ParticipantKind.REGION,
                organisation=self.vardcentral,
                role="Fast läkarkontakt",
                present=self.rng.random() < 0.6,
            ),
        ]
        if self.clinic is not None:
            participants.append(
                sip_services.ParticipantInput(
                    name=self.specialist().user.get_full_name(),
                    kind=ParticipantKind.REGION,
                    organisation=self.clinic,
                    role="Specialistläkare",
                )
            )
        number = f"{self.number % 100:02d}"
        night = self.clinic or self.kommun
        contact_paths = [
            sip_services.ContactPathInput(
                period=ContactPeriod.DAY,
                who=f"Hemsjukvården {self.kommun.name.removesuffix(' kommun')}, ansvarig sjuksköterska",
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
        sip_services.sip_update_draft(
            actor=nurse,
            sip=sip,
            expected_revision=None,
            changes=sip_services.DraftChanges(
                fields={
                    "huvudansvar": huvudansvar,
                    "huvudansvar_contact": nurse_name if huvudansvar == self.kommun else "",
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


def _to_agreed(story: _Story) -> None:
    """From ``in_review`` (or a decision) on to ``agreed``, through the analysis where one is needed."""
    if story.status == CaseStatus.IN_REVIEW:
        story.accept()
    if story.status == CaseStatus.RISK_ANALYSIS:
        story.settle_analysis()


def _drive(story: _Story) -> None:
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


# --- DEMO ONLY: dates in the past ------------------------------------------------------------------


def _backdate(story: _Story, now: datetime.datetime) -> None:
    """DEMO ONLY. Move the case's own dates into the past so the figures show realistic lead times.

    Only columns the database lets change are touched (the case row, the risk analyses' and the SIP's
    creation dates). Timeline events, positions, signatures, decisions and the access log are
    append-only and keep the time the seed ran. A running deadline (``due_at``) is left alone.
    """
    rng = story.rng
    case = story.case
    low, high = AGE_DAYS[story.path]
    opened = now - datetime.timedelta(days=rng.randint(low, high), hours=rng.randint(0, 8))
    opened = min(opened, now)

    def after(start: datetime.datetime, days: tuple[float, float]) -> datetime.datetime:
        return min(start + datetime.timedelta(days=rng.uniform(*days)), now)

    dates: dict[str, datetime.datetime] = {"created_at": opened}
    submitted = None
    if case.submitted_at is not None:
        submitted = after(opened, (0.02, min(2.0, max(0.05, (now - opened).days * 0.1))))
        dates["submitted_at"] = submitted
    agreed = None
    if case.agreed_at is not None and submitted is not None:
        span = max((now - submitted).total_seconds() / 86400, 0.1)
        escalated = EscalationDecision.objects.filter(case=case).exists()
        wanted = rng.uniform(20, 90) if escalated else rng.uniform(1, 30)
        agreed = min(submitted + datetime.timedelta(days=min(wanted, span * 0.5)), now)
        dates["agreed_at"] = agreed
    if case.closed_at is not None:
        start = agreed or submitted or opened
        span = max((now - start).total_seconds() / 86400, 0.1)
        dates["closed_at"] = start + datetime.timedelta(days=rng.uniform(0.3, 0.95) * span)
    ResponsibilityCase.objects.filter(pk=case.pk).update(**dates)
    if submitted is not None:
        analysis_start = submitted + datetime.timedelta(days=0.5)
        for analysis in RiskAnalysis.objects.filter(case=case).order_by("number"):
            analysis_start = min(analysis_start + datetime.timedelta(days=rng.uniform(1, 5)), now)
            RiskAnalysis.objects.filter(pk=analysis.pk).update(created_at=analysis_start)
    if agreed is not None:
        Sip.objects.filter(case=case).update(created_at=min(agreed + datetime.timedelta(days=1), now))


# --- The entry point -------------------------------------------------------------------------------


def _agreement_in_force() -> bool:
    return AgreementVersion.objects.filter(
        agreement__region__name="Region Halland", status="in_force"
    ).exists()


def _open_case(
    *, number: int, scenario: Scenario, rng: random.Random, cast: _Cast, patient_public_id: str
) -> _Story:
    patient_row = Patient.objects.select_related("listed_vardcentral").get(public_id=patient_public_id)
    enrolment = (
        Enrolment.objects.filter(patient=patient_row, ends_on__isnull=True).select_related("kommun").get()
    )
    kommun = enrolment.kommun
    opener = cast.actor(scenario.opener, kommun.pk)
    patient = patient_get(actor=opener, public_id=patient_public_id)
    clinic = cast.organisation(scenario.clinic) if scenario.clinic else None
    staff, costs, competence, safety = scenario.flags
    roll = rng.random()
    planning = (
        ShiftPlanning.UNKNOWN
        if roll < 0.15
        else ShiftPlanning.PLANNED
        if rng.random() < scenario.planned_share
        else ShiftPlanning.UNORGANISED
    )
    unorganised = planning == ShiftPlanning.UNORGANISED
    background = rng.choice(scenario.backgrounds)
    if unorganised:
        background += " Ingen planering skedde före utskrivningen/ordinationen."
    case = case_services.case_open(
        actor=opener,
        patient=patient,
        data=case_services.CaseInput(
            trigger=rng.choice(scenario.triggers),
            urgency=Urgency.URGENT if rng.random() < scenario.urgent_share else Urgency.ROUTINE,
            background=f"{background}\n\n{_marker(number)}",
            specialist_clinic=clinic,
            # An unorganised shift tends to cost more of everything; a flag is now and then not set.
            increased_staff_time=staff and (unorganised or rng.random() < 0.9),
            increased_other_costs=costs and (unorganised or rng.random() < 0.7),
            competence_needed=competence and (unorganised or rng.random() < 0.85),
            patient_safety_risk=safety and (unorganised or rng.random() < 0.6),
            shift_planning=planning,
            task_codes=scenario.tasks,
        ),
    )
    assert patient_row.listed_vardcentral is not None
    return _Story(
        number=number,
        path=path_for(number),
        scenario=scenario,
        rng=rng,
        cast=cast,
        case=case,
        kommun=kommun,
        vardcentral=patient_row.listed_vardcentral,
        clinic=clinic,
    )


def seed_cases(
    *, count: int, seed: int, progress: Notify | None = None, backdate: bool = True
) -> CasesReport:
    """Make demo cases 1..``count`` that are not there yet, each driven to its path's state."""
    report = CasesReport()
    if count <= 0:
        return report
    if not _agreement_in_force():
        report.skipped_reason = "no demo agreement is loaded"
        return report
    present = existing_demo_numbers()
    wanted = [n for n in range(1, count + 1) if n not in present]
    report.present = count - len(wanted)
    if not wanted:
        return report
    pool = _PatientPool()
    if not pool:
        report.skipped_reason = "no enrolled demo patients without a case"
        return report
    cast = _Cast()
    step = max(10, len(wanted) // 10)
    for done, number in enumerate(wanted, start=1):
        rng = random.Random(f"demo-case:{seed}:{number}")  # noqa: S311 - demo data, not secrets
        path = path_for(number)
        scenario = _scenario_for(path, rng, lss_available=pool.lss_available)
        taken = pool.take(rng, lss=scenario.housing == HousingSetting.LSS_HOUSING)
        if taken is None:
            report.skipped_reason = "ran out of enrolled demo patients without a case"
            break
        try:
            with transaction.atomic():
                story = _open_case(
                    number=number, scenario=scenario, rng=rng, cast=cast, patient_public_id=taken[1]
                )
                _drive(story)
                if backdate:
                    _backdate(story, timezone.now())
        except Exception as exc:
            raise DemoCasesError(f"Demo case {number} ({path}, {scenario.key}) failed: {exc!r}") from exc
        report.created += 1
        report.by_path[path] += 1
        if progress and (done % step == 0 or done == len(wanted)):
            progress(f"  cases: {done} of {len(wanted)} new")
    return report


def example_urls(per_state: int = 3) -> dict[str, list[tuple[str, str]]]:
    """A few demo cases per state (closed split by how), with the page and a user who may open it."""
    examples: dict[str, list[tuple[str, str]]] = {}
    rows = (
        ResponsibilityCase.objects.filter(background__contains=f"({MARKER} ")
        .select_related("kommun", "escalation_body")
        .order_by("pk")
    )
    nurse_names = dict(
        Membership.objects.filter(role=Role.NURSE, organisation__kind=OrganisationKind.KOMMUN)
        .order_by("-user__username")
        .values_list("organisation_id", "user__username")
    )
    for case in rows:
        label = case.status
        if case.status == CaseStatus.CLOSED:
            label = f"closed ({case.closure})"
        elif case.status == CaseStatus.ESCALATED:
            label = f"escalated (level {case.escalation_level})"
        elif EscalationDecision.objects.filter(case=case).exists():
            label = f"{case.status} (decided)"
        bucket = examples.setdefault(label, [])
        if len(bucket) < per_state:
            url = reverse("cases:detail", kwargs={"public_id": case.public_id})
            bucket.append((url, nurse_names.get(case.kommun_id, "")))
    return examples


def demo_case_counts() -> dict[str, int]:
    counts: Counter[str] = Counter()
    for status in ResponsibilityCase.objects.filter(background__contains=f"({MARKER} ").values_list(
        "status", flat=True
    ):
        counts[status] += 1
    return dict(counts)


__all__: Sequence[str] = (
    "DEFAULT_CASES",
    "CasesReport",
    "DemoCasesError",
    "demo_case_counts",
    "example_urls",
    "existing_demo_numbers",
    "seed_cases",
)
