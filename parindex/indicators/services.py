"""Writing indicator figures: typed in one month at a time, or imported from a file.

Every write of an indicator's figures holds a lock on the indicator's row until it commits
(``_lock``), so an import (which reads the stored figures, then writes the changed ones with
their next revision) and a manual entry never interleave: a manual entry that started from
a revision an import has since replaced is refused, never lost.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.assessments.signals import projections_stale
from parindex.indicators import rows, selectors
from parindex.indicators.models import ImportBatch, ImportMapping, Indicator, IndicatorTarget, IndicatorValue, Source
from parindex.indicators.permissions import can_change_mapping, can_enter_any
from parindex.indicators.rows import Columns, NotANumber, RowProblem, UnitCodes
from parindex.indicators.standard import standard_definitions
from parindex.indicators.status import figure_value
from parindex.units.models import AdministrativeUnit

# Largest file an import reads (100,000 rows of CSV are about 2.5 MB); the rows are capped
# too, while the file is read (settings.INDICATOR_IMPORT_MAX_ROWS, ``rows.MAX_ROWS``).
IMPORT_MAX_BYTES = 50 * 1024 * 1024
# Rows per INSERT ... ON CONFLICT statement (Django lowers it further on SQLite).
WRITE_BATCH = 1000
MAX_HEADER_ROW = 1000
FIELD_LABELS = {"numerator": "Tử số", "denominator": "Mẫu số", "year": "Năm", "month": "Tháng", "note": "Ghi chú"}
Era = AdministrativeUnit.Era


def _lock(indicator: Indicator) -> bool:
    """Take the indicator's write lock (inside a transaction); whether it is still active."""
    return Indicator.objects.select_for_update().values_list("active", flat=True).get(pk=indicator.pk)


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


# -- manual entry --------------------------------------------------------------------------------


@transaction.atomic
def indicator_value_save(
    *,
    indicator: Indicator,
    unit: AdministrativeUnit,
    year: int,
    month: int,
    numerator: Any,
    denominator: Any = None,
    note: str = "",
    base_revision: int | None,
    actor: Any,
    principal: Principal,
) -> IndicatorValue:
    """Save one unit's figure for one month, typed in by the commune office or the province.

    ``numerator`` and ``denominator`` may be text as typed ("96,5"). ``base_revision`` is the
    revision the person started from (None for a month with no figure yet); if someone or an
    import saved in between, nothing is written and a ValidationError says so.
    """
    if not can_enter_any(principal, selectors.entry_refs(unit)):
        raise PermissionDenied(f"Bạn không có quyền nhập số liệu chỉ số của {unit.name}.")
    errors = _entry_problems(indicator, unit, year, month)
    figures: dict[str, Decimal | None] = {}
    unreadable = []
    for key, raw in (("numerator", numerator), ("denominator", denominator)):
        try:
            figures[key] = rows.read_number(raw)
        except NotANumber as exc:
            unreadable.append(f"{FIELD_LABELS[key]}: {exc}.")
            figures[key] = None
    errors += unreadable or [
        f"{FIELD_LABELS[key]}: {reason}." for key, reason in rows.check_figures(indicator.kind, *figures.values())
    ]
    note = note.strip()
    if len(note) > 500:
        errors.append("Ghi chú: dài quá 500 ký tự.")
    if errors:
        raise ValidationError(errors, code="invalid")
    if not _lock(indicator):
        raise ValidationError(f"Chỉ số '{indicator.name}' đã ngừng theo dõi, không nhập thêm số liệu.", code="inactive")
    num, den = figures["numerator"], figures["denominator"]
    assert num is not None
    fields = {
        "numerator": num,
        "denominator": den,
        "value": figure_value(indicator.kind, num, den),
        "note": note,
        "source": Source.MANUAL,
        "import_batch": None,
        "entered_by": _actor(actor),
        "entered_at": timezone.now(),
    }
    key = {"indicator": indicator, "unit": unit, "year": year, "month": month}
    if base_revision is None:
        try:
            with transaction.atomic():
                created = IndicatorValue.objects.create(**key, **fields)
        except IntegrityError:
            raise _conflict(indicator, unit, year, month) from None
        projections_stale(sender=IndicatorValue, unit_ids=[unit.pk], year=year)
        return created
    updated = IndicatorValue.objects.filter(**key, revision=base_revision).update(**fields, revision=F("revision") + 1)
    if not updated:
        raise _conflict(indicator, unit, year, month)
    projections_stale(sender=IndicatorValue, unit_ids=[unit.pk], year=year)
    return IndicatorValue.objects.get(**key)


