"""Approving, publishing and correcting results: the ranking snapshot is frozen here.

Publishing a group costs the same number of queries whatever its size: the final inputs of
every unit are read in two queries, scored by the engine in memory, ranked, compared with
the previous published cycle (two queries, following the 2025 predecessor links) and
written with one bulk insert of the results and one of their node scores.

It is also cheap per unit, so that a whole country publishes in seconds: the inputs are read
as plain values (no model object per answer), only the two scores a publication freezes are
computed (self-assessed and final), and the node scores (about 65 a unit) go in as plain
tuples through one statement (PostgreSQL's COPY; one prepared insert run for every row
elsewhere), never as model objects. Once the publication commits, its files are built and
stored (``files.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import nullcontext
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from parindex import scoring
from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.appraisals.models import ItemAppraisal
from parindex.appraisals.selectors import inputs_responses
from parindex.assessments.models import Answer, Assessment, Cycle
from parindex.assessments.services import assessments_transition
from parindex.assessments.workflow import Status
from parindex.core.aggregates import JSONGroupObject
from parindex.frameworks.selectors import framework_version_spec
from parindex.notifications import events as notification_events
from parindex.results import files, selectors
from parindex.results.models import Approval, ApprovalEntry, Publication, PublishedResult, PublishedScore

# Rows a bulk insert of results sends in one statement (the database may lower it: Django keeps
# SQLite under its 999-parameter default).
BATCH_SIZE = 2000


@transaction.atomic
def approval_create(
    *,
    cycle: Cycle,
    assessments: Iterable[Assessment],
    name: str,
    note: str = "",
    tie_break: str = scoring.TIE_SHARE,
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
    if tie_break not in scoring.TIE_BREAKS:
        errors.append("Cách xếp hạng khi bằng chỉ số không hợp lệ.")
    if errors:
        raise ValidationError(errors)
    approval = Approval.objects.create(
        cycle=cycle, name=name.strip(), note=note.strip(), tie_break=tie_break, approved_by=actor
    )
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
    files.files_after_publish(publication)
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
    files.files_after_correction(corrected)
    return corrected


def _publication_scores(
    assessments: Sequence[Assessment], spec: scoring.Framework
) -> dict[int, tuple[scoring.UnitScore, scoring.UnitScore]]:
    """The self-assessed and final scores of each assessment (two queries).

    The same inputs and the same merge as ``appraisals.selectors.final_scores_for`` (the
    appraisers' round 1, then round 2, over the commune's answers), without the
    first-appraisal projection a publication does not freeze. Each assessment's answers, and
    each of its appraisal rounds, arrive as one JSON object by criterion code
    (``JSONGroupObject``): one decoding per assessment instead of one per answer (a national
    publication reads 350,000 of them).
    """
    ids = [a.pk for a in assessments]
    own = dict(
        Answer.objects.filter(assessment_id__in=ids)
        .order_by()
        .values("assessment_id")
        .annotate(by_code=JSONGroupObject("criterion__code", "inputs"))
        .values_list("assessment_id", "by_code")
    )
    appraised: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for assessment_id, by_code in (
        ItemAppraisal.objects.filter(assessment_id__in=ids)
        .order_by("round")  # round 2 over round 1
        .values("assessment_id", "round")
        .annotate(by_code=JSONGroupObject("criterion__code", "inputs"))
        .values_list("assessment_id", "by_code")
    ):
        appraised[assessment_id].update(by_code)

    return {
        a.pk: (
            scoring.score(spec, inputs_responses(own.get(a.pk) or {})),
            scoring.score(spec, inputs_responses({**(own.get(a.pk) or {}), **appraised[a.pk]})),
        )
        for a in assessments
    }


NODE_COLUMNS = (
    "result_id",
    "publication_id",
    "unit_id",
    "code",
    "position",
    "depth",
    "is_leaf",
    "score",
    "self_score",
    "applicable_max",
    "lost",
)


def _insert_node_scores(rows: list[tuple[Any, ...]]) -> None:
    """Every node score of the publication in one statement, from plain tuples in
    ``NODE_COLUMNS`` order: PostgreSQL's COPY, or one prepared insert run for every row
    (SQLite). The values are those Django would send (Decimal, int, bool, None, str)."""
    if not rows:
        return
    meta = PublishedScore._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(meta.get_field(name).column) for name in NODE_COLUMNS)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            sql = f"COPY {table} ({columns}) FROM STDIN"
            # Logged like any statement when queries are (tests count them, DEBUG lists them).
            debug = getattr(cursor, "debug_sql", None)
            with debug(sql) if debug else nullcontext(), cursor.cursor.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(NODE_COLUMNS))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def _snapshot(approval: Approval, assessments: list[Assessment], *, number: int, **header: Any) -> Publication:
    cycle = approval.cycle
    spec = framework_version_spec(cycle.framework_version)
    scores = _publication_scores(assessments, spec)
    ranked = {
        r.key: r
        for r in scoring.rank_by_index(
            (
                (a.pk, scores[a.pk][1].percent, scores[a.pk][1].total)
                for a in sorted(assessments, key=lambda a: a.unit.name)
            ),
            approval.tie_break,
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
    fixed, plain = scoring.decimals.fixed, scoring.decimals.plain
    rows = []
    nodes = {}  # each node view computed once per unit (the engine explains every leaf it shows)
    for a in assessments:
        own, final = scores[a.pk]
        nodes[a.pk] = (list(own.nodes()), list(final.nodes()))
        place = ranked[a.pk]
        before = standing[a.unit_id]
        rows.append(
            PublishedResult(
                publication=publication,
                assessment=a,
                unit=a.unit,
                unit_name=a.unit.name,
                total=final.total,
                self_total=own.total,
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
                    ns.code: [fixed(ns.score) if ns.applicable else None, plain(ns.applicable_max)]
                    for ns in nodes[a.pk][1]
                },
            )
        )
    # Sets the primary keys the node rows point at (RETURNING, on PostgreSQL and SQLite).
    PublishedResult.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    node_rows = []
    for result, a in zip(rows, assessments, strict=True):
        own, final = nodes[a.pk]
        node_rows.extend(_node_scores(publication.pk, result.pk, a.unit_id, final, own))
    _insert_node_scores(node_rows)
    return publication


def _node_scores(
    publication_id: int,
    result_id: int,
    unit_id: int,
    final: list[scoring.NodeScore],
    self_score: list[scoring.NodeScore],
) -> list[tuple[Any, ...]]:
    """The result's nodes as ``NODE_COLUMNS`` tuples for the aggregates (score None: not applicable)."""
    zero = Decimal(0)
    return [
        (
            result_id,
            publication_id,
            unit_id,
            ns.code,
            position,
            ns.node.depth,
            ns.node.is_leaf,
            ns.score if ns.applicable else None,
            own.score if own.applicable else None,
            ns.applicable_max,
            ns.lost if ns.applicable else zero,
        )
        for position, (ns, own) in enumerate(zip(final, self_score, strict=True))
    ]
