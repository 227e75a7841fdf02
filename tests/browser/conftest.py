"""Real headless Chromium (Debian's ``chromium``) driven by Playwright against ``live_server``.

Documents render with Celery eager inside the live server (``eager_celery``, used by every test here),
so a requested PDF is ready by the time the page polls.

Every page opened through ``as_user`` is watched for Content-Security-Policy violations (the browser
reports each one on the console): a test fails if a page needed anything the policy refuses.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.world import PASSWORD

# Playwright's sync API runs an event loop in the test thread; the ORM calls of the fixtures are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


@pytest.fixture(autouse=True)
def _eager_celery(eager_celery: None) -> None:
    pass


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def watch_csp(page: Any, violations: list[str]) -> None:
    """Collect the Content-Security-Policy violations the browser reports for ``page``."""
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )


@pytest.fixture
def csp_violations() -> Iterator[list[str]]:
    """Violations seen on the pages of ``as_user``; none may be left at the end of the test."""
    violations: list[str] = []
    yield violations
    assert violations == [], violations


@pytest.fixture
def as_user(browser: Any, live_server: Any, csp_violations: list[str]) -> Iterator[Callable[..., Any]]:
    """A logged-in page for a username, in a fresh browser context (tablet-sized window)."""
    contexts = []

    def login(username: str, *, language: str = "sv") -> Any:
        context = browser.new_context(
            viewport={"width": 1024, "height": 1366}, locale="sv-SE", accept_downloads=True
        )
        contexts.append(context)
        page = context.new_page()
        watch_csp(page, csp_violations)
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        if language == "en":
            page.locator("button[name=language][value=en]").click()
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
        return page

    yield login
    for context in contexts:
        context.close()


def fill_sip_editor(page: Any) -> None:
    """What a plan for kommun A's patient Greta Andersson needs to be finalised, typed into the SIP editor:
    huvudansvar, no other measures, her consent, a follow-up date and a contact path around the clock
    (PD asks for one: evening and night, and weekends too)."""
    today = datetime.date.today()
    page.select_option("#id_huvudansvar", label="A kommun")
    page.locator("#id_no_other_measures").check()
    page.select_option("#id_consent_given_by", index=1)
    page.fill("#id_consent_given_by_name", "Greta Andersson")
    page.fill("#id_consent_scope", "Hela planen")
    page.fill("#id_consent_given_on", today.isoformat())
    for index, (who, phone) in enumerate(
        [
            ("Kommunsjuksköterska dag", "0340-123 45"),
            ("Kommunens nattpatrull", "0340-123 99"),
            ("Njurmedicin helgjour", "035-333 33"),
        ]
    ):
        page.fill(f"#id_contact_{index}_who", who)
        page.fill(f"#id_contact_{index}_phone", phone)
    page.fill("#id_follow_up_on", (today + datetime.timedelta(days=30)).isoformat())
    # Who answers for the plan, the person's named contacts, and each insats's when (HSL 16 kap. 4 §).
    page.fill("#id_huvudansvar_contact", "Sara Sjuksköterska")
    for field, name in (
        ("#id_fast_vardkontakt_name", "Sara Sjuksköterska"),
        ("#id_fast_lakarkontakt_name", "Dr Gp A"),
    ):
        if not page.locator(field).input_value():
            page.fill(field, name)
    for box in page.locator("input[id^=id_insats_][id$=_starts_on]").all():
        box.fill(today.isoformat())
    for box in page.locator("input[id^=id_insats_][id$=_frequency]").all():
        if not box.input_value():
            box.fill("Dagligen enligt ordination")
    # Everyone named on the plan took part in the meeting.
    for name in page.locator("input[id^=id_participant_][id$=_name]").all():
        if name.input_value():
            attendance = (name.get_attribute("id") or "").removesuffix("_name") + "_attendance"
            page.select_option(f"#{attendance}", "yes")


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now."""
    # Evaluated through the browser's DevTools protocol: an inline <script> is refused by the page's CSP.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def record_consent(page: Any) -> None:
    """On the new-case form: the person's oral consent to share the case with the other parties, as
    the nurse records it before submitting (without it they would see only what is asked)."""
    page.locator("input[name=basis-kind][value=consent]").check()
    page.fill("#id_basis-scope", "Ärendet delas med vårdcentralen och njurmedicin.")
    page.select_option("#id_basis-given_by", "person")
    page.select_option("#id_basis-form", "oral")
    page.fill("#id_basis-given_on", "2026-01-02")
