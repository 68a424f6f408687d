"""The two dashboards as data: the selectors' aggregates turned into KPI figures, charts and
tables. Views render these; the benchmark times ``province_board`` against the bare SQL it
issues. Nothing here scores: totals come frozen from the publications, and the one
projection (the open cycle's score) comes from ``scoring`` through the appraisals selectors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from parindex import scoring
from parindex.assessments.models import Assessment, Stage
from parindex.assessments.workflow import APPRAISAL_FINAL, APPRAISAL_PROVISIONAL, Status
from parindex.core.filenames import file_stem
from parindex.core.numbers import vn_score
from parindex.dashboards import selectors
from parindex.dashboards.widgets import BRAND, MEAN, OK, WARN, Chart, LazyRows, bars, by_key, num
from parindex.external import surveys
from parindex.indicators.forecast import own_projection
from parindex.remediation.selectors import ActionRow, action_row
from parindex.results.models import Publication, PublishedResult
from parindex.units.models import AdministrativeUnit

PAGE_SIZE = 50
# Line colours of the communes merged into a commune (muted: the commune's own line leads).
FORMER = ("#7b8794", "#b7791f", "#0e7490", "#6b21a8", "#9f1239", "#4d7c0f", "#52606d", "#c2410c")
TOP = 15


def _short(text: str, limit: int = 48) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _field_label(code: str, name: str) -> str:
    return f"{code}. {_short(name, 40)}"


# -- the province -------------------------------------------------------------------------------


# A row of the ranking table, as the template wrote it row by row: written here once per row
# instead (50 rows of template variables, comparisons and URL reversing cost more than the rest
# of the table's page). The whitespace is the template's, so the page is byte for byte the same.
RANKING_ROW = (
    '\n      <tr>\n        <td class="num">{place}</td>\n        <th scope="row">{name}</th>\n        {group}'
    '\n        <td class="num">{total}</td>\n        <td class="num"><strong>{percent}</strong></td>'
    '\n        <td>{classification}</td>\n        <td class="num"><span class="{change_class}">{change}</span></td>'
    "\n        {gap}\n      </tr>\n    "
)


def ranking_body(results: list[PublishedResult], *, staff: bool, grouped: bool) -> SafeString:
    """The ranking table's rows (``tbody`` content) for the page's results: the commune's
    dashboard linked for the province's staff, the group shown when there are several, the
    gap between self-assessed and appraised totals for the staff only."""
    marker = "987654321"  # one reverse for every row: the unit's id put in place of a marker
    url = reverse("dashboards:commune", args=[marker]) if staff else ""
    out = []
    for r in results:
        name = escape(r.unit_name)
        change = r.rank_change
        if change is None:
            change_class, change_text = "muted", "–"
        elif change > 0:
            change_class, change_text = "up", f"+{change}"
        else:
            change_class, change_text = ("down" if change < 0 else "flat"), str(change)
        if staff:
            gap = vn_score(r.gap)
            gap = (
                f'<td class="num"><span class="down">+{gap}</span></td>' if r.gap > 0 else f'<td class="num">{gap}</td>'
            )
        out.append(
            RANKING_ROW.format(
                place=f"{r.rank}/{r.rank_of}",
                name=f'<a href="{escape(url.replace(marker, str(r.unit_id)))}">{name}</a>' if staff else name,
                group=f"<td>{escape(r.group_name)}</td>" if grouped else "",
                total=vn_score(r.total),
                percent=vn_score(r.percent),
                classification=escape(r.classification or "–"),
                change_class=change_class,
                change=change_text,
                gap=gap if staff else "",
            )
        )
    return mark_safe("".join(out))  # noqa: S308 - the names escaped above; the rest are figures


@dataclass
class ProvinceBoard:
    province: AdministrativeUnit
    staff: bool  # the province's staff see the open cycle and the self-assessment gaps
    years: list[int]
    year: int | None
    publications: list[Publication]
    scope: selectors.Scope | None
    classifications: list[str]
    sort: str
    summary: selectors.Summary | None = None
    charts: list[Chart] = field(default_factory=list)
    page: Page | None = None
    ranking_html: SafeString = SafeString("")  # the rows of the ranking table on the page (ranking_body)
    heatmap: Chart | None = None
    criteria: list[selectors.CriterionLoss] = field(default_factory=list)
    risers: list[PublishedResult] = field(default_factory=list)
    fallers: list[PublishedResult] = field(default_factory=list)
    progress: selectors.CycleProgress | None = None
    divergences: list[surveys.Divergence] = field(default_factory=list)  # staff: self-assessed high, satisfaction low

    @property
    def all_charts(self) -> list[Chart]:
        return self.charts + ([self.heatmap] if self.heatmap else [])

    def chart(self, key: str) -> Chart | None:
        return by_key(self.all_charts, key)

    @property
    def places(self) -> int:
        return self.publications[0].places if self.publications else 2

    @property
    def grouped(self) -> bool:
        """The ranking shows each unit's group: several groups, none chosen."""
        return len(self.publications) > 1 and not (self.scope and self.scope.group)

    @property
    def mean_change(self) -> Decimal | None:
        s = self.summary
        return None if s is None else scoring.aggregates.change(s.mean, s.previous_mean)


