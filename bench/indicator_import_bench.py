"""Indicator import throughput: 100,000 rows of one indicator into the configured database.

Workload: a made-up province ("BENCH") with enough communes that ``--rows`` rows cover
``--months`` months each (100,000 rows × 12 months = 8,334 communes, the last one with four
months), written as one CSV file of on-time dossiers (numerator ≤ denominator, some months
with no dossiers at all). The file goes through ``services.indicator_import`` as a province
admin would send it, three times:

1. the first import: every row read, checked and inserted;
2. the same file again: every row read and checked, nothing written;
3. a corrected file (one row in ten changed): only those rows updated.

Each line prints rows, seconds and rows/s. Everything the bench creates is deleted at the end
(unless --keep), so it can run against any database:

    .venv/bin/python bench/indicator_import_bench.py [--rows 100000] [--months 12] [--keep]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_bench .venv/bin/python bench/indicator_import_bench.py

The database is DATABASE_URL's (a PostgreSQL database that does not exist yet is created),
migrated first; ANALYZE runs (untimed) after the units are loaded and after each pass, as
autovacuum would in time. Without DATABASE_URL it is SQLITE_PATH, or else a new temporary SQLite file,
never the development db.sqlite3 (deleted afterwards).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import analyze, drop_temporary_sqlite, setup_django  # noqa: E402

BENCH_PROVINCE = "BENCH"
BENCH_INDICATOR = "bench_ho_so_dung_han"
BENCH_USER = "bench-import"
FIRST_MONTH = (2025, 7)  # the first month of the current units


def months_back(count: int, today: dt.date) -> list[tuple[int, int]]:
    """The ``count`` months ending with this one, oldest first."""
    year, month, out = today.year, today.month, []
    for _ in range(count):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def build_rows(codes: list[str], months: list[tuple[int, int]], rows: int, seed: int) -> list[list[object]]:
    rng = random.Random(seed)
    out: list[list[object]] = []
    for code in codes:
        for year, month in months:
            if len(out) == rows:
                return out
            resolved = rng.choice((0, *range(5, 400)))
            on_time = resolved - min(resolved, rng.randint(0, 12))
            out.append([code, year, month, on_time, resolved])
    return out


def to_csv(rows: list[list[object]]) -> bytes:
    import csv
    import io

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["Mã xã", "Năm", "Tháng", "Số hồ sơ đúng hạn", "Tổng số hồ sơ đã giải quyết"])
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def clean_up() -> None:
    from django.contrib.auth import get_user_model

    from parindex.accounts.models import RoleAssignment
    from parindex.indicators.models import ImportBatch, ImportMapping, Indicator, IndicatorValue
    from parindex.units.models import AdministrativeUnit

    IndicatorValue.objects.filter(indicator__code=BENCH_INDICATOR).delete()
    ImportBatch.objects.filter(indicator__code=BENCH_INDICATOR).delete()
    ImportMapping.objects.filter(indicator__code=BENCH_INDICATOR).delete()
    Indicator.objects.filter(code=BENCH_INDICATOR).delete()
    RoleAssignment.objects.filter(user__username=BENCH_USER).delete()
    get_user_model().objects.filter(username=BENCH_USER).delete()
    AdministrativeUnit.objects.filter(era="current", province__code=BENCH_PROVINCE).delete()
    AdministrativeUnit.objects.filter(era="current", code=BENCH_PROVINCE).delete()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--keep", action="store_true", help="leave the bench's province, units and figures in place")
    args = parser.parse_args()

    database = setup_django()

    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from parindex.accounts.models import Role, RoleAssignment
    from parindex.accounts.selectors import principal_for
    from parindex.indicators import services
    from parindex.indicators.models import ImportMapping, Indicator
    from parindex.units.models import AdministrativeUnit, fold_name

    today = timezone.localdate()
    available = (today.year - FIRST_MONTH[0]) * 12 + today.month - FIRST_MONTH[1] + 1
    if not 1 <= args.months <= available:
        parser.error(f"--months must be from 1 to {available} (the months since 7/2025, when the current units began)")
    months = months_back(args.months, today)
    unit_count = -(-args.rows // args.months)

    clean_up()  # what an interrupted run may have left
    province = AdministrativeUnit.objects.create(
        era="current", code=BENCH_PROVINCE, name="Tỉnh Thử tải", kind="tinh", level=1
    )
    AdministrativeUnit.objects.bulk_create(
        [
            AdministrativeUnit(
                era="current",
                code=f"B{i:06d}",
                name=f"Xã Thử tải {i:06d}",
                search_name=fold_name(f"Xã Thử tải {i:06d}"),
                kind="xa",
                level=3,
                parent=province,
                province=province,
            )
            for i in range(unit_count)
        ],
        batch_size=1000,
    )
    analyze()  # statistics of the units just loaded (autovacuum may be off)
    indicator = Indicator.objects.create(
        code=BENCH_INDICATOR,
        name="Tỷ lệ hồ sơ giải quyết đúng hạn (thử tải)",
        unit_label="%",
        numerator_label="Số hồ sơ đúng hạn",
        denominator_label="Tổng số hồ sơ đã giải quyết",
        target=Decimal("0.96"),
    )
    mapping = ImportMapping.objects.create(
        name="Thử tải",
        province=province,
        indicator=indicator,
        columns={
            "unit_code": "Mã xã",
            "year": "Năm",
            "month": "Tháng",
            "numerator": "Số hồ sơ đúng hạn",
            "denominator": "Tổng số hồ sơ đã giải quyết",
        },
    )
    user = get_user_model().objects.create_user(BENCH_USER)
    RoleAssignment.objects.create(user=user, role=Role.PROVINCE_ADMIN, unit=province, include_descendants=True)
    principal = principal_for(user)

    rows = build_rows([f"B{i:06d}" for i in range(unit_count)], months, args.rows, args.seed)
    data = to_csv(rows)
    corrected_rows = [list(row) for row in rows]
    for row in corrected_rows[::10]:
        row[4] = int(row[4]) + 1  # one more dossier resolved late: a change, the numerator still fits
    corrected = to_csv(corrected_rows)

    print(f"database:  {database}")
    print(
        f"workload:  {len(rows):,} rows = {unit_count:,} communes × {args.months} months "
        f"({months[0][1]}/{months[0][0]}–{months[-1][1]}/{months[-1][0]}), one indicator, CSV of {len(data) / 1e6:.1f} MB"
    )
    try:
        for label, payload in (("first import", data), ("same file again", data), ("corrected file", corrected)):
            started = time.perf_counter()
            result = services.indicator_import(
                indicator=indicator,
                mapping=mapping,
                file=payload,
                filename="bench.csv",
                actor=user,
                principal=principal,
            )
            seconds = time.perf_counter() - started
            if not result.ok:
                print(f"{label}: {len(result.problems)} problems, first: {result.problems[0]}")
                return 1
            print(
                f"{label + ':':<17}{result.rows_total:>9,} rows {seconds:>7.2f} s {result.rows_total / seconds:>9,.0f} rows/s"
                f"   ({result.created:,} new, {result.updated:,} changed, {result.unchanged:,} unchanged)"
            )
            analyze()  # untimed: the next pass plans with the figures just written, as after autovacuum
    finally:
        if not args.keep:
            clean_up()
            drop_temporary_sqlite()
    return 0


if __name__ == "__main__":
    sys.exit(main())
