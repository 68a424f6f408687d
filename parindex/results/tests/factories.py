"""Building result scenes in bulk: hundreds of units, assessments, answers and appraisals
in a few inserts, for query-count and page tests of the results app."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from parindex.appraisals.models import ItemAppraisal
from parindex.assessments.inputs import clean_inputs, to_stored
from parindex.assessments.models import Answer, Assessment, Cycle
from parindex.assessments.tests.factories import DUES, SAMPLE_INPUTS
from parindex.assessments.workflow import Status
from parindex.frameworks.models import Criterion, FrameworkVersion
from parindex.frameworks.selectors import framework_version_spec
from parindex.results.models import Approval, ApprovalEntry, Publication, PublishedResult
from parindex.scoring.decimals import fixed, plain
from parindex.units.models import AdministrativeUnit, fold_name


def bulk_units(province: AdministrativeUnit, n: int, *, first: int = 0) -> list[AdministrativeUnit]:
    """``n`` new communes of ``province`` (codes 8xxxx, names Xã Thử nghiệm 001 ...)."""
    units = [
        AdministrativeUnit(
            era="current",
            code=f"8{i:04d}",
            name=f"Xã Thử nghiệm {i:03d}",
            search_name=fold_name(f"Xã Thử nghiệm {i:03d}"),
            kind="xa",
            level=3,
            parent=province,
            province=province,
        )  # fmt: skip
        for i in range(first, first + n)
    ]
    return AdministrativeUnit.objects.bulk_create(units)


def bulk_cycle(
    province: AdministrativeUnit,
    version: FrameworkVersion,
    units: Sequence[AdministrativeUnit],
    *,
    status: str | Callable[[int], str] = Status.APPRAISED,
    year: int = 2026,
) -> Cycle:
    """A cycle of ``units``, each with an answer for every sub-criterion and a round-1 appraisal.

    ``status`` is every assessment's state, or a function of the unit's position. The
    appraised inputs differ from unit to unit (the proportional ratios run from 0,50 to
    0,99), so the units do not all tie.
    """
    cycle = Cycle.objects.create(
        province=province,
        year=year,
        framework_version=version,
        name=f"Chỉ số CCHC năm {year} – {province.name}",
        **DUES,
    )
    states = [status(i) if callable(status) else status for i in range(len(units))]
    assessments = Assessment.objects.bulk_create(
        [Assessment(cycle=cycle, unit=unit, status=state) for unit, state in zip(units, states, strict=True)]
    )
    spec = framework_version_spec(version)
    leaves = list(Criterion.objects.filter(version=version).exclude(rule_kind=""))
    answers, appraisals = [], []
    for i, assessment in enumerate(assessments):
        for leaf in leaves:
            node = spec.node(leaf.code)
            own = to_stored(clean_inputs(node, SAMPLE_INPUTS[leaf.rule_kind]))
            answers.append(Answer(assessment=assessment, criterion=leaf, inputs=own))
            if states[i] in (Status.DRAFT, Status.SUBMITTED):
                continue
            appraised = dict(own)
            if leaf.rule_kind == "proportional":
                appraised["value"] = str(Decimal(50 + (i * 7) % 50) / 100)
            appraisals.append(ItemAppraisal(assessment=assessment, criterion=leaf, round=1, inputs=appraised))
    Answer.objects.bulk_create(answers)
    ItemAppraisal.objects.bulk_create(appraisals)
    return cycle


def bulk_publication(
    province: AdministrativeUnit, version: FrameworkVersion, n: int, *, year: int = 2025
) -> Publication:
    """A publication of ``n`` frozen rows written directly (no scoring), as the public pages read them."""
    units = bulk_units(province, n, first=5000)
    cycle = Cycle.objects.create(
        province=province, year=year, framework_version=version, name=f"Chỉ số CCHC năm {year}",
        **{key: due.replace(year=due.year - (2026 - year)) for key, due in DUES.items()},
    )  # fmt: skip
    assessments = Assessment.objects.bulk_create(
        [Assessment(cycle=cycle, unit=u, status=Status.PUBLISHED) for u in units]
    )
    approval = Approval.objects.create(cycle=cycle, name="Khối xã, phường, đặc khu")
    ApprovalEntry.objects.bulk_create([ApprovalEntry(approval=approval, assessment=a) for a in assessments])
    spec = framework_version_spec(version)
    publication = Publication.objects.create(
        approval=approval, decision_number=f"{n}/QĐ-UBND", decision_date=dt.date(year + 1, 2, 20), year=year,
        issuer=f"UBND {province.name.lower()}", places=2,
        fields=[{"code": r.code, "name": r.name, "max": plain(r.max)} for r in spec.roots],
        previous_label=f"Năm {year - 1} (Quyết định 24/QĐ-UBND)",
    )  # fmt: skip
    rows = []
    for i, (unit, assessment) in enumerate(zip(units, assessments, strict=True)):
        percent = Decimal(9000 - i * 7) / 100
        rows.append(
            PublishedResult(
                publication=publication,
                assessment=assessment,
                unit=unit,
                unit_name=unit.name,
                total=percent,
                self_total=percent + 1,
                applicable_max=100,
                percent=percent,
                classification="Tốt" if percent >= 80 else "Khá",
                rank=i + 1,
                rank_of=n,
                previous_percent=percent - 1,
                previous_rank=n - i,
                previous_of=n,
                previous_sources=[unit.name] if i % 2 else ["Xã Cũ A", "Xã Cũ B"],
                rank_change=(n - i) - (i + 1),
                scores={r.code: [fixed(r.max - Decimal("0.5")), plain(r.max)] for r in spec.roots},
            )  # fmt: skip
        )
    PublishedResult.objects.bulk_create(rows)
    return publication
