"""The tables the dashboards write in Python (a chart's figures, the ranking's rows) are byte for
byte what the templates wrote cell by cell and row by row before: same escaping, same figures
(decimal comma, no trailing zeros, 0 and -0 apart), same whitespace."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils.safestring import SafeString

from parindex.dashboards.boards import ranking_body
from parindex.dashboards.widgets import Chart

# What templates/dashboards/components/chart.html wrote in its <tbody> until the body moved
# to Chart.table_body.
CELLS_TEMPLATE = (
    "{% load parindex %}{% for row in rows %}<tr>{% for cell in row %}<td{% if cell|is_number %} "
    'class="num"{% endif %}>{{ cell|vn_cell }}</td>{% endfor %}</tr>{% endfor %}'
)

# What templates/dashboards/province.html wrote for each row of the ranking until the rows
# moved to boards.ranking_body.
RANKING_TEMPLATE = """{% load parindex %}{% for r in rows %}
      <tr>
        <td class="num">{{ r.rank }}/{{ r.rank_of }}</td>
        <th scope="row">{% if staff %}<a href="{% url 'dashboards:commune' r.unit_id %}">{{ r.unit_name }}</a>{% else %}{{ r.unit_name }}{% endif %}</th>
        {% if grouped %}<td>{{ r.group_name }}</td>{% endif %}
        <td class="num">{{ r.total|vn_score }}</td>
        <td class="num"><strong>{{ r.percent|vn_score }}</strong></td>
        <td>{{ r.classification|default:"–" }}</td>
        <td class="num">{% if r.rank_change is None %}<span class="muted">–</span>{% elif r.rank_change > 0 %}<span class="up">+{{ r.rank_change }}</span>{% elif r.rank_change < 0 %}<span class="down">{{ r.rank_change }}</span>{% else %}<span class="flat">0</span>{% endif %}</td>
        {% if staff %}<td class="num">{% if r.gap > 0 %}<span class="down">+{{ r.gap|vn_score }}</span>{% else %}{{ r.gap|vn_score }}{% endif %}</td>{% endif %}
      </tr>
    {% endfor %}"""  # noqa: E501

VALUES = [
    None,
    "",
    "Xã A & B <mới>",
    SafeString("<b>đã an toàn</b>"),
    0,
    1,
    -12,
    True,
    False,
    0.0,
    -0.0,
    12.5,
    1e-7,
    Decimal("0"),
    Decimal("-0.00"),
    Decimal("1.00"),
    Decimal("1"),
    Decimal("1E+2"),
    Decimal("2.50"),
    Decimal("0E-10"),
    Decimal("-3.1400"),
    "12",
    12,
]


def render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


def test_a_charts_table_body_is_what_the_template_wrote_cell_by_cell():
    rows = [[VALUES[(i * 7 + j * 3) % len(VALUES)] for j in range(5)] for i in range(len(VALUES) * 3)]
    rows += [[v, v] for v in VALUES]  # every value beside itself: the per-table cache
    rows += [[Decimal("0"), Decimal("-0")], [Decimal("-0"), Decimal("0")], [1, True], [True, 1], [1.0, Decimal("1.0")]]
    chart = Chart(key="k", title="t", kind="bar", spec={}, columns=["a", "b"], rows=rows)
    assert chart.table_body == render(CELLS_TEMPLATE, rows=rows)
    assert Chart(key="k", title="t", kind="bar", spec={}, columns=[], rows=[]).table_body == ""


def result(**fields):
    base = {
        "rank": 3,
        "rank_of": 168,
        "unit_id": 41,
        "unit_name": "Phường Sài Gòn",
        "group_name": "Khối xã, phường, đặc khu",
        "total": Decimal("87.25"),
        "percent": Decimal("92.30"),
        "classification": "Tốt",
        "rank_change": 2,
        "gap": Decimal("1.20"),
    }
    return SimpleNamespace(**(base | fields))


@pytest.mark.parametrize("staff", [True, False])
@pytest.mark.parametrize("grouped", [True, False])
def test_the_ranking_rows_are_what_the_template_wrote_row_by_row(staff, grouped):
    rows = [
        result(),
        result(
            unit_id=7,
            unit_name="Xã A & B <mới>",
            group_name="Nhóm \"2\" & 'khác'",
            rank_change=None,
            gap=Decimal("0.00"),
        ),
        result(rank=168, rank_change=-14, gap=Decimal("-3.50"), classification=""),
        result(rank_change=0, total=Decimal("0.00"), percent=Decimal("100.00")),
    ]
    assert ranking_body(rows, staff=staff, grouped=grouped) == render(
        RANKING_TEMPLATE, rows=rows, staff=staff, grouped=grouped
    )
