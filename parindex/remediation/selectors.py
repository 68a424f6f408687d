"""Reading lost points, plans, actions and their progress. Every function makes a fixed number
of queries, whatever the number of items, actions or units."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils import timezone

from parindex import scoring
from parindex.appraisals.models import ItemAppraisal
from parindex.assessments.models import Assessment, Assignment
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation import schedule
from parindex.remediation.models import Action, ActionNote, Plan, PlanItem
from parindex.remediation.workflow import ActionStatus, PlanStatus
from parindex.results.models import PublishedResult
from parindex.units.models import UnitSuccession

# The node extra that marks the sub-criterion fed by last year's plan (1.5.3 in the reference set).
SOURCE_KEY = "source"
SOURCE_REMEDIATION = "remediation"


def current_result(assessment: Assessment) -> PublishedResult | None:
    """The assessment's row in the publication in force (one query)."""
    return (
        PublishedResult.objects.filter(assessment=assessment, publication__is_current=True)
        .select_related("publication")
        .first()
    )


# -- lost-point analysis ----------------------------------------------------------------------


@dataclass(frozen=True)
class PreviousLoss:
    """Points lost on the same code in the last earlier published year (the unit's own, or
    the mean over the units merged into it)."""

    year: int
    lost: Decimal
    sources: tuple[tuple[str, Decimal], ...]  # (unit name, lost) of each unit compared


@dataclass
class OfficialLosses:
    official: Any  # a user, or None for items nobody was given
    losses: list[scoring.analysis.Loss] = field(default_factory=list)

    @property
    def lost(self) -> Decimal:
        return scoring.analysis.total_lost(self.losses)


@dataclass
class Analysis:
    assessment: Assessment
    result: PublishedResult
    spec: scoring.Framework
    losses: list[scoring.analysis.Loss]
    fields: list[scoring.analysis.FieldLosses]
    by_official: list[OfficialLosses]
    previous: dict[str, PreviousLoss]
    comments: dict[str, str]
    owners: dict[str, Any]

    @property
    def total_lost(self) -> Decimal:
        return scoring.analysis.total_lost(self.losses)

    @property
    def previous_year(self) -> int | None:
        return next((p.year for p in self.previous.values()), None)


def owners_by_code(spec: scoring.Framework, assessment: Assessment, codes: Iterable[str]) -> dict[str, Any]:
    """The official each leaf was given to (directly or through its nearest assigned ancestor); one query."""
    assigned = {
        a.criterion.code: a.official
        for a in Assignment.objects.filter(assessment=assessment).select_related("criterion", "official")
    }
    out = {}
    for code in codes:
        out[code] = next((assigned[c] for c in spec.lineage(code) if c in assigned), None)
    return out


def appraisal_comments(assessment: Assessment) -> dict[str, str]:
    """The appraisers' last word on each item: the second round's comment, else the first's (one query)."""
    out: dict[str, str] = {}
    rows = (
        ItemAppraisal.objects.filter(assessment=assessment)
        .exclude(comment="")
        .order_by("round")
        .values_list("criterion__code", "comment")
    )
    for code, comment in rows:
        out[code] = comment.strip()
    return out


def previous_losses(unit_id: int, year: int, codes: Iterable[str], places: int) -> dict[str, PreviousLoss]:
    """Last earlier published year's lost points of ``codes`` for the unit or the units merged
    into it (two queries). A merged unit gets the mean of its predecessors' losses."""
    codes = list(codes)
    predecessors = list(UnitSuccession.objects.filter(successor_id=unit_id).values_list("predecessor_id", flat=True))
    rows = list(
        PublishedResult.objects.filter(
            unit_id__in=[unit_id, *predecessors], publication__is_current=True, publication__year__lt=year
        ).values_list("unit_id", "unit_name", "scores", "publication__year")
    )
    if not rows:
        return {}
    own = [r for r in rows if r[0] == unit_id]
    latest_own = max((r[3] for r in own), default=None)
    if latest_own is not None:
        chosen = [r for r in own if r[3] == latest_own]
    else:
        latest = max(r[3] for r in rows)
        chosen = [r for r in rows if r[3] == latest]
    out = {}
    for code in codes:
        sources = tuple(
            (name, lost)
            for _, name, scores, _year in chosen
            if (lost := scoring.aggregates.lost_points(scores.get(code))) is not None
        )
        if sources:
            mean = scoring.aggregates.mean((lost for _, lost in sources), places)
            out[code] = PreviousLoss(chosen[0][3], mean, sources)
    return out


