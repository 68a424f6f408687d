from __future__ import annotations

import hashlib
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments.tests.factories import user_with_role
from parindex.indicators import services
from parindex.indicators.models import ImportBatch, ImportMapping, Indicator, IndicatorValue
from parindex.indicators.standard import STANDARD_INDICATORS
from parindex.indicators.tests.factories import COLUMNS, csv_bytes, make_indicator, make_mapping, old_commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator():
    return make_indicator()


@pytest.fixture
def admin(province):
    return user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True)


@pytest.fixture
def office(commune):
    return user_with_role("vanphong", Role.COMMUNE_OFFICE, commune)


@pytest.fixture
def mapping(province, indicator, admin):
    return make_mapping(province, indicator, owner=admin)


def save(indicator, unit, user, *, month=10, numerator="96", denominator="100", base_revision=None, **kw):
    return services.indicator_value_save(
        indicator=indicator,
        unit=unit,
        year=kw.pop("year", 2026),
        month=month,
        numerator=numerator,
        denominator=denominator,
        base_revision=base_revision,
        actor=user,
        principal=principal_for(user),
        **kw,
    )


def run_import(indicator, mapping, user, data, filename="so-lieu.csv"):
    return services.indicator_import(
        indicator=indicator,
        mapping=mapping,
        file=io.BytesIO(data),
        filename=filename,
        actor=user,
        principal=principal_for(user),
    )


def snapshot():
    return sorted(
        IndicatorValue.objects.values_list(
            "indicator_id", "unit_id", "year", "month", "numerator", "denominator", "value", "note", "revision"
        )
    )


def year_rows(*codes, months=range(1, 11), numerator=lambda m: 90 + m % 7, denominator=100):
    return [[code, "", 2026, m, numerator(m), denominator] for code in codes for m in months]


