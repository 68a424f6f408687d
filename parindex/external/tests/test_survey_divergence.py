"""The divergence warning: a unit whose self-assessed score of the field a survey is linked to
stands above its satisfaction rate by more than the province's threshold is named on the
appraisal page (near the field) and on the province dashboard, in a number of queries that does
not grow with the units."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from parindex.accounts.selectors import principal_for
from parindex.assessments.workflow import Status
from parindex.dashboards.tests.factories import publish_year
from parindex.external import surveys
from parindex.external.models import Survey, SurveyResult
from parindex.external.tests.conftest import csv
from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation.tests.factories import province_staff
from parindex.results.tests.factories import bulk_cycle, bulk_units

pytestmark = pytest.mark.django_db
HEADER = "ma_don_vi;nam;ty_le_hai_long;so_nguoi_tra_loi"
TITLE = "Tự đánh giá cao nhưng mức độ hài lòng thấp"
QUARTILES = 0 if connection.vendor == "postgresql" else 1  # SQLite: one more query (dashboards tests)


@pytest.fixture
def version(reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    framework_version_spec(version)  # parsed once and cached: query counts exclude it
    return version


@pytest.fixture
def staff(province):
    return province_staff(province)


def declare_and_import(province, staff, lines, *, field="III", threshold="20"):
    admin_p = principal_for(staff["admin"])
    survey = surveys.survey_save(
        province=province, code="sipas", name="Chỉ số SIPAS", field_code=field, threshold=threshold, principal=admin_p
    )
    result = surveys.survey_results_import(
        survey=survey, file=csv(HEADER, *lines), filename="sipas.csv", source="SIPAS", actor=None, principal=admin_p
    )
    assert result.ok, result.problems
    return survey


def test_the_appraisal_page_warns_near_the_linked_field(client, province, version, staff):
    units = bulk_units(province, 2)
    cycle = bulk_cycle(province, version, units, status=Status.SUBMITTED, year=2026)
    a = cycle.assessments.get(unit=units[0])
    survey = declare_and_import(province, staff, [f"{units[0].code};2026;0;120", f"{units[1].code};2026;100;90"])
    client.force_login(staff["chair"])
    url = reverse("appraisals:appraisal-detail", args=[a.pk])
    response = client.get(url + "?linh-vuc=III")
    html = response.content.decode()
    assert TITLE in html and "theo Chỉ số SIPAS năm 2026 chỉ 0,00% (120 người trả lời)" in html
    notice = response.context["page"].survey_notices[0]
    assert notice.self_percent > 20 and notice.gap == notice.self_percent and notice.field_code == "III"
    assert html.index(TITLE) > html.index('id="field-title"')  # with the field, not elsewhere
    assert TITLE not in client.get(url + "?linh-vuc=I").content.decode()  # another field: no notice
    # At the threshold exactly: no warning.
    Survey.objects.filter(pk=survey.pk).update(threshold=notice.self_percent)
    assert TITLE not in client.get(url + "?linh-vuc=III").content.decode()
    # Satisfied people: no warning for the other unit.
    b = cycle.assessments.get(unit=units[1])
    assert (
        TITLE not in client.get(reverse("appraisals:appraisal-detail", args=[b.pk]) + "?linh-vuc=III").content.decode()
    )
    # A survey linked to no field warns nowhere.
    Survey.objects.filter(pk=survey.pk).update(threshold=0, field_code="")
    assert TITLE not in client.get(url + "?linh-vuc=III").content.decode()


def _dashboard(province):
    return reverse("dashboards:province", args=[province.pk])


@pytest.mark.parametrize("n", [3, 15])
def test_the_province_dashboard_lists_the_units_in_the_same_queries_for_few_and_many(
    client, province, version, staff, n, django_assert_num_queries
):
    units = bulk_units(province, n)
    publish_year(province, version, units, staff, year=2025)
    # Every unit but the last is barely satisfied.
    declare_and_import(
        province, staff, [f"{u.code};2025;{'5' if i < n - 1 else '100'};50" for i, u in enumerate(units)]
    )
    client.force_login(staff["chair"])
    client.get(_dashboard(province))
    # The staff count pinned in dashboards/tests/test_views.py (20 + quartiles) less three of the
    # open cycle's queries (no cycle is open: only the look-up runs), plus the published field
    # scores read when the year has survey results.
    with django_assert_num_queries(16 + QUARTILES + 1):
        html = client.get(_dashboard(province)).content.decode()
    assert TITLE in html
    listed = html[html.index(TITLE) : html.index("</section>", html.index(TITLE))]
    assert f"({n - 1} đơn vị)" in listed
    assert units[0].name in listed and units[-1].name not in listed
    client.logout()
    assert TITLE not in client.get(_dashboard(province)).content.decode()  # the public sees no warning


def test_province_divergences_reads_two_queries_and_orders_by_gap(province, version, staff, django_assert_num_queries):
    units = bulk_units(province, 4)
    publication = publish_year(province, version, units, staff, year=2025)
    declare_and_import(
        province, staff, [f"{u.code};2025;{r};50" for u, r in zip(units, ("5", "15", "100", "0"), strict=True)]
    )
    with django_assert_num_queries(2):
        found = surveys.province_divergences(province.pk, 2025, [publication.pk])
    gaps = [d.gap for d in found]
    assert gaps == sorted(gaps, reverse=True) and len(found) >= 2
    assert units[2].pk not in {d.unit_id for d in found}
    assert all(d.gap > Decimal(20) for d in found)
    with django_assert_num_queries(1):
        assert surveys.province_divergences(province.pk, 2024, [publication.pk]) == []
    assert SurveyResult.objects.count() == 4
