"""The public ranking of a publication, with its CSV and JSON downloads: four frozen rows, one
for each kind of change of rank."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal as D

import pytest
from django.urls import reverse

from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.results.models import Approval, Publication, PublishedResult
from parindex.results.tests.factories import bulk_cycle, bulk_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def ranking(province, other_commune, reference_spec):
    """A publication of four frozen rows, one for each kind of change of rank."""
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    units = [other_commune, *bulk_units(province, 3, first=100)]
    cycle = bulk_cycle(province, version, units, status=Status.PUBLISHED)
    approval = Approval.objects.create(cycle=cycle, name="Khối xã, phường")
    publication = Publication.objects.create(
        approval=approval, decision_number="165/QĐ-UBND", decision_date=dt.date(2027, 2, 20), year=2026,
        issuer="UBND tỉnh Quảng Trị", places=2, previous_label="Năm 2024 (Quyết định 24/QĐ-UBND)",
        fields=[{"code": "I", "name": "Công tác chỉ đạo, điều hành CCHC", "max": "21"},
                {"code": "II", "name": "Theo dõi thi hành pháp luật", "max": "12.5"}],
    )  # fmt: skip
    rows = [
        # unit, total, percent, rank, previous (percent, rank, of), sources, change, field scores
        ("90.74", 1, ("82.5", 3, 3), ["Xã Triệu Trạch", "Xã Triệu Tân"], 2, ["17.10", "12.50"]),
        ("85.00", 2, ("90", 1, 3), None, -1, ["16.00", None]),
        ("85.00", 2, ("85", 2, 3), "own", 0, ["16.00", "10.00"]),
        ("60.5", 4, None, [], None, ["10.00", "8.25"]),
    ]
    for unit, (percent, rank, previous, sources, change, fields) in zip(units, rows, strict=True):
        if sources is None:
            sources = ["Phường 1"]
        elif sources == "own":
            sources = [unit.name]
        PublishedResult.objects.create(
            publication=publication, assessment=cycle.assessments.get(unit=unit), unit=unit, unit_name=unit.name,
            total=D(percent), self_total=D(percent) + 2, applicable_max=D(100), percent=D(percent),
            classification="Tốt" if D(percent) >= 80 else "Trung bình", rank=rank, rank_of=4,
            previous_percent=D(previous[0]) if previous else None, previous_rank=previous[1] if previous else None,
            previous_of=previous[2] if previous else None, previous_sources=sources, rank_change=change,
            scores={"I": [fields[0], "21"], "II": [fields[1], "0" if fields[1] is None else "12.5"]},
        )  # fmt: skip
    return {"publication": publication, "units": units}


def test_the_public_ranking_table(client, ranking):
    publication, units = ranking["publication"], ranking["units"]
    response = client.get(reverse("results:publication-detail", args=[publication.pk]))
    html = response.content.decode()
    rows = [html[html.index(f">{u.name}<") :].split("</tr>")[0] for u in units]
    assert "17,10" in rows[0] and "12,50" in rows[0] and "90,74" in rows[0]
    assert "tăng 2 bậc" in rows[0] and "Năm trước: hạng 3/3, chỉ số 82,50%" in rows[0]
    assert "So sánh với: Xã Triệu Trạch, Xã Triệu Tân" in rows[0]
    assert "giảm 1 bậc" in rows[1] and "So sánh với: Phường 1" in rows[1] and 'title="Không áp dụng"' in rows[1]
    assert "giữ nguyên" in rows[2] and "So sánh với" not in rows[2]  # compared with itself: nothing to add
    assert "chưa có so sánh" in rows[3] and "Năm trước" not in rows[3] and "60,50" in rows[3]
    assert [html.count(f">{r}/4<") for r in (1, 2, 4)] == [1, 2, 1]
    assert "tối đa 12,5" in html and 'title="Theo dõi thi hành pháp luật"' in html
    assert "Số 165/QĐ-UBND ngày 20/02/2027 của UBND tỉnh Quảng Trị" in html
    assert "Cách xếp hạng và so sánh thứ hạng" in html and "trung bình cộng chỉ số năm trước" in html
    assert "Năm 2024 (Quyết định 24/QĐ-UBND)" in html
    assert 'class="table-wrap"' in html  # the table scrolls sideways on a phone


def test_the_csv_download_opens_in_excel_and_keeps_machine_decimals(client, ranking):
    publication = ranking["publication"]
    response = client.get(reverse("results:publication-csv", args=[publication.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="ket-qua-chi-so-CCHC-2026-tinh-quang-tri-khoi-xa-phuong.csv"'
    )
    body = response.getvalue()  # served from storage: a streamed file
    assert body.startswith(b"\xef\xbb\xbf")
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert header[:4] == ["Thứ hạng", "Trên tổng số", "Mã đơn vị", "Tên đơn vị"]
    assert header[4:6] == [
        "I. Công tác chỉ đạo, điều hành CCHC (tối đa 21)",
        "II. Theo dõi thi hành pháp luật (tối đa 12.5)",
    ]
    first = dict(zip(header, rows[0], strict=True))
    assert (first["Thứ hạng"], first["Trên tổng số"], first["Mã đơn vị"]) == ("1", "4", ranking["units"][0].code)
    assert (first["Tổng điểm"], first["Chỉ số (%)"], first["Điểm tối đa áp dụng"]) == ("90.74", "90.74", "100")
    assert first["I. Công tác chỉ đạo, điều hành CCHC (tối đa 21)"] == "17.10"
    assert (first["Thay đổi thứ hạng (bậc, + tăng, - giảm)"], first["Thay đổi thứ hạng"]) == ("2", "tăng 2 bậc")
    assert first["So sánh với đơn vị năm trước"] == "Xã Triệu Trạch; Xã Triệu Tân"
    assert (first["Chỉ số năm trước (%)"], first["Điểm tự đánh giá"]) == ("82.50", "92.74")
    last = dict(zip(header, rows[3], strict=True))
    assert last["Thay đổi thứ hạng (bậc, + tăng, - giảm)"] == "" and last["Thay đổi thứ hạng"] == "chưa có so sánh"
    assert last["Tổng điểm"] == "60.50" and len(rows) == 4


def test_the_json_download_has_decimals_as_strings(client, ranking):
    publication = ranking["publication"]
    response = client.get(reverse("results:publication-json", args=[publication.pk]))
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == 'inline; filename="ket-qua-chi-so-CCHC-2026-tinh-quang-tri-khoi-xa-phuong.json"'
    )
    document = json.loads(response.getvalue())
    assert document["format"] == "parindex-results/1" and document["year"] == 2026
    assert document["decision"] == {"number": "165/QĐ-UBND", "date": "2027-02-20", "issuer": "UBND tỉnh Quảng Trị"}
    assert document["province"] == {"code": "44", "name": "Tỉnh Quảng Trị"}
    assert document["publication"]["is_current"] is True and document["publication"]["current"] == publication.pk
    assert [f["max"] for f in document["fields"]] == ["21", "12.5"]
    first, second, _, last = document["results"]
    assert (first["rank"], first["of"], first["total"], first["percent"]) == (1, 4, "90.74", "90.74")
    assert first["fields"]["I"] == {"score": "17.10", "applicable_max": "21"}
    assert second["fields"]["II"] == {"score": None, "applicable_max": "0"}
    assert first["previous"] == {"percent": "82.50", "rank": 3, "of": 3, "sources": ["Xã Triệu Trạch", "Xã Triệu Tân"]}
    assert (first["rank_change"], first["rank_change_text"]) == (2, "tăng 2 bậc")
    assert (last["previous"], last["rank_change"], last["rank_change_text"]) == (None, None, "chưa có so sánh")
