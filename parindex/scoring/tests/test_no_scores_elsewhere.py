"""Scores are computed in ``parindex/scoring`` only (CONTRIBUTING): no app adds, subtracts,
multiplies, divides, sums, averages or rounds score-like values itself; it calls
``scoring.aggregates`` (or the engine, ``analysis``, ``ranking``).

The check reads the source (ast): arithmetic (``+ - * / // %``, ``+=`` ...), ``sum()``,
``statistics.mean``/``fmean``/``median`` and ``round``/``round_half_up`` whose operands are names or
attributes that look like scores (score, lost, total, percent, max, points). What is not a score
(a count of units, the progress of tasks, a size in bytes, a time) is in ``ALLOWED`` with why.
SQL aggregates (``Avg``, ``Sum``, ``F() - F()`` in a query) are not Python arithmetic and are not
read: the dashboards' selectors aggregate the frozen published rows in the database by design.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

SCORING = Path(__file__).resolve().parent.parent
PARINDEX = SCORING.parent

SCORE_LIKE = re.compile(r"score|lost|total|percent|max|points", re.IGNORECASE)
ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod)
AGGREGATING_CALLS = {"sum", "mean", "fmean", "median", "round", "round_half_up"}

# (file under parindex/, enclosing function or class.method): not score computation.
ALLOWED = {
    # Counts (units, actions, rows of a file), not scores: their "total" is how many.
    ("indicators/rows.py", "_check_rows"),  # rows of an uploaded file
    ("indicators/services.py", "indicator_import"),  # rows of an uploaded file, less the changed ones
    ("remediation/tracking_views.py", "province_overview"),  # actions of the plans (Completion.total)
    ("units/services.py", "LoadResult.count"),  # administrative units
    # Sizes: bytes of an upload's parts; typographic points of a Word table cell (pt → twips).
    ("core/uploads.py", "check_xlsx"),
    ("documents/layout.py", "_cell_top"),
    # Demo data: made-up answers and plans for a demonstration database, not figures shown as results.
    ("demo/management/commands/seed_demo.py", "Command._plan"),
    ("demo/management/commands/seed_demo.py", "_answer"),
}


SCORE_WORDS = {"score", "scores", "lost", "total", "totals", "percent", "percents", "points", "maximum"}
# Calls whose result is their argument's value: looked through. Any other call's result is not read
# (a method such as ``total_seconds()``, an SQL aggregate such as ``Avg("lost")``).
CONVERSIONS = {"Decimal", "to_decimal", "float", "int", "abs"}


def _identifier_like_score(name: str) -> bool:
    """``applicable_max``, ``r.total``, ``self_score``, ``max``: yes. ``max_rows``, ``IMPORT_MAX_BYTES``
    (a constant), ``rows``: no."""
    if not name or name.isupper():
        return False
    words = re.split(r"_|(?<=[a-z])(?=[A-Z])", name)
    return any(w.lower() in SCORE_WORDS for w in words) or name == "max" or name.endswith("_max")


def _score_like(node: ast.AST) -> bool:
    """Whether an operand reads a score-like value: a name, an attribute, a subscript such as
    ``r["percent"]``, through conversions, arithmetic and the element of a generator."""
    match node:
        case ast.Name(id=name) | ast.Attribute(attr=name):
            return _identifier_like_score(name)
        case ast.Subscript(value=value, slice=ast.Constant(value=str() as key)):
            return _identifier_like_score(key) or _score_like(value)
        case ast.Subscript(value=value):
            return _score_like(value)
        case ast.Call(func=ast.Name(id=name) | ast.Attribute(attr=name), args=args) if (
            name in CONVERSIONS | AGGREGATING_CALLS
        ):
            return any(_score_like(a) for a in args)
        case ast.BinOp(left=left, right=right):
            return _score_like(left) or _score_like(right)
        case ast.UnaryOp(operand=operand):
            return _score_like(operand)
        case ast.IfExp(body=body, orelse=orelse):
            return _score_like(body) or _score_like(orelse)
        case ast.GeneratorExp(elt=elt) | ast.ListComp(elt=elt):
            return _score_like(elt)
    return False


def _not_arithmetic(node: ast.AST) -> bool:
    """Strings ("%" formatting, "a" + b) and lists (``[a] + [b]``) are joined, not computed."""
    return isinstance(node, ast.JoinedStr | ast.List | ast.ListComp | ast.Tuple) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


def _call_name(node: ast.Call) -> str:
    return (
        node.func.id
        if isinstance(node.func, ast.Name)
        else node.func.attr
        if isinstance(node.func, ast.Attribute)
        else ""
    )


def _is_scoring_call(node: ast.Call) -> bool:
    """``scoring.aggregates.mean(...)``, ``aggregates.total(...)``: the place the computing is done."""
    return isinstance(node.func, ast.Attribute) and ast.unparse(node.func.value).split(".")[-1] == "aggregates"


class _Finder(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope: list[str] = []
        self.hits: list[tuple[int, str, str]] = []  # (line, enclosing scope, what)

    def _enter(self, node: ast.AST, name: str) -> None:
        self.scope.append(name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._enter(node, node.name)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._enter(node, node.name)

    visit_AsyncFunctionDef = visit_FunctionDef

    @property
    def where(self) -> str:
        return ".".join(self.scope) or "<module>"

    def visit_BinOp(self, node: ast.BinOp) -> None:
        if (
            isinstance(node.op, ARITHMETIC)
            and not (_not_arithmetic(node.left) or _not_arithmetic(node.right))
            and (_score_like(node.left) or _score_like(node.right))
        ):
            self.hits.append((node.lineno, self.where, ast.unparse(node)[:80]))
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if (
            isinstance(node.op, ARITHMETIC)
            and not _not_arithmetic(node.value)
            and (_score_like(node.target) or _score_like(node.value))
        ):
            self.hits.append((node.lineno, self.where, ast.unparse(node)[:80]))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        if (
            _call_name(node) in AGGREGATING_CALLS
            and not _is_scoring_call(node)
            and any(_score_like(a) for a in node.args)
        ):
            self.hits.append((node.lineno, self.where, ast.unparse(node)[:80]))
        self.generic_visit(node)


def score_arithmetic(path: Path, root: Path = PARINDEX) -> list[str]:
    """``file:line scope: expression`` for every score-like computation in ``path``, allowed ones left out."""
    finder = _Finder()
    finder.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
    relative = path.relative_to(root).as_posix()
    seen, out = set(), []
    for line, where, what in finder.hits:  # the outermost expression of a line once
        if (relative, where) not in ALLOWED and (line, where) not in seen:
            seen.add((line, where))
            out.append(f"{relative}:{line} {where}: {what}")
    return out


def app_sources() -> list[Path]:
    """Every Python file of the project outside the scoring package, its tests and migrations."""
    return [
        path
        for path in sorted(PARINDEX.rglob("*.py"))
        if not path.is_relative_to(SCORING)
        and "tests" not in path.relative_to(PARINDEX).parts
        and "migrations" not in path.relative_to(PARINDEX).parts
    ]


OLD_REMEDIATION_MEAN = """
def previous_losses(chosen, codes, quant):
    out = {}
    for code in codes:
        sources = []
        for _, name, scores, _year in chosen:
            entry = scores.get(code)
            if entry and entry[0] is not None:
                sources.append((name, Decimal(entry[1]) - Decimal(entry[0])))
        if sources:
            mean = scoring.decimals.round_half_up(sum(lost for _, lost in sources) / len(sources), quant)
            out[code] = mean
    return out
