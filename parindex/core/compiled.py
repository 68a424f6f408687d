"""A queryset's SELECT compiled once per process, then run with another value.

Django compiles a queryset into SQL each time it runs it. For a statement with subqueries and
JSON aggregates the compilation costs more than the database: the row save's locked read
(``assessments.selectors.assessment_to_change``: the assessment, its cycle, framework version
and unit, the latest deadline extension, the assignments and the evidenced sub-criteria) took
about 1.5 ms to compile and 0.3 ms to run, on every save. ``CompiledSelect`` compiles it the
first time it runs, keeps the SQL, and binds the values that change (a primary key, a
day) in place of markers; the rows become model instances as Django's own iterable makes them
(``select_related`` objects, annotations, the database's converters).

The compilation is kept once per process (the SQL of a database alias is the same whatever
the thread); the rows are converted by a compiler of the connection that ran the statement, given
the compiled select list, so nothing of one thread's connection is kept for another (a
development server starts a thread, with its own connection, per request).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# What stands for a changing value while the statement is compiled: a primary key no table
# reaches, a day no record holds (any value works that the statement's other parameters never
# equal). A day goes to the database as its backend writes days (SQLite: text).
MARKER = -(2**62) + 7
DAY_MARKER = dt.date(1, 1, 3)


@dataclass(frozen=True)
class _Compiled:
    query: Any
    select: list[Any]  # the compiler's select list: the columns' expressions, for the converters
    col_count: int
    sql: str
    params: tuple[Any, ...]
    slots: tuple[tuple[tuple[int, ...], Callable[[Any], Any]], ...]  # each value's parameters, its adaptation
    init_list: list[str]
    fields: slice
    populators: list[Any]
    annotations: dict[str, int]
    names: tuple[str, ...] = ()  # a values() queryset's keys, in its columns' order


class CompiledSelect:
    """``build(*markers)`` returns the queryset with the markers where the changing values go
    (``.filter(pk=marker)``); ``all(*values)`` runs it with the values there and returns its
    model instances, ``first(*values)`` the first or None, and, for a ``values_list`` queryset,
    ``rows(*values)`` its tuples. ``markers`` (one primary key by default; ``DAY_MARKER`` for a
    day): each must appear among the statement's parameters (a value used twice, as a
    subquery written twice, is bound at each place)."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        markers: tuple[Any, ...] = (MARKER,),
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self._build, self._markers, self._using = build, markers, using
        self._compiled: _Compiled | None = None
        self._converters: weakref.WeakKeyDictionary[Any, dict[int, Any]] = weakref.WeakKeyDictionary()

    def all(self, *values: Any) -> list[Any]:
        compiled, rows = self._run(values)
        if compiled.names:
            raise TypeError("a values() or values_list() statement: read it with rows() or dicts()")
        model, objects = compiled.query.model, []
        for row in rows:
            obj = model.from_db(self._using, compiled.init_list, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, *values: Any) -> Any | None:
        return next(iter(self.all(*values)), None)

    def rows(self, *values: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._run(values)[1]]

    def dicts(self, *values: Any) -> list[dict[str, Any]]:
        """A ``values()`` queryset's rows, as dictionaries."""
        compiled, rows = self._run(values)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    def _run(self, values: tuple[Any, ...]) -> tuple[_Compiled, Any]:
        connection = connections[self._using]
        compiled = self._compiled
        if compiled is None:  # two threads may both compile at first: the same result
            compiled = self._compiled = self._compile()
        if (
            compiled.query.select_for_update
            and connection.get_autocommit()
            and connection.features.supports_transactions
        ):
            # What Django's compiler checks each time it compiles a locking read.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        if len(values) != len(compiled.slots):
            raise TypeError(f"{len(compiled.slots)} values expected, {len(values)} given")
        params = list(compiled.params)
        for (slots, adapt), value in zip(compiled.slots, values, strict=True):
            written = adapt(value)
            for slot in slots:
                params[slot] = written
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        # The database's converters (JSON, dates, decimals), as Django applies them, by a compiler
        # of this connection (making one compiles nothing). Which converters each column takes is
        # asked once per connection (a backend's converters are its own: not shared between
        # threads' connections, not kept once a connection is gone).
        compiler = compiled.query.get_compiler(using=self._using)
        converters = self._converters.get(connection)
        if converters is None:
            converters = self._converters[connection] = compiler.get_converters(
                [column[0] for column in compiled.select[: compiled.col_count]]
            )
        return compiled, compiler.apply_converters(fetched, converters) if converters else map(list, fetched)

    def _compile(self) -> _Compiled:
        queryset = self._build(*self._markers)
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise ValueError("CompiledSelect takes a plain SELECT (no prefetch, no known related objects)")
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()
        if compiler.has_extra_select:
            raise ValueError("CompiledSelect takes no extra(select=...)")
        if compiler.has_composite_fields([column[0] for column in compiler.select[: compiler.col_count]]):
            raise ValueError("CompiledSelect takes no composite primary key")
        slots = tuple(self._slot(params, marker) for marker in self._markers)
        info = compiler.klass_info
        if info is None or not compiler.query.default_cols:  # values() or values_list(): rows only
            query = compiler.query
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
            return _Compiled(
                query, compiler.select, compiler.col_count, sql, tuple(params), slots, [], slice(0), [], {}, names
            )
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        return _Compiled(
            query=compiler.query,
            select=compiler.select,
            col_count=compiler.col_count,
            sql=sql,
            params=tuple(params),
            slots=slots,
            init_list=[column[0].target.attname for column in compiler.select[start:end]],
            fields=slice(start, end),
            populators=get_related_populators(info, compiler.select, self._using),
            annotations=dict(compiler.annotation_col_map or {}),
        )

    def _slot(self, params: Any, marker: Any) -> tuple[tuple[int, ...], Callable[[Any], Any]]:
        """Where ``marker`` went among the parameters, and how a value is written there: as it
        is, or, for a day, as the backend writes days (what Django's date lookups do)."""
        adapt: Callable[[Any], Any] = _as_is
        if isinstance(marker, dt.date) and not isinstance(marker, dt.datetime):
            adapt = connections[self._using].ops.adapt_datefield_value
        written = adapt(marker)
        slots = tuple(i for i, param in enumerate(params) if param == written)
        if not slots:
            raise ValueError(f"the marker {marker!r} is not among the statement's parameters")
        return slots, adapt


