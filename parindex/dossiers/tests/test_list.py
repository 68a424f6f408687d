"""A commune's register of late dossiers at scale: 50 a page with a count, a search by code,
procedure or applicant, the apology-letter filter kept in the pager's links (and through the
year's htmx swap), and the same queries for 3 dossiers as for 300."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from parindex.dossiers.models import LateDossier
from parindex.dossiers.tests.factories import bulk_dossiers, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(commune, other_commune, province):
    return people(commune, other_commune, province)["office"]


def url(commune):
    return reverse("dossiers:unit-list", args=[commune.pk])


def codes(response):
    return re.findall(r'<td class="nowrap card-title">([^<]+)</td>', response.content.decode())


def test_fifty_a_page_with_the_count_and_the_filters_kept(client, commune, office):
    LateDossier.objects.all().delete()
    bulk_dossiers(commune, 120, with_letter=60)
    client.force_login(office)
    response = client.get(url(commune), {"nam": "2026"})
    assert "120 hồ sơ, trang 1/3" in response.content.decode() and len(codes(response)) == 50
    response = client.get(url(commune), {"nam": "2026", "thu": "chua"})
    html = response.content.decode()
    assert "60 hồ sơ khớp bộ lọc, trang 1/2" in html
    assert 'href="?nam=2026&amp;thu=chua&amp;trang=2" rel="next"' in html
    assert all("Chưa có thư xin lỗi" in row for row in re.findall(r'<tr id="ho-so-.*?</tr>', html, re.S))
    # The year's htmx swap brings the count and the pager with it.
    part = client.get(
        url(commune), {"nam": "2026", "thu": "co", "trang": "2"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dossier-list"
    ).content.decode()
    assert "60 hồ sơ khớp bộ lọc, trang 2/2" in part and 'href="?nam=2026&amp;thu=co&amp;trang=1"' in part


def test_search_by_code_procedure_or_applicant(client, commune, office):
    LateDossier.objects.all().delete()
    bulk_dossiers(commune, 12)
    LateDossier.objects.filter(code__endswith="0003").update(applicant="Nguyễn Văn Tám", procedure="Chứng thực bản sao")
    client.force_login(office)
    assert codes(client.get(url(commune), {"nam": "2026", "q": "0007"})) == ["H45-19639-2026-0007"]
    assert codes(client.get(url(commune), {"nam": "2026", "q": "Tám"})) == ["H45-19639-2026-0003"]
    assert codes(client.get(url(commune), {"nam": "2026", "q": "chứng thực"})) == ["H45-19639-2026-0003"]
    assert "Không có hồ sơ nào khớp bộ lọc" in client.get(url(commune), {"nam": "2026", "q": "zzz"}).content.decode()


# session, user with their grants, commune, frozen years, the year's figures (the counts), the page
# of dossiers, unread notifications (menu): the apology filter is counted by the figures; a
# search adds the paginator's COUNT.
QUERIES = 7


@pytest.mark.parametrize("n", [3, 300])
def test_the_list_costs_the_same_queries_for_3_and_300_dossiers(client, commune, office, n, django_assert_num_queries):
    LateDossier.objects.all().delete()
    bulk_dossiers(commune, n, with_letter=n // 3)
    client.force_login(office)
    with django_assert_num_queries(QUERIES):
        response = client.get(url(commune), {"nam": "2026", "thu": "chua"})
    assert len(codes(response)) == min(n - n // 3, 50)
    with django_assert_num_queries(QUERIES + 1):
        response = client.get(url(commune), {"nam": "2026", "q": "H45"})
    assert len(codes(response)) == min(n, 50)
