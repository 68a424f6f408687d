"""A year of weekly results for a province's communes (100 units × 52 weeks, 31,200 values) in
one file: imported whole, and the same file again writes nothing. The time is printed (the bench
figure of docs/indices.md), not asserted: the machine is shared."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from parindex.external import services
from parindex.external.models import ExternalValue
from parindex.external.tests.conftest import V2_HEADER, csv, v2_line
from parindex.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db


def test_a_year_of_weeks_for_a_hundred_communes(index, province, admin_p, capsys):
    AdministrativeUnit.objects.bulk_create(
        AdministrativeUnit(era="current", code=f"8{i:04d}", name=f"Xã {i}", kind="xa", level=3, parent=province, province=province)
        for i in range(100)
    )  # fmt: skip
    first = dt.date(2025, 11, 3)
    lines = [
        v2_line(f"8{i:04d}", first + dt.timedelta(days=7 * w), (18, 20, 12, 10, 18, f"{19 + (i + w) % 3},5"))
        for i in range(100)
        for w in range(52)
    ]
    data = csv(V2_HEADER, *lines)

    def run():
        started = time.perf_counter()
        result = services.external_results_import(
            index=index, province=province, file=data, filename="766-nam.csv", source_system="Cổng DVC",
            extracted_on=dt.date(2026, 11, 16), contest_until=None, actor=None, principal=admin_p,
        )  # fmt: skip
        return result, time.perf_counter() - started

    result, seconds = run()
    assert result.ok and result.results_created == 5200 and result.values_written == 31200
    assert ExternalValue.objects.count() == 31200
    again, seconds_again = run()
    assert again.ok and again.values_written == 0
    with capsys.disabled():
        print(f"\n766 import, 5,200 rows: {seconds:.2f} s; again: {seconds_again:.2f} s")
