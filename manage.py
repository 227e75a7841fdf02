#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hemsjukvard.settings")
    from django.core.management import execute_from_command_line

    from hemsjukvard.development_only import command_refusal

    refusal = command_refusal(sys.argv)
    if refusal:
        sys.exit(f"CommandError: {refusal}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
