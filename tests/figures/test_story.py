"""The figures tell one story: the same text on the page, in the CSV and in the PDF; Swedish numbers;
drill-down only for those who may see the cases; a small page."""

from __future__ import annotations

import time

import pytest
from django.utils import translation

from directory.models import Membership, Role
from figures.present import NO_BREAK_SPACE, number_text, percent_text
from figures.selectors import Cell, Share
from tests.figures.helpers import at, make_case, refresh_facts, request_report
from tests.fixtures.clients import signed_in
from tests.fixtures.documents import pdf_text

pytestmark = pytest.mark.django_db
PERIOD = "from=2025-01-01&to=2025-03-31"


@pytest.fixture
def mixed(world):
    """Three PD cases (a "<5" group) and 23 wound cases, four of them disputed."""
    for _ in range(3):
        make_case(world, submitted=at("2025-02-01"), tasks=(("pd", "proposed"),), increased_staff_time=True)
    for n in range(23):
        make_case(
            world,
            submitted=at("2025-02-03"),
            tasks=(("wound", "proposed"),),
            competence_needed=n < 4,
        )
    refresh_facts()


def test_swedish_numbers_rounded_not_truncated():
    with translation.override("sv"):
        assert number_text(1234.5, 1) == f"1{NO_BREAK_SPACE}234,5"
        assert number_text(1234567) == f"1{NO_BREAK_SPACE}234{NO_BREAK_SPACE}567"
        assert number_text(4.0, 1) == "4,0"
        assert percent_text(4, 26) == f"15,4{NO_BREAK_SPACE}%"  # 15,38… rounds up
        assert percent_text(1, 8) == f"12,5{NO_BREAK_SPACE}%"
        assert number_text(0.25, 1) == "0,3"  # halves away from zero, not to even
    with translation.override("en"):
        assert number_text(1234.5, 1) == "1,234.5"


def test_the_rule_spares_medians_and_shares_of_shown_groups():
    from figures.present import days_text, share_text

    shown, small = Cell(26, 26), Cell(4, 4)
    assert share_text(Share(Cell(5, 5), shown)) == f"19,2{NO_BREAK_SPACE}%"
    assert share_text(Share(small, shown)) == "–"  # would give the "<5" away
    assert days_text(4.0, group=shown) == "4,0"
    assert days_text(4.0, group=small) == "–"


def _csv_rows(client, key):
    body = client.get(f"/figures/export/{key}.csv?{PERIOD}").content.decode("utf-8-sig")
    return [tuple(line.split(";")) for line in body.splitlines()[1:]]


def test_suppression_identical_on_page_csv_and_pdf(world, api, mixed, django_capture_on_commit_callbacks):
    nurse = signed_in(world.users["nurse_a"])
    page = nurse.get(f"/figures/?{PERIOD}")
    board = page.context["board"]
    html = page.content.decode()
    for key in ("kpis", "shift-task_type", "heat-map", "lead-time"):
        assert tuple(board.figure(key).rows) == tuple(_csv_rows(nurse, key)), key
    shift = {row[0]: row for row in board.table("shift-task_type").rows}
    assert shift["pd sv"][1] == "<5"
    assert shift["wound sv"][1:7] == ("23", "0", f"0,0{NO_BREAK_SPACE}%", "0", f"0,0{NO_BREAK_SPACE}%", "<5")
    assert '<th scope="row">pd sv</th><td>&lt;5</td>' in html or ">pd sv</a></th><td>&lt;5</td>" in html

    response = request_report(api(world.users["nurse_a"]), django_capture_on_commit_callbacks)
    detail = api(world.users["nurse_a"]).get(f"/api/v1/figures/reports/{response.json()['id']}").json()
    assert detail["status"] == "ready", detail
    text = pdf_text(nurse.get(detail["download_url"]).content)
    assert "pd sv <5" in text
    assert "wound sv 23" in text
    assert "26" in text


def test_pdf_report_is_a4_landscape(world, api, mixed, django_capture_on_commit_callbacks):
    import io

    from pypdf import PdfReader

    response = request_report(api(world.users["nurse_a"]), django_capture_on_commit_callbacks)
    detail = api(world.users["nurse_a"]).get(f"/api/v1/figures/reports/{response.json()['id']}").json()
    pdf = PdfReader(io.BytesIO(signed_in(world.users["nurse_a"]).get(detail["download_url"]).content))
    box = pdf.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    # Every piece of text starts inside the page's right margin (14 mm ≈ 40 pt): no table runs off it.
    starts: list[float] = []
    for page in pdf.pages:
        page.extract_text(
            visitor_text=lambda text, cm, tm, _font, _size: (
                starts.append(cm[4] + tm[4] * cm[0]) if text.strip() else None
            )
        )
    assert starts
    assert max(starts) < 842 - 40, max(starts)


def test_drill_down_only_for_those_who_may_see_the_cases(world, mixed):
    nurse = signed_in(world.users["nurse_a"])
    html = nurse.get(f"/figures/?{PERIOD}").content.decode()
    assert "/figures/cases/submitted/" in html
    listed = nurse.get(f"/figures/cases/submitted/?{PERIOD}")
    assert listed.status_code == 200
    assert len(listed.context["rows"]) == 26
    assert nurse.get(f"/figures/cases/task-pd/?{PERIOD}").context["rows"].__len__() == 3
    assert nurse.get(f"/figures/cases/nonsense/?{PERIOD}").status_code == 404

    # A region coordinator sees the region's figures but is party to none of its cases: no link, no list.
    coordinator = world.users["coordinator_a"]
    Membership.objects.filter(user=coordinator).delete()
    Membership.objects.create(user=coordinator, organisation=world.orgs["region"], role=Role.COORDINATOR)
    outsider = signed_in(coordinator)
    page = outsider.get(f"/figures/?{PERIOD}")
    assert page.status_code == 200
    assert "/figures/cases/" not in page.content.decode()
    assert outsider.get(f"/figures/cases/submitted/?{PERIOD}").status_code == 403
    # Another kommun's nurse cannot even name this kommun.
    kommun_a = world.orgs["kommun_a"].public_id
    assert (
        signed_in(world.users["nurse_b"]).get(f"/figures/cases/submitted/?scope={kommun_a}").status_code
        == 404
    )


def test_page_is_small_and_has_no_embedded_pictures(world, mixed):
    nurse = signed_in(world.users["nurse_a"])
    started = time.perf_counter()
    response = nurse.get(f"/figures/?{PERIOD}")
    seconds = time.perf_counter() - started
    print(f"figures page: {len(response.content)} bytes in {seconds * 1000:.0f} ms")
    assert len(response.content) < 150_000
    assert "data:image" not in response.content.decode()
    for chart in response.context["board"].charts:
        # The PDF pipeline fetches no data: URL, so no chart may embed a raster image.
        assert "data:" not in str(chart.svg), chart.key


def test_a_count_axis_of_only_small_counts_still_reads_0_to_5():
    from figures.charts import _count_axis, _figure

    figure = _figure()
    axes = figure.add_subplot()
    axes.bar(["Nivå 1", "Nivå 2"], [0, 0])  # every count "<5": no bar is drawn
    _count_axis(axes)
    assert axes.get_ylim() == (0, 5)
    assert len(axes.get_yticks()) > 1  # a scale, not "0" alone
    horizontal = figure.add_subplot()
    horizontal.barh(["PD"], [12])
    _count_axis(horizontal, "x")
    assert horizontal.get_xlim()[1] >= 12  # a larger count keeps its own scale
