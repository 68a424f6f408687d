"""docs/ranking.md: the ranking rule is shown under every table or figure that shows a rank.
One include (``results/_ranking_rule.html``) on every such page, after the ranks it explains."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from parindex.assessments.models import Assessment
from parindex.dashboards.tests.factories import open_cycle, two_years
from parindex.remediation.tests.factories import commune_people
from parindex.results.tests.factories import bulk_units

pytestmark = pytest.mark.django_db

RULE = render_to_string("results/_ranking_rule.html").strip()


@pytest.fixture
def scene(province, version, staff, commune, other_commune):
    units = [commune, other_commune, *bulk_units(province, 4)]
    before, after = two_years(province, version, units, staff)
    cycle = open_cycle(province, version, units)
    return {"after": after, "cycle": cycle, "people": commune_people(commune)}


def test_the_rule_is_the_one_docs_ranking_md_states():
    assert "chỉ số (% điểm tối đa áp dụng)" in RULE and "(1, 2, 2, 4)" in RULE and "“N/M”" in RULE
    assert "trung bình cộng của các đơn vị cũ hợp thành" in RULE


def pages(scene, province, commune, staff):
    """(page, who opens it, URL, what shows a rank on it: the rule must come after it)."""
    published = Assessment.objects.get(unit=commune, cycle__year=2025)
    open_one = Assessment.objects.get(unit=commune, cycle=scene["cycle"])
    head, chair = scene["people"]["head"], staff["chair"]
    return [
        ("the public publication page", None, reverse("results:publication-detail", args=[scene["after"].pk]), 'class="table ranking"'),
        ("the province dashboard: ranking", None, reverse("dashboards:province", args=[province.pk]), 'id="ranking-title"'),
        ("the province dashboard: movers", chair, reverse("dashboards:province", args=[province.pk]), 'id="movers-title"'),
        ("the commune dashboard", chair, reverse("dashboards:commune", args=[commune.pk]), '<span class="label">Thứ hạng</span>'),
        ("the commune's published results", head, reverse("remediation:plan-list"), 'data-label="Thứ hạng"'),
        ("the province's remediation overview", chair, reverse("remediation:province-overview", args=[province.pk]), "trk-province"),
        ("the lost-points analysis", head, reverse("remediation:analysis", args=[published.pk]), '<span class="label">Thứ hạng</span>'),
        ("the forecast", head, reverse("indicators:forecast", args=[open_one.pk]), "Thứ hạng dự kiến"),
    ]  # fmt: skip


def test_every_page_showing_ranks_shows_the_rule_after_them(client, scene, province, commune, staff):
    for page, user, url, ranks in pages(scene, province, commune, staff):
        client.logout()
        if user is not None:
            client.force_login(user)
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, page
        assert ranks in html, page
        assert RULE in html[html.index(ranks) :], f"{page}: no ranking rule after the ranks"


def test_the_htmx_ranking_partial_keeps_the_rule(client, scene, province):
    html = client.get(
        reverse("dashboards:province", args=[province.pk]) + "?sap-xep=ten",
        headers={"HX-Request": "true", "HX-Target": "ranking"},
    ).content.decode()
    assert "<html" not in html and 'id="ranking-title"' in html and RULE in html
