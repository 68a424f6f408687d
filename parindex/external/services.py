"""Writing external index data: definitions, results (file or hand), contests, adjustments, targets.

Every write of an index's results holds the index row's lock until it commits (``_lock``), so
an import, an entry, a contest decision and an adjustment never interleave. A result's
``score``, ``adjustment`` and ``total`` are recomputed through ``scoring.aggregates`` whenever
one of its values or adjustments changes (``_refresh``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.assessments.evidence_files import EvidenceRejected, check_upload
from parindex.core.numbers import vn_number
from parindex.external import definitions, rows, selectors
from parindex.external.models import (
    ExternalIndex,
    ExternalResult,
    ExternalValue,
    IndexComponent,
    IndexTarget,
    IndexVersion,
    ResultAdjustment,
    ResultBatch,
    ValueContest,
    ValueSource,
)
from parindex.external.permissions import can_contest, can_manage
from parindex.indicators.rows import NotANumber, RowProblem
from parindex.units.models import AdministrativeUnit

IMPORT_MAX_BYTES = 20 * 1024 * 1024
WRITE_BATCH = 1000


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _lock(index: ExternalIndex) -> None:
    ExternalIndex.objects.select_for_update().filter(pk=index.pk).values_list("pk", flat=True).get()


def _province_ref(province: AdministrativeUnit) -> UnitRef:
    return UnitRef(province.pk)


# -- definitions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    created: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    refused: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        out = []
        for label, items in (
            ("Tạo mới", self.created),
            ("Giữ nguyên", self.unchanged),
            ("Không đổi được", self.refused),
        ):
            if items:
                out.append(f"{label}: {'; '.join(items)}")
        return out


@transaction.atomic
def external_index_load(*, definition: definitions.IndexDefinition) -> LoadResult:
    """Create the index and the versions it does not have yet (idempotent). A version already
    stored keeps its components: one whose components differ from the file is reported in
    ``refused`` (results were scored under it; a changed structure is a new version)."""
    index, _ = ExternalIndex.objects.update_or_create(
        code=definition.code,
        defaults={
            "name": definition.name,
            "issuer": definition.issuer,
            "decision_number": definition.decision_number,
            "decision_date": definition.decision_date,
        },
    )
    stored = {v.number: v for v in IndexVersion.objects.filter(index=index).prefetch_related("components")}
    created, unchanged, refused = [], [], []
    for vdef in definition.versions:
        label = f"{definition.code} phiên bản {vdef.number}"
        version = stored.get(vdef.number)
        if version is None:
            version = IndexVersion.objects.create(
                index=index,
                number=vdef.number,
                valid_from=vdef.valid_from,
                max_total=vdef.max_total,
                description=vdef.description,
            )
            IndexComponent.objects.bulk_create(
                IndexComponent(
                    version=version,
                    position=i,
                    code=c.code,
                    name=c.name,
                    max=c.max,
                    formula=c.formula,
                    ratios=list(c.ratios),
                )  # fmt: skip
                for i, c in enumerate(vdef.components, start=1)
            )
            created.append(label)
            continue
        same = [(c.code, c.max) for c in version.components.all()] == [(c.code, c.max) for c in vdef.components]
        if same and version.valid_from == vdef.valid_from:
            if version.description != vdef.description:
                IndexVersion.objects.filter(pk=version.pk).update(description=vdef.description)
            unchanged.append(label)
        else:
            refused.append(f"{label}: cấu trúc đã lưu khác tệp (một cấu trúc mới là một phiên bản mới)")
    return LoadResult(tuple(created), tuple(unchanged), tuple(refused))


def external_indices_load() -> LoadResult:
    """The shipped definitions (``definitions.SHIPPED``)."""
    results = [external_index_load(definition=definitions.load_definition_path(p)) for p in definitions.SHIPPED]
    return LoadResult(*(tuple(x for r in results for x in getattr(r, f)) for f in ("created", "unchanged", "refused")))


def on_migrated(sender: Any, **kwargs: Any) -> None:
    """post_migrate: load the shipped definitions once the tables exist."""
    external_indices_load()


# -- results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    rows_total: int
    problems: tuple[RowProblem, ...] = ()
    results_created: int = 0
    values_written: int = 0
    duration_ms: int = 0
    batch: ResultBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return (
                f"Chưa nạp: {len(self.problems)} lỗi trong {self.rows_total} dòng; chưa có kết quả nào được ghi. "
                "Sửa tệp rồi nạp lại."
            )
        if not self.values_written:
            return f"Tệp có {self.rows_total} dòng, không có điểm nào thay đổi."
        return (
            f"Đã nạp {self.rows_total} dòng: {self.results_created} kết quả mới, "
            f"{self.values_written} điểm nhóm ghi mới hoặc thay đổi ({self.duration_ms} ms)."
        )


def external_results_import(
    *,
    index: ExternalIndex,
    province: AdministrativeUnit,
    file: bytes | IO[bytes],
    filename: str,
    source_system: str,
    extracted_on: dt.date,
    contest_until: dt.date | None,
    actor: Any,
    principal: Principal,
) -> ImportResult:
    """Import a file of results for the communes of ``province``, all rows or none.

    Every row is checked first (``rows.read_results``); with any problem nothing is written and
    the result lists them all. Otherwise, in one transaction: values equal to the figure last
    imported are left alone (the same file again writes nothing and records no batch); the
    others are written with the new ``ResultBatch`` as their provenance, and their results'
    scores recomputed. A value corrected after a contest keeps its correction until the source
    itself brings a different figure.
    """
    started = time.perf_counter()
    if not can_manage(principal, _province_ref(province)):
        raise PermissionDenied(f"Chỉ Sở Nội vụ nạp kết quả chỉ số của {province.name}.")
    data = file if isinstance(file, bytes | bytearray | memoryview) else file.read(IMPORT_MAX_BYTES + 1)
    data = bytes(data)
    if len(data) > IMPORT_MAX_BYTES:
        raise ValidationError(f"Tệp lớn quá {IMPORT_MAX_BYTES // (1024 * 1024)} MB.", code="too_large")
    if not source_system.strip():
        raise ValidationError("Ghi hệ thống nguồn của số liệu (ví dụ: Cổng Dịch vụ công quốc gia).")
    today = timezone.localdate()
    if extracted_on > today:
        raise ValidationError("Ngày trích xuất không được sau hôm nay.")
    if contest_until is not None and contest_until < today:
        raise ValidationError("Hạn đề nghị xem xét đã qua.")
    checked = rows.read_results(
        data,
        filename,
        versions=selectors.versions(index),
        units=selectors.commune_codes(province),
        allowed=None,
        scope=province.name,
        today=today,
    )
    if not checked.ok:
        return ImportResult(rows_total=checked.rows_total, problems=tuple(checked.problems))
    sha = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        _lock(index)
        plan = _plan(index, checked.rows)
        if not plan.changes:
            return ImportResult(rows_total=checked.rows_total, duration_ms=_ms_since(started))
        batch = ResultBatch.objects.create(
            index=index, province=province, file_name=filename[:255], sha256=sha,
            source_system=source_system.strip()[:200], extracted_on=extracted_on, contest_until=contest_until,
            rows_total=checked.rows_total, created_by=_actor(actor),
        )  # fmt: skip
        written = _write(index, plan, source=ValueSource.IMPORT, batch=batch, actor=actor)
        duration = _ms_since(started)
        ResultBatch.objects.filter(pk=batch.pk).update(values_written=written, duration_ms=duration)
        batch.values_written, batch.duration_ms = written, duration
    return ImportResult(
        rows_total=checked.rows_total,
        results_created=plan.new_results,
        values_written=written,
        duration_ms=duration,
        batch=batch,
    )


@transaction.atomic
def external_result_save(
    *,
    index: ExternalIndex,
    unit: AdministrativeUnit,
    period_start: dt.date,
    period_end: dt.date,
    values: Mapping[str, Any],
    actor: Any,
    principal: Principal,
) -> ExternalResult:
    """A unit's result for one period typed in by the province (component code -> points as
    typed, decimal comma or point), every component of the version in force required."""
    if unit.province is None or not can_manage(principal, _province_ref(unit.province)):
        raise PermissionDenied("Chỉ Sở Nội vụ nhập kết quả chỉ số.")
    versions = selectors.versions(index)
    today = timezone.localdate()
    problems = [
        f"{rows.LABELS[key]}: {reason}"
        for key, reason in rows.check_period(period_start, period_end, versions[0].valid_from, today)
    ]
    version = rows.version_on(versions, period_start)
    clean: dict[int, Decimal] = {}
    if version is not None:
        names = {c.code: c.name for c in version.components}
        clean, value_problems = rows.check_values(version, values, lambda code: names[code])
        problems += [f"{column}: {reason}" for column, reason in value_problems]
    if problems:
        raise ValidationError(problems)
    assert version is not None
    _lock(index)
    plan = _plan(index, [rows.CleanRow(unit.pk, period_start, period_end, version, clean)])
    _write(index, plan, source=ValueSource.MANUAL, batch=None, actor=actor)
    return ExternalResult.objects.get(index=index, unit=unit, period_start=period_start)


@dataclass
class _Plan:
    rows: list[rows.CleanRow]
    stored: dict[tuple[int, dt.date], ExternalResult]
    values: dict[tuple[int, int], ExternalValue]  # (result id, component id)
    changes: list[tuple[rows.CleanRow, int, Decimal]]  # row, component id, points
    new_results: int


def _plan(index: ExternalIndex, clean: list[rows.CleanRow]) -> _Plan:
    """What the rows change: the stored results of their units and periods and their values
    (two queries), and the (row, component, points) differing from the figure last imported."""
    units = {r.unit_id for r in clean}
    starts = {r.start for r in clean}
    stored = {
        (r.unit_id, r.period_start): r
        for r in ExternalResult.objects.filter(index=index, unit_id__in=units, period_start__in=starts)
    }
    ids = [r.pk for r in stored.values()]
    values = {(v.result_id, v.component_id): v for v in ExternalValue.objects.filter(result_id__in=ids)}
    changes = []
    new_results = 0
    for row in clean:
        result = stored.get((row.unit_id, row.start))
        if result is None:
            new_results += 1
        moved = result is not None and (result.version_id != row.version.id or result.period_end != row.end)
        for component_id, points in row.values.items():
            value = values.get((result.pk, component_id)) if result is not None else None
            if moved or value is None or value.imported != points:
                changes.append((row, component_id, points))
    return _Plan(clean, stored, values, changes, new_results)


def _write(index: ExternalIndex, plan: _Plan, *, source: str, batch: ResultBatch | None, actor: Any) -> int:
    """Write the plan's changes in bulk; the number of values written."""
    now = timezone.now()
    actor_id = getattr(_actor(actor), "pk", None)
    changed_rows = {(row.unit_id, row.start): row for row, _, _ in plan.changes}
    new = []
    for key, row in changed_rows.items():
        if key not in plan.stored:  # every component is in the row: its score is known before the insert
            score = scoring.aggregates.total(row.values.values())
            new.append(
                ExternalResult(
                    index=index,
                    version_id=row.version.id,
                    unit_id=row.unit_id,
                    period_start=row.start,
                    period_end=row.end,
                    score=score,
                    total=score,
                )  # fmt: skip
            )
    created_keys = {(r.unit_id, r.period_start) for r in new}
    ExternalResult.objects.bulk_create(new, batch_size=WRITE_BATCH)
    if new:
        plan.stored |= {
            (r.unit_id, r.period_start): r
            for r in ExternalResult.objects.filter(
                index=index, unit_id__in={r.unit_id for r in new}, period_start__in={r.period_start for r in new}
            )
        }
    moved = []
    for key, row in changed_rows.items():
        result = plan.stored[key]
        if result.version_id != row.version.id or result.period_end != row.end:
            result.version_id, result.period_end = row.version.id, row.end
            moved.append(result)
    if moved:  # a different version: the old version's values go
        ExternalValue.objects.filter(result__in=moved).delete()
        for result in moved:
            plan.values = {k: v for k, v in plan.values.items() if k[0] != result.pk}
    creates, updates = [], []
    for row, component_id, points in plan.changes:
        result = plan.stored[(row.unit_id, row.start)]
        value = plan.values.get((result.pk, component_id))
        if value is None:
            value = ExternalValue(
                result=result, component_id=component_id, value=points, imported=points, source=source,
                batch=batch, entered_by_id=actor_id, entered_at=now,
            )  # fmt: skip
            creates.append(value)
        else:
            value.value = value.imported = points
            value.source, value.batch, value.entered_by_id, value.entered_at = source, batch, actor_id, now
            value.revision += 1
            updates.append(value)
        plan.values[(result.pk, component_id)] = value
    ExternalValue.objects.bulk_create(creates, batch_size=WRITE_BATCH)
    ExternalValue.objects.bulk_update(
        updates,
        ["value", "imported", "source", "batch", "entered_by", "entered_at", "revision"],
        batch_size=WRITE_BATCH,
    )
    touched = [plan.stored[key] for key in changed_rows if key not in created_keys]
    by_result: dict[int, list[Decimal]] = {}
    for (result_id, _component), value in plan.values.items():
        by_result.setdefault(result_id, []).append(value.value)
    for result in touched:
        result.score = scoring.aggregates.total(by_result.get(result.pk, []))
        result.total = scoring.aggregates.total([result.score, result.adjustment])
    ExternalResult.objects.bulk_update(touched, ["version", "period_end", "score", "total"], batch_size=WRITE_BATCH)
    return len(creates) + len(updates)


