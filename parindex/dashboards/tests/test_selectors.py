"""The dashboards' SQL aggregates against the same figures computed in Python from the
published rows, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter
from decimal import Decimal

import pytest

from parindex.appraisals.models import ClarificationRequest
from parindex.assessments.models import Assessment, DeadlineExtension, Stage
from parindex.assessments.workflow import Status
from parindex.dashboards import selectors
from parindex.dashboards.tests.factories import open_cycle, publish_year, two_years
from parindex.results.models import PublishedResult, PublishedScore
from parindex.results.tests.factories import bulk_units

pytestmark = pytest.mark.django_db

TWO = Decimal("0.01")


@pytest.fixture
def scene(province, version, staff, commune, other_commune):
    units = [commune, other_commune, *bulk_units(province, 9)]
    before, after = two_years(province, version, units, staff)
    return {"units": units, "before": before, "after": after, "scope": selectors.Scope((after,))}


def test_summary_matches_the_published_rows(scene):
    rows = list(scene["after"].results.all())
    s = selectors.summary(scene["scope"])
    percents = sorted(r.percent for r in rows)
    q1, median, q3 = statistics.quantiles([float(p) for p in percents], n=4, method="inclusive")
    assert s.count == len(rows) == 11
    assert s.mean == (sum(percents) / len(percents)).quantize(TWO)
    assert (s.minimum, s.maximum) == (percents[0].quantize(TWO), percents[-1].quantize(TWO))
    assert (s.q1, s.median, s.q3) == tuple(Decimal(str(round(v, 2))).quantize(TWO) for v in (q1, median, q3))
    assert s.q1 < s.median < s.q3  # the units do not all tie
    assert s.compared == 11 and s.improved == sum(r.rank_change > 0 for r in rows) > 0
    assert s.declined == sum(r.rank_change < 0 for r in rows) > 0
    gaps = [r.self_total - r.total for r in rows]
    assert s.mean_gap == (sum(gaps) / len(gaps)).quantize(TWO) > 0


@pytest.mark.parametrize("n", [1, 2, 4])
def test_quartiles_of_few_units_interpolate_like_percentile_cont(province, version, staff, n):
    publication = publish_year(province, version, bulk_units(province, n), staff, year=2025)
    s = selectors.summary(selectors.Scope((publication,)))
    values = sorted(float(p) for p in publication.results.values_list("percent", flat=True))
    expected = statistics.quantiles(values, n=4, method="inclusive") if n > 1 else values * 3
    assert (s.q1, s.median, s.q3) == tuple(Decimal(str(round(v, 2))).quantize(TWO) for v in expected)


def test_the_histogram_counts_every_unit_once_and_100_is_in_the_top_band(scene):
    after = scene["after"]
    rows = list(after.results.all())
    first, last = rows[0], rows[1]
    PublishedResult.objects.filter(pk=first.pk).update(percent=Decimal(100))
    PublishedResult.objects.filter(pk=last.pk).update(percent=Decimal("94.99"))
    bands = selectors.histogram(scene["scope"])
    assert [lo for lo, _ in bands] == list(range(0, 100, 5))
    assert sum(n for _, n in bands) == 11
    counts = Counter(min(int(r.percent // 5), 19) * 5 for r in after.results.all())
    assert dict((lo, n) for lo, n in bands if n) == dict(counts)
    assert dict(bands)[95] >= 1 and dict(bands)[90] >= 1


def test_field_losses_average_the_frozen_field_scores(scene):
    after = scene["after"]
    losses = {f.code: f for f in selectors.field_losses(scene["scope"])}
    assert list(losses) == [f["code"] for f in after.fields]
    assert {f.name for f in losses.values()} == {f["name"] for f in after.fields}
    for code, f in losses.items():
        scores = [Decimal(r.scores[code][0]) for r in after.results.all()]
        maximum = Decimal(after.results.first().scores[code][1])
        assert f.mean_score == (sum(scores) / len(scores)).quantize(TWO)
        assert f.total_lost == sum(maximum - s for s in scores).quantize(TWO)
        assert f.losing == sum(s < maximum for s in scores)


def test_criterion_losses_count_the_units_that_lost_points_and_over_claimed(scene):
    after = scene["after"]
    losses = selectors.criterion_losses(scene["scope"])
    leaves = PublishedScore.objects.filter(publication=after, is_leaf=True, score__isnull=False)
    by_code: dict[str, list[PublishedScore]] = {}
    for row in leaves:
        by_code.setdefault(row.code, []).append(row)
    assert {c.code for c in losses} == set(by_code)
    assert [c.losing for c in losses] == sorted((c.losing for c in losses), reverse=True)
    for c in losses:
        rows = by_code[c.code]
        assert c.units == len(rows) == 11
        assert c.losing == sum(r.lost > 0 for r in rows)
        assert c.over_claimed == sum(r.self_score > r.score for r in rows)
        assert c.name and c.name != c.code  # the sub-criterion's title is joined in
    worst = losses[0]
    assert worst.losing > 0 and worst.losing_share == (Decimal(100) * worst.losing / 11).quantize(Decimal("0.1"))
    assert sum(c.over_claimed for c in losses) > 0  # the sample self-assessment claims full ratios


def test_a_classification_filter_narrows_every_aggregate(scene):
    after = scene["after"]
    classes = selectors.classification_counts(selectors.Scope((after,)))
    assert sum(n for _, n in classes) == 11
    chosen = classes[0][0]
    scope = selectors.Scope((after,), classification=chosen)
    n = after.results.filter(classification=chosen).count()
    assert selectors.summary(scope).count == n
    assert sum(c for _, c in selectors.histogram(scope)) == n
    assert all(c.units == n for c in selectors.criterion_losses(scope))
    assert selectors.ranking(scope, "hang").count() == n


def test_each_shape_of_scope_reads_its_own_rows(scene):
    # The statements are compiled once per shape (how many publications, a classification
    # filter); each scope still gets its own rows, and one without publications none.
    after, before = scene["after"], scene["before"]
    both = selectors.Scope((after, before))
    assert selectors.summary(both).count == after.results.count() + before.results.count() == 22
    assert selectors.summary(selectors.Scope((before,))).count == 11
    classes = [
        (c, n) for c, n in selectors.classification_counts(selectors.Scope((after,))) if c != selectors.UNCLASSIFIED
    ]
    assert classes  # the classified units (every one, in this scene)
    for chosen, n in classes:
        assert selectors.summary(selectors.Scope((after,), classification=chosen)).count == n
        assert selectors.summary(selectors.Scope((after, before), classification=chosen)).count == (
            n + before.results.filter(classification=chosen).count()
        )
    empty = selectors.Scope(())
    assert selectors.summary(empty).count == 0 and selectors.summary(empty).mean is None
    assert sum(n for _, n in selectors.histogram(empty)) == 0 and selectors.movers(empty) == ([], [])


def test_the_ranking_sorts_by_every_key_in_both_directions(scene):
    scope = scene["scope"]
    rows = list(selectors.ranking(scope, "hang"))
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)
    assert [r.unit_name for r in selectors.ranking(scope, "-ten")] == sorted((r.unit_name for r in rows), reverse=True)
    gaps = [r.gap for r in selectors.ranking(scope, "chenh-lech")]
    assert gaps == sorted(gaps, reverse=True)
    changes = [r.rank_change for r in selectors.ranking(scope, "-thay-doi")]
    assert changes == sorted(changes)
    assert [r.rank for r in selectors.ranking(scope, "khong-co")] == [r.rank for r in rows]  # unknown: by rank


def test_movers_are_the_biggest_climbs_and_falls(scene):
    rows = list(scene["after"].results.all())
    up, down = selectors.movers(scene["scope"], limit=3)
    assert [r.rank_change for r in up] == sorted((r.rank_change for r in rows if r.rank_change > 0), reverse=True)[:3]
    assert [r.rank_change for r in down] == sorted(r.rank_change for r in rows if r.rank_change < 0)[:3]


def test_field_standing_ranks_the_commune_within_each_field(scene, commune):
    history = selectors.unit_history(commune)
    latest = history.latest
    assert [r.year for r in history.rows] == [2024, 2025] and latest.year == 2025
    standing = selectors.field_standing(latest, scene["after"].fields)
    assert [f.code for f in standing] == [f["code"] for f in scene["after"].fields]
    results = list(scene["after"].results.all())
    for f in standing:
        scores = sorted((Decimal(r.scores[f.code][0]) for r in results), reverse=True)
        mine = Decimal(next(r for r in results if r.unit_id == commune.pk).scores[f.code][0])
        assert f.rank == scores.index(mine) + 1 and f.of == 11
        assert f.mean == (sum(scores) / 11).quantize(TWO)
        assert f.lost == (f.maximum - f.score)


def test_field_standing_ranks_by_percent_of_the_applicable_maximum(scene, commune, other_commune):
    """In the first field the commune scores more points than the other commune, but a
    sub-criterion worth half the field did not apply to the other one: by percent of what
    applied (80% against 60%) the other commune comes first, though raw points say otherwise."""
    after = scene["after"]
    code = after.fields[0]["code"]
    rows = PublishedScore.objects.filter(publication=after, depth=0, code=code)
    maximum = rows.get(unit=commune).applicable_max
    rows.exclude(unit__in=[commune, other_commune]).update(score=0, lost=maximum)
    rows.filter(unit=commune).update(score=maximum * 6 / 10, lost=maximum * 4 / 10)
    rows.filter(unit=other_commune).update(score=maximum * 4 / 10, applicable_max=maximum / 2, lost=maximum / 10)
    mine = selectors.field_standing(selectors.unit_history(commune).latest, after.fields)[0]
    theirs = selectors.field_standing(selectors.unit_history(other_commune).latest, after.fields)[0]
    assert mine.score > theirs.score  # the raw order
    assert (theirs.percent, mine.percent) == (Decimal("80.00"), Decimal("60.00"))
    assert (theirs.rank, mine.rank) == (1, 2) and mine.of == theirs.of == 11
    assert mine.mean_percent == ((Decimal(80) + Decimal(60)) / 11).quantize(TWO)


def test_history_follows_merged_predecessors(scene, province, version, staff):
    from parindex.units.models import AdministrativeUnit, UnitSuccession

    old = scene["units"][2:4]
    merged = AdministrativeUnit.objects.create(
        era="current", code="90001", name="Xã Hợp Nhất", kind="xa", level=3, parent=province, province=province
    )
    UnitSuccession.objects.bulk_create([UnitSuccession(predecessor=u, successor=merged) for u in old])
    history = selectors.unit_history(merged)
    assert history.latest is None  # not published under its own name yet
    assert {(r.unit_id, r.year) for r in history.rows} == {(u.pk, y) for u in old for y in (2024, 2025)}
    assert not any(r.own for r in history.rows)
    assert set(history.province_means) == {2024, 2025}


def test_cycle_progress_counts_states_late_drafts_and_overdue_clarifications(scene, province, version):
    cycle = open_cycle(province, version, bulk_units(province, 12, first=100))
    today = dt.date(2026, 12, 20)  # after the self-assessment deadline (15/12)
    drafts = list(Assessment.objects.filter(cycle=cycle, status=Status.DRAFT).order_by("unit__name"))
    DeadlineExtension.objects.create(
        assessment=drafts[0], stage=Stage.SELF_ASSESSMENT, until=dt.date(2026, 12, 31), reason="Bão lũ"
    )
    asking = list(Assessment.objects.filter(cycle=cycle, status=Status.CLARIFICATION).order_by("unit__name"))
    ClarificationRequest.objects.create(assessment=asking[0], number=1, deadline=dt.date(2026, 12, 18))
    ClarificationRequest.objects.create(assessment=asking[1], number=1, deadline=dt.date(2026, 12, 18))
    DeadlineExtension.objects.create(
        assessment=asking[1], stage=Stage.CLARIFICATION, until=dt.date(2026, 12, 25), reason="Bổ sung minh chứng"
    )
    assert selectors.open_cycle(province.pk) == cycle
    progress = selectors.cycle_progress(cycle, today)
    assert progress.total == 12 and progress.counts[Status.DRAFT] == 2
    assert progress.not_submitted_late == 1
    assert [a.late for a in progress.not_submitted] == [True, False]  # the late one first
    assert [r.assessment for r in progress.overdue_clarifications] == [asking[0]]
    assert progress.overdue_clarification_count == 1
    assert progress.under_appraisal == 8
    assert sum(n for _, _, n, _ in progress.segments) == 12
    assert not selectors.cycle_progress(cycle, dt.date(2026, 12, 1)).not_submitted_late
