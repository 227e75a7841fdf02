"""API clients: OAuth2 client credentials, rotation with a grace period, revocation, scope and the log."""

from __future__ import annotations

import base64
import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AccessLogEntry, Outcome
from cases.models import CaseEvent, EventKind
from directory.models import AdminEvent, Membership, Role
from integrations import services
from integrations.models import ApiClient, ClientAccess
from tests.fixtures.cases import etag

from .conftest import as_client, form_post, token_for

pytestmark = pytest.mark.django_db


def _ask(issued: services.IssuedSecret, secret: str | None = None, **extra: str):
    return form_post(
        {
            "grant_type": "client_credentials",
            "client_id": issued.client.client_id,
            "client_secret": secret if secret is not None else issued.secret,
            **extra,
        }
    )


def test_client_credentials_flow_gives_a_short_lived_bearer_token(make_client) -> None:
    issued = make_client()
    response = _ask(issued)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "read"
    assert 0 < body["expires_in"] <= 3600
    assert response["Cache-Control"] == "no-store"

    me = as_client(token=body["access_token"]).get("/api/v1/me")
    assert me.status_code == 200
    assert {m["role"] for m in me.json()["memberships"]} == {Role.COORDINATOR}
    issued.client.refresh_from_db()
    assert issued.client.last_used_at is not None
    # Nothing secret is stored in clear.
    assert issued.secret not in {s.secret_hash for s in issued.client.secrets.all()}


