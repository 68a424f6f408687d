"""The import page of a province and its mappings (views.import_page, mapping_new, mapping_edit):
who may import where, a file written with its summary and time, a file with bad rows listing
every one of them and writing nothing, the template download, mappings made and changed."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.assessments.tests.factories import user_with_role
from parindex.indicators.models import ImportBatch, ImportMapping, IndicatorValue
from parindex.indicators.tests.factories import (
    COLUMNS,
    HEADER,
    csv_bytes,
    login_as,
    make_indicator,
    make_mapping,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
IMPORT = reverse("indicators:import")
NEW_MAPPING = reverse("indicators:mapping-new")


def upload(data, name="so-lieu.csv"):
    return SimpleUploadedFile(name, data, content_type="text/csv")


def post_file(client, province, indicator, mapping, data, name="so-lieu.csv"):
    return client.post(
        f"{IMPORT}?tinh={province.pk}",
        {"indicator": indicator.pk, "mapping": mapping.pk, "file": upload(data, name)},
    )


def good_rows(*units, months=range(1, 11)):
    return [[u.code, u.name, 2026, m, 96, 100] for u in units for m in months]


# -- who may import where ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("office", 200),
        ("head", 200),
        ("officer", 403),
        ("viewer", 403),
        ("elsewhere", 404),
        ("anonymous", 302),
    ],
)
def test_who_may_open_the_import_page(client, people, province, mapping, who, status):
    login_as(client, people, who)
    assert client.get(f"{IMPORT}?tinh={province.pk}").status_code == status


@pytest.mark.parametrize(("who", "status"), [("officer", 403), ("viewer", 403), ("elsewhere", 404)])
def test_those_who_may_not_import_cannot_post_a_file(
    client, people, province, commune, indicator, mapping, who, status
):
    login_as(client, people, who)
    assert post_file(client, province, indicator, mapping, csv_bytes(good_rows(commune))).status_code == status
    assert not IndicatorValue.objects.exists() and not ImportBatch.objects.exists()


def test_a_user_of_one_province_lands_on_it_and_of_several_chooses(client, people, province, other_province):
    admin = login_as(client, people, "admin")
    html = client.get(IMPORT).content.decode()
    assert "Nạp số liệu chỉ số từ tệp – Tỉnh Quảng Trị" in html
    admin.role_assignments.create(role=Role.PROVINCE_ADMIN, unit=other_province, include_descendants=True)
    client.force_login(admin)
    html = client.get(IMPORT).content.decode()
    assert "chọn một tỉnh ở trên" in html
    assert f'href="?tinh={province.pk}"' in html and f'href="?tinh={other_province.pk}"' in html
    assert "Thành phố Huế" in client.get(f"{IMPORT}?tinh={other_province.pk}").content.decode()


# -- importing ------------------------------------------------------------------------------------


def test_it_imports_a_file_and_says_what_it_did_and_how_long_it_took(
    client, people, province, commune, indicator, mapping
):
    admin = login_as(client, people, "admin")
    response = post_file(client, province, indicator, mapping, csv_bytes(good_rows(commune)))
    assert response.status_code == 302
    assert response["Location"] == f"{IMPORT}?tinh={province.pk}&chi-so=ho_so_dung_han&cach-doc={mapping.pk}"
    [message] = [str(m) for m in get_messages(response.wsgi_request)]
    batch = ImportBatch.objects.get()
    assert message == (
        "Tệp so-lieu.csv – Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn: Đã nạp 10 dòng: 10 dòng mới, "
        f"0 dòng thay đổi, 0 dòng giữ nguyên ({batch.duration_ms} ms)."
    )
    assert IndicatorValue.objects.filter(unit=commune, year=2026).count() == 10
    assert (batch.created_by, batch.rows_total, batch.rows_written, batch.mapping) == (admin, 10, 10, mapping)
    html = client.get(response["Location"]).content.decode()
    assert "so-lieu.csv" in html and batch.sha256[:12] in html and f"{batch.duration_ms} ms" in html
    assert f'<option value="{mapping.pk}" selected>' in html


def test_an_excel_file_imports_too(client, people, province, commune, indicator, mapping):
    login_as(client, people, "office")
    data = xlsx_bytes(good_rows(commune, months=[9, 10]))
    response = post_file(client, province, indicator, mapping, data, name="so-lieu.xlsx")
    assert response.status_code == 302
    assert IndicatorValue.objects.filter(unit=commune).count() == 2


def test_a_file_with_bad_rows_lists_every_one_and_writes_nothing(
    client, people, province, commune, other_commune, indicator, mapping
):
    login_as(client, people, "admin")
    post_file(client, province, indicator, mapping, csv_bytes(good_rows(commune, months=[1])))
    before = (IndicatorValue.objects.count(), ImportBatch.objects.count(), list(IndicatorValue.objects.values()))
    rows = [
        *good_rows(commune, other_commune, months=range(2, 8)),
        ["99999", "Xã không có", 2026, 8, 96, 100],  # row 14
        [commune.code, commune.name, 2026, 9, 120, 100],  # row 15
        [commune.code, commune.name, 2026, 12, 96, 100],  # row 16
        [other_commune.code, other_commune.name, 2026, 9, "chín", 100],  # row 17
    ]
    response = post_file(client, province, indicator, mapping, csv_bytes(rows), name="loi.csv")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Chưa nạp tệp loi.csv" in html
    assert "Chưa nạp: 4 lỗi trong 16 dòng số liệu; chưa có số liệu nào được ghi." in html
    assert "Không có số liệu nào được lưu." in html
    listed = [
        ("14", "Mã đơn vị", "không có đơn vị mã &#x27;99999&#x27; thuộc Tỉnh Quảng Trị"),
        ("15", "Số hồ sơ đúng hạn", "tử số (120) lớn hơn mẫu số (100)"),
        ("16", "Tháng", "tháng 12/2026 chưa đến (hôm nay là 20/11/2026)"),
        ("17", "Số hồ sơ đúng hạn", "&#x27;chín&#x27; không phải là số"),
    ]
    for row, column, reason in listed:
        assert f'<td>CSV</td><td class="num">{row}</td><td>{column}</td><td>{reason}</td>' in html
    assert html.count("<td>CSV</td>") == 4
    after = (IndicatorValue.objects.count(), ImportBatch.objects.count(), list(IndicatorValue.objects.values()))
    assert after == before


def test_a_communes_office_imports_only_its_own_rows(
    client, people, province, commune, other_commune, indicator, mapping
):
    login_as(client, people, "office")
    response = post_file(
        client, province, indicator, mapping, csv_bytes(good_rows(commune, other_commune, months=[10]))
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "đơn vị mã &#x27;19333&#x27; không thuộc phạm vi của bạn" in html
    assert "Bạn chỉ nạp được số liệu của đơn vị mình" in html
    assert not IndicatorValue.objects.exists()


def test_a_mapping_of_another_indicator_is_refused(client, people, province, commune, indicator, mapping):
    other = make_indicator("ho_so_truc_tuyen", name="Tỷ lệ hồ sơ trực tuyến")
    login_as(client, people, "admin")
    response = post_file(client, province, other, mapping, csv_bytes(good_rows(commune)))
    assert response.status_code == 200
    assert "dành cho chỉ số khác" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_a_mapping_of_another_province_cannot_be_chosen(client, people, province, other_province, commune, indicator):
    theirs = make_mapping(other_province, indicator)
    login_as(client, people, "admin")
    response = post_file(client, province, indicator, theirs, csv_bytes(good_rows(commune)))
    assert "Cách đọc tệp này không có ở tỉnh đã chọn." in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_an_empty_or_unreadable_file_is_refused(client, people, province, indicator, mapping):
    login_as(client, people, "admin")
    response = post_file(client, province, indicator, mapping, b"", name="trong.csv")
    assert "Tập tin được gửi là rỗng." in response.content.decode()
    response = post_file(client, province, indicator, mapping, b"PK\x03\x04hong", name="hong.xlsx")
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<td>Excel</td><td class="num">–</td><td>–</td><td>tệp không phải bảng tính Excel (.xlsx) đọc được: tệp nén .xlsx bị hỏng</td>'
        in html
    )
    response = post_file(client, province, indicator, mapping, b"a,b", name="so-lieu.pdf")
    assert "Chỉ nạp tệp .csv hoặc .xlsx (Excel)." in response.content.decode()
    assert not IndicatorValue.objects.exists() and not ImportBatch.objects.exists()


def test_choosing_an_indicator_refreshes_its_mappings_only(client, people, province, indicator, mapping):
    other = make_indicator("ho_so_truc_tuyen", name="Tỷ lệ hồ sơ trực tuyến")
    theirs = make_mapping(province, other, name="Xuất trực tuyến")
    login_as(client, people, "admin")
    html = client.get(
        f"{IMPORT}?tinh={province.pk}&indicator={other.pk}", HTTP_HX_TARGET="mapping-field", **HTMX
    ).content.decode()
    assert html.strip().startswith('<div id="mapping-field">') and "<html" not in html
    assert f'value="{theirs.pk}"' in html and f'value="{mapping.pk}"' not in html


# -- the template ---------------------------------------------------------------------------------


def test_the_template_of_a_mapping_is_its_header_and_the_users_communes_and_imports_back(
    client, people, province, commune, other_commune, indicator
):
    mapping = make_mapping(province, indicator, header_row=3)
    login_as(client, people, "admin")
    response = client.get(f"{IMPORT}?tinh={province.pk}&mau=1&cach-doc={mapping.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == 'attachment; filename="mau-nhap-so-lieu-ho-so-dung-han-tinh-quang-tri.csv"'
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0].startswith("Số liệu Tỷ lệ hồ sơ") and lines[1] == []
    assert lines[2] == ["Mã đơn vị", "Tên đơn vị", "Năm", "Tháng", "Số hồ sơ đúng hạn", "Tổng số hồ sơ"]
    assert lines[3:] == [
        ["19333", "Phường Đông Hà", "2026", "11", "", ""],
        ["19639", "Xã Nam Cửa Việt", "2026", "11", "", ""],
    ]
    # Filled in, it imports.
    filled = [line[:4] + ["97", "100"] for line in lines[3:]]
    data = csv_bytes(filled, header=lines[2], before=lines[:2])
    assert post_file(client, province, indicator, mapping, data).status_code == 302
    assert IndicatorValue.objects.filter(year=2026, month=11).count() == 2


def test_a_communes_template_has_its_own_row_and_an_indicators_default_titles(
    client, people, province, commune, indicator
):
    login_as(client, people, "office")
    response = client.get(f"{IMPORT}?tinh={province.pk}&mau=1&chi-so={indicator.code}")
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines == [
        ["Mã đơn vị", "Tên đơn vị", "Năm", "Tháng", "Tử số (số liệu)", "Mẫu số"],
        ["19639", "Xã Nam Cửa Việt", "2026", "11", "", ""],
    ]
    assert client.get(f"{IMPORT}?tinh={province.pk}&mau=1&chi-so=khong_co").status_code == 404
    assert client.get(f"{IMPORT}?tinh={province.pk}&mau=1&cach-doc=abc").status_code == 404
    assert client.get(f"{IMPORT}?tinh=abc").status_code == 404


# -- mappings -------------------------------------------------------------------------------------

MAPPING_POST = {
    "name": "Xuất từ một cửa điện tử",
    "header_row": "2",
    "period": "year_month",
    "unit_code": "Mã xã",
    "year": "Năm",
    "month": "Tháng",
    "date": "",
    "numerator": "Đúng hạn",
    "denominator": "Tổng",
}


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 200), ("office", 200), ("officer", 403), ("viewer", 403), ("elsewhere", 404), ("anonymous", 302)],
)
def test_who_may_make_a_mapping(client, people, province, indicator, who, status):
    login_as(client, people, who)
    assert client.get(f"{NEW_MAPPING}?tinh={province.pk}").status_code == status
    response = client.post(f"{NEW_MAPPING}?tinh={province.pk}", MAPPING_POST | {"indicator": indicator.pk})
    assert response.status_code == (302 if status == 200 else status)
    assert ImportMapping.objects.exists() is (status == 200)


def test_it_makes_a_mapping_and_returns_to_the_import_with_it_chosen(client, people, province, indicator):
    office = login_as(client, people, "office")
    html = client.get(f"{NEW_MAPPING}?tinh={province.pk}&chi-so={indicator.code}").content.decode()
    assert 'value="Mã đơn vị"' in html and 'value="Mẫu số"' in html  # the template's titles
    response = client.post(f"{NEW_MAPPING}?tinh={province.pk}", MAPPING_POST | {"indicator": indicator.pk})
    mapping = ImportMapping.objects.get()
    assert response["Location"] == f"{IMPORT}?tinh={province.pk}&chi-so=ho_so_dung_han&cach-doc={mapping.pk}"
    assert (mapping.name, mapping.province, mapping.owner, mapping.header_row) == (
        "Xuất từ một cửa điện tử", province, office, 2,
    )  # fmt: skip
    assert mapping.columns == {
        "unit_code": "Mã xã", "year": "Năm", "month": "Tháng", "date": "", "numerator": "Đúng hạn", "denominator": "Tổng",
    }  # fmt: skip


def test_a_date_column_mapping_drops_the_year_and_month(client, people, province, indicator):
    login_as(client, people, "admin")
    post = MAPPING_POST | {"indicator": indicator.pk, "period": "date", "date": "Kỳ báo cáo"}
    assert client.post(f"{NEW_MAPPING}?tinh={province.pk}", post).status_code == 302
    columns = ImportMapping.objects.get().columns
    assert (columns["date"], columns["year"], columns["month"]) == ("Kỳ báo cáo", "", "")


def test_a_refused_mapping_shows_why_and_keeps_what_was_typed(client, people, province, indicator):
    login_as(client, people, "admin")
    post = MAPPING_POST | {"indicator": indicator.pk, "denominator": "", "month": "Năm"}
    response = client.post(f"{NEW_MAPPING}?tinh={province.pk}", post)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Chỉ số dạng tỷ lệ cần cột Mẫu số." in html
    assert "Cột &#x27;Năm&#x27; được chọn cho cả Năm và Tháng." in html
    assert 'value="Xuất từ một cửa điện tử"' in html and 'value="Mã xã"' in html
    assert not ImportMapping.objects.exists()
    make_mapping(province, indicator, name="Xuất từ một cửa điện tử")
    response = client.post(f"{NEW_MAPPING}?tinh={province.pk}", MAPPING_POST | {"indicator": indicator.pk})
    assert "đã có cách đọc tệp tên" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "get", "post"),
    [
        ("admin", 200, 302),
        ("owner", 200, 302),
        ("office", 200, 403),  # may import with it, not change it
        ("viewer", 404, 404),
        ("elsewhere", 404, 404),
        ("anonymous", 302, 302),
    ],
)
def test_who_sees_and_changes_a_mapping(client, people, province, commune, indicator, who, get, post):
    people["owner"] = lambda: user_with_role("chutich", Role.COMMUNE_HEAD, commune)
    user = login_as(client, people, who)
    mapping = make_mapping(province, indicator, owner=user if who == "owner" else None)
    url = reverse("indicators:mapping-edit", args=[mapping.pk])
    response = client.get(url)
    assert response.status_code == get
    if get == 200:
        html = response.content.decode()
        assert ("<fieldset disabled>" in html) is (post == 403)
    response = client.post(url, MAPPING_POST | {"indicator": indicator.pk})
    assert response.status_code == post
    mapping.refresh_from_db()
    assert (mapping.name == MAPPING_POST["name"]) is (post == 302 and user is not None)


def test_a_changed_mapping_reads_the_next_file_its_new_way(client, people, province, commune, indicator, mapping):
    login_as(client, people, "admin")
    url = reverse("indicators:mapping-edit", args=[mapping.pk])
    html = client.get(url).content.decode()
    assert 'value="Số hồ sơ đúng hạn"' in html and 'value="Xuất từ Hệ thống một cửa"' in html
    columns = COLUMNS | {"numerator": "Đúng hạn"}
    response = client.post(
        url, {"name": mapping.name, "indicator": indicator.pk, "header_row": 1, "period": "year_month", **columns}
    )
    assert response.status_code == 302
    header = tuple("Đúng hạn" if h == "Số hồ sơ đúng hạn" else h for h in HEADER)
    assert (
        post_file(client, province, indicator, mapping, csv_bytes(good_rows(commune), header=header)).status_code == 302
    )
    assert IndicatorValue.objects.filter(unit=commune).count() == 10
    assert ImportBatch.objects.get().columns["numerator"] == "Đúng hạn"


# -- queries --------------------------------------------------------------------------------------

# session, user with their grants, the user's provinces, the active indicators, the province's mappings
# (with indicator and owner), its recent imports (with indicator, mapping, who), its large files
# imported by the worker (with indicator); the header's unread notifications
IMPORT_QUERIES = 8


@pytest.mark.parametrize("n", [1, 5])
def test_the_import_page_costs_the_same_queries_for_1_and_5_mappings_and_imports(
    client, people, province, commune, n, django_assert_num_queries
):
    admin = login_as(client, people, "admin")
    for i in range(n):
        indicator = make_indicator(f"chi_so_{i}", name=f"Chỉ số {i}")
        mapping = make_mapping(province, indicator, owner=admin)
        response = post_file(client, province, indicator, mapping, csv_bytes(good_rows(commune, months=[i + 1])))
        assert response.status_code == 302
    make_indicator("khong_co_cach_doc", name="Chỉ số chưa có cách đọc")
    with django_assert_num_queries(IMPORT_QUERIES):
        response = client.get(f"{IMPORT}?tinh={province.pk}")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<code title=") == n and html.count("Tệp mẫu (CSV)") == n
    assert "Chỉ số chưa có cách đọc – " in html
    assert Decimal(IndicatorValue.objects.count()) == n
