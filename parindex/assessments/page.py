"""The self-assessment page's data, gathered in a fixed number of queries (pure assembly).

``self_assessment_page`` reads the assessment's answers, evidence and assignments once each,
and the figures offered by the leaves' sources (``sources``: one query per kind of source the
framework names, none otherwise), and scores with the engine; rows, progress, the filters'
counts and what still stops a submission are then built in memory, so the page costs the same
number of queries whatever the number of criteria, files or officials.

The page shows one field (lĩnh vực) at a time, or every field, optionally filtered, with at
most the rows asked for open: a ``View`` read from the query string (``?linh-vuc=II&loc=chua-nhap
&tieu-chi=2.1.3``) says which. Saving a row builds the same page (the one place rows are made)
and answers with that row and the figures around it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from parindex import scoring
from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, is_province_admin
from parindex.assessments import permissions
from parindex.assessments.models import Answer, Assessment, Assignment, DeadlineExtension, Evidence, Stage
from parindex.assessments.rules_check import Missing, submission_problems
from parindex.assessments.selectors import (
    assessment_answers,
    assessment_responses,
    evidence_with_files,
    latest_request,
)
from parindex.assessments.sources import InputSource, input_sources, source_kind
from parindex.assessments.workflow import (
    COMMUNE_TURN,
    EDITABLE,
    UNDER_APPRAISAL,
    Status,
    allowed_transitions,
    window_open,
)
from parindex.core.numbers import comma, vn_number
from parindex.frameworks.selectors import framework_version_spec

# The query string of the page (Vietnamese, as the rest of the URLs).
FIELD_PARAM = "linh-vuc"  # a field's code, or ALL_FIELDS
FILTER_PARAM = "loc"  # a key of FILTERS
OPEN_PARAM = "tieu-chi"  # the sub-criterion open; present but empty: none
REFUSAL_PARAM = "chua-du"  # "1": list what stops the submission, as links to the rows
ALL_FIELDS = "tat-ca"

FILTERS: dict[str, str] = {
    "cua-toi": "Việc của tôi",
    "chua-nhap": "Chưa nhập",
    "thieu": "Thiếu tài liệu/giải thích",
    "giai-trinh": "Có yêu cầu giải trình",
}

# A sub-criterion's state, as its badge says it.
STATES: dict[str, str] = {
    "empty": "Chưa nhập",
    "incomplete": "Thiếu tài liệu hoặc giải thích",
    "done": "Đã nhập",
    "na": "Không áp dụng",
    "asked": "Có yêu cầu giải trình",
}


@dataclass(frozen=True)
class View:
    """What part of the page is asked for: the field, the filter, the open row, the refusal list.

    ``field`` "" and ``open`` None mean "choose for me": the first field with something left to
    do for this person, and its first such row open. ``open`` "" means no row open."""

    field: str = ""
    filter: str = ""
    open: str | None = None
    refusal: bool = False

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> View:
        chosen = query.get(FILTER_PARAM, "")
        if query.get("cua-toi") == "1":  # the earlier "my items" link
            chosen = "cua-toi"
        opened = query.get(OPEN_PARAM)
        return cls(
            field=(query.get(FIELD_PARAM) or "").strip()[:20],
            filter=chosen if chosen in FILTERS else "",
            open=opened.strip()[:40] if opened is not None else None,
            refusal=query.get(REFUSAL_PARAM) == "1",
        )

    def query(self) -> str:
        """This view as a query string ("?linh-vuc=II&tieu-chi=2.1.3"), or "" for the default."""
        return _query(self)

    def _query(self) -> str:
        params = []
        if self.field:
            params.append((FIELD_PARAM, self.field))
        if self.filter:
            params.append((FILTER_PARAM, self.filter))
        if self.refusal:
            params.append((REFUSAL_PARAM, "1"))
        if self.open is not None:
            params.append((OPEN_PARAM, self.open))
        return "?" + urlencode(params) if params else ""

    def hidden(self) -> list[tuple[str, str]]:
        """The view as the hidden fields of a row's forms, so that an answer without script comes
        back to the same field and filter (the open row is the one posted)."""
        return [
            (name, value)
            for name, value in (
                (FIELD_PARAM, self.field),
                (FILTER_PARAM, self.filter),
                (REFUSAL_PARAM, "1" if self.refusal else ""),
            )
            if value
        ]


# A page links to the same few views many times (every row, tab and filter): each written once.
_query = lru_cache(maxsize=4096)(View._query)


class Typed:
    """What was typed in a save that was refused, shown back as typed (the rule-inputs interface)."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        values: dict[str, Any] = {}
        if data.get("met") in ("true", "false"):
            values["met"] = data.get("met") == "true"
        if data.get("not_applicable"):
            values["applicable"] = False
        self.values = values

    def input(self, key: str) -> str:
        return str(self.data.get(key, ""))

    @property
    def percent_value(self) -> str:
        return str(self.data.get("value_percent", ""))

    @property
    def explanation(self) -> str:
        return str(self.data.get("explanation", ""))


