"""Survey results (SIPAS, or a province's own survey): per unit and year, the satisfaction rate
and the respondents, imported from CSV or XLSX; the ``survey`` source feeding a leaf; and the
divergence between a unit's self-assessed field score and its satisfaction rate.

- **Reading** (``read_survey``, pure): one row per unit and year, columns ``ma_don_vi`` ("Mã đơn
  vị"), ``nam`` ("Năm"), ``ty_le_hai_long`` ("Tỷ lệ hài lòng (%)", 0–100, decimal comma or point,
  at most 2 decimals), ``so_nguoi_tra_loi`` ("Số người trả lời", a whole number above 0). Read
  by ``indicators.rows.read_table`` (the bounded reading of ``core.uploads``); every problem is
  collected with its row and column.
- **Import** (``survey_results_import``): all rows or none; the same file again writes nothing
  (rows equal to what is stored are left alone and no batch is recorded); each result keeps the
  ``SurveyBatch`` it came from (source, file, sha256, who, when).
- **Source** ``survey:<code>``: the rate of the cycle's year as the leaf's ``value`` ratio
  (registered by ``ExternalConfig.ready()`` under ``KIND``).
- **Divergence**: a survey names the field it speaks to (``Survey.field_code``) and the
  threshold in percentage points; ``scoring.aggregates.divergence`` says when a unit's
  self-assessed field percent stands above its rate by more than that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.assessments.models import Answer, Assessment
from parindex.assessments.sources import SOURCE_KEY, InputSource, SourceKind
from parindex.core.numbers import vn_number
from parindex.external import rows as index_rows
from parindex.external.models import Survey, SurveyBatch, SurveyResult
from parindex.external.permissions import can_manage
from parindex.indicators.rows import NotANumber, RowProblem, TableUnreadable, read_number, read_table
from parindex.scoring.decimals import decimal_places
from parindex.units.models import AdministrativeUnit

KIND = "survey"
MAX_ROWS = 5_000  # a few years of every commune of a province
IMPORT_MAX_BYTES = 5 * 1024 * 1024
FIRST_YEAR = 2017  # SIPAS began in 2017
PLACES = 2
DEFAULT_THRESHOLD = Decimal(20)
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
UNIT, YEAR, RATE, RESPONDENTS = "unit", "year", "rate", "respondents"
TITLES = {
    UNIT: ("ma_don_vi", "mã đơn vị", "ma don vi"),
    YEAR: ("nam", "năm"),
    RATE: ("ty_le_hai_long", "tỷ lệ hài lòng", "tỷ lệ hài lòng (%)", "ty le hai long"),
    RESPONDENTS: ("so_nguoi_tra_loi", "số người trả lời", "so nguoi tra loi", "số phiếu"),
}
LABELS = {UNIT: "Mã đơn vị", YEAR: "Năm", RATE: "Tỷ lệ hài lòng (%)", RESPONDENTS: "Số người trả lời"}


# -- reading a file (pure) -----------------------------------------------------------------------


@dataclass(frozen=True)
class SurveyRow:
    unit_id: int
    year: int
    rate: Decimal
    respondents: int


@dataclass
class Checked:
    rows: list[SurveyRow]
    problems: list[RowProblem]
    rows_total: int

    @property
    def ok(self) -> bool:
        return not self.problems


def read_rate(value: Any) -> Decimal | None:
    """A satisfaction rate in percent: 0 to 100, at most two decimals; None when empty."""
    number = read_number(value)
    if number is None:
        return None
    if decimal_places(number.normalize()) > PLACES:
        raise NotANumber(f"{vn_number(number)} có quá {PLACES} chữ số thập phân")
    if number > 100:
        raise NotANumber(f"{vn_number(number)} vượt 100%")
    return number


def _whole(value: Any, what: str) -> int | None:
    number = read_number(value)
    if number is None:
        return None
    if number != number.to_integral_value():
        raise NotANumber(f"{what} phải là số nguyên (ghi {vn_number(number)})")
    return int(number)


def read_survey(
    data: bytes,
    filename: str,
    *,
    units: Mapping[str, int],
    scope: str,
    today: dt.date,
    max_rows: int = MAX_ROWS,
) -> Checked:
    """Every row of the file checked against the units (code -> id) of the province; clean rows
    only when there is no problem at all."""
    wanted = [t for titles in TITLES.values() for t in titles]
    try:
        table = read_table(data, filename, max_rows=max_rows, wanted=wanted)
    except TableUnreadable as exc:
        return Checked([], [RowProblem("", None, "", str(exc))], 0)
    sheet = table.sheet
    at, titles, repeated = index_rows.header_columns(table, TITLES)
    if repeated is not None:
        return Checked([], [repeated], len(table.rows))
    problems = [
        RowProblem(sheet, table.header_row, LABELS[name], "thiếu cột (tiêu đề hàng đầu tiên)")
        for name in (UNIT, YEAR, RATE, RESPONDENTS)
        if name not in at
    ]
    if problems:
        return Checked([], problems, len(table.rows))
    seen: dict[tuple[int, int], int] = {}
    clean: list[SurveyRow] = []
    for number, cells in table.rows:

        def cell(key: str, cells: Sequence[Any] = cells) -> Any:
            i = at[key]
            return cells[i] if i < len(cells) else None

        before = len(problems)

        def bad(key: str, reason: str, number: int = number) -> None:
            problems.append(RowProblem(sheet, number, titles.get(key, LABELS[key]), reason))

        code = str(cell(UNIT) or "").strip()
        if code.endswith(".0") and code[:-2].isdigit():  # an Excel number cell
            code = code[:-2]
        unit_id = units.get(code) or units.get(code.lstrip("0") or code)
        if not code:
            bad(UNIT, "thiếu mã đơn vị")
        elif unit_id is None:
            bad(UNIT, f"mã đơn vị '{code}' không phải xã, phường của {scope}")
        year = rate = respondents = None
        try:
            year = _whole(cell(YEAR), "Năm")
        except NotANumber as exc:
            bad(YEAR, str(exc))
        else:
            if year is None:
                bad(YEAR, "thiếu năm")
            elif not FIRST_YEAR <= year <= today.year:
                bad(YEAR, f"năm {year} ngoài khoảng {FIRST_YEAR}–{today.year}")
                year = None
        try:
            rate = read_rate(cell(RATE))
        except NotANumber as exc:
            bad(RATE, str(exc))
        else:
            if rate is None:
                bad(RATE, "thiếu tỷ lệ hài lòng")
        try:
            respondents = _whole(cell(RESPONDENTS), "Số người trả lời")
        except NotANumber as exc:
            bad(RESPONDENTS, str(exc))
        else:
            if not respondents:
                bad(RESPONDENTS, "thiếu số người trả lời (ít nhất 1)")
        if unit_id is not None and year is not None:
            key = (unit_id, year)
            if key in seen:
                bad(YEAR, f"trùng đơn vị '{code}' và năm {year} với dòng {seen[key]}")
            seen.setdefault(key, number)
        if len(problems) == before and unit_id is not None and year and rate is not None and respondents:
            clean.append(SurveyRow(unit_id, year, rate, respondents))
    return Checked([] if problems else clean, problems, len(table.rows))


# -- writing -------------------------------------------------------------------------------------


def _manage_or_403(principal: Principal, province_id: int, what: str) -> None:
    if not can_manage(principal, UnitRef(province_id)):
        raise PermissionDenied(f"Chỉ Sở Nội vụ {what}.")


def read_threshold(raw: Any) -> Decimal:
    """The divergence threshold as typed (decimal comma or point), 0–100 points; empty: 20."""
    try:
        value = read_rate(raw)
    except NotANumber as exc:
        raise ValidationError(f"Ngưỡng chênh lệch: {exc}") from None
    return DEFAULT_THRESHOLD if value is None else value


@transaction.atomic
def survey_save(
    *,
    province: AdministrativeUnit,
    code: str,
    name: str,
    field_code: str,
    threshold: Any,
    principal: Principal,
) -> Survey:
    """Create the province's survey, or update its name and settings (the field it is linked
    to, the divergence threshold)."""
    _manage_or_403(principal, province.pk, "khai báo khảo sát")
    code = code.strip().casefold()
    if not CODE.match(code):
        raise ValidationError("Mã khảo sát gồm chữ thường không dấu, số, '-' hoặc '_' (ví dụ: sipas).")
    if not name.strip():
        raise ValidationError("Ghi tên khảo sát.")
    survey, _ = Survey.objects.update_or_create(
        province=province,
        code=code,
        defaults={
            "name": name.strip()[:300],
            "field_code": field_code.strip()[:32],
            "threshold": read_threshold(threshold),
        },
    )
    return survey


@dataclass(frozen=True)
class ImportResult:
    rows_total: int
    problems: tuple[RowProblem, ...] = ()
    created: int = 0
    changed: int = 0
    batch: SurveyBatch | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return (
                f"Chưa nạp: {len(self.problems)} lỗi trong {self.rows_total} dòng; chưa có kết quả nào được ghi. "
                "Sửa tệp rồi nạp lại."
            )
        if not self.created and not self.changed:
            return f"Tệp có {self.rows_total} dòng, không có kết quả nào thay đổi."
        return f"Đã nạp {self.rows_total} dòng: {self.created} kết quả mới, {self.changed} kết quả thay đổi."


def survey_results_import(
    *,
    survey: Survey,
    file: bytes | IO[bytes],
    filename: str,
    source: str,
    actor: Any,
    principal: Principal,
) -> ImportResult:
    """Import a file of the survey's results for the communes of its province, all rows or none.

    Every row is checked first; with any problem nothing is written and every problem is
    returned. Otherwise, in one transaction holding the survey's row: rows equal to the stored
    result are left alone (the same file again writes nothing and records no batch); the others
    are created or replaced (revision + 1) with the new batch as their provenance."""
    _manage_or_403(principal, survey.province_id, "nạp kết quả khảo sát")
    data = file if isinstance(file, bytes | bytearray | memoryview) else file.read(IMPORT_MAX_BYTES + 1)
    data = bytes(data)
    if len(data) > IMPORT_MAX_BYTES:
        raise ValidationError(f"Tệp lớn quá {IMPORT_MAX_BYTES // (1024 * 1024)} MB.", code="too_large")
    if not source.strip():
        raise ValidationError("Ghi nguồn số liệu (ví dụ: Bộ Nội vụ, SIPAS 2025).")
    province = AdministrativeUnit.objects.get(pk=survey.province_id)
    units = dict(
        AdministrativeUnit.objects.filter(
            province=province, level=AdministrativeUnit.Level.COMMUNE, era=AdministrativeUnit.Era.CURRENT
        ).values_list("code", "pk")
    )
    checked = read_survey(data, filename, units=units, scope=province.name, today=timezone.localdate())
    if not checked.ok:
        return ImportResult(rows_total=checked.rows_total, problems=tuple(checked.problems))
    with transaction.atomic():
        Survey.objects.select_for_update().filter(pk=survey.pk).values_list("pk", flat=True).get()
        stored = {
            (r.unit_id, r.year): r
            for r in SurveyResult.objects.filter(
                survey=survey, unit_id__in={r.unit_id for r in checked.rows}, year__in={r.year for r in checked.rows}
            )
        }
        new = [r for r in checked.rows if (r.unit_id, r.year) not in stored]
        moved = [
            (stored[(r.unit_id, r.year)], r)
            for r in checked.rows
            if (r.unit_id, r.year) in stored
            and (stored[(r.unit_id, r.year)].rate, stored[(r.unit_id, r.year)].respondents) != (r.rate, r.respondents)
        ]
        if not new and not moved:
            return ImportResult(rows_total=checked.rows_total)
        batch = SurveyBatch.objects.create(
            survey=survey, file_name=filename[:255], sha256=hashlib.sha256(data).hexdigest(),
            source=source.strip()[:200], rows_total=checked.rows_total, values_written=len(new) + len(moved),
            created_by=actor if getattr(actor, "pk", None) else None,
        )  # fmt: skip
        now = timezone.now()
        SurveyResult.objects.bulk_create(
            SurveyResult(
                survey=survey,
                unit_id=r.unit_id,
                year=r.year,
                rate=r.rate,
                respondents=r.respondents,
                batch=batch,
                updated_at=now,
            )  # fmt: skip
            for r in new
        )
        for result, row in moved:
            result.rate, result.respondents, result.batch = row.rate, row.respondents, batch
            result.revision, result.updated_at = result.revision + 1, now
        SurveyResult.objects.bulk_update(
            [result for result, _ in moved], ["rate", "respondents", "batch", "revision", "updated_at"], batch_size=500
        )
    return ImportResult(rows_total=checked.rows_total, created=len(new), changed=len(moved), batch=batch)


# -- reading -------------------------------------------------------------------------------------


def province_surveys(province_id: int) -> list[Survey]:
    return list(Survey.objects.filter(province_id=province_id))


def survey_years(survey: Survey) -> list[int]:
    return list(SurveyResult.objects.filter(survey=survey).order_by("-year").values_list("year", flat=True).distinct())


def year_results(survey: Survey, year: int) -> list[SurveyResult]:
    """The survey's results of the year, with their units and provenance (one query)."""
    return list(
        SurveyResult.objects.filter(survey=survey, year=year)
        .select_related("unit", "batch__created_by")
        .order_by("unit__code")
    )


