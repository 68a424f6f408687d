"""Reading indicator figures from CSV and Excel files and checking every row. Pure Python.

A file holds one indicator's figures, one row per unit and month. Which column holds what is
the import mapping's business (``Columns``: the unit code, the year and month or one date
column, the numerator and, for ratios, the denominator), found by header title in the
mapping's header row; other columns are ignored.

- CSV: UTF-8 with or without BOM (UTF-16 with BOM too, as Excel's "Unicode text" saves it),
  separated by commas, semicolons or tabs: the separator that splits the header row into the
  most columns wins, so decimal commas in the data cannot fool it.
- XLSX: the first worksheet, read with openpyxl in read-only mode (cell values only), once
  ``core.uploads`` has checked the file is a workbook and no zip bomb.
- At most ``MAX_ROWS`` rows below the header (the INDICATOR_IMPORT_MAX_ROWS setting), counted
  while the file streams: the row after the last stops the reading. Only the mapped columns
  of each row are kept.
- Numbers: "96,5" and "96.5" are both 96.5; with both separators the last one is the decimal
  ("1.234,5", "1,234.5"); spaces are ignored ("1 234"). Excel floats go through their
  shortest repr, which is exact for any number a person typed.

Every row is checked and every problem collected, located as the user sees it: the sheet (or
"CSV"), the row number a spreadsheet shows for that row, the column's header title and a
Vietnamese reason. Nothing touches the database: unit codes arrive resolved (``UnitCodes``,
read by the caller in one query), so 100,000 rows are checked in memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from parindex.core.numbers import vn_grouped, vn_number
from parindex.core.uploads import CORRUPT, OLE_MAGIC, ZIP_MAGIC, UploadRefused, open_xlsx, rows_over
from parindex.indicators.status import COUNT, NUMBER_DIGITS, NUMBER_PLACES, RATIO, figure_value
from parindex.scoring.decimals import plain

CSV_SHEET = "CSV"
# Rows below the header one import reads (the INDICATOR_IMPORT_MAX_ROWS setting overrides it):
# the row after the last stops the reading, so a huge file costs neither time nor memory.
MAX_ROWS = 200_000
# Columns of an Excel header row read (an export has a few dozen).
MAX_COLUMNS = 500
# The earliest year figures are accepted for (the one-stop-shop information systems the
# figures come from were set up under Nghị định 61/2018 and 45/2020; 2015 leaves room).
MIN_YEAR = 2015
# Figures for months before this one belong to the units as they were before the 2025 reform.
REFORM_MONTH = (2025, 7)
MAX_NUMBER = Decimal(10) ** (NUMBER_DIGITS - NUMBER_PLACES)
_PLAIN_DIGITS = NUMBER_DIGITS - NUMBER_PLACES  # a string of this many digits at most fits

COLUMN_KEYS = ("unit_code", "year", "month", "date", "numerator", "denominator")
COLUMN_LABELS = {
    "unit_code": "Mã đơn vị",
    "year": "Năm",
    "month": "Tháng",
    "date": "Ngày hoặc tháng/năm",
    "numerator": "Tử số (số liệu)",
    "denominator": "Mẫu số",
}
_DELIMITERS = (",", ";", "\t")
_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_MONTH_FORMATS = ("%m/%Y", "%Y-%m", "%m-%Y", "%m.%Y")


class TableUnreadable(ValueError):
    """The file cannot be read as a table at all (its Vietnamese reason is the message)."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    """One thing wrong with a file: where (sheet, row, column title) and why, in Vietnamese."""

    sheet: str
    row: int | None
    column: str
    reason: str

    def __str__(self) -> str:
        where = self.sheet if self.row is None else f"{self.sheet}, dòng {self.row}"
        if self.column:
            where += f", cột {self.column}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Columns:
    """Which header title holds what: a unit code, the period (year and month, or one date
    column), the numerator, and for ratio indicators the denominator."""

    unit_code: str
    numerator: str
    year: str = ""
    month: str = ""
    date: str = ""
    denominator: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Columns:
        values = {key: str(data.get(key) or "").strip() for key in COLUMN_KEYS}
        return cls(**values)

    def to_json(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in COLUMN_KEYS}

    def used(self) -> list[tuple[str, str]]:
        """(key, header title) of every column the mapping names."""
        return [(key, getattr(self, key)) for key in COLUMN_KEYS if getattr(self, key)]

    def problems(self, kind: str) -> list[str]:
        """Why this mapping cannot read a file of an indicator of ``kind`` (empty if it can)."""
        out = []
        for key in ("unit_code", "numerator"):
            if not getattr(self, key):
                out.append(f"Chưa chọn cột {COLUMN_LABELS[key]}.")
        if self.date and (self.year or self.month):
            out.append("Chọn hoặc một cột ngày (tháng/năm), hoặc hai cột Năm và Tháng, không chọn cả hai cách.")
        elif not self.date and not (self.year and self.month):
            out.append("Chưa chọn cột Năm và cột Tháng (hoặc một cột ngày, tháng/năm).")
        if kind == RATIO and not self.denominator:
            out.append("Chỉ số dạng tỷ lệ cần cột Mẫu số.")
        if kind != RATIO and self.denominator:
            out.append("Chỉ số này không phải dạng tỷ lệ nên không có cột Mẫu số.")
        seen: dict[str, str] = {}
        for key, title in self.used():
            other = seen.setdefault(_norm(title), key)
            if other != key:
                out.append(f"Cột '{title}' được chọn cho cả {COLUMN_LABELS[other]} và {COLUMN_LABELS[key]}.")
        return out


@dataclass(frozen=True, slots=True)
class Table:
    """A sheet's header row and the non-empty rows below it, numbered as a spreadsheet shows them."""

    sheet: str
    header_row: int
    header: tuple[str, ...] | None  # None when the file has fewer rows than header_row
    rows: list[tuple[int, Sequence[Any]]]
    # The header positions each row holds, when only some columns were kept (None: all).
    kept: tuple[int, ...] | None = None


