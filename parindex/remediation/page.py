"""What the plan page shows: its lines grouped by field, each with its actions, forms and
errors, and the plan's totals. Built from rows already read (no queries of its own)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parindex import scoring
from parindex.accounts.permissions import Principal
from parindex.assessments.selectors import commune_officials
from parindex.core.numbers import vn_number
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation import permissions, schedule, selectors
from parindex.remediation.forms import ActionForm, ActionUpdateForm, ItemCauseForm
from parindex.remediation.models import Action, Plan, PlanItem
from parindex.remediation.workflow import PLAN_EDITABLE, SHOWN_STATUS_LABELS, DeadlineKind


def at_places(value: Decimal | None, places: int) -> Decimal | None:
    """A stored decimal (four places in the database) at the places results are published with."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places))


@dataclass
class Failure:
    """A refused save on the plan page: which form, what was typed, and why."""

    item_pk: int | None
    kind: str  # "header", "cause", "add" or "action"
    form: Any
    errors: list[str]
    action_pk: int | None = None


@dataclass
class ActionView:
    action: Action
    row: selectors.ActionRow
    deadline: str
    expected: Decimal
    form: ActionForm | None = None
    errors: list[str] = field(default_factory=list)
    open: bool = False

    @property
    def status_label(self) -> str:
        return SHOWN_STATUS_LABELS[self.row.shown_status]


@dataclass
class LineView:
    item: PlanItem
    max_points: Decimal
    score: Decimal
    lost: Decimal
    actions: list[ActionView]
    rowspan: int
    cause_form: ItemCauseForm | None = None
    add_form: ActionForm | None = None
    add_open: bool = False
    errors: list[str] = field(default_factory=list)  # shown with the form that failed
    notice: list[str] = field(default_factory=list)  # shown above the line: the failed form is gone
    failed: str = ""


@dataclass
class FieldGroup:
    code: str
    name: str
    lost: Decimal
    lines: list[LineView]


@dataclass
class Totals:
    lost: Decimal
    expected: Decimal
    actions: int
    without_action: list[str]


def action_form(action: Action, officials: list[Any], data: Any = None) -> ActionUpdateForm:
    return ActionUpdateForm(
        data,
        officials=officials,
        auto_id=f"a{action.pk}-%s",
        initial={
            "description": action.description,
            "office": action.office,
            "official": str(action.official_id or ""),
            "deadline_kind": action.deadline_kind,
            "due": action.due,
            "expected_points": vn_number(action.expected_points),
            "revision": action.revision,
        },
    )


def add_form(item: PlanItem, officials: list[Any], owner: Any) -> ActionForm:
    """An empty action form, proposing the official the item was given in the self-assessment."""
    default = owner if owner is not None and any(o.pk == owner.pk for o in officials) else None
    return ActionForm(
        officials=officials,
        auto_id=f"n{item.pk}-%s",
        initial={"deadline_kind": DeadlineKind.YEAR, "official": str(default.pk) if default else ""},
    )


def line_view(
    plan: Plan,
    item: PlanItem,
    *,
    editable: bool,
    officials: list[Any],
    owner: Any,
    today: Any,
    failure: Failure | None,
) -> LineView:
    places = plan.result.publication.places
    failed = failure if failure is not None and failure.item_pk == item.pk else None
    views = []
    for action in item.actions.all():
        view = ActionView(
            action=action,
            row=selectors.action_row(action, plan, today),
            deadline=schedule.describe_deadline(action.deadline_kind, action.due, plan.year),
            expected=at_places(action.expected_points, places),
        )
        if editable:
            if failed and failed.kind == "action" and failed.action_pk == action.pk:
                view.form, view.errors, view.open = failed.form, failed.errors, True
            else:
                view.form = action_form(action, officials)
        views.append(view)
    n = len(views)
    line = LineView(
        item=item,
        max_points=item.max_points,
        score=at_places(item.score, places),
        lost=at_places(item.lost, places),
        actions=views,
        rowspan=max(1, n) + (n + 1 if editable else 0),
    )
    if editable:
        line.cause_form = (
            failed.form
            if failed and failed.kind == "cause"
            else ItemCauseForm(initial={"cause": item.cause, "revision": item.revision}, auto_id=f"c{item.pk}-%s")
        )
        if failed and failed.kind == "add":
            line.add_form, line.add_open = failed.form, True
        else:
            line.add_form = add_form(item, officials, owner)
    if failed:
        line.failed = failed.kind
        form_shown = editable and (failed.kind != "action" or any(v.open for v in views))
        if form_shown:
            line.errors = failed.errors
        else:
            line.notice = failed.errors
    return line


def line_views(
    plan: Plan, principal: Principal, items: list[PlanItem], failure: Failure | None = None
) -> tuple[list[LineView], bool]:
    """The plan's lines as the page shows them, with their forms while the plan may be edited
    (two queries when editable: the commune's officials and the items' owners)."""
    editable = plan.status in PLAN_EDITABLE and permissions.can_edit(principal, plan.unit)
    officials: list[Any] = []
    owners: dict[str, Any] = {}
    if editable:
        officials = commune_officials(plan.unit)
        spec = framework_version_spec(plan.assessment.cycle.framework_version)
        owners = selectors.owners_by_code(spec, plan.assessment, [i.code for i in items])
    today = timezone.localdate()
    lines = [
        line_view(
            plan,
            item,
            editable=editable,
            officials=officials,
            owner=owners.get(item.code),
            today=today,
            failure=failure,
        )
        for item in items
    ]
    return lines, editable


def field_groups(lines: list[LineView], places: int) -> list[FieldGroup]:
    groups: list[FieldGroup] = []
    for line in lines:
        if not groups or groups[-1].code != line.item.field_code:
            groups.append(FieldGroup(line.item.field_code, line.item.field_name, Decimal(0), []))
        groups[-1].lines.append(line)
    for group in groups:
        group.lost = at_places(scoring.aggregates.total(line.item.lost for line in group.lines), places)
    return groups


def plan_totals(plan: Plan, items: list[PlanItem]) -> Totals:
    places = plan.result.publication.places
    actions = [a for i in items for a in i.actions.all()]
    return Totals(
        lost=at_places(plan.total_lost, places),
        expected=at_places(scoring.aggregates.total(a.expected_points for a in actions), places),
        actions=len(actions),
        without_action=[i.code for i in items if not i.actions.all()],
    )
