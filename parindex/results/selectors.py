"""Reading approvals and published results; the previous cycle's results for change of rank."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, QuerySet, Subquery

from parindex.assessments.models import Assessment
from parindex.results.models import Approval, Publication, PublicationFile, PublishedResult
from parindex.units.models import UnitSuccession


def approval_assessments(approval: Approval) -> list[Assessment]:
    """The approved assessments of an approval, with their units (one query)."""
    return list(
        Assessment.objects.filter(approval_entry__approval=approval).select_related("unit").order_by("unit__name")
    )


@dataclass
class Previous:
    """Last published year's index per unit and the predecessor links to reach it."""

    year: int | None = None
    percents: dict[int, Decimal] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    predecessors: dict[int, list[int]] = field(default_factory=dict)
    decisions: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.year is None:
            return ""
        return f"Năm {self.year}" + (f" (Quyết định {', '.join(self.decisions)})" if self.decisions else "")


def previous_results(unit_ids: Iterable[int], year: int) -> Previous:
    """The latest earlier year's current published results of these units or their predecessors.

    Two queries: the predecessor links of the units, then the published results of the
    units and their predecessors in earlier years (the latest such year is kept).
    """
    unit_ids = list(unit_ids)
    predecessors: dict[int, list[int]] = defaultdict(list)
    for successor_id, predecessor_id in UnitSuccession.objects.filter(successor_id__in=unit_ids).values_list(
        "successor_id", "predecessor_id"
    ):
        predecessors[successor_id].append(predecessor_id)
    wanted = set(unit_ids) | {p for ps in predecessors.values() for p in ps}
    rows = list(
        PublishedResult.objects.filter(
            unit_id__in=wanted, publication__is_current=True, publication__year__lt=year
        ).values_list("unit_id", "unit_name", "percent", "publication__year", "publication__decision_number")
    )
    if not rows:
        return Previous(predecessors=dict(predecessors))
    latest = max(r[3] for r in rows)
    previous = Previous(year=latest, predecessors=dict(predecessors))
    for unit_id, name, percent, row_year, decision in rows:
        if row_year == latest:
            previous.percents[unit_id] = percent
            previous.names[unit_id] = name
            if decision not in previous.decisions:
                previous.decisions.append(decision)
    return previous


def current_publications() -> QuerySet[Publication]:
    """Every publication in force, newest year first, for the public list (one query)."""
    return (
        Publication.objects.filter(is_current=True)
        .select_related("approval__cycle__province")
        .order_by("-year", "approval__cycle__province__name", "approval__name")
    )


def publication_results(publication: Publication) -> list[PublishedResult]:
    """The frozen rows of a publication in rank order (one query)."""
    return list(publication.results.order_by("rank", "unit_name"))


def publication_with_current(pk: int, *, stored: str = "") -> Publication | None:
    """A publication with its header, the group's publication now in force (``current_pk``,
    ``current_decision``) and, with ``stored`` (a file kind), the stored file's name
    (``stored_name``, None when not built yet): one query."""
    current = Publication.objects.filter(approval_id=OuterRef("approval_id"), is_current=True)
    annotations = {
        "current_pk": Subquery(current.values("pk")[:1]),
        "current_decision": Subquery(current.values("decision_number")[:1]),
    }
    if stored:
        files = PublicationFile.objects.filter(publication_id=OuterRef("pk"), kind=stored)
        annotations["stored_name"] = Subquery(files.values("file")[:1])
    return (
        Publication.objects.select_related("approval__cycle__province", "supersedes")
        .annotate(**annotations)
        .filter(pk=pk)
        .first()
    )