@dataclass(frozen=True)
class UnitCodes:
    """The units a file may name, by national code, resolved before checking.

    ``current`` holds the units from 1 July 2025, ``before_reform`` the old ones, which
    figures for earlier months belong to. ``allowed`` limits the rows to some unit ids (a
    commune office imports only its own unit); None allows every unit listed. ``scope``
    names where the codes come from, for messages ("Tỉnh Quảng Trị").
    """

    current: Mapping[str, int]
    before_reform: Mapping[str, int] = field(default_factory=dict)
    allowed: frozenset[int] | None = None
    scope: str = ""


@dataclass(frozen=True, slots=True)
class CleanRow:
    unit_id: int
    year: int
    month: int
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None


@dataclass
class Checked:
    """The outcome of reading a file: clean rows, or every problem found (then rows is empty)."""

    rows: list[CleanRow]
    problems: list[RowProblem]
    rows_total: int

    @property
    def ok(self) -> bool:
        return not self.problems


# -- reading -------------------------------------------------------------------------------------


def too_many_rows(max_rows: int) -> str:
    """Why a file past the row cap is refused (``MAX_ROWS``, or the INDICATOR_IMPORT_MAX_ROWS setting)."""
    return (
        f"tệp có hơn {vn_grouped(max_rows)} dòng dưới dòng tiêu đề; mỗi lần nạp tối đa {vn_grouped(max_rows)} dòng: "
        "hãy chia thành nhiều tệp (ví dụ theo năm) rồi nạp lần lượt"
    )


def read_table(
    data: bytes,
    filename: str = "",
    *,
    header_row: int = 1,
    max_rows: int = MAX_ROWS,
    wanted: Iterable[str] | None = None,
) -> Table:
    """The file as a table, Excel or CSV by its content (raises TableUnreadable).

    At most ``max_rows`` rows below the header are read: the next one stops the reading
    (TableUnreadable) before the rest of the file is parsed. With ``wanted`` (header titles),
    only the columns with one of those titles are kept (``Table.kept``), so a wide file costs
    no memory for the columns nobody reads.
    """
    data = bytes(data)
    keep = None if wanted is None else _keeper(wanted)
    # An OLE file is an old .xls or an encrypted workbook: ``core.uploads`` says which.
    if data[:4] == ZIP_MAGIC or data[:8] == OLE_MAGIC or filename.lower().endswith((".xlsx", ".xlsm")):
        return read_xlsx(data, header_row=header_row, max_rows=max_rows, keep=keep)
    return read_csv(data, header_row=header_row, max_rows=max_rows, keep=keep)


