"""Django's own messages that the project words differently in Swedish.

The project's catalogue (``LOCALE_PATHS``) is searched before Django's, so an entry for one of Django's
message ids in ``locale/sv/LC_MESSAGES/django.po`` replaces Django's Swedish. The ids are named here so
that ``makemessages`` keeps their entries in the catalogue; nothing calls this module.
"""

from __future__ import annotations

from django.utils.translation import ngettext_lazy

# Django's stock Swedish reads "Säkerställ att detta värde har som mest 4000 tecken (den har 4599)".
MAX_LENGTH = ngettext_lazy(
    "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
    "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
    "limit_value",
)
