"""The forecast page (``indicators:forecast``) at national scale, in PostgreSQL.

The forecast ranks a unit among its cycle's units by their stored projections
(``Assessment.projected_*``, kept by ``indicators.projections``): its cost should not grow with
the number of units. Measured on the national data set of dashboard_bench (34 provinces, 3,321
communes; loaded when missing), for two cycles:

- the largest province's open 2026 cycle (Thành phố Hồ Chí Minh, 168 units);
- a cycle holding all 3,321 communes (the data set has none: one is built, a year after the
  open one, with ``bulk_create`` as the loaders do, the states spread as in the open cycle).

Every assessment of both cycles without answers gets a full self-assessment (random but seeded
inputs of every sub-criterion, as the dashboard bench's loader makes them) and, past the
submission, a round-1 appraisal of every sub-criterion, all with ``bulk_create``; then each
cycle's projections are computed by ``projections.refresh_all`` (timed: what an upgrade, or a
bulk load, costs) and ANALYZE runs.

In each cycle, the first draft and the first unit under appraisal (by code) are measured: their
projection computed again ``--repeat`` times (``projections.refresh(assessment_ids=[x])``,
median: what a save adds), then, signed in as the commune's head, through
``django.test.Client`` with DEBUG off, the forecast page and a what-if on it (``?tc-<the first
proportional sub-criterion>=30``), ``--repeat`` times each (median), their query count (session
and user included) and the peak of Python allocations during one request (tracemalloc, an
untimed request). For comparison, what the forecast did before the projections were stored,
ranking the unit by scoring every unit of the cycle (``forecast.projected_inputs`` and the
engine for all of them, then ``scoring.rank``), timed once per cycle, with its allocation peak
(``--no-before`` skips it).

Everything the bench writes is in one transaction, rolled back at the end: the data set is left
as it was (the requests run in the same connection, so they see it). So the timed saves do not
include a commit.

    .venv/bin/python bench/forecast_bench.py [--repeat 15] [--no-before]

Database: DATABASE_URL, else parindex_dashboard_bench on the local PostgreSQL. Targets: the
forecast under 0.5 s, and the same number of queries for 168 and 3,321 units.
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
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchdb import analyze, in_process_production, setup_django  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/parindex_dashboard_bench"
NATIONAL_NAME = "Bench: mọi xã, phường, đặc khu trong một kỳ"
USER_PREFIX = "bench-forecast-"
TARGET_SECONDS = 0.5


class Rollback(Exception):
    """Raised at the end to undo everything the bench wrote."""


@dataclass
class Case:
    label: str
    units: int
    assessment_id: int
    status: str


def leaves_and_spec(version):
    from parindex.frameworks.models import Criterion
    from parindex.frameworks.selectors import framework_version_spec

    return list(Criterion.objects.filter(version=version).exclude(rule_kind="")), framework_version_spec(version)


def answer_rows(assessments, leaves, parsed, rng, *, appraised: set[int]):
    """A full self-assessment of each assessment and, for those in ``appraised``, a round-1
    appraisal of every sub-criterion, as the dashboard bench's loader makes them."""
    from dashboard_bench import random_inputs

    from parindex.appraisals.models import ItemAppraisal
    from parindex.assessments.inputs import clean_inputs, to_stored
    from parindex.assessments.models import Answer

    answers, appraisals = [], []
    for assessment in assessments:
        for leaf in leaves:
            node = parsed.node(leaf.code)
            own = random_inputs(leaf.rule_kind, leaf.max_points, rng)
            answers.append(Answer(assessment=assessment, criterion=leaf, inputs=to_stored(clean_inputs(node, own))))
            if assessment.pk in appraised:
                theirs = random_inputs(leaf.rule_kind, leaf.max_points, rng, at_most=own)
                appraisals.append(
                    ItemAppraisal(
                        assessment=assessment, criterion=leaf, round=1, inputs=to_stored(clean_inputs(node, theirs))
                    )
                )
    Answer.objects.bulk_create(answers, batch_size=20_000)
    ItemAppraisal.objects.bulk_create(appraisals, batch_size=20_000)
    return len(answers), len(appraisals)


def fill(cycle, rng) -> None:
    """A full self-assessment for every assessment of the cycle that has no answer, and a
    round-1 appraisal of it for those past the submission."""
    from django.db.models import Exists, OuterRef

    from parindex.assessments.models import Answer, Assessment
    from parindex.assessments.workflow import Status

    started = time.perf_counter()
    answered = Answer.objects.filter(assessment=OuterRef("pk"))
    empty = list(Assessment.objects.filter(cycle=cycle).exclude(Exists(answered)).order_by("pk"))
    leaves, parsed = leaves_and_spec(cycle.framework_version)
    appraised = {a.pk for a in empty if a.status not in (Status.DRAFT, Status.SUBMITTED)}
    n_answers, n_appraisals = answer_rows(empty, leaves, parsed, rng, appraised=appraised)
    print(
        f"filled:    {len(empty):,} assessments of cycle {cycle.year} ({cycle.name}): {n_answers:,} answers, "
        f"{n_appraisals:,} appraisals ({time.perf_counter() - started:.0f} s)"
    )