def _keeper(wanted: Iterable[str]) -> Callable[[Sequence[str]], tuple[int, ...]]:
    titles = {_norm(title) for title in wanted if title}

    def keep(header: Sequence[str]) -> tuple[int, ...]:
        return tuple(i for i, title in enumerate(header) if title and _norm(title) in titles)

    return keep


def read_csv(
    data: bytes,
    *,
    header_row: int = 1,
    max_rows: int = MAX_ROWS,
    keep: Callable[[Sequence[str]], tuple[int, ...]] | None = None,
) -> Table:
    """A CSV file, decoded and split while it is read (never a second copy of it as text)."""
    data = bytes(data)
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    if not utf16 and b"\x00" in data:
        raise TableUnreadable(
            "tệp có ký tự NUL nên không phải tệp văn bản CSV; nếu là tệp Unicode (UTF-16), "
            "trong Excel hãy lưu lại bằng 'CSV UTF-8 (Comma delimited)'"
        )

    def text() -> io.TextIOWrapper:
        return io.TextIOWrapper(io.BytesIO(data), encoding="utf-16" if utf16 else "utf-8-sig", newline="")

    try:
        delimiter = _sniff(text, header_row)
        records: Iterable[Sequence[Any]] = csv.reader(text(), delimiter=delimiter)
        if utf16:
            records = _without_nul(records)
        return _table(CSV_SHEET, header_row, enumerate(records, start=1), max_rows=max_rows, keep=keep)
    except UnicodeDecodeError:
        if utf16:
            raise TableUnreadable("tệp CSV UTF-16 bị hỏng (cắt cụt hoặc có ký tự không hợp lệ)") from None
        raise TableUnreadable(
            "tệp CSV không ở bảng mã UTF-8; trong Excel hãy lưu lại bằng 'CSV UTF-8 (Comma delimited)'"
        ) from None
    except csv.Error as exc:
        raise TableUnreadable(f"tệp CSV hỏng: {exc}") from None


def _without_nul(records: Iterable[Sequence[str]]) -> Iterator[Sequence[str]]:
    for record in records:
        if any("\x00" in field for field in record):
            raise TableUnreadable("tệp có ký tự NUL nên không phải tệp văn bản CSV")
        yield record


def _sniff(text: Callable[[], io.TextIOWrapper], header_row: int) -> str:
    """The delimiter that splits the header row into the most columns (comma on a tie)."""
    best, widest = ",", 0
    for delimiter in _DELIMITERS:
        reader = csv.reader(text(), delimiter=delimiter)
        header: list[str] = []
        try:
            for _ in range(header_row):
                header = next(reader, [])
        except csv.Error:
            continue
        if len(header) > widest:
            best, widest = delimiter, len(header)
    return best


def read_xlsx(
    data: bytes,
    *,
    header_row: int = 1,
    max_rows: int = MAX_ROWS,
    keep: Callable[[Sequence[str]], tuple[int, ...]] | None = None,
) -> Table:
    """The first worksheet, streamed in read-only mode once ``core.uploads`` has checked the file."""
    try:
        wb = open_xlsx(data, read_only=True)
    except UploadRefused as exc:
        reason = str(exc)
        if "quá lớn" in reason:
            reason += f"; mỗi lần nạp tối đa {vn_grouped(max_rows)} dòng: hãy chia thành nhiều tệp rồi nạp lần lượt"
        raise TableUnreadable(reason) from None
    try:
        if not wb.worksheets:
            raise TableUnreadable("bảng tính không có trang tính nào")
        ws = wb.worksheets[0]
        ws.reset_dimensions()  # a file may state wrong dimensions (or A1:XFD1048576)
        if rows_over(ws, header_row + max_rows):  # counted in seconds; parsing them takes minutes
            raise TableUnreadable(too_many_rows(max_rows))
        # The header first, at most MAX_COLUMNS wide; then the rows, no wider than the last
        # column kept (one cell in column XFD does not make every row 16,384 cells wide).
        heading = list(ws.iter_rows(min_row=1, max_row=header_row, max_col=MAX_COLUMNS, values_only=True))
        if len(heading) < header_row:
            return Table(sheet=ws.title, header_row=header_row, header=None, rows=[])
        titles = list(heading[-1])
        while titles and titles[-1] is None:
            titles.pop()
        width = None
        if keep is not None:
            kept = keep(tuple(_text(v) for v in titles))
            width = max(kept) + 1 if kept else 1
        body = ws.iter_rows(min_row=header_row + 1, max_col=width, values_only=True)
        return _table(ws.title, header_row, _chain(header_row, titles, body), max_rows=max_rows, keep=keep)
    except TableUnreadable:
        raise
    except Exception:  # broken XML, an entity, a CRC error in a part openpyxl opened
        raise TableUnreadable(CORRUPT) from None
    finally:
        wb.close()


