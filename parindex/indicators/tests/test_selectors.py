from __future__ import annotations

import random
from decimal import Decimal

import pytest

from parindex.accounts.models import Role
from parindex.accounts.permissions import Grant, Principal
from parindex.accounts.selectors import principal_for
from parindex.assessments.tests.factories import user_with_role
from parindex.indicators import selectors
from parindex.indicators.models import IndicatorTarget, IndicatorValue
from parindex.indicators.status import TargetStatus, target_status, year_figure
from parindex.indicators.tests.factories import bulk_units, make_indicator, old_commune


def month_value(indicator, unit, month, numerator, denominator, year=2026):
    return IndicatorValue(
        indicator=indicator,
        unit=unit,
        year=year,
        month=month,
        numerator=Decimal(numerator),
        denominator=None if denominator is None else Decimal(denominator),
    )


class TestTargetStatus:
    @pytest.mark.parametrize(
        ("direction", "numerator", "denominator", "expected"),
        [
            ("at_least", "96", "100", TargetStatus.MET),
            ("at_least", "959999", "1000000", TargetStatus.BELOW),
            ("at_least", "24", "25", TargetStatus.MET),  # exactly 96 %
            ("at_least", "0", "0", TargetStatus.NO_DATA),
            ("at_most", "96", "100", TargetStatus.MET),
            ("at_most", "961", "1000", TargetStatus.BELOW),
        ],
    )
    def test_ratios_are_judged_exactly(self, direction, numerator, denominator, expected):
        status = target_status(
            kind="ratio",
            direction=direction,
            target=Decimal("0.96"),
            numerator=Decimal(numerator),
            denominator=Decimal(denominator),
        )
        assert status == expected

    def test_counts_values_and_missing_figures(self):
        judge = {"direction": "at_least", "target": Decimal(2), "denominator": None}
        assert target_status(kind="count", numerator=Decimal(2), **judge) == TargetStatus.MET
        assert target_status(kind="value", numerator=Decimal("1.9"), **judge) == TargetStatus.BELOW
        assert target_status(kind="count", numerator=None, **judge) == TargetStatus.NO_DATA
        assert TargetStatus.BELOW.label == "Chưa đạt chỉ tiêu"

    def test_a_year_of_counts_against_a_monthly_target_and_a_mean_of_values(self):
        common = {"unit_id": 1, "direction": "at_least", "target": Decimal(1), "denominator": None}
        counts = year_figure(kind="count", period="monthly", numerator=Decimal(11), months=11, **common)
        assert (counts.value, counts.target, counts.status) == (Decimal(11), Decimal(12), TargetStatus.BELOW)
        quarterly = year_figure(kind="count", period="quarterly", numerator=Decimal(4), months=4, **common)
        assert quarterly.status == TargetStatus.MET
        mean = year_figure(kind="value", period="monthly", numerator=Decimal(3), months=3, **common)
        assert (mean.value, mean.status) == (Decimal(1), TargetStatus.MET)
        none = year_figure(kind="value", period="monthly", numerator=None, months=0, **common)
        assert (none.value, none.status) == (None, TargetStatus.NO_DATA)


