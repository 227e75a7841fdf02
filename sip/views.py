"""SIP pages: start a plan from an agreed case, edit the draft (the four elements, consent, goals,
participants, contact paths, follow-up date), finalise it (the law's checks as messages), versions,
follow-up, and the PDF. Reads through ``sip.selectors``, writes through ``sip.services``.
"""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from attachments import sections as attachment_sections
from cases import selectors as case_selectors
from directory.actor import Actor
from documents import selectors as document_selectors
from documents.models import DocumentKind
from hemsjukvard.errors import NotPermitted, StaleVersionError, StateConflictError
from hemsjukvard.form_once import form_once
from hemsjukvard.pages import apply_service_errors, refusal_message

from . import policies, selectors, services
from .forms import (
    MAX_INSATS,
    ConsentWithdrawalForm,
    DistributionForm,
    FollowUpForm,
    SipDraftForm,
    _insats_keys,
    _organisations,
)
from .masking import MASK, shown


def _handlaggare_choices(actor: Actor, view: Any) -> list[tuple[str, str]] | None:
    """Who may be named the plan's biståndshandläggare, for whoever keeps the plan (the care staff on
    it); ``None`` for the biståndshandläggare herself, who does not name anyone."""
    if policies.editing_membership(actor, view.facts.organisation_ids) is None:
        return None
    return selectors.handlaggare_choices(sip=view.sip)


def _sol_only(actor: Actor, view: Any) -> bool:
    """Whether ``actor`` works on the plan only as its biståndshandläggare (the SoL parts)."""
    editing = policies.editing_membership(actor, view.facts.organisation_ids)
    return editing is None and policies.is_sol_editor(view.membership)