def _chain(
    header_row: int, header: Sequence[Any], body: Iterable[Sequence[Any]]
) -> Iterator[tuple[int, Sequence[Any]]]:
    yield header_row, header
    yield from enumerate(body, start=header_row + 1)


def _table(
    sheet: str,
    header_row: int,
    numbered: Iterable[tuple[int, Sequence[Any]]],
    *,
    max_rows: int = MAX_ROWS,
    keep: Callable[[Sequence[str]], tuple[int, ...]] | None = None,
) -> Table:
    """Stream ``numbered`` rows into a Table: the header row, then every row below it that is
    not empty (in the kept columns), refusing the row past ``max_rows`` as soon as it comes."""
    header: tuple[str, ...] | None = None
    kept: tuple[int, ...] | None = None
    rows: list[tuple[int, Sequence[Any]]] = []
    last = header_row + max_rows
    for number, values in numbered:
        if number < header_row:
            continue
        if number == header_row:
            header = tuple(_text(v) for v in values)
            kept = keep(header) if keep is not None else None
            continue
        if number > last:
            raise TableUnreadable(too_many_rows(max_rows))
        if kept is not None:
            values = tuple(values[i] if i < len(values) else None for i in kept)
        if any(v is not None and (not isinstance(v, str) or v.strip()) for v in values):
            rows.append((number, values))
    return Table(sheet=sheet, header_row=header_row, header=header, rows=rows, kept=kept)


# -- cells ---------------------------------------------------------------------------------------


def _norm(value: Any) -> str:
    """A header title compared loosely: Unicode NFC, case-folded, single spaces, no ':' or '*'."""
    text = unicodedata.normalize("NFC", _text(value)).casefold()
    return " ".join(text.split()).rstrip(":*").strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return plain(Decimal(repr(value))) if value == value and abs(value) != float("inf") else repr(value)
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def shown(number: Decimal) -> str:
    """A decimal as Vietnamese write it in messages: 96,5."""
    return vn_number(number)


class NotANumber(ValueError):
    """A cell that is not a usable number (its Vietnamese reason is the message)."""


