"""The appraisal page's data: the items in the appraiser's scope with their three scores,
grouped by field, one field shown at a time.

Everything is read once (answers, appraisal rounds, clarification items, evidence) and
assembled in memory, so the page costs the same number of queries whatever the number of
criteria, evidence files or clarification rounds. What the page says about the whole
assessment (the flags not sent yet, why the appraisal cannot be finished) is worked out
from the same rows, with no query of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from parindex import scoring
from parindex.accounts.permissions import Principal
from parindex.appraisals import selectors
from parindex.appraisals.models import ClarificationItem, ItemAppraisal
from parindex.appraisals.services import FIRST_ROUND
from parindex.assessments.models import Answer, Assessment, Evidence
from parindex.assessments.selectors import assessment_answers, evidence_with_files
from parindex.assessments.workflow import Status, allowed_transitions
from parindex.core.numbers import comma, vn_number, vn_score
from parindex.external import surveys
from parindex.frameworks.selectors import framework_version_spec
from parindex.scoring import aggregates

# The query parameter naming the field shown (?linh-vuc=II).
FIELD_PARAM = "linh-vuc"


def _percent(fraction: Decimal) -> str:
    return vn_number((fraction * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def values_text(kind: str, stored: Mapping[str, Any] | None) -> str:
    """Inputs in words, as an appraiser compares them: "18/20 (90%)", "Tỷ lệ 80%", "Đạt",
    "Số vi phạm 1", "Chậm 3 ngày", "Không áp dụng"."""
    if not stored:
        return "Chưa nhập số liệu"
    if stored.get("applicable") is False:
        return "Không áp dụng"
    if "met" in stored:
        return "Đạt" if stored["met"] else "Không đạt"
    if "numerator" in stored and "denominator" in stored:
        numerator, denominator = Decimal(stored["numerator"]), Decimal(stored["denominator"])
        ratio = f" ({_percent(numerator / denominator)}%)" if denominator else ""
        return f"{vn_number(numerator)}/{vn_number(denominator)}{ratio}"
    if "value" in stored:
        return f"Tỷ lệ {_percent(Decimal(stored['value']))}%"
    if "count" in stored:
        return f"{'Số vi phạm' if kind == 'deduction' else 'Số lượng'} {stored['count']}"
    if "days_late" in stored:
        days = int(stored["days_late"])
        return "Đúng hạn" if days <= 0 else f"Chậm {days} ngày"
    if "score" in stored:
        return f"Điểm {vn_number(stored['score'])}"
    return "Chưa nhập số liệu"


def signed(value: Decimal) -> str:
    """A difference of points: "+0,50", "−0,40", "0"."""
    if not value:
        return "0"
    text = comma(scoring.decimals.fixed(abs(value)))
    return f"+{text}" if value > 0 else f"−{text}"


class Inputs:
    """Stored inputs as the rule-inputs form shows them (decimal comma, percent for ratios)."""

    def __init__(self, values: dict[str, Any] | None) -> None:
        self.values = values or {}

    def input(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return ""
        return comma(value) if isinstance(value, str) else str(value)

    @property
    def percent_value(self) -> str:
        if "value" not in self.values:
            return ""
        return vn_number(Decimal(self.values["value"]) * 100)

    # What the form was filled with, posted back so the form knows which way of writing a
    # ratio the appraiser changed (AppraisalForm.clean).
    @property
    def shown_percent(self) -> str:
        return self.percent_value

    @property
    def shown_numerator(self) -> str:
        return self.input("numerator")

    @property
    def shown_denominator(self) -> str:
        return self.input("denominator")


class Typed(Inputs):
    """What the appraiser typed in a save that was refused, shown back exactly as typed."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        values: dict[str, Any] = {}
        if data.get("met") in ("true", "false"):
            values["met"] = data.get("met") == "true"
        if data.get("not_applicable"):
            values["applicable"] = False
        super().__init__(values)

    def input(self, key: str) -> str:
        return str(self.data.get(key) or "")

    @property
    def percent_value(self) -> str:
        return self.input("value_percent")

    @property
    def shown_percent(self) -> str:
        return self.input("shown_percent")

    @property
    def shown_numerator(self) -> str:
        return self.input("shown_numerator")

    @property
    def shown_denominator(self) -> str:
        return self.input("shown_denominator")