def province_board(
    province: AdministrativeUnit,
    *,
    staff: bool,
    today: dt.date,
    year: int | None = None,
    group_id: int | None = None,
    classification: str = "",
    sort: str = "hang",
    page_number: Any = 1,
) -> ProvinceBoard:
    """Everything the province dashboard shows, in a fixed number of queries."""
    every = selectors.province_publications(province.pk)
    years = sorted({p.year for p in every}, reverse=True)
    year = year if year in years else (years[0] if years else None)
    publications = [p for p in every if p.year == year]
    group = next((p for p in publications if p.pk == group_id), None)
    base = selectors.Scope(tuple(publications)) if publications else None
    base_classes = selectors.classification_counts(base) if base else []
    board = ProvinceBoard(
        province=province,
        staff=staff,
        years=years,
        year=year,
        publications=publications,
        scope=None,
        classifications=[c for c, _ in base_classes if c != selectors.UNCLASSIFIED],
        sort=sort if sort.lstrip("-") in selectors.RANKING_SORTS else "hang",
    )
    if board.sort.lstrip("-") == "chenh-lech" and not staff:
        board.sort = "hang"
    if staff:
        cycle = selectors.open_cycle(province.pk)
        board.progress = selectors.cycle_progress(cycle, today) if cycle is not None else None
    if base is None:
        return board
    scope = selectors.Scope(
        tuple(publications),
        group=group,
        classification=classification if classification in board.classifications else "",
    )
    board.scope = scope
    board.summary = selectors.summary(scope)
    name = file_stem("chi-so-CCHC", year, province.name)
    histogram = _from_first_filled(selectors.histogram(scope))
    board.charts.append(
        Chart(
            key="phan-bo",
            title="Phân bố Chỉ số CCHC",
            kind="histogram",
            spec={
                "categories": [f"{lo}–{lo + selectors.HISTOGRAM_STEP}" for lo, _ in histogram],
                "series": [{"name": "Số đơn vị", "data": [n for _, n in histogram], "color": BRAND}],
                "unit": "đơn vị",
            },
            columns=["Chỉ số từ (%)", "Đến dưới (%)", "Số đơn vị"],
            rows=[[lo, lo + selectors.HISTOGRAM_STEP, n] for lo, n in histogram],
            label=f"Số đơn vị theo từng khoảng {selectors.HISTOGRAM_STEP} điểm phần trăm của Chỉ số",
            note=f"Từ khoảng thấp nhất có đơn vị ({histogram[0][0]}%) đến 100%; khoảng cuối gồm cả 100%.",
            filename=name,
        )
    )
    classes = selectors.classification_counts(scope) if scope.filtered else base_classes
    board.charts.append(
        Chart(
            key="xep-loai",
            title="Số đơn vị theo xếp loại",
            kind="bar",
            spec={
                "categories": [c for c, _ in classes],
                "series": [{"name": "Số đơn vị", "data": [n for _, n in classes], "color": MEAN}],
                "unit": "đơn vị",
            },
            columns=["Xếp loại", "Số đơn vị"],
            rows=[[c, n] for c, n in classes],
            label="Số đơn vị ở mỗi mức xếp loại",
            filename=name,
        )
    )
    fields = selectors.field_losses(scope)
    board.charts.append(
        bars(
            key="linh-vuc",
            title="Điểm bình quân và điểm bị mất theo lĩnh vực",
            categories=[_field_label(f.code, f.name) for f in fields],
            series=[
                    {"name": "Điểm đạt bình quân", "data": [num(f.mean_score) for f in fields], "stack": "s", "color": OK},
                    {"name": "Điểm bị mất bình quân", "data": [num(f.mean_lost) for f in fields], "stack": "s", "color": BRAND},
                ],
            unit="điểm",
            columns=["Mã", "Lĩnh vực", "Điểm tối đa", "Điểm đạt bình quân", "Điểm bị mất bình quân", "Tổng điểm bị mất", "Số đơn vị bị mất điểm"],
            rows=[[f.code, f.name, f.maximum, f.mean_score, f.mean_lost, f.total_lost, f.losing] for f in fields],
            label="Điểm đạt và điểm bị mất bình quân của các đơn vị trong từng lĩnh vực",
            filename=name,
        )
    )  # fmt: skip
    criteria = selectors.criterion_losses(scope)
    board.criteria = criteria
    failing = [c for c in criteria if c.losing][:TOP]
    columns = [
        "Mã",
        "Tiêu chí thành phần",
        "Điểm tối đa",
        "Số đơn vị áp dụng",
        "Số đơn vị bị mất điểm",
        "Tỷ lệ (%)",
        "Điểm mất bình quân",
        "Điểm mất bình quân (% điểm tối đa)",
        "Tổng điểm bị mất",
    ]
    if staff:
        columns += ["Số đơn vị tự chấm cao hơn thẩm định", "Tổng điểm tự chấm vượt"]
    board.charts.append(
        bars(
            key="tieu-chi",
            title=f"{len(failing)} tiêu chí thành phần nhiều đơn vị bị mất điểm nhất",
            categories=[f"{c.code} {_short(c.name, 36)}" for c in failing],
            series=[
                    {"name": "Tỷ lệ đơn vị bị mất điểm", "data": [num(c.losing_share) for c in failing], "color": BRAND},
                    {"name": "Điểm mất bình quân (% điểm tối đa)", "data": [num(c.mean_lost_share) for c in failing], "color": WARN},
                ],
            unit="%",
            value_max=100,
            row_height=44,
            minimum=260,
            columns=columns,
            rows=[
                [c.code, c.name, c.maximum, c.units, c.losing, c.losing_share, c.mean_lost, c.mean_lost_share, c.total_lost]
                + ([c.over_claimed, c.over_points] if staff else [])
                for c in criteria
            ],
            label="Tỷ lệ đơn vị bị mất điểm và điểm mất bình quân ở các tiêu chí thành phần bị mất điểm nhiều nhất",
            note="Xếp theo số đơn vị bị mất điểm, rồi theo điểm mất bình quân; bảng số liệu liệt kê mọi tiêu chí thành phần.",
            wide=True,
            filename=name,
        )
    )  # fmt: skip
    risers, fallers = selectors.movers(scope)
    board.risers, board.fallers = _shown(risers, board.places), _shown(fallers, board.places)
    moved = board.risers + board.fallers[::-1]
    if moved:
        board.charts.append(
            bars(
                key="thay-doi",
                title="Tăng, giảm thứ hạng nhiều nhất so với năm trước",
                categories=[r.unit_name for r in moved],
                series=[
                        {"name": "Tăng bậc", "data": [r.rank_change if r.rank_change > 0 else None for r in moved], "stack": "s", "color": OK},
                        {"name": "Giảm bậc", "data": [r.rank_change if r.rank_change < 0 else None for r in moved], "stack": "s", "color": BRAND},
                    ],
                unit="bậc",
                row_height=26,
                minimum=240,
                columns=["Đơn vị", "Thứ hạng", "Thứ hạng năm trước", "Thay đổi (bậc, + tăng, - giảm)"],
                rows=[[r.unit_name, f"{r.rank}/{r.rank_of}", f"{r.previous_rank}/{r.previous_of}", r.rank_change] for r in moved],
                label="Các đơn vị tăng và giảm nhiều bậc nhất",
                filename=name,
            )
        )  # fmt: skip
    if staff:
        board.divergences = surveys.province_divergences(province.pk, year, scope.publication_ids)
        claimers = _shown(selectors.over_claimers(scope), board.places)
        board.charts.append(
            bars(
                key="tu-cham",
                title="Đơn vị tự chấm cao hơn kết quả thẩm định nhiều nhất",
                categories=[r.unit_name for r in claimers],
                series=[{"name": "Tự chấm vượt (điểm)", "data": [num(r.gap) for r in claimers], "color": WARN}],
                unit="điểm",
                row_height=26,
                minimum=240,
                columns=["Đơn vị", "Điểm tự đánh giá", "Điểm thẩm định", "Chênh lệch"],
                rows=[[r.unit_name, r.self_total, r.total, r.gap] for r in claimers],
                label="Chênh lệch giữa điểm tự đánh giá và điểm thẩm định của từng đơn vị",
                note="Chỉ cán bộ của tỉnh xem được; chênh lệch từng tiêu chí ở bảng số liệu của biểu đồ tiêu chí thành phần.",
                filename=name,
            )
        )
        claimed = sorted((c for c in criteria if c.over_claimed), key=lambda c: (-c.over_claimed, c.position))[:TOP]
        board.charts.append(
            bars(
                key="tu-cham-tieu-chi",
                title="Tiêu chí thành phần hay bị tự chấm cao hơn thẩm định",
                categories=[f"{c.code} {_short(c.name, 36)}" for c in claimed],
                series=[{"name": "Số đơn vị tự chấm vượt", "data": [c.over_claimed for c in claimed], "color": WARN}],
                unit="đơn vị",
                row_height=28,
                minimum=240,
                columns=["Mã", "Tiêu chí thành phần", "Số đơn vị tự chấm vượt", "Tổng điểm tự chấm vượt"],
                rows=[[c.code, c.name, c.over_claimed, c.over_points] for c in claimed],
                label="Số đơn vị tự chấm cao hơn kết quả thẩm định ở từng tiêu chí thành phần",
                filename=name,
            )
        )  # fmt: skip
    paginator = Paginator(selectors.ranking(scope, board.sort), PAGE_SIZE)
    paginator.count = board.summary.count  # the same rows: no COUNT query of its own
    board.page = paginator.get_page(page_number)
    board.page.object_list = _shown(list(board.page.object_list), board.places)
    board.ranking_html = ranking_body(board.page.object_list, staff=staff, grouped=board.grouped)
    board.heatmap = _heatmap(board.page.object_list, criteria, name)
    return board


