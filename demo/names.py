"""The made-up names of the demo world: staff and patients (with the names that go with an interpreter
language), streets and the homes of those who do not live in an ordinary home."""

from __future__ import annotations

from dataclasses import dataclass

from patients.models import HousingSetting

STAFF_GIVEN_NAMES_FEMALE = (
    "Anna", "Maria", "Sara", "Emma", "Johanna", "Karin", "Linda", "Jenny", "Sofia", "Malin", "Elin",
    "Frida", "Camilla", "Helena", "Ida", "Hanna", "Emelie", "Cecilia", "Therese", "Lisa", "Åsa",
    "Petra", "Jessica", "Amira", "Nadia", "Ulrika", "Annika", "Louise", "Matilda", "Rebecka",
)  # fmt: skip
STAFF_GIVEN_NAMES_MALE = (
    "Johan", "Erik", "Anders", "Magnus", "Fredrik", "Daniel", "Mikael", "Andreas", "Jonas", "Martin",
    "Henrik", "Per", "Mattias", "Niklas", "Stefan", "Oskar", "Gustav", "Ali", "Omar", "David",
    "Tobias", "Patrik", "Viktor", "Jakob", "Emil", "Marcus", "Robert", "Karim", "Samuel", "Jesper",
)  # fmt: skip
FAMILY_NAMES = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Gustafsson", "Pettersson", "Jonsson", "Jansson", "Hansson", "Bengtsson", "Jönsson",
    "Lindberg", "Jakobsson", "Magnusson", "Lindström", "Olofsson", "Lindqvist", "Lindgren", "Berg",
    "Axelsson", "Bergström", "Lundberg", "Lundqvist", "Mattsson", "Berglund", "Fredriksson",
    "Sandberg", "Henriksson", "Forsberg", "Sjöberg", "Wallin", "Engström", "Eklund", "Danielsson",
    "Håkansson", "Lund", "Gunnarsson", "Holm", "Samuelsson", "Fransson", "Bergman", "Björk",
    "Wikström", "Isaksson", "Nyström", "Holmberg", "Arvidsson", "Löfgren", "Söderberg", "Nyberg",
    "Blomqvist", "Claesson", "Mårtensson", "Nordström", "Lundgren", "Carlsson", "Hermansson",
    "Åberg", "Sundberg", "Strand", "Hedlund", "Ekström", "Thorsson", "Abrahamsson", "Svärd",
)  # fmt: skip

PATIENT_GIVEN_NAMES_FEMALE = (
    "Birgitta", "Margareta", "Elisabeth", "Kerstin", "Ingrid", "Marianne", "Eva", "Karin", "Gunilla",
    "Ulla", "Anna-Lisa", "Britt", "Inger", "Maj-Britt", "Gunnel", "Barbro", "Solveig", "Lena",
    "Anita", "Monica", "Christina", "Gun", "Siv", "Berit", "Elsa", "Astrid", "Greta", "Dagny",
    "Ingegerd", "Agneta", "Lisbeth", "Irene", "Gudrun", "Märta", "Aina", "Sonja", "Ruth", "Viola",
    "Alice", "Ann-Marie", "Gerd", "Majvor", "Ulla-Britt", "Birgit", "Signe", "Elvy", "Yvonne",
)  # fmt: skip
PATIENT_GIVEN_NAMES_MALE = (
    "Lars", "Karl", "Jan", "Bengt", "Sven", "Gunnar", "Bo", "Rolf", "Lennart", "Kjell", "Göran",
    "Leif", "Bertil", "Stig", "Erik", "Ove", "Åke", "Hans", "Nils", "Olof", "Per", "Anders",
    "Sture", "Ingvar", "Roland", "Kent", "Ulf", "Tord", "Gösta", "Arne", "Rune", "Gustav", "Evert",
    "Sten", "Torsten", "Holger", "Harry", "Folke", "Birger", "Allan", "Curt", "Ingemar", "Sune",
    "Yngve", "Lars-Erik", "Per-Olof", "Jan-Erik", "Kenneth", "Björn",
)  # fmt: skip


@dataclass(frozen=True)
class LanguageNames:
    """An interpreter language (in Swedish, as the register shows it) and names that go with it."""

    language: str
    female: tuple[str, ...]
    male: tuple[str, ...]
    family: tuple[str, ...]


INTERPRETER_LANGUAGES: tuple[LanguageNames, ...] = (
    LanguageNames(
        "finska",
        ("Pirkko", "Tuula", "Aino", "Marjatta"),
        ("Matti", "Pentti", "Seppo", "Juhani"),
        ("Virtanen", "Korhonen", "Mäkinen", "Nieminen", "Heikkinen"),
    ),
    LanguageNames(
        "arabiska",
        ("Fatima", "Amira", "Samira", "Layla"),
        ("Ahmad", "Mohammed", "Khalil", "Yousef"),
        ("Haddad", "Hassan", "Mansour", "Saleh"),
    ),
    LanguageNames(
        "bosniska",
        ("Amra", "Senada", "Mirsada", "Emina"),
        ("Mehmed", "Enes", "Hasan", "Safet"),
        ("Hodžić", "Begić", "Mujić", "Delić"),
    ),
    LanguageNames(
        "persiska",
        ("Parvin", "Shirin", "Mahin"),
        ("Hossein", "Reza", "Mahmoud"),
        ("Ahmadi", "Hosseini", "Karimi", "Rahimi"),
    ),
    LanguageNames(
        "somaliska",
        ("Hawa", "Faadumo", "Sahra"),
        ("Abdi", "Mohamed", "Yusuf"),
        ("Warsame", "Farah", "Abdullahi"),
    ),
    LanguageNames(
        "polska",
        ("Krystyna", "Danuta", "Halina"),
        ("Stanisław", "Jerzy", "Tadeusz"),
        ("Nowak", "Kaczmarek", "Wójcik", "Mazur"),
    ),
    LanguageNames(
        "tigrinja",
        ("Tsega", "Mebrat", "Abrehet"),
        ("Tesfay", "Kidane", "Gebremedhin"),
        ("Tesfamariam", "Habte", "Ghebre", "Berhane"),
    ),
)

STREETS = (
    "Storgatan", "Kyrkogatan", "Skolgatan", "Nygatan", "Järnvägsgatan", "Norra vägen",
    "Södra vägen", "Björkvägen", "Ekvägen", "Lönnvägen", "Tallvägen", "Granvägen", "Lärkvägen",
    "Rosenvägen", "Syrénvägen", "Strandvägen", "Havsvägen", "Ängsvägen", "Backvägen", "Solvägen",
    "Kvarngatan", "Prästgårdsvägen", "Åvägen", "Hagavägen", "Parkvägen", "Bäckgatan", "Sjövägen",
    "Fabriksgatan", "Torggatan", "Trädgårdsgatan", "Klockarevägen", "Mejerigatan",
)  # fmt: skip

# Names of the homes for patients who do not live in an ordinary home.
HOME_NAMES: dict[str, tuple[str, ...]] = {
    HousingSetting.SPECIAL_HOUSING: (
        "Solgårdens särskilda boende", "Ekhagens särskilda boende", "Lindgården",
        "Havsgläntans särskilda boende", "Björkhagen", "Sjöbackens särskilda boende",
    ),
    HousingSetting.SHORT_TERM_HOUSING: ("Korttidsboendet Tallbacken", "Korttidsboendet Strandängen"),
    HousingSetting.LSS_HOUSING: ("Gruppbostaden Lärkan", "Gruppbostaden Vitsippan", "Servicebostaden Eken"),
}  # fmt: skip