def national_cycle(open_cycle):
    """A cycle of every current commune, a year after the open one, the states spread as in it."""
    from dashboard_bench import OPEN_YEAR

    from parindex.assessments.models import Assessment, Cycle
    from parindex.assessments.workflow import Status
    from parindex.units.models import AdministrativeUnit

    year = OPEN_YEAR + 1
    cycle = Cycle.objects.create(
        province_id=open_cycle.province_id,
        year=year,
        framework_version=open_cycle.framework_version,
        name=NATIONAL_NAME,
        self_assessment_due=dt.date(year, 12, 15),
        appraisal_due=dt.date(year + 1, 1, 15),
        clarification_due=dt.date(year + 1, 1, 31),
        publication_due=dt.date(year + 1, 2, 28),
    )
    communes = list(AdministrativeUnit.objects.filter(era="current", level=3).order_by("code"))
    states = [s for s in Status if s not in (Status.APPROVED, Status.PUBLISHED)]
    Assessment.objects.bulk_create(
        [Assessment(cycle=cycle, unit=u, status=states[i % len(states)]) for i, u in enumerate(communes)]
    )
    return cycle


def time_refresh_all(cycle) -> tuple[float, int]:
    """Seconds of ``projections.refresh_all`` over the cycle (what an upgrade or a bulk load
    costs), then ANALYZE (untimed)."""
    from parindex.indicators import projections

    analyze()
    started = time.perf_counter()
    written = projections.refresh_all(cycle_ids=[cycle.pk])
    seconds = time.perf_counter() - started
    print(f"refresh_all: {written:,} projections of cycle {cycle.year} in {seconds:.1f} s")
    analyze()
    return seconds, written


def measured_units(cycle, label: str) -> list[Case]:
    """A draft and a unit under appraisal of the cycle (the first by code)."""
    from parindex.assessments.models import Assessment
    from parindex.assessments.workflow import Status

    units = Assessment.objects.filter(cycle=cycle).count()
    out = []
    for status in (Status.DRAFT, Status.APPRAISING):
        assessment = Assessment.objects.filter(cycle=cycle, status=status).order_by("unit__code").first()
        out.append(Case(label, units, assessment.pk, status))
    return out


def time_saves(case: Case, repeat: int) -> float:
    """Median seconds of ``projections.refresh(assessment_ids=[x])``: what a save adds."""
    from parindex.indicators import projections

    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        projections.refresh(assessment_ids=[case.assessment_id])
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def head_client(assessment_id: int):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from parindex.accounts.models import Role, RoleAssignment
    from parindex.assessments.models import Assessment

    unit = Assessment.objects.select_related("unit").get(pk=assessment_id).unit
    user = get_user_model().objects.create_user(
        f"{USER_PREFIX}{unit.code}-{assessment_id}", password=None, unit=unit, must_change_password=False
    )
    RoleAssignment.objects.create(user=user, role=Role.COMMUNE_HEAD, unit=unit)
    client = Client()
    client.force_login(user, "parindex.accounts.backends.AccountBackend")
    return client


def what_if_query(case: Case) -> str:
    """?tc-<the first proportional sub-criterion>=30: a what-if raising it to 30 %."""
    from parindex.assessments.models import Assessment
    from parindex.frameworks.selectors import framework_version_spec
    from parindex.indicators import forecast

    assessment = Assessment.objects.select_related("cycle__framework_version").get(pk=case.assessment_id)
    spec = framework_version_spec(assessment.cycle.framework_version)
    leaf = next(x for x in spec.leaves if x.rule and x.rule.kind == "proportional")
    if forecast.forecast(assessment, {leaf.code: "30"}).what_if is None:  # the page would show no what-if
        raise RuntimeError(f"no what-if for {leaf.code}=30")
    return f"?tc-{leaf.code}=30"


