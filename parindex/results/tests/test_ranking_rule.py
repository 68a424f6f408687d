"""The ranking rule as published (docs/ranking.md), and a correction keeping the rows it
supersedes exactly as they were published."""

from __future__ import annotations

import datetime as dt

import pytest

from parindex.accounts.selectors import principal_for
from parindex.appraisals.models import ItemAppraisal
from parindex.assessments.models import Assessment
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import services
from parindex.results.models import PublishedResult, PublishedScore
from parindex.results.tests.factories import bulk_cycle, bulk_units
from parindex.scoring.decimals import plain

pytestmark = pytest.mark.django_db


def publish(province, version, staff, tune):
    units = bulk_units(province, 2)
    cycle = bulk_cycle(province, version, units)
    assessments = list(Assessment.objects.filter(cycle=cycle).order_by("unit__code"))
    ItemAppraisal.objects.filter(assessment__cycle=cycle, criterion__rule_kind="proportional").update(
        inputs={"value": "1"}
    )
    tune(assessments)
    chair, admin = staff["chair"], staff["admin"]
    approval = services.approval_create(
        cycle=cycle, assessments=assessments, name="Khối xã", actor=chair, principal=principal_for(chair)
    )
    publication = services.publication_publish(
        approval=approval, decision_number="1/QĐ-UBND", decision_date=dt.date(2027, 2, 1), actor=admin,
        principal=principal_for(admin),
    )  # fmt: skip
    return publication, units


def test_the_rank_follows_the_index_not_the_raw_total(province, version, staff):
    """A: the largest proportional item does not apply, nothing else lost (lower total, 100 %);
    B: it applies and loses a tenth of it (higher total, lower index). A is first."""
    spec = framework_version_spec(version)
    big = max((n for n in spec.leaves if n.rule.kind == "proportional"), key=lambda n: (n.max, n.code))
    criterion = Criterion.objects.get(version=version, code=big.code)

    def tune(assessments):
        a, b = assessments
        ItemAppraisal.objects.filter(assessment=a, criterion=criterion).update(inputs={"applicable": False})
        ItemAppraisal.objects.filter(assessment=b, criterion=criterion).update(inputs={"value": "0.9"})

    publication, (a, b) = publish(province, version, staff, tune)
    ra, rb = (
        PublishedResult.objects.get(publication=publication, unit=a),
        PublishedResult.objects.get(publication=publication, unit=b),
    )
    assert ra.total < rb.total and ra.percent > rb.percent
    assert (ra.rank, rb.rank) == (1, 2)


def test_equal_indexes_share_the_rank(province, version, staff):
    publication, (a, b) = publish(province, version, staff, lambda assessments: None)
    ranks = sorted(PublishedResult.objects.filter(publication=publication).values_list("rank", "rank_of"))
    assert ranks == [(1, 2), (1, 2)]


def test_a_correction_keeps_the_superseded_rows_as_published(province, version, staff):
    spec = framework_version_spec(version)
    big = max((n for n in spec.leaves if n.rule.kind == "proportional"), key=lambda n: (n.max, n.code))
    criterion = Criterion.objects.get(version=version, code=big.code)

    def tune(assessments):
        ItemAppraisal.objects.filter(assessment=assessments[0], criterion=criterion).update(inputs={"value": "0.5"})

    publication, (a, b) = publish(province, version, staff, tune)
    columns = ("unit_id", "total", "percent", "classification", "rank", "rank_of", "rank_change", "scores")
    before = sorted(PublishedResult.objects.filter(publication=publication).values_list(*columns))
    nodes_before = sorted(
        PublishedScore.objects.filter(publication=publication).values_list("unit_id", "code", "score")
    )
    ItemAppraisal.objects.filter(assessment__unit=a, criterion=criterion).update(inputs={"value": "1"})
    admin = staff["admin"]
    corrected = services.publication_correct(
        publication=publication, reason="Sai số liệu", decision_number="2/QĐ-UBND", decision_date=dt.date(2027, 3, 1),
        actor=admin, principal=principal_for(admin),
    )  # fmt: skip
    assert sorted(PublishedResult.objects.filter(publication=publication).values_list(*columns)) == before
    assert sorted(PublishedScore.objects.filter(publication=publication).values_list("unit_id", "code", "score")) == (
        nodes_before
    )
    publication.refresh_from_db()
    assert not publication.is_current and corrected.supersedes_id == publication.pk
    assert sorted(corrected.results.values_list("rank", flat=True)) == [1, 1]  # now equal


def test_a_group_approved_with_the_total_tie_break_orders_equal_indexes_by_points(province, version, staff, client):
    """Both units at 100 %: A with the largest proportional item not applicable (fewer points),
    B with everything applicable. Shared by default; with the group's tie-break, B first."""
    from parindex import scoring

    spec = framework_version_spec(version)
    big = max((n for n in spec.leaves if n.rule.kind == "proportional"), key=lambda n: (n.max, n.code))
    criterion = Criterion.objects.get(version=version, code=big.code)
    units = bulk_units(province, 2)
    cycle = bulk_cycle(province, version, units)
    assessments = list(Assessment.objects.filter(cycle=cycle).order_by("unit__code"))
    full = {"binary": {"met": True}, "proportional": {"value": "1"}, "tiered": {"value": "1"}, "count": {"count": 99},
            "deduction": {"count": 0}, "timeliness": {"days_late": 0}}  # fmt: skip
    for kind, inputs in full.items():
        ItemAppraisal.objects.filter(assessment__cycle=cycle, criterion__rule_kind=kind).update(inputs=inputs)
    for leaf in Criterion.objects.filter(version=version, rule_kind="manual"):
        ItemAppraisal.objects.filter(assessment__cycle=cycle, criterion=leaf).update(
            inputs={"score": plain(leaf.max_points)}
        )
    ItemAppraisal.objects.filter(assessment=assessments[0], criterion=criterion).update(inputs={"applicable": False})
    chair, admin = staff["chair"], staff["admin"]
    approval = services.approval_create(
        cycle=cycle, assessments=assessments, name="Khối xã", tie_break=scoring.TIE_TOTAL, actor=chair,
        principal=principal_for(chair),
    )  # fmt: skip
    publication = services.publication_publish(
        approval=approval, decision_number="1/QĐ-UBND", decision_date=dt.date(2027, 2, 1), actor=admin,
        principal=principal_for(admin),
    )  # fmt: skip
    ra = PublishedResult.objects.get(publication=publication, unit=units[0])
    rb = PublishedResult.objects.get(publication=publication, unit=units[1])
    assert ra.percent == rb.percent and ra.total < rb.total
    assert (ra.rank, rb.rank) == (2, 1)
    page = client.get(f"/ket-qua/{publication.pk}/").content.decode()
    assert "riêng nhóm này Hội đồng chọn: chỉ số bằng nhau thì đơn vị có tổng điểm đạt cao hơn xếp trên" in page
