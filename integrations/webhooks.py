"""Outbound webhooks on the wire: which URLs are allowed, how a delivery is signed and posted.

Signature (checked by the receiver with the subscription's secret)::

    X-Hemsjukvard-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>

The timestamp is inside the signed text so a captured delivery cannot be replayed later as new; receivers
should refuse a ``t`` more than a few minutes old. Redirects are never followed: the subscriber registered
one URL, and a redirect could point the payload anywhere.

Receivers must be public. Otherwise an API client could have the worker connect to this installation's
own network (the database, Redis, a cloud's metadata address at 169.254.169.254) and read the answers, or
how each attempt failed, back from its deliveries: a scanner run from inside. So the host name is
resolved and every address it gives must be public (no loopback, private, link-local, shared, multicast,
reserved or unspecified address, nor an IPv6 form that wraps one), when the subscription is made and
again at each delivery; the delivery then connects to an address it has just checked, never resolving
the name a second time (the answer may change in between: DNS rebinding). An attempt that gets no HTTP
answer records only ``unreachable``, never why. Host names listed in ``WEBHOOK_ALLOWED_INTERNAL_HOSTS``
are receivers the operator placed in the installation's own network (on-premise): they are not checked,
and only they may use plain http.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

SIGNATURE_HEADER = "X-Hemsjukvard-Signature"
EVENT_HEADER = "X-Hemsjukvard-Event"
DELIVERY_HEADER = "X-Hemsjukvard-Delivery"
RESPONSE_EXCERPT_CHARS = 500
# The one reason stored for an attempt without an HTTP answer, whatever happened: a refused connection,
# a timeout, a name that no longer resolves, an address that is not public, a TLS failure. Anything more
# specific would tell the subscriber what is listening where.
UNREACHABLE = "unreachable"
# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits; a gateway would connect to that one.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTargetError(Exception):
    """The URL's host does not resolve, or resolves to an address a webhook may not go to."""


def allowed_internal_hosts() -> frozenset[str]:
    return frozenset(_normalise_host(h) for h in settings.WEBHOOK_ALLOWED_INTERNAL_HOSTS if h.strip())


def _normalise_host(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def is_public_address(address: IPAddress) -> bool:
    """Whether a webhook may connect to ``address``: a public unicast address, also inside IPv6 forms."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public_address(address.ipv4_mapped)
        embedded = address.sixtofour
        if embedded is None and address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None and not is_public_address(embedded):
            return False
    return address.is_global and not (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` has for a TCP connection (IPv4 and IPv6), in the resolver's order."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return []
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def public_addresses(host: str, port: int) -> list[str]:
    """The addresses to connect to for ``host``: all of them public, or none (UnsafeTargetError)."""
    addresses = resolve(host, port)
    if not addresses:
        raise UnsafeTargetError(host)
    for raw in addresses:
        try:
            address = ipaddress.ip_address(raw)
        except ValueError:
            raise UnsafeTargetError(host) from None
        # One internal address is enough to refuse: a name with a public and a private address would
        # otherwise reach the private one whenever the public one does not answer.
        if not is_public_address(address):
            raise UnsafeTargetError(host)
    return addresses


@dataclass(frozen=True)
class Target:
    """Where a delivery goes. ``addresses`` are the checked ones to connect to; empty for an allowed
    internal host, which is connected to by its name."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _split(url: str) -> SplitResult:
    try:
        URLValidator(schemes=["http", "https"])(url)
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except (ValidationError, ValueError):
        raise ValidationError({"url": _("Enter a valid URL.")}) from None
    if parts.username or parts.password:
        raise ValidationError({"url": _("The URL must not contain a user name or password.")})
    return parts


def target(url: str) -> Target:
    """Check ``url`` (ValidationError) and its host's addresses now (UnsafeTargetError)."""
    parts = _split(url)
    host = _normalise_host(parts.hostname or "")
    internal = host in allowed_internal_hosts()
    if parts.scheme != "https" and not internal:
        raise ValidationError({"url": _("Webhook URLs must use https.")})
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = () if internal else tuple(public_addresses(host, port))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme=parts.scheme, host=host, port=port, path=path, addresses=addresses)


def validate_url(url: str) -> None:
    """HTTPS to a public server; a named internal host (``WEBHOOK_ALLOWED_INTERNAL_HOSTS``) also by http."""
    try:
        target(url)
    except UnsafeTargetError:
        raise ValidationError(
            {
                "url": _(
                    "The URL must lead to a server on the internet: local and internal addresses, and "
                    "names that cannot be looked up, are not allowed."
                )
            }
        ) from None


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


def _connect(addresses: tuple[str, ...], host: str, port: int, timeout: float | None) -> socket.socket:
    """A TCP connection to the first of the checked ``addresses`` that answers (to ``host`` if none)."""
    if not addresses:
        return socket.create_connection((host, port), timeout)
    error: OSError | None = None
    for address in addresses:
        try:
            return socket.create_connection((address, port), timeout)
        except OSError as exc:
            error = exc
    assert error is not None
    raise error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP (allowed internal hosts only); the Host header names the host, as for any request."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout)
        self._addresses = target.addresses

    def connect(self) -> None:
        self.sock = _connect(self._addresses, self.host, self.port, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address; the certificate is verified for the host name (SNI too)."""

    def __init__(self, target: Target, timeout: float) -> None:
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._addresses = target.addresses

    def connect(self) -> None:
        sock = _connect(self._addresses, self.host, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


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
    """POST once, to an address checked just now. Never raises for what the receiver does (or the
    network): the outcome is the result, and without an HTTP answer its error is only ``UNREACHABLE``."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    connection: http.client.HTTPConnection | None = None
    try:
        where = target(url)
        connection = (
            _PinnedHTTPSConnection(where, timeout)
            if where.scheme == "https"
            else _PinnedHTTPConnection(where, timeout)
        )
        # http.client follows no redirect: a 3xx answer is the result.
        connection.request("POST", where.path, body=body, headers=headers)
        response = connection.getresponse()
        return PostResult(response.status, _excerpt(response.read(RESPONSE_EXCERPT_CHARS * 4)), "", elapsed())
    except (UnsafeTargetError, ValidationError, http.client.HTTPException, OSError, ValueError):
        return PostResult(None, "", UNREACHABLE, elapsed())
    finally:
        if connection is not None:
            connection.close()
