"""The scoring engine is pure Python: nothing under parindex/scoring may import Django."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

SCORING = Path(__file__).resolve().parent.parent
PROJECT = SCORING.parent.parent


def django_imports(path: Path, root: Path = SCORING) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [
            f"{path.relative_to(root).as_posix()}:{node.lineno} {name}"
            for name in names
            if name == "django" or name.startswith("django.")
        ]
    return found


def test_it_finds_the_scoring_sources_and_its_own_tests():
    files = {path.relative_to(SCORING).as_posix() for path in SCORING.rglob("*.py")}
    assert {"engine.py", "rules.py", "tests/test_purity.py"} <= files


def test_it_detects_a_django_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os\nfrom django.db import models\nimport django, json\nfrom .django import x\nimport djangoish\n",
        encoding="utf-8",
    )
    assert django_imports(sample, tmp_path) == ["sample.py:2 django.db", "sample.py:3 django"]


def test_it_has_no_django_import_in_any_scoring_file():
    offenders = [hit for path in sorted(SCORING.rglob("*.py")) for hit in django_imports(path)]
    assert offenders == []


def test_it_imports_the_scoring_package_without_loading_django():
    code = "import parindex.scoring, sys; assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
