"""One name per set of assessment states, every set defined in ``assessments/workflow.py`` next
to the transition table and imported from there."""

from __future__ import annotations

import ast
from pathlib import Path

from parindex.assessments import workflow
from parindex.assessments.workflow import Status

PARINDEX = Path(__file__).resolve().parents[2]
WORKFLOW = "assessments/workflow.py"
STATES = set(Status.names)

# Sets of states written outside workflow.py, each with why it is left there.
ALLOWED: set[str] = set()


def workflow_sets() -> dict[str, frozenset[str]]:
    return {
        name: value
        for name, value in vars(workflow).items()
        if name.isupper() and isinstance(value, frozenset) and value and value <= set(Status.values)
    }


def test_the_sets_mean_what_their_names_say():
    assert {Status.APPRAISING, Status.CLARIFICATION, Status.CLARIFIED} == workflow.APPRAISAL_PROVISIONAL
    assert {Status.APPRAISED, Status.APPROVED, Status.PUBLISHED} == workflow.APPRAISAL_FINAL
    assert not workflow.APPRAISAL_PROVISIONAL & workflow.APPRAISAL_FINAL
    assert workflow.UNDER_APPRAISAL == workflow.APPRAISAL_PROVISIONAL | workflow.APPRAISAL_FINAL
    assert {Status.SUBMITTED} | workflow.APPRAISAL_PROVISIONAL == workflow.AWAITING_APPRAISAL_RESULT
    # The appraisers' turn and the commune's turn are the states the transition table gives them.
    commune_moves = {frm for (frm, _to), rule in workflow.TRANSITIONS.items() if rule.roles == {"commune_head"}}
    assert commune_moves | {Status.DRAFT} >= workflow.COMMUNE_TURN
    assert {
        frm for (frm, _to), rule in workflow.TRANSITIONS.items() if rule.roles == workflow.APPRAISERS
    } >= workflow.APPRAISERS_TURN


def test_no_two_names_for_one_set_and_no_set_under_two_names():
    sets = workflow_sets()
    assert {"UNDER_APPRAISAL", "APPRAISAL_PROVISIONAL", "APPRAISAL_FINAL", "COMMUNE_TURN"} <= set(sets)
    by_value: dict[frozenset[str], list[str]] = {}
    for name, value in sets.items():
        by_value.setdefault(value, []).append(name)
    assert [names for names in by_value.values() if len(names) > 1] == []


def status_sets(path: Path) -> list[str]:
    """Module-level names bound to a set, frozenset, tuple or list written out of ``Status.X``."""
    found = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.Assign | ast.AnnAssign) or node.value is None:
            continue
        value = node.value
        if (
            isinstance(value, ast.Call)
            and getattr(value.func, "id", "") in {"frozenset", "set", "tuple"}
            and value.args
        ):
            value = value.args[0]
        if not isinstance(value, ast.Set | ast.Tuple | ast.List) or not value.elts:
            continue
        if all(
            isinstance(e, ast.Attribute)
            and isinstance(e.value, ast.Name)
            and e.value.id == "Status"
            and e.attr in STATES
            for e in value.elts
        ):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [f"{path.relative_to(PARINDEX).as_posix()}:{t.id}" for t in targets if isinstance(t, ast.Name)]
    return found


def test_it_detects_a_set_of_states_written_elsewhere(tmp_path, monkeypatch):
    sample = PARINDEX / "results" / "views.py"
    text = "from x import Status\nUNDER_APPRAISAL = frozenset({Status.APPRAISING, Status.CLARIFIED})\nOTHER = {1, 2}\n"
    path = tmp_path / "views.py"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(f"{__name__}.PARINDEX", tmp_path)
    assert status_sets(path) == ["views.py:UNDER_APPRAISAL"]
    assert sample.exists()


def test_sets_of_states_are_defined_only_in_the_workflow_module():
    offenders = [
        hit
        for path in sorted(PARINDEX.rglob("*.py"))
        if "tests" not in path.relative_to(PARINDEX).parts and path.relative_to(PARINDEX).as_posix() != WORKFLOW
        for hit in status_sets(path)
        if hit not in ALLOWED
    ]
    assert offenders == []


def test_no_module_reuses_a_workflow_sets_name_for_something_else():
    names = set(workflow_sets())
    offenders = []
    for path in sorted(PARINDEX.rglob("*.py")):
        if path.relative_to(PARINDEX).as_posix() == WORKFLOW:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            targets = (
                node.targets
                if isinstance(node, ast.Assign)
                else [node.target]
                if isinstance(node, ast.AnnAssign)
                else []
            )
            offenders += [
                f"{path.relative_to(PARINDEX).as_posix()}:{node.lineno} {t.id}"
                for t in targets
                if isinstance(t, ast.Name) and t.id in names
            ]
    assert offenders == []
