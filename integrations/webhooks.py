"""Outbound webhooks on the wire: which URLs are allowed, how a delivery is signed and posted.

Signature (checked by the receiver with the subscription's secret)::

    X-Hemsjukvard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The timestamp is inside the signed text so a captured delivery cannot be replayed later as new; receivers
should refuse a ``t`` more than a few minutes old. Redirects are never followed: the subscriber registered
one URL, and a redirect could point the payload anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-Hemsjukvard-Signature"
EVENT_HEADER = "X-Hemsjukvard-Event"
DELIVERY_HEADER = "X-Hemsjukvard-Delivery"
RESPONSE_EXCERPT_CHARS = 500
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def localhost_allowed() -> bool:
    return bool(settings.DEBUG or settings.WEBHOOKS_ALLOW_LOCALHOST)


def validate_url(url: str) -> None:
    """HTTPS only; plain HTTP to this machine only while developing or testing."""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationError({"url": _("Enter a valid URL.")}) from None
    parts = urlsplit(url)
    if parts.username or parts.password:
        raise ValidationError({"url": _("The URL must not contain a user name or password.")})
    if parts.scheme == "https":
        return
    if parts.hostname in LOCAL_HOSTS and localhost_allowed():
        return
    raise ValidationError({"url": _("Webhook URLs must use https.")})


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300, now: float | None = None) -> bool:
    """What a receiver does; here for the tests and as a reference for integrators."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), fields.get("v1", ""))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx answer itself becomes the result (an HTTPError), not a new request


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class PostResult:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _excerpt(raw: bytes) -> str:
    return raw[: RESPONSE_EXCERPT_CHARS * 4].decode("utf-8", errors="replace")[:RESPONSE_EXCERPT_CHARS]


def post(*, url: str, body: bytes, headers: dict[str, str], timeout: float) -> PostResult:
    """POST once. Never raises for what the receiver does: the outcome is the result."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - https or local only (validate_url)
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        with _opener.open(request, timeout=timeout) as response:
            return PostResult(
                response.status, _excerpt(response.read(RESPONSE_EXCERPT_CHARS * 4)), "", elapsed()
            )
    except urllib.error.HTTPError as exc:
        try:
            raw = exc.read(RESPONSE_EXCERPT_CHARS * 4)
        except OSError:
            raw = b""
        return PostResult(exc.code, _excerpt(raw), "", elapsed())
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return PostResult(None, "", f"{type(exc).__name__}: {reason}"[:500], elapsed())
