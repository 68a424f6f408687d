"""The appraisal list at a province's scale: one cycle at a time (the newest unless chosen),
50 units a page, each with how far the appraisal of *my* part is (not of the whole dossier:
an appraiser of fields I–III sees x/31, not x/53), filters by status, field of my part and
unit name, and the same queries for 3 units as for 300."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals import services
from parindex.appraisals.models import Sector
from parindex.appraisals.tests.factories import appraiser
from parindex.assessments import services as assessment_services
from parindex.assessments.tests.factories import answers_bulk, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import selectors as framework_selectors
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion
from parindex.results.tests.factories import bulk_cycle, bulk_units

pytestmark = pytest.mark.django_db

LIST = reverse("appraisals:appraisal-list")


def who(user):
    return principal_for(type(user).objects.get(pk=user.pk))


@pytest.fixture
def version(reference_spec):
    return framework_services.framework_import(spec=reference_spec, publish=True).version


@pytest.fixture
def admin(province):
    return user_with_role("admin", Role.PROVINCE_ADMIN, province, include_descendants=True)


def assign(cycle, user, admin, *codes, units=(), sector=Sector.NOI_VU):
    services.appraiser_assignments_set(
        cycle=cycle, appraiser=user, sector=sector, units=units, actor=admin, principal=who(admin),
        criteria=list(Criterion.objects.filter(version=cycle.framework_version, code__in=codes)),
    )  # fmt: skip


def leaves_in(version, *fields):
    spec = framework_selectors.framework_version_spec(version)
    return sum(1 for leaf in spec.leaves if set(fields) & set(spec.lineage(leaf.code)))


def progress(html):
    """(unit, done/total of my part, the whole dossier's when shown) of each row."""
    rows = re.findall(
        r'<td class="card-title">([^<]+) <small.*?<strong>(\d+/\d+)</strong>(?: <small class="muted nowrap">\(toàn hồ sơ (\d+/\d+)\))?',
        html,
        re.S,
    )
    return [(name, mine, whole or None) for name, mine, whole in rows]


@pytest.fixture
def scene(province, commune, other_commune, version, admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cycle = open_cycle(province, version, commune, other_commune)
    head = user_with_role("head", Role.COMMUNE_HEAD, commune)
    other_head = user_with_role("other", Role.COMMUNE_HEAD, other_commune)
    a, b = cycle.assessments.get(unit=commune), cycle.assessments.get(unit=other_commune)
    for assessment, user in ((a, head), (b, other_head)):
        answers_bulk(assessment)
        assessment_services.assessment_transition(
            assessment=assessment, to=Status.SUBMITTED, actor=user, principal=who(user)
        )
    noivu, tuphap = appraiser("noivu", province), appraiser("tuphap", province)
    assign(cycle, noivu, admin, "I", "II", "III", units=[commune])
    assign(cycle, tuphap, admin, "IV", "V", "VI", "VII", sector=Sector.TU_PHAP)
    council = user_with_role("council", Role.COUNCIL_CHAIR, province, include_descendants=True)
    return {"cycle": cycle, "a": a, "b": b, "noivu": noivu, "tuphap": tuphap, "council": council, "version": version}


def test_progress_counts_the_appraisers_own_share_not_the_whole_dossier(client, scene):
    share = leaves_in(scene["version"], "I", "II", "III")
    assert 0 < share < 53
    client.force_login(scene["noivu"])
    assert progress(client.get(LIST).content.decode()) == [("Xã Nam Cửa Việt", f"0/{share}", "0/53")]
    services.appraisal_accept_self(assessment=scene["a"], actor=scene["noivu"], principal=who(scene["noivu"]))
    html = client.get(LIST).content.decode()
    assert progress(html) == [("Xã Nam Cửa Việt", f"{share}/{share}", f"{share}/53")]
    assert "Đã thẩm định (phần của bạn)" in html and "Lĩnh vực được giao: I, II, III" in html
    # The other appraiser's share of the same dossier is still to do; the chair counts all 53.
    client.force_login(scene["tuphap"])
    rest = 53 - share
    assert progress(client.get(LIST).content.decode()) == [
        ("Phường Đông Hà", f"0/{rest}", "0/53"),
        ("Xã Nam Cửa Việt", f"0/{rest}", f"{share}/53"),
    ]
    client.force_login(scene["council"])
    assert progress(client.get(LIST).content.decode()) == [
        ("Phường Đông Hà", "0/53", None),
        ("Xã Nam Cửa Việt", f"{share}/53", None),
    ]


def test_a_field_of_my_part_narrows_the_units_and_the_count_and_opens_on_that_field(client, scene):
    client.force_login(scene["tuphap"])
    html = client.get(LIST, {"linh_vuc": "IV"}).content.decode()
    four = leaves_in(scene["version"], "IV")
    assert [mine for _, mine, _ in progress(html)] == [f"0/{four}", f"0/{four}"]
    assert f"{reverse('appraisals:appraisal-detail', args=[scene['a'].pk])}?linh-vuc=IV" in html
    assert "2 đơn vị khớp bộ lọc" in html
    # The fields offered are the appraiser's own.
    options = re.findall(r'<option value="([IV]+)"', html)
    assert options == ["IV", "V", "VI", "VII"]
    client.force_login(scene["noivu"])
    share = leaves_in(scene["version"], "I", "II", "III")
    # Not one of theirs: left out as an invalid choice, the list shows their whole part.
    assert progress(client.get(LIST, {"linh_vuc": "IV"}).content.decode()) == [
        ("Xã Nam Cửa Việt", f"0/{share}", "0/53")
    ]
    assert len(progress(client.get(LIST, {"linh_vuc": "II"}).content.decode())) == 1


def test_status_and_name_filters(client, scene):
    services.appraisal_accept_self(assessment=scene["a"], actor=scene["council"], principal=who(scene["council"]))
    client.force_login(scene["council"])
    assert [n for n, _, _ in progress(client.get(LIST, {"trang_thai": Status.SUBMITTED}).content.decode())] == [
        "Phường Đông Hà"
    ]
    assert [n for n, _, _ in progress(client.get(LIST, {"q": "cua viet"}).content.decode())] == ["Xã Nam Cửa Việt"]
    assert "Không có đơn vị nào khớp bộ lọc" in client.get(LIST, {"q": "zzz"}).content.decode()


def test_one_cycle_at_a_time_the_newest_first(client, province, version, admin):
    council = user_with_role("council", Role.COUNCIL_CHAIR, province, include_descendants=True)
    old = bulk_cycle(province, version, bulk_units(province, 2), year=2025)
    new = bulk_cycle(province, version, bulk_units(province, 3, first=100), year=2026)
    client.force_login(council)
    html = client.get(LIST).content.decode()
    assert new.name in html and "3 đơn vị" in html and old.name not in html
    html = client.get(LIST, {"ky": str(old.pk)}).content.decode()
    assert old.name in html and "2 đơn vị" in html


def test_fifty_a_page_with_the_filters_in_the_pagers_links(client, province, version):
    council = user_with_role("council", Role.COUNCIL_CHAIR, province, include_descendants=True)
    cycle = bulk_cycle(province, version, bulk_units(province, 60), status=Status.APPRAISING)
    client.force_login(council)
    html = client.get(LIST, {"ky": str(cycle.pk), "q": "thu nghiem"}).content.decode()
    assert "60 đơn vị khớp bộ lọc, trang 1/2" in html and len(progress(html)) == 50
    assert f'href="?ky={cycle.pk}&amp;q=thu+nghiem&amp;trang=2" rel="next"' in html


# session, user with their grants, cycles, the appraiser's assignments (none for the council chair,
# who appraises everything), criteria tree, count, the page's assessments, their appraised
# items, unread notifications (menu)
LIST_QUERIES = {"council": 8, "appraiser": 9}


@pytest.mark.parametrize("n", [3, 300])
@pytest.mark.parametrize("persona", ["council", "appraiser"])
def test_the_list_costs_the_same_queries_for_3_and_300_units(
    client, province, version, admin, n, persona, django_assert_num_queries
):
    cycle = bulk_cycle(province, version, bulk_units(province, n), status=Status.APPRAISING)
    if persona == "council":
        user = user_with_role("council", Role.COUNCIL_CHAIR, province, include_descendants=True)
    else:
        user = appraiser("tuphap", province)
        assign(cycle, user, admin, "IV", "V", "VI", "VII", sector=Sector.TU_PHAP)
    framework_selectors._CACHE.clear()
    client.force_login(user)
    with django_assert_num_queries(LIST_QUERIES[persona]):
        response = client.get(LIST, {"trang_thai": Status.APPRAISING, "linh_vuc": "V"})
    assert response.status_code == 200 and len(progress(response.content.decode())) == min(n, 50)
