"""Domain errors: what a service refuses, in the domain's words, not HTTP's.

Services raise these; the API maps them to status codes in one place
(``hemsjukvard.api.errors.exception_handler``) and pages in another (``hemsjukvard.pages.refusal_message``):

================  =====  ===============================================================
error             API    meaning
================  =====  ===============================================================
StateConflictError     409    the record's state does not allow the action (``extra`` says which do)
StaleVersionError      412    the record changed since the caller read it
NotPermitted      403    the acting person may not do this (a ``PermissionDenied``)
================  =====  ===============================================================
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal by a service; the subclasses say which kind."""


class StateConflictError(DomainError):
    """The record's current state does not allow the action."""

    code = "conflict"
    default_message = _("The request conflicts with the current state of the resource.")

    def __init__(self, message: str | None = None, *, extra: dict[str, Any] | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        self.extra = extra or {}
        super().__init__(self.message)


class StaleVersionError(DomainError):
    """The record changed since the caller read it: read it again and redo the change."""

    code = "precondition_failed"
    default_message = _(
        "Someone else has changed this resource since you read it. Read it again and redo your change."
    )

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        super().__init__(self.message)


class NotPermitted(PermissionDenied):
    """The acting person may not do this; ``code`` tells programs which rule refused."""

    code = "permission_denied"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
