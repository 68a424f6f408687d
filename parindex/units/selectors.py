"""Reading administrative units: a province's communes, search, and history across the 2025 reform."""

from __future__ import annotations

from django.db import connection
from django.db.models import F, Q, QuerySet

from parindex.units.models import AdministrativeUnit, UnitSuccession, fold_name

# Deeper than any real chain (one reform so far); stops a corrupt cycle from running forever.
MAX_GENERATIONS = 10


def unit_predecessors(unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """The old units merged (wholly or in part) into ``unit``, each with ``succession_partial``.

    Old communes come with their district and province (``parent``, ``province``) loaded.
    """
    return (
        AdministrativeUnit.objects.filter(successor_links__successor=unit)
        .annotate(succession_partial=F("successor_links__is_partial"))
        .select_related("parent", "province")
        .order_by("level", "code")
    )


def unit_successors(unit: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """The current unit(s) ``unit`` went into: one, or several when it was split."""
    return (
        AdministrativeUnit.objects.filter(predecessor_links__predecessor=unit)
        .annotate(succession_partial=F("predecessor_links__is_partial"))
        .select_related("province")
        .order_by("level", "code")
    )


def communes_of_province(province: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """Every commune, ward, township or special zone of ``province`` (of the province's era)."""
    return AdministrativeUnit.objects.filter(province=province, level=AdministrativeUnit.Level.COMMUNE).order_by("code")


def unit_lineage(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """Every unit ``unit`` descends from through succession, nearest generation first.

    Each unit carries ``generation`` (1 for a direct predecessor, 2 for a predecessor's
    predecessor ...) and its ``parent`` and ``province``. One recursive query finds the
    ancestors, one more loads them, however long the chains.
    """
    table = connection.ops.quote_name(UnitSuccession._meta.db_table)
    sql = f"""
        WITH RECURSIVE lineage(unit_id, generation) AS (
            SELECT predecessor_id, 1 FROM {table} WHERE successor_id = %s
            UNION
            SELECT s.predecessor_id, l.generation + 1
            FROM {table} s JOIN lineage l ON s.successor_id = l.unit_id
            WHERE l.generation < %s
        )
        SELECT unit_id, MIN(generation) FROM lineage GROUP BY unit_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [unit.pk, MAX_GENERATIONS])
        generations = dict(cursor.fetchall())
    if not generations:
        return []
    units = list(AdministrativeUnit.objects.filter(pk__in=generations).select_related("parent", "province"))
    for ancestor in units:
        ancestor.generation = generations[ancestor.pk]
    return sorted(units, key=lambda u: (u.generation, u.level, u.code))


def unit_search(
    q: str,
    *,
    era: str | None = AdministrativeUnit.Era.CURRENT,
    province: AdministrativeUnit | None = None,
    level: int | None = None,
) -> QuerySet[AdministrativeUnit]:
    """Units whose name contains every word of ``q`` (accents optional) or whose code starts with it.

    By default only current units; ``era=None`` searches both eras. Provinces come before
    districts before communes, each by name.
    """
    words = fold_name(q).split()
    if not words:
        return AdministrativeUnit.objects.none()
    by_name = Q()
    for word in words:
        by_name &= Q(search_name__contains=word)
    match = (by_name | Q(code__startswith=q.strip())) if q.strip().isdigit() else by_name
    qs = AdministrativeUnit.objects.filter(match).select_related("province")
    if era is not None:
        qs = qs.filter(era=era)
    if province is not None:
        qs = qs.filter(province=province)
    if level is not None:
        qs = qs.filter(level=level)
    return qs.order_by("level", "search_name", "code")


def unit_match(q: str, path: str = "") -> Q | None:
    """Units (reached through ``path``, e.g. ``"unit__"``) whose name holds every word of ``q``,
    accents optional, or whose code starts with it; None when ``q`` has nothing to search for."""
    words = fold_name(q).split()
    if not words:
        return None
    by_name = Q()
    for word in words:
        by_name &= Q(**{f"{path}search_name__contains": word})
    code = q.strip()
    return (by_name | Q(**{f"{path}code__startswith": code})) if code.isdigit() else by_name
