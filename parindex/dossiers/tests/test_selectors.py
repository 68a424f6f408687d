"""Reading the register: a dossier counts for the year of its due date; the yearly figures and the
province's overview are counted by the database; what 3.6 is offered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parindex.dossiers import selectors
from parindex.dossiers.selectors import YearFigures, apology_offer
from parindex.dossiers.tests.factories import NO_LETTER, bulk_dossiers, late_dossier
from parindex.indicators.models import Indicator, IndicatorValue
from parindex.indicators.services import indicators_load
from parindex.results.tests.factories import bulk_units


@pytest.mark.django_db
class TestYear:
    def test_a_dossier_counts_for_the_year_of_its_due_date(self, commune):
        # Received in 2025, due and returned in 2026: 2026's.
        late_dossier(
            commune, code="a", received_on=dt.date(2025, 12, 26), due_on=dt.date(2026, 1, 5),
            resolved_on=dt.date(2026, 1, 9), letter_date=dt.date(2026, 1, 5), new_due_on=dt.date(2026, 1, 9),
        )  # fmt: skip
        # Due in 2025, returned in 2026: 2025's.
        late_dossier(
            commune, code="b", received_on=dt.date(2025, 12, 20), due_on=dt.date(2025, 12, 31),
            resolved_on=dt.date(2026, 1, 6), **NO_LETTER,
        )  # fmt: skip
        late_dossier(commune, code="c", resolved_on=None, **NO_LETTER)
        assert [d.code for d in selectors.late_dossier_list(commune, 2026)] == ["a", "c"]
        assert [d.code for d in selectors.late_dossier_list(commune, 2025)] == ["b"]
        figures = selectors.year_figures([commune.pk], 2026)[commune.pk]
        assert (figures.late, figures.with_apology, figures.without_apology, figures.pending) == (2, 1, 1, 1)
        assert figures == selectors.figures_of(selectors.late_dossier_list(commune, 2026))
        assert selectors.year_figures([commune.pk], 2025)[commune.pk].late == 1

    def test_figures_for_many_units_take_one_query(self, province, commune, django_assert_num_queries):
        units = [commune, *bulk_units(province, 11)]
        for i, unit in enumerate(units):
            bulk_dossiers(unit, i + 1, with_letter=i)
        with django_assert_num_queries(1):
            figures = selectors.year_figures([u.pk for u in units], 2026)
        assert [(figures[u.pk].late, figures[u.pk].with_apology) for u in units] == [(i + 1, i) for i in range(12)]

    def test_the_on_time_indicator_comes_with_the_counts(self, commune, other_commune):
        indicators_load()
        on_time = Indicator.objects.get(code=selectors.ON_TIME_INDICATOR)
        for month in (1, 2):
            IndicatorValue.objects.create(
                indicator=on_time, unit=commune, year=2026, month=month, numerator=48, denominator=50
            )
        IndicatorValue.objects.create(indicator=on_time, unit=commune, year=2025, month=12, numerator=1, denominator=9)
        figures = selectors.year_figures([commune.pk, other_commune.pk], 2026)
        assert (figures[commune.pk].resolved, figures[commune.pk].on_time) == (Decimal(100), Decimal(96))
        assert figures[commune.pk].indicator_late == 4
        assert figures[other_commune.pk].indicator_late is None


@pytest.mark.django_db
def test_the_province_overview_puts_the_missing_letters_first(province, commune, other_commune):
    quiet = bulk_units(province, 1)[0]  # no late dossier: not listed
    bulk_dossiers(commune, 4, with_letter=4)
    bulk_dossiers(other_commune, 3, with_letter=1)
    rows = selectors.province_overview(province, 2026)
    assert [(r.unit, r.figures.late, r.figures.without_apology) for r in rows] == [
        (other_commune, 3, 2),
        (commune, 4, 0),
    ]
    assert quiet not in [r.unit for r in rows]
    assert selectors.province_overview(province, 2025) == []


class TestOffer:
    def test_the_share_of_late_dossiers_with_a_letter(self):
        offer = apology_offer(YearFigures(late=3, with_apology=2))
        assert offer.inputs == {"numerator": 2, "denominator": 3}
        assert offer.detail == "có thư xin lỗi 2/3 hồ sơ trễ hạn (66,67%)"
        assert apology_offer(YearFigures(late=4, with_apology=4)).detail == "có thư xin lỗi 4/4 hồ sơ trễ hạn (100%)"

    def test_an_empty_register_is_not_applicable_only_when_the_indicator_shows_none_late(self):
        none_late = YearFigures(resolved=Decimal(1063), on_time=Decimal(1063))
        offer = apology_offer(none_late)
        assert offer.inputs == {"applicable": False}
        assert "1.063/1.063 hồ sơ giải quyết đúng hạn" in offer.detail
        assert apology_offer(YearFigures()) is None  # no indicator either: the register may not be kept
        assert apology_offer(YearFigures(resolved=Decimal(100), on_time=Decimal(96))) is None  # 4 late, none recorded
        assert apology_offer(YearFigures(resolved=Decimal(0), on_time=Decimal(0))) is None
        assert apology_offer(None) is None