class TestManualEntry:
    def test_it_computes_the_value_and_grows_the_revision(self, indicator, commune, office):
        first = save(indicator, commune, office, numerator="96,5", denominator="100", note=" Theo báo cáo tháng 10 ")
        assert (first.value, first.revision, first.note, first.source) == (
            Decimal("0.965"),
            1,
            "Theo báo cáo tháng 10",
            "manual",
        )
        second = save(indicator, commune, office, numerator="97", base_revision=1)
        assert (second.numerator, second.value, second.revision) == (Decimal(97), Decimal("0.97"), 2)
        assert second.entered_by == office and second.note == ""

    def test_a_stale_revision_is_refused_and_keeps_the_other_save(self, indicator, commune, office, admin):
        save(indicator, commune, office)
        save(indicator, commune, admin, numerator="98", base_revision=1)
        with pytest.raises(ValidationError, match="vừa được người khác cập nhật") as exc:
            save(indicator, commune, office, numerator="50", base_revision=1)
        assert exc.value.code == "conflict"
        value = IndicatorValue.objects.get()
        assert (value.numerator, value.revision, value.entered_by) == (Decimal(98), 2, admin)

    def test_a_second_first_entry_is_a_conflict(self, indicator, commune, office, admin):
        save(indicator, commune, office)
        with pytest.raises(ValidationError, match="vừa được người khác cập nhật"):
            save(indicator, commune, admin, numerator="1")
        assert IndicatorValue.objects.get().numerator == Decimal(96)

    def test_an_import_in_between_makes_a_manual_save_stale(self, indicator, mapping, commune, office, admin):
        save(indicator, commune, office)
        run_import(indicator, mapping, admin, csv_bytes([["19639", "", 2026, 10, 90, 100]]))
        assert IndicatorValue.objects.get().revision == 2
        with pytest.raises(ValidationError, match="vừa được người khác cập nhật"):
            save(indicator, commune, office, numerator="99", base_revision=1)

    @pytest.mark.parametrize(
        ("role", "unit", "allowed"),
        [
            (Role.COMMUNE_OFFICE, "commune", True),
            (Role.COMMUNE_HEAD, "commune", True),
            (Role.PROVINCE_ADMIN, "province", True),
            (Role.COMMUNE_OFFICER, "commune", False),
            (Role.COMMUNE_OFFICE, "other_commune", False),
            (Role.VIEWER, "province", False),
            (Role.APPRAISER, "province", False),
            (Role.COUNCIL_CHAIR, "province", False),
        ],
    )
    def test_who_may_enter(self, request, indicator, commune, role, unit, allowed):
        user = user_with_role("nguoidung", role, request.getfixturevalue(unit), include_descendants=unit == "province")
        if allowed:
            assert save(indicator, commune, user).revision == 1
        else:
            with pytest.raises(PermissionDenied, match="Bạn không có quyền nhập số liệu chỉ số của Xã Nam Cửa Việt"):
                save(indicator, commune, user)
            assert not IndicatorValue.objects.exists()

    @pytest.mark.parametrize(
        ("numerator", "denominator", "month", "message"),
        [
            ("101", "100", 10, "Tử số: tử số (101) lớn hơn mẫu số (100)."),
            ("5", "0", 10, "Mẫu số: mẫu số bằng 0 trong khi tử số là 5."),
            ("abc", "100", 10, "Tử số: 'abc' không phải là số."),
            ("-1", "100", 10, "Tử số: số âm (-1) không hợp lệ: số liệu không được âm."),
            ("5", "", 10, "Mẫu số: thiếu mẫu số."),
            ("5", "10", 12, "Tháng: tháng 12/2026 chưa đến (hôm nay là 20/11/2026)."),
            ("5", "10", 13, "Tháng: tháng 13 không hợp lệ (tháng từ 1 đến 12)."),
        ],
    )
    def test_bad_figures_are_refused_in_vietnamese_and_nothing_is_lost(
        self, indicator, commune, office, numerator, denominator, month, message
    ):
        save(indicator, commune, office, month=10)
        before = snapshot()
        with pytest.raises(ValidationError) as exc:
            save(indicator, commune, office, month=month, numerator=numerator, denominator=denominator, base_revision=1)
        assert exc.value.messages == [message]
        assert snapshot() == before

    def test_nothing_over_nothing_is_stored_without_a_value(self, indicator, commune, office):
        assert save(indicator, commune, office, numerator="0", denominator="0").value is None

    def test_months_before_the_reform_belong_to_the_old_units(self, indicator, commune, office):
        with pytest.raises(ValidationError, match=r"trước 01/7/2025\) ghi cho đơn vị cũ đã hợp thành Xã Nam Cửa Việt"):
            save(indicator, commune, office, year=2025, month=6)
        triệu_trạch = old_commune("19645", "Xã Triệu Trạch", successor=commune)
        value = save(indicator, triệu_trạch, office, year=2025, month=6)  # the new commune's office keeps its history
        assert value.unit == triệu_trạch
        with pytest.raises(ValidationError, match="là đơn vị trước 01/7/2025"):
            save(indicator, triệu_trạch, office, year=2025, month=7)

    def test_counts_have_no_denominator_and_inactive_indicators_take_nothing(self, commune, office):
        count = make_indicator("sang_kien", kind=Indicator.Kind.COUNT, name="Số sáng kiến CCHC")
        assert save(count, commune, office, numerator="2", denominator=None).value == Decimal(2)
        with pytest.raises(ValidationError, match="không phải dạng tỷ lệ nên không có mẫu số"):
            save(count, commune, office, numerator="2", denominator="3", base_revision=1)
        Indicator.objects.filter(pk=count.pk).update(active=False)
        with pytest.raises(ValidationError, match="đã ngừng theo dõi"):
            save(count, commune, office, numerator="3", denominator=None, base_revision=1)


