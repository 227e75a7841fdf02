"""The Content-Security-Policy and ``Cache-Control: no-store``, through Django's test client.

The attack: a hostile insider stores markup in a free-text field (a case's background, a SIP goal) that a
colleague's browser later runs as script, or a shared computer's browser cache hands a patient page to the
next person. The policy refuses every inline script, event-handler attribute and inline style, so the
pages themselves must need none: every key page, as every role, is scanned for them. Every answer the
application makes is ``no-store``; only static files stay cacheable.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.test import RequestFactory

from cases.models import CaseStatus
from documents.models import DocumentKind, DocumentStatus
from hemsjukvard.security_headers import NoStoreMiddleware
from tests.fixtures.clients import signed_in
from tests.web.test_patient_documents import make_document

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}

ROLES = (
    "nurse_a",
    "rehab_a",
    "mas_a",
    "mar_a",
    "coordinator_a",
    "gp_a",
    "specialist",
    "governance",
    "admin",
    "nurse_b",
)


def policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = sorted(words[1:])
    return directives


def assert_no_store(response) -> None:
    cache_control = {word.strip() for word in response.headers.get("Cache-Control", "").split(",")}
    assert "no-store" in cache_control, (response.request["PATH_INFO"], cache_control)
    assert "public" not in cache_control


class InlineCodeFinder(HTMLParser):
    """What in a page the policy would refuse, or that would load from another origin."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event-handler attribute")
            if name == "style":
                self.problems.append(f'<{tag} style="{value}"> inline style')
            if name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"<{tag} {name}> htmx code attribute")
            if value.strip().lower().startswith(("javascript:", "js:")):
                self.problems.append(f"<{tag} {name}={value!r}> code in an attribute")
        if tag == "script":
            src = values.get("src", "")
            if not src:
                self.problems.append("<script> without src (inline script)")
            self.scripts.append(src)
        if tag == "style":
            self.problems.append("<style> element (inline style)")
        for name in ("src", "href"):
            url = values.get(name, "")
            if tag in ("script", "img", "link", "iframe") and url and not _same_origin(url):
                self.problems.append(f"<{tag} {name}={url!r}> from elsewhere")


def _same_origin(url: str) -> bool:
    return (url.startswith("/") and not url.startswith("//")) or url.startswith(("data:", "?", "#"))


def inline_code(response) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    return finder.problems


@pytest.fixture
def pages(world, halland, case_in, sip_from_case) -> dict[str, str]:
    """The main flows' pages (and htmx fragments), by a name for the failure message."""
    patient = world.patient()
    in_review = case_in(CaseStatus.IN_REVIEW)
    in_analysis = case_in(CaseStatus.RISK_ANALYSIS)
    document = make_document(world, patient, status=DocumentStatus.QUEUED, kind=DocumentKind.SIP_CARE_PLAN)
    return {
        "my work": "/",
        "patients": "/patients/",
        "patient": f"/patients/{patient.public_id}/",
        "emergency access": "/patients/emergency-access/",
        "new case": f"/cases/new/{patient.public_id}/",
        "case": f"/cases/{in_review.public_id}/",
        "risk analysis": f"/cases/{in_analysis.public_id}/risk-analysis/",
        "sip": f"/sip/{sip_from_case.public_id}/",
        "figures": "/figures/?from=2025-01-01&to=2025-03-31",
        "access log review": "/access-log/",
        "acting": "/accounts/acting/",
        "document status (htmx)": f"/documents/{document.public_id}/status/",
        "not found": "/cases/00000000-0000-0000-0000-000000000000/",
    }


def test_no_page_of_the_main_flows_needs_inline_code(world, client, pages):
    for role in ROLES:
        # A person with several memberships (the region's and a kommun's admin) acts in the first.
        client = signed_in(world.users[role])
        shown = 0
        for name, url in pages.items():
            response = client.get(url, **HTMX) if "htmx" in name else client.get(url)
            assert response.status_code in (200, 403, 404), (role, name, response.status_code)
            shown += response.status_code == 200
            assert inline_code(response) == [], (role, name)
            assert policy(response) == EXPECTED_POLICY, (role, name)
            assert_no_store(response)
        assert shown >= 3, role


