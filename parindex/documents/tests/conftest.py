"""A commune's published results with plans, the open cycle, and the people who write documents
(the modules whose tests all use them build them once: factories.shared_scene)."""

from __future__ import annotations

import pytest

from parindex.documents.tests.factories import documents_scene
from parindex.frameworks.tests.factories import published_version
from parindex.remediation.tests.factories import commune_people


@pytest.fixture
def version(reference_spec):
    return published_version(reference_spec)


@pytest.fixture
def people(commune):
    return commune_people(commune)


@pytest.fixture
def scene(settings, tmp_path, version, province, commune, other_commune, people):
    """2024 results published (the commune's appraised as seed 001) with an approved plan carried
    out in 2025, 2025 results published with a draft plan, and the open 2026 cycle."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return documents_scene(version, province, commune, other_commune, people)
