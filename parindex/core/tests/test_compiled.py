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
from parindex.core.compiled import DAY_MARKER, MARKER, CompiledInsert, CompiledSelect, CompiledUpdate
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


# -- CompiledUpdate ---------------------------------------------------------------------------


@pytest.fixture
def answers(province, commune, other_commune, reference_spec, django_user_model):
    """Two assessments' answers to the same sub-criterion, alike, and the one who wrote them."""
    from parindex.assessments.models import Answer
    from parindex.assessments.tests.factories import open_cycle
    from parindex.frameworks import services as framework_services

    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    cycle = open_cycle(province, version, commune, other_commune)
    criterion = version.criteria.exclude(rule_kind="").order_by("position").first()
    user = django_user_model.objects.create_user("ghi")
    made = [
        Answer.objects.create(assessment=a, criterion=criterion, inputs={"value": "0.5"}, explanation="x")
        for a in cycle.assessments.order_by("pk")
    ]
    return made, user


def test_an_update_writes_what_djangos_update_writes_in_one_statement(answers, django_assert_num_queries):
    from django.db.models import F

    from parindex.assessments.models import Answer

    (orm, compiled), user = answers
    now = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)
    values = {
        "inputs": {"value": "0.75", "met": True},
        "explanation": "Đạt 3/4",
        "updated_by": user.pk,
        "updated_at": now,
    }
    update = CompiledUpdate(
        Answer,
        columns=("inputs", "explanation", "updated_by", "updated_at"),
        where=("id", "revision"),
        increments=("revision",),
    )
    assert Answer.objects.filter(pk=orm.pk, revision=1).update(**values, revision=F("revision") + 1) == 1
    with django_assert_num_queries(1):
        assert update.run(values, {"id": compiled.pk, "revision": 1}) == 1
    columns = ("inputs", "explanation", "revision", "updated_by_id", "updated_at")
    written = {a.pk: tuple(getattr(a, c) for c in columns) for a in Answer.objects.filter(pk__in=[orm.pk, compiled.pk])}
    assert written[compiled.pk] == written[orm.pk] == ({"value": "0.75", "met": True}, "Đạt 3/4", 2, user.pk, now)
    # The revision read is no longer there: nothing is written.
    assert update.run({**values, "explanation": "muộn"}, {"id": compiled.pk, "revision": 1}) == 0
    assert Answer.objects.get(pk=compiled.pk).explanation == "Đạt 3/4"
    # Someone no longer known (None) is written as NULL, as update() does.
    assert update.run({**values, "updated_by": None}, {"id": compiled.pk, "revision": 2}) == 1
    assert Answer.objects.get(pk=compiled.pk).updated_by_id is None


def test_decimals_nulls_and_json_null_are_written_as_djangos_update_writes_them(answers):
    from decimal import Decimal

    from parindex.assessments.models import Assessment

    (first, second), _ = answers
    names = ("projected_total", "projected_percent", "projected_class", "projected_tracked", "projected_at")
    update = CompiledUpdate(Assessment, columns=names, where=("id",))
    for values in (
        {"projected_total": Decimal("71.25"), "projected_percent": Decimal("71.25"), "projected_class": "Khá",
         "projected_tracked": {"3.5": {"value": "0.9"}}, "projected_at": dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC)},
        {"projected_total": Decimal("0"), "projected_percent": None, "projected_class": "",
         "projected_tracked": None, "projected_at": None},
    ):  # fmt: skip
        Assessment.objects.filter(pk=first.assessment_id).update(**values)
        assert update.run(values, {"id": second.assessment_id}) == 1
        rows = {a.pk: tuple(getattr(a, n) for n in names) for a in Assessment.objects.all()}
        assert rows[second.assessment_id] == rows[first.assessment_id] == tuple(values.values())


def test_an_update_takes_the_values_it_was_written_for_and_plain_columns_only():
    from parindex.assessments.models import Answer, Evidence

    update = CompiledUpdate(Answer, columns=("explanation",), where=("id",))
    with pytest.raises(TypeError):
        update.run({"explanation": "x", "inputs": {}}, {"id": 1})
    with pytest.raises(TypeError):
        update.run({"explanation": "x"}, {"pk": 1})
    with pytest.raises(ValueError, match="plain columns"):
        CompiledUpdate(Evidence, columns=("criteria",), where=("id",))


def test_an_insert_writes_the_row_djangos_create_writes_in_one_statement(answers, django_assert_num_queries):
    from parindex.assessments.models import AuditEntry

    (answer, _), user = answers
    insert = CompiledInsert(
        AuditEntry, columns=("assessment", "criterion", "action", "old", "new", "note", "actor", "at")
    )
    at = dt.datetime(2026, 5, 6, 7, 8, 9, 123456, tzinfo=dt.UTC)
    for old, actor in (({"inputs": {"met": False}, "explanation": ""}, user), (None, None)):
        values = {"assessment": answer.assessment, "criterion": answer.criterion, "action": "answer", "old": old,
                  "new": {"inputs": {"value": "0.9"}, "explanation": "Đạt"}, "note": "ghi chú", "actor": actor}  # fmt: skip
        made = AuditEntry.objects.create(**values)
        AuditEntry.objects.filter(pk=made.pk).update(at=at)
        with django_assert_num_queries(1):
            insert.run(
                {**values, "assessment": answer.assessment_id, "criterion": answer.criterion_id,
                 "actor": actor.pk if actor else None, "at": at}
            )  # fmt: skip
        columns = ("assessment_id", "criterion_id", "action", "old", "new", "note", "actor_id", "at")
        orm, compiled = (tuple(getattr(e, c) for c in columns) for e in AuditEntry.objects.order_by("-pk")[:2][::-1])
        assert compiled == orm
        assert compiled[3] == old and compiled[6] == (actor.pk if actor else None)
    with pytest.raises(TypeError):
        insert.run({"assessment": answer.assessment_id})
