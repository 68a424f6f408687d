"""The data migration that gives existing frameworks the owner their cycles tell."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from parindex.assessments.models import Cycle
from parindex.frameworks.models import Framework
from parindex.frameworks.tests.factories import province_unit, stored_version
from parindex.units.models import AdministrativeUnit, UnitSuccession

pytestmark = pytest.mark.django_db

infer_owners = importlib.import_module("parindex.frameworks.migrations.0003_infer_framework_owner").infer_owners


def cycle(province, version, year):
    return Cycle.objects.create(
        province=province, year=year, framework_version=version, name=f"Kỳ {year}",
        self_assessment_due=dt.date(year, 12, 15), appraisal_due=dt.date(year + 1, 1, 15),
        clarification_due=dt.date(year + 1, 1, 31), publication_due=dt.date(year + 1, 2, 28),
    )  # fmt: skip


def test_it_owns_what_one_province_uses_and_leaves_the_rest_national(province):
    hanoi = province_unit()
    old = AdministrativeUnit.objects.create(era="pre2025", code="45", name="Tỉnh Quảng Trị", kind="tinh", level=1)
    UnitSuccession.objects.create(predecessor=old, successor=province)
    split = AdministrativeUnit.objects.create(era="pre2025", code="99", name="Tỉnh Tách", kind="tinh", level=1)
    UnitSuccession.objects.create(predecessor=split, successor=province, is_partial=True)
    UnitSuccession.objects.create(predecessor=split, successor=hanoi, is_partial=True)
    qt = stored_version("QT-FW")  # the old and the new Quảng Trị: one province
    cycle(old, qt, 2024)
    v2 = stored_version("QT-FW", leaves=3)
    cycle(province, v2, 2025)
    shared = stored_version("SHARED")  # two provinces
    cycle(province, shared, 2025)
    cycle(hanoi, shared, 2025)
    unclear = stored_version("SPLIT")  # an old province that went into two
    cycle(split, unclear, 2024)
    stored_version("UNUSED")

    infer_owners(apps, None)

    owners = dict(Framework.objects.values_list("code", "owner_id"))
    assert owners == {"QT-FW": province.pk, "SHARED": None, "SPLIT": None, "UNUSED": None}


def test_it_keeps_an_owner_already_set(province):
    hanoi = province_unit()
    version = stored_version("HN-FW", owner=hanoi)
    cycle(province, version, 2025)
    infer_owners(apps, None)
    assert Framework.objects.get(code="HN-FW").owner == hanoi
