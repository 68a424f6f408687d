"""``core.compiled.CompiledSelect``: the same objects as the queryset, compiled once."""

from __future__ import annotations

import datetime as dt
import gc
import threading
import weakref
from unittest import mock

import pytest
from django.db import connections, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

from parindex.accounts.models import Role, RoleAssignment
from parindex.core.compiled import DAY_MARKER, MARKER, CompiledSelect
from parindex.units.models import AdministrativeUnit, UnitSuccession


def _units(pk):
    children = (
        AdministrativeUnit.objects.filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        AdministrativeUnit.objects.select_related("parent", "province")
        .annotate(child_count=Subquery(children))
        .filter(pk=pk)
    )


@pytest.fixture
def tree(province, commune, other_commune):
    return province, commune, other_commune


def test_the_objects_are_the_querysets_with_their_related_objects_and_annotations(tree, django_assert_num_queries):
    province, commune, _ = tree
    compiled = CompiledSelect(_units)
    for unit in (province, commune):
        expected = _units(unit.pk).get()
        with django_assert_num_queries(1):
            got = compiled.first(unit.pk)
            # select_related objects come with it: no query to reach them.
            parent_name = got.parent.name if got.parent_id else None
        assert (got.pk, got.name, got.code, got.parent_id, got.province_id) == (
            expected.pk,
            expected.name,
            expected.code,
            expected.parent_id,
            expected.province_id,
        )
        assert parent_name == (expected.parent.name if expected.parent_id else None)
        assert got.child_count == expected.child_count
    assert compiled.first(-1) is None
    assert compiled.all(-1) == []


def test_it_compiles_once(tree):
    province, commune, other = tree
    compiled = CompiledSelect(_units)
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        for unit in (province, commune, other, commune):
            assert compiled.first(unit.pk).pk == unit.pk
    # The outer statement and its subquery, compiled by the first call only.
    assert 1 <= as_sql.call_count <= 2


def test_values_list_rows(tree, django_user_model):
    province, commune, other = tree
    user = django_user_model.objects.create_user("vanphong")
    RoleAssignment.objects.create(user=user, role=Role.COMMUNE_OFFICE, unit=commune)
    RoleAssignment.objects.create(user=user, role=Role.COMMUNE_OFFICE, unit=other)
    compiled = CompiledSelect(
        lambda pk: RoleAssignment.objects.filter(user_id=pk).order_by("unit_id").values_list("role", "unit_id"),
    )
    assert compiled.rows(user.pk) == [(Role.COMMUNE_OFFICE, commune.pk), (Role.COMMUNE_OFFICE, other.pk)]
    assert compiled.rows(user.pk + 1) == []


def test_several_values_and_a_day_are_bound_where_their_markers_were(tree):
    # A day goes to the database as the backend writes days (SQLite: text), as Django's lookups do.
    province, commune, other = tree
    UnitSuccession.objects.create(predecessor=other, successor=commune, effective_date=dt.date(2025, 7, 1))

    def succeeded(parent_id, day):
        since = UnitSuccession.objects.filter(successor=OuterRef("pk"), effective_date__lte=day)
        return AdministrativeUnit.objects.filter(parent_id=parent_id).annotate(merged=Exists(since)).order_by("code")

    compiled = CompiledSelect(succeeded, markers=(MARKER, DAY_MARKER))
    for day in (dt.date(2025, 6, 30), dt.date(2025, 7, 1)):
        expected = [(u.pk, u.merged) for u in succeeded(province.pk, day)]
        assert [(u.pk, u.merged) for u in compiled.all(province.pk, day)] == expected
    assert [u.merged for u in compiled.all(province.pk, dt.date(2025, 7, 1))] == [False, True]  # 19333, 19639
    assert compiled.all(commune.pk, dt.date(2025, 7, 1)) == []
    with pytest.raises(TypeError, match="2 values"):
        compiled.all(province.pk)


def test_a_values_querysets_rows_as_dictionaries(tree):
    province, commune, other = tree
    compiled = CompiledSelect(
        lambda pk: (
            AdministrativeUnit.objects.filter(parent_id=pk).values("kind").annotate(n=Count("pk")).order_by("kind")
        )
    )
    assert compiled.dicts(province.pk) == [{"kind": "phuong", "n": 1}, {"kind": "xa", "n": 1}]
    assert compiled.rows(province.pk) == [("phuong", 1), ("xa", 1)]
    assert compiled.dicts(commune.pk) == []
    with pytest.raises(TypeError, match="dicts"):
        compiled.all(province.pk)


def test_a_value_is_bound_wherever_its_marker_went_and_a_marker_must_be_there(tree):
    province, commune, _ = tree
    compiled = CompiledSelect(
        lambda pk: AdministrativeUnit.objects.filter(pk=pk) | AdministrativeUnit.objects.filter(parent_id=pk)
    )
    assert sorted(u.pk for u in compiled.all(province.pk)) == sorted(u.pk for u in tree)
    assert [u.pk for u in compiled.all(commune.pk)] == [commune.pk]
    nowhere = CompiledSelect(lambda pk: AdministrativeUnit.objects.filter(pk=province.pk))
    with pytest.raises(ValueError, match="not among"):
        nowhere.first(commune.pk)


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_is_refused_outside_a_transaction(tree):
    province = tree[0]
    compiled = CompiledSelect(lambda pk: AdministrativeUnit.objects.select_for_update().filter(pk=pk))
    with pytest.raises(TransactionManagementError):
        compiled.first(province.pk)
    with transaction.atomic():
        assert compiled.first(province.pk).pk == province.pk


@pytest.mark.django_db(transaction=True)
def test_another_threads_statement_is_the_same_compilation_and_its_connection_is_not_kept(tree):
    # A development server runs each request in a thread of its own, with its own connection.
    commune = tree[1]
    compiled = CompiledSelect(_units)
    seen = []

    def request() -> None:
        seen.append((compiled.first(commune.pk).pk, weakref.ref(connections["default"])))
        connections.close_all()

    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        thread = threading.Thread(target=request)
        thread.start()
        thread.join()
        assert compiled.first(commune.pk).pk == commune.pk
    assert 1 <= as_sql.call_count <= 2
    as_sql.reset_mock()  # its record of the calls holds the compilers, and they their connection
    gc.collect()
    assert seen[0][0] == commune.pk
    assert seen[0][1]() is None, "the thread's connection is still referenced"
