"""Apps that exist only outside production, and the plain refusal when one of their commands is run there.

``settings.DEVELOPMENT_ONLY_APPS`` (the demo world and the tools built on it) are left out of
``INSTALLED_APPS`` in production, so Django alone would answer their commands with a bare "Unknown
command". ``manage.py`` asks ``command_refusal`` first and, in production, says why instead. The commands
are found by their files: nothing of those apps is imported.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import find_commands


def command_refusal(argv: Sequence[str]) -> str | None:
    """Why ``manage.py <command>`` may not run here, or None if it may (or is not one of those apps')."""
    if len(argv) < 2:
        return None
    try:
        production = bool(getattr(settings, "PRODUCTION", False))
        apps = list(getattr(settings, "DEVELOPMENT_ONLY_APPS", []))
    except ImproperlyConfigured:
        return None  # Django reports bad settings itself, in its own words
    if not production:
        return None
    command = argv[1]
    for app in apps:
        spec = importlib.util.find_spec(app)
        for location in (spec.submodule_search_locations or []) if spec else []:
            if command in find_commands(str(Path(location) / "management")):
                return (
                    f"{command} is a command of the {app} app, which is never installed in production "
                    "(HEMSJUKVARD_ENV=production): the demo world's staff accounts share a password "
                    "printed in the README. Run it only in development or test."
                )
    return None
