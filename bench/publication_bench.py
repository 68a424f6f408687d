"""Publication at national scale, and the province's Excel download served from storage.

Workload: every current province and its communes from vietnam-provinces (34 provinces,
3,321 communes, wards and special zones), scored against the reference framework (64
criteria, 53 sub-criteria). A base year is published for every province through the real
services (so the next year's publication compares ranks with it, as it does in production).
Then each run opens a new year for every province (every commune self-assessed and appraised
on every sub-criterion, seeded random inputs, approved by the council through the services),
and times:

- the publication of the largest province (``services.publication_publish``), split into the
  publication itself (the transaction: scoring, ranking, the frozen rows) and the result files
  built once right after it commits (CSV, JSON, Excel, the Quyết định .docx);
- the publication of all 34 provinces, one after the other, split the same way;
- the largest province's Excel download as a visitor gets it (the view, served from storage),
  the median of ``--repeat`` requests, and the same workbook built from the rows as before;
- the all-provinces open-data CSV of the year: first request (built and stored) and the next
  ones (served from storage).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_publication_bench .venv/bin/python bench/publication_bench.py
    .venv/bin/python bench/publication_bench.py                # SQLite, a temporary file
    SQLITE_PATH=/tmp/pub.sqlite3 .venv/bin/python bench/publication_bench.py --reuse

A PostgreSQL database is dropped and recreated unless ``--reuse``; with ``--reuse`` (and a
PostgreSQL database or SQLITE_PATH loaded before) the units, framework and base year are kept
and only a new year is opened and published. Targets: the largest province ≤ 1 s, all 34
≤ 15 s, the stored Excel download ≤ 0.3 s. Django runs with DEBUG off (no query log).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import benchdb  # noqa: E402
from benchdb import drop_temporary_sqlite, setup_django  # noqa: E402

BENCH_USER = "bench-publication"
BASE_YEAR = 2024
TARGET_PROVINCE_S, TARGET_ALL_S, TARGET_XLSX_S = 1.0, 15.0, 0.3
GROUP = "Khối xã, phường, đặc khu"


def _dues(year: int) -> dict:
    return {
        "self_assessment_due": dt.date(year, 12, 15),
        "appraisal_due": dt.date(year + 1, 1, 15),
        "clarification_due": dt.date(year + 1, 1, 31),
        "publication_due": dt.date(year + 1, 2, 28),
    }


def load_base(rng: random.Random) -> None:
    """Units of both eras, the reference framework, the bench user."""
    from django.contrib.auth import get_user_model

    from parindex import scoring
    from parindex.frameworks import services as framework_services
    from parindex.frameworks.files import REFERENCE_FRAMEWORK
    from parindex.units.services import units_load

    started = time.perf_counter()
    units_load()
    spec = scoring.parse_framework(scoring.load_path(REFERENCE_FRAMEWORK))
    framework_services.framework_import(spec=spec, publish=True)
    get_user_model().objects.create_superuser(BENCH_USER, email="", password=None)
    print(f"base:      units and framework loaded ({time.perf_counter() - started:.0f} s)")


def open_year(year: int, rng: random.Random) -> list:
    """A cycle of ``year`` per province: every commune answered and appraised, approved by the
    council (untimed). Returns the approvals, largest province first."""
    from dashboard_bench import random_inputs
    from django.contrib.auth import get_user_model

    from parindex.accounts.selectors import principal_for
    from parindex.appraisals.models import ItemAppraisal
    from parindex.assessments.inputs import clean_inputs, to_stored
    from parindex.assessments.models import Answer, Assessment, Cycle
    from parindex.assessments.workflow import Status
    from parindex.frameworks.models import Criterion, FrameworkVersion
    from parindex.frameworks.selectors import framework_version_spec
    from parindex.results import services as result_services
    from parindex.units.models import AdministrativeUnit

    started = time.perf_counter()
    user = get_user_model().objects.get(username=BENCH_USER)
    principal = principal_for(user)
    version = FrameworkVersion.objects.filter(status="published").order_by("pk").first()
    parsed = framework_version_spec(version)
    leaves = list(Criterion.objects.filter(version=version).exclude(rule_kind=""))
    provinces = list(AdministrativeUnit.objects.filter(era="current", level=1).order_by("code"))
    communes = {p.pk: [] for p in provinces}
    for unit in AdministrativeUnit.objects.filter(era="current", level=3).order_by("code"):
        communes[unit.province_id].append(unit)
    stored: dict[tuple, dict] = {}

    def cleaned(leaf, inputs: dict) -> dict:
        key = (leaf.code, tuple(sorted(inputs.items())))
        if key not in stored:
            stored[key] = to_stored(clean_inputs(parsed.node(leaf.code), inputs))
        return stored[key]

    approvals = []
    for province in provinces:
        cycle = Cycle.objects.create(
            province=province, year=year, framework_version=version, name=f"Chỉ số CCHC năm {year}", **_dues(year)
        )
        assessments = Assessment.objects.bulk_create(
            [Assessment(cycle=cycle, unit=u, status=Status.APPRAISED) for u in communes[province.pk]]
        )
        answers, appraisals = [], []
        for assessment in assessments:
            for leaf in leaves:
                own = random_inputs(leaf.rule_kind, leaf.max_points, rng)
                appraised = random_inputs(leaf.rule_kind, leaf.max_points, rng, at_most=own)
                answers.append(Answer(assessment=assessment, criterion=leaf, inputs=cleaned(leaf, own)))
                appraisals.append(
                    ItemAppraisal(assessment=assessment, criterion=leaf, round=1, inputs=cleaned(leaf, appraised))
                )
        Answer.objects.bulk_create(answers, batch_size=5_000)
        ItemAppraisal.objects.bulk_create(appraisals, batch_size=5_000)
        approvals.append(
            result_services.approval_create(
                cycle=cycle, assessments=assessments, name=GROUP, actor=user, principal=principal
            )
        )
    approvals.sort(key=lambda a: -len(communes[a.cycle.province_id]))
    settle()
    print(f"year {year}: {sum(map(len, communes.values())):,} communes answered, appraised and approved "
          f"({time.perf_counter() - started:.0f} s)")  # fmt: skip
    return approvals


def settle() -> None:
    """After a bulk load (untimed): what benchdb says a bulk load needs when it says so, else fresh
    planner statistics, as autovacuum would have them on a live database by the time results are
    published (else PostgreSQL scans every answer for each province)."""
    if hasattr(benchdb, "after_bulk_load"):
        benchdb.after_bulk_load(quiet=True)
        return
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def publish(approval, year: int) -> tuple[object, float, float]:
    """Publish through the service; seconds in the transaction and after it (the files built on commit)."""
    from django.db import transaction

    from parindex.accounts.selectors import principal_for
    from parindex.results import services as result_services
    from parindex.results.models import Approval

    approval = Approval.objects.select_related("cycle__province", "cycle__framework_version__framework").get(
        pk=approval.pk
    )  # as the publish view reads it
    user = approval.approved_by
    started = time.perf_counter()
    with transaction.atomic():
        publication = result_services.publication_publish(
            approval=approval, decision_number=f"{year - 2000}/QĐ-UBND", decision_date=dt.date(year + 1, 2, 20),
            issuer=f"UBND {approval.cycle.province.name}", actor=user, principal=principal_for(user),
        )  # fmt: skip
        inside = time.perf_counter()
    done = time.perf_counter()
    return publication, inside - started, done - inside


def timed_get(client, url: str, repeat: int) -> tuple[float, float, int]:
    """Seconds of the first request, median of the next ``repeat``, and the body's size."""

    def get() -> tuple[float, int]:
        started = time.perf_counter()
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, (url, response.status_code)
        return time.perf_counter() - started, len(body)

    first, size = get()
    times = [get()[0] for _ in range(repeat)]
    return first, statistics.median(times), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="requests of each download after the first (median kept)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--reuse", action="store_true", help="keep a loaded database; only open and publish a new year")
    args = parser.parse_args()

    media = tempfile.mkdtemp(prefix="parindex-bench-media-")
    os.environ.setdefault("MEDIA_ROOT", media)
    if hasattr(benchdb, "in_process_production"):
        benchdb.in_process_production()  # DEBUG off for the requests made through the test client
    database = setup_django(fresh=not args.reuse)
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from parindex.assessments.models import Cycle
    from parindex.results.models import Publication, PublishedResult
    from parindex.units.models import AdministrativeUnit

    settings.DEBUG = False  # no query log, as in production
    reverse("results:publication-list")  # the URLconf loaded, as in a server that has answered a request
    print(f"database:  {database}")
    print(f"media:     {settings.MEDIA_ROOT}")
    rng = random.Random(args.seed)
    try:
        if not AdministrativeUnit.objects.filter(era="current", level=1).exists() or not args.reuse:
            load_base(rng)
        if not Publication.objects.exists():
            started = time.perf_counter()
            for approval in open_year(BASE_YEAR, rng):
                publish(approval, BASE_YEAR)
            print(f"year {BASE_YEAR}: published as the base year ({time.perf_counter() - started:.0f} s)")
        year = (Cycle.objects.order_by("-year").values_list("year", flat=True).first() or BASE_YEAR) + 1
        approvals = open_year(year, rng)

        print(f"\npublication of {year}")
        rows = []
        for approval in approvals:
            publication, inside, after = publish(approval, year)
            rows.append((approval.cycle.province.name, publication, inside, after))
        name, largest, inside, after = rows[0]
        units = PublishedResult.objects.filter(publication=largest).count()
        print(f"{'':<30}{'communes':>9}{'publication s':>15}{'files s':>9}{'total s':>9}")
        print(f"{'largest: ' + name:<30}{units:>9}{inside:>15.2f}{after:>9.2f}{inside + after:>9.2f}")
        total_in = sum(r[2] for r in rows)
        total_after = sum(r[3] for r in rows)
        count = PublishedResult.objects.filter(publication__year=year).count()
        print(f"{'all ' + str(len(rows)) + ' provinces':<30}{count:>9}{total_in:>15.2f}{total_after:>9.2f}"
              f"{total_in + total_after:>9.2f}")  # fmt: skip

        client = Client()
        url = reverse("results:publication-xlsx", args=[largest.pk])
        first, median, size = timed_get(client, url, args.repeat)
        print(f"\nExcel download of {name} ({units} rows, {size / 1024:.0f} KB): first {first:.3f} s, "
              f"then median {median:.3f} s over {args.repeat}")  # fmt: skip
        try:
            from parindex.results import files
        except ImportError:  # before the files were stored: every download above built it
            files = None
        if files is not None:
            fresh = files.selectors.publication_with_current(largest.pk)
            started = time.perf_counter()
            files.ranking_xlsx(fresh, files.result_rows(fresh, files.download_rows(fresh)))
            print(
                f"the same workbook built from the rows (once, at publication): {time.perf_counter() - started:.3f} s"
            )
        try:
            open_url = reverse("results:open-data-csv", args=[year])
        except Exception:  # noqa: BLE001 - before the open-data export existed
            open_url = None
        if open_url:
            first, median, size = timed_get(client, open_url, args.repeat)
            print(f"open-data CSV of {year} ({count} rows, {size / 1024:.0f} KB): first (built) {first:.3f} s, "
                  f"then median {median:.3f} s")  # fmt: skip

        ok = rows[0][2] <= TARGET_PROVINCE_S and total_in <= TARGET_ALL_S and median <= TARGET_XLSX_S
        print(
            f"\ntargets: largest province ≤ {TARGET_PROVINCE_S:.0f} s, all ≤ {TARGET_ALL_S:.0f} s (publication), "
            f"stored Excel ≤ {TARGET_XLSX_S} s — {'met' if ok else 'NOT met'}"
        )
        return 0 if ok else 1
    finally:
        drop_temporary_sqlite()


if __name__ == "__main__":
    sys.exit(main())
