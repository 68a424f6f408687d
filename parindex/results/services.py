"""Approving, publishing and correcting results: the ranking snapshot is frozen here.

Publishing a group costs the same number of queries whatever its size: the final inputs of
every unit are read in two queries, scored by the engine in memory, ranked, compared with
the previous published cycle (two queries, following the 2025 predecessor links) and
written with one bulk insert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from parindex import scoring
from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.appraisals.selectors import final_scores_for
from parindex.assessments.models import Assessment, Cycle
from parindex.assessments.services import assessments_transition
from parindex.assessments.workflow import Status
from parindex.frameworks.selectors import framework_version_spec
from parindex.notifications import events as notification_events
from parindex.results import selectors
from parindex.results.models import Approval, ApprovalEntry, Publication, PublishedResult, PublishedScore


@transaction.atomic
def approval_create(
    *,
    cycle: Cycle,
    assessments: Iterable[Assessment],
    name: str,
    note: str = "",
    actor: Any,
    principal: Principal,
) -> Approval:
    """The council chair approves the appraised results of a group of units, ranked together."""
    if not (principal.is_superuser or principal.has_role(UnitRef(cycle.province_id), {Role.COUNCIL_CHAIR})):
        raise PermissionDenied("Chỉ Chủ tịch Hội đồng thẩm định được thông qua kết quả.")
    assessments = list(assessments)
    errors = []
    if not name.strip():
        errors.append("Đặt tên nhóm xếp hạng (ví dụ: Khối xã, phường).")
    if not assessments:
        errors.append("Chọn ít nhất một đơn vị đã thẩm định xong.")
    foreign = [a.unit.name for a in assessments if a.cycle_id != cycle.pk]
    if foreign:
        errors.append(f"Không thuộc kỳ đánh giá này: {', '.join(foreign[:5])}.")
    unfinished = [a.unit.name for a in assessments if a.status != Status.APPRAISED]
    if unfinished:
        errors.append(f"Chưa thẩm định xong: {', '.join(unfinished[:10])}.")
    if errors:
        raise ValidationError(errors)
    approval = Approval.objects.create(cycle=cycle, name=name.strip(), note=note.strip(), approved_by=actor)
    ApprovalEntry.objects.bulk_create([ApprovalEntry(approval=approval, assessment=a) for a in assessments])
    assessments_transition(
        assessments=assessments,
        to=Status.APPROVED,
        actor=actor,
        principal=principal,
        note=f"Thông qua: {approval.name}",
    )
    notification_events.results_approved(approval=approval, assessments=assessments, actor=actor)
    return approval


def _require_publisher(principal: Principal, approval: Approval) -> None:
    if not is_province_admin(principal, UnitRef(approval.cycle.province_id)):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ được công bố kết quả.")


def _decision_errors(decision_number: str, decision_date: dt.date | None) -> list[str]:
    errors = []
    if not decision_number.strip():
        errors.append("Nhập số quyết định công bố (ví dụ: 165/QĐ-UBND).")
    if decision_date is None:
        errors.append("Nhập ngày quyết định.")
    return errors


@transaction.atomic
def publication_publish(
    *,
    approval: Approval,
    decision_number: str,
    decision_date: dt.date,
    issuer: str = "",
    actor: Any,
    principal: Principal,
) -> Publication:
    """Publish an approved group under a decision: freeze its ranking snapshot."""
    _require_publisher(principal, approval)
    # Lock the approval: a second admin publishing at the same moment waits, then is told.
    Approval.objects.select_for_update().filter(pk=approval.pk).exists()
    errors = _decision_errors(decision_number, decision_date)
    if Publication.objects.filter(approval=approval).exists():
        errors.append("Nhóm này đã được công bố; muốn sửa hãy đính chính.")
    if errors:
        raise ValidationError(errors)
    assessments = selectors.approval_assessments(approval)
    publication = _snapshot(
        approval,
        assessments,
        number=1,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        issuer=issuer.strip(),
        actor=actor,
    )
    assessments_transition(
        assessments=assessments,
        to=Status.PUBLISHED,
        actor=actor,
        principal=principal,
        note=f"Công bố theo {publication.decision_number}",
    )
    notification_events.results_published(publication=publication, actor=actor)
    return publication


@transaction.atomic
def publication_correct(
    *,
    publication: Publication,
    reason: str,
    decision_number: str,
    decision_date: dt.date,
    actor: Any,
    principal: Principal,
) -> Publication:
    """Publish a corrected snapshot of the same group with a reason; the old one is kept, superseded."""
    approval = publication.approval
    _require_publisher(principal, approval)
    errors = _decision_errors(decision_number, decision_date)
    if not reason.strip():
        errors.append("Ghi lý do đính chính.")
    if not publication.is_current:
        errors.append("Chỉ đính chính bản công bố đang có hiệu lực.")
    if errors:
        raise ValidationError(errors)
    # Conditional: if someone corrected first, this publication is no longer current.
    if not Publication.objects.filter(pk=publication.pk, is_current=True).update(is_current=False):
        raise ValidationError("Bản công bố vừa được người khác đính chính; hãy tải lại trang.", code="stale")
    corrected = _snapshot(
        approval,
        selectors.approval_assessments(approval),
        number=publication.number + 1,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        issuer=publication.issuer,
        reason=reason.strip(),
        supersedes=publication,
        actor=actor,
    )
    notification_events.results_published(publication=corrected, actor=actor)
    return corrected


def _snapshot(approval: Approval, assessments: list[Assessment], *, number: int, **header: Any) -> Publication:
    cycle = approval.cycle
    spec = framework_version_spec(cycle.framework_version)
    scores = final_scores_for(assessments, spec)
    ranked = {
        r.key: r
        for r in scoring.rank(
            (a.pk, scores[a.pk].final.percent or Decimal(0)) for a in sorted(assessments, key=lambda a: a.unit.name)
        )
    }
    previous = selectors.previous_results([a.unit_id for a in assessments], cycle.year)
    standing = scoring.previous_standing(
        [a.unit_id for a in assessments], previous.percents, previous.predecessors, places=spec.rounding
    )
    publication = Publication.objects.create(
        approval=approval,
        number=number,
        year=cycle.year,
        places=spec.rounding,
        fields=[{"code": n.code, "name": n.name, "max": scoring.decimals.plain(n.max)} for n in spec.roots],
        previous_label=previous.label,
        published_by=actor if getattr(actor := header.pop("actor"), "pk", None) else None,
        **header,
    )
    rows = []
    node_rows = []
    for a in assessments:
        final = scores[a.pk].final
        place = ranked[a.pk]
        before = standing[a.unit_id]
        result = PublishedResult(
            publication=publication,
            assessment=a,
            unit=a.unit,
            unit_name=a.unit.name,
            total=final.total,
            self_total=scores[a.pk].self.total,
            applicable_max=final.applicable_max,
            percent=final.percent or Decimal(0),
            classification=final.classification or "",
            rank=place.rank,
            rank_of=place.of,
            previous_percent=before.value if before else None,
            previous_rank=before.rank if before else None,
            previous_of=before.of if before else None,
            previous_sources=[previous.names.get(k, str(k)) for k in before.sources] if before else [],
            rank_change=before.rank - place.rank if before else None,
            scores={
                ns.code: [
                    scoring.decimals.fixed(ns.score) if ns.applicable else None,
                    scoring.decimals.plain(ns.applicable_max),
                ]
                for ns in final.nodes()
            },
        )
        rows.append(result)
        node_rows.extend(_node_scores(publication, result, final, scores[a.pk].self))
    PublishedResult.objects.bulk_create(rows)  # sets the primary keys the node rows point at
    PublishedScore.objects.bulk_create(node_rows)
    return publication


def _node_scores(
    publication: Publication, result: PublishedResult, final: scoring.UnitScore, self_score: scoring.UnitScore
) -> list[PublishedScore]:
    """The result's nodes as rows for the aggregates (score None: not applicable)."""
    rows = []
    for position, (ns, own) in enumerate(zip(final.nodes(), self_score.nodes(), strict=True)):
        rows.append(
            PublishedScore(
                result=result,
                publication=publication,
                unit=result.unit,
                code=ns.code,
                position=position,
                depth=ns.node.depth,
                is_leaf=ns.node.is_leaf,
                score=ns.score if ns.applicable else None,
                self_score=own.score if own.applicable else None,
                applicable_max=ns.applicable_max,
                lost=ns.lost if ns.applicable else Decimal(0),
            )
        )
    return rows
