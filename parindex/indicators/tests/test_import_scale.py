"""An import of 100,000 rows runs in the normal suite (about 10 s on SQLite in memory).

6,250 communes × the 16 months from July 2025 (the current units' first month) to October
2026 = 100,000 rows of one indicator in one CSV file: read, checked, written in one
transaction, then imported again without writing anything. ``bench/indicator_import_bench.py``
times the same against the configured database.
"""

from __future__ import annotations

import math
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments.tests.factories import user_with_role
from parindex.indicators import services
from parindex.indicators.models import IndicatorValue
from parindex.indicators.tests.factories import bulk_units, csv_bytes, make_indicator, make_mapping

pytestmark = [pytest.mark.django_db, pytest.mark.national]

UNITS = 6250
MONTHS = [(2025, m) for m in range(7, 13)] + [(2026, m) for m in range(1, 11)]


def test_an_import_of_100000_rows(province):
    indicator = make_indicator()
    mapping = make_mapping(province, indicator)
    admin = user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True)
    units = bulk_units(province, UNITS)
    data = csv_bytes(
        [unit.code, "", year, month, (i * 7 + month) % 101, 100]
        for i, unit in enumerate(units)
        for year, month in MONTHS
    )

    principal = principal_for(admin)

    def run():
        with CaptureQueriesContext(connection) as queries:
            result = services.indicator_import(
                indicator=indicator,
                mapping=mapping,
                file=data,
                filename="ca-nuoc.csv",
                actor=admin,
                principal=principal,
            )
        return result, len(queries)

    started = time.perf_counter()
    first, queries = run()
    seconds = time.perf_counter() - started
    assert first.problems == ()
    assert (first.rows_total, first.created) == (100_000, 100_000)
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 100_000
    # No query per row: the unit codes, the lock, the stored figures, the batch row and its
    # final counts, around one INSERT per batch of rows (as many rows as the backend allows),
    # and per year of the file the forecasts of the drafts it feeds (at most six queries each).
    fields = [f for f in IndicatorValue._meta.concrete_fields if not f.primary_key]
    per_insert = min(services.WRITE_BATCH, connection.ops.bulk_batch_size(fields, [None] * 100_000))
    years = IndicatorValue.objects.filter(indicator=indicator).values("year").distinct().count()
    assert queries <= math.ceil(100_000 / per_insert) + 8 + 6 * years
    assert seconds < 60, f"{seconds:.1f} s for 100,000 rows"
    again, queries = run()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 100_000)
    assert queries <= 8
