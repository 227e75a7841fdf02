"""Attachment pages: attach a file to a case or a SIP, download one, remove one.

The same selectors and services as the API: every download is access-checked and logged. The upload
views set the size limit before the body is read, so they take the CSRF check on themselves (Django's
middleware would read the body first).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from directory.actor import Actor
from hemsjukvard.errors import StateConflictError
from hemsjukvard.pages import refusal_message

from . import selectors, services
from .files import too_large_message
from .http import declared_too_large, download_response, limit_uploads, read_fields_only
from .models import Attachment
from .sections import keep_refused_upload

ANCHOR = "#attachments"


def _case_page(public_id: uuid.UUID) -> str:
    return reverse("cases:detail", args=[public_id]) + ANCHOR


def _sip_page(public_id: uuid.UUID) -> str:
    return reverse("sip:detail", args=[public_id]) + ANCHOR


def _upload(request: HttpRequest, public_id: uuid.UUID, *, to_case: bool) -> HttpResponseBase:
    back = _case_page(public_id) if to_case else _sip_page(public_id)
    if declared_too_large(request):
        read_fields_only(request)
        return _refused_unread(request, public_id, back)
    handler = limit_uploads(request)
    # Who may attach is asked before the body is read, outside the upload's transaction, so that a
    # refused attempt stays in the access log (404 for a record the person may not see, 403, 409).
    try:
        if to_case:
            services.case_attaching_membership(actor=Actor.from_request(request), case_id=public_id)
        else:
            services.sip_attaching_membership(actor=Actor.from_request(request), sip_id=public_id)
    except StateConflictError as error:
        messages.error(request, refusal_message(error))
        return redirect(back)
    return _upload_checked(request, public_id, to_case=to_case, back=back, handler=handler)


@csrf_protect
def _upload_checked(
    request: HttpRequest, public_id: uuid.UUID, *, to_case: bool, back: str, handler: object
) -> HttpResponseBase:
    actor = Actor.from_request(request)
    upload = request.FILES.get("file")
    if getattr(handler, "too_large", False):
        # The fields before the file (kind, title) were read before the upload was stopped.
        return _refused(request, public_id, back, too_large_message(services.max_bytes()))
    given = services.UploadInput(
        kind=request.POST.get("kind", ""),
        title=request.POST.get("title", ""),
        file_name=(upload.name or "") if upload is not None else "",
        stream=upload.file if upload is not None else None,
    )
    try:
        if to_case:
            attachment = services.attachment_add_to_case(actor=actor, case_id=public_id, upload=given)
        else:
            attachment = services.attachment_add_to_sip(actor=actor, sip_id=public_id, upload=given)
    except ValidationError as error:
        return _refused(
            request,
            public_id,
            back,
            _("The file was not attached: %(problem)s") % {"problem": refusal_message(error)},
            fields=error.message_dict if hasattr(error, "error_dict") else {},
        )
    except StateConflictError as error:
        messages.error(request, refusal_message(error))
        return redirect(back)
    messages.success(
        request,
        _("“%(title)s” is attached. Everyone who takes part in the care can now read it.")
        % {"title": attachment.title},
    )
    return redirect(back)


@csrf_protect
def _refused_unread(request: HttpRequest, public_id: uuid.UUID, back: str) -> HttpResponseBase:
    """A request longer than any allowed upload: refused with its file unread, the fields kept."""
    return _refused(request, public_id, back, too_large_message(services.max_bytes()))


def _refused(
    request: HttpRequest,
    public_id: uuid.UUID,
    back: str,
    problem: str,
    *,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponseBase:
    """Back to the page with the problem said, and the kind and title as typed kept for its upload form
    (a browser never keeps a chosen file, so the person is asked to choose it again)."""
    message = _("%(problem)s Choose the file again.") % {"problem": problem}
    messages.error(request, message)
    keep_refused_upload(
        request,
        public_id,
        kind=request.POST.get("kind", ""),
        title=request.POST.get("title", ""),
        problem=message,
        fields=fields or {},
    )
    return redirect(back)


@csrf_exempt
@login_required
@require_POST
def case_upload(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    return _upload(request, public_id, to_case=True)


@csrf_exempt
@login_required
@require_POST
def sip_upload(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    return _upload(request, public_id, to_case=False)


@login_required
@require_GET
def download(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    view, content = selectors.attachment_content(actor=actor, public_id=public_id)
    return download_response(view, content)


@login_required
@require_POST
def remove(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    try:
        attachment = services.attachment_remove(
            actor=actor, public_id=public_id, reason=request.POST.get("reason", "")
        )
    except (ValidationError, StateConflictError) as error:
        messages.error(
            request, _("The file was not removed: %(problem)s") % {"problem": refusal_message(error)}
        )
        # The attachment was readable (the service refuses what is not with a 404), so its page is too.
        _key, found = selectors.attachment_lookup(public_id)
        assert found is not None
        return redirect(_parent_page(found))
    messages.success(
        request,
        _("“%(title)s” is removed. The list still shows who removed it and why.")
        % {"title": attachment.title},
    )
    return redirect(_parent_page(attachment))


def _parent_page(attachment: Attachment) -> str:
    if attachment.case is not None:
        return _case_page(attachment.case.public_id)
    assert attachment.sip is not None
    return _sip_page(attachment.sip.public_id)
