"""The pages at the sizes and on the media people use them: a phone (390 × 844), paper, a laptop
(1366 × 768) with a long new-case form, and the keyboard's focus ring.

On a phone nothing scrolls sideways (``scrollWidth`` of the document within the viewport), the header's
links wrap onto a few short rows with every one of them on the screen, and lists become one card per
row. On paper the case and the SIP print without the navigation, buttons or forms, with tables inside
the page. The proposal beside the new-case form stays
in sight while tasks far down are ticked, and what is ticked is listed above the submit button. The focus
ring stands out at 3:1 or more both on white and on the header's blue (WCAG 1.4.11).
"""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from pypdf import PdfReader

from tests.fixtures.agreements import PD, WOUND

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
# The phone's header: the brand, two rows of links, who is signed in, and "Log out" with the language.
HEADER_MAX = 170
# An A4 page less the print margins (210 mm - 24 mm) at 96 px to the inch.
A4_CONTENT_WIDTH = 703


def _overflow(page: Any) -> dict[str, Any]:
    """The document's width, the viewport's, the header's height, and what sticks out (to say why)."""
    return page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, viewport: window.innerWidth,"
        " header: Math.round(document.querySelector('.site-header').getBoundingClientRect().height),"
        " out: [...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right >"
        " window.innerWidth + 1).slice(-3).map(e => e.tagName + '.' + e.className + ' ' +"
        " (e.textContent || '').trim().slice(0, 40))})"
    )


def _visible_right_edges(page: Any, selector: str) -> list[int]:
    """The right edge of each visible element matching ``selector`` (0 for those not rendered)."""
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return r.width ? Math.ceil(r.right) : 0; })",
    )


def test_on_a_phone_my_work_the_patient_list_and_the_case_fit_the_screen(
    live_server, world, halland, case_in, as_user
) -> None:
    case = case_in("in_review", tasks=(PD, WOUND))
    gp = as_user("gp.a")
    gp.set_viewport_size(PHONE)

    gp.goto(f"{live_server.url}/")
    sizes = _overflow(gp)
    print("phone my work", sizes)
    assert sizes["scroll"] <= sizes["viewport"] == 390, sizes
    assert sizes["header"] <= HEADER_MAX, sizes
    # My work: the case is a card, its number, status and deadline on screen.
    card = gp.locator("table.cases tbody tr", has_text=case.number).first
    assert card.is_visible()
    assert card.evaluate("e => getComputedStyle(e).display") == "block"
    for cell in ("td.case-number", "td[data-label='Status']", "td[data-label='Senast']"):
        box = card.locator(cell).bounding_box()
        assert box is not None, cell
        assert 0 <= box["x"] <= box["x"] + box["width"] <= 390, (cell, box)
    # Each value is labelled by its column's name (generated content, so not in innerText).
    due = card.locator("td[data-label='Senast']")
    assert due.evaluate("e => getComputedStyle(e, '::before').content") != "none"
    assert "00:00" not in card.inner_text()  # a whole-day deadline reads as a day

    gp.goto(f"{live_server.url}/cases/{case.public_id}/")
    sizes = _overflow(gp)
    assert sizes["scroll"] <= 390, sizes
    rows = gp.locator("table.tasks-table tbody tr")
    assert rows.count() == 2
    # Each task is one card as wide as the screen allows, not a column and a half of a table.
    for right in _visible_right_edges(gp, "table.tasks-table tbody tr"):
        assert 0 < right <= 390
    assert rows.first.locator("td[data-label='Granskning']").count() == 1

    nurse = as_user("nurse.a")
    nurse.set_viewport_size(PHONE)
    nurse.goto(f"{live_server.url}/patients/")
    sizes = _overflow(nurse)
    assert sizes["scroll"] <= 390, sizes
    assert sizes["header"] <= HEADER_MAX, sizes
    new_case = nurse.locator("main a", has_text="Nytt ärende").first
    box = new_case.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= 390, box


# The right edge of the document and of each link and button of the header, with its text (to say which).
_HEADER_CONTROLS = """() => ({
  scroll: document.documentElement.scrollWidth,
  viewport: window.innerWidth,
  header: Math.round(document.querySelector('.site-header').getBoundingClientRect().height),
  controls: [...document.querySelectorAll('.site-header a, .site-header button')].map(e => {
    const r = e.getBoundingClientRect();
    return {text: (e.textContent || '').trim().replace(/\\s+/g, ' ').slice(0, 30),
            left: Math.floor(r.left), right: Math.ceil(r.right), width: r.width};
  }),
})"""


@pytest.mark.parametrize(("username", "statistics"), [("nurse.a", False), ("coordinator.a", True)])
def test_on_a_phone_no_header_link_extends_past_the_screen(
    live_server, world, halland, case_in, as_user, username, statistics
) -> None:
    case = case_in("in_review", tasks=(PD, WOUND))
    page = as_user(username)
    page.set_viewport_size(PHONE)
    for url in ("/", "/patients/", f"/cases/{case.public_id}/"):
        page.goto(f"{live_server.url}{url}")
        sizes = page.evaluate(_HEADER_CONTROLS)
        print(username, url, sizes)
        assert sizes["viewport"] == 390, sizes
        assert sizes["scroll"] <= 390, (url, sizes)
        if url.startswith("/cases/"):
            assert case.number in page.locator("main").inner_text()
        texts = [c["text"] for c in sizes["controls"]]
        assert any(t.startswith("Logga ut") for t in texts), texts
        assert "English" in texts, texts
        if statistics:
            assert "Statistik" in texts, texts
        for control in sizes["controls"]:
            assert control["width"] > 0, (url, control)
            assert control["left"] >= 0, (url, control)
            assert control["right"] <= 390, (url, control)
        assert sizes["header"] <= HEADER_MAX, (url, sizes)


