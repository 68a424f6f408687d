"""The dashboard pages: who sees which, what the public sees of a province, CSV downloads of
every chart, the ranking's htmx sorting and paging and the landing redirects. The query counts that do not
move with the number of communes: test_view_queries.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.assessments.models import Assessment
from parindex.assessments.tests.factories import user_with_role
from parindex.assessments.workflow import Status
from parindex.dashboards import boards
from parindex.dashboards.tests.factories import open_cycle, two_years
from parindex.frameworks.tests.factories import published_version
from parindex.indicators import forecast
from parindex.remediation.tests.factories import approved_plan, commune_people, province_staff
from parindex.results.tests.factories import bulk_units
from parindex.units.tests.factories import dong_ha, nam_cua_viet, quang_tri
from tests.shared import shared_fixtures

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true", "HX-Target": "ranking"}


def province_url(province, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboards:province", args=[province.pk]) + (f"?{query}" if query else "")


def commune_url(unit, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboards:commune", args=[unit.pk]) + (f"?{query}" if query else "")


def spec(html: str, key: str) -> dict:
    found = re.search(rf'<script id="chart-{key}" type="application/json">(.*?)</script>', html, re.S)
    assert found, f"no spec for {key}"
    return json.loads(found.group(1))


def _scene(reference_spec):
    """Eleven units of Quảng Trị published two years running, and the open cycle."""
    version = published_version(reference_spec)
    province = quang_tri()
    commune, other_commune = nam_cua_viet(province), dong_ha(province)
    staff = province_staff(province)
    units = [commune, other_commune, *bulk_units(province, 9)]
    before, after = two_years(province, version, units, staff)
    cycle = open_cycle(province, version, units)
    scene = {"units": units, "before": before, "after": after, "cycle": cycle}
    return {
        "version": version, "province": province, "commune": commune, "other_commune": other_commune,
        "staff": staff, "scene": scene,
    }  # fmt: skip


# Built once for the module's tests (tests/shared.py); each test works on its own copy. The
# query counts for 3 and 30 communes arrange their own: test_view_queries.py.
globals().update(shared_fixtures(_scene, "scene", "version", "province", "commune", "other_commune", "staff"))


# -- the province -------------------------------------------------------------------------------


def test_the_public_sees_published_figures_only(client, scene, province):
    response = client.get(province_url(province))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bảng xếp hạng" in html and "Xã Thử nghiệm 000" in html
    assert spec(html, "phan-bo")["kind"] == "histogram"
    histogram = spec(html, "phan-bo")
    assert sum(histogram["series"][0]["data"]) == 11
    # From the lowest band with a unit up to 100, every band in between kept.
    assert histogram["series"][0]["data"][0] > 0 and histogram["categories"][-1] == "95–100"
    heat = spec(html, "ban-do-nhiet")
    assert len(heat["y"]) == 11 and heat["cells"] and heat["value_max"] == 100
    # Not published: the open cycle and what the communes claimed for themselves.
    assert "Tiến độ kỳ đánh giá" not in html and "Tự chấm" not in html
    assert 'id="chart-tu-cham"' not in html
    assert client.get(province_url(province, tai="tu-cham")).status_code == 404
    assert client.get(province_url(province, **{"sap-xep": "chenh-lech"})).context["board"].sort == "hang"


def test_province_staff_see_the_open_cycle(client, scene, province, staff):
    client.force_login(staff["chair"])
    html = client.get(province_url(province)).content.decode()
    assert "Tiến độ kỳ đánh giá 2026" in html
    assert spec(html, "tu-cham")["series"][0]["data"]
    assert "Tự chấm so với thẩm định" in html and "Tự chấm − thẩm định" in html
    board = client.get(province_url(province)).context["board"]
    assert board.progress.total == 11 and board.progress.counts[Status.DRAFT] == 2
    assert reverse("results:cycle-board", args=[scene["cycle"].pk]) in html


def test_a_unit_that_is_not_a_province_is_not_found(client, scene, commune):
    assert client.get(reverse("dashboards:province", args=[commune.pk])).status_code == 404


def test_a_province_without_publications_says_so(client, db):
    from parindex.units.models import AdministrativeUnit

    other = AdministrativeUnit.objects.create(era="current", code="46", name="Thành phố Huế", kind="thanh-pho", level=1)
    html = client.get(province_url(other)).content.decode()
    assert "Chưa có kết quả Chỉ số CCHC được công bố của Thành phố Huế" in html


def test_every_chart_downloads_as_csv_with_its_table(client, scene, province, staff):
    client.force_login(staff["admin"])
    board = client.get(province_url(province)).context["board"]
    assert {c.key for c in board.all_charts} >= {
        "phan-bo",
        "xep-loai",
        "linh-vuc",
        "tieu-chi",
        "thay-doi",
        "tu-cham",
        "ban-do-nhiet",
    }
    for chart in board.all_charts:
        response = client.get(province_url(province, tai=chart.key))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        body = response.content.decode("utf-8")
        assert body.startswith("\ufeff")
        rows = list(csv.reader(io.StringIO(body[1:])))
        assert rows[0] == chart.columns and len(rows) == len(chart.rows) + 1
    fields = list(csv.reader(io.StringIO(client.get(province_url(province, tai="linh-vuc")).content.decode()[1:])))
    assert [r[0] for r in fields[1:]] == ["I", "II", "III", "IV", "V", "VI", "VII"]
    assert all("," not in r[3] for r in fields[1:])  # dot decimals for machines
    assert client.get(province_url(province, tai="khong-co")).status_code == 404


def test_the_heatmaps_table_is_written_when_opened(client, scene, province, monkeypatch):
    """The heatmap's data table (one row per unit and failed sub-criterion) is not in the page:
    its "Bảng số liệu" fetches it when opened (htmx), or opens it as a page without script."""
    monkeypatch.setattr(boards, "PAGE_SIZE", 4)
    response = client.get(province_url(province, trang=2))
    html = response.content.decode()
    heatmap = response.context["board"].heatmap
    assert "_rows" not in vars(heatmap.rows)  # the page counted its rows without building them
    assert heatmap.rows and heatmap.table_on_demand
    cells = spec(html, "ban-do-nhiet")["cells"]
    assert len(heatmap.rows) == len(cells) and [r[4] for r in heatmap.rows] == [
        Decimal(str(c[2])).quantize(Decimal("0.1")) for c in cells
    ]  # the table's rows are the chart's cells, in its order
    card = html[html.index('id="chart-ban-do-nhiet-card"') :]
    card = card[: card.index("</section>")]
    assert 'hx-get="?trang=2&amp;bang=ban-do-nhiet" hx-trigger="toggle once"' in card
    assert f"Xem bảng {len(heatmap.rows)} dòng" in card and str(heatmap.table_body) not in card
    rows = client.get(province_url(province, trang=2, bang="ban-do-nhiet"), headers=HTMX)
    assert rows.status_code == 200 and rows.content.decode() == str(heatmap.table_body)
    assert rows.content.decode().count("<tr>") == len(heatmap.rows)
    alone = client.get(province_url(province, trang=2, bang="ban-do-nhiet"))
    page = alone.content.decode()
    assert alone.status_code == 200 and "<html" in page and str(heatmap.table_body) in page
    assert f'href="{province_url(province, trang=2)}"' in page
    assert client.get(province_url(province, bang="khong-co"), headers=HTMX).status_code == 404
    # The other charts' tables are in the page as before.
    assert str(response.context["board"].chart("phan-bo").table_body) in html


def test_the_ranking_sorts_and_pages_through_htmx(client, scene, province, monkeypatch):
    monkeypatch.setattr(boards, "PAGE_SIZE", 4)
    response = client.get(province_url(province, **{"sap-xep": "-hang", "trang": 2}), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="ranking"' in html
    page = response.context["board"].page
    assert [r.rank for r in page.object_list] == sorted((r.rank for r in page.object_list), reverse=True)
    assert page.number == 2 and page.paginator.num_pages == 3
    assert "Trang 2/3 (11 đơn vị)" in html
    assert len(spec(html, "ban-do-nhiet")["y"]) == 4  # the heatmap follows the page
    # The sort links keep the filters and drop the page.
    assert 'href="?sap-xep=ten"' in html
    full = client.get(province_url(province, trang=99)).context["board"].page
    assert full.number == 3  # past the end: the last page


def test_filters_narrow_and_bad_values_fall_back_with_a_notice(client, scene, province):
    after = scene["after"]
    chosen = after.results.order_by("-percent").first().classification
    board = client.get(province_url(province, loai=chosen)).context["board"]
    assert board.summary.count == after.results.filter(classification=chosen).count()
    response = client.get(province_url(province, nam=1999, loai="Không có", nhom="x"))
    board = response.context["board"]
    assert board.year == 2025 and board.scope.classification == "" and board.summary.count == 11
    assert "Chưa có kết quả công bố năm 1999; đang hiển thị năm 2025." in response.content.decode()
    earlier = client.get(province_url(province, nam=2024)).context["board"]
    assert earlier.year == 2024 and earlier.summary.compared == 0


# -- the commune --------------------------------------------------------------------------------

MATRIX = {
    # who -> status code of the commune dashboard of ``commune``
    "officer": 200,
    "head": 200,
    "chair": 200,
    "viewer": 200,
    "other_officer": 404,
    "appraiser": 404,
    "anonymous": 302,
}


@pytest.mark.parametrize("who", list(MATRIX))
def test_the_commune_dashboard_is_for_its_people_and_the_province_staff(
    client, scene, province, commune, other_commune, staff, who
):
    people = {
        "officer": lambda: user_with_role("cc", Role.COMMUNE_OFFICER, commune),
        "head": lambda: user_with_role("ct", Role.COMMUNE_HEAD, commune),
        "chair": lambda: staff["chair"],
        "viewer": lambda: user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        "other_officer": lambda: user_with_role("khac", Role.COMMUNE_OFFICER, other_commune),
        "appraiser": lambda: user_with_role("td", Role.APPRAISER, province, include_descendants=True),
        "anonymous": lambda: None,
    }
    user = people[who]()
    if user is not None:
        client.force_login(user)
    assert client.get(commune_url(commune)).status_code == MATRIX[who]
    if MATRIX[who] == 404:
        assert client.get(commune_url(commune, tai="lich-su")).status_code == 404


def test_the_commune_dashboard_shows_history_fields_actions_and_the_projection(client, scene, commune):
    people = commune_people(commune)
    published = Assessment.objects.get(unit=commune, cycle__year=2025)
    approved_plan(published, people, due=dt.date(2026, 6, 30))  # due before the suite's clock: overdue
    client.force_login(people["officer"])
    response = client.get(commune_url(commune))
    html = response.content.decode()
    board = response.context["board"]
    assert board.latest.year == 2025
    assert spec(html, "lich-su")["categories"] == ["2024", "2025"]
    fields = spec(html, "linh-vuc")
    assert len(fields["categories"]) == 7 and [s["name"] for s in fields["series"]] == [
        "Điểm đạt",
        "Điểm bị mất",
        "Điểm đạt bình quân của tỉnh",
    ]
    # Score and lost points stack up to the field's maximum.
    tops = [f.maximum for f in response.context["board"].fields]
    assert [round(a + b, 2) for a, b in zip(fields["series"][0]["data"], fields["series"][1]["data"], strict=True)] == [
        float(t) for t in tops
    ]
    assert spec(html, "mat-diem")["kind"] == "radar"
    assert board.action_count > len(board.actions) == 15  # the soonest 15 of them shown
    assert board.overdue_actions == 15
    assert f"Đang hiển thị 15/{board.action_count} biện pháp" in html
    assert "quá hạn" in html
    # The open cycle: the commune is still drafting, so the projection is its self-assessment.
    assert board.projection.basis == "Theo điểm tự đánh giá" and board.projection.percent is not None
    # The same projection as the forecast page's.
    assert board.projection.score.total == forecast.forecast(board.projection.assessment).base.score.total
    dues = {d.label: d.due for d in board.deadlines}
    assert dues["Gửi hồ sơ tự đánh giá"] == dt.date(2026, 12, 15)
    assert [d.due for d in board.deadlines] == sorted(d.due for d in board.deadlines)  # none done yet
    assert board.deadlines[0].overdue(dt.date(2026, 11, 20))  # an action due in June comes first
    response = client.get(commune_url(commune, tai="linh-vuc"))
    assert response.status_code == 200 and response.content.decode().startswith("\ufeff")


def test_a_merged_commune_without_its_own_result_shows_its_predecessors(client, scene, province, staff):
    from parindex.units.models import AdministrativeUnit, UnitSuccession

    merged = AdministrativeUnit.objects.create(
        era="current", code="90001", name="Xã Hợp Nhất", kind="xa", level=3, parent=province, province=province
    )
    UnitSuccession.objects.bulk_create([UnitSuccession(predecessor=u, successor=merged) for u in scene["units"][2:4]])
    client.force_login(staff["chair"])
    html = client.get(commune_url(merged)).content.decode()
    assert "Xã chưa có kết quả công bố" in html
    series = spec(html, "lich-su")["series"]
    assert [s["name"] for s in series if s.get("dashed")][:2] == [
        f"{u.name} (trước sắp xếp)" for u in scene["units"][2:4]
    ]


# -- landing ------------------------------------------------------------------------------------


def test_home_sends_the_public_to_the_results_and_users_to_their_tasks_linking_their_dashboard(
    client, scene, province, commune, staff
):
    assert client.get(reverse("home")).url == reverse("results:publication-list")
    client.force_login(user_with_role("cc", Role.COMMUNE_OFFICER, commune))
    assert client.get(reverse("home")).url == reverse("inbox:inbox")
    assert reverse("dashboards:commune", args=[commune.pk]) in client.get(reverse("inbox:inbox")).content.decode()
    client.force_login(staff["chair"])
    assert client.get(reverse("home")).url == reverse("inbox:inbox")
    assert reverse("dashboards:province", args=[province.pk]) in client.get(reverse("inbox:inbox")).content.decode()
