"""The dashboard pages' query counts do not move with the number of communes: the province's
(for its staff and for the public) and a commune's, for 3 and for 30 communes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from parindex.dashboards.tests.factories import open_cycle, two_years
from parindex.results.tests.factories import bulk_units

pytestmark = pytest.mark.django_db


def province_url(province):
    return reverse("dashboards:province", args=[province.pk])


def commune_url(unit):
    return reverse("dashboards:commune", args=[unit.pk])


# -- query counts -------------------------------------------------------------------------------

# SQLite has no percentile_cont: its quartiles take one more query (a ROW_NUMBER window).
QUARTILES = 0 if connection.vendor == "postgresql" else 1
# province, session, user with their grants; the province's publications; classifications; the
# open cycle, its state counts, its drafts (with the late ones counted in a window), its
# overdue clarifications; summary (+ quartiles; the ranking's count is
# the summary's); histogram; fields; sub-criteria (titles from the cached framework);
# movers up and down; over-claimers; the ranking's page; heatmap cells; the header's unread
# notifications; added with the survey results: the province's survey results of the year
# (external.surveys.province_divergences; its second query, the published field scores, runs
# only when there are survey results: pinned in external/tests/test_surveys.py)
PROVINCE_STAFF_QUERIES = 19 + QUARTILES
# the public: no session, user or grants, open cycle, over-claimers, notifications
PROVINCE_PUBLIC_QUERIES = 10 + QUARTILES
# session, user with their grants, unit; lineage (one query when nothing was merged into the unit),
# history, the publications' means; the latest publication's fields; field standing; top
# losses; open actions; open assessment; its answers, indicator figures and register of late
# dossiers of the year (the forecast's projection of a draft: no appraisal rounds to read),
# extensions; the header's unread notifications
COMMUNE_QUERIES = 16


@pytest.fixture
def sized(request, province, version, staff):
    n = request.param
    units = bulk_units(province, n)
    two_years(province, version, units, staff)
    open_cycle(province, version, units)
    return units


@pytest.mark.parametrize("sized", [3, 30], indirect=True)
def test_the_province_dashboard_costs_the_same_queries_for_3_and_30_communes(
    client, sized, province, staff, django_assert_num_queries
):
    client.force_login(staff["chair"])
    with django_assert_num_queries(PROVINCE_STAFF_QUERIES):
        assert client.get(province_url(province)).status_code == 200
    client.logout()
    with django_assert_num_queries(PROVINCE_PUBLIC_QUERIES):
        assert client.get(province_url(province)).status_code == 200


@pytest.mark.parametrize("sized", [3, 30], indirect=True)
def test_the_commune_dashboard_costs_the_same_queries_for_3_and_30_communes(
    client, sized, staff, django_assert_num_queries
):
    client.force_login(staff["chair"])
    with django_assert_num_queries(COMMUNE_QUERIES):
        assert client.get(commune_url(sized[0])).status_code == 200