def _refresh(result: ExternalResult) -> ExternalResult:
    """Recompute a result's score, adjustment and total from its rows (two queries and an update)."""
    result.score = scoring.aggregates.total(ExternalValue.objects.filter(result=result).values_list("value", flat=True))
    result.adjustment = scoring.aggregates.total(
        ResultAdjustment.objects.filter(result=result, reversed_at__isnull=True).values_list("points", flat=True)
    )
    result.total = scoring.aggregates.total([result.score, result.adjustment])
    ExternalResult.objects.filter(pk=result.pk).update(
        score=result.score, adjustment=result.adjustment, total=result.total
    )
    return result


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


# -- contests ------------------------------------------------------------------------------------


def _points(raw: Any, maximum: Decimal | None, what: str) -> Decimal | None:
    try:
        return rows.read_points(raw, maximum)
    except NotANumber as exc:
        raise ValidationError(f"{what}: {exc}") from None


@transaction.atomic
def value_contest_open(
    *,
    value: ExternalValue,
    reason: str,
    proposed: Any,
    evidence: str,
    actor: Any,
    principal: Principal,
    upload: IO[bytes] | None = None,
    filename: str = "",
) -> ValueContest:
    """The commune asks the province to look again at an imported value, before the batch's date."""
    value = ExternalValue.objects.select_related("result__unit", "batch", "component").get(pk=value.pk)
    unit = value.result.unit
    if not can_contest(principal, UnitRef(unit.pk, unit.parent_id, unit.province_id)):
        raise PermissionDenied("Chỉ Văn phòng và lãnh đạo UBND xã đề nghị xem xét điểm của xã.")
    until = value.batch.contest_until if value.batch else None
    today = timezone.localdate()
    if until is None or today > until:
        raise ValidationError(
            "Điểm này không còn được đề nghị xem xét"
            + (f" (hạn {until:%d/%m/%Y} đã qua)." if until else " (tỉnh không mở thời hạn đề nghị cho lần nạp này).")
        )
    if not reason.strip():
        raise ValidationError("Ghi lý do đề nghị xem xét.")
    points = _points(proposed, value.component.max, "Điểm đề nghị")
    checked = None
    if upload is not None:
        try:
            checked = check_upload(filename, upload, max_bytes=settings.EVIDENCE_MAX_BYTES)
        except EvidenceRejected as exc:
            raise ValidationError(str(exc)) from None
    contest = ValueContest(
        value=value, reason=reason.strip(), proposed=points, evidence=evidence.strip()[:500],
        created_by=_actor(actor), old_value=value.value,
    )  # fmt: skip
    if checked is not None and upload is not None:
        contest.original_name, contest.content_type = checked.display_name, checked.content_type
        contest.size, contest.sha256 = checked.size, checked.sha256
        upload.seek(0)
        contest.file.save(f"upload{checked.suffix}", File(upload), save=False)
    try:
        with transaction.atomic():
            contest.save()
    except IntegrityError:
        if contest.file:
            contest.file.delete(save=False)
        raise ValidationError("Điểm này đang có một đề nghị xem xét chờ tỉnh xử lý.") from None
    except Exception:
        if contest.file:
            contest.file.delete(save=False)
        raise
    return contest