def _entry_problems(indicator: Indicator, unit: AdministrativeUnit, year: int, month: int) -> list[str]:
    """What is wrong with the indicator, unit and month of a manual entry (pure, no query)."""
    out = []
    if unit.level != AdministrativeUnit.Level.COMMUNE:
        out.append(f"{unit.name} không phải đơn vị cấp xã: số liệu chỉ số ghi cho từng xã, phường.")
    wrong = rows.check_period(year, month, timezone.localdate())
    if wrong is not None:
        which, reason = wrong
        out.append(f"{FIELD_LABELS[which]}: {reason}.")
    elif rows.is_before_reform(year, month) and unit.era == Era.CURRENT:
        out.append(
            f"Số liệu tháng {month}/{year} (trước 01/7/2025) ghi cho đơn vị cũ đã hợp thành {unit.name}, "
            "không ghi cho đơn vị mới."
        )
    elif not rows.is_before_reform(year, month) and unit.era == Era.PRE2025:
        out.append(f"{unit.name} là đơn vị trước 01/7/2025: không ghi số liệu từ tháng 7/2025.")
    return out


def _conflict(indicator: Indicator, unit: AdministrativeUnit, year: int, month: int) -> ValidationError:
    return ValidationError(
        f"Số liệu '{indicator.name}' tháng {month}/{year} của {unit.name} vừa được người khác cập nhật. "
        "Số liệu của bạn chưa được lưu; hãy tải lại để xem số liệu mới rồi nhập lại.",
        code="conflict",
    )


# -- mappings ------------------------------------------------------------------------------------


@transaction.atomic
def indicator_mapping_save(
    *,
    mapping: ImportMapping | None = None,
    province: AdministrativeUnit,
    indicator: Indicator,
    name: str,
    columns: Mapping[str, Any],
    header_row: int = 1,
    actor: Any,
    principal: Principal,
) -> ImportMapping:
    """Create (``mapping`` None) or change the way a province's files are read for an indicator.

    Anyone who may import figures in the province may set one up; the province's admins and
    its owner may change it. A mapping stays in its province.
    """
    province_ref = UnitRef(id=province.pk)
    if mapping is not None:
        if mapping.province_id != province.pk:
            raise ValidationError("Không chuyển cách đọc tệp sang tỉnh khác; hãy tạo cách đọc mới.")
        if not can_change_mapping(principal, province_ref, mapping.owner_id):
            raise PermissionDenied("Chỉ người tạo hoặc quản trị Sở Nội vụ được sửa cách đọc tệp này.")
    elif not selectors.may_import_in(selectors.unit_codes(province=province, principal=principal)):
        raise PermissionDenied(f"Bạn không có quyền nạp số liệu chỉ số của {province.name}.")
    errors = []
    name = name.strip()
    if not name:
        errors.append("Đặt tên cho cách đọc tệp (ví dụ: Xuất từ Hệ thống một cửa).")
    elif len(name) > 200:
        errors.append("Tên cách đọc tệp dài quá 200 ký tự.")
    if province.level != AdministrativeUnit.Level.PROVINCE or province.era != Era.CURRENT:
        errors.append(f"{province.name} không phải tỉnh, thành phố hiện nay.")
    if not 1 <= header_row <= MAX_HEADER_ROW:
        errors.append(f"Dòng tiêu đề phải từ 1 đến {MAX_HEADER_ROW}.")
    parsed = Columns.from_json(columns)
    errors += parsed.problems(indicator.kind)
    if errors:
        raise ValidationError(errors, code="invalid")
    if mapping is None:
        mapping = ImportMapping(province=province, owner=_actor(actor))
    mapping.name, mapping.indicator, mapping.columns, mapping.header_row = name, indicator, parsed.to_json(), header_row
    try:
        with transaction.atomic():
            mapping.save()
    except IntegrityError:
        raise ValidationError(
            f"{province.name} đã có cách đọc tệp tên '{name}' cho chỉ số này; hãy đặt tên khác.", code="duplicate"
        ) from None
    return mapping


