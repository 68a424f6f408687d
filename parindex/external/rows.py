"""Reading an external index's results from CSV or XLSX and checking every row. Pure Python.

One row per unit and period: the unit's code, the period's first and last day, and one column
per component code of the version in force on the period's first day (``tu_ngay``); a
``tong`` column, when present, must equal the sum of the components. Titles are matched loosely
(case, accents kept, spaces): ``ma_don_vi`` or "Mã đơn vị", ``tu_ngay`` or "Từ ngày",
``den_ngay`` or "Đến ngày", ``tong`` or "Tổng điểm". Numbers take a decimal comma or point.

The file is read by ``indicators.rows.read_table`` (the bounded reading of ``core.uploads``: a
checked zip for XLSX, a row cap counted while streaming). Every problem is collected with its
row and column; nothing here touches the database (units and versions arrive resolved).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parindex import scoring
from parindex.core.numbers import vn_number
from parindex.indicators.rows import NotANumber, RowProblem, TableUnreadable, read_number, read_table
from parindex.scoring.decimals import decimal_places

MAX_ROWS = 20_000  # a year of weekly results for 300 communes
MAX_PERIOD_DAYS = 366
PLACES = 2
UNIT, START, END, TOTAL = "unit", "start", "end", "total"
TITLES = {
    UNIT: ("ma_don_vi", "mã đơn vị", "ma don vi"),
    START: ("tu_ngay", "từ ngày", "tu ngay"),
    END: ("den_ngay", "đến ngày", "den ngay"),
    TOTAL: ("tong", "tổng điểm", "tổng", "tong diem"),
}
LABELS = {UNIT: "Mã đơn vị", START: "Từ ngày", END: "Đến ngày", TOTAL: "Tổng điểm"}
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")


@dataclass(frozen=True)
class Component:
    id: int
    code: str
    name: str
    max: Decimal


@dataclass(frozen=True)
class Version:
    id: int
    number: int
    valid_from: dt.date
    max_total: Decimal
    components: tuple[Component, ...]


@dataclass(frozen=True)
class CleanRow:
    unit_id: int
    start: dt.date
    end: dt.date
    version: Version
    values: dict[int, Decimal]  # component id -> points


@dataclass
class Checked:
    rows: list[CleanRow]
    problems: list[RowProblem]
    rows_total: int

    @property
    def ok(self) -> bool:
        return not self.problems


def version_on(versions: Sequence[Version], day: dt.date) -> Version | None:
    """The version in force on ``day`` (the latest valid from that day or before); ``versions``
    in order of ``valid_from``."""
    found = None
    for version in versions:
        if version.valid_from <= day:
            found = version
    return found


def norm(title: Any) -> str:
    text = unicodedata.normalize("NFC", str(title or "")).casefold()
    return " ".join(text.split()).rstrip(":*").strip()


def header_columns(
    table: Any, accepted: Mapping[str, Collection[str]]
) -> tuple[dict[str, int], dict[str, str], RowProblem | None]:
    """The header of a file read by ``read_table``: each column's name -> its position among the
    cells kept, and -> its title as written. A column is named by the key of ``accepted`` whose
    titles hold its normalised title, otherwise by that title. A problem when two columns have
    one name (and the mapping stops there)."""
    header = list(table.header or ())
    positions = list(table.kept) if table.kept is not None else list(range(len(header)))
    at: dict[str, int] = {}
    titles: dict[str, str] = {}
    for index, position in enumerate(positions):
        title = header[position] if position < len(header) else ""
        key = norm(title)
        name = next((n for n, names in accepted.items() if key in names), key)
        if name in at:
            return at, titles, RowProblem(table.sheet, table.header_row, title, "cột bị lặp lại")
        at[name], titles[name] = index, title
    return at, titles, None


def read_date(value: Any) -> dt.date | None:
    """A date cell or text (dd/mm/yyyy, yyyy-mm-dd); None when empty; NotANumber otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise NotANumber(f"'{text}' không phải là ngày (ghi dạng dd/mm/yyyy)")


def read_points(value: Any, maximum: Decimal | None) -> Decimal | None:
    """Points of a component (or a total): not negative, at most two decimals, at most ``maximum``."""
    number = read_number(value)
    if number is None:
        return None
    if decimal_places(number.normalize()) > PLACES:
        raise NotANumber(f"{vn_number(number)} có quá {PLACES} chữ số thập phân")
    if maximum is not None and number > maximum:
        raise NotANumber(f"{vn_number(number)} vượt điểm tối đa {vn_number(maximum)}")
    return number


def check_values(
    version: Version, raw: Mapping[str, Any], locate: Any
) -> tuple[dict[int, Decimal], list[tuple[str, str]]]:
    """A version's component points from ``raw`` (component code -> cell), every component
    required; (column label, reason) for each problem. Shared by the import and the entry form."""
    values: dict[int, Decimal] = {}
    problems: list[tuple[str, str]] = []
    for component in version.components:
        try:
            points = read_points(raw.get(component.code), component.max)
        except NotANumber as exc:
            problems.append((locate(component.code), str(exc)))
            continue
        if points is None:
            problems.append(
                (locate(component.code), f"thiếu điểm nhóm '{component.name}' (phiên bản {version.number})")
            )
            continue
        values[component.id] = points
    return values, problems