"""


def test_it_finds_the_apps_sources_and_not_scoring():
    files = {path.relative_to(PARINDEX).as_posix() for path in app_sources()}
    assert {"remediation/selectors.py", "dashboards/boards.py", "results/views.py"} <= files
    assert not any(f.startswith("scoring/") or "/tests/" in f or "/migrations/" in f for f in files)


def test_it_detects_the_old_remediation_mean(tmp_path):
    sample = tmp_path / "selectors.py"
    sample.write_text(OLD_REMEDIATION_MEAN, encoding="utf-8")
    hits = score_arithmetic(sample, tmp_path)
    assert len(hits) == 1, hits
    assert hits[0].startswith("selectors.py:11 previous_losses: scoring.decimals.round_half_up(sum((lost for _, lost")


def test_it_detects_arithmetic_on_score_like_names_and_not_on_counts_or_strings(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def f(r, fields, n, units):\n"
        "    a = 100 * r.score / r.applicable_max\n"  # 2: a field percentage
        "    b = sum(f.total for f in fields)\n"  # 3: a sum of totals
        "    c = n / units + max(n, 1) + MAX_BYTES + d.total_seconds() * 2\n"  # counts, constants, methods: no
        "    d = 'Điểm %s' % r.score + [r.total] + [1]\n"  # formatting, lists: no
        "    e = r['percent'] - r['previous_percent']\n"  # 6
        "    s = scoring.aggregates.total(x.score for x in fields)\n"  # the scoring package: no
        "    s += Decimal(r.lost)\n"  # 8
        "    return statistics.mean(x.points for x in fields)\n",  # 9
        encoding="utf-8",
    )
    assert [int(hit.split(":")[1].split()[0]) for hit in score_arithmetic(sample, tmp_path)] == [2, 3, 6, 8, 9]


def test_no_app_computes_scores_outside_scoring():
    offenders = [hit for path in app_sources() for hit in score_arithmetic(path)]
    assert offenders == [], "compute scores in parindex/scoring (e.g. scoring.aggregates):\n" + "\n".join(offenders)


def test_every_allowed_place_still_exists():
    """An allow-list entry whose code moved or went away is removed, not left to excuse something new."""
    present = set()
    for path in app_sources():
        finder = _Finder()
        finder.visit(ast.parse(path.read_text(encoding="utf-8")))
        present |= {(path.relative_to(PARINDEX).as_posix(), where) for _, where, _ in finder.hits}
    assert ALLOWED - present == set()
