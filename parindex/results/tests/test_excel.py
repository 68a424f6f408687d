"""The Excel downloads: a published ranking (public) and a cycle's cross-unit table (province
staff). Each workbook is reopened with openpyxl and read cell by cell: numbers are numbers
with the publication's decimal places, words are Vietnamese, access is the board's, and the
query count does not grow with the number of units."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils import get_column_letter

from parindex import scoring
from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals.models import ItemAppraisal
from parindex.appraisals.selectors import assessment_scores
from parindex.appraisals.tests.factories import published_year
from parindex.assessments.models import Answer, Assessment
from parindex.assessments.tests.factories import user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import excel, files, services
from parindex.results.models import PublishedResult
from parindex.results.tests.factories import bulk_cycle, bulk_publication, bulk_units
from parindex.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def version(reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    framework_version_spec(version)  # the parsed framework is cached per version; counts below exclude it
    return version


@pytest.fixture
def spec(version):
    return framework_version_spec(version)


def not_applicable(assessment, code):
    """Mark an item not applicable in the commune's answer and in its appraisal."""
    Answer.objects.filter(assessment=assessment, criterion__code=code).update(inputs={"applicable": False})
    ItemAppraisal.objects.filter(assessment=assessment, criterion__code=code).update(inputs={"applicable": False})


@pytest.fixture
def published(province, version):
    """Three communes published under 165/QĐ-UBND through the services, ranked against last
    year's results (so the best one this year rose two places); 2.1 does not apply to one."""
    units = bulk_units(province, 3)
    cycle = bulk_cycle(province, version, units)
    a = {u.pk: cycle.assessments.select_related("unit").get(unit=u) for u in units}
    not_applicable(a[units[1].pk], "2.1")
    published_year(version, province, 2025, {units[0]: "90", units[1]: "80", units[2]: "70"})
    chair = user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True)
    admin = user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True)
    approval = services.approval_create(
        cycle=cycle, assessments=list(a.values()), name="Khối xã, phường", actor=chair, principal=principal_for(chair)
    )
    publication = services.publication_publish(
        approval=approval, decision_number="165/QĐ-UBND", decision_date=dt.date(2027, 2, 20),
        issuer="UBND tỉnh Quảng Trị", actor=admin, principal=principal_for(admin),
    )  # fmt: skip
    results = list(publication.results.select_related("unit").order_by("rank", "unit_name"))
    return {"publication": publication, "units": units, "results": results, "kad": units[1]}


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.getvalue()))  # served from storage: a streamed file


def row_values(ws, row):
    return [c.value for c in ws[row]]


def find_row(ws, column, value):
    """The first row whose cell in ``column`` (1-based) holds ``value``."""
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{value!r} not found in column {column}")


# -- the published ranking ------------------------------------------------------------------------


