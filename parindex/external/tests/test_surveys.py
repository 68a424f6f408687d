"""Survey results: the import (every bad row listed, all or nothing, the same file again changes
nothing, provenance kept), the pages and who sees them, and the ``survey`` source feeding a leaf
(offered, applied through the audited answer service, 404 for another commune)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import Workbook

from parindex import scoring
from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments import sources
from parindex.assessments.models import Answer, AuditEntry
from parindex.assessments.tests.factories import open_cycle, user_with_role
from parindex.external import surveys
from parindex.external.models import Survey, SurveyBatch, SurveyResult
from parindex.external.tests.conftest import csv
from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec

pytestmark = pytest.mark.django_db
HEADER = "ma_don_vi;nam;ty_le_hai_long;so_nguoi_tra_loi"
BUTTON = "Dùng số liệu này"


@pytest.fixture
def survey(province, admin_p):
    return surveys.survey_save(
        province=province, code="sipas", name="Chỉ số SIPAS", field_code="III", threshold="20", principal=admin_p
    )


def do_import(survey, data, principal, actor=None, filename="sipas.csv"):
    return surveys.survey_results_import(
        survey=survey, file=data, filename=filename, source="Bộ Nội vụ – SIPAS 2026", actor=actor, principal=principal
    )


def test_a_good_file_is_imported_with_its_provenance(survey, commune, other_commune, admin, admin_p):
    data = csv(HEADER, "19639;2026;82,5;310", "19333;2026;91.25;280")
    result = do_import(survey, data, admin_p, admin)
    assert result.ok, result.problems
    assert (result.created, result.changed) == (2, 0)
    r = SurveyResult.objects.get(unit=commune)
    assert (r.year, r.rate, r.respondents, r.revision) == (2026, Decimal("82.5"), 310, 1)
    assert SurveyResult.objects.get(unit=other_commune).rate == Decimal("91.25")
    batch = r.batch
    assert (batch.source, batch.created_by, batch.file_name, batch.rows_total) == (
        "Bộ Nội vụ – SIPAS 2026", admin, "sipas.csv", 2
    )  # fmt: skip
    assert len(batch.sha256) == 64 and batch.created_at is not None


def test_an_xlsx_file_with_vietnamese_titles(survey, commune):
    book = Workbook()
    book.active.append(["Mã đơn vị", "Năm", "Tỷ lệ hài lòng (%)", "Số người trả lời"])
    book.active.append([19639, 2025, 77.4, 150])
    body = io.BytesIO()
    book.save(body)
    admin_p = principal_for(user_with_role("sonoivu2", Role.PROVINCE_ADMIN, survey.province))
    result = do_import(survey, body.getvalue(), admin_p, filename="sipas.xlsx")
    assert result.ok, result.problems
    assert SurveyResult.objects.get().rate == Decimal("77.4")


def test_the_same_file_again_changes_nothing(survey, commune, admin_p):
    data = csv(HEADER, "19639;2026;82,5;310")
    assert do_import(survey, data, admin_p).created == 1
    again = do_import(survey, data, admin_p)
    assert again.ok and (again.created, again.changed, again.batch) == (0, 0, None)
    assert "không có kết quả nào thay đổi" in again.summary()
    assert SurveyBatch.objects.count() == 1 and SurveyResult.objects.get().revision == 1
    changed = do_import(survey, csv(HEADER, "19639;2026;85;310"), admin_p)
    assert changed.changed == 1
    r = SurveyResult.objects.get()
    assert (r.rate, r.revision, r.batch) == (Decimal(85), 2, changed.batch)


def test_every_bad_row_is_listed_and_nothing_is_saved(survey, commune, admin_p):
    data = csv(
        HEADER,
        "19639;2026;82,5;310",
        "00000;2026;80;100",  # unknown unit
        "19639;2026;81;100",  # duplicate unit and year
        "19333;2026;101;100",  # over 100 (and 19333 is not created here: unknown too)
        "19639;2027;80;100",  # a year not yet begun
        "19639;2025;80,123;100",  # three decimals
        "19639;2024;80;0",  # no respondent
        "19639;2023;;12,5",  # rate missing, respondents not whole
    )
    result = do_import(survey, data, admin_p)
    found = [str(p) for p in result.problems]
    assert found[0] == "CSV, dòng 3, cột ma_don_vi: mã đơn vị '00000' không phải xã, phường của Tỉnh Quảng Trị"
    assert "trùng đơn vị '19639' và năm 2026 với dòng 2" in found[1]
    assert any("101 vượt 100%" in p for p in found)
    assert any("năm 2027 ngoài khoảng 2017–2026" in p for p in found)
    assert any("có quá 2 chữ số thập phân" in p for p in found)
    assert any("dòng 8, cột so_nguoi_tra_loi: thiếu số người trả lời" in p for p in found)
    assert any("dòng 9, cột ty_le_hai_long: thiếu tỷ lệ hài lòng" in p for p in found)
    assert any("dòng 9, cột so_nguoi_tra_loi: Số người trả lời phải là số nguyên" in p for p in found)
    assert "Chưa nạp" in result.summary()
    assert not SurveyResult.objects.exists() and not SurveyBatch.objects.exists()


def test_a_missing_column_and_the_row_cap(survey, commune, admin_p):
    result = do_import(survey, csv("ma_don_vi;nam;so_nguoi_tra_loi", "19639;2026;310"), admin_p)
    assert [str(p) for p in result.problems] == [
        "CSV, dòng 1, cột Tỷ lệ hài lòng (%): thiếu cột (tiêu đề hàng đầu tiên)"
    ]
    checked = surveys.read_survey(
        csv(HEADER, *["19639;2026;80;1"] * 4), "s.csv", units={"19639": commune.pk}, scope="x",
        today=dt.date(2026, 11, 20), max_rows=3,
    )  # fmt: skip
    assert not checked.ok and not checked.rows


def test_a_repeated_column_is_refused(survey, commune, admin_p):
    result = do_import(survey, csv("Mã đơn vị;" + HEADER, "19639;19639;2026;80;1"), admin_p)
    assert [str(p) for p in result.problems] == ["CSV, dòng 1, cột ma_don_vi: cột bị lặp lại"]
    assert not SurveyResult.objects.exists()


def test_only_the_province_admin_imports_and_declares(survey, people, province):
    viewer = principal_for(people["viewer"]())
    elsewhere = principal_for(people["elsewhere"]())
    with pytest.raises(PermissionDenied):
        do_import(survey, csv(HEADER, "19639;2026;80;1"), viewer)
    with pytest.raises(PermissionDenied):
        surveys.survey_save(province=province, code="x", name="X", field_code="", threshold="", principal=elsewhere)
    admin_p = principal_for(people["admin"]())
    with pytest.raises(ValidationError):
        surveys.survey_save(
            province=province, code="Khảo sát!", name="X", field_code="", threshold="", principal=admin_p
        )
    with pytest.raises(ValidationError):
        surveys.survey_save(province=province, code="x", name="X", field_code="", threshold="120", principal=admin_p)
    own = surveys.survey_save(province=province, code="rieng", name="Khảo sát của tỉnh", field_code="", threshold="",
                              principal=admin_p)  # fmt: skip
    assert own.threshold == Decimal(20)  # the default
    again = surveys.survey_save(province=province, code="rieng", name="Khảo sát của tỉnh", field_code="III",
                                threshold="15,5", principal=admin_p)  # fmt: skip
    assert again.pk == own.pk and (again.field_code, again.threshold) == ("III", Decimal("15.5"))


# -- pages ---------------------------------------------------------------------------------------


@pytest.fixture
def imported(survey, commune, other_commune, admin_p):
    assert do_import(survey, csv(HEADER, "19639;2026;82,5;310", "19333;2026;91.25;280"), admin_p).ok
    return survey


def test_who_sees_the_survey_pages(client, imported, people, province, commune, other_commune):
    results = reverse("external:survey-results", args=[province.pk])
    imp = reverse("external:survey-import", args=[province.pk])
    unit = reverse("external:unit-surveys", args=[commune.pk])
    expected = {
        "admin": (200, 200, 200),
        "viewer": (200, 403, 200),
        "office": (404, 404, 200),
        "officer": (404, 404, 200),
        "elsewhere": (404, 404, 404),
    }
    for who, codes in expected.items():
        client.force_login(people[who]())
        got = tuple(client.get(url).status_code for url in (results, imp, unit))
        assert got == codes, who
        client.logout()
    assert client.get(results).status_code == 302
    client.force_login(people["office"]())  # a commune sees its own only
    assert client.get(reverse("external:unit-surveys", args=[other_commune.pk])).status_code == 404
    client.force_login(people["viewer"]())
    html = client.get(results).content.decode()
    assert "82,50" in html and "91,25" in html and "Bộ Nội vụ – SIPAS 2026" in html and "sipas.csv" in html
    assert "Khai báo khảo sát" not in html  # the settings are for the admins


def test_who_may_declare_a_survey(client, imported, people, province):
    url = reverse("external:survey-settings", args=[province.pk])
    data = {"code": "sipas", "name": "SIPAS", "field_code": "III", "threshold": "10"}
    for who, code in (("office", 404), ("elsewhere", 404), ("viewer", 403)):
        client.force_login(people[who]())
        assert client.post(url, data).status_code == code, who
    client.force_login(people["admin"]())
    assert client.post(url, data).status_code == 302
    assert Survey.objects.get(code="sipas").threshold == Decimal(10)


def test_the_import_page_lists_every_problem_then_imports(client, imported, people, province, commune):
    client.force_login(people["admin"]())
    url = reverse("external:survey-import", args=[province.pk])
    upload = io.BytesIO(csv(HEADER, "19639;2025;101;10", "99999;2025;80;10"))
    upload.name = "sipas.csv"
    response = client.post(url, {"survey": "sipas", "file": upload, "source": "SIPAS 2025"})
    html = response.content.decode()
    assert response.status_code == 400 and "Chưa nạp: 2 lỗi" in html and "101 vượt 100%" in html
    assert not SurveyResult.objects.filter(year=2025).exists()
    upload = io.BytesIO(csv(HEADER, "19639;2025;70;10"))
    upload.name = "sipas.csv"
    response = client.post(url, {"survey": "sipas", "file": upload, "source": "SIPAS 2025"})
    assert response.status_code == 302
    assert SurveyResult.objects.get(year=2025, unit=commune).batch.created_by == people["admin"]()


# -- the ``survey`` source -----------------------------------------------------------------------


def _with_link(spec: scoring.Framework, code: str, source: str) -> scoring.Framework:
    doc = scoring.framework_to_dict(spec)

    def walk(nodes):
        for node in nodes:
            if node.get("code") == code:
                node["source"] = source
            walk(node.get("children", []))

    walk(doc["criteria"])
    return scoring.parse_framework(doc)


@pytest.fixture
def scene(reference_spec, imported, province, commune, other_commune):
    version = framework_services.framework_import(
        spec=_with_link(reference_spec, "3.11", "survey:sipas"), publish=True
    ).version
    cycle = open_cycle(province, version, commune, other_commune)
    return {
        "a": cycle.assessments.get(unit=commune),
        "b": cycle.assessments.get(unit=other_commune),
        "office": user_with_role("vp", Role.COMMUNE_OFFICE, commune),
        "b_office": user_with_role("vpb", Role.COMMUNE_OFFICE, other_commune),
    }


def test_the_link_is_read_from_the_source_key(reference_spec):
    spec = _with_link(reference_spec, "3.11", "survey:sipas")
    assert surveys.link_of(spec, "3.11") == "sipas"
    assert surveys.link_of(spec, "3.5") is None
    assert surveys.link_of(_with_link(reference_spec, "3.11", "survey:"), "3.11") is None
    assert sources.KINDS["survey"] is surveys.SOURCE


def test_the_offer_is_the_rate_of_the_cycles_year_as_a_ratio(scene, far_commune):
    a = scene["a"]
    offers = sources.input_sources(a, framework_version_spec(a.cycle.framework_version))
    assert offers["3.11"].kind == "survey" and offers["3.11"].inputs == {"value": Decimal("0.825")}
    assert offers["3.11"].label == "Chỉ số SIPAS"
    assert "năm 2026: 82,50% hài lòng, 310 người trả lời" in offers["3.11"].detail
    # Another province's survey of the same code is not the unit's, even with a row for the unit.
    far = Survey.objects.create(province=far_commune.province, code="sipas", name="Khảo sát của Huế")
    SurveyResult.objects.create(
        survey=far, unit=a.unit, year=2026, rate=10, respondents=5, batch=SurveyBatch.objects.get(),
        updated_at=SurveyBatch.objects.get().created_at,
    )  # fmt: skip
    offers = sources.input_sources(a, framework_version_spec(a.cycle.framework_version))
    assert offers["3.11"].inputs == {"value": Decimal("0.825")} and offers["3.11"].label == "Chỉ số SIPAS"
    b = scene["b"]
    assert sources.input_sources(b, framework_version_spec(b.cycle.framework_version))["3.11"].inputs == {
        "value": Decimal("0.9125")
    }


def test_applied_the_answer_is_written_and_audited_and_another_commune_gets_404(client, scene):
    a = scene["a"]
    client.force_login(scene["office"])
    html = client.get(reverse("assessments:assessment-detail", args=[a.pk])).content.decode()
    assert "Chỉ số SIPAS" in html and BUTTON in html
    response = client.post(reverse("assessments:source-apply", args=[a.pk, "3.11"]))
    assert response.status_code == 302
    answer = Answer.objects.get(assessment=a, criterion__code="3.11")
    assert Decimal(answer.inputs["value"]) == Decimal("0.825")
    assert "Theo Chỉ số SIPAS" in answer.explanation
    assert AuditEntry.objects.filter(assessment=a, criterion__code="3.11").exists()
    assert sources.input_sources(a, framework_version_spec(a.cycle.framework_version))["3.11"].matches_answer
    client.force_login(scene["b_office"])
    assert client.post(reverse("assessments:source-apply", args=[a.pk, "3.11"])).status_code == 404


def test_no_result_for_the_year_no_offer_and_apply_refused(scene):
    SurveyResult.objects.filter(unit=scene["a"].unit).update(year=2025)
    a = scene["a"]
    assert "3.11" not in sources.input_sources(a, framework_version_spec(a.cycle.framework_version))
    with pytest.raises(ValidationError):
        surveys.SOURCE.apply(assessment=a, code="3.11", actor=None, principal=None)
