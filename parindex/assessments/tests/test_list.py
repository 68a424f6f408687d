"""The list of assessments at a province's scale: 50 a page, a count, search by a unit's name
or code (or an old commune merged into it), filters by year, status and old district kept in
the pager's links, and the same queries for 3 units as for 300. The audit history pages too,
with its dates as dd/mm/yyyy."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments import services
from parindex.assessments.models import Assessment, AuditEntry, Cycle, Stage
from parindex.assessments.tests.factories import DUES, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.results.tests.factories import bulk_units
from parindex.units.models import AdministrativeUnit, UnitSuccession

pytestmark = pytest.mark.django_db

LIST = reverse("assessments:assessment-list")


@pytest.fixture
def version(reference_spec):
    return framework_services.framework_import(spec=reference_spec, publish=True).version


@pytest.fixture
def viewer(province):
    return user_with_role("xem", Role.VIEWER, province, include_descendants=True)


def cycle_of(province, version, year, units, status=Status.DRAFT):
    cycle = Cycle.objects.create(
        province=province, year=year, framework_version=version, name=f"Chỉ số CCHC năm {year} – {province.name}",
        **{key: due.replace(year=due.year - (2026 - year)) for key, due in DUES.items()},
    )  # fmt: skip
    Assessment.objects.bulk_create(
        [Assessment(cycle=cycle, unit=u, status=status(i) if callable(status) else status) for i, u in enumerate(units)]
    )
    return cycle


def names(response):
    return re.findall(r'<td class="card-title"><a href="/danh-gia/\d+/">([^<]+)</a>', response.content.decode())


def test_fifty_a_page_with_the_count_and_a_pager(client, province, version, viewer):
    cycle_of(province, version, 2026, bulk_units(province, 120))
    client.force_login(viewer)
    first = client.get(LIST).content.decode()
    assert "120 hồ sơ, trang 1/3" in first and first.count('class="card-title"') == 50
    assert 'href="?trang=2" rel="next">Trang sau ›</a>' in first
    last = client.get(LIST, {"trang": "3"})
    assert len(names(last)) == 20 and names(last)[-1] == "Xã Thử nghiệm 119"


def test_search_by_name_without_accents_by_code_or_by_an_old_commune_merged_in(
    client, province, commune, other_commune, version, viewer
):
    cycle_of(province, version, 2026, [commune, other_commune, *bulk_units(province, 3)])
    old = AdministrativeUnit.objects.create(era="pre2025", code="45", name="Tỉnh Quảng Trị", kind="tinh", level=1)
    district = AdministrativeUnit.objects.create(
        era="pre2025", code="466", name="Huyện Triệu Phong", kind="huyen", level=2, parent=old, province=old
    )
    trieu_trach = AdministrativeUnit.objects.create(
        era="pre2025", code="19636", name="Xã Triệu Trạch", kind="xa", level=3, parent=district, province=old
    )
    UnitSuccession.objects.create(predecessor=trieu_trach, successor=commune)
    client.force_login(viewer)
    assert names(client.get(LIST, {"q": "nam cua viet"})) == ["Xã Nam Cửa Việt"]
    assert names(client.get(LIST, {"q": "19333"})) == ["Phường Đông Hà"]
    assert names(client.get(LIST, {"q": "Triệu Trạch"})) == ["Xã Nam Cửa Việt"]
    response = client.get(LIST, {"huyen": str(district.pk)})
    assert names(response) == ["Xã Nam Cửa Việt"] and "1 hồ sơ khớp bộ lọc" in response.content.decode()
    assert "Huyện Triệu Phong" in client.get(LIST).content.decode()  # offered as a filter
    assert "Không có hồ sơ nào khớp bộ lọc" in client.get(LIST, {"q": "không có xã này"}).content.decode()


def test_filters_by_year_and_status_are_kept_in_the_pagers_links(client, province, version, viewer):
    units = bulk_units(province, 70)
    cycle_of(province, version, 2026, units, status=lambda i: Status.SUBMITTED if i % 2 else Status.DRAFT)
    cycle_of(province, version, 2025, units[:10], status=Status.PUBLISHED)
    client.force_login(viewer)
    assert "80 hồ sơ" in client.get(LIST).content.decode()
    assert len(names(client.get(LIST, {"nam": "2025"}))) == 10
    response = client.get(LIST, {"nam": "2026", "trang_thai": Status.DRAFT, "q": "thu nghiem"})
    html = response.content.decode()
    assert "35 hồ sơ khớp bộ lọc" in html and "trang" not in html.split("khớp bộ lọc")[1][:10]
    response = client.get(LIST, {"nam": "2026", "q": "thu nghiem"})
    html = response.content.decode()
    assert "70 hồ sơ khớp bộ lọc, trang 1/2" in html
    assert 'href="?nam=2026&amp;q=thu+nghiem&amp;trang=2"' in html
    assert len(names(client.get(LIST, {"nam": "2026", "q": "thu nghiem", "trang": "2"}))) == 20
    # A value that is not one of the choices shows everything rather than an error.
    assert client.get(LIST, {"nam": "abc", "trang_thai": "khong-co"}).status_code == 200


# session, user with their grants, years (with their counts), old districts, the page's assessments,
# unread notifications (menu); a filter beyond the year adds the paginator's COUNT.
LIST_QUERIES = 6


@pytest.mark.parametrize("n", [3, 300])
def test_the_list_costs_the_same_queries_for_3_and_300_units(
    client, province, version, viewer, n, django_assert_num_queries
):
    cycle_of(province, version, 2026, bulk_units(province, n))
    client.force_login(viewer)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(LIST)
    assert response.status_code == 200 and len(names(response)) == min(n, 50)
    with django_assert_num_queries(LIST_QUERIES + 1):
        response = client.get(LIST, {"q": "thu nghiem", "trang_thai": Status.DRAFT, "trang": "2"})
    assert len(names(response)) == (3 if n == 3 else 50)  # past the last page: the last page


# -- the audit history -------------------------------------------------------------------------


@pytest.fixture
def history_scene(province, commune, version):
    assessment = open_cycle(province, version, commune).assessments.get()
    admin = user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True)
    head = user_with_role("chutich", Role.COMMUNE_HEAD, commune)
    return assessment, admin, head


def entries(assessment, n):
    AuditEntry.objects.bulk_create(
        [AuditEntry(assessment=assessment, action="answer", new={"explanation": f"Lần {i}"}) for i in range(n)]
    )


def test_the_history_shows_dates_as_people_write_them(client, history_scene):
    assessment, admin, head = history_scene
    services.deadline_extend(
        assessment=assessment, stage=Stage.SELF_ASSESSMENT, until=dt.date(2027, 2, 12), reason="Bão lũ",
        actor=admin, principal=principal_for(admin),
    )  # fmt: skip
    client.force_login(head)
    html = client.get(reverse("assessments:history", args=[assessment.pk])).content.decode()
    assert "Đến hết ngày: 12/02/2027" in html and "2027-02-12" not in html
    assert f"Giai đoạn: {Stage.SELF_ASSESSMENT.label}" in html and "self_assessment" not in html


def test_the_history_pages_fifty_changes_newest_first(client, history_scene):
    assessment, _admin, head = history_scene
    entries(assessment, 120)
    client.force_login(head)
    html = client.get(reverse("assessments:history", args=[assessment.pk])).content.decode()
    assert "120 thay đổi, trang 1/3, mới nhất trước" in html and "Lần 119" in html and "Lần 69" not in html
    html = client.get(reverse("assessments:history", args=[assessment.pk]), {"trang": "3"}).content.decode()
    assert "Lần 19" in html and "Lần 0" in html and "Lần 20<" not in html
    # Shown inside the appraisal page (htmx), its pager links to the history's own page.
    url = reverse("assessments:item-history", args=[assessment.pk, "1.1.1"])
    AuditEntry.objects.filter(assessment=assessment).update(
        criterion=assessment.cycle.framework_version.criteria.get(code="1.1.1")
    )
    part = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert f'href="{url}?trang=2"' in part and "<html" not in part


# session, user with their grants, assessment, entries and events counted, then read to the page's
# end, unread notifications (menu)
HISTORY_QUERIES = 8


@pytest.mark.parametrize("n", [3, 300])
def test_the_history_costs_the_same_queries_for_3_and_300_changes(client, history_scene, n, django_assert_num_queries):
    assessment, _admin, head = history_scene
    entries(assessment, n)
    client.force_login(head)
    with django_assert_num_queries(HISTORY_QUERIES):
        response = client.get(reverse("assessments:history", args=[assessment.pk]), {"trang": "2"})
    assert response.status_code == 200
