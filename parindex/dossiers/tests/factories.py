"""Arranging late dossiers: values as the form posts them, stored rows, rows in bulk."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parindex.accounts.models import Role
from parindex.assessments.tests.factories import user_with_role
from parindex.dossiers.models import LateDossier
from parindex.remediation.tests.factories import commune_people

# A dossier of 2026 (the tests' clock is 20/11/2026): due 10/10, returned 15/10, letter 09/10.
VALUES: dict[str, Any] = {
    "code": "000.00.19.H45-261002-0013",
    "procedure": "Đăng ký kết hôn",
    "applicant": "Nguyễn Văn An",
    "received_on": dt.date(2026, 10, 2),
    "due_on": dt.date(2026, 10, 10),
    "resolved_on": dt.date(2026, 10, 15),
    "delay_reason": "Chờ xác minh tình trạng hôn nhân tại nơi cư trú trước đây",
    "apology_issued": True,
    "letter_number": "12/PXL-UBND",
    "letter_date": dt.date(2026, 10, 9),
    "new_due_on": dt.date(2026, 10, 15),
    "note": "",
}
NO_LETTER = {"apology_issued": False, "letter_number": "", "letter_date": None, "new_due_on": None}

# The same as the form posts it (dd/mm/yyyy).
POST = {
    key: (value.strftime("%d/%m/%Y") if isinstance(value, dt.date) else value)
    for key, value in VALUES.items()
    if key != "apology_issued"
} | {"apology_issued": "on"}


def values(**changes: Any) -> dict[str, Any]:
    return VALUES | changes


def late_dossier(unit: Any, **changes: Any) -> LateDossier:
    """A stored dossier of ``unit`` (written directly, for arranging scenes)."""
    return LateDossier.objects.create(unit=unit, **values(**changes))


def bulk_dossiers(unit: Any, n: int, *, year: int = 2026, with_letter: int = 0) -> list[LateDossier]:
    """``n`` dossiers of ``unit`` due in ``year``, the first ``with_letter`` with an apology letter."""
    rows = []
    for i in range(n):
        due = dt.date(year, 1 + i % 10, 10)
        letter = (
            {
                "apology_issued": True,
                "letter_number": f"{i + 1}/PXL-UBND",
                "letter_date": due,
                "new_due_on": due + dt.timedelta(days=5),
            }
            if i < with_letter
            else NO_LETTER
        )
        fields = values(
            code=f"H45-{unit.code}-{year}-{i:04d}",
            received_on=due - dt.timedelta(days=8),
            due_on=due,
            resolved_on=due + dt.timedelta(days=3) if i % 3 else None,
        )
        rows.append(LateDossier(unit=unit, **(fields | letter)))
    return LateDossier.objects.bulk_create(rows)


def people(commune: Any, other_commune: Any, province: Any) -> dict[str, Any]:
    """The commune's people, another commune's office, and the province's staff by role."""
    return {
        **commune_people(commune),
        "outsider": user_with_role("b.vanphong", Role.COMMUNE_OFFICE, other_commune),
        "viewer": user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        "admin": user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "chair": user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "appraiser": user_with_role("thamdinh", Role.APPRAISER, province, include_descendants=True),
    }