# -- import --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    """What an import found and did. With any problem, nothing was written and ``batch`` is None."""

    rows_total: int
    problems: tuple[RowProblem, ...] = ()
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duration_ms: int = 0
    batch: ImportBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def rows_written(self) -> int:
        return self.created + self.updated

    def summary(self) -> str:
        if self.problems:
            return (
                f"Chưa nạp: {len(self.problems)} lỗi trong {self.rows_total} dòng số liệu; "
                "chưa có số liệu nào được ghi. Sửa tệp rồi nạp lại."
            )
        return (
            f"Đã nạp {self.rows_total} dòng: {self.created} dòng mới, {self.updated} dòng thay đổi, "
            f"{self.unchanged} dòng giữ nguyên ({self.duration_ms} ms)."
        )


def import_allowed(*, indicator: Indicator, mapping: ImportMapping, principal: Principal) -> UnitCodes:
    """Refuse an import this person may not make with this mapping (PermissionDenied,
    ValidationError); the units they may import for when they may."""
    codes = selectors.unit_codes(province=mapping.province, principal=principal)
    if not selectors.may_import_in(codes):
        raise PermissionDenied(f"Bạn không có quyền nạp số liệu chỉ số của {mapping.province.name}.")
    if mapping.indicator_id != indicator.pk:
        raise ValidationError("Cách đọc tệp này dành cho chỉ số khác.", code="invalid")
    if not indicator.active:
        raise ValidationError(f"Chỉ số '{indicator.name}' đã ngừng theo dõi, không nạp thêm số liệu.", code="inactive")
    return codes


