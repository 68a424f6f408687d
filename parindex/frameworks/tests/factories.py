"""Building frameworks for tests: documents of any size, and stored versions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from parindex import scoring
from parindex.frameworks import services
from parindex.frameworks.models import FrameworkVersion
from parindex.frameworks.selectors import framework_version_spec


def framework_document(
    code: str = "TEST-FW", *, fields: int = 2, criteria: int = 2, leaves: int = 2, name: str = "Bộ chỉ số thử"
) -> dict[str, Any]:
    """A valid framework with fields × criteria × leaves sub-criteria of 1 point each."""
    roots = []
    for f in range(1, fields + 1):
        crits = []
        for c in range(1, criteria + 1):
            subs = [
                {
                    "code": f"{f}.{c}.{s}",
                    "name": f"Tiêu chí thành phần {f}.{c}.{s}",
                    "max": 1,
                    "rule": {"kind": "proportional"},
                }
                for s in range(1, leaves + 1)
            ]
            crits.append({"code": f"{f}.{c}", "name": f"Tiêu chí {f}.{c}", "max": leaves, "children": subs})
        roots.append({"code": str(f), "name": f"Lĩnh vực {f}", "max": criteria * leaves, "children": crits})
    return {
        "format": "parindex-framework/1",
        "code": code,
        "name": name,
        "max_total": Decimal(fields * criteria * leaves),
        "classification": [{"label": "Tốt", "min": 80}, {"label": "Yếu", "min": 0}],
        "criteria": roots,
    }


def stored_version(code: str = "TEST-FW", *, publish: bool = True, owner: Any = None, **shape: Any) -> FrameworkVersion:
    """A version of framework ``code``, owned by province ``owner`` (None: national)."""
    spec = scoring.parse_framework(framework_document(code, **shape))
    version = services.framework_import(spec=spec, publish=publish, source_name="test.yaml", owner=owner).version
    return FrameworkVersion.objects.select_related("framework__owner").get(pk=version.pk)


def province_unit(code: str = "01", name: str = "Thành phố Hà Nội") -> Any:
    """A current province other than conftest's Quảng Trị."""
    from parindex.units.models import AdministrativeUnit

    return AdministrativeUnit.objects.create(era="current", code=code, name=name, kind="thanh_pho_tw", level=1)


# One of each of the five problems `framework validate` must report in one run.
FIVE_PROBLEMS = """\
format: parindex-framework/1
code: BAD-FW
name: Bộ chỉ số có năm lỗi
max_total: 10
criteria:
  - code: "1"
    name: Lĩnh vực 1
    max: 10
    children:
      - code: "1.1"
        name: Tổng con sai
        max: 3
        children:
          - {code: "1.1.1", name: A, max: 1, rule: {kind: binary}}
      - {code: "1.2", name: Trùng mã, max: 1, rule: {kind: binary}}
      - {code: "1.2", name: Trùng mã lần hai, max: 1, rule: {kind: binary}}
      - code: "1.3"
        name: Vừa có con vừa có rule
        max: 1
        rule: {kind: binary}
        children:
          - {code: "1.3.1", name: C, max: 1, rule: {kind: binary}}
      - {code: "1.4", name: Cách chấm lạ, max: 2, rule: {kind: percent}}
      - code: "1.5"
        name: Bậc vượt điểm tối đa
        max: 2
        rule: {kind: tiered, params: {tiers: [{min: 1, points: 3}]}}
"""


def published_version(spec: Any) -> FrameworkVersion:
    """``spec`` imported and published, its engine tree parsed and cached (query counts in the
    tests then exclude parsing it)."""
    version = services.framework_import(spec=spec, publish=True).version
    framework_version_spec(version)
    return version
