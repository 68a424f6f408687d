"""Results per unit and period: the import (every bad row listed, all or nothing, the same file
again changes nothing, each week under its own version), entry by hand, provenance, contests
and adjustments."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from parindex.accounts.selectors import principal_for
from parindex.external import services
from parindex.external.models import ExternalResult, ExternalValue, ResultBatch, ValueContest
from parindex.external.tests.conftest import V1, V1_HEADER, V2, V2_HEADER, csv, v2_line, week

pytestmark = pytest.mark.django_db

MON = dt.date(2026, 11, 2)  # a Monday; the clock is 20/11/2026


def do_import(index, province, data, principal, actor=None, filename="766.csv", contest_until=None):
    return services.external_results_import(
        index=index, province=province, file=data, filename=filename, source_system="Cổng DVC quốc gia",
        extracted_on=dt.date(2026, 11, 16), contest_until=contest_until, actor=actor, principal=principal,
    )  # fmt: skip


def test_a_good_file_is_imported_with_its_provenance(index, province, commune, other_commune, admin, admin_p):
    data = csv(V2_HEADER, v2_line("19639", MON), v2_line("19333", MON, (15, "16,39", "11.5", 8, "17,88", 19)))
    result = do_import(index, province, data, admin_p, admin)
    assert result.ok, result.problems
    assert (result.results_created, result.values_written) == (2, 12)
    r = ExternalResult.objects.get(unit=other_commune)
    assert (r.version.number, r.score, r.adjustment, r.total) == (2, Decimal("87.77"), 0, Decimal("87.77"))
    assert r.period_end == MON + dt.timedelta(days=6)
    value = ExternalValue.objects.get(result=r, component__code="tien_do")
    batch = value.batch
    assert (value.value, value.imported, value.source) == (Decimal("16.39"), Decimal("16.39"), "import")
    assert (batch.source_system, batch.extracted_on, batch.created_by, batch.file_name) == (
        "Cổng DVC quốc gia", dt.date(2026, 11, 16), admin, "766.csv"
    )  # fmt: skip
    assert len(batch.sha256) == 64


def test_the_same_file_again_changes_nothing(index, province, commune, admin_p):
    data = csv(V2_HEADER, v2_line("19639", MON))
    assert do_import(index, province, data, admin_p).values_written == 6
    again = do_import(index, province, data, admin_p)
    assert again.ok and again.values_written == 0 and again.batch is None
    assert ResultBatch.objects.count() == 1 and ExternalValue.objects.get(component__code="so_hoa").revision == 1
    changed = do_import(index, province, csv(V2_HEADER, v2_line("19639", MON, (18, 20, 12, 10, 18, 20))), admin_p)
    assert changed.values_written == 1
    assert ExternalResult.objects.get().total == Decimal(98)


def test_every_bad_row_is_listed_and_nothing_is_saved(index, province, commune, admin_p):
    data = csv(
        V2_HEADER,
        v2_line("19639", MON),
        v2_line("00000", MON),  # unknown unit
        v2_line("19639", MON),  # duplicate
        v2_line("19639", MON - dt.timedelta(days=7), (19, 20, 12, 10, 18, 22)),  # over the maximum
        v2_line("19639", MON - dt.timedelta(days=14), (18, 20, 12, 10, 18, "")),  # missing component
        "19639;31/02/2026;06/03/2026;18;20;12;10;18;22",  # no such date
        v2_line("19639", dt.date(2026, 11, 16)),  # ends after today
    )
    result = do_import(index, province, data, admin_p)
    found = [str(p) for p in result.problems]
    assert len(found) == 6, found
    assert found[0] == "CSV, dòng 3, cột ma_don_vi: mã đơn vị '00000' không phải xã, phường của Tỉnh Quảng Trị"
    assert "trùng đơn vị '19639' và kỳ từ 02/11/2026 với dòng 2" in found[1]
    assert "cột cong_khai: 19 vượt điểm tối đa 18" in found[2]
    assert "cột so_hoa: thiếu điểm nhóm 'Số hóa hồ sơ'" in found[3]
    assert "'31/02/2026' không phải là ngày" in found[4]
    assert "kỳ chưa kết thúc" in found[5]
    assert not ExternalResult.objects.exists() and not ResultBatch.objects.exists()
    assert "chưa có kết quả nào được ghi" in result.summary()


def test_a_repeated_column_is_refused(index, province, commune, admin_p):
    data = csv("Mã đơn vị;" + V2_HEADER, "19639;" + v2_line("19639", MON))
    result = do_import(index, province, data, admin_p)
    assert [str(p) for p in result.problems] == ["CSV, dòng 1, cột ma_don_vi: cột bị lặp lại"]
    assert not ExternalResult.objects.exists()


def test_a_version_change_mid_year_keeps_each_week_under_its_own_version(index, province, commune, admin_p):
    """Rows before 01/7/2025 are scored under version 1 (five groups), later ones under version 2;
    a v1 row may not carry the v2-only group."""
    header = "ma_don_vi;tu_ngay;den_ngay;cong_khai;tien_do;so_hoa;dvc_truc_tuyen;hai_long;thanh_toan"
    before, after = dt.date(2025, 6, 23), dt.date(2025, 7, 7)
    bad = do_import(
        index, province, csv(header, ";".join(["19639", *week(before), "18", "20", "22", "22", "18", "5"])), admin_p
    )
    assert [str(p) for p in bad.problems] == [
        "CSV, dòng 2, cột thanh_toan: nhóm 'thanh_toan' không thuộc phiên bản 1 áp dụng từ 01/08/2022"
    ]
    data = csv(
        header,
        ";".join(["19639", *week(before), "18", "20", "20", "21", "18", ""]),
        ";".join(["19639", *week(after), "18", "20", "22", "12", "18", "9"]),
    )
    assert do_import(index, province, data, admin_p).ok
    v1, v2 = ExternalResult.objects.order_by("period_start")
    assert (v1.version.number, v1.values.count(), v1.total) == (1, 5, Decimal(97))
    assert (v2.version.number, v2.values.count(), v2.total) == (2, 6, Decimal(99))
    assert v1.values.get(component__code="dvc_truc_tuyen").component.max == 22
    assert v2.values.get(component__code="dvc_truc_tuyen").component.max == 12


def test_an_xlsx_file_with_a_total_column_is_checked(index, province, commune, admin_p):
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã đơn vị", "Từ ngày", "Đến ngày", *V2, "Tổng điểm"])
    sheet.append(["19639", MON, MON + dt.timedelta(days=6), 18, 20, 12, 10, 18, 21.5, 99.5])
    sheet.append(["19639", MON + dt.timedelta(days=7), MON + dt.timedelta(days=13), 18, 20, 12, 10, 18, 22, 99])
    body = io.BytesIO()
    book.save(body)
    result = do_import(index, province, body.getvalue(), admin_p, filename="766.xlsx")
    assert [str(p) for p in result.problems] == ["Sheet, dòng 3, cột Tổng điểm: tổng ghi 99 khác tổng các nhóm 100"]


def test_only_the_provinces_admin_imports(index, province, commune, people):
    data = csv(V2_HEADER, v2_line("19639", MON))
    for who in ("office", "viewer", "elsewhere"):
        with pytest.raises(PermissionDenied):
            do_import(index, province, data, principal_for(people[who]()))


def test_a_result_is_entered_by_hand(index, province, commune, admin, admin_p):
    values = dict(zip(V1, ["18", "19,5", "22", "20", "17"], strict=True))
    result = services.external_result_save(
        index=index, unit=commune, period_start=dt.date(2024, 3, 4), period_end=dt.date(2024, 3, 10),
        values=values, actor=admin, principal=admin_p,
    )  # fmt: skip
    assert (result.version.number, result.total) == (1, Decimal("96.5"))
    assert set(result.values.values_list("source", "entered_by")) == {("manual", admin.pk)}
    with pytest.raises(ValidationError) as exc:
        services.external_result_save(
            index=index, unit=commune, period_start=dt.date(2024, 3, 4), period_end=dt.date(2024, 3, 1),
            values={**values, "tien_do": "21"}, actor=admin, principal=admin_p,
        )  # fmt: skip
    assert len(exc.value.messages) == 2 and "vượt điểm tối đa 20" in exc.value.messages[1]
    assert V1_HEADER  # the header of a version 1 file, as documented


@pytest.fixture
def imported(index, province, commune, other_commune, admin, admin_p):
    data = csv(V2_HEADER, v2_line("19639", MON, (15, 20, 12, 10, 18, 22)), v2_line("19333", MON))
    do_import(index, province, data, admin_p, admin, contest_until=dt.date(2026, 11, 27))
    return ExternalValue.objects.get(result__unit=commune, component__code="cong_khai")


class TestContest:
    def test_accepted_the_value_changes_and_the_old_one_is_kept(self, imported, people, admin, admin_p, clock):
        office = people["office"]()
        contest = services.value_contest_open(
            value=imported, reason="Đồng bộ thiếu 3 thủ tục", proposed="18", evidence="Công văn 12/UBND",
            actor=office, principal=principal_for(office),
        )  # fmt: skip
        assert (contest.state, contest.old_value) == ("open", Decimal(15))
        with pytest.raises(ValidationError, match="đang có một đề nghị"):
            services.value_contest_open(
                value=imported, reason="x", proposed="", evidence="", actor=office, principal=principal_for(office)
            )
        with pytest.raises(PermissionDenied):
            services.value_contest_decide(
                contest=contest,
                accept=True,
                new_value="18",
                reason="Đúng",
                actor=office,
                principal=principal_for(office),
            )
        decided = services.value_contest_decide(
            contest=contest, accept=True, new_value="18", reason="Đã đối soát", actor=admin, principal=admin_p
        )
        value = ExternalValue.objects.get(pk=imported.pk)
        assert (decided.state, decided.old_value, decided.new_value) == ("accepted", Decimal(15), Decimal(18))
        assert (value.value, value.imported, value.source, value.revision) == (Decimal(18), Decimal(15), "contest", 2)
        assert value.result.total == Decimal(100)
        with pytest.raises(ValidationError, match="đã được xử lý"):
            services.value_contest_decide(
                contest=contest, accept=False, new_value="", reason="x", actor=admin, principal=admin_p
            )

    def test_rejected_needs_a_reason_and_changes_nothing(self, imported, people, admin, admin_p):
        office = people["office"]()
        contest = services.value_contest_open(
            value=imported, reason="Sai", proposed="", evidence="", actor=office, principal=principal_for(office)
        )
        with pytest.raises(ValidationError):
            services.value_contest_decide(
                contest=contest, accept=False, new_value="", reason=" ", actor=admin, principal=admin_p
            )
        services.value_contest_decide(
            contest=contest, accept=False, new_value="", reason="Số liệu đúng", actor=admin, principal=admin_p
        )
        assert ExternalValue.objects.get(pk=imported.pk).value == Decimal(15)
        assert ValueContest.objects.get().state == "rejected"

    def test_after_the_date_or_by_an_officer_no_contest(self, imported, people, clock):
        officer, office = people["officer"](), people["office"]()
        with pytest.raises(PermissionDenied):
            services.value_contest_open(
                value=imported, reason="x", proposed="", evidence="", actor=officer, principal=principal_for(officer)
            )
        clock.move_to(dt.datetime(2026, 11, 28, 8, 0))
        with pytest.raises(ValidationError, match="hạn 27/11/2026 đã qua"):
            services.value_contest_open(
                value=imported, reason="x", proposed="", evidence="", actor=office, principal=principal_for(office)
            )

    def test_the_same_file_again_keeps_the_correction(self, imported, index, province, people, admin, admin_p):
        office = people["office"]()
        contest = services.value_contest_open(
            value=imported, reason="x", proposed="18", evidence="", actor=office, principal=principal_for(office)
        )
        services.value_contest_decide(
            contest=contest, accept=True, new_value="18", reason="ok", actor=admin, principal=admin_p
        )
        data = csv(V2_HEADER, v2_line("19639", MON, (15, 20, 12, 10, 18, 22)), v2_line("19333", MON))
        assert do_import(index, province, data, admin_p).values_written == 0
        assert ExternalValue.objects.get(pk=imported.pk).value == Decimal(18)


class TestAdjustment:
    def test_recorded_apart_and_reversible(self, imported, admin, admin_p, people):
        result = imported.result
        adjustment = services.result_adjust(
            result=result, points="−2", reason="Lỗi hệ thống đồng bộ", actor=admin, principal=admin_p
        )
        result.refresh_from_db()
        assert (adjustment.points, result.score, result.adjustment, result.total) == (
            Decimal(-2), Decimal(97), Decimal(-2), Decimal(95)
        )  # fmt: skip
        office = people["office"]()
        with pytest.raises(PermissionDenied):
            services.adjustment_reverse(
                adjustment=adjustment, reason="x", actor=office, principal=principal_for(office)
            )
        services.adjustment_reverse(adjustment=adjustment, reason="Đã sửa đồng bộ", actor=admin, principal=admin_p)
        result.refresh_from_db()
        assert (result.adjustment, result.total) == (0, Decimal(97))
        assert result.adjustments.get().reversal_reason == "Đã sửa đồng bộ"
        with pytest.raises(ValidationError):
            services.result_adjust(result=result, points="0", reason="x", actor=admin, principal=admin_p)
