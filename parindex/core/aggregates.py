"""Aggregates Django 5.2 has only for PostgreSQL, for both databases parindex runs on."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, Func, JSONField, OuterRef, QuerySet, Subquery


class JSONGroupArray(Aggregate):
    """The group's values as one JSON array: ``JSON_GROUP_ARRAY`` on SQLite, ``JSONB_AGG`` on
    PostgreSQL (``contrib.postgres``'s ``JSONBAgg`` has no SQLite counterpart)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra)


class JSONGroupObject(Aggregate):
    """The group's ``key: value`` pairs as one JSON object, ``value`` a JSON column:
    ``JSONB_OBJECT_AGG`` on PostgreSQL, ``JSON_GROUP_OBJECT`` on SQLite (where a JSON column is
    text, so it is read with ``JSON()`` to be nested as JSON, not as a string). Many small JSON
    values of a group then reach Python as one document, decoded in one call."""

    function = "JSONB_OBJECT_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        clone = self.copy()
        key, value, *rest = clone.get_source_expressions()  # rest: the aggregate's filter
        clone.set_source_expressions([key, Func(value, function="JSON", output_field=JSONField()), *rest])
        return clone.as_sql(compiler, connection, function="JSON_GROUP_OBJECT", **extra)


def json_rows(queryset: QuerySet[Any], link: str, value: Any) -> Subquery:
    """A subquery annotation: ``value`` (an expression, e.g. ``JSONArray(...)``) of every row of
    ``queryset`` whose ``link`` is the outer row, as one JSON array (None when there is none).
    Read small related sets with their parent in one query."""
    grouped = (
        queryset.filter(**{link: OuterRef("pk")})
        .order_by()
        .values(link)
        .annotate(rows=JSONGroupArray(value))
        .values("rows")
    )
    return Subquery(grouped, output_field=JSONField())