def read_number(value: Any) -> Decimal | None:
    """A cell or typed text as an exact Decimal; None when empty; NotANumber otherwise.

    Refuses negative numbers, more than four decimals and numbers too large to store.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise NotANumber(f"'{_text(value)}' không phải là số")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, float):
        if value != value or abs(value) == float("inf"):
            raise NotANumber(f"'{value}' không phải là số")
        number = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if len(text) <= _PLAIN_DIGITS and text.isascii() and text.isdigit():
            return Decimal(text)  # the common case, a plain count: nothing more to check
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = _separated(text)
    else:
        raise NotANumber(f"'{_text(value)}' không phải là số")
    if not number.is_finite():
        raise NotANumber(f"'{_text(value)}' không phải là số")
    if number < 0:
        raise NotANumber(f"số âm ({shown(number)}) không hợp lệ: số liệu không được âm")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -NUMBER_PLACES:
        number = number.normalize()
        exponent = number.as_tuple().exponent
        if isinstance(exponent, int) and exponent < -NUMBER_PLACES:
            raise NotANumber(f"{shown(number)} có quá {NUMBER_PLACES} chữ số thập phân")
    if number >= MAX_NUMBER:
        raise NotANumber(f"{shown(number)} quá lớn")
    return number


def _separated(text: str) -> Decimal:
    """Text with a decimal comma or thousands separators ("96,5", "1.234,5", "1 234")."""
    cleaned = "".join(text.split()).replace("\u00a0", "").replace("\u202f", "")
    commas, dots = cleaned.count(","), cleaned.count(".")
    if commas and dots:
        decimal_mark = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        if cleaned.count(decimal_mark) > 1:
            raise NotANumber(f"'{text}' không phải là số")
        cleaned = cleaned.replace(thousands, "").replace(decimal_mark, ".")
    elif commas:
        cleaned = cleaned.replace(",", ".") if commas == 1 else cleaned.replace(",", "")
    elif dots > 1:
        cleaned = cleaned.replace(".", "")
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise NotANumber(f"'{text}' không phải là số") from None


def read_whole(value: Any) -> int | None:
    """A cell as a whole number (a year, a month); None when empty; NotANumber otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    try:
        number = read_number(value)
    except NotANumber:
        raise NotANumber(f"'{_text(value)}' không phải là số nguyên") from None
    assert number is not None
    if number != number.to_integral_value():
        raise NotANumber(f"'{_text(value)}' không phải là số nguyên")
    return int(number)


def read_month(value: Any) -> tuple[int, int] | None:
    """A date cell or text ("20/11/2026", "11/2026", "2026-11") as (year, month); None when empty."""
    if isinstance(value, dt.datetime | dt.date):
        return value.year, value.month
    text = _text(value)
    if not text:
        return None
    for fmt in _DATE_FORMATS + _MONTH_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.year, parsed.month
    raise NotANumber(f"'{text}' không phải ngày hay tháng/năm (ghi dạng dd/mm/yyyy hoặc mm/yyyy)")


def check_period(year: int, month: int, today: dt.date, *, min_year: int = MIN_YEAR) -> tuple[str, str] | None:
    """(which of "year"/"month", reason) if the month cannot carry figures yet or at all."""
    if not min_year <= year <= today.year:
        return "year", f"năm {year} nằm ngoài khoảng {min_year}–{today.year}"
    if not 1 <= month <= 12:
        return "month", f"tháng {month} không hợp lệ (tháng từ 1 đến 12)"
    if (year, month) > (today.year, today.month):
        return "month", f"tháng {month}/{year} chưa đến (hôm nay là {today:%d/%m/%Y})"
    return None


def is_before_reform(year: int, month: int) -> bool:
    return (year, month) < REFORM_MONTH


def check_figures(kind: str, numerator: Decimal | None, denominator: Decimal | None) -> list[tuple[str, str]]:
    """(which of "numerator"/"denominator", reason) for figures that do not fit the indicator's kind."""
    out = []
    if numerator is None:
        out.append(("numerator", "thiếu số liệu"))
    elif kind == COUNT and numerator != numerator.to_integral_value():
        out.append(("numerator", f"{shown(numerator)} không phải là số nguyên (chỉ số đếm số lượng)"))
    if kind == RATIO:
        if denominator is None:
            out.append(("denominator", "thiếu mẫu số"))
        elif numerator is not None:
            if denominator == 0 and numerator > 0:
                out.append(("denominator", f"mẫu số bằng 0 trong khi tử số là {shown(numerator)}"))
            elif numerator > denominator:
                out.append(("numerator", f"tử số ({shown(numerator)}) lớn hơn mẫu số ({shown(denominator)})"))
    elif denominator is not None:
        out.append(("denominator", "chỉ số không phải dạng tỷ lệ nên không có mẫu số"))
    return out


# -- checking ------------------------------------------------------------------------------------


def read_rows(
    data: bytes,
    filename: str,
    columns: Columns,
    *,
    header_row: int,
    kind: str,
    units: UnitCodes,
    today: dt.date,
    max_rows: int = MAX_ROWS,
) -> Checked:
    """Read a file and check every row: what an import does before it writes anything."""
    try:
        table = read_table(
            data, filename, header_row=header_row, max_rows=max_rows, wanted=[t for _, t in columns.used()]
        )
    except TableUnreadable as exc:
        sheet = "Excel" if _is_zip(data) or filename.lower().endswith((".xlsx", ".xlsm", ".xls")) else CSV_SHEET
        return Checked(rows=[], problems=[RowProblem(sheet, None, "", str(exc))], rows_total=0)
    return check_table(table, columns, kind=kind, units=units, today=today)