@transaction.atomic
def value_contest_decide(
    *, contest: ValueContest, accept: bool, new_value: Any, reason: str, actor: Any, principal: Principal
) -> ValueContest:
    """The province accepts (the value becomes ``new_value``; the old figure stays on the contest
    and as the value's ``imported``) or rejects (a reason required) an open contest."""
    contest = ValueContest.objects.select_related("value__result__unit__province", "value__component").get(
        pk=contest.pk
    )
    value = contest.value
    result = value.result
    province = result.unit.province
    if province is None or not can_manage(principal, _province_ref(province)):
        raise PermissionDenied("Chỉ Sở Nội vụ xử lý đề nghị xem xét điểm.")
    _lock(ExternalIndex(pk=result.index_id))
    if not reason.strip():
        raise ValidationError("Ghi lý do xử lý đề nghị.")
    points = _points(new_value, value.component.max, "Điểm sau xem xét") if accept else None
    if accept and points is None:
        raise ValidationError("Ghi điểm sau xem xét.")
    now = timezone.now()
    state = ValueContest.State.ACCEPTED if accept else ValueContest.State.REJECTED
    moved = ValueContest.objects.filter(pk=contest.pk, state=ValueContest.State.OPEN).update(
        state=state, new_value=points, decision_reason=reason.strip(), decided_by=_actor(actor), decided_at=now
    )
    if not moved:
        raise ValidationError("Đề nghị này đã được xử lý.")
    if accept:
        ExternalValue.objects.filter(pk=value.pk).update(
            value=points, source=ValueSource.CONTEST, entered_by=_actor(actor), entered_at=now,
            revision=value.revision + 1,
        )  # fmt: skip
        _refresh(result)
    contest.refresh_from_db()
    return contest


