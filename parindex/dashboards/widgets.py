"""A dashboard chart: its spec for ``static/js/charts.js``, and the same figures as a table
and as a CSV download, so that nothing on a dashboard is only a picture.

A ``Chart`` is built from rows the selectors computed; the template includes
``dashboards/components/chart.html``, which writes the spec through ``json_script`` and the
rows as a ``<details>`` table. ``?tai=<key>`` on the dashboard's URL answers the CSV.

The table's body is written here (``Chart.table_body``), not by template tags: a heatmap of
one ranking page alone has some 1,600 rows (8,000 cells), which the template language took
some 70 ms to write cell by cell; here each distinct figure or name is formatted once a table.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.http import HttpResponse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from parindex import scoring
from parindex.core.numbers import vn_cell
from parindex.core.templatetags.parindex import is_number

# The palette of every chart: appraised, province mean, maximum / previous, self-assessed ...
BRAND = "#a61b1b"
MEAN = "#1d4ed8"
OK = "#1c7c54"
WARN = "#b7791f"

FIGURES = (int, float, Decimal)  # exactly these types (not bool): written by vn_cell as plain figures


def num(value: Decimal | int | float | None, places: int = 2) -> float | int | None:
    """A figure for the chart spec (JSON numbers; Decimal would serialise as a string)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return round(float(value), places)


class LazyRows(Sequence[list[Any]]):
    """A chart's table rows, counted at once but built when first read: the heatmap's (some
    1,600) are written only when its table is asked for (``?bang=``, ``?tai=``)."""

    def __init__(self, count: int, build: Callable[[], list[list[Any]]]) -> None:
        self._count, self._build = count, build

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self._rows[index]

    def __iter__(self) -> Iterator[list[Any]]:
        return iter(self._rows)

    @cached_property
    def _rows(self) -> list[list[Any]]:
        rows = self._build()
        if len(rows) != self._count:
            raise ValueError(f"{len(rows)} rows built, {self._count} counted")
        return rows


@dataclass
class Chart:
    key: str  # the CSV's ``?tai=`` value and, prefixed, the json_script id
    title: str
    kind: str  # bar, histogram, line, radar, heatmap (see static/js/charts.js)
    spec: dict[str, Any]
    columns: list[str]
    rows: Sequence[list[Any]]
    label: str = ""  # what the chart shows, for screen readers
    note: str = ""
    wide: bool = False
    min_width: int | None = None  # px, for charts that scroll sideways on a phone (the heatmap)
    filename: str = "bang-dieu-khien"
    meta: dict[str, Any] = field(default_factory=dict)
    # The data table is fetched when its "Bảng số liệu" is opened (``?bang=<key>``), not written
    # into every page: the heatmap's has some 1,600 rows that few open.
    table_on_demand: bool = False

    def __post_init__(self) -> None:
        self.spec = {"kind": self.kind, **self.spec}

    @property
    def element_id(self) -> str:
        return f"chart-{self.key}"

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def table_body(self) -> SafeString:
        """The rows as the table's ``<tr>`` elements: each cell as the template filters write it
        (``vn_cell``, class "num" when ``is_number``), escaped."""
        cells: dict[tuple[type, Any], str] = {}
        out = []
        for row in self.rows:
            out.append("<tr>")
            for value in row:
                kind = value.__class__
                # By the exact text for numbers: 0 and -0, equal as keys, are written apart.
                key = (kind, value if kind is str else str(value))
                cell = cells.get(key)
                if cell is None:
                    if kind in FIGURES:  # digits, a sign, a comma: nothing to escape
                        cell = f'<td class="num">{vn_cell(value)}</td>'
                    else:
                        text = conditional_escape(vn_cell(value))
                        cell = f'<td class="num">{text}</td>' if is_number(value) else f"<td>{text}</td>"
                    cells[key] = cell
                out.append(cell)
            out.append("</tr>")
        return mark_safe("".join(out))  # noqa: S308 - every cell escaped above

    def csv_response(self) -> HttpResponse:
        """The chart's table as CSV: UTF-8 with a BOM (Excel reads the diacritics), dot decimals."""
        out = io.StringIO()
        out.write("\ufeff")
        writer = csv.writer(out)
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_machine(v) for v in row])
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.filename}-{self.key}.csv"'
        response["Cache-Control"] = "private, no-store"
        return response


def _machine(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return scoring.decimals.plain(value)
    return value


def by_key(charts: list[Chart], key: str) -> Chart | None:
    return next((c for c in charts if c.key == key), None)


def bars(
    *,
    key: str,
    title: str,
    categories: list[str],
    series: list[dict[str, Any]],
    unit: str,
    columns: list[str],
    rows: list[list[Any]],
    label: str,
    filename: str,
    row_height: int = 48,
    minimum: int = 280,
    value_max: int | None = None,
    note: str = "",
    wide: bool = False,
) -> Chart:
    """A horizontal bar chart, the dashboards' usual one (long names read across), as tall as
    its categories need: ``row_height`` px each, at least ``minimum``."""
    spec: dict[str, Any] = {
        "categories": categories,
        "series": series,
        "horizontal": True,
        "unit": unit,
        "height": max(minimum, row_height * len(categories) + 80),
    }
    if value_max is not None:
        spec["value_max"] = value_max
    return Chart(
        key=key, title=title, kind="bar", spec=spec, columns=columns, rows=rows, label=label, note=note,
        wide=wide, filename=filename,
    )  # fmt: skip
