"""How much one request may carry: text lengths, list lengths and JSON nesting.

Every input field, of the API and of the pages' forms, has an upper bound: a value the database cannot
hold is refused as a field error (400) before it reaches a query, and nobody can make a record that every
later read pays for (5,000 hazards on one risk analysis made each read of its case take 22 s). A text
field bound to a model field takes that field's ``max_length``; free text kept in a ``TextField`` (no
column limit) takes ``TEXT_MAX_LENGTH``. The API's bounds show in its schema as maxLength and maxItems.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

# Free text kept in a TextField: reasons, notes, descriptions, what matters to the person. Ten thousand
# characters is several pages, more than any of these holds in practice.
TEXT_MAX_LENGTH = 10_000
# The text of one section of an agreement, which may quote a whole chapter.
SECTION_TEXT_MAX_LENGTH = 100_000
# Bracket depth of a JSON body; the deepest body the API documents is four levels.
JSON_MAX_DEPTH = 32

# Lists in one request. A case names at most as many tasks as the catalogue offers in practice; the
# SIP page offers at most MAX_INSATS insatser.
MAX_TASKS = 50
MAX_HAZARDS = 50
MAX_MEASURES = 50
MAX_MEASURES_PER_HAZARD = 20
MAX_INSATSER = 100
MAX_OTHER_MEASURES = 50
MAX_PARTICIPANTS = 50
MAX_CONTACT_PATHS = 20
# A region has at most 49 kommuner (Västra Götaland); Sweden has 290.
MAX_KOMMUNER = 290

# Filled in by DRF with ``str.format`` (its list fields' message has no Swedish).
TOO_MANY_ITEMS = _("Send at most {max_length} items.")


def max_length_of(model: type[models.Model], field_name: str) -> int:
    """The longest text ``model.field_name`` holds: its column's length, or TEXT_MAX_LENGTH for free text."""
    field = model._meta.get_field(field_name)
    if isinstance(field, models.CharField) and field.max_length is not None:
        return int(field.max_length)
    if isinstance(field, models.TextField):
        return TEXT_MAX_LENGTH
    raise TypeError(f"{model.__name__}.{field_name} is not a text field")


def at_most(max_items: int) -> dict[str, Any]:
    """Keyword arguments for a list field (``ListField`` or ``many=True``) of at most ``max_items`` items."""
    return {"max_length": max_items, "error_messages": {"max_length": TOO_MANY_ITEMS}}