@dataclass
class Row:
    node: scoring.Node
    result: scoring.NodeScore
    answer: Answer | None = None
    evidence: list[Evidence] = field(default_factory=list)
    owners: list[Any] = field(default_factory=list)
    can_edit: bool = False
    # Where the input may be taken from (1.5.3: last year's remediation plan), and whether
    # this person may write that figure into the answer now.
    source: InputSource | None = None
    can_apply_source: bool = False
    field_code: str = ""
    state: str = ""  # a key of STATES (sub-criteria only)
    missing_inputs: bool = False
    missing_support: bool = False  # inputs, but neither evidence nor a written explanation
    asked: Any = None  # the item of the latest clarification request about it
    can_answer: bool = False  # may write the clarification answer now
    lock: str = ""  # why this person may not change it ("" when they may, or for parents)
    mine: bool = False  # assigned to this person
    is_open: bool = False
    # The view its links keep, and the page's path (set by ``_arrange``): ``url``, ``close_url``.
    links: tuple[str, View] | None = None
    linkable: list[Evidence] = field(default_factory=list)  # documents not yet linked to it
    has_evidence: bool = False  # at least one document serves it (``evidence`` may not be read)
    # Once published: the appraised score and the appraisers' comment.
    final: Any = None
    comment: str = ""
    # A refused save or attachment, shown in the row.
    error: str = ""
    evidence_error: str = ""
    typed: Typed | None = None
    saved: str = ""

    @property
    def code(self) -> str:
        return self.node.code

    @cached_property
    def url(self) -> str:
        """The page with this row open (written when shown: most rows' links are not)."""
        return self.links[0] + replace(self.links[1], open=self.code).query() if self.links else ""

    @cached_property
    def close_url(self) -> str:
        return self.links[0] + replace(self.links[1], open="").query() if self.links else ""

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, "")

    @property
    def can_attach(self) -> bool:
        return self.can_edit or self.can_answer

    @property
    def to_do(self) -> bool:
        """Something this person can and should still do here."""
        if self.can_edit and (self.missing_inputs or self.missing_support):
            return True
        return self.can_answer and self.asked is not None and not self.asked.answer.strip()

    @property
    def shown_inputs(self) -> Any:
        """What the inputs show: as typed after a refused save, else as stored."""
        return self.typed or self

    @property
    def shown_explanation(self) -> str:
        if self.typed is not None:
            return self.typed.explanation
        return self.answer.explanation if self.answer else ""

    @property
    def percent_value(self) -> str:
        """The stored ratio shown as the percent an official types (0.8 -> "80")."""
        if self.answer is None or "value" not in self.answer.inputs:
            return ""
        return vn_number(Decimal(self.answer.inputs["value"]) * 100)

    @property
    def values(self) -> dict[str, Any]:
        return self.answer.inputs if self.answer else {}

    def input(self, key: str) -> str:
        if self.answer is None or key not in self.answer.inputs:
            return ""
        value = self.answer.inputs[key]
        return comma(value) if isinstance(value, str) else str(value)


FILTER_TESTS: dict[str, Callable[[Row], bool]] = {
    "cua-toi": lambda row: row.mine,
    "chua-nhap": lambda row: row.missing_inputs,
    "thieu": lambda row: row.missing_support,
    "giai-trinh": lambda row: row.asked is not None,
}