def test_the_key_pages_load_the_scripts_from_static_files(world, client, pages):
    client.force_login(world.users["nurse_a"])
    finder = InlineCodeFinder()
    finder.feed(client.get(pages["case"]).content.decode())
    assert finder.scripts == [
        "/static/vendor/htmx/htmx.min.js",
        "/static/js/app.js",
        "/static/js/submit_once.js",
    ]


def test_htmx_is_configured_not_to_insert_styles_nor_evaluate_code(world, client):
    client.force_login(world.users["nurse_a"])
    page = client.get("/").content.decode()
    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles":false,"allowEval":false,'
        '"allowScriptTags":false,"selfRequestsOnly":true,"historyCacheSize":0,"refreshOnHistoryMiss":true}\'>'
    ) in page


def test_htmx_fragments_posted_by_the_pages_need_no_inline_code(world, client, halland):
    patient = world.patient()
    client.force_login(world.users["nurse_a"])
    proposal = client.post(
        f"/cases/new/{patient.public_id}/proposal/", {"tasks": ["peritoneal-dialysis"]}, **HTMX
    )
    assert proposal.status_code == 200
    assert inline_code(proposal) == []
    assert policy(proposal) == EXPECTED_POLICY


def test_the_figures_page_shows_charts_as_images_not_inline_svg(world, client):
    client.force_login(world.users["mas_a"])
    response = client.get("/figures/?from=2025-01-01&to=2025-03-31")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<svg" not in page
    # Each picture is its own response (the page stays small); same origin, so ``img-src 'self'``.
    assert page.count('<img class="chart-image" src="/figures/charts/') == 5
    assert 'aria-describedby="chart-heat-map-data"' in page
    chart = client.get("/figures/charts/heat-map.svg?from=2025-01-01&to=2025-03-31")
    assert chart["Content-Type"].startswith("image/svg+xml")
    assert policy(chart) == EXPECTED_POLICY


