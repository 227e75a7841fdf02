"""``manage.py seed_demo``: build the fictional Region Halland demo world (see ``demo.world``)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from demo import cases as demo_cases
from demo import world


class Command(BaseCommand):
    help = (
        "Build the fictional demo world of Region Halland: organisations, one user per role per "
        "organisation, and enrolled demo patients. Safe to run again: it completes the world "
        "instead of duplicating it. Prints the demo credentials at the end."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--patients",
            type=int,
            default=world.DEFAULT_PATIENTS,
            help=(
                "Number of enrolled demo patients (default %(default)s, Halland's figure); one more "
                "patient who is not enrolled is added per hundred. Use 414000 for national scale."
            ),
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=world.DEFAULT_SEED,
            help="Random seed for the patients (default %(default)s); the same seed gives the same world.",
        )
        parser.add_argument(
            "--password",
            default=world.DEFAULT_PASSWORD,
            help="The one password of every demo user (default %(default)s).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=world.DEFAULT_BATCH_SIZE,
            help="Patients per database batch and transaction (default %(default)s).",
        )
        parser.add_argument(
            "--cases",
            type=int,
            default=demo_cases.DEFAULT_CASES,
            help=(
                "Number of demo responsibility cases, spread over every state (default %(default)s; "
                "0 makes none). Needs the demo agreement. Cases already there are kept."
            ),
        )
        parser.add_argument(
            "--no-agreement",
            action="store_true",
            help="Do not load the demo agreement (agreements/data/region_halland.yaml).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            # The demo app is not installed there (settings.DEVELOPMENT_ONLY_APPS); this holds if it is.
            raise CommandError(
                "seed_demo never runs in production (HEMSJUKVARD_ENV=production): the demo world's staff "
                "accounts share a password printed in the README."
            )
        patients: int = options["patients"]
        seed: int = options["seed"]
        batch_size: int = options["batch_size"]
        password: str = options["password"]
        if patients < 0:
            raise CommandError("--patients must be 0 or more.")
        if seed < 0:
            raise CommandError("--seed must be 0 or more.")
        cases: int = options["cases"]
        if cases < 0:
            raise CommandError("--cases must be 0 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            world.check_demo_password(password)
        except ValidationError as exc:
            raise CommandError("The demo password is too weak: " + " ".join(exc.messages)) from exc

        started = time.perf_counter()
        self.stderr.write(f"Building the demo world ({patients:,} enrolled patients, seed {seed})…")
        try:
            report = world.build_world(
                patients=patients,
                seed=seed,
                password=password,
                load_agreement=not options["no_agreement"],
                batch_size=batch_size,
                progress=self.stderr.write,
            )
        except world.DemoWorldError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started

        self.stdout.write(
            f"Demo world ready in {elapsed:.1f} s: "
            f"organisations {report.organisations.created} new / {report.organisations.updated} kept, "
            f"users {report.users.created} new / {report.users.updated} kept, "
            f"patients {report.patients_created:,} new / {report.patients_present:,} kept, "
            f"enrolments {report.enrolments_created:,} new."
        )
        if report.patients_beyond_request:
            self.stdout.write(
                f"{report.patients_beyond_request:,} further demo patients from an earlier, larger run "
                "were left as they are."
            )
        if cases:
            self._seed_cases(cases, seed)
        self._write_credentials(report.credentials, password)

    def _seed_cases(self, count: int, seed: int) -> None:
        started = time.perf_counter()
        self.stderr.write(f"Driving {count} demo cases through the services…")
        try:
            report = demo_cases.seed_cases(count=count, seed=seed, progress=self.stderr.write)
        except demo_cases.DemoCasesError as exc:
            raise CommandError(str(exc)) from exc
        elapsed = time.perf_counter() - started
        if report.skipped_reason and not report.created:
            self.stdout.write(f"Demo cases: none made ({report.skipped_reason}).")
            return
        by_state = ", ".join(f"{status} {n}" for status, n in sorted(demo_cases.demo_case_counts().items()))
        self.stdout.write(
            f"Demo cases ready in {elapsed:.1f} s: {report.created} new / {report.present} kept ({by_state})."
        )
        if report.skipped_reason:
            self.stdout.write(f"Fewer cases than asked: {report.skipped_reason}.")
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo cases to look at (log in as the user named)"))
        for label, examples in sorted(demo_cases.example_urls().items()):
            shown = "  ".join(f"{url} ({user})" if user else url for url, user in examples)
            self.stdout.write(f"{label:<31} {shown}")

    def _write_credentials(self, credentials: list[world.Credential], password: str) -> None:
        headers = ("username", "role", "organisation", "name", "note")
        rows = [(c.username, c.role, c.organisation, c.full_name, c.note) for c in credentials]
        widths = [max(len(row[i]) for row in [headers, *rows]) for i in range(len(headers))]

        def line(cells: tuple[str, ...]) -> str:
            return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()

        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING("Demo credentials (fictional people, demo data only)"))
        self.stdout.write(line(headers))
        self.stdout.write(line(tuple("-" * width for width in widths)))
        for row in rows:
            self.stdout.write(line(row))
        self.stdout.write("")
        self.stdout.write(f"Password for every demo user: {password}")
        self.stdout.write(
            f"Vacant MAR: {world.VACANT_MAR_KOMMUN} (MAS decides rehabilitation matters). "
            f"Shared MAR: {' and '.join(world.SHARED_MAR)}."
        )