# -- adjustments ---------------------------------------------------------------------------------


@transaction.atomic
def result_adjust(
    *, result: ExternalResult, points: Any, reason: str, actor: Any, principal: Principal
) -> ResultAdjustment:
    """Record points added or deducted apart from the performance ("−2 do lỗi hệ thống")."""
    result = ExternalResult.objects.select_related("unit__province").get(pk=result.pk)
    province = result.unit.province
    if province is None or not can_manage(principal, _province_ref(province)):
        raise PermissionDenied("Chỉ Sở Nội vụ điều chỉnh điểm.")
    text = str(points or "").strip().replace("−", "-")
    negative = text.startswith("-")
    amount = _points(text.lstrip("-+").strip(), result.version.max_total, "Điểm điều chỉnh")
    if not amount:
        raise ValidationError("Ghi số điểm điều chỉnh khác 0 (ví dụ -2).")
    if not reason.strip():
        raise ValidationError("Ghi lý do điều chỉnh (ví dụ: lỗi đồng bộ hệ thống).")
    _lock(ExternalIndex(pk=result.index_id))
    adjustment = ResultAdjustment.objects.create(
        result=result, points=-amount if negative else amount, reason=reason.strip()[:500], created_by=_actor(actor)
    )
    _refresh(result)
    return adjustment


