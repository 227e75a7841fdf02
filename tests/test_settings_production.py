"""Production settings refuse to start without their secrets, and accept a complete environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOOD = {
    "HEMSJUKVARD_ENV": "production",
    "SECRET_KEY": "x" * 30 + "-random-enough-for-a-test-0123456789",
    "ALLOWED_HOSTS": "hemsjukvard.example.se",
    "DATABASE_URL": "postgres://hsv:secret@db.example.se:5432/hemsjukvard",
    # People sign in with SITHS through the region's identity provider.
    "OIDC_ISSUER": "https://idp.example.se/oidc",
    "OIDC_CLIENT_ID": "hemsjukvard",
    "OIDC_CLIENT_SECRET": "a-client-secret-from-the-provider",
    "OIDC_AUTHORIZATION_ENDPOINT": "https://idp.example.se/oidc/authorize",
    "OIDC_TOKEN_ENDPOINT": "https://idp.example.se/oidc/token",
    "OIDC_USERINFO_ENDPOINT": "https://idp.example.se/oidc/userinfo",
    "OIDC_JWKS_ENDPOINT": "https://idp.example.se/oidc/jwks",
    "OIDC_END_SESSION_ENDPOINT": "https://idp.example.se/oidc/logout",
}

# Set by the test tools themselves (the browser tests' event loop), never in a deployment.
NOT_IN_PRODUCTION = {"DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def _start(env: dict[str, str], setting: str = "DEBUG") -> subprocess.CompletedProcess[str]:
    """Start Django with ``env`` and print ``setting``."""
    clean = {k: v for k, v in os.environ.items() if k not in {*GOOD, *NOT_IN_PRODUCTION}}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django; django.setup(); from django.conf import settings; print(settings.{setting})",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "hemsjukvard.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
def test_refuses_to_start_without(missing):
    env = {k: v for k, v in GOOD.items() if k != missing}
    result = _start(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_refuses_sqlite_in_production():
    result = _start({**GOOD, "DATABASE_URL": "sqlite:///prod.sqlite3"})
    assert result.returncode != 0
    assert "PostgreSQL" in result.stderr


def test_refuses_a_short_or_default_secret():
    result = _start({**GOOD, "SECRET_KEY": "django-insecure-short"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_refuses_password_sign_in_for_people_unless_explicitly_allowed():
    result = _start({**GOOD, "PASSWORD_LOGIN": "true"})
    assert result.returncode != 0
    assert "PASSWORD_LOGIN" in result.stderr
    allowed = _start({**GOOD, "PASSWORD_LOGIN": "true", "ALLOW_PASSWORD_LOGIN_IN_PRODUCTION": "true"})
    assert allowed.returncode == 0, allowed.stderr


def test_administrators_give_a_one_time_code_unless_explicitly_allowed_not_to():
    default = _start(GOOD, setting="ADMIN_OTP_REQUIRED")
    assert default.returncode == 0, default.stderr
    assert default.stdout.strip() == "True"
    result = _start({**GOOD, "ADMIN_OTP_REQUIRED": "false"})
    assert result.returncode != 0
    assert "ADMIN_OTP_REQUIRED" in result.stderr
    allowed = _start(
        {**GOOD, "ADMIN_OTP_REQUIRED": "false", "ALLOW_ADMIN_WITHOUT_OTP_IN_PRODUCTION": "true"},
        setting="ADMIN_OTP_REQUIRED",
    )
    assert allowed.returncode == 0, allowed.stderr
    assert allowed.stdout.strip() == "False"


def test_refuses_to_start_when_nobody_could_sign_in():
    result = _start({k: v for k, v in GOOD.items() if k != "OIDC_ISSUER"})
    assert result.returncode != 0
    assert "OIDC_ISSUER" in result.stderr


def test_refuses_a_provider_without_its_endpoints():
    result = _start({k: v for k, v in GOOD.items() if k != "OIDC_JWKS_ENDPOINT"})
    assert result.returncode != 0
    assert "OIDC_JWKS_ENDPOINT" in result.stderr


def test_starts_with_everything_set_and_debug_off():
    result = _start(GOOD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_check_deploy_is_clean():
    clean = {k: v for k, v in os.environ.items() if k not in {*GOOD, *NOT_IN_PRODUCTION}}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **GOOD},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_demo_is_not_installed_and_seed_demo_refuses_to_run():
    # The demo world's staff accounts share a password printed in the README. The database refuses
    # connections: the command must stop, saying why, before it would reach one.
    clean = {k: v for k, v in os.environ.items() if k not in {*GOOD, *NOT_IN_PRODUCTION}}
    env = {**clean, **GOOD, "DATABASE_URL": "postgres://hsv:secret@127.0.0.1:9/hemsjukvard"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    installed = run(
        "-c", "import django; django.setup(); from django.apps import apps; print(apps.is_installed('demo'))"
    )
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.strip() == "False"
    result = run("manage.py", "seed_demo", "--patients", "1", "--cases", "0")
    assert result.returncode != 0
    assert "seed_demo" in result.stderr
    assert "never installed in production" in result.stderr, result.stderr[-2000:]
