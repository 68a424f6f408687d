"""Province dashboard cost against the bare SQL it rests on, at national scale, in PostgreSQL.

Workload: every current province and its communes from vietnam-provinces (34 provinces,
3,321 communes, wards and special zones), scored against the reference framework (64
criteria, 53 sub-criteria) for two published years, 2024 and 2025: each commune gets a
self-assessment of every sub-criterion and a round-1 appraisal of every one (random but
seeded inputs, the appraisal never above the self-assessment), and each province's year is
approved and published through the real services (so the ranks, changes of rank and the
frozen node rows are the services'). A third cycle, 2026, is open with the communes spread
over the workflow states, for the open-cycle panel.

After the load, the forecast's stored projections of every assessment are computed
(``projections.refresh_all``) and ANALYZE runs (``benchdb.after_bulk_load``, untimed).

Then, for every province, two measures, each against the replay of exactly the SQL statements
it issued (captured once, executed through a raw cursor with every row fetched), interleaved,
``--repeat`` times, medians summed over the provinces:

- the board's data as the province's staff see it (``dashboards.boards.province_board``: ORM,
  aggregation, chart and table building);
- the whole page (``dashboards:province`` through ``django.test.Client``, signed in as the
  province's admin: middleware, session, view, board, template, response) with DEBUG off, as
  in production.

The ratio measure / SQL is the cost of everything above the database; the target of each is at
most 3×.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parindex_dashboard_bench .venv/bin/python bench/dashboard_bench.py

The bench owns its database: without DATABASE_URL it is parindex_dashboard_bench on the local
PostgreSQL, dropped and recreated at the start (``--reuse`` keeps a loaded one). PostgreSQL
only: the issue is its scale-out path.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import after_bulk_load, analyze, in_process_production, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/parindex_dashboard_bench"
BENCH_USER = "bench-dashboard"
ADMIN_PREFIX = "bench-dashboard-admin-"  # + the province's code: the page's signed-in staff
YEARS = (2024, 2025)
OPEN_YEAR = 2026
TARGET = 3.0


def random_inputs(kind: str, maximum: Decimal, rng: random.Random, *, at_most: dict | None = None) -> dict:
    """Plausible inputs of a rule kind; with ``at_most`` (the self-assessment), no better than it."""
    if kind == "binary":
        met = rng.random() < 0.85
        return {"met": met and (at_most is None or at_most["met"])}
    if kind in ("proportional", "tiered"):
        value = Decimal(rng.randint(60, 100)) / 100
        if at_most is not None:
            value = min(value, Decimal(at_most["value"]))
        return {"value": str(value)}
    if kind == "count":
        count = rng.randint(0, 10)
        return {"count": str(min(count, int(at_most["count"])) if at_most else count)}
    if kind == "deduction":
        count = rng.choice((0, 0, 0, 1, 2))
        return {"count": str(max(count, int(at_most["count"])) if at_most else count)}
    if kind == "timeliness":
        days = rng.choice((0, 0, 0, 2, 10))
        return {"days_late": str(max(days, int(at_most["days_late"])) if at_most else days)}
    score = (maximum * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal("0.01"))
    if at_most is not None:
        score = min(score, Decimal(at_most["score"]))
    return {"score": str(score)}


def load(rng: random.Random) -> dict:
    """Units, the framework, three cycles; two of them published. Returns what was made."""
    from django.contrib.auth import get_user_model

    from parindex import scoring
    from parindex.accounts.selectors import principal_for
    from parindex.appraisals.models import ItemAppraisal
    from parindex.assessments.inputs import clean_inputs, to_stored
    from parindex.assessments.models import Answer, Assessment, Cycle
    from parindex.assessments.workflow import Status
    from parindex.frameworks import services as framework_services
    from parindex.frameworks.files import REFERENCE_FRAMEWORK
    from parindex.frameworks.models import Criterion
    from parindex.frameworks.selectors import framework_version_spec
    from parindex.results import services as result_services
    from parindex.units.models import AdministrativeUnit
    from parindex.units.services import units_load

    started = time.perf_counter()
    units_load()
    provinces = list(AdministrativeUnit.objects.filter(era="current", level=1).order_by("code"))
    communes: dict[int, list[AdministrativeUnit]] = {p.pk: [] for p in provinces}
    for unit in AdministrativeUnit.objects.filter(era="current", level=3).order_by("code"):
        communes[unit.province_id].append(unit)
    print(
        f"units:     {len(provinces)} provinces, {sum(map(len, communes.values())):,} communes ({time.perf_counter() - started:.0f} s)"
    )

    spec = scoring.parse_framework(scoring.load_path(REFERENCE_FRAMEWORK))
    version = framework_services.framework_import(spec=spec, publish=True).version
    parsed = framework_version_spec(version)
    leaves = list(Criterion.objects.filter(version=version).exclude(rule_kind=""))
    user = get_user_model().objects.create_superuser(BENCH_USER, email="", password=None)
    principal = principal_for(user)

    def dues(year: int) -> dict:
        return {
            "self_assessment_due": dt.date(year, 12, 15),
            "appraisal_due": dt.date(year + 1, 1, 15),
            "clarification_due": dt.date(year + 1, 1, 31),
            "publication_due": dt.date(year + 1, 2, 28),
        }

    for year in YEARS:
        started = time.perf_counter()
        for province in provinces:
            cycle = Cycle.objects.create(
                province=province, year=year, framework_version=version, name=f"Chỉ số CCHC năm {year}", **dues(year)
            )
            assessments = Assessment.objects.bulk_create(
                [Assessment(cycle=cycle, unit=u, status=Status.APPRAISED) for u in communes[province.pk]]
            )
            answers, appraisals = [], []
            for assessment in assessments:
                for leaf in leaves:
                    node = parsed.node(leaf.code)
                    own = random_inputs(leaf.rule_kind, leaf.max_points, rng)
                    appraised = random_inputs(leaf.rule_kind, leaf.max_points, rng, at_most=own)
                    answers.append(
                        Answer(assessment=assessment, criterion=leaf, inputs=to_stored(clean_inputs(node, own)))
                    )
                    appraisals.append(
                        ItemAppraisal(
                            assessment=assessment,
                            criterion=leaf,
                            round=1,
                            inputs=to_stored(clean_inputs(node, appraised)),
                        )
                    )
            Answer.objects.bulk_create(answers, batch_size=20_000)
            ItemAppraisal.objects.bulk_create(appraisals, batch_size=20_000)
            approval = result_services.approval_create(
                cycle=cycle, assessments=assessments, name="Khối xã, phường, đặc khu", actor=user, principal=principal
            )
            result_services.publication_publish(
                approval=approval, decision_number=f"{year - 2000}/QĐ-UBND", decision_date=dt.date(year + 1, 2, 20),
                issuer=f"UBND {province.name}", actor=user, principal=principal,
            )  # fmt: skip
        print(f"year {year}: scored, approved and published ({time.perf_counter() - started:.0f} s)")
    states = [s for s in Status if s not in (Status.APPROVED, Status.PUBLISHED)]  # the open cycle's spread
    for province in provinces:
        cycle = Cycle.objects.create(
            province=province,
            year=OPEN_YEAR,
            framework_version=version,
            name=f"Chỉ số CCHC năm {OPEN_YEAR}",
            **dues(OPEN_YEAR),
        )
        Assessment.objects.bulk_create(
            [
                Assessment(cycle=cycle, unit=u, status=states[i % len(states)])
                for i, u in enumerate(communes[province.pk])
            ]
        )
    # The forecast's stored projections (bulk_create went past the services that keep them),
    # then the planner's statistics of the tables just filled (autovacuum may be off).
    after_bulk_load()
    return {"provinces": provinces, "communes": communes}


def measure(province, today: dt.date, repeat: int, explain: int = 0) -> tuple[float, float, int]:
    """Median seconds of the board's data and of its bare SQL, and the statement count."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parindex.dashboards.boards import province_board

    def board() -> None:
        b = province_board(province, staff=True, today=today)
        list(b.page.object_list)  # the page is evaluated when the template renders it

    board()  # the framework's spec parsed and cached (two queries, once a process), as later calls find it
    connection.queries_log.clear()  # the capture reads positions in a bounded log
    with CaptureQueriesContext(connection) as captured:
        board()
    statements = [q["sql"] for q in captured.captured_queries]

    def bare() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    if explain:
        with connection.cursor() as cursor:
            timed = []
            for sql in statements:
                started = time.perf_counter()
                cursor.execute(sql)
                cursor.fetchall()
                timed.append((time.perf_counter() - started, sql))
        for seconds, sql in sorted(timed, reverse=True)[:explain]:
            print(f"  {seconds * 1000:7.1f} ms  {' '.join(sql.split())[:150]}")
    board_times, sql_times = [], []
    for _ in range(repeat):
        for fn, times in ((board, board_times), (bare, sql_times)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    return statistics.median(board_times), statistics.median(sql_times), len(statements)


def admin_client(province):
    """A test client signed in as the province's admin (made once, reused by later runs)."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from parindex.accounts.models import Role, RoleAssignment

    user, created = get_user_model().objects.get_or_create(
        username=f"{ADMIN_PREFIX}{province.code}", defaults={"must_change_password": False, "unit": province}
    )
    if created:
        RoleAssignment.objects.create(user=user, role=Role.PROVINCE_ADMIN, unit=province, include_descendants=True)
    client = Client()
    client.force_login(user, "parindex.accounts.backends.AccountBackend")
    return client


def measure_page(province, repeat: int) -> tuple[float, float, int, int]:
    """Median seconds of the whole province dashboard page (the staff view, through the test
    client) and of the replay of the SQL it issued; its statement count and size in bytes."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = admin_client(province)
    url = reverse("dashboards:province", args=[province.pk])

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    page()  # the templates compiled, the framework's spec cached: what every later request finds
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as captured:
        size = len(page().content)
    statements = [q["sql"] for q in captured.captured_queries]
    writes = [sql for sql in statements if not sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    if writes:  # a replay would write: a GET of the page should not
        raise RuntimeError(f"the page wrote: {writes[0][:120]}")

    def bare() -> None:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    page_times, sql_times = [], []
    for _ in range(repeat):
        for fn, times in ((page, page_times), (bare, sql_times)):
            started = time.perf_counter()
            fn()
            times.append(time.perf_counter() - started)
    client.logout()  # its session row deleted
    return statistics.median(page_times), statistics.median(sql_times), len(statements), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed runs of each side per province (median kept)")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--reuse", action="store_true", help="keep the database if the data set is already loaded")
    parser.add_argument(
        "--explain", type=int, default=0, metavar="N", help="print the N slowest statements of the first province"
    )
    parser.add_argument("--only", default="", metavar="NAME", help="only the provinces whose name contains NAME")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    in_process_production()  # DEBUG off for the page, as in production
    database = setup_django(fresh=not args.reuse)
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per signed-in client otherwise
    from django.conf import settings

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        print("dashboard_bench needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 2
    from parindex.results.models import PublishedResult, PublishedScore
    from parindex.units.models import AdministrativeUnit

    print(f"database:  {database}")
    if args.reuse and PublishedResult.objects.exists():
        provinces = list(AdministrativeUnit.objects.filter(era="current", level=1).order_by("code"))
        # A database loaded before the projections were stored got them at migrate (post_migrate).
        analyze()  # a database loaded before statistics were refreshed after the load
    else:
        provinces = load(random.Random(args.seed))["provinces"]
    results = PublishedResult.objects.count()
    nodes = PublishedScore.objects.count()
    print(f"published: {results:,} results, {nodes:,} frozen node scores over {len(YEARS)} years")
    provinces = [p for p in provinces if args.only.casefold() in p.name.casefold()]

    today = dt.date(OPEN_YEAR, 12, 20)  # after the self-assessment deadline: the late drafts are counted too
    rows = []
    for i, province in enumerate(provinces):
        board_s, sql_s, n = measure(province, today, args.repeat, explain=args.explain if i == 0 else 0)
        page_s, page_sql_s, page_n, size = measure_page(province, args.repeat)
        units = PublishedResult.objects.filter(publication__year=YEARS[-1], unit__province=province).count()
        rows.append((province.name, units, n, board_s, sql_s, page_n, page_s, page_sql_s, size))
    rows.sort(key=lambda r: -r[1])
    print(
        f"\n{'':<37}{'board data (staff view)':^36}  {'whole page (staff, test client)':^44}\n"
        f"{'province':<28}{'communes':>9}{'queries':>9}{'board ms':>10}{'SQL ms':>9}{'ratio':>8}"
        f"  {'queries':>8}{'page ms':>9}{'SQL ms':>9}{'ratio':>8}{'KB':>7}"
    )

    def line(name, units, n, board_s, sql_s, page_n, page_s, page_sql_s, size) -> str:
        return (
            f"{name[:27]:<28}{units:>9}{n:>9}{board_s * 1000:>10.1f}{sql_s * 1000:>9.1f}{board_s / sql_s:>7.2f}×"
            f"  {page_n:>8}{page_s * 1000:>9.1f}{page_sql_s * 1000:>9.1f}{page_s / page_sql_s:>7.2f}×{size / 1000:>7.0f}"
        )

    for row in rows[:5]:
        print(line(*row))
    if len(rows) > 5:
        print("…")
    total = [sum(r[k] for r in rows) for k in range(len(rows[0]))[3:]] if rows else []
    board_ratio, page_ratio = total[0] / total[1], total[3] / total[4]
    print(line(f"all {len(rows)} provinces", sum(r[1] for r in rows), "", *total[:2], "", *total[3:5], total[5]))
    worst_board = max(rows, key=lambda r: r[3] / r[4])
    worst_page = max(rows, key=lambda r: r[6] / r[7])
    print(f"highest single ratio: board data {worst_board[0]} {worst_board[3] / worst_board[4]:.2f}×, "
          f"page {worst_page[0]} {worst_page[6] / worst_page[7]:.2f}×")  # fmt: skip
    print(f"target: board data ≤ {TARGET:.0f}× its bare SQL — {'met' if board_ratio <= TARGET else 'NOT met'}")
    print(f"target: whole page ≤ {TARGET:.0f}× its bare SQL — {'met' if page_ratio <= TARGET else 'NOT met'}")
    return 0 if board_ratio <= TARGET and page_ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