def _shown(results: list[PublishedResult], places: int) -> list[PublishedResult]:
    """The results with their figures at the publication's decimals (the gap, computed by the
    database, may come back from SQLite as a float's long tail)."""
    quantum = Decimal(1).scaleb(-places)
    for r in results:
        r.total = r.total.quantize(quantum)
        r.self_total = r.self_total.quantize(quantum)
        r.percent = r.percent.quantize(quantum)
        if getattr(r, "gap", None) is not None:
            r.gap = Decimal(str(r.gap)).quantize(quantum)
    return results


def _from_first_filled(bands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The distribution from its lowest band with a unit up to 100 (all bands when empty)."""
    first = next((i for i, (_, n) in enumerate(bands) if n), 0)
    return bands[first:]


def _heatmap(results: list[PublishedResult], criteria: list[selectors.CriterionLoss], filename: str) -> Chart:
    """Lost share of each failed sub-criterion (columns, most often failed first) for the units
    on the ranking's page (rows, in the table's order)."""
    columns = [c for c in criteria if c.losing]
    index = {c.code: i for i, c in enumerate(columns)}
    cells = selectors.lost_cells([r.pk for r in results])
    spec_cells = []
    # A page's ~1,600 cells hold a few dozen different (lost, maximum) pairs: each share once.
    shares: dict[tuple[Decimal, Decimal], tuple[Decimal | None, float | int | None]] = {}
    for y, r in enumerate(results):
        for code, lost, maximum in cells.get(r.pk, ()):
            x = index.get(code)
            if x is not None:
                share = shares.get((lost, maximum))
                if share is None:
                    exact = scoring.aggregates.percent_of(lost, maximum, 1)
                    share = shares[lost, maximum] = (exact, num(exact, 1))
                spec_cells.append([x, y, share[1]])

    def table() -> list[list[Any]]:  # the same cells, as the data table's rows
        return [
            [r.unit_name, code, lost, maximum, shares[lost, maximum][0]]
            for r in results
            for code, lost, maximum in cells.get(r.pk, ())
            if code in index
        ]

    return Chart(
        key="ban-do-nhiet",
        title="Bản đồ nhiệt điểm bị mất theo tiêu chí thành phần",
        kind="heatmap",
        spec={
            "x": [c.code for c in columns],
            "x_names": [c.name for c in columns],
            "y": [r.unit_name for r in results],
            "cells": spec_cells,
            "value_max": 100,
            "unit": "% điểm tối đa",
        },
        columns=["Đơn vị", "Tiêu chí thành phần", "Điểm bị mất", "Điểm tối đa", "Tỷ lệ điểm bị mất (%)"],
        rows=LazyRows(len(spec_cells), table),  # a page only counts them: built for ?bang= and ?tai=
        label="Mỗi ô là phần điểm bị mất của một đơn vị ở một tiêu chí thành phần; ô càng đậm càng mất nhiều",
        note="Cột: tiêu chí thành phần, tiêu chí nhiều đơn vị bị mất điểm nhất ở bên trái. Hàng: các đơn vị của trang đang xem trong bảng xếp hạng, theo thứ tự của bảng.",
        wide=True,
        min_width=max(640, 18 * len(columns) + 220),
        filename=filename,
        table_on_demand=True,
    )


# -- the commune --------------------------------------------------------------------------------


@dataclass
class Deadline:
    label: str
    due: dt.date
    done: bool = False
    extended: bool = False

    def overdue(self, today: dt.date) -> bool:
        return not self.done and self.due < today


@dataclass
class Projection:
    assessment: Assessment
    score: scoring.UnitScore
    basis: str  # which figures the projection stands on

    @property
    def percent(self) -> Decimal | None:
        return self.score.percent


@dataclass
class CommuneBoard:
    unit: AdministrativeUnit
    history: selectors.History
    latest: selectors.YearResult | None
    places: int = 2
    fields: list[selectors.FieldStanding] = field(default_factory=list)
    losses: list[selectors.LeafLoss] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    action_count: int = 0
    projection: Projection | None = None
    deadlines: list[Deadline] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)

    def chart(self, key: str) -> Chart | None:
        return by_key(self.charts, key)

    @property
    def overdue_actions(self) -> int:
        return sum(r.overdue for r in self.actions)

    @property
    def projected_change(self) -> Decimal | None:
        if self.projection is None or self.latest is None:
            return None
        return scoring.aggregates.change(self.projection.percent, self.latest.percent)


def commune_board(unit: AdministrativeUnit, *, today: dt.date) -> CommuneBoard:
    """Everything the commune dashboard shows, in a fixed number of queries."""
    history = selectors.unit_history(unit)
    board = CommuneBoard(unit=unit, history=history, latest=history.latest)
    name = file_stem("chi-so-CCHC", unit.name)
    board.charts.append(_history_chart(unit, history, name))
    latest = board.latest
    if latest is not None:
        publication = Publication.objects.only("fields", "places").get(pk=latest.publication_id)
        board.places = publication.places
        board.fields = selectors.field_standing(latest, publication.fields)
        board.losses = selectors.top_losses(latest)
        board.charts += _field_charts(board.fields, latest.year, name)
        board.charts.append(
            bars(
                key="tieu-chi",
                title=f"Tiêu chí thành phần bị mất nhiều điểm nhất năm {latest.year}",
                categories=[f"{x.code} {_short(x.name, 36)}" for x in board.losses],
                series=[{"name": "Điểm bị mất", "data": [num(x.lost) for x in board.losses], "color": BRAND}],
                unit="điểm",
                row_height=28,
                minimum=240,
                columns=["Mã", "Tiêu chí thành phần", "Điểm tối đa", "Điểm đạt", "Điểm bị mất", "Tỷ lệ đơn vị trong tỉnh cũng bị mất điểm (%)"],
                rows=[[x.code, x.name, x.maximum, x.score, x.lost, x.losing_share] for x in board.losses],
                label="Các tiêu chí thành phần xã bị mất nhiều điểm nhất",
                wide=True,
                filename=name,
            )
        )  # fmt: skip
    actions, board.action_count = selectors.open_actions(unit)
    board.actions = [action_row(a, a.plan, today) for a in actions]
    assessment = selectors.open_assessment(unit)
    if assessment is not None:
        board.projection = _projection(assessment)
        board.deadlines = _deadlines(assessment, board.actions)
    return board


def _history_chart(unit: AdministrativeUnit, history: selectors.History, filename: str) -> Chart:
    years = history.years
    own = {r.year: r for r in history.rows if r.own}
    series = [{"name": unit.name, "data": [num(own[y].percent) if y in own else None for y in years], "color": BRAND}]
    predecessors: dict[int, dict[int, selectors.YearResult]] = {}
    names: dict[int, str] = {}
    for r in history.rows:
        if not r.own:
            predecessors.setdefault(r.unit_id, {})[r.year] = r
            names[r.unit_id] = r.unit_name
    for k, (unit_id, by_year) in enumerate(list(predecessors.items())[: len(FORMER)]):
        series.append(
            {"name": f"{names[unit_id]} (trước sắp xếp)", "data": [num(by_year[y].percent) if y in by_year else None for y in years], "dashed": True, "color": FORMER[k]}
        )  # fmt: skip
    series.append(
        {"name": "Bình quân của tỉnh", "data": [num(history.province_means.get(y)) for y in years], "dashed": True, "color": MEAN}
    )  # fmt: skip
    return Chart(
        key="lich-su",
        title="Chỉ số CCHC qua các năm",
        kind="line",
        spec={"categories": [str(y) for y in years], "series": series, "unit": "%", "value_max": 100},
        columns=["Năm", "Đơn vị", "Chỉ số (%)", "Tổng điểm", "Xếp loại", "Thứ hạng", "Trên tổng số", "Thay đổi thứ hạng (bậc)", "Bình quân của tỉnh (%)"],
        rows=[
            [r.year, r.unit_name, r.percent, r.total, r.classification, r.rank, r.rank_of, r.rank_change, history.province_means.get(r.year)]
            for r in history.rows
        ],
        label="Chỉ số của xã, của các đơn vị trước sắp xếp và bình quân của tỉnh qua các năm",
        note="Những năm trước sắp xếp đơn vị hành chính là kết quả của các xã đã hợp nhất vào xã.",
        wide=True,
        filename=filename,
    )  # fmt: skip


def _field_charts(fields: list[selectors.FieldStanding], year: int, filename: str) -> list[Chart]:
    labels = [_field_label(f.code, f.name) for f in fields]
    rows = [[f.code, f.name, f.maximum, f.score, f.lost, f.mean, f.rank, f.of] for f in fields]
    columns = [
        "Mã",
        "Lĩnh vực",
        "Điểm tối đa",
        "Điểm đạt",
        "Điểm bị mất",
        "Bình quân của tỉnh",
        "Hạng trong lĩnh vực",
        "Trên tổng số",
    ]
    return [
        bars(
            key="linh-vuc",
            title=f"Điểm đạt và điểm bị mất theo lĩnh vực năm {year}",
            categories=labels,
            series=[
                    {"name": "Điểm đạt", "data": [num(f.score) for f in fields], "stack": "xa", "color": OK},
                    {"name": "Điểm bị mất", "data": [num(f.lost) for f in fields], "stack": "xa", "color": BRAND},
                    {"name": "Điểm đạt bình quân của tỉnh", "data": [num(f.mean) for f in fields], "color": MEAN},
                ],
            unit="điểm",
            row_height=48,
            minimum=280,
            columns=columns,
            rows=rows,
            label="Điểm đạt và điểm bị mất của xã (cộng lại là điểm tối đa) và điểm đạt bình quân của tỉnh ở từng lĩnh vực",
            filename=filename,
        ),
        Chart(
            key="mat-diem",
            title=f"Tỷ lệ điểm đạt theo lĩnh vực năm {year}",
            kind="radar",
            spec={
                "indicators": [{"name": f.code, "max": 100} for f in fields],
                "series": [
                    {"name": "Tỷ lệ điểm đạt của xã (%)", "data": [num(f.percent) or 0 for f in fields], "color": BRAND},
                    {"name": "Bình quân của tỉnh (%)", "data": [num(f.mean_percent) or 0 for f in fields], "color": MEAN},
                ],
                "unit": "%",
            },
            columns=columns,
            rows=rows,
            label="Tỷ lệ điểm đạt so với điểm tối đa ở từng lĩnh vực, của xã và bình quân của tỉnh; phần khuyết là điểm bị mất",
            note="Mỗi trục là một lĩnh vực (I–VII), tính theo phần trăm điểm tối đa của lĩnh vực.",
            filename=filename,
        ),
    ]  # fmt: skip


def _projection(assessment: Assessment) -> Projection:
    """The same projection as the forecast page's (``indicators.forecast``), so the two never
    show different figures for the same unit."""
    score, from_indicators = own_projection(assessment)
    if assessment.status in APPRAISAL_FINAL:
        return Projection(assessment, score, "Kết quả thẩm định")
    if assessment.status in APPRAISAL_PROVISIONAL:
        return Projection(assessment, score, "Tạm tính theo kết quả thẩm định đến nay")
    if from_indicators:
        return Projection(assessment, score, "Theo điểm tự đánh giá và chỉ số theo dõi từ đầu năm")
    return Projection(assessment, score, "Theo điểm tự đánh giá")


def _deadlines(assessment: Assessment, actions: list[ActionRow]) -> list[Deadline]:
    cycle = assessment.cycle
    extended = selectors.extensions(assessment)
    submitted = assessment.status != Status.DRAFT
    out = [
        Deadline(
            "Gửi hồ sơ tự đánh giá",
            extended.get(Stage.SELF_ASSESSMENT, cycle.self_assessment_due),
            done=submitted,
            extended=Stage.SELF_ASSESSMENT in extended,
        )
    ]
    request = selectors.open_request(assessment) if assessment.status == Status.CLARIFICATION else None
    if request is not None:
        until = extended.get(Stage.CLARIFICATION)
        out.append(
            Deadline(
                f"Giải trình lần {request.number}",
                max(request.deadline, until) if until else request.deadline,
                extended=until is not None,
            )
        )
    out.append(Deadline("Tỉnh hoàn thành thẩm định", cycle.appraisal_due, done=assessment.status in APPRAISAL_FINAL))
    out.append(Deadline("Công bố kết quả", cycle.publication_due, done=False))
    for row in actions[:5]:
        out.append(Deadline(f"Biện pháp khắc phục: {_short(row.action.description, 60)}", row.next_due))
    return sorted(out, key=lambda d: (d.done, d.due))