def _as_is(value: Any) -> Any:
    return value


def _plain_fields(model: type[Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    """The model's fields by name, refused unless each is a column written as Django writes it
    with a plain placeholder (no many-to-many, no field with a placeholder of its own)."""
    fields = tuple(model._meta.get_field(name) for name in names)
    for field in fields:
        if not field.concrete or field.many_to_many or hasattr(field, "get_placeholder"):
            raise ValueError(f"a compiled write takes plain columns only, not {field.name}")
    return fields


def _prepared(fields: tuple[Any, ...], values: dict[str, Any], connection: Any) -> list[Any]:
    """``values`` (by field name; a related row as its primary key) as Django binds them on save."""
    if values.keys() != {f.name for f in fields}:
        raise TypeError(f"values for {[f.name for f in fields]} expected, not {sorted(values)}")
    return [f.get_db_prep_save(values[f.name], connection) for f in fields]


class CompiledUpdate:
    """``UPDATE <model's table> SET <columns> WHERE <fields> = <values>``, written once per process.

    Django compiles every ``queryset.update()`` anew (about half a millisecond for the row save's
    UPDATE of its answer and of its assessment's stored projection, as much as the database takes
    to run it). This writes the statement once from the model's fields and binds each run's
    values as Django's own UPDATE does (``field.get_db_prep_save``: JSON, decimals, aware times).
    ``increments``: columns set to themselves plus one (a revision). ``run(values, where)``
    returns the number of rows updated, as ``update()`` does."""

    def __init__(
        self,
        model: type[Any],
        *,
        columns: tuple[str, ...],
        where: tuple[str, ...],
        increments: tuple[str, ...] = (),
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self._set = _plain_fields(model, columns)
        self._where = _plain_fields(model, where)
        self._increments = _plain_fields(model, increments)
        self._table, self._using = model._meta.db_table, using
        self._sql: str | None = None

    def run(self, values: dict[str, Any], where: dict[str, Any]) -> int:
        connection = connections[self._using]
        if self._sql is None:
            qn = connection.ops.quote_name
            assignments = [f"{qn(f.column)} = %s" for f in self._set]
            assignments += [f"{qn(f.column)} = ({qn(f.column)} + 1)" for f in self._increments]
            conditions = " AND ".join(f"{qn(f.column)} = %s" for f in self._where)
            self._sql = f"UPDATE {qn(self._table)} SET {', '.join(assignments)} WHERE {conditions}"
        params = _prepared(self._set, values, connection)
        if where.keys() != {f.name for f in self._where}:
            raise TypeError(f"conditions on {[f.name for f in self._where]} expected, not {sorted(where)}")
        params += [f.get_db_prep_value(where[f.name], connection, prepared=False) for f in self._where]
        with connection.cursor() as cursor:
            cursor.execute(self._sql, params)
            return cursor.rowcount


class CompiledInsert:
    """``INSERT INTO <model's table> (<columns>) VALUES (...)`` of one row, written once per
    process, the values bound as Django's own INSERT binds them; nothing is read back (no
    primary key) and no model signal is sent: for rows written and never changed (the audit
    trail), where ``objects.create()`` compiled its INSERT each time. Every column the row needs
    is given, ``auto_now_add`` times included."""

    def __init__(self, model: type[Any], *, columns: tuple[str, ...], using: str = DEFAULT_DB_ALIAS) -> None:
        self._fields = _plain_fields(model, columns)
        self._table, self._using = model._meta.db_table, using
        self._sql: str | None = None

    def run(self, values: dict[str, Any]) -> None:
        connection = connections[self._using]
        if self._sql is None:
            qn = connection.ops.quote_name
            names = ", ".join(qn(f.column) for f in self._fields)
            self._sql = f"INSERT INTO {qn(self._table)} ({names}) VALUES ({', '.join(['%s'] * len(self._fields))})"
        params = _prepared(self._fields, values, connection)
        with connection.cursor() as cursor:
            cursor.execute(self._sql, params)
