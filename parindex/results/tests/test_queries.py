"""Query bounds: the board, the public ranking and its downloads, approving and publishing cost
the same number of queries for a handful of units as for a whole province.

Scenes are built with bulk inserts (units, assessments, answers for every sub-criterion and
round-1 appraisals) so that hundreds of communes take a second, not minutes of service calls.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments.models import Assessment
from parindex.assessments.tests.factories import user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import files, services
from parindex.results.models import Approval, ApprovalEntry, Publication, PublicationFile
from parindex.results.tests.factories import bulk_cycle, bulk_publication, bulk_units

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    framework_version_spec(version)  # the parsed framework is cached per version; counts below exclude it
    return version


@pytest.fixture
def staff(province):
    return {
        "chair": user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
    }


@pytest.fixture
def real_sqlite_limit(monkeypatch):
    """Let bulk inserts use SQLite's real parameter limit instead of Django 5.2's fixed 999.

    Django 5.2 assumes SQLite's old compile-time default of 999 variables per statement and
    splits a bulk insert of 300 results (21 columns each) into 7 statements; SQLite builds
    since 3.32 allow 32,766 or more, and Django 6.0 reads the real limit. PostgreSQL inserts
    in one statement anyway. With the real limit, the services' counts do not move with
    size at all; ``test_only_insert_batches_grow_under_djangos_sqlite_default`` shows that
    without it nothing but the insert batches does.
    """
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        monkeypatch.setattr(connection.features, "max_query_params", limit)


# -- the board -----------------------------------------------------------------------------------

# session, user with their grants, cycle, assessments (with units and approval entries), answers,
# appraisals, approvals, their publications, the header's unread notifications
BOARD_QUERIES = 9


def _board_scene(province, version, n):
    """``n`` units in every state; the approved ones in an approval with a publication."""
    states = [s for s in Status.values if s != Status.PUBLISHED]
    cycle = bulk_cycle(province, version, bulk_units(province, n), status=lambda i: states[i % len(states)])
    approval = Approval.objects.create(cycle=cycle, name="Khối xã, phường")
    ApprovalEntry.objects.bulk_create(
        [ApprovalEntry(approval=approval, assessment=a) for a in cycle.assessments.filter(status=Status.APPROVED)]
    )
    Publication.objects.create(
        approval=approval, decision_number="1/QĐ-UBND", decision_date=dt.date(2027, 2, 1), year=cycle.year
    )
    Approval.objects.create(cycle=cycle, name="Khối đặc khu")  # approved, not yet published
    return cycle


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("who", ["chair", "admin"])
def test_the_board_costs_the_same_queries_for_3_and_30_units(
    client, province, version, staff, django_assert_num_queries, n, who
):
    cycle = _board_scene(province, version, n)
    client.force_login(staff[who])
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(reverse("results:cycle-board", args=[cycle.pk]))
    assert response.status_code == 200
    assert len(response.context["rows"]) == n
    appraised = cycle.assessments.filter(status=Status.APPRAISED).count()
    assert response.content.decode().count('name="assessments"') == (appraised if who == "chair" else 0)


# -- the public ranking and its downloads -----------------------------------------------------------

# publication (with province, superseded one and current one), its rows; anonymous: no session
PUBLIC_QUERIES = 2
# a download: the publication with the same, and its stored file's name
STORED_QUERIES = 1
# a download not stored yet: the publication, its file row, its rows, [the framework version],
# savepoint, the file row inserted, release
BUILD_QUERIES = {"publication-csv": 6, "publication-json": 6, "publication-xlsx": 7}
DOWNLOADS = {"publication-csv": "csv", "publication-json": "json", "publication-xlsx": "xlsx"}


def body(response) -> bytes:
    return response.getvalue()  # a page's content or a stored file's stream


@pytest.mark.parametrize("n", [3, 300])
def test_the_public_ranking_costs_the_same_queries_for_3_and_300_rows(
    client, province, version, django_assert_num_queries, n
):
    publication = bulk_publication(province, version, n)
    with django_assert_num_queries(PUBLIC_QUERIES):
        response = client.get(reverse("results:publication-detail", args=[publication.pk]))
    assert response.status_code == 200
    assert body(response).decode().count(f"/{n}<") >= n


@pytest.mark.parametrize("n", [3, 300])
@pytest.mark.parametrize("name", list(DOWNLOADS))
def test_a_stored_download_costs_one_query_for_3_and_300_rows(
    client, province, version, django_assert_num_queries, n, name
):
    publication = bulk_publication(province, version, n)
    files.publication_files_build(publication=publication, kinds=[DOWNLOADS[name]])
    with django_assert_num_queries(STORED_QUERIES):
        response = client.get(reverse(f"results:{name}", args=[publication.pk]))
        content = body(response)  # read from storage while counting
    assert response.status_code == 200
    if name == "publication-xlsx":
        ws = load_workbook(io.BytesIO(content))["Xếp hạng"]
        assert ws.cell(row=7 + n - 1, column=2).value == f"{n}/{n}"
    else:
        assert content.decode("utf-8-sig").count("Xã Thử nghiệm 5") >= n


@pytest.mark.parametrize("n", [3, 300])
@pytest.mark.parametrize("name", list(DOWNLOADS))
def test_a_download_not_stored_yet_is_built_once_in_the_same_queries_for_3_and_300_rows(
    client, province, version, django_assert_num_queries, n, name
):
    """A publication from before the files were stored: the first download builds and stores it."""
    publication = bulk_publication(province, version, n)
    with django_assert_num_queries(BUILD_QUERIES[name]):
        first = body(client.get(reverse(f"results:{name}", args=[publication.pk])))
    stored = PublicationFile.objects.get(publication=publication, kind=DOWNLOADS[name])
    assert stored.sha256 == hashlib.sha256(first).hexdigest() and stored.size == len(first)
    with django_assert_num_queries(STORED_QUERIES):
        again = body(client.get(reverse(f"results:{name}", args=[publication.pk])))
    assert again == first


@pytest.mark.parametrize("n", [3, 300])
def test_the_open_data_file_costs_the_same_queries_for_3_and_300_rows(
    client, province, version, django_assert_num_queries, n
):
    publication = bulk_publication(province, version, n)
    url = reverse("results:open-data-csv", args=[publication.year])
    # the year's publications in force, the stored file; building: their headers, their rows,
    # savepoint, the file row inserted, release
    with django_assert_num_queries(7):
        first = body(client.get(url))
    with django_assert_num_queries(2):
        again = body(client.get(url))
    assert again == first
    header, *rows = list(csv.reader(io.StringIO(first.decode("utf-8-sig"))))
    assert len(rows) == n and header[0] == "Năm"


@pytest.mark.parametrize("n", [3, 300])
def test_the_public_list_costs_the_same_queries_whatever_the_rows(
    client, province, version, django_assert_num_queries, n
):
    bulk_publication(province, version, n)
    with django_assert_num_queries(1):
        response = client.get(reverse("results:publication-list"))
    assert f">{n}<" in response.content.decode()


# -- approving and publishing ------------------------------------------------------------------

# approval_create: savepoint, approval, entries, [savepoint, status update, events, release], the
# people to notify (units' office and head, the province admins), their notifications, release
APPROVE_QUERIES = 10
# publication_publish: savepoint, lock the approval, already published?, assessments, answers,
# appraisals, predecessor links, last year's results, publication, results, their node scores,
# [savepoint, status update, events, release], the ranks and the people to notify (the bulk units
# have no commune people: no notification to insert), release
PUBLISH_QUERIES = 18


def _approve_and_publish(province, version, staff, n, assert_queries):
    cycle = bulk_cycle(province, version, bulk_units(province, n))
    chair, admin = staff["chair"], staff["admin"]
    by_chair, by_admin = principal_for(chair), principal_for(admin)
    assessments = list(Assessment.objects.filter(cycle=cycle).select_related("unit").order_by("unit__name"))
    with assert_queries(APPROVE_QUERIES):
        approval = services.approval_create(
            cycle=cycle, assessments=assessments, name="Khối xã", actor=chair, principal=by_chair
        )
    # As the publish view reads it.
    approval = Approval.objects.select_related("cycle__province", "cycle__framework_version__framework").get(
        pk=approval.pk
    )
    with assert_queries(PUBLISH_QUERIES):
        publication = services.publication_publish(
            approval=approval, decision_number="165/QĐ-UBND", decision_date=dt.date(2027, 2, 20),
            actor=admin, principal=by_admin,
        )  # fmt: skip
    return cycle, publication


@pytest.mark.parametrize("n", [30, 300])
def test_approving_and_publishing_cost_the_same_queries_for_30_and_300_communes(
    province, version, staff, real_sqlite_limit, django_assert_num_queries, n
):
    cycle, publication = _approve_and_publish(province, version, staff, n, django_assert_num_queries)
    assert set(cycle.assessments.values_list("status", flat=True)) == {Status.PUBLISHED}
    results = list(publication.results.order_by("rank", "unit_name"))
    assert len(results) == n and {r.rank_of for r in results} == {n}
    assert results[0].rank == 1 and results[-1].rank > 1 and results[0].total > results[-1].total
    assert len(results[0].scores) == len(framework_version_spec(version).nodes)
    nodes = list(results[0].node_scores.order_by("position"))
    assert [n.code for n in nodes] == [n.code for n in framework_version_spec(version).nodes]
    assert {n.code: [None if n.score is None else n.score, n.applicable_max] for n in nodes} == {
        code: [None if score is None else Decimal(score), Decimal(top)]
        for code, (score, top) in results[0].scores.items()
    }
    assert sum(n.score for n in nodes if n.depth == 0) == results[0].total


def test_only_insert_batches_grow_under_djangos_sqlite_default(province, version, staff):
    """Without the real SQLite limit, the 300-commune run differs only by bulk insert batches."""
    if connection.vendor != "sqlite":
        pytest.skip("the 999-parameter batching is SQLite's")
    captured: list[list[str]] = []

    @contextmanager
    def capture(_expected: int) -> Iterator[None]:
        with CaptureQueriesContext(connection) as context:
            yield
        captured.append([q["sql"] for q in context.captured_queries])

    _approve_and_publish(province, version, staff, 300, capture)
    approve, publish = captured

    # Approving inserts into four tables (with the admins' notifications), publishing into four;
    # everything else is the pinned count.
    # (the node scores go in as one insert run for every row: logged as "19500 times: INSERT …")
    def inserts(q: str) -> bool:
        return q.startswith("INSERT") or q.split(" times: ", 1)[-1].startswith("INSERT")

    assert len([q for q in approve if not inserts(q)]) == APPROVE_QUERIES - 4
    assert len([q for q in publish if not inserts(q)]) == PUBLISH_QUERIES - 4
    assert len(publish) > PUBLISH_QUERIES  # 300 results × 21 columns do not fit 999 parameters
