"""Bearer access tokens of API clients: ``Authorization: Bearer hsvat_…`` from ``POST /api/v1/oauth/token``.

Listed before ``directory.authentication.BearerTokenAuthentication``: a token with the client prefix is
decided here (accepted or refused), any other bearer token is left to the people's token class. The
request then acts as the client's service user, and ``request.auth`` (a ``ClientToken``) names the client
for ``directory.actor.Actor`` and so for the access log.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from directory.models import User

from .models import ClientToken
from .services import TOKEN_PREFIX, client_touch, hash_secret


class ApiClientTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ClientToken] | None:
        parts = get_authorization_header(request).split()
        if len(parts) != 2 or parts[0].lower() != self.keyword:
            return None
        try:
            raw = parts[1].decode()
        except UnicodeError:
            return None
        if not raw.startswith(TOKEN_PREFIX):
            return None
        now = timezone.now()
        token = (
            ClientToken.objects.select_related("client", "client__service_user")
            .filter(
                key_hash=hash_secret(raw),
                expires_at__gt=now,
                client__revoked_at__isnull=True,
                client__service_user__is_active=True,
            )
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is invalid or has expired."))
        client_touch(client=token.client, now=now)
        return token.client.service_user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def client_token_of(request: Request) -> ClientToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ClientToken) else None
