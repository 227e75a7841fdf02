"""Bearer access tokens of API clients: ``Authorization: Bearer hsvat_…`` from ``POST /api/v1/oauth/token``.

Listed before ``directory.authentication.BearerTokenAuthentication``: a token with the client prefix is
decided here (accepted or refused), any other bearer token is left to the people's token class. The
request then acts as the client's service user, and ``request.auth`` (a ``ClientToken``) names the client
for ``directory.actor.Actor`` and so for the access log. With ``X-On-Behalf-Of`` the request acts as the
person named instead, within the client's scope (``integrations.delegation``); ``request.auth`` is still
the client's token, so rate limits, read-only scope and the access log keep naming the client.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from directory.actor import ACTING_MEMBERSHIP_HEADER, ON_BEHALF_OF_HEADER
from directory.models import User

from .delegation import delegation_resolve
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
        on_behalf_of = request.headers.get(ON_BEHALF_OF_HEADER)
        acting = request.headers.get(ACTING_MEMBERSHIP_HEADER)
        if on_behalf_of is None:
            if acting is not None:
                message = _("Send X-Acting-Membership only together with X-On-Behalf-Of.")
                raise exceptions.ValidationError({ACTING_MEMBERSHIP_HEADER: [message]})
            return token.client.service_user, token
        token.on_behalf_of = delegation_resolve(
            client=token.client, hsa_id=on_behalf_of, acting_membership=acting
        )
        return token.on_behalf_of.person, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


def client_token_of(request: Request) -> ClientToken | None:
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ClientToken) else None