def test_the_case_and_the_sip_print_as_a_record(live_server, world, halland, case_in, sip_from_case, as_user):
    case = sip_from_case.case
    nurse = as_user("nurse.a")
    nurse.set_viewport_size({"width": A4_CONTENT_WIDTH, "height": 1000})
    nurse.emulate_media(media="print")

    for url in (f"/cases/{case.public_id}/", f"/sip/{sip_from_case.public_id}/"):
        nurse.goto(f"{live_server.url}{url}")
        assert nurse.locator(".site-header").is_hidden()
        assert nurse.locator("main button:visible").count() == 0
        assert nurse.locator("main form:visible:not(#sip-form)").count() == 0
        sizes = _overflow(nurse)
        assert sizes["scroll"] <= A4_CONTENT_WIDTH, (url, sizes)
        assert all(right <= A4_CONTENT_WIDTH for right in _visible_right_edges(nurse, "main table")), url
        link = nurse.locator("main a").first
        assert link.evaluate("e => getComputedStyle(e).textDecorationLine") == "none"
        # Chromium's own print of the page: no navigation text, and the case's number on it.
        printed = PdfReader(io.BytesIO(nurse.pdf(format="A4")))
        print("printed", url, len(printed.pages), "A4 pages")
        text = " ".join(page.extract_text() or "" for page in printed.pages)
        assert "Logga ut" not in text, url
        assert "Mitt arbete" not in text, url
        assert case.number in text, url


def test_the_proposal_stays_in_sight_and_the_ticked_tasks_are_listed_above_submit(
    live_server, world, halland, as_user
) -> None:
    patient = world.patient(given_name="Märta", family_name="Öberg")
    nurse = as_user("nurse.a")
    nurse.set_viewport_size({"width": 1366, "height": 500})  # shorter than the form, as on a laptop
    nurse.goto(f"{live_server.url}/cases/new/{patient.public_id}/")
    chosen = nurse.locator(".chosen-tasks")
    assert "Ingen insats vald ännu." in chosen.inner_text()

    assert nurse.evaluate("() => document.documentElement.scrollHeight") > 1000
    panel = nurse.locator(".proposal-panel")
    assert panel.evaluate("e => getComputedStyle(e).position") == "sticky"
    # Tick a task low in the list: the page has scrolled, the panel is still on screen.
    low = nurse.locator(f"#task-options input[value={WOUND}]")
    low.scroll_into_view_if_needed()
    nurse.mouse.wheel(0, 600)
    low.check()
    scrolled = nurse.evaluate("() => window.scrollY")
    assert scrolled > 200, scrolled
    box = panel.bounding_box()
    assert box is not None
    assert 0 <= box["y"] < 500, box

    nurse.locator(f"#task-options input[value={PD}]").check()
    items = chosen.locator("li")
    assert items.count() == 2
    assert {"Enkel sårvård", "Peritonealdialys (PD)"} <= {t.strip() for t in items.all_inner_texts()}
    assert "(2)" in chosen.locator("h2").inner_text()
    nurse.locator(f"#task-options input[value={PD}]").uncheck()
    assert items.count() == 1
    # The list is above the submit button.
    submit = nurse.locator("button[name=submit]").bounding_box()
    listed = chosen.bounding_box()
    assert submit is not None
    assert listed is not None
    assert listed["y"] < submit["y"]


def _rgb(colour: str) -> tuple[float, float, float]:
    found = re.findall(r"[\d.]+", colour)
    assert len(found) >= 3, colour
    return (float(found[0]), float(found[1]), float(found[2]))


def _luminance(colour: str) -> float:
    def channel(value: float) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    light, dark = sorted((_luminance(one), _luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert round(contrast("rgb(255, 191, 71)", "rgb(255, 255, 255)"), 1) == 1.6  # the old yellow ring
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 0) == 21


def test_the_focus_ring_stands_out_on_white_and_on_the_header(live_server, world, halland, as_user) -> None:
    nurse = as_user("nurse.a")
    nurse.set_viewport_size({"width": 1366, "height": 768})
    nurse.goto(f"{live_server.url}/patients/")
    header_bg = nurse.locator(".site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    white = "rgb(255, 255, 255)"

    for target, background in ((".site-header a.brand", header_bg), ("main #q", white)):
        nurse.locator(target).focus()
        nurse.keyboard.press("Shift+Tab")
        nurse.keyboard.press("Tab")  # focus by keyboard, so :focus-visible applies
        style = nurse.locator(target).evaluate(
            "e => { const s = getComputedStyle(e); return {active: document.activeElement === e,"
            " colour: s.outlineColor, style: s.outlineStyle, width: parseFloat(s.outlineWidth),"
            " shadow: s.boxShadow}; }"
        )
        assert style["active"], target
        assert style["style"] == "solid", style
        assert style["width"] >= 2, style
        ring = style["shadow"].split(")")[0] + ")"  # "rgb(r, g, b) 0px 0px 0px 6px"
        # At least one of the two rings stands out at 3:1 on the background around the element, and
        # the inner ring against the outer one, so the ring reads as a ring on any background.
        best = max(contrast(style["colour"], background), contrast(ring, background))
        assert best >= 3, (target, style, background, best)
        assert contrast(style["colour"], ring) >= 3, style
    # On white it is the dark ring, on the header the yellow one, that carries the contrast.
    assert contrast("rgb(11, 12, 12)", white) >= 3
    assert contrast("rgb(255, 191, 71)", header_bg) >= 3