def unit_results(unit: AdministrativeUnit) -> list[SurveyResult]:
    """The unit's results of every survey of its province, newest year first (one query)."""
    return list(
        SurveyResult.objects.filter(unit=unit, survey__province_id=unit.province_id)
        .select_related("survey", "batch__created_by")
        .order_by("-year", "survey__code")
    )


def shown_rate(rate: Decimal | None) -> str:
    return "–" if rate is None else vn_number(rate, 2)


# -- the divergence warning ----------------------------------------------------------------------


@dataclass(frozen=True)
class Divergence:
    unit_id: int
    unit_name: str
    field_code: str
    survey_name: str
    year: int
    rate: Decimal
    respondents: int
    self_percent: Decimal
    gap: Decimal
    threshold: Decimal

    @property
    def text(self) -> str:
        return (
            f"Tự đánh giá lĩnh vực {self.field_code} đạt {vn_number(self.self_percent, 2)}% số điểm nhưng tỷ lệ hài "
            f"lòng theo {self.survey_name} năm {self.year} chỉ {vn_number(self.rate, 2)}% ({self.respondents} người "
            f"trả lời): thấp hơn {vn_number(self.gap, 2)} điểm phần trăm, quá ngưỡng {vn_number(self.threshold, 2)}."
        )


def _divergence(result: SurveyResult, unit_name: str, self_percent: Decimal | None) -> Divergence | None:
    gap = scoring.aggregates.divergence(self_percent, result.rate, result.survey.threshold)
    if gap is None or self_percent is None:
        return None
    return Divergence(
        unit_id=result.unit_id, unit_name=unit_name, field_code=result.survey.field_code,
        survey_name=result.survey.name, year=result.year, rate=result.rate, respondents=result.respondents,
        self_percent=self_percent, gap=gap, threshold=result.survey.threshold,
    )  # fmt: skip