class TestImport:
    def test_it_writes_every_row_and_records_the_batch(self, indicator, mapping, admin, commune, other_commune):
        data = csv_bytes(year_rows("19639", "19333"), delimiter=";", bom=True)
        result = run_import(indicator, mapping, admin, data)
        assert result.problems == ()
        assert (result.rows_total, result.created, result.updated, result.unchanged) == (20, 20, 0, 0)
        batch = result.batch
        assert (batch.rows_total, batch.rows_written, batch.sha256) == (20, 20, hashlib.sha256(data).hexdigest())
        assert (batch.mapping, batch.created_by, batch.file_name, batch.columns) == (
            mapping,
            admin,
            "so-lieu.csv",
            COLUMNS | {"date": ""},
        )
        assert IndicatorValue.objects.filter(import_batch=batch, source="import", revision=1).count() == 20
        october = IndicatorValue.objects.get(unit=commune, month=10)
        assert (october.numerator, october.value) == (Decimal(93), Decimal("0.93"))
        assert result.summary().startswith("Đã nạp 20 dòng: 20 dòng mới, 0 dòng thay đổi, 0 dòng giữ nguyên")

    def test_three_bad_rows_are_reported_and_nothing_is_written(
        self, indicator, mapping, admin, commune, other_commune, office
    ):
        save(indicator, commune, office, month=10, numerator="50")
        before, batches = snapshot(), ImportBatch.objects.count()
        rows = year_rows("19639", "19333")
        rows[3][3] = 13  # CSV row 5
        rows[12][4] = "nhiều"  # CSV row 14
        rows[17] = ["19640", "", 2026, 8, 1, 2]  # CSV row 19
        result = run_import(indicator, mapping, admin, csv_bytes(rows))
        assert not result.ok and result.batch is None
        assert [str(p) for p in result.problems] == [
            "CSV, dòng 5, cột Tháng: tháng 13 không hợp lệ (tháng từ 1 đến 12)",
            "CSV, dòng 14, cột Số hồ sơ đúng hạn: 'nhiều' không phải là số",
            "CSV, dòng 19, cột Mã đơn vị: không có đơn vị mã '19640' thuộc Tỉnh Quảng Trị",
        ]
        assert result.summary().startswith("Chưa nạp: 3 lỗi trong 20 dòng số liệu")
        assert snapshot() == before and ImportBatch.objects.count() == batches

    def test_importing_the_same_file_again_changes_nothing(self, indicator, mapping, admin, commune, other_commune):
        data = csv_bytes(year_rows("19639", "19333"))
        first = run_import(indicator, mapping, admin, data)
        IndicatorValue.objects.filter(unit=commune, month=1).update(note="Đã đối chiếu")
        before = snapshot()
        again = run_import(indicator, mapping, admin, data)
        assert (again.rows_total, again.created, again.updated, again.unchanged) == (20, 0, 0, 20)
        assert again.batch.rows_written == 0 and again.batch.sha256 == first.batch.sha256
        assert snapshot() == before
        assert IndicatorValue.objects.filter(import_batch=first.batch).count() == 20

    def test_a_corrected_file_updates_only_what_changed_and_keeps_notes(
        self, indicator, mapping, admin, commune, other_commune
    ):
        run_import(indicator, mapping, admin, csv_bytes(year_rows("19639", "19333")))
        IndicatorValue.objects.filter(unit=commune, month=2).update(note="Đã đối chiếu")
        corrected = year_rows("19639", "19333", months=range(1, 12))
        corrected[1][4] = 99  # 19639, February
        result = run_import(indicator, mapping, admin, csv_bytes(corrected))
        assert (result.created, result.updated, result.unchanged) == (2, 1, 19)
        february = IndicatorValue.objects.get(unit=commune, month=2)
        assert (february.numerator, february.revision, february.note) == (Decimal(99), 2, "Đã đối chiếu")
        assert february.import_batch == result.batch
        assert IndicatorValue.objects.get(unit=commune, month=3).revision == 1

    def test_a_commune_office_imports_only_its_own_unit(self, indicator, mapping, office, commune, other_commune):
        before = snapshot()
        result = run_import(indicator, mapping, office, csv_bytes(year_rows("19639", "19333", months=[9, 10])))
        assert [(p.row, p.column) for p in result.problems] == [(4, "Mã đơn vị"), (5, "Mã đơn vị")]
        assert "không thuộc phạm vi của bạn" in result.problems[0].reason
        assert snapshot() == before
        own = run_import(indicator, mapping, office, csv_bytes(year_rows("19639", months=[9, 10])))
        assert own.ok and IndicatorValue.objects.filter(unit=commune).count() == 2

    @pytest.mark.parametrize(
        ("role", "unit"), [(Role.COMMUNE_OFFICER, "commune"), (Role.VIEWER, "province"), (Role.APPRAISER, "province")]
    )
    def test_others_may_not_import(self, request, indicator, mapping, role, unit):
        user = user_with_role("nguoidung", role, request.getfixturevalue(unit), include_descendants=unit == "province")
        with pytest.raises(PermissionDenied, match="không có quyền nạp số liệu"):
            run_import(indicator, mapping, user, csv_bytes(year_rows("19639")))

    def test_an_xlsx_file_and_old_units_before_the_reform(self, indicator, mapping, admin, commune):
        from parindex.indicators.tests.factories import xlsx_bytes

        triệu_trạch = old_commune("19645", "Xã Triệu Trạch", successor=commune)
        data = xlsx_bytes([[19645, "Xã Triệu Trạch", 2025, 6, 40, 41], [19639, "Xã Nam Cửa Việt", 2025, 7, 38, 40]])
        result = run_import(indicator, mapping, admin, data, filename="thang.xlsx")
        assert result.ok and result.created == 2
        assert IndicatorValue.objects.get(year=2025, month=6).unit == triệu_trạch
        assert IndicatorValue.objects.get(year=2025, month=7).unit == commune

    def test_a_mapping_of_another_indicator_is_refused(self, indicator, mapping, admin):
        other = make_indicator("hai_long", name="Tỷ lệ hài lòng")
        with pytest.raises(ValidationError, match="dành cho chỉ số khác"):
            run_import(other, mapping, admin, csv_bytes(year_rows("19639")))


