"""The dashboard, CSV and API: who sees what, small-group suppression, charts with text alternatives."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from directory.actor import Actor
from directory.models import Membership, Role
from figures import charts, selectors
from figures.dashboard import csv_bytes, dashboard_build
from figures.scope import figure_scope_get
from tests.figures.helpers import at, make_case, refresh_facts, request_report
from tests.fixtures.clients import signed_in

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
PERIOD = "from=2025-01-01&to=2025-03-31"


@pytest.fixture
def three_patients(world):
    """Three PD cases in kommun A: a group small enough to be suppressed."""
    for _ in range(3):
        make_case(world, submitted=at("2025-02-01"), tasks=(("pd", "proposed"),), increased_staff_time=True)
    refresh_facts()


@pytest.fixture
def six_patients(world):
    for _ in range(6):
        make_case(world, submitted=at("2025-02-01"), tasks=(("wound", "proposed"),), competence_needed=True)
    refresh_facts()


def test_nurse_sees_own_kommun_suppressed_like_every_export(world, three_patients):
    response = signed_in(world.users["nurse_a"]).get(f"/figures/?{PERIOD}")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.scope.name == "A kommun"
    table = board.table("shift-task_type")
    assert table.rows[0][:2] == ("pd sv", "<5")


def test_governance_sees_the_region_from_outside_suppressed(world, three_patients, six_patients):
    response = signed_in(world.users["governance"]).get(f"/figures/?{PERIOD}")
    assert response.status_code == 200
    board = response.context["board"]
    assert board.scope.kind == "region"
    rows = {row[0]: row for row in board.table("shift-task_type").rows}
    assert rows["pd sv"][1] == "<5"
    assert rows["wound sv"][1] == "6"
    assert "&lt;5" in response.content.decode()


def test_csv_is_always_suppressed_with_bom_and_semicolons(world, three_patients, six_patients):
    response = signed_in(world.users["nurse_a"]).get(f"/figures/export/shift-task_type.csv?{PERIOD}")
    assert response.status_code == 200
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    lines = body.decode("utf-8-sig").splitlines()
    header = lines[0].split(";")
    assert header[0] in ("Insatstyp", "Task type")
    rows = {line.split(";")[0]: line.split(";") for line in lines[1:]}
    assert rows["pd sv"][1] == "<5"
    assert rows["wound sv"][1] == "6"


def test_every_figure_has_a_csv(world, six_patients):
    client = signed_in(world.users["nurse_a"])
    for key in (
        "kpis",
        "open-cases",
        "unclear",
        "shift-category",
        "cases-over-time",
        "lead-time",
        "escalations",
        "heat-map",
    ):
        response = client.get(f"/figures/export/{key}.csv?{PERIOD}")
        assert response.status_code == 200, key
        assert response.content.startswith(b"\xef\xbb\xbf")
    assert client.get(f"/figures/export/nonsense.csv?{PERIOD}").status_code == 404


def test_who_sees_what(world, api):
    kommun_b = world.orgs["kommun_b"].public_id
    assert signed_in(world.users["nurse_a"]).get(f"/figures/?scope={kommun_b}").status_code == 404
    assert (
        signed_in(world.users["gp_a"]).get(f"/figures/?scope={world.orgs['kommun_a'].public_id}").status_code
        == 404
    )
    assert signed_in(world.users["gp_a"]).get("/figures/").context["board"].scope.name == "Vårdcentralen A"
    assert signed_in(world.users["admin"]).get("/figures/").status_code == 403
    assert signed_in(world.users["specialist"]).get("/figures/").status_code == 403
    assert signed_in(world.users["governance"]).get(f"/figures/?scope={kommun_b}").status_code == 200
    assert api(world.users["nurse_a"]).get(f"/api/v1/figures/kpis?scope={kommun_b}").status_code == 404
    assert api(world.users["admin"]).get("/api/v1/figures/kpis").status_code == 403
    assert api(None).get("/api/v1/figures/kpis").status_code in (401, 403)


def test_region_coordinator_is_inside_the_region(world):
    coordinator = world.users["coordinator_a"]
    Membership.objects.create(user=coordinator, organisation=world.orgs["region"], role=Role.COORDINATOR)
    scope = figure_scope_get(actor=Actor.for_user(coordinator))
    assert scope.kind == "region"
    assert scope.inside


def test_api_suppresses_small_groups(world, api, three_patients, six_patients):
    response = api(world.users["nurse_a"]).get(f"/api/v1/figures/shift-table?{PERIOD}")
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.json()["rows"]}
    assert rows["pd"]["cases"] == {"value": None, "suppressed": True}
    assert rows["wound"]["cases"] == {"value": 6, "suppressed": False}
    kpis = api(world.users["nurse_a"]).get(f"/api/v1/figures/kpis?{PERIOD}").json()
    assert kpis["submitted"] == {"value": 9, "suppressed": False}


def test_charts_are_valid_svg_with_series_and_text_alternatives(world, six_patients):
    make_case(world, submitted=at("2025-01-05"), agreed=at("2025-01-08"), status="agreed")
    scope = figure_scope_get(actor=Actor.for_user(world.users["nurse_a"]))
    period = selectors.period_parse("2025-01-01", "2025-03-31")
    from cases.models import EventKind, ResponsibilityCase
    from tests.figures.helpers import event

    for case in ResponsibilityCase.objects.all():
        event(case, at("2025-02-01"), EventKind.TRANSITION, "in_review")
    refresh_facts()
    board = dashboard_build(scope=scope, period=period)
    keys = {chart.key: chart for chart in board.charts}
    assert set(keys) == {"cases-over-time", "lead-time", "escalations", "unclear", "heat-map"}
    for chart in board.charts:
        root = ET.fromstring(str(chart.svg))  # noqa: S314 (our own output)
        assert root.tag == f"{SVG}svg"
        assert root.get("aria-describedby") == chart.table_id
        assert root.find(f"{SVG}title") is not None
        assert chart.rows or chart.key == "unclear", chart.key
    over_time = ET.fromstring(str(keys["cases-over-time"].svg))  # noqa: S314
    ids = {el.get("id") for el in over_time.iter() if el.get("id")}
    assert any(i.startswith("series-submitted-") for i in ids) or not keys["cases-over-time"].rows[0][1:]
    heat_root = ET.fromstring(str(keys["heat-map"].svg))  # noqa: S314
    heat = {el.get("id") for el in heat_root.iter() if el.get("id")}
    assert "series-heat-map" in heat
    assert "data:" not in str(keys["heat-map"].svg)
    lead = dict(keys["lead-time"].rows)
    assert lead["0–3"] == "<5"  # one case: a small group, as everywhere

    response = signed_in(world.users["nurse_a"]).get(f"/figures/?{PERIOD}")
    html = response.content.decode()
    assert html.count("<figcaption") == 5
    assert 'aria-describedby="chart-heat-map-data"' in html
    assert "data:image" not in html
    svg = signed_in(world.users["nurse_a"]).get(f"/figures/charts/heat-map.svg?{PERIOD}")
    assert svg["Content-Type"].startswith("image/svg+xml")
    ET.fromstring(svg.content)  # noqa: S314 (our own output)
    assert 'id="chart-heat-map-data"' in html


def test_suppressed_chart_draws_nothing_for_small_groups(world, three_patients):
    scope = figure_scope_get(actor=Actor.for_user(world.users["nurse_a"]))
    table = selectors.shift_table(scope=scope, period=selectors.period_parse("2025-01-01", "2025-03-31"))
    chart = charts.impact_heat_map(table)
    assert chart.rows[0][1] == "<5"
    assert chart.rows[0][2] == "–"  # the share of a "<5" group is not given
    assert "&lt;5" in str(chart.svg)


def test_csv_bytes_quotes_semicolons():
    from figures.dashboard import Table

    data = csv_bytes(Table(key="k", title="t", columns=("a", "b"), rows=(("x;y", "1,5"),)))
    assert data.decode("utf-8-sig") == 'a;b\r\n"x;y";1,5\r\n'


def test_pdf_report_is_rendered_by_the_worker(world, api, six_patients, django_capture_on_commit_callbacks):
    response = request_report(api(world.users["nurse_a"]), django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.content
    report_id = response.json()["id"]
    detail = api(world.users["nurse_a"]).get(f"/api/v1/figures/reports/{report_id}").json()
    assert detail["status"] == "ready", detail
    pdf = signed_in(world.users["nurse_a"]).get(detail["download_url"])
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert api(world.users["nurse_b"]).get(f"/api/v1/figures/reports/{report_id}").status_code == 404