def lost_analysis(assessment: Assessment, result: PublishedResult | None = None) -> Analysis | None:
    """The published lost points of a unit, by field, by official and against last year
    (six queries; None when the assessment has no result in force)."""
    result = result or current_result(assessment)
    if result is None:
        return None
    spec = framework_version_spec(assessment.cycle.framework_version)
    losses = scoring.analysis.losses(spec, result.scores)
    codes = [loss.code for loss in losses]
    owners = owners_by_code(spec, assessment, codes)
    groups: dict[Any, OfficialLosses] = {}
    for loss in sorted(losses, key=lambda loss: -loss.lost):
        official = owners[loss.code]
        key = official.pk if official is not None else None
        groups.setdefault(key, OfficialLosses(official)).losses.append(loss)
    by_official = sorted(groups.values(), key=lambda g: (g.official is None, -g.lost))
    return Analysis(
        assessment=assessment,
        result=result,
        spec=spec,
        losses=losses,
        fields=scoring.analysis.by_field(spec, losses, result.scores),
        by_official=by_official,
        previous=previous_losses(assessment.unit_id, assessment.cycle.year, codes, spec.rounding),
        comments=appraisal_comments(assessment),
        owners=owners,
    )


# -- plans and actions ------------------------------------------------------------------------


def plan_for(assessment: Assessment) -> Plan | None:
    return Plan.objects.filter(assessment=assessment).first()


def with_last_note(actions: QuerySet[Action]) -> QuerySet[Action]:
    return actions.annotate(last_note_on=Max("notes__on"), note_count=Count("notes"))


@dataclass(frozen=True)
class ActionRow:
    """An action as a board shows it: its stored status, and "overdue" when its deadline passed."""

    action: Action
    overdue: bool
    next_due: dt.date
    missed_quarter: dt.date | None

    @property
    def shown_status(self) -> str:
        return schedule.shown_status(self.action.status, self.overdue)


def local_day(moment: dt.datetime | None) -> dt.date | None:
    """The calendar day in Vietnam of a stored moment (kept in UTC)."""
    return timezone.localtime(moment).date() if moment is not None else None


def action_row(action: Action, plan: Plan, today: dt.date) -> ActionRow:
    approved_on = local_day(plan.approved_at)
    last_note_on = getattr(action, "last_note_on", None)
    tracked = plan.status != PlanStatus.DRAFT
    overdue = tracked and schedule.is_overdue(
        action.deadline_kind,
        action.due,
        plan.year,
        action.status,
        today,
        approved_on=approved_on,
        last_note_on=last_note_on,
    )
    missed = (
        schedule.missed_quarter(plan.year, today, approved_on, last_note_on)
        if tracked and action.deadline_kind == schedule.QUARTERLY and action.status != ActionStatus.DONE
        else None
    )
    return ActionRow(action, overdue, schedule.next_due(action.deadline_kind, action.due, plan.year, today), missed)


def plan_items(plan: Plan) -> list[PlanItem]:
    """The plan's items with their actions, owners and last progress date (two queries)."""
    actions = with_last_note(Action.objects.select_related("official").order_by("position", "pk"))
    return list(plan.items.order_by("position").prefetch_related(Prefetch("actions", queryset=actions)))


@dataclass(frozen=True)
class Completion:
    """How far a plan has got: what sub-criterion 1.5.3 reads (done on time ÷ all actions)."""

    total: int
    done: int
    done_on_time: int
    in_progress: int
    overdue: int

    @property
    def ratio(self) -> Decimal | None:
        return scoring.aggregates.ratio(self.done_on_time, self.total)

    @property
    def percent(self) -> Decimal | None:
        return scoring.aggregates.percent_of(self.done_on_time, self.total, 2)


def completion_of(rows: Sequence[ActionRow], year: int) -> Completion:
    done = [r for r in rows if r.action.status == ActionStatus.DONE]
    return Completion(
        total=len(rows),
        done=len(done),
        done_on_time=sum(
            schedule.done_on_time(r.action.deadline_kind, r.action.due, year, r.action.status, r.action.completed_on)
            for r in done
        ),
        in_progress=sum(r.action.status == ActionStatus.IN_PROGRESS and not r.overdue for r in rows),
        overdue=sum(r.overdue for r in rows),
    )


