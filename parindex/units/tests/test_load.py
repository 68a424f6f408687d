from __future__ import annotations

import io
from collections import Counter

import pytest
import vietnam_provinces
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from vietnam_provinces import legacy

from parindex.units.models import AdministrativeUnit, UnitSuccession
from parindex.units.services import units_load
from parindex.units.source import package_data

CURRENT, PRE2025 = AdministrativeUnit.Era.CURRENT, AdministrativeUnit.Era.PRE2025
QUANG_TRI = "44"


def unit(era: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.select_related("parent", "province").get(era=era, code=code)


def counts_by_kind(era: str) -> dict[str, int]:
    return dict(Counter(AdministrativeUnit.objects.filter(era=era).values_list("kind", flat=True)))


def snapshot() -> list[tuple]:
    return list(
        AdministrativeUnit.objects.order_by("pk").values_list(
            "pk", "era", "code", "name", "search_name", "kind", "level", "parent_id", "province_id"
        )
    ) + list(UnitSuccession.objects.order_by("pk").values_list("pk", "predecessor_id", "successor_id", "is_partial"))


@pytest.mark.django_db
class TestFullLoad:
    def test_it_loads_both_eras_and_the_links_once_and_a_second_run_changes_nothing(
        self, django_assert_max_num_queries
    ):
        # Bulk writes: a few hundred statements at most for ~25,000 rows (SQLite caps a batch at 999 parameters).
        with django_assert_max_num_queries(400):
            first = units_load()

        assert first.changed
        assert counts_by_kind(CURRENT) == {"tinh": 25, "thanh_pho_tw": 9, "xa": 2621, "phuong": 687, "dac_khu": 13}
        assert AdministrativeUnit.objects.filter(era=CURRENT, level=1).count() == 34
        assert AdministrativeUnit.objects.filter(era=CURRENT, level=3).count() == 3321
        assert counts_by_kind(PRE2025) == {
            "tinh": 57,
            "thanh_pho_tw": 6,
            "huyen": 509,
            "quan": 49,
            "thi_xa": 52,
            "thanh_pho": 86,
            "xa": 7717,
            "phuong": 1716,
            "thi_tran": 618,
        }
        # The same numbers as the package's own lists.
        assert AdministrativeUnit.objects.filter(era=CURRENT, level=3).count() == len(
            list(vietnam_provinces.Ward.iter_all())
        )
        assert AdministrativeUnit.objects.filter(era=PRE2025, level=2).count() == len(list(legacy.District.iter_all()))
        assert AdministrativeUnit.objects.filter(era=PRE2025, level=3).count() == len(list(legacy.Ward.iter_all()))
        assert first.count(CURRENT, "xa", "phuong", "dac_khu") == 3321
        assert first.era_total(PRE2025).created == 63 + 696 + 10051

        # 10,554 commune links (the package's 10,565 less 11 naming old codes it does not list),
        # 63 province links and 5 island districts → special zones.
        assert UnitSuccession.objects.count() == first.links.created == 10622
        assert UnitSuccession.objects.filter(predecessor__level=1, successor__level=1).count() == 63
        assert UnitSuccession.objects.filter(predecessor__level=2).count() == 5
        # Every current commune-level unit has a history to follow.
        assert not AdministrativeUnit.objects.filter(era=CURRENT, predecessor_links__isnull=True).exists()
        assert (
            AdministrativeUnit.objects.filter(era=PRE2025, level=3, successor_links__isnull=True).count() == 28
        )  # old communes the package's conversion table does not mention
        # Every commune's province is the level-1 unit above its parent.
        assert not AdministrativeUnit.objects.filter(level=3, era=PRE2025).exclude(province=F("parent__province"))
        assert not AdministrativeUnit.objects.filter(level=3, era=CURRENT).exclude(province=F("parent"))

        before = snapshot()
        with django_assert_max_num_queries(6):
            second = units_load()

        assert not second.changed
        assert "Không có gì thay đổi" in second.message
        assert second.era_total(CURRENT).unchanged == 3355
        assert second.era_total(PRE2025).unchanged == 10810
        assert (second.links.created, second.links.updated, second.links.unchanged) == (0, 0, 10622)
        assert snapshot() == before


@pytest.mark.django_db
class TestProvinceLoad:
    def test_it_loads_one_province_its_communes_and_the_old_units_they_came_from(self):
        result = units_load(province_code=QUANG_TRI)

        assert result.province == "Tỉnh Quảng Trị"
        current = AdministrativeUnit.objects.filter(era=CURRENT)
        assert list(current.filter(level=1).values_list("code", "name")) == [("44", "Tỉnh Quảng Trị")]
        package_communes = list(vietnam_provinces.Ward.iter_by_province(vietnam_provinces.ProvinceCode(44)))
        assert current.filter(level=3).count() == len(package_communes) == 78
        # New Quảng Trị is old Quảng Bình and old Quảng Trị.
        old = AdministrativeUnit.objects.filter(era=PRE2025)
        assert sorted(old.filter(level=1).values_list("name", flat=True)) == ["Tỉnh Quảng Bình", "Tỉnh Quảng Trị"]
        assert old.filter(level=2).count() == 18
        assert old.filter(level=3).count() == 264
        # Every old commune loaded is there because it went into one of the province's communes.
        assert not old.filter(level=3, successor_links__isnull=True).exists()
        assert not old.filter(level=3).exclude(successor_links__successor__province=current.get(level=1)).exists()
        assert result.links.created == UnitSuccession.objects.count() == 264 + 2 + 1
        assert UnitSuccession.objects.filter(predecessor__code="471", successor__name="Đặc khu Cồn Cỏ").exists()
        assert result.notes == ()

    def test_it_keeps_the_package_record_of_a_merged_commune(self):
        """Xã Nam Cửa Việt (19639, Quảng Trị) = old Triệu Tân, Triệu Phước and Triệu Trạch (huyện Triệu Phong)."""
        units_load(province_code=QUANG_TRI)

        nam_cua_viet = unit(CURRENT, "19639")
        assert nam_cua_viet.name == "Xã Nam Cửa Việt"
        assert nam_cua_viet.parent == nam_cua_viet.province == unit(CURRENT, "44")
        links = UnitSuccession.objects.filter(successor=nam_cua_viet).select_related("predecessor__parent")
        assert sorted((s.predecessor.code, s.predecessor.name, s.predecessor.parent.name) for s in links) == [
            ("19627", "Xã Triệu Tân", "Huyện Triệu Phong"),
            ("19633", "Xã Triệu Phước", "Huyện Triệu Phong"),
            ("19639", "Xã Triệu Trạch", "Huyện Triệu Phong"),
        ]
        assert {s.effective_date.isoformat() for s in links} == {"2025-07-01"}
        assert not any(s.is_partial for s in links)
        assert unit(PRE2025, "19639").province.name == "Tỉnh Quảng Trị"

    def test_it_updates_a_renamed_or_moved_unit_and_a_changed_link(self):
        units_load(province_code=QUANG_TRI)
        AdministrativeUnit.objects.filter(era=CURRENT, code="19639").update(name="Xã Cũ", search_name="xa cu")
        dakrong = unit(PRE2025, "19567").parent  # Huyện Đa Krông
        AdministrativeUnit.objects.filter(era=PRE2025, code="19639").update(parent=dakrong)
        UnitSuccession.objects.filter(predecessor__code="19633").update(is_partial=True)

        result = units_load(province_code=QUANG_TRI)

        assert result.changed
        assert result.units[CURRENT, "xa"].updated == 1
        assert result.units[PRE2025, "xa"].updated == 1
        assert result.links.updated == 1
        assert result.era_total(CURRENT).created == result.era_total(PRE2025).created == 0
        assert "Đã tạo 0, cập nhật 2 đơn vị; tạo 0, cập nhật 1 liên kết" in result.message
        restored = unit(CURRENT, "19639")
        assert (restored.name, restored.search_name) == ("Xã Nam Cửa Việt", "xa nam cua viet")
        assert unit(PRE2025, "19639").parent.name == "Huyện Triệu Phong"
        assert not UnitSuccession.objects.get(predecessor__code="19633").is_partial

    def test_it_takes_the_province_code_without_its_leading_zero(self):
        result = units_load(province_code="4")

        assert result.province == "Tỉnh Cao Bằng"
        assert AdministrativeUnit.objects.filter(era=CURRENT, level=1).get().code == "04"

    def test_it_refuses_an_unknown_province_and_writes_nothing(self):
        with pytest.raises(ValidationError, match="Không có tỉnh, thành phố mã 99"):
            units_load(province_code="99")

        assert not AdministrativeUnit.objects.exists()


@pytest.mark.django_db
class TestCommand:
    def test_it_prints_counts_per_era_and_kind_in_vietnamese(self):
        out = io.StringIO()
        call_command("load_units", "--province", QUANG_TRI, stdout=out)
        lines = out.getvalue().splitlines()

        assert lines[0].endswith(", Tỉnh Quảng Trị:")
        assert "Từ 01/7/2025 (2 cấp): 79 (mới 79, cập nhật 0, giữ nguyên 0)" in lines
        assert "  Đặc khu: 1 (mới 1, cập nhật 0, giữ nguyên 0)" in lines
        assert "Trước 01/7/2025 (3 cấp): 284 (mới 284, cập nhật 0, giữ nguyên 0)" in lines
        assert "  Huyện: 14 (mới 14, cập nhật 0, giữ nguyên 0)" in lines
        assert "Liên kết kế thừa (cũ → mới): 267 (mới 267, cập nhật 0, giữ nguyên 0)" in lines

        again = io.StringIO()
        call_command("load_units", "--province", QUANG_TRI, stdout=again)
        assert "Từ 01/7/2025 (2 cấp): 79 (mới 0, cập nhật 0, giữ nguyên 79)" in again.getvalue()
        assert again.getvalue().splitlines()[-1] == "Không có gì thay đổi: cơ sở dữ liệu đã khớp với gói."

    def test_it_fails_with_a_vietnamese_message_for_an_unknown_province(self):
        with pytest.raises(CommandError, match="Không có tỉnh, thành phố mã 99"):
            call_command("load_units", "--province", "99", stdout=io.StringIO())


class TestPackageReading:
    """How the package's conversion table is read: links derived, anomalies skipped and reported."""

    def pairs(self) -> set[tuple[str, str]]:
        return {(link.predecessor, link.successor) for link in package_data().links}

    def test_it_links_old_provinces_where_their_communes_went_not_as_the_package_province_table_says(self):
        pairs = self.pairs()
        assert ("80", "80") in pairs  # Long An → Tây Ninh
        assert ("82", "82") in pairs  # Tiền Giang → Đồng Tháp
        # The package's province table adds Tiền Giang → Tây Ninh from a commune filed under the
        # wrong province (Phường 4, thành phố Tân An, Long An).
        tay_ninh_sources = {p.name for p in vietnam_provinces.Province.from_code(80).get_legacy_sources()}
        assert "Tỉnh Tiền Giang" in tay_ninh_sources
        assert ("82", "80") not in pairs
        assert any("Tỉnh Tiền Giang → Tỉnh Tây Ninh" in note for note in package_data().notes)

    def test_it_links_island_districts_without_communes_to_their_special_zone(self):
        districts = {(p, s) for p, s in self.pairs() if len(p) == 3}
        assert districts == {
            ("318", "11948"),  # Bạch Long Vĩ
            ("471", "19742"),  # Cồn Cỏ
            ("498", "20333"),  # Hoàng Sa
            ("536", "21548"),  # Lý Sơn
            ("755", "26732"),  # Côn Đảo
        }

    def test_it_skips_and_reports_links_from_old_codes_missing_from_the_old_catalogue(self):
        assert not any(p == "03980" for p, _ in self.pairs())
        note = next(n for n in package_data().notes if "không có trong danh mục trước" in n)
        assert "10 mã xã cũ" in note and "03980 → Phường Mộc Châu" in note

    def test_it_keeps_the_package_flag_for_a_split_commune(self):
        by_pair = {(link.predecessor, link.successor): link for link in package_data().links}
        # Old Phường Điện Biên (Hà Nội) was split among four new wards.
        split = {s for (p, s) in by_pair if p == "00019"}
        assert split == {"00004", "00070", "00190", "00226"}
        assert all(by_pair["00019", s].is_partial for s in split)
        assert not by_pair["19639", "19639"].is_partial
