"""A real OpenID Connect provider (node's ``oidc-provider``, tests/identity/provider/) for sign-in tests.

``start_provider`` runs it on a free loopback port with test persons whose claims mimic a SITHS sign-in
through Inera's IdP, registers this service as its client, and points the settings at it.
"""

from __future__ import annotations

import copy
import json
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

PROVIDER_DIR = Path(__file__).resolve().parent / "provider"
CLIENT_ID = "hemsjukvard-test"
CLIENT_SECRET = "test-client-secret-that-is-long-enough"
LOA3 = "http://id.sambi.se/loa/loa3"


@dataclass(frozen=True)
class Provider:
    issuer: str
    configuration: dict[str, Any]


def commission(hsa_id: str, unit: str, *, purpose: str = "Vård och behandling") -> dict[str, str]:
    return {
        "commissionHsaId": hsa_id,
        "commissionPurpose": purpose,
        "healthCareUnitHsaId": unit,
        "healthCareProviderHsaId": "SE2321000131-E000000000001",
    }


def person(
    hsa_id: str, *commissions: dict[str, str], chosen: int | None = 0, acr: str = LOA3
) -> dict[str, Any]:
    """A test person: their HSA-id, commissions, and the one chosen at sign-in (None: not asked)."""
    claims: dict[str, Any] = {"employeeHsaId": hsa_id, "allCommissions": list(commissions)}
    if chosen is not None:
        claims.update(commissions[chosen])
    return {"acr": acr, "claims": claims}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def start_provider(
    tmp_path: Path, app_url: str, accounts: dict[str, Any], settings: Any
) -> Iterator[Provider]:
    port = _free_port()
    accounts_file = tmp_path / "accounts.json"
    accounts_file.write_text(json.dumps(accounts), encoding="utf-8")
    client_file = tmp_path / "client.json"
    client_file.write_text(
        json.dumps(
            {
                "client_id": CLIENT_ID,
                "client_secret": CLIENT_SECRET,
                "redirect_uris": [f"{app_url}/oidc/callback/"],
                "post_logout_redirect_uris": [f"{app_url}/accounts/login/"],
                "response_types": ["code"],
                "grant_types": ["authorization_code"],
                "token_endpoint_auth_method": "client_secret_post",
                "id_token_signed_response_alg": "RS256",
            }
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        ["node", "provider.mjs", str(port), str(accounts_file), str(client_file)],
        cwd=PROVIDER_DIR,
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "provider.log").open("w"),
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if not first.startswith("ready "):
            process.kill()
            log = (tmp_path / "provider.log").read_text(encoding="utf-8")
            raise AssertionError(f"the OIDC provider did not start: {first}{log}")
        issuer = first.split()[1]
        configuration = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).json()
        settings.OIDC_ENABLED = True
        settings.OIDC_OP_ISSUER = configuration["issuer"]
        settings.OIDC_RP_CLIENT_ID = CLIENT_ID
        settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = configuration["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = configuration["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = configuration["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = configuration["jwks_uri"]
        settings.OIDC_OP_LOGOUT_ENDPOINT = configuration["end_session_endpoint"]
        policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
        policy["DIRECTIVES"]["form-action"].append(issuer)  # the logout form's redirect, as in settings
        settings.CONTENT_SECURITY_POLICY = policy
        settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "identity.oidc.SithsBackend"]
        yield Provider(issuer=issuer, configuration=configuration)
    finally:
        process.terminate()
        process.wait(timeout=10)
