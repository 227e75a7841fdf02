"""Teaches drf-spectacular how API clients send their access tokens."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiClientTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "integrations.authentication.ApiClientTokenAuthentication"
    name = "clientCredentials"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": (
                "An API client's access token from POST /api/v1/oauth/token (OAuth2 client credentials, "
                "RFC 6749 §4.4), sent as `Authorization: Bearer <token>`."
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "/api/v1/oauth/token",
                    "scopes": {"read": "Read data in the client's scope", "write": "Write as well"},
                }
            },
        }