def test_the_ranking_sheet(client, published, spec):
    publication, results = published["publication"], published["results"]
    response = client.get(reverse("results:publication-xlsx", args=[publication.pk]))
    wb = workbook(response)
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="ket-qua-chi-so-CCHC-2026-tinh-quang-tri-khoi-xa-phuong.xlsx"'
    )
    assert wb.sheetnames == ["Xếp hạng", "Tổng hợp theo tiêu chí"]
    ws = wb["Xếp hạng"]
    assert ws["A1"].value == "Kết quả Chỉ số CCHC năm 2026 — Khối xã, phường" and ws["A1"].font.bold
    assert ws["A2"].value == "Tỉnh Quảng Trị · Quyết định số 165/QĐ-UBND ngày 20/02/2027 của UBND tỉnh Quảng Trị"
    assert ws["A3"].value == "So sánh thứ hạng với: Năm 2025 (Quyết định 25/QĐ-UBND)"
    # Two header rows: the fields and last year's columns under a group header.
    head, sub = row_values(ws, 5), row_values(ws, 6)
    n_fields = len(spec.roots)
    assert head[:5] == ["STT", "Thứ hạng", "Mã đơn vị", "Tên đơn vị", "Điểm các lĩnh vực"]
    assert sub[4] == "I. Công tác chỉ đạo, điều hành CCHC (tối đa 21)"
    assert sub[5] == "II. Theo dõi thi hành pháp luật, xây dựng và tổ chức thực hiện VBQPPL (tối đa 12)"
    assert head[4 + n_fields : 8 + n_fields] == ["Tổng điểm", "Điểm tối đa áp dụng", "Chỉ số (%)", "Xếp loại"]
    assert head[8 + n_fields] == "So với năm trước"
    assert sub[8 + n_fields :] == [
        "Chỉ số năm trước (%)",
        "Thứ hạng năm trước",
        "Thay đổi thứ hạng",
        "So sánh với đơn vị năm trước",
    ]
    assert "E5:K5" in {str(r) for r in ws.merged_cells.ranges} and "A5:A6" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["E5"].font.bold and ws["E6"].border.bottom.style == "thin"
    assert ws.freeze_panes == "E7"
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    # The first row: the best unit this year, third last year.
    best = results[0]
    assert best.unit == published["units"][2] and best.rank_change == 2
    row = row_values(ws, 7)
    assert row[:4] == [1, "1/3", best.unit.code, best.unit_name]
    assert row[4:11] == [float(best.scores[r.code][0]) for r in spec.roots]
    assert row[11:15] == [float(round(best.total, 2)), 100, float(round(best.percent, 2)), best.classification]
    assert row[15:] == [70, "3/3", "tăng 2 bậc", None]  # compared with itself: nothing to add
    for column in ("E", "L", "N", "P"):
        assert isinstance(ws[f"{column}7"].value, int | float)
        assert ws[f"{column}7"].number_format == "0.00"
    assert ws["M7"].number_format == "General"
    # Every unit, in rank order, with the change of rank in words.
    ranks = [ws.cell(row=7 + i, column=2).value for i in range(3)]
    assert ranks == [f"{r.rank}/3" for r in results]
    assert [ws.cell(row=7 + i, column=18).value for i in range(3)] == [
        scoring.describe_change(r.rank_change) for r in results
    ]
    assert ws.cell(row=10, column=1).value is None


def test_the_cross_unit_sheet_by_criterion(client, published, spec):
    publication, results = published["publication"], published["results"]
    ws = workbook(client.get(reverse("results:publication-xlsx", args=[publication.pk])))["Tổng hợp theo tiêu chí"]
    assert ws["A1"].value == "Kết quả Chỉ số CCHC năm 2026 — Khối xã, phường: điểm từng tiêu chí của các đơn vị"
    assert ws["A3"].value.startswith("KAD: không áp dụng")
    header = row_values(ws, 5)
    assert header[:3] == ["Mã", "Tiêu chí", "Điểm tối đa"]
    assert header[3:6] == [f"{r.unit_name} ({r.rank}/3)" for r in results]
    assert header[6:] == ["Số đơn vị đạt tối đa", "Số đơn vị bị trừ điểm", "Tổng điểm bị mất"]
    assert ws.freeze_panes == "D6"
    # Every node in document order.
    assert [ws.cell(row=6 + i, column=1).value for i in range(len(spec.nodes))] == [n.code for n in spec.nodes]
    assert ws.cell(row=6 + len(spec.nodes), column=2).value == "Tổng số điểm"
    # 2.1 (binary, met everywhere) does not apply to one unit: KAD, and not counted.
    row = find_row(ws, 1, "2.1")
    kad_column = 4 + [r.unit for r in results].index(published["kad"])
    assert ws.cell(row=row, column=kad_column).value == "KAD"
    assert row_values(ws, row)[2:] == [2, *(("KAD" if c == kad_column else 2) for c in (4, 5, 6)), 2, 0, 0]
    # 1.1.3 (proportional, ratios below the target): every unit lost points.
    row = find_row(ws, 1, "1.1.3")
    scores = [D(r.scores["1.1.3"][0]) for r in results]
    assert row_values(ws, row)[3:] == [*map(float, scores), 0, 3, float(sum(D(2) - s for s in scores))]
    assert ws.cell(row=row, column=4).number_format == "0.00" and ws.cell(row=row, column=9).number_format == "0.00"
    assert ws.cell(row=row, column=7).number_format == "0"
    # Field I: a parent, bold, with its frozen score.
    row = find_row(ws, 1, "I")
    assert ws.cell(row=row, column=2).font.bold
    assert [ws.cell(row=row, column=c).value for c in (4, 5, 6)] == [float(r.scores["I"][0]) for r in results]
    total_row = 6 + len(spec.nodes)
    assert [ws.cell(row=total_row, column=c).value for c in (3, 4)] == [100, float(results[0].total)]