def _render(
    request: HttpRequest,
    actor: Actor,
    view: Any,
    *,
    form: Any = None,
    follow_form: Any = None,
    distribution_form: Any = None,
    problems: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    sip = view.sip
    version = selectors.current_version(sip)
    actions = policies.allowed_actions(actor, view.facts)
    organisations = _organisations(sip)
    visible = view.identity_visible
    if form is None and policies.SipAction.UPDATE_DRAFT in actions:
        form = SipDraftForm(
            version=version,
            organisations=organisations,
            initial={"revision": sip.revision},
            identity_visible=visible,
            handlaggare_choices=_handlaggare_choices(actor, view),
            sol_only=_sol_only(actor, view),
        )
    if follow_form is None and policies.SipAction.RECORD_FOLLOW_UP in actions:
        follow_form = FollowUpForm(
            initial={"revision": sip.revision, "held_on": timezone.localdate()}, prefix="follow"
        )
    if distribution_form is None and policies.SipAction.RECORD_DISTRIBUTION in actions:
        distribution_form = DistributionForm(
            initial={"revision": sip.revision, "given_on": timezone.localdate()}, prefix="dist"
        )
    finalised = selectors.latest_finalised(sip)
    withdrawal = selectors.consent_withdrawal(sip)
    documents: list[Any] = []
    if finalised is not None and view.shared:
        documents = document_selectors.documents_listed(
            actor=actor,
            documents=document_selectors.documents_for_source(
                actor=actor, kind=DocumentKind.SIP_CARE_PLAN, source_id=finalised.public_id
            )[:5],
        )
    return render(
        request,
        "sip/sip_detail.html",
        {
            "view": view,
            # Seen only as its biståndshandläggare: no links to the case or the patient page (both 404).
            "plan_only": _sol_only(actor, view),
            "sip": sip,
            "version": version,
            "finalised": finalised,
            "actions": actions,
            "form": form,
            "groups": form.groups() if form is not None else None,
            # The control naming the biståndshandläggare, for whoever keeps the plan.
            "handlaggare_field": form["bistandshandlaggare"]
            if form is not None and "bistandshandlaggare" in form.fields
            else None,
            "follow_form": follow_form,
            "distribution_form": distribution_form,
            "distributions": [
                (d, shown(d, "recipient_name", identity_visible=visible)) for d in sip.distributions.all()
            ]
            if view.shared
            else [],
            # What finalising still lacks, each with where it is filled in on the page.
            "problems": [
                (message, _problem_anchor(form, name))
                for name, found in (problems or {}).items()
                for message in found
            ],
            "documents": documents,
            "attachments": attachment_sections.sip_section(actor=actor, view=view, request=request),
            "versions": list(sip.versions.all()),
            "identity_visible": visible,
            "mask": MASK,
            "withdrawal": withdrawal,
            # Who gave and who withdrew consent name the person (or their representative): masked alike.
            "consent_given_by_name": shown(finalised, "consent_given_by_name", identity_visible=visible)
            if finalised is not None
            else "",
            "withdrawn_by_name": shown(withdrawal, "withdrawn_by_name", identity_visible=visible)
            if withdrawal is not None
            else "",
        },
        status=status,
    )


@login_required
@require_GET
def sip_detail(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    actor = Actor.from_request(request)
    return _render(request, actor, selectors.sip_get(actor=actor, public_id=public_id))


@login_required
@require_POST
def sip_from_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponseBase:
    actor = Actor.from_request(request)
    case = case_selectors.case_get(actor=actor, public_id=case_id)

    def start() -> HttpResponseBase:
        sip = services.sip_create_from_case(actor=actor, case=case, expected_case_version=None)
        messages.success(
            request,
            _("The SIP is started from the agreed case; the case becomes active when the SIP is finalised."),
        )
        return redirect("sip:detail", public_id=sip.public_id)

    try:
        # A double click or the back button starts one plan: the second POST goes where the first went.
        return form_once(request, start)
    except (StateConflictError, ValidationError) as error:
        messages.error(request, refusal_message(error))
        return redirect("cases:detail", public_id=case.public_id)


# A missing piece that is no single field of the form, and the part of the page where it is filled in.
_PROBLEM_PLACES = {
    "insatser": "insatser",
    "responsible": "insatser",
    "when": "insatser",
    "consent": "id_consent_given_by",
    "participants": "participants",
    "contact_paths": "contact-paths",
    "other_measures": "id_no_other_measures",
}


def _problem_anchor(form: Any, name: str) -> str:
    if form is not None and name in form.fields:
        return str(form[name].id_for_label)
    return _PROBLEM_PLACES.get(name, "sip-form")


def _keep_typed(form: SipDraftForm, revision: int) -> None:
    """Show what was typed again with the plan's revision as it now is, so saving it again is taken."""
    data = cast(QueryDict, form.data).copy()
    data["revision"] = str(revision)
    form.data = data


def _problems(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {"": list(error.messages)}


@login_required
@require_http_methods(["POST"])
def sip_action(request: HttpRequest, public_id: uuid.UUID, action: str) -> HttpResponseBase:
    actor = Actor.from_request(request)
    view = selectors.sip_get(actor=actor, public_id=public_id)
    sip = view.sip
    revision_raw = (
        request.POST.get("revision")
        or request.POST.get("follow-revision")
        or request.POST.get("dist-revision")
    )
    revision = int(revision_raw) if revision_raw and revision_raw.isdigit() else None
    try:
        if action == "save" or action == "finalise":
            form = SipDraftForm(
                request.POST,
                version=selectors.current_version(sip),
                organisations=_organisations(sip),
                identity_visible=view.identity_visible,
                handlaggare_choices=_handlaggare_choices(actor, view),
                sol_only=_sol_only(actor, view),
            )
            if not form.is_valid():
                return _render(request, actor, view, form=form, status=400)
            try:
                services.sip_update_draft(
                    actor=actor, sip=sip, expected_revision=revision, changes=form.changes()
                )
            except ValidationError as error:
                apply_service_errors(form, error)
                return _render(request, actor, view, form=form, status=400)
            except NotPermitted as refusal:
                # The reason (e.g. a biståndshandläggare changes only the SoL parts) beside what was typed.
                form.add_error(None, str(refusal))
                return _render(request, actor, view, form=form, status=403)
            except StaleVersionError:
                # Someone saved the plan meanwhile. Still a draft she may change: what was typed comes back
                # with the plan's new revision, and saving it again is her informed choice.
                view = selectors.sip_get(actor=actor, public_id=public_id, log=False)
                if policies.SipAction.UPDATE_DRAFT not in policies.allowed_actions(actor, view.facts):
                    raise
                _keep_typed(form, view.sip.revision)
                kept = _(
                    "Someone else saved the SIP while you were working on it. What you typed is kept "
                    "below; saving it replaces their changes. Open the plan in a new tab to see them first."
                )
                form.add_error(None, kept)
                return _render(request, actor, view, form=form, status=409)
            if action == "finalise":
                try:
                    services.sip_finalise(
                        actor=actor, sip=selectors.sip_reload(sip=sip), expected_revision=None
                    )
                except ValidationError as error:
                    # The draft is saved: the form keeps what was typed, with the plan's new revision,
                    # and each missing piece is said at its field too.
                    view = selectors.sip_get(actor=actor, public_id=public_id, log=False)
                    _keep_typed(form, view.sip.revision)
                    problems = _problems(error)
                    for name, found in problems.items():
                        for message in found if name in form.fields else ():
                            form.add_error(name, message)
                    return _render(request, actor, view, form=form, problems=problems, status=400)
                messages.success(
                    request, _("The SIP is finalised. Create the PDF for the person and the participants.")
                )
            else:
                messages.success(request, _("The draft is saved."))
        elif action == "new_version":
            services.sip_new_version(actor=actor, sip=sip, expected_revision=revision)
            messages.success(request, _("A new version is started as a draft."))
        elif action == "follow_up":
            follow_form = FollowUpForm(request.POST, prefix="follow")
            if not follow_form.is_valid():
                return _render(request, actor, view, follow_form=follow_form, status=400)
            try:
                services.sip_record_follow_up(
                    actor=actor,
                    sip=sip,
                    expected_revision=revision,
                    **{k: follow_form.cleaned_data[k] for k in ("held_on", "outcome", "notes")},
                )
            except ValidationError as error:
                apply_service_errors(follow_form, error)
                return _render(request, actor, view, follow_form=follow_form, status=400)
            messages.success(request, _("The follow-up is recorded."))
        elif action == "record_distribution":
            dist_form = DistributionForm(request.POST, prefix="dist")
            if not dist_form.is_valid():
                return _render(request, actor, view, distribution_form=dist_form, status=400)
            try:
                services.sip_record_distribution(
                    actor=actor,
                    sip=sip,
                    expected_revision=revision,
                    **{
                        k: dist_form.cleaned_data[k]
                        for k in ("recipient_kind", "recipient_name", "method", "given_on")
                    },
                )
            except ValidationError as error:
                apply_service_errors(dist_form, error)
                return _render(request, actor, view, distribution_form=dist_form, status=400)
            messages.success(
                request,
                _(
                    "It is recorded who received the plan. Create the PDF again to print the list "
                    "of recipients."
                ),
            )
        else:
            raise Http404
    except StaleVersionError:
        messages.error(
            request, _("Someone else changed the SIP while you were working on it. Check it and try again.")
        )
    except StateConflictError as conflict:
        messages.error(request, conflict.message)
    return redirect("sip:detail", public_id=sip.public_id)


@login_required
@require_POST
def sip_draft_rows(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Add an insats row to the draft being edited, or remove one; nothing is saved until "Save".

    The whole form is posted (so what the person typed stays), the rows change, and the form comes back:
    with htmx only the insatser fieldset, without JavaScript the whole page.
    """
    actor = Actor.from_request(request)
    view = selectors.sip_get(actor=actor, public_id=public_id)
    sip = view.sip
    # A plan no longer shared with the person (consent withdrawn) is not theirs to edit either.
    if not view.shared or policies.SipAction.UPDATE_DRAFT not in policies.allowed_actions(actor, view.facts):
        raise PermissionDenied(_("Only the care staff on the plan may change it."))
    version = selectors.current_version(sip)
    keys = _insats_keys(request.POST)
    if keys is None:
        keys = list(range(len(list(version.insatser.all()))))
    removed = request.POST.get("insats_remove", "")
    focus: int | None = None
    if removed.isdigit() and int(removed) in keys:
        keys.remove(int(removed))
    elif "insats_add" in request.POST and len(keys) < MAX_INSATS:
        focus = next(k for k in range(len(keys) + 1) if k not in keys)  # the smallest key not in use
        keys.append(focus)
    form = SipDraftForm(
        request.POST,
        version=version,
        organisations=_organisations(sip),
        insats_keys=keys,
        focus_key=focus,
        identity_visible=view.identity_visible,
        handlaggare_choices=_handlaggare_choices(actor, view),
        sol_only=_sol_only(actor, view),
    )
    form.is_valid()  # cleans the posted values for the re-render; errors show as they would on saving
    if request.htmx:  # type: ignore[attr-defined]
        return render(
            request,
            "sip/_insatser.html",
            {"form": form, "groups": form.groups(), "sip": sip, "removed": focus is None and bool(removed)},
        )
    return _render(request, actor, view, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def sip_withdraw_consent(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    """Record that the person (or their representative) withdrew consent: fill in, confirm, recorded.

    The first post shows what will be recorded and what it does (sharing stops) and asks for
    confirmation; only the confirmed post calls ``services.sip_withdraw_consent``.
    """
    actor = Actor.from_request(request)
    view = selectors.sip_get(actor=actor, public_id=public_id)
    sip = view.sip
    facts = view.facts
    if policies.editing_membership(actor, facts.organisation_ids) is None or not view.shared:
        raise PermissionDenied(_("Only the care staff on the plan may change it."))
    if policies.SipAction.WITHDRAW_CONSENT not in policies.allowed_actions(actor, facts):
        messages.error(
            request, _("There is no consent to withdraw: it has already been withdrawn, or none was given.")
        )
        return redirect("sip:detail", public_id=sip.public_id)
    others = [o for o in _organisations(sip) if o.pk != sip.owner_organisation_id]
    context: dict[str, Any] = {
        "view": view,
        "sip": sip,
        "identity_visible": view.identity_visible,
        "finalised": selectors.latest_finalised(sip),
        "others": others,
    }
    if request.method != "POST":
        context["form"] = ConsentWithdrawalForm(
            initial={"revision": sip.revision, "withdrawn_on": timezone.localdate()}
        )
        return render(request, "sip/consent_withdraw.html", context)
    form = ConsentWithdrawalForm(request.POST)
    context["form"] = form
    if not form.is_valid() or "edit" in request.POST:
        return render(request, "sip/consent_withdraw.html", context, status=400 if form.errors else 200)
    if "confirm" not in request.POST:
        context["confirming"] = True
        return render(request, "sip/consent_withdraw.html", context)
    revision = form.cleaned_data.get("revision")
    try:
        withdrawal = services.sip_withdraw_consent(
            actor=actor,
            sip=sip,
            expected_revision=revision,
            withdrawn_by=form.cleaned_data["withdrawn_by"],
            withdrawn_by_name=form.cleaned_data["withdrawn_by_name"],
            withdrawn_on=form.cleaned_data["withdrawn_on"],
            reason=form.cleaned_data["reason"],
        )
    except ValidationError as error:
        apply_service_errors(form, error)
        return render(request, "sip/consent_withdraw.html", context, status=400)
    except StaleVersionError:
        messages.error(
            request, _("Someone else changed the SIP while you were working on it. Check it and try again.")
        )
        return redirect("sip:detail", public_id=sip.public_id)
    except StateConflictError as conflict:
        messages.error(request, conflict.message)
        return redirect("sip:detail", public_id=sip.public_id)
    if withdrawal is not None:
        messages.success(
            request,
            _(
                "The withdrawal of consent is recorded. The plan is no longer shared with other "
                "organisations."
            ),
        )
    else:
        messages.success(
            request,
            _("The consent in the draft is removed; the plan cannot be finalised without a new consent."),
        )
    return redirect("sip:detail", public_id=sip.public_id)