@dataclass
class Progress:
    label: str
    applicable: int = 0
    answered: int = 0
    losses: list[Decimal] = field(default_factory=list)  # the points lost on each applicable item
    code: str = ""
    name: str = ""
    to_do: int = 0
    url: str = ""
    current: bool = False
    key: str = ""  # the progress table row's id: "summary-<key>" (a field's code, "official-<pk>")

    @property
    def percent(self) -> int:
        return round(self.answered * 100 / self.applicable) if self.applicable else 100

    @property
    def lost(self) -> Decimal:
        return scoring.aggregates.total(self.losses)


def _official_key(pk: Any) -> str:
    """An official's progress row's key (its id in the page: "summary-official-<pk>")."""
    return f"official-{pk}"


@dataclass
class FilterLink:
    key: str
    label: str
    count: int
    url: str
    current: bool


@dataclass
class Offer:
    """A move of the assessment this person may make, with what it will do and lock."""

    to: str
    label: str
    question: str
    consequences: list[str]
    confirm_label: str
    tone: str = ""


@dataclass
class Page:
    assessment: Assessment
    result: scoring.UnitScore
    rows: list[Row]
    fields: list[Progress]
    officials: list[Progress]
    evidence: list[Evidence]
    transitions: list[Offer]
    editable: bool
    can_assign: bool
    # Deadlines and clarification: the window for the commune, extensions, the latest request.
    due: Any = None
    late: bool = False
    extensions: list[DeadlineExtension] = field(default_factory=list)
    request: Any = None
    answerable: set[str] = field(default_factory=set)
    can_extend: bool = False
    # Once published, the commune sees each item's appraised score and the appraisers' comments.
    appraised: Any = None
    # What is shown: the view as resolved (its field is never ""), the rows of that view, the
    # filters with their counts in that field, the sub-criteria whose figure a source offers.
    view: View = field(default_factory=View)
    shown: list[Row] = field(default_factory=list)
    filters: list[FilterLink] = field(default_factory=list)
    all_url: str = ""
    all_count: int = 0
    sourced: list[Row] = field(default_factory=list)
    # What stops the submission (every field), with a link to each row.
    missing: list[Missing] = field(default_factory=list)
    refusal_url: str = ""
    refusal_close_url: str = ""
    # A row's answer to its save: the rows' side (source, documents, attachment forms) is not
    # read again; the browser keeps the one it shows (hx-preserve).
    kept_side: bool = False

    @property
    def open_rows(self) -> bool:
        """Whether this person may change anything here now (else rows are not marked one by one)."""
        return any(r.can_edit or r.can_answer for r in self.rows)

    @property
    def read_only(self) -> str:
        """Why nothing here can be changed by this person ("" when something can)."""
        return next((r.lock for r in self.rows if r.node.is_leaf and r.lock), "")

    @property
    def answered(self) -> int:
        return sum(p.answered for p in self.fields)

    @property
    def applicable(self) -> int:
        return sum(p.applicable for p in self.fields)

    @property
    def current_field(self) -> Progress | None:
        """The field shown (None when every field is)."""
        return next((p for p in self.fields if p.current), None)

    @property
    def all_fields(self) -> bool:
        return self.view.field == ALL_FIELDS

    @property
    def all_fields_url(self) -> str:
        return self.url(replace(self.view, field=ALL_FIELDS, open=None))

    @property
    def hidden(self) -> list[tuple[str, str]]:
        return self.view.hidden()

    @cached_property
    def problems(self) -> list[tuple[Missing, str]]:
        """What stops the submission (every field), each with a link to its row."""
        return [(m, self.url(View(open=m.code, refusal=True)) + f"#leaf-{m.code}") for m in self.missing]

    @property
    def refusal(self) -> list[tuple[Progress, list[tuple[Missing, str]]]]:
        """The problems grouped by field, in the framework's order."""
        codes = {row.code: row.field_code for row in self.rows}
        return [
            (progress, items)
            for progress in self.fields
            if (items := [(m, url) for m, url in self.problems if codes.get(m.code) == progress.code])
        ]

    def row(self, code: str) -> Row:
        return next(r for r in self.rows if r.code == code)

    def progress_of(self, row: Row) -> tuple[Progress, list[Progress]]:
        """The progress rows ``row`` counts in: its field's, and its official's (none when unassigned)."""
        keys = {_official_key(getattr(o, "pk", o)) for o in row.owners[:1]}
        return next(p for p in self.fields if p.code == row.field_code), [p for p in self.officials if p.key in keys]

    def ancestors(self, code: str) -> list[Row]:
        """The rows of ``code``'s criterion and field (nearest first), as shown above it."""
        by_code = {r.code: r for r in self.rows}
        parent = by_code[code].node.parent
        out = []
        while parent is not None:
            out.append(by_code[parent])
            parent = by_code[parent].node.parent
        return out

    def url(self, view: View) -> str:
        return self.path + view.query()

    @cached_property
    def path(self) -> str:
        """The page's own address, reversed once (every row links to it several times)."""
        return reverse("assessments:assessment-detail", args=[self.assessment.pk])