def test_a_corrected_publication_says_so_in_its_workbook(client, published):
    old = published["publication"]
    admin = user_with_role("sonoivu2", Role.PROVINCE_ADMIN, old.approval.cycle.province, include_descendants=True)
    new = services.publication_correct(
        publication=old, reason="Đính chính điểm tiêu chí 1.6", decision_number="171/QĐ-UBND",
        decision_date=dt.date(2027, 3, 1), actor=admin, principal=principal_for(admin),
    )  # fmt: skip
    notes = [
        c.value for c in workbook(client.get(reverse("results:publication-xlsx", args=[old.pk])))["Xếp hạng"]["A"][:5]
    ]
    assert "Bản công bố này đã được đính chính. Kết quả đang có hiệu lực theo Quyết định số 171/QĐ-UBND." in notes[3]
    notes = [
        c.value for c in workbook(client.get(reverse("results:publication-xlsx", args=[new.pk])))["Xếp hạng"]["A"][:5]
    ]
    assert notes[3] == "Đính chính: Đính chính điểm tiêu chí 1.6 (thay thế Quyết định số 165/QĐ-UBND ngày 20/02/2027)"


def test_the_ranking_workbook_is_public_and_unknown_publications_are_404(client, published):
    assert client.get(reverse("results:publication-xlsx", args=[published["publication"].pk])).status_code == 200
    assert client.get(reverse("results:publication-xlsx", args=[9999])).status_code == 404


def test_the_pages_link_to_the_workbooks(client, published, province):
    publication = published["publication"]
    url = reverse("results:publication-xlsx", args=[publication.pk])
    html = client.get(reverse("results:publication-detail", args=[publication.pk])).content.decode()
    assert f'href="{url}">Tải Excel (.xlsx)<' in html
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    html = client.get(reverse("results:cycle-board", args=[publication.approval.cycle_id])).content.decode()
    assert f'href="{url}">Tải Excel<' in html
    assert f'href="{reverse("results:cycle-xlsx", args=[publication.approval.cycle_id])}">Tải bảng tổng hợp' in html


def test_the_builder_leaves_blank_what_a_snapshot_lacks(reference_spec):
    """Older snapshots (or a framework grown since) may lack codes: blank cells, not counted."""
    unit = excel.RankedUnit(
        rank=1, rank_of=1, code="80001", name="Xã A", fields=[D("17.10")], total=D("17.10"), applicable_max=D(21),
        percent=D("81.43"), classification="Tốt", previous_percent=None, previous_rank=None, previous_of=None,
        change="chưa có so sánh", compared_with=["Xã Cũ A", "Xã Cũ B"], scores={"I": ["17.10", "21"]},
    )  # fmt: skip
    ranking = excel.Ranking(
        year=2026, group="Khối xã", province="Tỉnh Quảng Trị", decision_number="1/QĐ-UBND",
        decision_date=dt.date(2027, 1, 5), issuer="", places=1, fields=[{"code": "I", "name": "Chỉ đạo", "max": "21"}],
        nodes=reference_spec.nodes, units=[unit],
    )  # fmt: skip
    wb = load_workbook(io.BytesIO(excel.ranking_to_xlsx(ranking)))
    ws = wb["Xếp hạng"]
    assert ws["A2"].value == "Tỉnh Quảng Trị · Quyết định số 1/QĐ-UBND ngày 05/01/2027"
    assert row_values(ws, 6)[:5] == [1, "1/1", "80001", "Xã A", 17.1] and ws["E6"].number_format == "0.0"
    assert row_values(ws, 6)[9:] == [None, None, "chưa có so sánh", "Xã Cũ A, Xã Cũ B"]
    nodes = wb["Tổng hợp theo tiêu chí"]
    assert row_values(nodes, find_row(nodes, 1, "I"))[3:] == [17.1, 0, 1, 3.9]
    assert row_values(nodes, find_row(nodes, 1, "II"))[3:] == [None, 0, 0, 0]


# -- the cycle's cross-unit table -----------------------------------------------------------------


@pytest.fixture
def running(province, version):
    """A cycle under way: one unit appraised, one under appraisal, one still drafting (and
    2.1 does not apply to it)."""
    units = bulk_units(province, 3)
    states = [Status.APPRAISED, Status.APPRAISING, Status.DRAFT]
    cycle = bulk_cycle(province, version, units, status=lambda i: states[i])
    done, busy, draft = (
        cycle.assessments.select_related("unit", "cycle__framework_version").get(unit=u) for u in units
    )
    not_applicable(draft, "2.1")
    return {"cycle": cycle, "done": done, "busy": busy, "draft": draft}


