"""A queryset's SELECT compiled once per process, then run with another value.

Django compiles a queryset into SQL each time it runs it. For a statement with subqueries and
JSON aggregates the compilation costs more than the database: the row save's locked read
(``assessments.selectors.assessment_to_change``: the assessment, its cycle, framework version
and unit, the latest deadline extension, the assignments and the evidenced sub-criteria) took
about 1.5 ms to compile and 0.3 ms to run, on every save. ``CompiledSelect`` compiles it the
first time it runs, keeps the SQL, and binds the one value that changes (a primary
key) in place of a marker; the rows become model instances as Django's own iterable makes them
(``select_related`` objects, annotations, the database's converters).

The compilation is kept once per process (the SQL of a database alias is the same whatever
the thread); the rows are converted by a compiler of the connection that ran the statement, given
the compiled select list, so nothing of one thread's connection is kept for another (a
development server starts a thread, with its own connection, per request).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError

# What stands for the changing value while the statement is compiled: a primary key no table
# reaches (any value works that the statement's other parameters never equal).
MARKER = -(2**62) + 7


@dataclass(frozen=True)
class _Compiled:
    query: Any
    select: list[Any]  # the compiler's select list: the columns' expressions, for the converters
    col_count: int
    sql: str
    params: tuple[Any, ...]
    slot: int
    init_list: list[str]
    fields: slice
    populators: list[Any]
    annotations: dict[str, int]


class CompiledSelect:
    """``build(marker)`` returns the queryset with ``marker`` where the changing value goes
    (``.filter(pk=marker)``); ``all(value)`` runs it with ``value`` there and returns its model
    instances, ``first(value)`` the first or None, and, for a ``values_list`` queryset,
    ``rows(value)`` its tuples. ``marker`` must appear exactly once among the statement's
    parameters."""

    def __init__(
        self, build: Callable[[Any], QuerySet], *, marker: int = MARKER, using: str = DEFAULT_DB_ALIAS
    ) -> None:
        self._build, self._marker, self._using = build, marker, using
        self._compiled: _Compiled | None = None

    def all(self, value: Any) -> list[Any]:
        compiled, rows = self._run(value)
        model, objects = compiled.query.model, []
        for row in rows:
            obj = model.from_db(self._using, compiled.init_list, row[compiled.fields])
            for populator in compiled.populators:
                populator.populate(row, obj)
            for name, position in compiled.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, value: Any) -> Any | None:
        return next(iter(self.all(value)), None)

    def rows(self, value: Any) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._run(value)[1]]

    def _run(self, value: Any) -> tuple[_Compiled, Any]:
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
        params = list(compiled.params)
        params[compiled.slot] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        # The database's converters (JSON, dates, decimals), as Django applies them, by a compiler
        # of this connection given the compiled columns (making one compiles nothing).
        compiler = compiled.query.get_compiler(using=self._using)
        compiler.select, compiler.col_count = compiled.select, compiled.col_count
        return compiled, compiler.results_iter([fetched])

    def _compile(self) -> _Compiled:
        queryset = self._build(self._marker)
        if queryset._known_related_objects or queryset._prefetch_related_lookups:
            raise ValueError("CompiledSelect takes a plain SELECT (no prefetch, no known related objects)")
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()
        slots = [i for i, param in enumerate(params) if param == self._marker]
        if len(slots) != 1 or compiler.has_extra_select:
            raise ValueError(f"the marker must appear once among the parameters (found {len(slots)})")
        info = compiler.klass_info
        if info is None:  # values_list(): rows only
            return _Compiled(
                compiler.query, compiler.select, compiler.col_count, sql, tuple(params), slots[0], [], slice(0), [], {}
            )
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        return _Compiled(
            query=compiler.query,
            select=compiler.select,
            col_count=compiler.col_count,
            sql=sql,
            params=tuple(params),
            slot=slots[0],
            init_list=[column[0].target.attname for column in compiler.select[start:end]],
            fields=slice(start, end),
            populators=get_related_populators(info, compiler.select, self._using),
            annotations=dict(compiler.annotation_col_map or {}),
        )
