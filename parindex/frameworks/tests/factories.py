"""Building frameworks for tests: documents of any size, and stored versions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from parindex import scoring
from parindex.frameworks import services
from parindex.frameworks.models import FrameworkVersion


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


def stored_version(code: str = "TEST-FW", *, publish: bool = True, **shape: Any) -> FrameworkVersion:
    spec = scoring.parse_framework(framework_document(code, **shape))
    version = services.framework_import(spec=spec, publish=publish, source_name="test.yaml").version
    return FrameworkVersion.objects.select_related("framework").get(pk=version.pk)