def indicator_import(
    *,
    indicator: Indicator,
    mapping: ImportMapping,
    file: bytes | IO[bytes],
    filename: str,
    actor: Any,
    principal: Principal,
    progress: Callable[[str, int | None], None] | None = None,
) -> ImportResult:
    """Import a file of one indicator's figures, all rows or none.

    Every row is read and checked first (``rows.read_rows``; unit codes resolved in one
    query). With any problem nothing is written and the result lists them all. Otherwise, in
    one transaction: the stored figures of the file's years are read once, rows equal to
    them are left alone, the others are inserted or updated in bulk (one INSERT ... ON
    CONFLICT DO UPDATE per batch, each changed row at its next revision, notes kept) and an
    ``ImportBatch`` records the file. A province admin imports for every commune of the
    mapping's province; a commune office or head only for its own unit. ``progress(phase,
    rows)`` is told when the checking ("checking") and the writing ("writing", with the file's
    row count) start (the import jobs' pages and the command line show it).
    """
    started = time.perf_counter()
    province = mapping.province
    codes = import_allowed(indicator=indicator, mapping=mapping, principal=principal)
    data = file if isinstance(file, bytes | bytearray | memoryview) else file.read(IMPORT_MAX_BYTES + 1)
    data = bytes(data)
    if len(data) > IMPORT_MAX_BYTES:
        raise ValidationError(f"Tệp lớn quá {IMPORT_MAX_BYTES // (1024 * 1024)} MB.", code="too_large")
    columns = Columns.from_json(mapping.columns)
    if progress is not None:
        progress("checking", None)
    checked = rows.read_rows(
        data,
        filename,
        columns,
        header_row=mapping.header_row,
        kind=indicator.kind,
        units=codes,
        today=timezone.localdate(),
        max_rows=settings.INDICATOR_IMPORT_MAX_ROWS,
    )
    if not checked.ok:
        return ImportResult(
            rows_total=checked.rows_total, problems=tuple(checked.problems), duration_ms=_ms_since(started)
        )
    if progress is not None:
        progress("writing", checked.rows_total)
    with transaction.atomic():
        if not _lock(indicator):
            raise ValidationError(f"Chỉ số '{indicator.name}' vừa ngừng theo dõi.", code="inactive")
        stored = _stored(indicator, province, {r.year for r in checked.rows})
        batch = ImportBatch.objects.create(
            indicator=indicator,
            province=province,
            mapping=mapping if mapping.pk else None,
            columns=columns.to_json(),
            header_row=mapping.header_row,
            file_name=filename[:255],
            sha256=hashlib.sha256(data).hexdigest(),
            rows_total=checked.rows_total,
            rows_written=0,
            created_by=_actor(actor),
        )
        now, actor_id = batch.created_at, getattr(_actor(actor), "pk", None)
        changed: list[IndicatorValue] = []
        created = 0
        for row in checked.rows:
            before = stored.get((row.unit_id, row.year, row.month))
            if before is not None and before[0] == row.numerator and before[1] == row.denominator:
                continue
            created += before is None
            changed.append(
                IndicatorValue(
                    indicator_id=indicator.pk,
                    unit_id=row.unit_id,
                    year=row.year,
                    month=row.month,
                    numerator=row.numerator,
                    denominator=row.denominator,
                    value=row.value,
                    source=Source.IMPORT,
                    import_batch_id=batch.pk,
                    entered_by_id=actor_id,
                    entered_at=now,
                    revision=1 if before is None else before[2] + 1,
                )
            )
        IndicatorValue.objects.bulk_create(
            changed,
            batch_size=WRITE_BATCH,
            update_conflicts=True,
            unique_fields=["indicator", "unit", "year", "month"],
            update_fields=[
                "numerator",
                "denominator",
                "value",
                "source",
                "import_batch",
                "entered_by",
                "entered_at",
                "revision",
            ],
        )
        touched: dict[int, set[int]] = {}
        for value in changed:
            touched.setdefault(value.year, set()).add(value.unit_id)
        for year, unit_ids in touched.items():  # the forecasts of the drafts fed by these figures
            projections_stale(sender=IndicatorValue, unit_ids=unit_ids, year=year)
        duration = _ms_since(started)
        ImportBatch.objects.filter(pk=batch.pk).update(rows_written=len(changed), duration_ms=duration)
        batch.rows_written, batch.duration_ms = len(changed), duration
    return ImportResult(
        rows_total=checked.rows_total,
        created=created,
        updated=len(changed) - created,
        unchanged=checked.rows_total - len(changed),
        duration_ms=duration,
        batch=batch,
    )


def _stored(
    indicator: Indicator, province: AdministrativeUnit, years: set[int]
) -> dict[tuple[int, int, int], tuple[Decimal, Decimal | None, int]]:
    """The stored (numerator, denominator, revision) of the indicator's figures of ``years`` for
    the units an import into ``province`` may write, by (unit, year, month) (one query)."""
    rows_ = IndicatorValue.objects.filter(
        indicator=indicator, year__in=years, unit_id__in=selectors.import_scope_ids(province)
    ).values_list("unit_id", "year", "month", "numerator", "denominator", "revision")
    return {(u, y, m): (num, den, rev) for u, y, m, num, den, rev in rows_.iterator(chunk_size=5000)}


def _ms_since(started: float) -> int:
    return round((time.perf_counter() - started) * 1000)


# -- a province's targets of a year --------------------------------------------------------------


def target_text(indicator: Indicator, target: Decimal | None) -> str:
    """A stored target as the province types it: a ratio in percent ("96", "12,5"), a count or
    value as it is; "" for none (pure)."""
    if target is None:
        return ""
    return rows.shown(target * 100 if indicator.is_ratio else target)


def _typed_target(indicator: Indicator, raw: str) -> Decimal | None:
    """The target typed for ``indicator`` (a ratio in percent), None when left empty; raises
    ValidationError in Vietnamese."""
    try:
        number = rows.read_number(raw)
    except NotANumber as exc:
        raise ValidationError(f"{indicator.name}: {exc}.") from None
    if number is None:
        return None
    if indicator.is_ratio:
        if number > 100:
            raise ValidationError(f"{indicator.name}: chỉ tiêu tỷ lệ từ 0 đến 100%, không phải {rows.shown(number)}%.")
        return number / 100
    return number


