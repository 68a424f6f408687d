"""Reading what the documents are written from, as the plain facts of ``facts.py``.

Every fetch here is access-checked for the principal (404 for what they may not see), and
each reads a bounded number of rows whatever the number of units, criteria or actions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q
from django.http import Http404

from parindex import scoring
from parindex.accounts.models import Role, RoleAssignment
from parindex.accounts.permissions import Principal
from parindex.assessments import permissions as assessment_permissions
from parindex.assessments.models import Assessment
from parindex.assessments.selectors import assessment_score
from parindex.documents import facts
from parindex.documents.models import DocumentTemplate, IssuedDocument, Kind, RegisterNumber
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation import schedule
from parindex.remediation.models import Plan
from parindex.remediation.selectors import action_row, completion_of, plan_items
from parindex.remediation.workflow import SHOWN_STATUS_LABELS
from parindex.results import permissions as result_permissions
from parindex.results.models import Publication, PublishedResult
from parindex.units.models import AdministrativeUnit

# What each kind of document is drawn from: a publication, a remediation plan or an assessment.
SOURCE = {
    Kind.DECISION: "publication",
    Kind.REMEDIATION_LETTER: "plan",
    Kind.REMEDIATION_PLAN: "plan",
    Kind.CONCLUSION_NOTICE: "plan",
    Kind.REMEDIATION_REPORT: "plan",
    Kind.CCHC_REPORT: "assessment",
    Kind.DIRECTIVE: "assessment",
    Kind.BROADCAST: "plan",
}
SYMBOL = {
    Kind.DECISION: "QĐ-UBND",
    Kind.REMEDIATION_LETTER: "UBND-VP",
    Kind.REMEDIATION_PLAN: "KH-UBND",
    Kind.CONCLUSION_NOTICE: "TB-UBND",
    Kind.CCHC_REPORT: "BC-UBND",
    Kind.REMEDIATION_REPORT: "BC-UBND",
    Kind.DIRECTIVE: "CT-UBND",
    Kind.BROADCAST: "",  # not numbered
}


@dataclass(frozen=True)
class Source:
    """The object a document is drawn from, with the unit that issues it and its province."""

    kind: str
    unit: AdministrativeUnit
    province: AdministrativeUnit
    publication: Publication | None = None
    plan: Plan | None = None
    assessment: Assessment | None = None

    @property
    def year(self) -> int:
        if self.plan is not None:
            return self.plan.year
        if self.publication is not None:
            return self.publication.year
        assert self.assessment is not None
        return self.assessment.cycle.year


def source_for(principal: Principal, kind: str, pk: int) -> Source:
    """The document's source, or 404 when the principal may not see it (one query)."""
    where = SOURCE.get(kind)
    if where == "publication":
        publication = (
            Publication.objects.select_related(
                "approval__cycle__province", "approval__cycle__framework_version", "supersedes"
            )
            .filter(pk=pk)
            .first()
        )
        if publication is None:
            raise Http404("Không tìm thấy kết quả công bố")
        province = publication.approval.cycle.province
        # The decision is the province's: only those who may see its board see the draft.
        if not result_permissions.can_view_board(principal, province):
            raise Http404("Không tìm thấy kết quả công bố")
        return Source(kind, province, province, publication=publication)
    if where == "plan":
        plan = (
            Plan.objects.select_related(
                "unit__province",
                "result__publication__approval",
                "assessment__cycle__framework_version",
                "approved_by",
            )
            .filter(pk=pk)
            .first()
        )
        if plan is None or not assessment_permissions.can_view(principal, plan.unit):
            raise Http404("Không tìm thấy kế hoạch khắc phục")
        return Source(kind, plan.unit, plan.unit.province, plan=plan)
    if where == "assessment":
        assessment = (
            Assessment.objects.select_related("unit__province", "cycle__framework_version", "cycle__province")
            .filter(pk=pk)
            .first()
        )
        if assessment is None or not assessment_permissions.can_view(principal, assessment.unit):
            raise Http404("Không tìm thấy hồ sơ đánh giá")
        return Source(kind, assessment.unit, assessment.unit.province, assessment=assessment)
    raise Http404("Không có loại văn bản này")


def may_issue(principal: Principal, source: Source) -> bool:
    """The province's decision: its Sở Nội vụ admin; a commune's documents: its office and head."""
    if source.kind == Kind.DECISION:
        return result_permissions.can_publish(principal, source.province)
    return principal.is_superuser or assessment_permissions.can_edit_all(principal, source.unit)


# -- facts ---------------------------------------------------------------------------------------


def _previous_year(publication: Publication) -> int | None:
    match = re.search(r"(\d{4})", publication.previous_label or "")
    return int(match.group(1)) if match else None