@dataclass
class Item:
    node: scoring.Node
    field: str  # the code of the item's field (lĩnh vực)
    self_score: scoring.NodeScore
    first_score: scoring.NodeScore
    final_score: scoring.NodeScore
    answer: Answer | None
    first: ItemAppraisal | None
    second: ItemAppraisal | None
    status: str = ""
    group: scoring.Node | None = None  # the criterion (tiêu chí) above, when not the field itself
    clarifications: list[ClarificationItem] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    can_first: bool = False
    can_second: bool = False
    typed: Typed | None = None  # a refused save, shown back
    error: str = ""

    @property
    def code(self) -> str:
        return self.node.code

    @property
    def form_inputs(self) -> Inputs:
        """What the form starts from: what was just typed, else this round's saved inputs, else
        the previous round's, else the unit's."""
        if self.typed is not None:
            return self.typed
        current = self.second if self.can_second else self.first
        if current is not None:
            return Inputs(current.inputs)
        if self.can_second and self.first is not None:
            return Inputs(self.first.inputs)
        return Inputs(self.answer.inputs if self.answer else None)

    @property
    def form_row(self) -> ItemAppraisal | None:
        return self.second if self.can_second else self.first

    @property
    def form_comment(self) -> str:
        if self.typed is not None:
            return self.typed.input("comment")
        return self.form_row.comment if self.form_row else ""

    @property
    def form_flagged(self) -> bool:
        if self.typed is not None:
            return bool(self.typed.data.get("needs_clarification"))
        return bool(self.first and self.first.needs_clarification)

    @property
    def editable(self) -> bool:
        return self.can_first or self.can_second

    @property
    def asked(self) -> bool:
        return bool(self.clarifications)

    @property
    def appraised(self) -> bool:
        return self.first is not None

    @property
    def flagged(self) -> bool:
        """Marked for clarification in round 1, not sent to the unit yet."""
        return self.first is not None and self.first.needs_clarification and not self.asked

    @property
    def awaiting_second(self) -> bool:
        return self.can_second and self.second is None

    @property
    def differs(self) -> bool:
        mine, theirs = self.final_score, self.self_score
        return mine.score != theirs.score or mine.applicable != theirs.applicable

    @property
    def delta(self) -> Decimal:
        return aggregates.change(self.final_score.score, self.self_score.score)

    @property
    def delta_text(self) -> str:
        return signed(self.delta)

    @property
    def latest(self) -> ItemAppraisal | None:
        return self.second or self.first

    @property
    def self_values(self) -> str:
        return values_text(self.node.rule.kind, self.answer.inputs if self.answer else None)

    @property
    def final_values(self) -> str:
        latest = self.latest
        return values_text(self.node.rule.kind, latest.inputs) if latest else ""

    @property
    def state(self) -> tuple[str, str]:
        """(css name, words) of where the item stands in the appraisal."""
        if self.asked:
            if self.second is not None:
                return "reappraised", "Đã thẩm định lại"
            if self.status == Status.CLARIFIED:
                return "todo-second", "Cần thẩm định lại"
            if self.status == Status.CLARIFICATION:
                return "asked", "Chờ đơn vị giải trình"
            return "asked", "Đã yêu cầu giải trình"
        if self.flagged:
            return "flagged", "Chờ gửi yêu cầu giải trình"
        if self.first is not None:
            return "done", "Đã thẩm định"
        return "todo", "Chưa thẩm định"

    @property
    def round_label(self) -> str:
        return "Thẩm định lần 2 (sau giải trình)" if self.can_second else "Thẩm định lần 1"

    @property
    def open_label(self) -> str:
        """The words of the button that opens the item's form."""
        if self.can_second:
            return "Sửa điểm thẩm định lần 2" if self.second else "Thẩm định lại"
        return "Sửa điểm thẩm định" if self.first else "Thẩm định"


class ItemCounts:
    """How many of ``items`` are appraised, differ from the self-assessment, await round 2."""

    items: list[Item]

    @property
    def appraised(self) -> int:
        return sum(item.appraised for item in self.items)

    @property
    def differing(self) -> int:
        return sum(item.differs for item in self.items)

    @property
    def awaiting_second(self) -> int:
        return sum(item.awaiting_second for item in self.items)


