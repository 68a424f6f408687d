"""Aggregates Django 5.2 has only for PostgreSQL, for both databases parindex runs on."""

from __future__ import annotations

from typing import Any

from django.db.models import Aggregate, JSONField, OuterRef, QuerySet, Subquery


class JSONGroupArray(Aggregate):
    """The group's values as one JSON array: ``JSON_GROUP_ARRAY`` on SQLite, ``JSONB_AGG`` on
    PostgreSQL (``contrib.postgres``'s ``JSONBAgg`` has no SQLite counterpart)."""

    function = "JSON_GROUP_ARRAY"
    output_field = JSONField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_AGG", **extra)


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
