"""The authorization matrix of /admin/: an organisation administrator × own or another organisation ×
each admin model × list, view, change, delete and add.

Another organisation's record is not listed and answers 404 to every URL, and nothing is written; what
the administrator may see but not change answers 403 to a change or delete, and nothing is written; what
they may change is changed, and the change is an attributed administration event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import models
from django.test import Client

from directory.models import AdminEvent, ApiToken, Membership, Organisation, User
from integrations.models import ApiClient

from .conftest import AdminWorld, form_data


@dataclass(frozen=True)
class Model:
    url: str
    own: Callable[[AdminWorld], models.Model]
    other: Callable[[AdminWorld], models.Model]
    change: dict[str, str]  # the field changed by the change case


MODELS: dict[str, Model] = {
    "user": Model(
        "directory/user",
        lambda aw: aw.own_user,
        lambda aw: aw.other_user,
        {"first_name": "Ändrad"},
    ),
    "membership": Model(
        "directory/membership",
        lambda aw: aw.own_membership,
        lambda aw: aw.other_membership,
        {"valid_to": "2031-01-01"},
    ),
    "organisation": Model(
        "directory/organisation",
        lambda aw: aw.own_org,
        lambda aw: aw.other_org,
        {"name": "Ändrad"},
    ),
    "apitoken": Model(
        "directory/apitoken",
        lambda aw: aw.own_token,
        lambda aw: aw.other_token,
        {},
    ),
    "apiclient": Model(
        "integrations/apiclient",
        lambda aw: aw.own_client,
        lambda aw: aw.other_client,
        {"contact_name": "Ändrad"},
    ),
}

# What an organisation administrator gets for their own organisation's records.
OWN_CHANGE = {"user": 302, "membership": 302, "organisation": 403, "apitoken": 403, "apiclient": 403}
OWN_DELETE = {"user": 403, "membership": 302, "organisation": 403, "apitoken": 403, "apiclient": 403}


def _fingerprint(obj: models.Model) -> dict[str, Any] | None:
    """The stored state of a record, to show that a refused request wrote nothing."""
    row = type(obj)._default_manager.filter(pk=obj.pk).values().first()
    if row is None:
        return None
    row.pop("last_login", None)
    if isinstance(obj, ApiClient):
        row["scope"] = sorted(obj.scope_organisations.values_list("pk", flat=True))
    if isinstance(obj, User):
        row["memberships"] = sorted(Membership.objects.filter(user=obj).values_list("pk", "valid_to"))
    return row


def _state(obj: models.Model) -> tuple[Any, ...]:
    return (
        _fingerprint(obj),
        AdminEvent.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Organisation.objects.count(),
        ApiToken.objects.count(),
        ApiClient.objects.count(),
    )


def _change_post(as_superuser: Client, spec: Model, obj: models.Model) -> dict[str, list[str]]:
    """The change form as it is rendered to someone who may change the record, with one field changed.

    For a record the administrator may not change, this is what an attacker would post."""
    page = as_superuser.get(f"/admin/{spec.url}/{obj.pk}/change/")
    assert page.status_code == 200
    return form_data(page.content.decode(), **spec.change)


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MODELS))
def test_the_changelist_lists_own_and_never_other_organisations_records(
    aw: AdminWorld, as_admin: Client, model: str
) -> None:
    spec = MODELS[model]
    page = as_admin.get(f"/admin/{spec.url}/")
    assert page.status_code == 200
    listed = {str(obj.pk) for obj in page.context["cl"].result_list}
    assert str(spec.own(aw).pk) in listed
    assert str(spec.other(aw).pk) not in listed


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MODELS))
def test_own_records_open(aw: AdminWorld, as_admin: Client, model: str) -> None:
    spec = MODELS[model]
    assert as_admin.get(f"/admin/{spec.url}/{spec.own(aw).pk}/change/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MODELS))
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_another_organisations_record_is_not_found(
    aw: AdminWorld, as_admin: Client, model: str, view: str
) -> None:
    spec = MODELS[model]
    assert as_admin.get(f"/admin/{spec.url}/{spec.other(aw).pk}/{view}/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MODELS))
def test_changing_another_organisations_record_is_not_found_and_writes_nothing(
    aw: AdminWorld, as_admin: Client, as_superuser: Client, model: str
) -> None:
    spec = MODELS[model]
    obj = spec.other(aw)
    data = _change_post(as_superuser, spec, obj)
    before = _state(obj)
    assert as_admin.post(f"/admin/{spec.url}/{obj.pk}/change/", data).status_code == 404
    assert _state(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MODELS))
def test_deleting_another_organisations_record_is_not_found_and_writes_nothing(
    aw: AdminWorld, as_admin: Client, model: str
) -> None:
    spec = MODELS[model]
    obj = spec.other(aw)
    before = _state(obj)
    assert as_admin.post(f"/admin/{spec.url}/{obj.pk}/delete/", {"post": "yes"}).status_code == 404
    assert _state(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MODELS))
def test_bulk_deleting_another_organisations_record_deletes_nothing(
    aw: AdminWorld, as_admin: Client, model: str
) -> None:
    spec = MODELS[model]
    obj = spec.other(aw)
    before = _state(obj)
    as_admin.post(
        f"/admin/{spec.url}/",
        {"action": "delete_selected", "_selected_action": [str(obj.pk)], "post": "yes"},
    )
    assert _state(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MODELS))
def test_changing_an_own_record(aw: AdminWorld, as_admin: Client, as_superuser: Client, model: str) -> None:
    spec = MODELS[model]
    obj = spec.own(aw)
    data = _change_post(as_superuser, spec, obj)
    before = _state(obj)
    events = AdminEvent.objects.count()
    response = as_admin.post(f"/admin/{spec.url}/{obj.pk}/change/", data)
    assert response.status_code == OWN_CHANGE[model], response.content.decode()[:2000]
    if OWN_CHANGE[model] == 302:
        obj.refresh_from_db()
        field, value = next(iter(spec.change.items()))
        assert str(getattr(obj, field)) == value
        event = AdminEvent.objects.latest("pk")
        assert AdminEvent.objects.count() == events + 1
        assert event.actor == aw.admin
        assert not event.as_superuser
        assert event.acting_organisation == aw.own_org
        assert event.acting_membership == Membership.objects.get(user=aw.admin).public_id
        assert event.organisation == aw.own_org
        assert event.action == "changed"
        assert field in event.changes
        # A superuser's form also carried is_staff/is_superuser/password fields: none of them took.
        if isinstance(obj, User):
            assert not obj.is_staff
            assert not obj.is_superuser
            assert set(event.changes) == {field}
    else:
        assert _state(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(MODELS))
def test_deleting_an_own_record(aw: AdminWorld, as_admin: Client, model: str) -> None:
    spec = MODELS[model]
    obj = spec.own(aw)
    before = _state(obj)
    response = as_admin.post(f"/admin/{spec.url}/{obj.pk}/delete/", {"post": "yes"})
    assert response.status_code == OWN_DELETE[model]
    if OWN_DELETE[model] == 302:
        assert _fingerprint(obj) is None
        event = AdminEvent.objects.latest("pk")
        assert (event.action, event.actor, event.organisation) == ("deleted", aw.admin, aw.own_org)
        assert event.changes["role"][0] == "gp"
    else:
        assert _state(obj) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("user", 200),
        ("membership", 200),
        ("organisation", 403),
        ("apitoken", 403),
        ("apiclient", 403),
        ("adminevent", 403),
    ],
)
def test_which_records_an_organisation_administrator_may_add(
    aw: AdminWorld, as_admin: Client, model: str, expected: int
) -> None:
    url = MODELS[model].url if model in MODELS else "directory/adminevent"
    assert as_admin.get(f"/admin/{url}/add/").status_code == expected


@pytest.mark.django_db
def test_an_api_client_cannot_be_added_by_an_organisation_administrator(
    aw: AdminWorld, as_admin: Client
) -> None:
    before = ApiClient.objects.count()
    response = as_admin.post(
        "/admin/integrations/apiclient/add/",
        {
            "name": "Egen nyckel",
            "organisation": str(aw.own_org.pk),
            "access": "read",
            "scope_organisations": [str(aw.own_org.pk)],
        },
    )
    assert response.status_code == 403
    assert ApiClient.objects.count() == before


@pytest.mark.django_db
def test_rotating_an_own_clients_secret_is_a_superusers(aw: AdminWorld, as_admin: Client) -> None:
    secrets_before = aw.own_client.secrets.count()
    response = as_admin.post(
        "/admin/integrations/apiclient/",
        {"action": "rotate_secret", "_selected_action": [str(aw.own_client.pk)]},
    )
    assert response.status_code in {200, 302}
    assert aw.own_client.secrets.count() == secrets_before


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["apitoken", "apiclient"])
def test_revoking_own_and_other_organisations_credentials(
    aw: AdminWorld, as_admin: Client, model: str
) -> None:
    spec = MODELS[model]
    own, other = spec.own(aw), spec.other(aw)
    as_admin.post(
        f"/admin/{spec.url}/",
        {"action": "revoke", "_selected_action": [str(own.pk), str(other.pk)]},
    )
    own.refresh_from_db()
    other.refresh_from_db()
    assert own.revoked_at is not None
    assert other.revoked_at is None
    event = AdminEvent.objects.latest("pk")
    assert (event.action, event.actor, event.object_label) == ("revoked", aw.admin, str(own))


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["adminevent"])
def test_the_administration_history_is_read_only(aw: AdminWorld, as_admin: Client, model: str) -> None:
    as_admin.post(f"/admin/directory/membership/{aw.own_membership.pk}/delete/", {"post": "yes"})
    event = AdminEvent.objects.latest("pk")
    assert as_admin.get(f"/admin/directory/adminevent/{event.pk}/change/").status_code == 200
    assert as_admin.post(f"/admin/directory/adminevent/{event.pk}/change/", {}).status_code == 403
    assert (
        as_admin.post(f"/admin/directory/adminevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert AdminEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_another_organisations_history_is_not_shown(
    aw: AdminWorld, as_superuser: Client, as_admin: Client
) -> None:
    data = _change_post(as_superuser, MODELS["membership"], aw.other_membership)
    assert (
        as_superuser.post(f"/admin/directory/membership/{aw.other_membership.pk}/change/", data).status_code
        == 302
    )
    event = AdminEvent.objects.latest("pk")
    assert event.as_superuser
    assert as_admin.get(f"/admin/directory/adminevent/{event.pk}/change/").status_code == 404
    page = as_admin.get("/admin/directory/adminevent/")
    assert event not in page.context["cl"].result_list


@pytest.mark.django_db
def test_the_admin_index_offers_only_what_an_organisation_administrator_may_use(as_admin: Client) -> None:
    page = as_admin.get("/admin/")
    assert page.status_code == 200
    models_shown = {model["object_name"] for app in page.context["app_list"] for model in app["models"]}
    assert {"User", "Membership", "Organisation", "ApiToken", "AdminEvent", "ApiClient"} <= models_shown
    assert not {"Group", "WebhookDelivery", "WebhookSubscription"} & models_shown
    adds = {
        model["object_name"]
        for app in page.context["app_list"]
        for model in app["models"]
        if model["perms"].get("add")
    }
    # People, their memberships, and the teams of their organisation that take cases.
    assert adds == {"User", "Membership", "Team"}
