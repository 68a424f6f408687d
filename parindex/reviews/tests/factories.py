"""A published group of three communes whose ranks a phúc tra can change, and its people."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals.models import ItemAppraisal
from parindex.assessments.models import Assessment
from parindex.assessments.tests.factories import user_with_role
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import services as result_services
from parindex.results.models import Publication
from parindex.results.tests.factories import bulk_cycle, bulk_units


@dataclass
class Scene:
    publication: Publication
    units: list[Any]
    assessments: list[Assessment]
    contested: Criterion  # the proportional sub-criterion with the largest maximum
    other: Criterion  # a second sub-criterion the first unit names
    people: dict[str, Any]

    def principal(self, who: str) -> Any:
        return principal_for(self.people[who])

    def result(self, index: int) -> Any:
        return self.publication.results.get(unit=self.units[index])


def review_scene(province: Any, reference_spec: Any) -> Scene:
    """Three communes identical but for one proportional item (0 %, 50 %, 80 %: ranked 3, 2, 1),
    appraised, approved and published three days ago; the province's staff and the heads."""
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    spec = framework_version_spec(version)
    units = bulk_units(province, 3)
    cycle = bulk_cycle(province, version, units)
    proportional = [n for n in spec.leaves if n.rule and n.rule.kind == "proportional"]
    contested_node = max(proportional, key=lambda n: (n.max, n.code))
    other_node = next(n for n in spec.leaves if n.code != contested_node.code)
    contested = Criterion.objects.get(version=version, code=contested_node.code)
    other = Criterion.objects.get(version=version, code=other_node.code)
    # Every unit the same but the contested item: 0 % / 50 % / 80 %, so unit 0 is last.
    ItemAppraisal.objects.filter(assessment__cycle=cycle, criterion__rule_kind="proportional").update(
        inputs={"value": "0.6"}
    )
    assessments = list(Assessment.objects.filter(cycle=cycle).order_by("unit__code"))
    for assessment, value in zip(assessments, ("0", "0.5", "0.8"), strict=True):
        ItemAppraisal.objects.filter(assessment=assessment, criterion=contested).update(inputs={"value": value})
    people = {
        "chair": user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "appraiser": user_with_role("thamdinh", Role.APPRAISER, province, include_descendants=True),
        "head": user_with_role("chutich", Role.COMMUNE_HEAD, units[0]),
        "office": user_with_role("vanphong", Role.COMMUNE_OFFICE, units[0]),
        "head_1": user_with_role("chutich1", Role.COMMUNE_HEAD, units[1]),
        "head_2": user_with_role("chutich2", Role.COMMUNE_HEAD, units[2]),
    }
    approval = result_services.approval_create(
        cycle=cycle, assessments=assessments, name="Khối xã", actor=people["chair"],
        principal=principal_for(people["chair"]),
    )  # fmt: skip
    publication = result_services.publication_publish(
        approval=approval, decision_number="165/QĐ-UBND", decision_date=timezone.localdate() - dt.timedelta(days=3),
        actor=people["admin"], principal=principal_for(people["admin"]),
    )  # fmt: skip
    return Scene(publication, units, assessments, contested, other, people)