def test_login_page_and_the_admin_carry_the_policy_and_no_inline_code(world, client):
    for url in ("/accounts/login/", "/admin/login/"):
        response = client.get(url)
        assert response.status_code == 200
        assert policy(response) == EXPECTED_POLICY
        assert inline_code(response) == [], url
        assert_no_store(response)
    superuser = get_user_model().objects.create_superuser(
        username="root", email="root@example.org", password="a-long-test-password"
    )
    client.force_login(superuser)
    for url in ("/admin/", "/admin/directory/user/", f"/admin/directory/user/{superuser.pk}/change/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert policy(response) == EXPECTED_POLICY
        assert inline_code(response) == [], url
        assert_no_store(response)


def test_api_answers_carry_the_policy_and_no_store(world, api):
    patient = world.patient()
    client = api(world.users["nurse_a"])
    for url in ("/api/v1/patients", f"/api/v1/patients/{patient.public_id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert str(patient.public_id) in response.content.decode()
        assert policy(response) == EXPECTED_POLICY
        assert_no_store(response)
    refused = api(None).get(f"/api/v1/patients/{patient.public_id}")
    assert refused.status_code == 401
    assert_no_store(refused)


def test_patient_pages_and_fragments_are_no_store(world, client):
    patient = world.patient()
    document = make_document(world, patient, status=DocumentStatus.QUEUED)
    client.force_login(world.users["nurse_a"])
    for url, extra in (
        (f"/patients/{patient.public_id}/", {}),
        ("/patients/", {}),
        (f"/documents/{document.public_id}/status/", HTMX),
    ):
        response = client.get(url, **extra)
        assert response.status_code == 200, url
        assert_no_store(response)
        assert response.headers.get("Expires")


def test_pdf_downloads_are_no_store(world, client, api):
    patient = world.patient()
    document = make_document(world, patient, status=DocumentStatus.READY)
    client.force_login(world.users["nurse_a"])
    page_download = client.get(f"/documents/{document.public_id}/download/")
    assert page_download.status_code == 200
    assert page_download["Content-Type"] == "application/pdf"
    assert_no_store(page_download)
    api_download = api(world.users["nurse_a"]).get(f"/api/v1/documents/{document.public_id}/download")
    assert api_download.status_code == 200
    assert api_download["Content-Type"] == "application/pdf"
    assert_no_store(api_download)


def test_a_view_that_asks_for_public_caching_is_overridden():
    def cached_view(request):
        response = HttpResponse("Karin Svensson")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    response = NoStoreMiddleware(cached_view)(RequestFactory().get("/"))
    cache_control = {word.strip() for word in response["Cache-Control"].split(",")}
    assert {"no-store", "no-cache", "private", "max-age=0", "must-revalidate"} <= cache_control
    assert "public" not in cache_control
    assert "max-age=3600" not in cache_control


def test_a_view_that_already_says_no_store_keeps_its_own_header():
    def token_view(request):
        response = HttpResponse("{}")
        response["Cache-Control"] = "no-store"
        return response

    response = NoStoreMiddleware(token_view)(RequestFactory().post("/api/v1/oauth/token"))
    assert response["Cache-Control"] == "no-store"


def test_static_files_stay_cacheable_and_carry_the_policy(client):
    for url in (
        "/static/css/app.css",
        # An HTML page with an inline script that ships with Swagger UI: the policy keeps it inert.
        "/static/drf_spectacular_sidecar/swagger-ui-dist/oauth2-redirect.html",
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" not in response.headers.get("Cache-Control", "")
        assert policy(response) == EXPECTED_POLICY


def test_api_docs_load_only_same_origin_files_and_no_inline_script(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert policy(response) == EXPECTED_POLICY
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    assert finder.problems == []
    assert finder.scripts == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/api/docs/?script=",
    ]
    page = response.content.decode()
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in page
    for asset in (
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
        "/static/css/api-docs.css",
    ):
        assert client.get(asset).status_code == 200, asset

    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    body = script.content.decode()
    assert "SwaggerUIBundle" in body
    assert '"validatorUrl": null' in body
    assert "/api/schema/" in body
    assert_no_store(script)


def test_the_site_has_an_icon_and_favicon_ico_is_not_a_404(world, client):
    client.force_login(world.users["nurse_a"])
    page = client.get("/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301
    assert redirect["Location"] == "/static/favicon.svg"
    assert policy(redirect) == EXPECTED_POLICY
    icon = client.get(redirect["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    # Asked for before signing in too (the login page), and never written to.
    client.logout()
    assert client.get("/favicon.ico").status_code == 301
    assert client.post("/favicon.ico").status_code == 405


def test_a_forms_address_opened_with_get_is_a_page_saying_so(world, client, case_in):
    """Reloading a form's address after a refused submit (a GET on a POST-only URL) is a 405 page in
    Swedish that links back to where the person came from (on this site), under the same policy."""
    case = case_in(CaseStatus.IN_REVIEW)
    client.force_login(world.users["nurse_a"])
    came_from = f"http://testserver/cases/{case.public_id}/"
    response = client.get(f"/messages/cases/{case.public_id}/new/", HTTP_REFERER=came_from)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    page = response.content.decode()
    assert "Adressen hör till ett formulär" in page
    assert f'<a href="{came_from}">Tillbaka</a>' in page
    assert 'href="/">Tillbaka till mitt arbete</a>' in page
    assert inline_code(response) == []
    assert policy(response) == EXPECTED_POLICY
    assert_no_store(response)
    # From another site (or from nowhere), the way back is My work.
    elsewhere = client.get(f"/messages/cases/{case.public_id}/new/", HTTP_REFERER="https://evil.example/")
    assert "evil.example" not in elsewhere.content.decode()
    assert '<a href="/">Tillbaka</a>' in elsewhere.content.decode()
    assert '<a href="/">Tillbaka</a>' in client.get("/inbox/read-all/").content.decode()


def test_the_api_keeps_its_json_body_for_405(world, api):
    response = api(world.users["nurse_a"]).delete("/api/v1/patients")
    assert response.status_code == 405
    assert response.json()["error"]["code"]