def _is_zip(data: bytes) -> bool:
    return bytes(data[:4]) == ZIP_MAGIC or bytes(data[:8]) == OLE_MAGIC


def check_table(table: Table, columns: Columns, *, kind: str, units: UnitCodes, today: dt.date) -> Checked:
    """Check every row of ``table`` read through ``columns``; all problems, or all rows clean."""
    sheet = table.sheet
    problems: list[RowProblem] = [RowProblem(sheet, None, "", reason) for reason in columns.problems(kind)]
    if table.header is None:
        problems.append(
            RowProblem(
                sheet,
                None,
                "",
                f"tệp không có dòng {table.header_row} (dòng tiêu đề): tệp trống hoặc ít dòng hơn thế",
            )
        )
    if problems:
        return Checked(rows=[], problems=problems, rows_total=len(table.rows))
    index = _locate(table, columns, problems)
    if problems:
        return Checked(rows=[], problems=problems, rows_total=len(table.rows))
    if not table.rows:
        problems.append(
            RowProblem(sheet, None, "", f"không có dòng số liệu nào dưới dòng tiêu đề (dòng {table.header_row})")
        )
        return Checked(rows=[], problems=problems, rows_total=0)
    return _check_rows(table, columns, index, kind=kind, units=units, today=today)


def _locate(table: Table, columns: Columns, problems: list[RowProblem]) -> dict[str, int]:
    """The column index of each mapped title; a problem (once) for each title not found or found twice."""
    assert table.header is not None
    positions: dict[str, list[int]] = {}
    for i, title in enumerate(table.header):
        if title:
            positions.setdefault(_norm(title), []).append(i)
    found: dict[str, int] = {}
    present = ", ".join(f"'{t}'" for t in table.header if t)
    for key, title in columns.used():
        where = positions.get(_norm(title), [])
        if not where:
            problems.append(
                RowProblem(
                    table.sheet,
                    table.header_row,
                    title,
                    f"không có cột này ở dòng tiêu đề (các cột có: {present or 'không có'})",
                )
            )
        elif len(where) > 1:
            problems.append(
                RowProblem(
                    table.sheet,
                    table.header_row,
                    title,
                    f"dòng tiêu đề có {len(where)} cột cùng tên này; hãy đổi tên để chỉ còn một",
                )
            )
        else:
            found[key] = where[0]
    return found


