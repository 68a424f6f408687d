"""The reviews tests' scene (``factories.review_scene``), with uploads in a temporary folder."""

from __future__ import annotations

import pytest

from parindex.reviews.tests.factories import Scene, review_scene


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def scene(province, reference_spec) -> Scene:
    return review_scene(province, reference_spec)