@dataclass
class Loaded:
    """What the page reads besides the assessment and the framework."""

    answers: dict[str, Answer]
    evidence: list[Evidence]  # the documents with their criteria and files ([] when not read)
    evidenced: set[str]  # the codes at least one document serves
    assigned: dict[str, Any]  # criterion code -> the official it is assigned to
    extended: dict[str, Any]  # stage -> the latest extension's last day
    extensions: list[DeadlineExtension] = field(default_factory=list)
    request: Any = None  # the latest clarification request while under appraisal
    sources: dict[str, InputSource] = field(default_factory=dict)
    kept_side: bool = False
    # A row save's answer in one field's view: only that field's rows are built; the others are
    # counted into the progress figures (tabs, officials), which is all the answer shows of them.
    only_field: str = ""


def self_assessment_page(
    assessment: Assessment, principal: Principal, view: View | None = None, *, sources_for: set[str] | None = None
) -> Page:
    """The page's data. ``sources_for`` limits the sources read to these leaves (a row's answer
    to a save: the other leaves' offers have not changed, so their section is left as shown)."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    answers = assessment_answers(assessment)
    evidence = evidence_with_files(assessment)
    extensions = list(assessment.extensions.select_related("granted_by"))
    extended: dict[str, Any] = {}
    for e in extensions:
        extended.setdefault(e.stage, e.until)
    loaded = Loaded(
        answers=answers,
        evidence=evidence,
        evidenced={c.code for item in evidence for c in item.criteria.all()},
        assigned={
            a.criterion.code: a.official
            for a in Assignment.objects.filter(assessment=assessment).select_related("criterion", "official")
        },
        extended=extended,
        extensions=extensions,
        request=latest_request(assessment) if assessment.status in UNDER_APPRAISAL else None,
        sources=input_sources(assessment, spec, answers=answers, only=sources_for),
    )
    return build_page(assessment, principal, view or View(), loaded)


def row_page(assessment: Assessment, principal: Principal, view: View, answers: dict[str, Answer]) -> Page:
    """The page as a draft's row save answers it, from what ``selectors.assessment_to_change``
    read with the assessment and the answers the save holds: no query, but the open row's
    source when it has one. The rows' side panels are not built (``kept_side``)."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    loaded = Loaded(
        answers=answers,
        evidence=[],
        evidenced=assessment.evidenced,
        assigned=assessment.assigned,
        extended={Stage.SELF_ASSESSMENT: assessment.self_assessment_extended},
        sources=input_sources(assessment, spec, answers=answers, only={view.open} if view.open else set()),
        kept_side=True,
    )
    fields = {node.code for node in spec.roots}
    opened_in_field = view.open in spec.by_code and [*spec.lineage(view.open)][-1] == view.field
    if view.field in fields and not view.refusal and opened_in_field:
        loaded.only_field = view.field
    return build_page(assessment, principal, view, loaded)