@transaction.atomic
def indicator_targets_save(
    *,
    province: AdministrativeUnit,
    year: int,
    typed: Mapping[str, str],
    base: Mapping[str, str],
    actor: Any,
    principal: Principal,
) -> int:
    """Set the province's own targets of ``year``, all or none; the number of targets changed.

    ``typed`` maps indicator codes to what was typed (a ratio in percent; empty: the default
    target applies); ``base`` maps them to what the form showed (``target_text`` of the stored
    target, "" for none). Targets someone else changed since the form was shown are not
    overwritten: nothing is saved and a ValidationError names them. Only the province's Sở Nội
    vụ admins set targets.
    """
    if not is_province_admin(principal, UnitRef(id=province.pk)):
        raise PermissionDenied(f"Chỉ Sở Nội vụ đặt chỉ tiêu chỉ số của {province.name}.")
    if province.level != AdministrativeUnit.Level.PROVINCE or province.era != Era.CURRENT:
        raise ValidationError(f"{province.name} không phải tỉnh, thành phố hiện nay.")
    if not rows.MIN_YEAR <= year <= timezone.localdate().year + 1:
        raise ValidationError(f"Năm {year}: chỉ đặt chỉ tiêu từ năm {rows.MIN_YEAR} đến năm sau.")
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=list(typed))}
    errors, wanted = [], {}
    for code, raw in typed.items():
        indicator = indicators.get(code)
        if indicator is None:
            errors.append(f"Không có chỉ số mã '{code}'.")
            continue
        try:
            wanted[indicator.pk] = _typed_target(indicator, raw)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors, code="invalid")
    stored = {
        t.indicator_id: t
        for t in IndicatorTarget.objects.select_for_update().filter(
            province=province, year=year, indicator_id__in=list(wanted)
        )
    }
    by_pk = {i.pk: i for i in indicators.values()}
    changed_elsewhere = [
        by_pk[pk].name
        for pk in wanted
        if target_text(by_pk[pk], stored[pk].target if pk in stored else None) != base.get(by_pk[pk].code, "")
    ]
    if changed_elsewhere:
        raise ValidationError(
            "Chỉ tiêu năm {year} của {names} vừa được người khác thay đổi. Chỉ tiêu của bạn chưa được lưu; "
            "hãy tải lại trang để xem chỉ tiêu mới rồi nhập lại.".format(year=year, names=", ".join(changed_elsewhere)),
            code="conflict",
        )
    changed = 0
    for pk, target in wanted.items():
        current = stored.get(pk)
        if target is None or target == by_pk[pk].target:  # the default applies
            if current is not None:
                current.delete()
                changed += 1
        elif current is None:
            IndicatorTarget.objects.create(indicator_id=pk, province=province, year=year, target=target)
            changed += 1
        elif current.target != target:
            current.target = target
            current.save(update_fields=["target"])
            changed += 1
    return changed


# -- the standard indicators ---------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    created: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]

    def lines(self) -> list[str]:
        out = []
        for label, codes in (("Tạo mới", self.created), ("Cập nhật", self.updated), ("Giữ nguyên", self.unchanged)):
            if codes:
                out.append(f"{label} {len(codes)} chỉ số: {', '.join(codes)}")
        return out


@transaction.atomic
def indicators_load() -> LoadResult:
    """Create the standard indicators, or bring them back to their definitions (idempotent).

    Whether an indicator is followed (``active``) is the province's choice and is left as it is.
    """
    existing = {i.code: i for i in Indicator.objects.select_for_update().filter(code__in=_standard_codes())}
    created, updated, unchanged = [], [], []
    for definition in standard_definitions():
        indicator = existing.get(definition["code"])
        if indicator is None:
            Indicator.objects.create(**definition)
            created.append(definition["code"])
            continue
        changes = {k: v for k, v in definition.items() if k != "active" and getattr(indicator, k) != v}
        if changes:
            for key, value in changes.items():
                setattr(indicator, key, value)
            indicator.save(update_fields=list(changes))
            updated.append(indicator.code)
        else:
            unchanged.append(indicator.code)
    return LoadResult(tuple(created), tuple(updated), tuple(unchanged))


def _standard_codes() -> list[str]:
    return [d["code"] for d in standard_definitions()]
