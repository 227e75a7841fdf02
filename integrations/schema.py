"""Teaches drf-spectacular how API clients send their access tokens and name the person they act for.

``X-On-Behalf-Of`` and ``X-Acting-Membership`` are described as security schemes (API keys in a header)
that go together with the client's token, rather than as a parameter of every operation: they say *who*
the call is made as, which is what OpenAPI's security requirements are for, and code generators then
offer them as credentials next to the token.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from directory.actor import ACTING_MEMBERSHIP_HEADER, ON_BEHALF_OF_HEADER

from .permissions import IsApiClient

CLIENT_CREDENTIALS = "clientCredentials"
ON_BEHALF_OF = "onBehalfOf"
ACTING_MEMBERSHIP = "actingMembership"

CLIENT_DESCRIPTION = (
    "An API client's access token from POST /api/v1/oauth/token (OAuth2 client credentials, RFC 6749 "
    "§4.4), sent as `Authorization: Bearer <token>`. Alone, the call acts as the client itself: in the "
    "organisations of its scope, with a coordinator's rights, logged under the client's name. A "
    "read-and-write client may instead act for the person signed in to it: see `onBehalfOf`."
)
ON_BEHALF_OF_DESCRIPTION = (
    f"`{ON_BEHALF_OF_HEADER}: <HSA-id>`, together with a read-and-write client's token: the call is made "
    "as the clinician signed in to the calling system (e.g. a kommun nurse in the care documentation "
    "system), as Swedish integrations do. It may do what that person may do, but only in the person's "
    "active roles in the organisations of the client's scope (never as administrator), and writes only "
    "with a token of scope `write`. Case events, documents and the access log record the person, and "
    "the access log also the client's name. A nurse's case is opened and submitted this way, which the "
    "client acting as itself may not do. `GET /api/v1/me` with the header shows the person and the "
    "memberships the call may use. Errors (403 unless noted, in the API's error body): "
    "`on_behalf_of_not_allowed` (a read-only client, or a person's own token or session sending the "
    "header), `person_unknown` (no active person with this HSA-id), `person_outside_scope` (the person "
    "has no role in the client's scope), 400 `invalid` (an empty header)."
)
ACTING_MEMBERSHIP_DESCRIPTION = (
    f"`{ACTING_MEMBERSHIP_HEADER}: <membership id>`, only with `{ON_BEHALF_OF_HEADER}`: act in this one "
    "of the person's memberships (e.g. as MAS rather than as nurse), as a person chooses their acting "
    "role in the browser. The ids are those listed by `GET /api/v1/me` with `X-On-Behalf-Of`. Errors: "
    "403 `acting_membership_invalid` (not one of the person's memberships in the client's scope), 400 "
    f"`invalid` (not a UUID, or sent without `{ON_BEHALF_OF_HEADER}`)."
)


class ApiClientTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "integrations.authentication.ApiClientTokenAuthentication"
    name = [CLIENT_CREDENTIALS, ON_BEHALF_OF, ACTING_MEMBERSHIP]

    def get_security_requirement(self, auto_schema: Any) -> list[dict[str, list[Any]]]:
        alone: dict[str, list[Any]] = {CLIENT_CREDENTIALS: []}
        permissions = getattr(auto_schema.view, "permission_classes", ())
        if IsApiClient in permissions:
            # The client's own things (webhook subscriptions): no person involved.
            return [alone]
        return [
            alone,
            {CLIENT_CREDENTIALS: [], ON_BEHALF_OF: []},
            {CLIENT_CREDENTIALS: [], ON_BEHALF_OF: [], ACTING_MEMBERSHIP: []},
        ]

    def get_security_definition(self, auto_schema: Any) -> list[dict[str, Any]]:
        return [
            {
                "type": "oauth2",
                "description": CLIENT_DESCRIPTION,
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": "/api/v1/oauth/token",
                        "scopes": {"read": "Read data in the client's scope", "write": "Write as well"},
                    }
                },
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": ON_BEHALF_OF_HEADER,
                "description": ON_BEHALF_OF_DESCRIPTION,
            },
            {
                "type": "apiKey",
                "in": "header",
                "name": ACTING_MEMBERSHIP_HEADER,
                "description": ACTING_MEMBERSHIP_DESCRIPTION,
            },
        ]
