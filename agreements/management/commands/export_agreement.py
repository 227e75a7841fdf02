"""``manage.py export_agreement CODE``: write an agreement version as a YAML file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from agreements.choices import AgreementStatus
from agreements.exchange import agreement_export
from agreements.models import AgreementVersion


class Command(BaseCommand):
    help = (
        "Export an agreement version in the hemsjukvard-agreement/1 format, for version control. "
        "Without --version: the version in force (or else the latest)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="The agreement's code, e.g. halland-hemsjukvard.")
        parser.add_argument("--region", help="The region's name, if several regions use the code.")
        parser.add_argument("--agreement-version", dest="label", help="The version number, e.g. 2025.1.")
        parser.add_argument("-o", "--output", type=Path, help="Write here instead of to stdout.")

    def handle(self, *args: Any, **options: Any) -> None:
        versions = AgreementVersion.objects.filter(agreement__code=options["code"]).select_related(
            "agreement__region",
            "agreement__local_kommun",
            "agreement__local_vardcentral",
            "threshold_section",
        )
        if options["region"]:
            versions = versions.filter(agreement__region__name=options["region"])
        regions = set(versions.values_list("agreement__region__name", flat=True))
        if len(regions) > 1:
            raise CommandError(
                f"Several regions have an agreement {options['code']}: {', '.join(sorted(regions))}. "
                "Name one with --region."
            )
        if options["label"]:
            version = versions.filter(version=options["label"]).first()
        else:
            version = (
                versions.filter(status=AgreementStatus.IN_FORCE).order_by("-valid_from").first()
                or versions.order_by("-valid_from", "-pk").first()
            )
        if version is None:
            raise CommandError(f"No such agreement version: {options['code']} {options['label'] or ''}")
        text = agreement_export(version=version)
        output: Path | None = options["output"]
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {version.agreement.code} {version.version} to {output}.")