def cycle_url(cycle):
    return reverse("results:cycle-xlsx", args=[cycle.pk])


def test_the_cycle_summary_sheet(client, running, province, spec):
    cycle = running["cycle"]
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    response = client.get(cycle_url(cycle))
    wb = workbook(response)
    assert (
        response["Content-Disposition"] == 'attachment; filename="tong-hop-diem-chi-so-CCHC-2026-tinh-quang-tri.xlsx"'
    )
    assert wb.sheetnames == ["Tổng hợp", "Tự chấm", "Thẩm định"]
    ws = wb["Tổng hợp"]
    assert ws["A1"].value == f"Kết quả tự chấm và thẩm định — {cycle.name}"
    assert ws["A3"].value.startswith("Số liệu lúc 09:00 ngày 20/11/2026; chưa phải kết quả công bố.")
    head, sub = row_values(ws, 5), row_values(ws, 6)
    assert head[:5] == [
        "STT",
        "Mã đơn vị",
        "Tên đơn vị",
        "Trạng thái",
        "I. Công tác chỉ đạo, điều hành CCHC (tối đa 21)",
    ]
    assert sub[4:6] == ["Tự chấm", "Thẩm định"]
    n = len(spec.roots)
    assert head[4 + 2 * n] == "Tổng điểm" and sub[4 + 2 * n : 6 + 2 * n] == ["Tự chấm", "Thẩm định"]
    assert head[6 + 2 * n :] == ["Điểm tối đa áp dụng", "Chỉ số (%)", "Xếp loại", "Căn cứ xếp loại"]
    assert ws.freeze_panes == "E7"
    rows = {ws.cell(row=r, column=3).value: row_values(ws, r) for r in range(7, 10)}

    done = running["done"]
    scores = assessment_scores(done)
    assert scores.self.total != scores.final.total  # the appraisers changed the ratios
    row = rows[done.unit.name]
    assert row[3] == "Đã thẩm định xong"
    assert row[4:6] == [float(scores.self.node("I").score), float(scores.final.node("I").score)]
    assert row[4 + 2 * n :] == [
        float(scores.self.total),
        float(scores.final.total),
        100,
        float(scores.final.percent),
        scores.final.classification,
        "Theo điểm thẩm định",
    ]
    assert ws.cell(row=7, column=5).number_format == "0.00"

    busy = rows[running["busy"].unit.name]
    busy_scores = assessment_scores(running["busy"])
    assert busy[3] == "Đang thẩm định" and busy[-1] == "Theo điểm thẩm định tạm tính (đang thẩm định)"
    assert busy[-3] == float(busy_scores.final.percent)

    draft = rows[running["draft"].unit.name]
    draft_scores = assessment_scores(running["draft"])
    assert draft[3] == "Đang tự đánh giá"
    assert draft[5] is None and draft[5 + 2 * n] is None  # no appraised score yet
    assert draft[4 + 2 * n] == float(draft_scores.self.total)
    assert draft[6 + 2 * n :] == [
        98,  # 2.1 (2 points) does not apply
        float(draft_scores.self.percent),
        draft_scores.self.classification,
        "Theo điểm tự chấm (chưa thẩm định)",
    ]


def test_the_cycle_sheets_by_criterion(client, running, province, spec):
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    wb = workbook(client.get(cycle_url(running["cycle"])))
    own, final = wb["Tự chấm"], wb["Thẩm định"]
    names = [running[k].unit.name for k in ("done", "busy", "draft")]  # bulk units sort by name
    assert row_values(own, 5)[3:6] == names
    assert row_values(final, 6)[3:6] == [names[0], f"{names[1]} (tạm tính)", f"{names[2]} (chưa thẩm định)"]
    assert [own.cell(row=6 + i, column=1).value for i in range(len(spec.nodes))] == [n.code for n in spec.nodes]
    done = assessment_scores(running["done"])
    row = find_row(own, 1, "1.1.3")
    assert own.cell(row=row, column=4).value == float(done.self.node("1.1.3").score)
    row = find_row(final, 1, "1.1.3")
    assert final.cell(row=row, column=4).value == float(done.final.node("1.1.3").score)
    assert final.cell(row=row, column=4).fill.fgColor.rgb == "00FFF2CC"  # differs from the self score
    assert final.cell(row=row, column=6).value is None
    row = find_row(final, 1, "2.1")
    assert final.cell(row=row, column=4).fill.fill_type is None  # unchanged: not shaded
    # 2.1 does not apply to the drafting unit: KAD, not counted.
    row = find_row(own, 1, "2.1")
    assert row_values(own, row)[3:] == [2, 2, "KAD", 2, 0, 0]


