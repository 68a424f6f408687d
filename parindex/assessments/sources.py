"""Figures a sub-criterion's input can be taken from, besides what the commune types in.

A framework leaf names its source with the node key ``source`` (e.g. ``source: remediation``
on 1.5.3 of the reference framework: the share of last year's remediation actions done on
time). Each kind of source is a ``SourceKind`` the providing app registers in ``KINDS``
(``register``, from its ``AppConfig.ready()``):

- ``collect(assessment, spec, codes)``: the figures it offers the assessment's leaves
  ``codes``, as ``InputSource`` rows, in a fixed number of queries;
- ``may_apply(principal, unit)``: who may write the figure into the answer;
- ``apply(assessment, code, actor, principal)``: write it (through the ordinary answer service, so
  it is audited), raising ValidationError or PermissionDenied.

``input_sources`` gathers every kind's offers and says whether each already matches the
answer. Another kind is added by writing those three functions in the app that has the
figures and registering them under its ``source`` value: the assessments app imports none of
the apps that feed it (``tests/test_import_graph.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.assessments.inputs import clean_inputs, to_response, to_stored
from parindex.assessments.models import Answer, Assessment

SOURCE_KEY = "source"  # the node key naming a leaf's source


@dataclass(frozen=True)
class InputSource:
    """The figure a source offers for one leaf, and where it comes from."""

    code: str
    kind: str  # the ``source`` value, a key of KINDS
    inputs: dict[str, Any]  # the rule's inputs, as answer_save takes them
    label: str  # what the figure comes from ("Kế hoạch khắc phục Chỉ số CCHC năm 2025")
    detail: str  # the figure in words ("hoàn thành đúng hạn 7/9 biện pháp (77,78%)")
    url: str  # where to see it
    matches_answer: bool = False  # the saved answer already has these inputs


@dataclass(frozen=True)
class SourceKind:
    collect: Callable[[Assessment, scoring.Framework, Collection[str]], list[InputSource]]
    may_apply: Callable[[Principal, UnitRef], bool]
    apply: Callable[..., Answer]


# The registry: kind -> SourceKind, filled by the apps that provide the figures.
KINDS: dict[str, SourceKind] = {}


def register(kind: str, source: SourceKind) -> None:
    """Add a kind of source from the app that provides it (its ``AppConfig.ready()``), so that the
    assessments app imports none of the apps that feed it: ``remediation`` (remediation/sources.py),
    ``indicator`` (indicators/sources.py), ``dossiers`` (dossiers/sources.py), ``index``
    (external/feeding.py), ``survey`` (external/surveys.py). Registering the same kind again replaces it (a reloaded app)."""
    KINDS[kind] = source


# -- gathering and applying ---------------------------------------------------------------------


def source_codes(spec: scoring.Framework) -> dict[str, str]:
    """The leaves with a known source: code -> kind, the part of ``source`` before any ":"
    (no query)."""
    out = {}
    for n in spec.nodes:
        kind = str(n.extra.get(SOURCE_KEY, "")).partition(":")[0]
        if n.is_leaf and kind in KINDS:
            out[n.code] = kind
    return out


def input_sources(
    assessment: Assessment,
    spec: scoring.Framework,
    *,
    answers: Mapping[str, Answer] | None = None,
    only: Collection[str] | None = None,
) -> dict[str, InputSource]:
    """What each source offers the assessment's leaves (``only`` these when given): code ->
    InputSource. No query when none of them has a source; otherwise each kind's queries (one
    for remediation), and one more for the answers unless ``answers`` (code -> Answer, as the
    page reads them) is given."""
    by_kind: dict[str, list[str]] = {}
    for code, kind in source_codes(spec).items():
        if only is None or code in only:
            by_kind.setdefault(kind, []).append(code)
    if not by_kind:
        return {}
    offers = [s for kind, codes in by_kind.items() for s in KINDS[kind].collect(assessment, spec, codes)]
    if not offers:
        return {}
    if answers is None:
        answers = {
            a.criterion.code: a
            for a in Answer.objects.filter(
                assessment=assessment, criterion__code__in=[s.code for s in offers]
            ).select_related("criterion")
        }
    return {s.code: replace(s, matches_answer=_same(spec.node(s.code), answers.get(s.code), s.inputs)) for s in offers}


def _same(node: scoring.Node, answer: Answer | None, inputs: Mapping[str, Any]) -> bool:
    """Whether the answer holds the offered inputs (compared as values: "7" equals "7.0")."""
    if answer is None:
        return False
    try:
        offered = to_response(to_stored(clean_inputs(node, inputs)))
    except ValueError:
        return False
    saved = {k: v for k, v in to_response(answer.inputs).items() if not (k == "applicable" and v is True)}
    return saved == offered


def source_kind(spec: scoring.Framework, code: str) -> SourceKind | None:
    kind = source_codes(spec).get(code)
    return KINDS[kind] if kind else None
