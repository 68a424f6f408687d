"""Arranging indicators, mappings, files and many units for indicator tests and the bench."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from parindex.indicators.models import ImportMapping, Indicator
from parindex.units.models import AdministrativeUnit, fold_name

HEADER = ("Mã đơn vị", "Tên đơn vị", "Năm", "Tháng", "Số hồ sơ đúng hạn", "Tổng số hồ sơ")
COLUMNS = {
    "unit_code": "Mã đơn vị",
    "year": "Năm",
    "month": "Tháng",
    "numerator": "Số hồ sơ đúng hạn",
    "denominator": "Tổng số hồ sơ",
}


def make_indicator(code: str = "ho_so_dung_han", **fields: Any) -> Indicator:
    """A ratio indicator (on-time dossiers ≥ 96 %) unless ``fields`` say otherwise."""
    kind = fields.get("kind", Indicator.Kind.RATIO)
    defaults: dict[str, Any] = {
        "name": "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn",
        "unit_label": "%" if kind == Indicator.Kind.RATIO else "sáng kiến",
        "numerator_label": "Số hồ sơ giải quyết đúng hạn",
        "denominator_label": "Tổng số hồ sơ đã giải quyết" if kind == Indicator.Kind.RATIO else "",
        "target": Decimal("0.96") if kind == Indicator.Kind.RATIO else Decimal(1),
        "source": "Hệ thống thông tin giải quyết TTHC",
    }
    return Indicator.objects.create(code=code, **(defaults | fields))


def make_mapping(
    province: AdministrativeUnit,
    indicator: Indicator,
    *,
    columns: dict[str, str] | None = None,
    header_row: int = 1,
    owner: Any = None,
    name: str = "Xuất từ Hệ thống một cửa",
) -> ImportMapping:
    return ImportMapping.objects.create(
        name=name,
        province=province,
        indicator=indicator,
        owner=owner,
        columns=COLUMNS if columns is None else columns,
        header_row=header_row,
    )


def csv_bytes(
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[str] = HEADER,
    delimiter: str = ",",
    bom: bool = False,
    before: Sequence[Sequence[Any]] = (),
) -> bytes:
    """A CSV file as Excel writes it: ``before`` (title lines), the header, then ``rows``."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(before)
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def xlsx_bytes(
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[str] = HEADER,
    before: Sequence[Sequence[Any]] = (),
    title: str = "Số liệu",
) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = title
    for line in (*before, header, *rows):
        ws.append(list(line))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def bulk_units(province: AdministrativeUnit, n: int, *, first: int = 0, prefix: str = "7") -> list[AdministrativeUnit]:
    """``n`` current communes of ``province`` (codes 7xxxxx, names Xã Chỉ tiêu 000001 ...), one insert."""
    units = [
        AdministrativeUnit(
            era="current",
            code=f"{prefix}{i:05d}",
            name=f"Xã Chỉ tiêu {i:06d}",
            search_name=fold_name(f"Xã Chỉ tiêu {i:06d}"),
            kind="xa",
            level=3,
            parent=province,
            province=province,
        )
        for i in range(first, first + n)
    ]
    return AdministrativeUnit.objects.bulk_create(units, batch_size=1000)


def old_commune(code: str, name: str, *, successor: AdministrativeUnit) -> AdministrativeUnit:
    """A pre-2025 commune (with its old district and province) that went into ``successor``."""
    from parindex.units.models import UnitSuccession

    old_province, _ = AdministrativeUnit.objects.get_or_create(
        era="pre2025", code="45", defaults={"name": "Tỉnh Quảng Trị (cũ)", "kind": "tinh", "level": 1}
    )
    district, _ = AdministrativeUnit.objects.get_or_create(
        era="pre2025",
        code="464",
        defaults={
            "name": "Huyện Triệu Phong",
            "kind": "huyen",
            "level": 2,
            "parent": old_province,
            "province": old_province,
        },
    )
    unit = AdministrativeUnit.objects.create(
        era="pre2025", code=code, name=name, kind="xa", level=3, parent=district, province=old_province
    )
    UnitSuccession.objects.create(predecessor=unit, successor=successor)
    return unit


def login_as(client: Any, people: Mapping[str, Any], who: str) -> Any:
    """Log ``client`` in as ``people[who]()`` (a callable making the user, None for anonymous)."""
    user = people[who]()
    if user is not None:
        client.force_login(user)
    return user
