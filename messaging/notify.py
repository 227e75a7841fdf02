"""What a notice about a message says.

The text names the case by its number and the organisations by their names: never the message, the
patient or the tasks. A notice is read in lists, e-mails and integrations where health details and a
protected identity (skyddad identitet) may not be shown; the case page, behind the access rule, shows
the message itself. Notices are written in the site's language (Swedish), whoever's step it was.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import ParamSpec

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from agreements.deadlines import STOCKHOLM, last_day_text

P = ParamSpec("P")


def due_at(reply_by: datetime.date | None) -> datetime.datetime | None:
    """The moment a reply-by date runs out: the start of the following day in Sweden, as every deadline
    of the product, so that it reads "by 10 December"."""
    if reply_by is None:
        return None
    following = reply_by + datetime.timedelta(days=1)
    return datetime.datetime.combine(following, datetime.time.min, tzinfo=STOCKHOLM)


def _due(reply_by: datetime.date | None) -> str:
    moment = due_at(reply_by)
    return last_day_text(moment) if moment is not None else ""


def _in_the_site_language(text: Callable[P, str]) -> Callable[P, str]:
    @functools.wraps(text)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> str:
        with translation.override(settings.LANGUAGE_CODE):
            return text(*args, **kwargs)

    return wrapped


@_in_the_site_language
def received_text(*, case_number: str, sender: str, reply_by: datetime.date | None) -> str:
    names = {"case": case_number, "sender": sender, "due": _due(reply_by)}
    if reply_by is None:
        return _("%(sender)s has sent your organisation a message on case %(case)s.") % names
    return (
        _("%(sender)s has sent your organisation a message on case %(case)s: answer it by %(due)s.") % names
    )


@_in_the_site_language
def written_again_text(*, case_number: str, sender: str) -> str:
    return _("%(sender)s has written again on its message to your organisation on case %(case)s.") % {
        "case": case_number,
        "sender": sender,
    }


@_in_the_site_language
def answered_text(*, case_number: str, addressed: str, own: bool = True) -> str:
    """To the message's sender (``own``), or to the colleague the case was since handed to, whose
    message it is not."""
    names = {"case": case_number, "addressed": addressed}
    if own:
        return _("%(addressed)s has answered your message on case %(case)s.") % names
    return _("%(addressed)s has answered the message your organisation sent on case %(case)s.") % names


@_in_the_site_language
def overdue_to_sender_text(
    *, case_number: str, addressed: str, reply_by: datetime.date, own: bool = True
) -> str:
    """To the message's sender (``own``), or to the colleague the case was since handed to."""
    names = {"case": case_number, "addressed": addressed, "due": _due(reply_by)}
    if own:
        return (
            _(
                "Your message to %(addressed)s on case %(case)s was to be answered by %(due)s and has no "
                "answer yet: write again or call them."
            )
            % names
        )
    return (
        _(
            "The message your organisation sent to %(addressed)s on case %(case)s was to be answered by "
            "%(due)s and has no answer yet: write again or call them."
        )
        % names
    )


@_in_the_site_language
def overdue_to_addressed_text(*, case_number: str, sender: str, reply_by: datetime.date) -> str:
    return _("The message from %(sender)s on case %(case)s was to be answered by %(due)s: answer it now.") % {
        "case": case_number,
        "sender": sender,
        "due": _due(reply_by),
    }
