"""The demo cases' data: what happens to a case (its path, in the order cases are numbered) and what a
case is about (the scenarios: tasks, backgrounds, hazards and the parties' positions, written as the
people involved would write them), with the texts the story driver picks from. Everything is made up.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.models import Trigger
from directory.models import Role
from patients.models import HousingSetting

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
DECLINE_REASON = (
    "Vårdcentralen godtar inte rekommendationen: ordinationen kräver specialistkompetens som vårdcentralen "
    "saknar."
)
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
