"""Manage API clients from the shell: create, rotate, revoke, list. Secrets are printed once.

Every change is an administration event, like one made in the admin, labelled with the command and the
server account that ran it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from directory.administration import admin_event_record, snapshot_diff
from directory.models import AdminEventAction, Organisation
from identity.totp import server_source
from integrations import services
from integrations.models import ApiClient, ClientAccess


def _organisation(ref: str) -> Organisation:
    """By public id, HSA-id or exact name."""
    queryset = Organisation.objects.all()
    found = None
    try:
        found = queryset.filter(public_id=ref).first()
    except ValidationError:
        found = None
    found = found or queryset.filter(hsa_id=ref).exclude(hsa_id="").first()
    if found is None:
        named = list(queryset.filter(name=ref)[:2])
        if len(named) > 1:
            raise CommandError(f"Several organisations are called {ref!r}; use the public id or HSA-id.")
        found = named[0] if named else None
    if found is None:
        raise CommandError(f"No organisation {ref!r}.")
    return found


def _client(ref: str) -> ApiClient:
    client = ApiClient.objects.filter(client_id=ref).first() or ApiClient.objects.filter(name=ref).first()
    if client is None:
        raise CommandError(f"No API client {ref!r}.")
    return client


def _record(client: ApiClient, action: str, changes: dict[str, Any]) -> None:
    admin_event_record(
        request=None,
        action=action,
        target=client,
        organisation=client.organisation,
        changes=changes,
        object_type="api_client",
        source=server_source("api_client"),
    )


class Command(BaseCommand):
    help = "Create, rotate, revoke or list API clients (OAuth2 client credentials)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="A new client; prints its id and secret once.")
        create.add_argument("name")
        create.add_argument("--organisation", required=True, help="Owning organisation (id, HSA-id or name).")
        create.add_argument(
            "--scope", action="append", required=True, help="An organisation in scope; repeat for more."
        )
        create.add_argument("--access", choices=ClientAccess.values, default=ClientAccess.READ)
        create.add_argument("--contact-name", default="")
        create.add_argument("--contact-email", default="")
        rotate = sub.add_parser("rotate", help="A new secret; the old one stays valid for the grace period.")
        rotate.add_argument("client", help="client id or name")
        rotate.add_argument("--grace-hours", type=float, default=None)
        revoke = sub.add_parser("revoke", help="Stop the client at once.")
        revoke.add_argument("client", help="client id or name")
        sub.add_parser("list", help="Every client with its scope and last use.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "create":
                with transaction.atomic():  # the client and its record, or neither
                    issued = services.api_client_create(
                        name=options["name"],
                        organisation=_organisation(options["organisation"]),
                        scope=[_organisation(ref) for ref in options["scope"]],
                        access=options["access"],
                        contact_name=options["contact_name"],
                        contact_email=options["contact_email"],
                    )
                    snapshot = services.api_client_snapshot(issued.client)
                    _record(
                        issued.client, AdminEventAction.CREATED, {k: [None, v] for k, v in snapshot.items()}
                    )
                self._print_secret(issued)
            elif action == "rotate":
                hours = options["grace_hours"]
                grace = datetime.timedelta(hours=hours) if hours is not None else None
                with transaction.atomic():
                    issued = services.api_client_rotate(client=_client(options["client"]), grace=grace)
                    _record(issued.client, AdminEventAction.SECRET_ROTATED, {})
                self._print_secret(issued)
            elif action == "revoke":
                client = _client(options["client"])
                before = services.api_client_snapshot(client)
                with transaction.atomic():
                    client = services.api_client_revoke(client=client)
                    changes = snapshot_diff(before, services.api_client_snapshot(client))
                    _record(client, AdminEventAction.REVOKED, changes)
                self.stdout.write(f"revoked {client.name} ({client.client_id})")
            else:
                for client in ApiClient.objects.prefetch_related("scope_organisations").order_by("name"):
                    scope = ", ".join(sorted(o.name for o in client.scope_organisations.all()))
                    state = "revoked" if client.is_revoked else client.access
                    used = client.last_used_at.isoformat() if client.last_used_at else "never"
                    self.stdout.write(f"{client.client_id}\t{client.name}\t{state}\t{used}\t{scope}")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    def _print_secret(self, issued: services.IssuedSecret) -> None:
        self.stdout.write(f"client_id={issued.client.client_id}")
        self.stdout.write(f"client_secret={issued.secret}")
        self.stderr.write("The secret is shown only now; store it in the integration's secret store.")