# view -> persona -> expected status, as the board (results/tests/test_views.py MATRIX['board'])
CYCLE_ACCESS = {
    "officer": (Role.COMMUNE_OFFICER, "commune", 404),
    "head": (Role.COMMUNE_HEAD, "commune", 404),
    "appraiser": (Role.APPRAISER, "province", 404),
    "council": (Role.COUNCIL_CHAIR, "province", 200),
    "admin": (Role.PROVINCE_ADMIN, "province", 200),
    "viewer": (Role.VIEWER, "province", 200),
    "elsewhere": (Role.PROVINCE_ADMIN, "other_province", 404),
}


@pytest.mark.parametrize("persona", list(CYCLE_ACCESS))
def test_the_cycle_workbook_is_for_those_who_see_the_board(client, running, province, commune, persona):
    role, at, expected = CYCLE_ACCESS[persona]
    elsewhere = AdministrativeUnit.objects.create(
        era="current", code="46", name="Thành phố Huế", kind="thanh_pho_tw", level=1
    )
    unit = {"commune": commune, "province": province, "other_province": elsewhere}[at]
    client.force_login(user_with_role(persona, role, unit, include_descendants=at != "commune"))
    assert client.get(cycle_url(running["cycle"])).status_code == expected


def test_the_cycle_workbook_needs_a_login_and_a_known_cycle(client, running, province):
    response = client.get(cycle_url(running["cycle"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True))
    assert client.get(reverse("results:cycle-xlsx", args=[9999])).status_code == 404


# -- query bounds -------------------------------------------------------------------------------

# the publication with its stored workbook's name (built once at publication: files.py)
PUBLICATION_QUERIES = 1
# session, user with their grants, cycle, assessments with units, answers, appraisals
CYCLE_QUERIES = 6


@pytest.mark.parametrize("n", [2, 12])
def test_the_ranking_workbook_costs_the_same_queries_for_2_and_12_units(
    client, province, version, django_assert_num_queries, n
):
    publication = bulk_publication(province, version, n)
    files.publication_files_build(publication=publication, kinds=["xlsx"])
    with django_assert_num_queries(PUBLICATION_QUERIES):
        response = client.get(reverse("results:publication-xlsx", args=[publication.pk]))
        ws = workbook(response)["Xếp hạng"]
    assert ws.cell(row=7 + n - 1, column=2).value == f"{n}/{n}"
    assert PublishedResult.objects.filter(publication=publication).count() == n


@pytest.mark.parametrize("n", [2, 12])
def test_the_cycle_workbook_costs_the_same_queries_for_2_and_12_units(
    client, province, version, django_assert_num_queries, n
):
    states = [Status.APPRAISED, Status.CLARIFICATION, Status.SUBMITTED, Status.DRAFT]
    cycle = bulk_cycle(province, version, bulk_units(province, n), status=lambda i: states[i % len(states)])
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    with django_assert_num_queries(CYCLE_QUERIES):
        ws = workbook(client.get(cycle_url(cycle)))["Tổng hợp"]
    assert ws.cell(row=7 + n - 1, column=1).value == n
    assert Assessment.objects.filter(cycle=cycle).count() == n


# -- the builders' cells (write-only, named styles) ------------------------------------------------


def test_every_cell_of_the_ranking_takes_its_columns_named_style(reference_spec):
    """Written row by row in openpyxl's write-only mode, each cell in one of a few named styles:
    the same look as cell-by-cell styling (bordered table, empty cells included, numbers in their
    column's format, KAD and ranks centred, the total in bold, the header shaded)."""
    unit = excel.RankedUnit(
        rank=1, rank_of=2, code="80001", name="Xã A", fields=[D("17.10"), None], total=D("27.10"),
        applicable_max=D("31"), percent=D("87.42"), classification="Tốt", previous_percent=None,
        previous_rank=None, previous_of=None, change="chưa có so sánh", compared_with=[],
        scores={"I": ["17.10", "21"], "II": [None, "0"]},
    )  # fmt: skip
    ranking = excel.Ranking(
        year=2026, group="Khối xã", province="Tỉnh Quảng Trị", decision_number="1/QĐ-UBND",
        decision_date=dt.date(2027, 1, 5), issuer="", places=2,
        fields=[{"code": "I", "name": "Chỉ đạo", "max": "21"}, {"code": "II", "name": "Pháp luật", "max": "12.5"}],
        nodes=reference_spec.nodes, units=[unit, unit],
    )  # fmt: skip
    wb = load_workbook(io.BytesIO(excel.ranking_to_xlsx(ranking)))
    names = [n for n in wb.named_styles if n.startswith("CCHC")]
    assert names and len(names) == len(set(names)) and len(names) < 30  # registered once each
    ws = wb["Xếp hạng"]
    assert ws["A1"].font.bold and ws["A1"].font.size == 14 and ws["A2"].font.bold
    assert [ws.column_dimensions[c].width for c in "ABCDEF"] == [6, 9, 10, 28, 14, 14]
    assert ws.freeze_panes == "E6" and ws.print_title_rows == "$4:$5" and ws.auto_filter.ref == "A5:N7"
    for cell in [c for c in ws[4] + ws[5] if not isinstance(c, MergedCell)]:  # the header
        assert cell.font.bold and cell.fill.fgColor.rgb == "00DDEBF7" and cell.alignment.wrap_text, cell
        assert cell.border.left.style == cell.border.bottom.style == "thin"
    row = ws[6]
    assert [c.value for c in row] == [1, "1/2", "80001", "Xã A", 17.1, "KAD", 27.1, 31, 87.42, "Tốt", None, None,
                                      "chưa có so sánh", None]  # fmt: skip
    # (no previous percent: an empty text cell, as before)
    assert [c.number_format for c in row] == ["0", *["General"] * 3, "0.00", "General", "0.00", "General", "0.00",
                                              *["General"] * 5]  # fmt: skip
    for cell in row:
        assert cell.border.left.style == cell.border.right.style == cell.border.top.style == "thin", cell
        assert cell.border.left.color.rgb == "00808080"
    assert [c.alignment.horizontal for c in row[:6]] == [None, "center", None, None, None, "center"]
    assert row[3].alignment.wrap_text and row[3].alignment.vertical == "top" and not row[4].alignment.wrap_text
    assert [c.font.bold for c in row] == [False] * 6 + [True] + [False] * 7  # the total
    nodes = wb["Tổng hợp theo tiêu chí"]
    assert nodes.freeze_panes == "D6"
    for code, depth, bold in (("I", 0, True), ("1.1", 1, True), ("1.1.3", 2, False)):
        r = find_row(nodes, 1, code)
        assert nodes.cell(row=r, column=2).alignment.indent == depth and nodes.cell(row=r, column=2).font.bold == bold
        assert all(c.border.bottom.style == "thin" for c in nodes[r])  # blank cells too
        scored = "0.00" if code == "I" else "General"  # the snapshot has the fields only: blank below
        assert [c.number_format for c in nodes[r]] == ["General", "General", "General", scored, scored, "0", "0",
                                                       "0.00"]  # fmt: skip
    last = nodes.max_row
    assert nodes.cell(row=last, column=2).value == "Tổng số điểm" and all(c.font.bold for c in nodes[last])


def test_the_cycle_workbook_shades_and_formats_cells_as_before(client, running, province):
    client.force_login(user_with_role("xem", Role.VIEWER, province, include_descendants=True))
    wb = workbook(client.get(cycle_url(running["cycle"])))
    summary = wb["Tổng hợp"]
    assert summary.auto_filter.ref == f"A6:{get_column_letter(summary.max_column)}9"
    assert {"A5:A6", "D5:D6", "E5:F5"} <= {str(r) for r in summary.merged_cells.ranges}
    final = wb["Thẩm định"]
    shaded = [c for row in final.iter_rows(min_row=7) for c in row if c.fill.fill_type == "solid"]
    # the appraised unit and the one under appraisal; never the one still drafting
    assert {c.column for c in shaded} == {4, 5} and all(c.fill.fgColor.rgb == "00FFF2CC" for c in shaded)
    assert all(c.number_format == "0.00" and c.border.top.style == "thin" for c in shaded)
