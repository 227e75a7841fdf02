"""The ID token checks a sign-in depends on: signature, issuer, audience, nonce, expiry and level of
assurance. Tokens are signed here with real RSA keys; the backend verifies them as it does the
provider's (the browser tests sign in through a real provider)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory

from identity.oidc import REFUSAL_SESSION_KEY, SignInRefused, SithsBackend

ISSUER = "https://idp.example.test/oidc"
CLIENT = "hemsjukvard"


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


PROVIDER_KEY = _key()
OTHER_KEY = _key()


def _public_pem(key: rsa.RSAPrivateKey) -> str:
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture
def backend(settings: Any) -> SithsBackend:
    settings.OIDC_OP_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = CLIENT
    settings.OIDC_RP_CLIENT_SECRET = "secret"
    settings.OIDC_OP_TOKEN_ENDPOINT = "https://idp.example.test/token"
    settings.OIDC_OP_USER_ENDPOINT = "https://idp.example.test/userinfo"
    settings.OIDC_RP_IDP_SIGN_KEY = _public_pem(PROVIDER_KEY)
    settings.OIDC_ACR_VALUES = ["http://id.sambi.se/loa/loa3"]
    backend = SithsBackend()
    request = RequestFactory().get("/oidc/callback/")
    request.session = {}  # type: ignore[assignment]
    backend.request = request
    return backend


def _token(key: rsa.RSAPrivateKey = PROVIDER_KEY, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": CLIENT,
        "sub": "nurse",
        "nonce": "n-1",
        "iat": now,
        "exp": now + 300,
        "acr": "http://id.sambi.se/loa/loa3",
        "employeeHsaId": "SE2120001231-NURSE1",
    }
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256")


def test_a_good_token_passes(backend):
    assert backend.verify_token(_token(), nonce="n-1")["employeeHsaId"] == "SE2120001231-NURSE1"


@pytest.mark.parametrize(
    ("token", "nonce"),
    [
        pytest.param(_token(OTHER_KEY), "n-1", id="signed-by-another-key"),
        pytest.param(_token(aud="another-service"), "n-1", id="another-audience"),
        pytest.param(_token(iss="https://evil.example.test"), "n-1", id="another-issuer"),
        pytest.param(_token(), "n-2", id="another-nonce"),
        pytest.param(_token(nonce=None), "n-1", id="no-nonce"),
        pytest.param(_token(exp=int(time.time()) - 60, iat=int(time.time()) - 400), "n-1", id="expired"),
    ],
)
def test_a_bad_token_is_refused(backend, token, nonce):
    with pytest.raises(SuspiciousOperation):
        backend.verify_token(token, nonce=nonce)


def test_a_token_below_the_required_level_of_assurance_is_refused_and_says_so(backend):
    with pytest.raises(SignInRefused):
        backend.verify_token(_token(acr="http://id.sambi.se/loa/loa2"), nonce="n-1")
    assert backend.request.session[REFUSAL_SESSION_KEY] == {
        "reason": "acr",
        "acr": "http://id.sambi.se/loa/loa2",
    }
