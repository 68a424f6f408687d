"""My units' published results and their plans, filtered by year and by the plan's state,
with a count and a pager that keeps the filters."""

from __future__ import annotations

import re

import pytest

from parindex.remediation.tests.test_views import SHARED, html_of, u

pytestmark = pytest.mark.django_db
globals().update(SHARED)  # test_views' three years, built once for this module too


def years(html):
    return re.findall(r'<td data-label="Năm">(\d{4})</td>', html)


def test_filters_by_year_and_by_the_plans_state(client, scene):
    client.force_login(scene["users"]["office"])
    html = html_of(client.get(u("plan-list")))
    assert sorted(years(html)) == ["2023", "2024", "2025"] and "3 kết quả" in html
    assert years(html_of(client.get(u("plan-list"), {"nam": "2024"}))) == ["2024"]
    assert years(html_of(client.get(u("plan-list"), {"ke_hoach": "chua-lap"}))) == ["2025"]
    assert years(html_of(client.get(u("plan-list"), {"ke_hoach": "draft"}))) == ["2024"]
    assert years(html_of(client.get(u("plan-list"), {"ke_hoach": "approved"}))) == ["2023"]
    html = html_of(client.get(u("plan-list"), {"q": "Đông Hà"}))
    assert "0 kết quả khớp bộ lọc" in html and "Không có kết quả nào khớp bộ lọc" in html


def test_the_rows_are_cards_on_a_phone(client, scene):
    client.force_login(scene["users"]["office"])
    html = html_of(client.get(u("plan-list")))
    assert 'class="table plan-results cards"' in html and '<td class="card-title">Xã Nam Cửa Việt</td>' in html
