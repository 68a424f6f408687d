"""The assessments app imports none of the apps that feed its answers (issue 21): remediation,
indicators, dossiers and external register their sources with ``assessments.sources`` from
their ``AppConfig.ready()``. Read from the source (every import, at module level or inside a
function), so a lazy import inside a function counts too."""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps

from parindex.assessments import sources

PARINDEX = Path(__file__).resolve().parents[1] / "parindex"
FEEDERS = ("remediation", "indicators", "dossiers", "external")


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_assessments_app_imports_no_app_that_feeds_it():
    offenders = []
    for path in sorted((PARINDEX / "assessments").rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for module in imported_modules(path):
            if any(module == f"parindex.{app}" or module.startswith(f"parindex.{app}.") for app in FEEDERS):
                offenders.append(f"{path.relative_to(PARINDEX)}: {module}")
    assert offenders == []


def test_each_feeding_app_registers_its_source():
    for app in FEEDERS:
        assert apps.is_installed(f"parindex.{app}")
    assert {"remediation", "indicator", "dossiers", "index", "survey"} <= set(sources.KINDS)


def test_the_scan_finds_a_lazy_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from parindex.dossiers import selectors\n", encoding="utf-8")
    assert "parindex.dossiers.selectors" in imported_modules(sample)