def test_http_basic_client_authentication(make_client) -> None:
    issued = make_client()
    basic = base64.b64encode(f"{issued.client.client_id}:{issued.secret}".encode()).decode()
    response = form_post({"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 200

    wrong = base64.b64encode(f"{issued.client.client_id}:nope".encode()).decode()
    response = form_post({"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {wrong}")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    ("data", "status", "error"),
    [
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
        ({"grant_type": ""}, 400, "invalid_request"),
        ({"client_secret": ""}, 400, "invalid_request"),
        ({"client_secret": "hsvs_wrong"}, 401, "invalid_client"),
        ({"client_id": "hsvc_unknown"}, 401, "invalid_client"),
        ({"scope": "read write"}, 400, "invalid_scope"),
        ({"scope": "admin"}, 400, "invalid_scope"),
    ],
)
def test_token_errors_use_the_rfc_6749_shape(make_client, data, status, error) -> None:
    issued = make_client()
    body = {
        "grant_type": "client_credentials",
        "client_id": issued.client.client_id,
        "client_secret": issued.secret,
        **data,
    }
    response = form_post(body)
    assert response.status_code == status
    assert response.json()["error"] == error
    assert set(response.json()) <= {"error", "error_description"}


def test_rotation_keeps_the_old_secret_for_the_grace_period_only(make_client, monkeypatch) -> None:
    issued = make_client()
    rotated = services.api_client_rotate(client=issued.client, grace=datetime.timedelta(hours=2))
    assert rotated.secret != issued.secret
    assert _ask(issued).status_code == 200  # old, within grace
    assert _ask(issued, rotated.secret).status_code == 200  # new

    later = timezone.now() + datetime.timedelta(hours=2, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    response = _ask(issued)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert _ask(issued, rotated.secret).status_code == 200


def test_revocation_stops_tokens_and_secrets_at_once(make_client) -> None:
    issued = make_client()
    api = as_client(issued)
    assert api.get("/api/v1/me").status_code == 200

    services.api_client_revoke(client=issued.client)

    assert api.get("/api/v1/me").status_code == 401
    assert _ask(issued).json()["error"] == "invalid_client"
    issued.client.service_user.refresh_from_db()
    assert not issued.client.service_user.is_active
    assert not Membership.objects.active().filter(user=issued.client.service_user).exists()


def test_scoped_client_reads_its_kommun_only_and_is_logged_by_name(world, make_client) -> None:
    issued = make_client("Kommun A:s journalsystem", scope=("kommun_a",))
    own = world.patient(kommun="kommun_a", vardcentral="vc_a")
    other = world.patient(kommun="kommun_b", vardcentral="vc_b")
    api = as_client(issued)

    assert api.get(f"/api/v1/patients/{own.public_id}").status_code == 200
    response = api.get(f"/api/v1/patients/{other.public_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    listed = api.get("/api/v1/patients").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {row["id"] for row in rows} == {str(own.public_id)}

    granted = AccessLogEntry.objects.get(patient=own, outcome=Outcome.GRANTED, action="read")
    assert granted.api_client == "Kommun A:s journalsystem"
    assert granted.user == issued.client.service_user
    assert granted.organisation == world.orgs["kommun_a"]
    denied = AccessLogEntry.objects.get(patient=other, outcome=Outcome.DENIED)
    assert denied.api_client == "Kommun A:s journalsystem"
    assert not (
        AccessLogEntry.objects.filter(user=issued.client.service_user)
        .exclude(api_client="Kommun A:s journalsystem")
        .exists()
    )


def test_people_are_still_logged_without_a_client_name(world, api) -> None:
    patient = world.patient()
    assert api(world.users["nurse_a"]).get(f"/api/v1/patients/{patient.public_id}").status_code == 200
    assert AccessLogEntry.objects.get(patient=patient, action="read").api_client == ""


def test_read_only_client_cannot_write(world, make_client, case_in) -> None:
    """Writes answer 403 for a read-only client (and a read-only token), before anything is written.

    A read-write client acts with a coordinator's powers: it may comment, state positions, escalate.
    """
    read_only = make_client("Statistik", scope=("kommun_a",))
    writer = make_client("Planering", scope=("kommun_a",), access=ClientAccess.READ_WRITE)
    case = case_in()
    path = f"/api/v1/cases/{case.public_id}/comment"
    body = {"text": "Utbildning i PD bokad till torsdag."}

    def post(api):
        return api.post(path, body, format="json", HTTP_IF_MATCH=etag(case))

    assert as_client(read_only).get(f"/api/v1/cases/{case.public_id}").status_code == 200
    response = post(as_client(read_only))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    # A read-write client may narrow its own token to reading.
    assert post(as_client(token=token_for(writer, scope="read"))).status_code == 403
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.COMMENT).exists()

    assert post(as_client(writer)).status_code == 200
    comment = CaseEvent.objects.get(case=case, kind=EventKind.COMMENT)
    assert comment.user == writer.client.service_user
    assert comment.role == Role.COORDINATOR


def test_scope_change_moves_the_memberships(world, make_client) -> None:
    issued = make_client(scope=("kommun_a",))
    services.api_client_update(client=issued.client, scope=[world.orgs["kommun_b"], world.orgs["vc_b"]])
    active = Membership.objects.active().filter(user=issued.client.service_user)
    assert {m.organisation_id for m in active} == {world.orgs["kommun_b"].pk, world.orgs["vc_b"].pk}
    own = world.patient(kommun="kommun_a", vardcentral="vc_a")
    assert as_client(issued).get(f"/api/v1/patients/{own.public_id}").status_code == 404


def test_management_command_creates_rotates_lists_and_revokes(world) -> None:
    out = io.StringIO()
    call_command(
        "api_client",
        "create",
        "Lifecare SIP",
        "--organisation",
        "A kommun",
        "--scope",
        "A kommun",
        "--scope",
        "Vårdcentralen A",
        "--access",
        "read_write",
        stdout=out,
        stderr=io.StringIO(),
    )
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    client = ApiClient.objects.get(client_id=lines["client_id"])
    assert client.access == ClientAccess.READ_WRITE
    assert services.client_authenticate(client_id=client.client_id, client_secret=lines["client_secret"])

    out = io.StringIO()
    call_command("api_client", "rotate", client.client_id, stdout=out, stderr=io.StringIO())
    assert "client_secret=" in out.getvalue()
    out = io.StringIO()
    call_command("api_client", "list", stdout=out)
    assert "Lifecare SIP" in out.getvalue()
    call_command("api_client", "revoke", "Lifecare SIP", stdout=io.StringIO())
    client.refresh_from_db()
    assert client.is_revoked
    # Each change from the shell is an administration event like one made in the admin, never a secret.
    events = AdminEvent.objects.filter(object_type="api_client", object_id=str(client.public_id))
    assert list(events.order_by("at", "pk").values_list("action", flat=True)) == [
        "created",
        "secret_rotated",
        "revoked",
    ]
    assert all(e.actor is None and e.actor_label.startswith("manage.py api_client") for e in events)
    assert lines["client_secret"] not in str(list(events.values_list("changes", flat=True)))


def test_admin_creates_and_rotates_showing_the_secret_once(world, client) -> None:
    from directory.models import User

    admin_user = User.objects.create_superuser("root", "root@example.org", "a-long-password-1")
    client.force_login(admin_user)
    response = client.post(
        "/admin/integrations/apiclient/add/",
        {
            "name": "EHR Region",
            "organisation": world.orgs["region"].pk,
            "contact_name": "",
            "contact_email": "",
            "access": "read",
            "scope_organisations": [world.orgs["vc_a"].pk],
            "secrets-TOTAL_FORMS": "0",
            "secrets-INITIAL_FORMS": "0",
        },
        follow=True,
    )
    assert response.status_code == 200
    api_client = ApiClient.objects.get(name="EHR Region")
    shown = [str(m) for m in response.context["messages"]]
    secret = next(m for m in shown if "client_secret" in m).split("<code>")[-1].split("</code>")[0]
    assert services.client_authenticate(client_id=api_client.client_id, client_secret=secret)
    assert (
        Membership.objects.active()
        .filter(user=api_client.service_user, organisation=world.orgs["vc_a"])
        .exists()
    )

    response = client.post(
        "/admin/integrations/apiclient/",
        {"action": "rotate_secret", "_selected_action": [api_client.pk]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    new_secret = next(m for m in shown if "client_secret" in m).split("<code>")[-1].split("</code>")[0]
    assert new_secret != secret
    assert services.client_authenticate(client_id=api_client.client_id, client_secret=new_secret)