@dataclass
class Section(ItemCounts):
    """One field (lĩnh vực) of the appraiser's part, with its progress."""

    node: scoring.Node
    items: list[Item]

    @property
    def code(self) -> str:
        return self.node.code

    @cached_property
    def self_total(self) -> Decimal:
        return aggregates.total(item.self_score.score for item in self.items)

    @cached_property
    def final_total(self) -> Decimal:
        return aggregates.total(item.final_score.score for item in self.items)

    @property
    def delta(self) -> Decimal:
        return aggregates.change(self.final_total, self.self_total)

    @property
    def delta_text(self) -> str:
        return signed(self.delta)

    @property
    def complete(self) -> bool:
        return self.appraised == len(self.items) and not self.awaiting_second


@dataclass
class AppraisalPage(ItemCounts):
    assessment: Assessment
    scores: selectors.Scores
    sections: list[Section]
    scope: selectors.Scope
    unsent: list[ItemAppraisal]
    transitions: list[tuple[str, str]]
    active: Section | None = None
    problems: list[str] = field(default_factory=list)  # why the appraisal cannot be finished yet

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def acceptable(self) -> int:
        """Items of my part the unit answered and nobody appraised yet ("Thống nhất" takes them)."""
        return sum(
            item.can_first and item.first is None and bool(item.answer and item.answer.inputs) for item in self.items
        )

    @property
    def can_accept(self) -> bool:
        return self.acceptable > 0

    @property
    def can_request(self) -> bool:
        return self.assessment.status in (Status.APPRAISING, Status.CLARIFIED) and bool(self.unsent)

    @property
    def unsent_codes(self) -> str:
        return ",".join(row.criterion.code for row in self.unsent)

    @property
    def finish(self) -> str | None:
        """The status the finish button moves to, when it is offered."""
        return next((to for to, _ in self.transitions if to == Status.APPRAISED), None)

    @property
    def other_transitions(self) -> list[tuple[str, str]]:
        return [(to, label) for to, label in self.transitions if to != Status.APPRAISED]

    @property
    def unsent_links(self) -> list[tuple[str, str | None]]:
        """(code, field) of the flagged items not sent yet; the field is None outside my part."""
        fields = {item.code: item.field for item in self.items}
        return [(row.criterion.code, fields.get(row.criterion.code)) for row in self.unsent]

    @property
    def _at(self) -> int:
        return next((i for i, section in enumerate(self.sections) if section is self.active), 0)

    @property
    def previous(self) -> Section | None:
        return self.sections[self._at - 1] if self.active and self._at > 0 else None

    @property
    def next(self) -> Section | None:
        return self.sections[self._at + 1] if self.active and self._at + 1 < len(self.sections) else None

    @property
    def waiting_flags(self) -> bool:
        """Items flagged that cannot be sent yet: the unit is answering an earlier request."""
        return bool(self.unsent) and not self.can_request

    @property
    def finish_question(self) -> str:
        a = self.assessment
        return f"Hoàn thành thẩm định hồ sơ của {a.unit.name}, năm {a.cycle.year}?"

    @property
    def finish_consequences(self) -> list[str]:
        final = self.scores.final
        percent = comma(f"{final.percent}") if final.percent is not None else "–"
        total = vn_score(final.total)
        return [
            f"Điểm thẩm định cuối được chốt: {total} điểm ({percent}%)"
            + (f", xếp loại {final.classification}." if final.classification else "."),
            "Hồ sơ chuyển sang bước “Đã thẩm định xong”, chờ Hội đồng thẩm định thông qua.",
            "Mọi điểm thẩm định của mọi lĩnh vực bị khóa: không ai sửa được, không gửi thêm yêu cầu giải trình;"
            " chỉ Chủ tịch Hội đồng thẩm định mở lại được.",
        ]

    def item(self, code: str) -> Item:
        return next(item for item in self.items if item.code == code)

    @cached_property
    def survey_notices(self) -> list[surveys.Divergence]:
        """Where the unit's self-assessed score of the field shown stands above its satisfaction
        rate of the cycle's year by more than the survey's threshold (one query, only when the
        page shows the field: an item's card saved under htmx does not read it)."""
        if self.active is None:
            return []
        node = self.scores.self.node(self.active.code)
        percent = aggregates.percent_of(node.score, node.applicable_max, 2)
        a = self.assessment
        return surveys.unit_divergences(a.unit_id, a.cycle.year, {self.active.code: percent})