def _check_rows(
    table: Table, columns: Columns, index: Mapping[str, int], *, kind: str, units: UnitCodes, today: dt.date
) -> Checked:
    sheet = table.sheet
    if table.kept is not None:  # positions in the header -> positions in the rows kept
        position = {at: i for i, at in enumerate(table.kept)}
        index = {key: position[at] for key, at in index.items()}
    problems: list[RowProblem] = []
    clean: list[CleanRow] = []
    seen: dict[tuple[int, int, int], int] = {}
    titles = {key: getattr(columns, key) for key in COLUMN_KEYS}
    code_at, num_at = index["unit_code"], index["numerator"]
    den_at = index.get("denominator")
    date_at, year_at, month_at = index.get("date"), index.get("year"), index.get("month")
    scope = f" thuộc {units.scope}" if units.scope else ""
    rows_total = 0

    def cell(values: Sequence[Any], at: int | None) -> Any:
        return values[at] if at is not None and at < len(values) else None

    for number, values in table.rows:
        if all(_blank(cell(values, at)) for at in index.values()):
            continue  # a note or a signature beside the table, nothing in the mapped columns
        rows_total += 1
        row_problems: list[tuple[str, str]] = []

        # The period first: it tells which era's units the code belongs to.
        year = month = None
        if date_at is not None:
            try:
                period = read_month(cell(values, date_at))
            except NotANumber as exc:
                row_problems.append(("date", str(exc)))
            else:
                if period is None:
                    row_problems.append(("date", "thiếu ngày hoặc tháng/năm"))
                else:
                    year, month = period
        else:
            for key, at in (("year", year_at), ("month", month_at)):
                try:
                    whole = read_whole(cell(values, at))
                except NotANumber as exc:
                    row_problems.append((key, str(exc)))
                    continue
                if whole is None:
                    row_problems.append((key, f"thiếu {'năm' if key == 'year' else 'tháng'}"))
                elif key == "year":
                    year = whole
                else:
                    month = whole
        if year is not None and month is not None:
            wrong = check_period(year, month, today)
            if wrong is not None:
                which, reason = wrong
                row_problems.append(("date" if date_at is not None else which, reason))
                year = month = None

        # The unit.
        unit_id = None
        code = _code(cell(values, code_at))
        if not code:
            row_problems.append(("unit_code", "thiếu mã đơn vị"))
        elif year is None or month is None:
            # The period's problem is reported; the code only needs to exist in either era.
            if _lookup(units.current, code) is None and _lookup(units.before_reform, code) is None:
                row_problems.append(("unit_code", f"không có đơn vị mã '{code}'{scope}"))
        else:
            unit_id, reason = _resolve(units, code, year, month, scope)
            if reason:
                row_problems.append(("unit_code", reason))

        # The figures.
        figures: dict[str, Decimal | None] = {"numerator": None, "denominator": None}
        failed = False
        for key, at in (("numerator", num_at), ("denominator", den_at)):
            if at is None:
                continue
            try:
                figures[key] = read_number(cell(values, at))
            except NotANumber as exc:
                row_problems.append((key, str(exc)))
                failed = True
        if not failed:
            row_problems.extend(check_figures(kind, figures["numerator"], figures["denominator"]))
        else:
            for key, at, missing in (("numerator", num_at, "thiếu số liệu"), ("denominator", den_at, "thiếu mẫu số")):
                if at is not None and _blank(cell(values, at)):
                    row_problems.append((key, missing))
        numerator, denominator = figures["numerator"], figures["denominator"]

        if unit_id is not None and year is not None and month is not None:
            key3 = (unit_id, year, month)
            first = seen.get(key3)
            if first is not None:
                row_problems.append(("unit_code", f"trùng đơn vị '{code}' và tháng {month}/{year} với dòng {first}"))
            else:
                seen[key3] = number

        if row_problems:
            problems.extend(RowProblem(sheet, number, titles[key], reason) for key, reason in row_problems)
        elif not problems:
            assert numerator is not None and unit_id is not None and year is not None and month is not None
            clean.append(
                CleanRow(unit_id, year, month, numerator, denominator, figure_value(kind, numerator, denominator))
            )
    if problems:
        return Checked(rows=[], problems=problems, rows_total=rows_total)
    return Checked(rows=clean, problems=[], rows_total=rows_total)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _resolve(units: UnitCodes, code: str, year: int, month: int, scope: str) -> tuple[int | None, str]:
    """(unit id, "") for a code the row may name in its month, or (None, why not)."""
    old = is_before_reform(year, month)
    codes, others = (units.before_reform, units.current) if old else (units.current, units.before_reform)
    unit_id = _lookup(codes, code)
    if unit_id is None:
        if _lookup(others, code) is not None:
            return None, (
                f"mã '{code}' là đơn vị {'từ' if old else 'trước'} 01/7/2025; số liệu tháng {month}/{year} "
                f"phải ghi theo đơn vị {'trước' if old else 'từ'} ngày đó"
            )
        era = " (đơn vị trước 01/7/2025)" if old else ""
        return None, f"không có đơn vị mã '{code}'{scope}{era}"
    if units.allowed is not None and unit_id not in units.allowed:
        return None, f"đơn vị mã '{code}' không thuộc phạm vi của bạn: chỉ được nhập số liệu của đơn vị mình"
    return unit_id, ""


def _code(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _text(value)


def _lookup(codes: Mapping[str, int], code: str) -> int | None:
    """The unit of ``code``; a numeric code that lost its leading zeros in Excel ("4") still
    finds its five-digit commune code ("00004")."""
    found = codes.get(code)
    if found is None and code.isdigit() and len(code) < 5:
        found = codes.get(code.zfill(5))
    return found