def unit_divergences(unit_id: int, year: int, field_percents: Mapping[str, Decimal | None]) -> list[Divergence]:
    """The unit's warnings of the year, given its self-assessed percent of each field (field
    code -> percent): one query, none when no field is given."""
    if not field_percents:
        return []
    found = SurveyResult.objects.filter(
        unit_id=unit_id, year=year, survey__province_id=F("unit__province_id"), survey__field_code__in=field_percents
    ).select_related("survey")
    out = [_divergence(r, "", field_percents.get(r.survey.field_code)) for r in found]
    return [d for d in out if d is not None]


def province_divergences(province_id: int, year: int, publication_ids: Collection[int]) -> list[Divergence]:
    """The units of the province whose published self-assessed score of a survey's field stands
    above their satisfaction rate by more than the survey's threshold, largest gap first (two
    queries whatever the number of units)."""
    from parindex.results.models import PublishedScore

    found = list(
        SurveyResult.objects.filter(survey__province_id=province_id, year=year)
        .exclude(survey__field_code="")
        .select_related("survey", "unit")
    )
    if not found or not publication_ids:
        return []
    percents = {
        (unit_id, code): scoring.aggregates.percent_of(self_score, applicable_max, PLACES)
        for unit_id, code, self_score, applicable_max in PublishedScore.objects.filter(
            publication_id__in=publication_ids, depth=0, code__in={r.survey.field_code for r in found}
        ).values_list("unit_id", "code", "self_score", "applicable_max")
    }
    out = [_divergence(r, r.unit.name, percents.get((r.unit_id, r.survey.field_code))) for r in found]
    return sorted((d for d in out if d is not None), key=lambda d: (-d.gap, d.unit_name))