def standing_of(result: PublishedResult, publication: Publication) -> facts.Standing:
    """A frozen published row as the documents cite it (no query)."""
    fields = []
    for f in publication.fields:
        score, applicable_max = (result.scores.get(f["code"]) or [None, None])[:2]
        fields.append(
            facts.FieldScore(
                f["code"],
                f["name"],
                Decimal(f["max"]),
                Decimal(score) if score is not None else None,
                Decimal(applicable_max) if applicable_max is not None else None,
            )
        )
    return facts.Standing(
        unit_name=result.unit_name,
        year=publication.year,
        total=result.total,
        applicable_max=Decimal(result.applicable_max).normalize(),
        percent=result.percent,
        classification=result.classification,
        rank=result.rank,
        rank_of=result.rank_of,
        rank_change=result.rank_change,
        previous_rank=result.previous_rank,
        previous_of=result.previous_of,
        previous_year=_previous_year(publication),
        places=publication.places,
        fields=tuple(fields),
        group=publication.approval.name,
        decision_number=publication.decision_number,
        decision_date=publication.decision_date,
        decision_issuer=publication.issuer,
    )


def framework_of(version: Any) -> facts.Framework:
    spec = framework_version_spec(version)
    return facts.Framework(spec.name, spec.decision_number, spec.decision_date, spec.issuer)


def publication_standings(publication: Publication) -> list[facts.Standing]:
    """The publication's rows in rank order (one query)."""
    rows = PublishedResult.objects.filter(publication=publication).order_by("rank", "unit_name")
    return [standing_of(r, publication) for r in rows]


def _owner_name(action: Any) -> str:
    return str(action.official) if action.official_id else ""


def plan_facts(plan: Plan, today: dt.date) -> tuple[facts.Plan, int, int]:
    """The plan's lines and measures with their shown status, and (done on time, all measures).

    Three queries (the items, their actions with the last progress date and owners, and the
    Kế hoạch issued from the plan, whose number the other documents cite).
    """
    items = plan_items(plan)
    rows = []
    lost = []
    for item in items:
        measures = []
        for action in item.actions.all():
            row = action_row(action, plan, today)
            rows.append(row)
            measures.append(
                facts.Measure(
                    description=action.description,
                    owner=_owner_name(action),
                    office=action.office,
                    deadline=schedule.describe_deadline(action.deadline_kind, action.due, plan.year),
                    status=SHOWN_STATUS_LABELS.get(row.shown_status, row.shown_status),
                    result=action.result,
                    completed_on=action.completed_on,
                    on_time=schedule.done_on_time(
                        action.deadline_kind, action.due, plan.year, action.status, action.completed_on
                    ),
                    expected_points=action.expected_points,
                )
            )
        lost.append(
            facts.LostItem(
                code=item.code,
                name=item.name,
                field_code=item.field_code,
                field_name=item.field_name,
                max=item.max_points.normalize(),
                score=item.score,
                lost=item.lost,
                cause=item.cause,
                measures=tuple(measures),
            )
        )
    completion = completion_of(rows, plan.year)
    places = plan.result.publication.places if plan.result_id else 2
    approved_on = plan.approved_at.date() if plan.approved_at else None
    # The Kế hoạch as issued (its register's number and date) is what the other documents cite.
    issued = issued_as(Kind.REMEDIATION_PLAN, plan=plan)
    number = f"{issued.number:02d}/{issued.symbol}" if issued is not None else plan.document_number
    return (
        facts.Plan(
            title=plan.title,
            year=plan.year,
            assessed_year=plan.assessed_year,
            document_number=number,
            approved_on=approved_on,
            document_date=issued.issued_on if issued is not None else None,
            items=tuple(lost),
            total_lost=plan.total_lost,
            report_summary=plan.report_summary,
            places=places,
        ),
        completion.done_on_time,
        completion.total,
    )


def self_assessment_facts(assessment: Assessment) -> facts.SelfAssessment:
    """The self-assessment scored by the engine as it stands (two queries)."""
    result = assessment_score(assessment)
    fields = tuple(
        facts.FieldScore(
            ns.code,
            ns.node.name,
            ns.max,
            ns.score if ns.applicable else None,
            ns.applicable_max if ns.applicable else None,
        )
        for ns in result.field_scores()
    )
    leaves = [ns for ns in result.nodes() if ns.node.is_leaf and ns.applicable]
    return facts.SelfAssessment(
        year=assessment.cycle.year,
        total=result.total,
        applicable_max=result.applicable_max,
        percent=result.percent,
        classification=result.classification,
        fields=fields,
        answered=sum(not ns.missing for ns in leaves),
        applicable=len(leaves),
        places=result.framework.rounding,
    )