def plan_completion(plan: Plan, today: dt.date) -> Completion:
    """One query."""
    rows = [action_row(a, plan, today) for a in with_last_note(Action.objects.filter(plan=plan))]
    return completion_of(rows, plan.year)


@dataclass(frozen=True)
class BoardFilter:
    status: str = ""  # an ActionStatus value or "overdue"
    official: int | None = None
    office: str = ""


def action_board(plan: Plan, today: dt.date, board_filter: BoardFilter | None = None) -> list[ActionRow]:
    """Every action of the plan, soonest due first, with overdue flags (one query)."""
    f = board_filter or BoardFilter()
    qs = with_last_note(Action.objects.filter(plan=plan).select_related("item", "official", "updated_by"))
    if f.official:
        qs = qs.filter(official_id=f.official)
    if f.office:
        qs = qs.filter(office=f.office)
    rows = [action_row(a, plan, today) for a in qs]
    if f.status:
        rows = [r for r in rows if r.shown_status == f.status]
    rows.sort(key=lambda r: (r.action.status == ActionStatus.DONE, not r.overdue, r.next_due, r.action.item.position))
    return rows


def action_notes(action: Action) -> list[ActionNote]:
    return list(action.notes.select_related("by").order_by("at", "pk"))


# -- the province's view ---------------------------------------------------------------------


@dataclass
class UnitPlanState:
    """One unit's latest published result and the state of its remediation plan."""

    result: PublishedResult
    plan: Plan | None
    completion: Completion | None

    @property
    def approved(self) -> bool:
        return self.plan is not None and self.plan.status != PlanStatus.DRAFT


def province_plans(province_id: int, year: int, today: dt.date) -> list[UnitPlanState]:
    """Every unit published for ``year`` in the province with its plan and how far it has got
    (three queries, whatever the number of units or actions)."""
    results = list(
        PublishedResult.objects.filter(
            publication__is_current=True, publication__year=year, publication__approval__cycle__province_id=province_id
        )
        .select_related("publication")
        .order_by("rank", "unit_name")
    )
    plans = {p.assessment_id: p for p in Plan.objects.filter(assessment_id__in=[r.assessment_id for r in results])}
    rows_by_plan: dict[int, list[ActionRow]] = defaultdict(list)
    by_pk = {p.pk: p for p in plans.values()}
    for action in with_last_note(Action.objects.filter(plan_id__in=list(by_pk)).only(
        "pk", "plan_id", "deadline_kind", "due", "status", "completed_on"
    )):  # fmt: skip
        plan = by_pk[action.plan_id]
        rows_by_plan[plan.pk].append(action_row(action, plan, today))
    out = []
    for r in results:
        plan = plans.get(r.assessment_id)
        out.append(
            UnitPlanState(r, plan, completion_of(rows_by_plan[plan.pk], plan.year) if plan is not None else None)
        )
    return out


def published_years(province_id: int) -> list[int]:
    """Years with results in force in the province, newest first (one query)."""
    return list(
        PublishedResult.objects.filter(
            publication__is_current=True, publication__approval__cycle__province_id=province_id
        )
        .values_list("publication__year", flat=True)
        .distinct()
        .order_by("-publication__year")
    )


# -- the next cycle ----------------------------------------------------------------------------


def remediation_code(spec: scoring.Framework) -> str | None:
    """The leaf whose input is last year's plan completion (``source: remediation``), if any."""
    return next(
        (n.code for n in spec.nodes if n.is_leaf and n.extra.get(SOURCE_KEY) == SOURCE_REMEDIATION),
        None,
    )


def plans_feeding(assessment: Assessment) -> QuerySet[Plan]:
    """The approved plans carried out in the assessment's year by its unit, latest first: the
    first is the one whose completion the year's remediation sub-criterion scores."""
    return (
        Plan.objects.filter(unit_id=assessment.unit_id, year=assessment.cycle.year)
        .exclude(status=PlanStatus.DRAFT)
        .order_by("-assessed_year")
    )


def plan_feeding(assessment: Assessment) -> Plan | None:
    """One query."""
    return plans_feeding(assessment).first()
