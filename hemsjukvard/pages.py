"""What pages do with a service's refusal (the API's counterpart is ``hemsjukvard.api.errors``).

A ``ValidationError`` goes next to the fields it names (``apply_service_errors``); a state conflict or
any other refusal becomes one sentence for the person (``refusal_message``). A stale version is told as
"someone else changed it", by the page, which knows what "it" is.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from .errors import StateConflictError


def apply_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the matching field, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def refusal_message(error: StateConflictError | ValidationError) -> str:
    """One sentence for a message banner: the conflict's explanation, or the validation messages."""
    if isinstance(error, StateConflictError):
        return error.message
    return " ".join(error.messages)
