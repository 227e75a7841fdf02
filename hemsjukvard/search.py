"""How a patient is found by name: one normalised key, the same on PostgreSQL and SQLite.

People type names as they hear them: "marta" for Märta, "ostlund" for Östlund, "SOFIE" for Sofie. The
patient's ``search_name`` holds the given and family name folded the same way a search is (case folded,
diacritics taken off, a few letters that carry no diacritic in Unicode spelled out), so a search is one
``LIKE '%word%'`` on one column: indexable by pg_trgm on PostgreSQL (``patients`` migration 0004), a
plain scan on the demo's SQLite, and the same answer on both.
"""

from __future__ import annotations

import unicodedata

# Letters Unicode does not decompose into a base letter and a mark.
_SPELLED_OUT = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th"})


def fold(text: str) -> str:
    """``text`` as the search compares it: case folded, without diacritics, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(bare.translate(_SPELLED_OUT).split())


def search_name_of(given_name: str, family_name: str) -> str:
    """The ``search_name`` of a patient with these names."""
    return fold(f"{given_name} {family_name}")