def check_period(start: dt.date, end: dt.date, first: dt.date, today: dt.date) -> list[tuple[str, str]]:
    out = []
    if end < start:
        out.append((END, "ngày kết thúc trước ngày bắt đầu kỳ"))
    elif (end - start).days >= MAX_PERIOD_DAYS:
        out.append((END, f"kỳ đánh giá dài quá {MAX_PERIOD_DAYS} ngày"))
    if start < first:
        out.append((START, f"chỉ số chưa áp dụng trước ngày {first:%d/%m/%Y}"))
    if end > today:
        out.append((END, f"kỳ chưa kết thúc (hôm nay là {today:%d/%m/%Y})"))
    return out


def read_results(
    data: bytes,
    filename: str,
    *,
    versions: Sequence[Version],
    units: Mapping[str, int],
    allowed: frozenset[int] | None,
    scope: str,
    today: dt.date,
    max_rows: int = MAX_ROWS,
) -> Checked:
    """Every row of the file checked against the versions and the units (code -> id) the
    importer may write; clean rows only when there is no problem at all."""
    codes = {c.code for v in versions for c in v.components}
    wanted = [t for titles in TITLES.values() for t in titles] + sorted(codes)
    try:
        table = read_table(data, filename, max_rows=max_rows, wanted=wanted)
    except TableUnreadable as exc:
        return Checked([], [RowProblem("", None, "", str(exc))], 0)
    sheet = table.sheet
    at, titles, repeated = header_columns(table, TITLES)
    if repeated is not None:
        return Checked([], [repeated], len(table.rows))
    problems = [
        RowProblem(sheet, table.header_row, LABELS[name], "thiếu cột (tiêu đề hàng đầu tiên)")
        for name in (UNIT, START, END)
        if name not in at
    ]
    if problems:
        return Checked([], problems, len(table.rows))
    first = versions[0].valid_from if versions else today
    seen: dict[tuple[int, dt.date], int] = {}
    clean: list[CleanRow] = []

    def label(key: str) -> str:
        return titles.get(key, LABELS.get(key, key))

    for number, cells in table.rows:

        def cell(key: str, cells: Sequence[Any] = cells) -> Any:
            i = at.get(key)
            return cells[i] if i is not None and i < len(cells) else None

        before = len(problems)

        def bad(column: str, reason: str, number: int = number) -> None:
            problems.append(RowProblem(sheet, number, column, reason))

        code = str(cell(UNIT) or "").strip()
        if code.endswith(".0") and code[:-2].isdigit():  # an Excel number cell
            code = code[:-2]
        unit_id = units.get(code) or units.get(code.lstrip("0") or code)
        if not code:
            bad(label(UNIT), "thiếu mã đơn vị")
        elif unit_id is None:
            bad(label(UNIT), f"mã đơn vị '{code}' không phải xã, phường của {scope}")
        elif allowed is not None and unit_id not in allowed:
            bad(label(UNIT), f"bạn không được nạp kết quả của đơn vị mã '{code}'")
        dates: dict[str, dt.date | None] = {}
        for key in (START, END):
            try:
                dates[key] = read_date(cell(key))
            except NotANumber as exc:
                bad(label(key), str(exc))
                dates[key] = None
            else:
                if dates[key] is None:
                    bad(label(key), "thiếu ngày")
        start, end = dates[START], dates[END]
        if start is None or end is None:
            continue
        for key, reason in check_period(start, end, first, today):
            bad(label(key), reason)
        version = version_on(versions, start)
        if version is None:
            continue
        mine = {c.code for c in version.components}
        for other in sorted(codes - mine):
            if other in at and cell(other) not in (None, ""):
                bad(
                    label(other),
                    f"nhóm '{other}' không thuộc phiên bản {version.number} áp dụng từ {version.valid_from:%d/%m/%Y}",
                )
        values, value_problems = check_values(version, {c: cell(c) for c in mine}, lambda c: label(c) if c in at else c)
        for column, reason in value_problems:
            bad(column, reason)
        if TOTAL in at and not value_problems:
            try:
                stated = read_points(cell(TOTAL), None)
            except NotANumber as exc:
                bad(label(TOTAL), str(exc))
            else:
                summed = scoring.aggregates.total(values.values())
                if stated is not None and stated != summed:
                    bad(label(TOTAL), f"tổng ghi {vn_number(stated)} khác tổng các nhóm {vn_number(summed)}")
        if unit_id is not None:
            key = (unit_id, start)
            if key in seen:
                bad(label(START), f"trùng đơn vị '{code}' và kỳ từ {start:%d/%m/%Y} với dòng {seen[key]}")
            seen.setdefault(key, number)
        if len(problems) == before and unit_id is not None:
            clean.append(CleanRow(unit_id, start, end, version, values))
    return Checked([] if problems else clean, problems, len(table.rows))
