"""A commune's published results with plans, the open cycle, and the people who write documents:
conftest's ``scene``, and the rows the modules that share them build once (tests/shared.py)."""

from __future__ import annotations

from parindex.assessments.tests.factories import open_cycle
from parindex.frameworks.tests.factories import published_version
from parindex.remediation.tests.factories import (
    SEED_001,
    approved_plan,
    commune_people,
    drafted_plan,
    province_staff,
    published_assessment,
    scene_users,
)
from parindex.units.tests.factories import dong_ha, nam_cua_viet, quang_tri


def documents_scene(version, province, commune, other_commune, people):
    """2024 results published (the commune's appraised as seed 001) with an approved plan carried
    out in 2025, 2025 results published with a draft plan, and the open 2026 cycle."""
    staff = province_staff(province)
    (a2024, _) = published_assessment(version, province, [commune, other_commune], staff, appraised=SEED_001, year=2024)
    (a2025, _) = published_assessment(version, province, [commune, other_commune], staff, appraised=SEED_001, year=2025)
    approved = approved_plan(a2024, people, official=people["officer"])
    draft = drafted_plan(a2025, people["office"], official=people["officer"])
    cycle = open_cycle(province, version, commune, year=2026)
    users = scene_users(province, people, staff, other_commune)
    return {
        "a2024": a2024,
        "a2025": a2025,
        "approved": approved,
        "draft": draft,
        "open": cycle.assessments.get(unit=commune),
        "publication": approved.result.publication,
        "users": users,
    }


def shared_scene(reference_spec):
    """Everything conftest's fixtures build for ``scene``, by name, from the reference framework."""
    version = published_version(reference_spec)
    province = quang_tri()
    commune, other_commune = nam_cua_viet(province), dong_ha(province)
    people = commune_people(commune)
    scene = documents_scene(version, province, commune, other_commune, people)
    return {
        "version": version, "province": province, "commune": commune, "other_commune": other_commune,
        "people": people, "scene": scene,
    }  # fmt: skip