# -- the ``survey`` source of a leaf -------------------------------------------------------------


def link_of(spec: scoring.Framework, code: str) -> str | None:
    """The survey code a leaf's ``source: survey:<code>`` names (no query)."""
    kind, _, rest = str(spec.node(code).extra.get(SOURCE_KEY, "")).partition(":")
    if kind != KIND:
        return None
    return rest.strip() or None


@dataclass(frozen=True)
class Figure:
    ratio: Decimal
    label: str
    detail: str


def figures(unit_id: int, year: int, codes: Collection[str]) -> dict[str, Figure]:
    """Survey code -> the unit's figure of the year, from the surveys of the unit's own province
    (one query)."""
    if not codes:
        return {}
    out = {}
    for r in SurveyResult.objects.filter(
        unit_id=unit_id, year=year, survey__code__in=set(codes), survey__province_id=F("unit__province_id")
    ).select_related("survey", "batch"):
        ratio = scoring.aggregates.ratio(r.rate, 100)
        if ratio is None:
            continue
        out[r.survey.code] = Figure(
            ratio=ratio,
            label=r.survey.name,
            detail=f"năm {year}: {shown_rate(r.rate)}% hài lòng, {r.respondents} người trả lời (nguồn {r.batch.source})",
        )
    return out


def _collect(assessment: Assessment, spec: scoring.Framework, codes: Collection[str]) -> list[InputSource]:
    links = {code: link_of(spec, code) for code in codes}
    found = figures(assessment.unit_id, assessment.cycle.year, {s for s in links.values() if s})
    url = reverse("external:unit-surveys", args=[assessment.unit_id]) + f"?nam={assessment.cycle.year}"
    out = []
    for code, survey in links.items():
        figure = found.get(survey) if survey else None
        if figure is not None:
            out.append(
                InputSource(
                    code=code,
                    kind=KIND,
                    inputs={"value": figure.ratio},
                    label=figure.label,
                    detail=figure.detail,
                    url=url,
                )  # fmt: skip
            )
    return out


def _may_apply(principal: Principal, unit: UnitRef) -> bool:
    # As for an indicator: whoever may write the leaf's answer may fill it from the unit's own results.
    return principal.is_authenticated


def _apply(*, assessment: Assessment, code: str, actor: Any, principal: Principal) -> Answer:
    """Write the leaf's figure into its answer through ``answer_save`` (audited)."""
    from parindex.assessments.services import answer_fill
    from parindex.frameworks.selectors import framework_version_spec

    spec = framework_version_spec(assessment.cycle.framework_version)
    survey = link_of(spec, code)
    figure = figures(assessment.unit_id, assessment.cycle.year, [survey]).get(survey) if survey else None
    if figure is None:
        raise ValidationError(f"Chưa có kết quả khảo sát năm {assessment.cycle.year} cho tiêu chí này.")
    return answer_fill(
        assessment=assessment,
        code=code,
        inputs={"value": figure.ratio},
        explanation=f"Theo {figure.label}, {figure.detail}.",
        actor=actor,
    )


SOURCE = SourceKind(_collect, _may_apply, _apply)