def indicator_figures(unit: AdministrativeUnit, year: int, last_month: int) -> list[facts.IndicatorFigure]:
    """Each active indicator's figure for months 1..``last_month`` against its target, as the
    monitoring pages judge it (``indicators.monitoring.unit_trends``, three queries)."""
    import datetime as dt

    from parindex.indicators import monitoring
    from parindex.indicators.status import RATIO, TargetStatus

    trends = monitoring.unit_trends(unit, year, dt.date(year, 12, 31))  # every month of the year
    return [_figure(t.indicator, t.months[last_month - 1].to_date, t.target, RATIO, TargetStatus) for t in trends]


def _figure(ind: Any, figure: Any, target: Decimal | None, ratio: str, statuses: Any) -> facts.IndicatorFigure:
    from parindex.documents.context import vn

    sign = "≥" if ind.direction == "at_least" else "≤"
    if ind.kind == ratio:
        target_text = "" if target is None else f"{sign} {vn(target * 100, 2)}%"
        value = figure.value
        result = (
            "chưa có số liệu"
            if value is None
            else f"{vn(value * 100, 2)}% ({vn(figure.numerator)}/{vn(figure.denominator)})"
        )
    else:
        target_text = "" if target is None else f"{sign} {vn(target)} {ind.unit_label}".strip()
        result = "chưa có số liệu" if figure.value is None else f"{vn(figure.value)} {ind.unit_label}".strip()
    return facts.IndicatorFigure(ind.name, target_text, result, statuses(figure.status).label)


def head_of(unit: AdministrativeUnit) -> tuple[str, bool]:
    """The commune head's name and whether they sign as a deputy ("KT."), for the signature default."""
    grant = (
        RoleAssignment.objects.filter(unit=unit, role=Role.COMMUNE_HEAD, user__is_active=True)
        .select_related("user")
        .order_by("is_deputy", "pk")
        .first()
    )
    if grant is None:
        return "", False
    return str(grant.user), grant.is_deputy


# -- register and templates ------------------------------------------------------------------------


def next_number(unit: AdministrativeUnit, year: int, symbol: str) -> int:
    """The next number of this symbol this year in the body's register: the one its văn thư set
    (documents numbered outside parindex), and never below one more than the highest parindex
    gave (two queries)."""
    top = IssuedDocument.objects.filter(unit=unit, year=year, symbol=symbol).aggregate(top=Max("number"))["top"]
    kept = RegisterNumber.objects.filter(unit=unit, year=year, symbol=symbol).values_list("next_number", flat=True)
    return max((top or 0) + 1, *kept, 1)


def register_next(unit: AdministrativeUnit, year: int) -> dict[str, int]:
    """Each symbol's next number this year in the body's register (two queries): the symbols of
    the documents the body writes, and any other it numbered."""
    symbols = (
        {SYMBOL[Kind.DECISION]} if unit.is_province else {s for k, s in SYMBOL.items() if k != Kind.DECISION and s}
    )
    tops = dict(
        IssuedDocument.objects.filter(unit=unit, year=year, number__isnull=False)
        .values_list("symbol")
        .annotate(top=Max("number"))
        .order_by()
    )
    kept = dict(RegisterNumber.objects.filter(unit=unit, year=year).values_list("symbol", "next_number"))
    return {s: max(tops.get(s, 0) + 1, kept.get(s, 1)) for s in sorted(symbols | set(tops) | set(kept))}


def number_free(unit: AdministrativeUnit, year: int, symbol: str, number: int) -> bool:
    return not IssuedDocument.objects.filter(unit=unit, year=year, symbol=symbol, number=number).exists()


def issued_as(kind: str, *, plan: Plan | None = None, publication: Publication | None = None) -> IssuedDocument | None:
    """The numbered document of ``kind`` last issued from this plan or publication (one query), so a
    document citing it cites the number it was issued with."""
    docs = IssuedDocument.objects.filter(kind=kind, number__isnull=False)
    if plan is not None:
        docs = docs.filter(plan=plan)
    elif publication is not None:
        docs = docs.filter(publication=publication)
    else:
        return None
    return docs.order_by("-issued_on", "-pk").first()


NUMBERED = re.compile(r"^(\d{1,8})/(.*)$")


def register_of(unit: AdministrativeUnit, *, q: str = "", kind: str = "", year: int | None = None) -> Any:
    """The unit's issued documents, newest first, not yet read: of one kind, one year, and
    whose number and symbol, subject or signer hold ``q`` (accents as typed)."""
    docs = IssuedDocument.objects.filter(unit=unit)
    if kind:
        docs = docs.filter(kind=kind)
    if year:
        docs = docs.filter(year=year)
    for word in q.split():
        numbered = NUMBERED.match(word)
        if numbered:  # "07/KH-UBND", "7/"
            match = Q(number=int(numbered[1])) & Q(symbol__icontains=numbered[2])
        else:
            match = Q(subject__icontains=word) | Q(symbol__icontains=word) | Q(signer_name__icontains=word)
            if word.isdigit() and len(word) < 9:
                match |= Q(number=int(word))
        docs = docs.filter(match)
    return docs.select_related("created_by").order_by("-issued_on", "-pk")