def build_page(assessment: Assessment, principal: Principal, view: View, loaded: Loaded) -> Page:
    """Rows, progress, filters and what stops a submission, from what was read (pure)."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    answers, evidence, request = loaded.answers, loaded.evidence, loaded.request
    responses = assessment_responses(answers)
    result = scoring.score(spec, responses)
    sources = loaded.sources
    status = assessment.status
    today = timezone.localdate()
    if status == Status.CLARIFICATION and request is not None:
        due = request.deadline
        stage = Stage.CLARIFICATION
    else:
        due, stage = assessment.cycle.self_assessment_due, Stage.SELF_ASSESSMENT
    extended = loaded.extended.get(stage)
    late = status in COMMUNE_TURN and not window_open(due, extended, today)

    by_code: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        for criterion in item.criteria.all():
            by_code[criterion.code].append(item)
    assigned = loaded.assigned
    editable = assessment.status in EDITABLE and not late
    unit = assessment.unit
    asked = {item.criterion.code: item for item in request.items.all()} if request is not None else {}
    answerable = (
        _answerable(spec, request, assigned, principal, unit) if status == Status.CLARIFICATION and not late else set()
    )
    explanations = {code: a.explanation for code, a in answers.items()}
    problems = submission_problems(spec, responses, explanations, loaded.evidenced) if status in EDITABLE else []
    unsupported = {m.code for m in problems}
    lock_reason = _lock_reason(assessment, principal, late)

    appraised = None
    if status == Status.PUBLISHED:
        from parindex.appraisals.selectors import appraisal_rounds, scores_from

        rounds = appraisal_rounds(assessment)
        appraised = scores_from(spec, {c: a.inputs for c, a in answers.items()}, rounds).final
    rows, field_progress, official_progress = [], [], {}
    may_edit: dict[tuple[Any, ...], bool] = {}
    current_field: Progress | None = None

    def count(progress: Progress, owners: list[Any], ns: scoring.NodeScore) -> None:
        """An item into its field's and its official's progress. Everyone assigned an item has a
        progress row, whether or not it applies (so that a save, which may make an item not
        applicable, changes that row's figures, never the rows)."""
        for owner in owners[:1]:
            official = official_progress.get(owner.pk)
            if official is None:
                official = official_progress[owner.pk] = Progress(str(owner), key=_official_key(owner.pk))
            if ns.applicable:
                official.applicable += 1
                official.answered += not ns.missing
                official.losses.append(ns.lost)
        if ns.applicable:
            progress.applicable += 1
            progress.answered += not ns.missing
            progress.losses.append(ns.lost)

    for ns in result.nodes(decimal_sep=","):
        node = ns.node
        if node.parent is None:
            current_field = Progress(f"{node.code}. {node.name}", code=node.code, name=node.name, key=node.code)
            field_progress.append(current_field)
        owners = _owners(spec, node, assigned)
        if loaded.only_field and current_field is not None and current_field.code != loaded.only_field:
            if node.is_leaf:  # another field's item: counted, not built (its to_do is not needed then)
                count(current_field, owners, ns)
            continue
        row = Row(node, ns, answers.get(node.code), by_code.get(node.code, []), owners)
        row.has_evidence = node.code in loaded.evidenced
        row.field_code = current_field.code if current_field is not None else node.code
        if appraised is not None:
            row.final = appraised.node(node.code, decimal_sep=",")
            item = rounds.get(node.code)
            latest = item and (item.second or item.first)
            row.comment = latest.comment if latest else ""
        if node.is_leaf:
            if editable:
                owner_ids = tuple(getattr(o, "pk", o) for o in owners)
                can_edit = may_edit.get(owner_ids)
                if can_edit is None:  # the same few owners on every row: asked once each
                    can_edit = may_edit[owner_ids] = permissions.can_edit_item(principal, unit, owner_ids)
                row.can_edit = can_edit
            row.source = sources.get(node.code)
            if row.source is not None and row.can_edit and not row.source.matches_answer:
                kind = source_kind(spec, node.code)
                row.can_apply_source = kind is not None and kind.may_apply(principal, unit)
            row.asked = asked.get(node.code)
            row.can_answer = node.code in answerable
            row.missing_inputs = ns.missing
            row.missing_support = not ns.missing and node.code in unsupported
            row.mine = bool(owners) and getattr(owners[0], "pk", None) == principal.user_id
            row.lock = "" if row.can_edit or row.can_answer else lock_reason(node.code in asked)
            row.state = _state(row, status)
            linked = {e.pk for e in row.evidence}
            row.linkable = [e for e in evidence if e.pk not in linked]
            if current_field is not None:
                current_field.to_do += row.to_do
                count(current_field, owners, ns)
        rows.append(row)
    page = Page(
        assessment=assessment,
        result=result,
        rows=rows,
        fields=field_progress,
        officials=sorted(official_progress.values(), key=lambda p: p.label),
        evidence=evidence,
        transitions=_offers(assessment, principal, len(spec.leaves), len(asked)),
        editable=editable,
        can_assign=editable and permissions.can_assign(principal, unit),
        due=extended if extended and extended > due else due,
        late=late,
        extensions=loaded.extensions,
        request=request,
        answerable=answerable,
        can_extend=is_province_admin(principal, unit) and status in COMMUNE_TURN,
        appraised=appraised,
        kept_side=loaded.kept_side,
    )
    _arrange(page, view, problems)
    return page


def _arrange(page: Page, asked_for: View, missing: list[Missing]) -> None:
    """Resolve the view (field, open row) and build what the page shows and links to."""
    rows = page.rows
    leaves = [r for r in rows if r.node.is_leaf]
    by_code = {r.code: r for r in rows}
    field_codes = [p.code for p in page.fields]
    if asked_for.field == ALL_FIELDS or asked_for.field in field_codes:
        scope = asked_for.field
    elif asked_for.open and asked_for.open in by_code:
        scope = by_code[asked_for.open].field_code
    else:
        scope = next((p.code for p in page.fields if p.to_do), field_codes[0] if field_codes else ALL_FIELDS)
    in_scope = [r for r in leaves if scope == ALL_FIELDS or r.field_code == scope]
    test = FILTER_TESTS.get(asked_for.filter)
    if asked_for.open is None:
        opened = next((r.code for r in in_scope if r.to_do and (test is None or test(r))), "")
    else:
        opened = asked_for.open
    view = replace(asked_for, field=scope, open=opened)
    page.view = view
    shown = {r.code for r in in_scope if test is None or test(r) or r.code == opened}
    for code in list(shown):
        parent = by_code[code].node.parent
        while parent is not None and parent not in shown:
            shown.add(parent)
            parent = by_code[parent].node.parent
    page.shown = [r for r in rows if r.code in shown]
    for row in leaves:
        # A row's links stay in the view shown when it is in it, else go to its own field.
        own = view if scope in (ALL_FIELDS, row.field_code) else View(field=row.field_code, refusal=view.refusal)
        row.is_open = row.code == opened
        row.links = (page.path, own)
    for progress in page.fields:
        progress.current = progress.code == scope
        progress.url = page.url(View(field=progress.code, filter=view.filter, refusal=view.refusal))
    page.filters = [
        FilterLink(
            key,
            label,
            sum(FILTER_TESTS[key](r) for r in in_scope),
            page.url(replace(view, filter=key, open=None)),
            key == view.filter,
        )
        for key, label in FILTERS.items()
    ]
    page.all_url = page.url(replace(view, filter="", open=None))
    page.all_count = len(in_scope)
    page.sourced = [r for r in leaves if r.source is not None]
    page.missing = missing
    page.refusal_url = page.url(replace(view, refusal=True, open=None)) + "#chua-du"
    page.refusal_close_url = page.url(replace(view, refusal=False, open=None))


def _state(row: Row, status: str) -> str:
    if row.asked is not None and status == Status.CLARIFICATION:
        return "asked"
    if not row.result.applicable:
        return "na"
    if row.missing_inputs:
        return "empty"
    if row.missing_support:
        return "incomplete"
    return "done"


def _lock_reason(assessment: Assessment, principal: Principal, late: bool) -> Callable[[bool], str]:
    """Why a sub-criterion is closed to this person (the same for every row but the items asked about)."""
    status = assessment.status
    unit = assessment.unit
    officer = principal.has_role(unit, {Role.COMMUNE_OFFICER}) and not permissions.can_edit_all(principal, unit)
    commune = officer or permissions.can_edit_all(principal, unit)

    def reason(is_asked: bool) -> str:
        if not commune:
            return "Bạn chỉ được xem hồ sơ này"
        if late:
            return "Đã quá hạn"
        if status == Status.CLARIFICATION:
            return "Không được giao cho bạn" if is_asked else "Không thuộc yêu cầu giải trình"
        if status not in EDITABLE:
            return f"Hồ sơ {Status(status).label.lower()}"  # "Hồ sơ đã gửi thẩm định", "… đã công bố"
        return "Không được giao cho bạn" if officer else "Bạn chỉ được xem hồ sơ này"

    return reason


def _offers(assessment: Assessment, principal: Principal, leaves: int, asked: int) -> list[Offer]:
    """The moves this person may make here, each with what it does and what it locks."""
    offers = []
    for to, label in allowed_transitions(assessment.status, principal.roles_at(assessment.unit)):
        if to == Status.SUBMITTED:
            offers.append(
                Offer(
                    to, label, "Gửi hồ sơ tự đánh giá cho Sở Nội vụ thẩm định?",
                    [
                        "Hồ sơ chuyển sang trạng thái “Đã gửi thẩm định” và được chuyển cho Sở Nội vụ.",
                        f"Số liệu, giải thích và tài liệu kiểm chứng của cả {leaves} tiêu chí thành phần bị khóa: "
                        "không ai ở xã sửa, thêm tài liệu hay thay tệp được nữa.",
                        "Chủ tịch UBND xã có thể rút lại để sửa cho đến khi Sở bắt đầu thẩm định.",
                        "Hồ sơ chỉ gửi được khi mọi tiêu chí thành phần đã có số liệu và có tài liệu kiểm chứng hoặc giải thích.",
                    ],
                    "Xác nhận gửi thẩm định",
                )
            )  # fmt: skip
        elif to == Status.DRAFT:
            offers.append(
                Offer(
                    to, label, "Rút hồ sơ về để sửa?",
                    [
                        "Hồ sơ trở về trạng thái “Đang tự đánh giá”: xã sửa được số liệu và tài liệu kiểm chứng.",
                        "Sở Nội vụ không thẩm định được hồ sơ cho đến khi Chủ tịch UBND xã gửi lại.",
                    ],
                    "Xác nhận rút lại", tone="danger",
                )
            )  # fmt: skip
        elif to == Status.CLARIFIED:
            offers.append(
                Offer(
                    to, label, "Gửi nội dung giải trình cho Sở Nội vụ?",
                    [
                        f"Nội dung giải trình và tài liệu bổ sung của {asked} tiêu chí được hỏi được gửi để thẩm định lại.",
                        "Sau khi gửi, nội dung giải trình và tài liệu kiểm chứng bị khóa: không sửa, không bổ sung được nữa.",
                    ],
                    "Xác nhận gửi giải trình",
                )
            )  # fmt: skip
        else:
            offers.append(Offer(to, label, f"{label}?", [], label))
    return offers


def _answerable(
    spec: scoring.Framework, request: Any, assigned: dict[str, Any], principal: Principal, unit: Any
) -> set[str]:
    """The clarification items this person may answer (the office and head all; an official their own)."""
    if request is None:
        return set()
    codes = {item.criterion.code for item in request.items.all()}
    return {
        code
        for code in codes
        if permissions.can_edit_item(
            principal, unit, [getattr(o, "pk", o) for o in _owners(spec, spec.node(code), assigned)]
        )
    }


def editable_codes(assessment: Assessment, principal: Principal, among: Iterable[str] | None = None) -> set[str]:
    """The sub-criteria ``principal`` may change now: every item of a draft, or the items asked
    about under clarification, limited to the person's own items (one or two queries).
    ``among``: only these codes are looked at (a row's save asks about its own)."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    if assessment.status == Status.CLARIFICATION:
        request = latest_request(assessment)
        open_codes = {item.criterion.code for item in request.items.all()} if request else set()
    elif assessment.status in EDITABLE:
        open_codes = {leaf.code for leaf in spec.leaves}
    else:
        return set()
    if among is not None:
        open_codes &= set(among)
    unit = assessment.unit
    if permissions.can_edit_all(principal, unit):
        return open_codes
    if not permissions.can_view(principal, unit):
        return set()
    held = getattr(assessment, "assigned", None)  # read with the assessment (``assessment_to_change``)
    if held is not None:
        assigned = {code: owner.pk for code, owner in held.items()}
    else:
        assigned = dict(Assignment.objects.filter(assessment=assessment).values_list("criterion__code", "official_id"))
    return {
        code
        for code in open_codes
        if permissions.can_edit_item(principal, unit, _owners(spec, spec.node(code), assigned))
    }


def _owners(spec: scoring.Framework, node: scoring.Node, assigned: dict[str, Any]) -> list[Any]:
    """The official of the nearest assigned node, the node itself first."""
    return next(([assigned[code]] for code in spec.lineage(node.code) if code in assigned), [])