class TestMappingSave:
    def test_anyone_who_may_import_sets_one_up_and_only_its_owner_or_an_admin_changes_it(
        self, province, indicator, office, admin, other_commune
    ):
        created = services.indicator_mapping_save(
            province=province,
            indicator=indicator,
            name=" Xuất từ một cửa ",
            columns=COLUMNS | {"extra": "ignored"},
            header_row=3,
            actor=office,
            principal=principal_for(office),
        )
        assert (created.name, created.owner, created.header_row, created.columns) == (
            "Xuất từ một cửa",
            office,
            3,
            COLUMNS | {"date": ""},
        )
        other = user_with_role("vanphong2", Role.COMMUNE_OFFICE, other_commune)
        change = {"province": province, "indicator": indicator, "name": "Mới", "columns": COLUMNS}
        with pytest.raises(PermissionDenied, match="Chỉ người tạo hoặc quản trị"):
            services.indicator_mapping_save(mapping=created, **change, actor=other, principal=principal_for(other))
        changed = services.indicator_mapping_save(
            mapping=created, **change, actor=admin, principal=principal_for(admin)
        )
        assert changed.name == "Mới" and ImportMapping.objects.get().owner == office

    def test_bad_mappings_and_duplicate_names(self, province, indicator, admin, mapping):
        with pytest.raises(ValidationError) as exc:
            services.indicator_mapping_save(
                province=province,
                indicator=indicator,
                name="",
                columns={"unit_code": "Mã", "numerator": "Tử", "year": "Năm", "month": "Tháng"},
                header_row=0,
                actor=admin,
                principal=principal_for(admin),
            )
        assert exc.value.messages == [
            "Đặt tên cho cách đọc tệp (ví dụ: Xuất từ Hệ thống một cửa).",
            "Dòng tiêu đề phải từ 1 đến 1000.",
            "Chỉ số dạng tỷ lệ cần cột Mẫu số.",
        ]
        with pytest.raises(ValidationError, match="đã có cách đọc tệp tên 'Xuất từ Hệ thống một cửa'"):
            services.indicator_mapping_save(
                province=province,
                indicator=indicator,
                name=mapping.name,
                columns=COLUMNS,
                actor=admin,
                principal=principal_for(admin),
            )

    def test_a_commune_officer_may_not_set_one_up(self, province, indicator, commune):
        officer = user_with_role("congchuc", Role.COMMUNE_OFFICER, commune)
        with pytest.raises(PermissionDenied):
            services.indicator_mapping_save(
                province=province,
                indicator=indicator,
                name="Của tôi",
                columns=COLUMNS,
                actor=officer,
                principal=principal_for(officer),
            )


class TestLoadIndicators:
    def test_it_creates_the_eight_and_running_it_again_changes_nothing(self, capsys):
        call_command("load_indicators")
        assert "Tạo mới 8 chỉ số" in capsys.readouterr().out
        first = list(Indicator.objects.values())
        call_command("load_indicators")
        assert capsys.readouterr().out.strip() == "Giữ nguyên 8 chỉ số: " + ", ".join(
            d["code"] for d in STANDARD_INDICATORS
        )
        assert list(Indicator.objects.values()) == first
        targets = dict(Indicator.objects.values_list("code", "target"))
        assert targets == {
            "ho_so_dung_han": Decimal("0.96"),
            "ho_so_truc_tuyen": Decimal("0.20"),
            "thanh_toan_truc_tuyen": Decimal("0.05"),
            "so_hoa_ho_so": Decimal("0.15"),
            "cat_giam_tthc": Decimal("0.10"),
            "hai_long": Decimal("0.93"),
            "phan_anh_kien_nghi": Decimal("0.96"),
            "van_ban_ky_so": Decimal(1),
        }

    def test_it_restores_a_changed_definition_but_leaves_active_alone(self, capsys):
        call_command("load_indicators")
        Indicator.objects.filter(code="hai_long").update(target=Decimal("0.5"), active=False)
        call_command("load_indicators")
        assert "Cập nhật 1 chỉ số: hai_long" in capsys.readouterr().out
        assert Indicator.objects.filter(code="hai_long", target=Decimal("0.93"), active=False).exists()
