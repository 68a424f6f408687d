"""Reading frameworks: access-checked fetches, and a version as the engine's Framework."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from parindex import scoring
from parindex.accounts.permissions import Principal
from parindex.frameworks.models import Criterion, Framework, FrameworkVersion
from parindex.frameworks.permissions import can_view_version, managed_owner_ids
from parindex.frameworks.workflow import Status
from parindex.units.models import AdministrativeUnit


def _visible(qs: QuerySet[FrameworkVersion], principal: Principal) -> QuerySet[FrameworkVersion]:
    if principal.is_superuser:
        return qs
    return qs.filter(~Q(status=Status.DRAFT) | Q(framework__owner_id__in=managed_owner_ids(principal)))


def framework_list_for(principal: Principal) -> list[Framework]:
    """Frameworks (with their owner) with their visible versions (newest first) and node/leaf counts."""
    versions = (
        _visible(FrameworkVersion.objects.all(), principal)
        .annotate(
            node_count=Count("criteria"),
            leaf_count=Count("criteria", filter=~Q(criteria__rule_kind="")),
        )
        .order_by("-number")
    )
    frameworks = Framework.objects.select_related("owner").prefetch_related(
        Prefetch("versions", queryset=versions, to_attr="visible_versions")
    )
    return [fw for fw in frameworks if fw.visible_versions]


def framework_version_get_for(principal: Principal, code: str, number: int) -> FrameworkVersion:
    """The version, or 404 when it does not exist or ``principal`` may not see it."""
    version = (
        FrameworkVersion.objects.select_related("framework__owner").filter(framework__code=code, number=number).first()
    )
    if version is None or not can_view_version(principal, version):
        raise Http404("Không tìm thấy phiên bản bộ chỉ số")
    return version


def import_owners_for(principal: Principal) -> list[AdministrativeUnit | None]:
    """Whom ``principal`` may import a framework for: the provinces where it is a province admin;
    for a superuser, national (None, first) and every current province."""
    provinces = AdministrativeUnit.objects.filter(
        era=AdministrativeUnit.Era.CURRENT, level=AdministrativeUnit.Level.PROVINCE
    ).order_by("name")
    if principal.is_superuser:
        return [None, *provinces]
    return list(provinces.filter(pk__in=managed_owner_ids(principal)))


def versions_usable_by(province: Any) -> QuerySet[FrameworkVersion]:
    """Published versions a province may open a cycle with: its own frameworks' and national ones."""
    return FrameworkVersion.objects.filter(status=Status.PUBLISHED).filter(
        Q(framework__owner__isnull=True) | Q(framework__owner=province)
    )


def framework_version_latest(code: str, *, published_only: bool = True) -> FrameworkVersion | None:
    qs = FrameworkVersion.objects.select_related("framework").filter(framework__code=code)
    if published_only:
        qs = qs.filter(status=Status.PUBLISHED)
    return qs.order_by("-number").first()


def framework_version_document(version: FrameworkVersion, *, ids: dict[str, int] | None = None) -> dict[str, Any]:
    """The version as a ``parindex-framework/1`` document, its tree read in one query (and the
    criteria's ids by code put in ``ids`` when given)."""
    rows = list(
        Criterion.objects.filter(version=version)
        .order_by("position")
        .values(
            "id",
            "parent_id",
            "code",
            "name",
            "max_points",
            "rule_kind",
            "rule_params",
            "evidence",
            "guidance",
            "responsible",
            "extra",
        )
    )
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for row in rows:
        if ids is not None:
            ids[row["code"]] = row["id"]
        node: dict[str, Any] = {"code": row["code"], "name": row["name"], "max": row["max_points"]}
        for key in ("evidence", "guidance", "responsible"):
            if row[key]:
                node[key] = row[key]
        node.update(row["extra"] or {})
        if row["rule_kind"]:
            rule: dict[str, Any] = {"kind": row["rule_kind"]}
            if row["rule_params"]:
                rule["params"] = row["rule_params"]
            node["rule"] = rule
        else:
            node["children"] = []
        nodes[row["id"]] = node
        if row["parent_id"] is None:
            roots.append(node)
        else:
            nodes[row["parent_id"]]["children"].append(node)
    doc: dict[str, Any] = {
        "format": scoring.framework_file.FORMAT,
        "code": version.framework.code,
        "name": version.name,
        "issuer": version.issuer,
        "description": version.description,
        "max_total": version.max_total,
        "rounding": version.rounding,
    }
    if version.decision_number or version.decision_date:
        doc["decision"] = {"number": version.decision_number, "date": version.decision_date}
    if version.applies_to:
        doc["applies_to"] = list(version.applies_to)
    if version.period_from or version.period_to:
        doc["period"] = {"from": version.period_from, "to": version.period_to}
    if version.classification:
        doc["classification"] = version.classification
    doc.update(version.extra or {})
    doc["criteria"] = roots
    return doc


_CACHE: OrderedDict[tuple[int, str], tuple[scoring.Framework, dict[str, int]]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 32


def _cached(version: FrameworkVersion) -> tuple[scoring.Framework, dict[str, int]]:
    """The version's engine Framework and its criteria's ids by code, read in one query and
    cached per version and content hash: a version's content only changes while it is a
    draft, and every change gets a new hash, so a cached entry is never stale."""
    key = (version.pk, version.content_sha256)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    ids: dict[str, int] = {}
    entry = (scoring.parse_framework(framework_version_document(version, ids=ids)), ids)
    with _CACHE_LOCK:
        _CACHE[key] = entry
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return entry


def framework_version_spec(version: FrameworkVersion) -> scoring.Framework:
    """The version as the scoring engine's Framework (validated by the same parser as files)."""
    return _cached(version)[0]


def criterion_codes(version: FrameworkVersion) -> dict[int, str]:
    """The version's criteria's codes by id, from the cached tree (no query)."""
    spec, ids = _cached(version)
    return {pk: code for code, pk in ids.items()}


def criterion_ref(version: FrameworkVersion, code: str) -> Criterion | None:
    """The criterion ``code`` of the version from the cached tree, without a query: a Criterion
    carrying its id, code, version and rule kind (enough to write an answer or an audit row
    about it), or None when the version has no such criterion."""
    spec, ids = _cached(version)
    pk = ids.get(code)
    if pk is None:
        return None
    node = spec.node(code)
    return Criterion(pk=pk, version_id=version.pk, code=code, rule_kind=node.rule.kind if node.rule else "")


def jsonable(value: Any) -> Any:
    """Decimals and dates as strings, recursively, for JSON columns (no binary floats)."""
    if isinstance(value, Decimal):
        return scoring.decimals.plain(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value