def register_years(unit: AdministrativeUnit) -> dict[int, int]:
    """How many documents the unit's register holds each year, newest year first (one query)."""
    rows = IssuedDocument.objects.filter(unit=unit).order_by("-year").values_list("year").annotate(n=Count("pk"))
    return dict(rows)


def active_template(province_id: int | None, kind: str) -> DocumentTemplate | None:
    if province_id is None:
        return None
    return DocumentTemplate.objects.filter(province_id=province_id, kind=kind, is_active=True).first()


def issued_for(principal: Principal, pk: int) -> IssuedDocument:
    """An issued document, or 404 when its body is not one the principal may see."""
    doc = (
        IssuedDocument.objects.select_related("unit", "created_by", "publication", "plan", "assessment__cycle")
        .filter(pk=pk)
        .first()
    )
    if doc is None:
        raise Http404("Không tìm thấy văn bản")
    if not may_see_register(principal, doc.unit):
        raise Http404("Không tìm thấy văn bản")
    return doc


def may_see_register(principal: Principal, unit: AdministrativeUnit) -> bool:
    """A province's documents: who may see its results board; a commune's: who may see its assessments."""
    if unit.is_province:
        return result_permissions.can_view_board(principal, unit)
    return assessment_permissions.can_view(principal, unit)


def standing_for_plan(plan: Plan) -> facts.Standing:
    """The plan's published result, citing the decision by the number it was issued with when the
    province issued it here (one query more)."""
    publication = plan.result.publication
    standing = standing_of(plan.result, publication)
    issued = issued_as(Kind.DECISION, publication=publication)
    if issued is None:
        return standing
    return dataclasses.replace(
        standing, decision_number=f"{issued.number:02d}/{issued.symbol}", decision_date=issued.issued_on
    )


def spec_of(source: Source) -> scoring.Framework:
    """The framework the source was assessed against."""
    if source.plan is not None:
        cycle = source.plan.assessment.cycle
    elif source.publication is not None:
        cycle = source.publication.approval.cycle
    else:
        assert source.assessment is not None
        cycle = source.assessment.cycle
    return framework_version_spec(cycle.framework_version)


@dataclass
class HubUnit:
    unit: AdministrativeUnit
    may_issue: bool
    plans: list[Plan]
    assessments: list[Assessment]
    publications: list[Publication]
    count: int = 0


def documents_hub(principal: Principal) -> list[HubUnit]:
    """The units whose documents the principal works on, each with what documents are drawn from.

    Communes where they hold a commune role (their plans and assessments) and provinces where
    they may see the board (their publications in force). Five queries whatever the number of units.
    """
    from django.db.models import Count

    from parindex.accounts.models import COMMUNE_ROLES
    from parindex.results.permissions import BOARD_ROLES

    if principal.is_superuser:
        units = list(AdministrativeUnit.objects.filter(era="current", level=1).order_by("name"))
    else:
        commune_ids = principal.unit_ids(COMMUNE_ROLES)[0]
        province_ids = principal.unit_ids(BOARD_ROLES)[0]
        units = list(AdministrativeUnit.objects.filter(pk__in=commune_ids | province_ids).order_by("level", "name"))
    ids = [u.pk for u in units]
    plans: dict[int, list[Plan]] = {}
    for plan in Plan.objects.filter(unit_id__in=ids).order_by("-year"):
        plans.setdefault(plan.unit_id, []).append(plan)
    assessments: dict[int, list[Assessment]] = {}
    for a in Assessment.objects.filter(unit_id__in=ids).select_related("cycle").order_by("-cycle__year"):
        assessments.setdefault(a.unit_id, []).append(a)
    publications: dict[int, list[Publication]] = {}
    for p in (
        Publication.objects.filter(is_current=True, approval__cycle__province_id__in=ids)
        .select_related("approval__cycle")
        .order_by("-year", "approval__name")
    ):
        publications.setdefault(p.approval.cycle.province_id, []).append(p)
    counts = dict(
        IssuedDocument.objects.filter(unit_id__in=ids).values_list("unit_id").annotate(n=Count("pk")).order_by()
    )
    hub = []
    for unit in units:
        if unit.is_province:
            may = result_permissions.can_publish(principal, unit)
        else:
            may = principal.is_superuser or assessment_permissions.can_edit_all(principal, unit)
        hub.append(
            HubUnit(
                unit,
                may,
                plans.get(unit.pk, []),
                assessments.get(unit.pk, []),
                publications.get(unit.pk, []),
                counts.get(unit.pk, 0),
            )
        )
    return hub