# The moves offered as buttons here; sending a clarification has its own form, and the first
# appraisal saved starts the appraisal.
PAGE_TRANSITIONS = frozenset(
    {(Status.APPRAISING, Status.APPRAISED), (Status.CLARIFIED, Status.APPRAISED), (Status.APPRAISED, Status.APPRAISING)}
)


def appraisal_page(
    assessment: Assessment, principal: Principal, scope: selectors.Scope, field: str | None = None
) -> AppraisalPage:
    """The page of ``assessment`` for ``principal``, showing ``field`` (default: the first of
    the part; a field outside the part shows the first too)."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    answers = assessment_answers(assessment)
    rounds = selectors.appraisal_rounds(assessment)
    asked = selectors.clarification_items(assessment)
    evidence = evidence_with_files(assessment)
    scores = selectors.scores_from(spec, {c: a.inputs for c, a in answers.items()}, rounds)
    leaves = {leaf.code for leaf in scope.leaves(spec, assessment.unit_id)}
    by_code: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        for criterion in item.criteria.all():
            if criterion.code in leaves:
                by_code[criterion.code].append(item)
    status = assessment.status
    sections: list[Section] = []
    for root in spec.roots:
        section = Section(root, [])
        for leaf in spec.leaves:
            if leaf.code not in leaves or root.code not in spec.lineage(leaf.code):
                continue
            item_rounds = rounds.get(leaf.code, selectors.ItemRounds())
            parent = spec.node(leaf.parent) if leaf.parent and leaf.parent != root.code else None
            item = Item(
                node=leaf,
                field=root.code,
                group=parent,
                status=status,
                self_score=scores.self.node(leaf.code, decimal_sep=","),
                first_score=scores.first.node(leaf.code, decimal_sep=","),
                final_score=scores.final.node(leaf.code, decimal_sep=","),
                answer=answers.get(leaf.code),
                first=item_rounds.first,
                second=item_rounds.second,
                clarifications=asked.get(leaf.code, []),
                evidence=by_code.get(leaf.code, []),
            )
            item.can_first = status in FIRST_ROUND and not item.asked
            item.can_second = status == Status.CLARIFIED and item.asked
            section.items.append(item)
        if section.items:
            sections.append(section)
    roles = principal.roles_at(assessment.unit)
    transitions = [(to, label) for to, label in allowed_transitions(status, roles) if (status, to) in PAGE_TRANSITIONS]
    unsent = sorted(
        (
            r.first
            for r in rounds.values()
            if r.first and r.first.needs_clarification and r.first.criterion.code not in asked
        ),
        key=lambda row: spec.plan.index[row.criterion.code],
    )
    page = AppraisalPage(
        assessment=assessment,
        scores=scores,
        sections=sections,
        scope=scope,
        unsent=unsent,
        transitions=transitions,
        active=next((s for s in sections if s.code == field), sections[0] if sections else None),
    )
    if page.finish:
        page.problems = finish_problems(spec, rounds, asked, unsent)
    return page


def finish_problems(
    spec: scoring.Framework,
    rounds: Mapping[str, selectors.ItemRounds],
    asked: Mapping[str, list[ClarificationItem]],
    unsent: list[ItemAppraisal],
) -> list[str]:
    """Why the appraisal cannot be finished yet, from rows already read: the same reasons,
    in the same words, as ``selectors.finish_problems`` (which the service checks)."""
    problems = []
    unappraised = [leaf.code for leaf in spec.leaves if rounds.get(leaf.code, selectors.ItemRounds()).first is None]
    if unappraised:
        problems.append(
            f"Còn {len(unappraised)} tiêu chí thành phần chưa có điểm thẩm định: {', '.join(unappraised[:12])}"
            + (" …" if len(unappraised) > 12 else "")
        )
    not_reappraised = sorted(
        (code for code, items in asked.items() if items and rounds.get(code, selectors.ItemRounds()).second is None),
        key=spec.plan.index.get,
    )
    if not_reappraised:
        problems.append(f"Chưa thẩm định lại sau giải trình: {', '.join(not_reappraised)}")
    if unsent:
        problems.append(
            f"Đã đánh dấu cần giải trình nhưng chưa gửi yêu cầu: {', '.join(r.criterion.code for r in unsent)}"
        )
    return problems