def measure_page(case: Case, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    client = head_client(case.assessment_id)
    url = reverse("indicators:forecast", args=[case.assessment_id])
    out = {}
    for kind, query in (("forecast", ""), ("what-if", what_if_query(case))):

        def page(query=query):
            response = client.get(url + query)
            if response.status_code != 200:
                raise RuntimeError(f"{url}{query} answered {response.status_code}")
            return response

        page()  # warm: templates compiled, the framework's spec cached
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            page()
        queries = len(captured.captured_queries)  # read now: the next request clears the log
        tracemalloc.start()
        page()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            page()
            times.append(time.perf_counter() - started)
        out[kind] = {"seconds": statistics.median(times), "queries": queries, "peak": peak}
    return out


def score_every_unit(cycle_id: int) -> tuple[float, int, int]:
    """The rank as the forecast found it before the projections were stored: every unit of the
    cycle projected and scored by the engine, then ranked. Seconds, allocation peak, units."""
    from parindex import scoring
    from parindex.assessments.models import Assessment, Cycle
    from parindex.frameworks.selectors import framework_version_spec
    from parindex.indicators.forecast import projected_inputs, score_projected

    def run() -> int:
        cycle = Cycle.objects.select_related("framework_version").get(pk=cycle_id)
        spec = framework_version_spec(cycle.framework_version)
        units = list(
            Assessment.objects.filter(cycle=cycle).only("id", "unit_id", "status").order_by("unit__name", "pk")
        )
        projected, _used = projected_inputs(units, spec, cycle.year)
        scores = {pk: score_projected(spec, values) for pk, values in projected.items()}
        list(scoring.rank((a.pk, scores[a.pk].percent or 0) for a in units))
        return len(units)

    tracemalloc.start()
    run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    started = time.perf_counter()
    n = run()
    return time.perf_counter() - started, peak, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="timed requests of each page (median kept)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--no-before", action="store_true", help="skip ranking by scoring every unit")
    args = parser.parse_args()

    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    in_process_production()
    database = setup_django()
    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.conf import settings
    from django.db import transaction
    from django.db.models import Count

    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        print("forecast_bench needs PostgreSQL: set DATABASE_URL=postgres://…")
        return 2
    import dashboard_bench

    from parindex.assessments.models import Assessment, Cycle
    from parindex.results.models import PublishedResult

    print(f"database:  {database}")
    if not PublishedResult.objects.exists():
        dashboard_bench.load(random.Random(2025))  # dashboard_bench's default seed; ends with the projections
    rng = random.Random(args.seed)
    counts = dict(
        Assessment.objects.filter(cycle__year=dashboard_bench.OPEN_YEAR)
        .values("cycle_id")
        .annotate(n=Count("id"))
        .values_list("cycle_id", "n")
    )
    open_cycle = Cycle.objects.select_related("province", "framework_version").get(pk=max(counts, key=counts.get))
    print(f"open:      {open_cycle.province.name}, cycle {open_cycle.year} of {counts[open_cycle.pk]} units")

    rows, saves, before, refresh_all = [], {}, {}, {}
    try:
        with transaction.atomic():
            national = national_cycle(open_cycle)
            for cycle in (open_cycle, national):
                fill(cycle, rng)
                refresh_all[cycle.pk] = time_refresh_all(cycle)
            cases = measured_units(open_cycle, open_cycle.province.name)
            cases += measured_units(national, "all communes")
            for case in cases:
                saves[(case.units, case.status)] = time_saves(case, args.repeat)
            analyze()
            for case in cases:
                rows.append((case, measure_page(case, args.repeat)))
            if not args.no_before:
                for cycle in (open_cycle, national):
                    before[cycle.pk] = score_every_unit(cycle.pk)
            raise Rollback
    except Rollback:
        pass

    print(f"\n{'cycle':<28}{'units':>6}  {'unit':<11}{'page':<9}{'queries':>8}{'median ms':>11}{'peak MB':>9}")
    worst, counts_by_kind = 0.0, {}
    for case, pages in rows:
        for kind, m in pages.items():
            worst = max(worst, m["seconds"])
            counts_by_kind.setdefault((kind, case.status), set()).add(m["queries"])
            print(
                f"{case.label[:27]:<28}{case.units:>6}  {case.status:<11}{kind:<9}{m['queries']:>8}"
                f"{m['seconds'] * 1000:>11.1f}{m['peak'] / 1e6:>9.1f}"
            )
    print("\nwhat a save adds, projections.refresh(assessment_ids=[x]) (median, no commit):")
    for (units, status), seconds in saves.items():
        print(f"  {units:>5} units, {status:<11} {seconds * 1000:7.1f} ms")
    print("what an upgrade (or a bulk load) costs, projections.refresh_all() of a cycle:")
    for seconds, written in refresh_all.values():
        print(f"  {written:>5} units: {seconds:6.1f} s ({seconds / written * 1000:.1f} ms a unit)")
    if before:
        print("\nbefore the stored projections: the rank by scoring every unit of the cycle (once):")
        for seconds, peak, n in before.values():
            print(f"  {n:>5} units: {seconds:6.2f} s, peak {peak / 1e6:6.1f} MB of Python allocations")
    same = all(len(v) == 1 for v in counts_by_kind.values())
    print(f"\ntarget: the forecast under {TARGET_SECONDS} s — {'met' if worst < TARGET_SECONDS else 'NOT met'} "
          f"(slowest {worst * 1000:.0f} ms)")  # fmt: skip
    print(f"target: queries independent of the number of units — {'met' if same else 'NOT met'}")
    return 0 if worst < TARGET_SECONDS and same else 1


if __name__ == "__main__":
    sys.exit(main())