@transaction.atomic
def adjustment_reverse(
    *, adjustment: ResultAdjustment, reason: str, actor: Any, principal: Principal
) -> ResultAdjustment:
    adjustment = ResultAdjustment.objects.select_related("result__unit__province").get(pk=adjustment.pk)
    province = adjustment.result.unit.province
    if province is None or not can_manage(principal, _province_ref(province)):
        raise PermissionDenied("Chỉ Sở Nội vụ hủy điều chỉnh điểm.")
    if not reason.strip():
        raise ValidationError("Ghi lý do hủy điều chỉnh.")
    moved = ResultAdjustment.objects.filter(pk=adjustment.pk, reversed_at__isnull=True).update(
        reversed_at=timezone.now(), reversed_by=_actor(actor), reversal_reason=reason.strip()[:500]
    )
    if not moved:
        raise ValidationError("Điều chỉnh này đã được hủy.")
    _refresh(adjustment.result)
    adjustment.refresh_from_db()
    return adjustment


# -- targets -------------------------------------------------------------------------------------


@transaction.atomic
def index_target_set(
    *, index: ExternalIndex, province: AdministrativeUnit, year: int, target: Any, principal: Principal
) -> IndexTarget | None:
    """The province's target total for the year; empty removes it."""
    if not can_manage(principal, _province_ref(province)):
        raise PermissionDenied("Chỉ Sở Nội vụ đặt mục tiêu chỉ số.")
    maximum = max((v.max_total for v in selectors.versions(index)), default=None)
    points = _points(target, maximum, "Mục tiêu")
    if points is None:
        IndexTarget.objects.filter(index=index, province=province, year=year).delete()
        return None
    target_row, _ = IndexTarget.objects.update_or_create(
        index=index, province=province, year=year, defaults={"target": points}
    )
    return target_row


def shown_points(points: Decimal | None) -> str:
    """Points as written on pages: "−2", "+1,5", "87,25"."""
    if points is None:
        return "–"
    return vn_number(points, 2)