@pytest.mark.django_db
class TestReads:
    def test_a_units_year_in_one_query(self, commune, django_assert_num_queries):
        on_time = make_indicator()
        online = make_indicator("ho_so_truc_tuyen", name="Tỷ lệ hồ sơ trực tuyến", target=Decimal("0.2"))
        IndicatorValue.objects.bulk_create(
            [month_value(on_time, commune, m, 9, 10) for m in (1, 2)]
            + [month_value(online, commune, 2, 1, 10), month_value(online, commune, 2, 1, 10, year=2025)]
        )
        with django_assert_num_queries(1):
            values = selectors.unit_values(commune, 2026)
            assert {code: sorted(months) for code, months in values.items()} == {
                "ho_so_dung_han": [1, 2],
                "ho_so_truc_tuyen": [2],
            }
            assert values["ho_so_truc_tuyen"][2].indicator.target == Decimal("0.2")

    def test_the_effective_target_and_a_months_status(self, province, commune):
        indicator = make_indicator()
        assert selectors.effective_target(indicator=indicator, province=province, year=2026) == Decimal("0.96")
        IndicatorTarget.objects.create(indicator=indicator, province=province, year=2026, target=Decimal("0.98"))
        target = selectors.effective_target(indicator=indicator, province=province, year=2026)
        assert target == Decimal("0.98")
        assert selectors.effective_target(indicator=indicator, province=province, year=2025) == Decimal("0.96")
        value = month_value(indicator, commune, 1, 97, 100)
        assert selectors.value_status(value, Decimal("0.96")) == TargetStatus.MET
        assert selectors.value_status(value, target) == TargetStatus.BELOW

    def test_the_yearly_aggregate_in_sql_equals_the_python_sum(self, province):
        indicator = make_indicator()
        units = bulk_units(province, 12)
        rng = random.Random(8)
        values = []
        for unit in units[:10]:
            for month in rng.sample(range(1, 12), rng.randint(1, 11)):
                denominator = Decimal(rng.randint(0, 5000)) + Decimal(rng.randint(0, 9999)) / 10000
                numerator = (denominator * Decimal(rng.randint(80, 100)) / 100).quantize(Decimal("0.0001"))
                values.append(month_value(indicator, unit, month, numerator, denominator))
        values.append(month_value(indicator, units[0], 5, 7, 7, year=2025))  # another year: not counted
        IndicatorValue.objects.bulk_create(values)
        figures = {
            f.unit.pk: f.figure for f in selectors.yearly_figures(indicator=indicator, province=province, year=2026)
        }
        assert len(figures) == 12
        for unit in units:
            mine = [v for v in values if v.unit == unit and v.year == 2026]
            figure = figures[unit.pk]
            assert figure.numerator == sum((v.numerator for v in mine), Decimal(0))
            assert figure.denominator == sum((v.denominator for v in mine), Decimal(0))
            assert figure.months == len(mine)
            if figure.denominator:
                assert figure.value == (figure.numerator / figure.denominator).quantize(Decimal("0.00000001"))
                expected = (
                    TargetStatus.MET if figure.numerator >= Decimal("0.96") * figure.denominator else TargetStatus.BELOW
                )
                assert figure.status == expected
            else:
                assert figure.status == TargetStatus.NO_DATA

    @pytest.mark.parametrize("n", [3, 30])
    def test_units_below_target_cost_one_query_however_many_units(self, province, django_assert_num_queries, n):
        indicator = make_indicator()
        IndicatorTarget.objects.create(indicator=indicator, province=province, year=2026, target=Decimal("0.9"))
        units = bulk_units(province, n)
        values = []
        for i, unit in enumerate(units):
            # Three months each; units 0, 3, 6 ... stay below 90 % over the year, unit 1, 4 ... sit exactly on it.
            on_time = {0: (80, 90, 95), 1: (90, 90, 90), 2: (100, 95, 99)}[i % 3]
            values += [month_value(indicator, unit, m + 1, k, 100) for m, k in enumerate(on_time)]
        IndicatorValue.objects.bulk_create(values)
        with django_assert_num_queries(1):
            below = selectors.units_below_target(indicator=indicator, province=province, year=2026)
        assert [f.unit.code for f in below] == [u.code for i, u in enumerate(units) if i % 3 == 0]
        first = below[0].figure
        assert (first.numerator, first.denominator, first.months, first.target) == (265, 300, 3, Decimal("0.9"))
        assert first.value == Decimal("0.88333333")

    def test_units_below_target_worst_first_and_for_a_ceiling(self, province):
        floor = make_indicator()
        ceiling = make_indicator("tre_han", name="Tỷ lệ hồ sơ trễ hạn", direction="at_most", target=Decimal("0.04"))
        a, b, c = bulk_units(province, 3)
        IndicatorValue.objects.bulk_create(
            [
                month_value(floor, a, 1, 90, 100),
                month_value(floor, b, 1, 80, 100),
                month_value(floor, c, 1, 0, 0),  # no dossiers: no data, not below
                month_value(ceiling, a, 1, 5, 100),
                month_value(ceiling, b, 1, 9, 100),
                month_value(ceiling, c, 1, 4, 100),
            ]
        )
        assert [f.unit for f in selectors.units_below_target(indicator=floor, province=province, year=2026)] == [b, a]
        assert [f.unit for f in selectors.units_below_target(indicator=ceiling, province=province, year=2026)] == [b, a]


@pytest.mark.django_db
class TestUnitCodes:
    def test_both_eras_in_one_query_and_who_may_write_them(
        self, province, commune, other_commune, django_assert_num_queries
    ):
        triệu_trạch = old_commune("19645", "Xã Triệu Trạch", successor=commune)
        office = principal_for(user_with_role("vanphong", Role.COMMUNE_OFFICE, commune))
        with django_assert_num_queries(1):
            codes = selectors.unit_codes(province=province, principal=office)
        assert codes.current == {"19639": commune.pk, "19333": other_commune.pk}
        assert codes.before_reform == {"19645": triệu_trạch.pk}
        assert codes.allowed == {commune.pk, triệu_trạch.pk}
        admin = Principal(user_id=1, grants=(Grant(Role.PROVINCE_ADMIN, province.pk, True),))
        assert selectors.unit_codes(province=province, principal=admin).allowed is None
        nobody = Principal(user_id=2, grants=(Grant(Role.VIEWER, province.pk, True),))
        assert not selectors.may_import_in(selectors.unit_codes(province=province, principal=nobody))

    def test_who_enters_for_an_old_unit(self, commune):
        triệu_trạch = old_commune("19645", "Xã Triệu Trạch", successor=commune)
        assert [ref.id for ref in selectors.entry_refs(triệu_trạch)] == [commune.pk]
        assert [ref.id for ref in selectors.entry_refs(commune)] == [commune.pk]
