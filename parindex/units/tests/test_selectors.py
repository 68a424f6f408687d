from __future__ import annotations

import pytest

from parindex.units import selectors
from parindex.units.models import AdministrativeUnit, UnitSuccession
from parindex.units.services import units_load

CURRENT, PRE2025 = AdministrativeUnit.Era.CURRENT, AdministrativeUnit.Era.PRE2025


def unit(era: str, code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(era=era, code=code)


@pytest.fixture
def quang_tri(db) -> AdministrativeUnit:
    """Current Quảng Trị (44), its 78 communes and the old units of Quảng Bình and Quảng Trị they came from."""
    units_load(province_code="44")
    return unit(CURRENT, "44")


@pytest.fixture
def nam_cua_viet(quang_tri) -> AdministrativeUnit:
    return unit(CURRENT, "19639")


class TestPredecessorsAndSuccessors:
    def test_it_lists_the_old_communes_merged_into_nam_cua_viet_in_one_query(
        self, nam_cua_viet, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            rows = [
                (u.era, u.name, u.parent.name, u.province.name, u.succession_partial)
                for u in selectors.unit_predecessors(nam_cua_viet)
            ]

        assert rows == [
            (PRE2025, "Xã Triệu Tân", "Huyện Triệu Phong", "Tỉnh Quảng Trị", False),
            (PRE2025, "Xã Triệu Phước", "Huyện Triệu Phong", "Tỉnh Quảng Trị", False),
            (PRE2025, "Xã Triệu Trạch", "Huyện Triệu Phong", "Tỉnh Quảng Trị", False),
        ]

    def test_it_follows_trieu_trach_forward_to_nam_cua_viet(self, nam_cua_viet, django_assert_num_queries):
        trieu_trach = unit(PRE2025, "19639")

        with django_assert_num_queries(1):
            successors = list(selectors.unit_successors(trieu_trach))

        assert successors == [nam_cua_viet]
        assert successors[0].succession_partial is False

    def test_it_lists_every_new_ward_of_a_split_commune_as_partial(self, db):
        units_load(province_code="01")
        dien_bien = unit(PRE2025, "00019")  # Phường Điện Biên, quận Ba Đình, split in four

        successors = list(selectors.unit_successors(dien_bien))

        assert [u.name for u in successors] == [
            "Phường Ba Đình",
            "Phường Hoàn Kiếm",
            "Phường Ô Chợ Dừa",
            "Phường Văn Miếu - Quốc Tử Giám",
        ]
        assert all(u.succession_partial for u in successors)

    def test_the_new_province_came_from_two_old_ones(self, quang_tri):
        assert [u.name for u in selectors.unit_predecessors(quang_tri)] == ["Tỉnh Quảng Bình", "Tỉnh Quảng Trị"]


class TestCommunesOfProvince:
    def test_it_lists_the_78_communes_wards_and_special_zone_of_quang_tri_in_one_query(
        self, quang_tri, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            communes = list(selectors.communes_of_province(quang_tri))

        assert len(communes) == 78
        assert {u.kind for u in communes} == {"xa", "phuong", "dac_khu"}
        assert all(u.era == CURRENT and u.is_commune_level for u in communes)
        assert quang_tri not in communes
        assert {"Xã Nam Cửa Việt", "Đặc khu Cồn Cỏ"} <= {u.name for u in communes}

    def test_an_old_province_lists_its_old_communes_not_its_districts(self, quang_tri):
        old_quang_tri = unit(PRE2025, "45")

        communes = list(selectors.communes_of_province(old_quang_tri))

        assert communes and all(u.level == 3 and u.era == PRE2025 for u in communes)
        assert "Xã Triệu Trạch" in {u.name for u in communes}
        assert "Xã Nam Cửa Việt" not in {u.name for u in communes}


class TestLineage:
    def test_it_gives_the_direct_predecessors_with_their_district_in_two_queries(
        self, nam_cua_viet, django_assert_num_queries
    ):
        with django_assert_num_queries(2):
            rows = [
                (u.generation, u.name, u.parent.name, u.province.name) for u in selectors.unit_lineage(nam_cua_viet)
            ]

        assert rows == [
            (1, "Xã Triệu Tân", "Huyện Triệu Phong", "Tỉnh Quảng Trị"),
            (1, "Xã Triệu Phước", "Huyện Triệu Phong", "Tỉnh Quảng Trị"),
            (1, "Xã Triệu Trạch", "Huyện Triệu Phong", "Tỉnh Quảng Trị"),
        ]

    def test_it_follows_chains_of_merges_in_the_same_two_queries(self, nam_cua_viet, django_assert_num_queries):
        # An earlier merge (a unit absorbed into Triệu Trạch before 2025): chains stay two queries deep.
        trieu_trach = unit(PRE2025, "19639")
        earlier = AdministrativeUnit.objects.create(
            era=PRE2025,
            code="99999",
            name="Xã Triệu Trạch Cũ",
            kind="xa",
            level=3,
            parent=trieu_trach.parent,
            province=trieu_trach.province,
        )
        UnitSuccession.objects.create(predecessor=earlier, successor=trieu_trach)

        with django_assert_num_queries(2):
            lineage = [(u.generation, u.name) for u in selectors.unit_lineage(nam_cua_viet)]

        assert lineage == [
            (1, "Xã Triệu Tân"),
            (1, "Xã Triệu Phước"),
            (1, "Xã Triệu Trạch"),
            (2, "Xã Triệu Trạch Cũ"),
        ]

    def test_an_island_special_zone_descends_from_its_old_district(self, quang_tri):
        con_co = AdministrativeUnit.objects.get(era=CURRENT, name="Đặc khu Cồn Cỏ")

        assert [(u.name, u.province.name) for u in selectors.unit_lineage(con_co)] == [
            ("Huyện Cồn Cỏ", "Tỉnh Quảng Trị")
        ]

    def test_an_old_unit_has_no_lineage_and_costs_one_query(self, quang_tri, django_assert_num_queries):
        trieu_trach = unit(PRE2025, "19639")

        with django_assert_num_queries(1):
            assert selectors.unit_lineage(trieu_trach) == []


class TestSearch:
    def test_it_finds_current_units_by_name_with_or_without_accents_in_one_query(
        self, nam_cua_viet, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            assert list(selectors.unit_search("nam cua viet")) == [nam_cua_viet]
        assert list(selectors.unit_search("Nam Cửa Việt")) == [nam_cua_viet]
        assert [u.name for u in selectors.unit_search("CỬA VIỆT")] == ["Xã Cửa Việt", "Xã Nam Cửa Việt"]
        assert [u.name for u in selectors.unit_search("đặc khu cồn")] == ["Đặc khu Cồn Cỏ"]

    def test_a_merged_away_name_is_found_only_among_old_units(self, quang_tri):
        assert list(selectors.unit_search("trieu trach")) == []
        assert [(u.era, u.name) for u in selectors.unit_search("trieu trach", era=PRE2025)] == [
            (PRE2025, "Xã Triệu Trạch")
        ]

    def test_it_finds_by_code_in_both_eras_when_asked(self, quang_tri):
        found = selectors.unit_search("19639", era=None)

        assert sorted((u.era, u.name) for u in found) == [(CURRENT, "Xã Nam Cửa Việt"), (PRE2025, "Xã Triệu Trạch")]

    def test_it_lists_provinces_first_and_can_be_scoped(self, quang_tri):
        names = [u.name for u in selectors.unit_search("quang tri", era=None)]
        assert names[:2] == ["Tỉnh Quảng Trị", "Tỉnh Quảng Trị"]  # current and pre-2025
        assert [u.name for u in selectors.unit_search("trieu", province=quang_tri)] == [
            "Xã Triệu Bình",
            "Xã Triệu Cơ",
            "Xã Triệu Phong",
        ]
        assert not selectors.unit_search("  ").exists()
