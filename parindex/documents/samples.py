"""Sample facts for every kind of document (the seed documents' figures, Triệu Trạch 2022).

Used to check a template a province uploads (it must render these without error), in tests
of the context builders, and to preview a template. Pure Python.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D
from typing import Any

from parindex.documents.facts import (
    FieldScore,
    Framework,
    FreeText,
    Heading,
    IndicatorFigure,
    LostItem,
    Measure,
    Plan,
    SelfAssessment,
    Standing,
)

FIELDS = (
    FieldScore("I", "Công tác chỉ đạo, điều hành CCHC", D(21), D("17.10")),
    FieldScore("II", "Xây dựng và tổ chức thực hiện văn bản QPPL", D(12), D("11.80")),
    FieldScore("III", "Cải cách thủ tục hành chính", D(25), D("20.84")),
    FieldScore("IV", "Cải cách tổ chức bộ máy", D(7), D("7.00")),
    FieldScore("V", "Cải cách chế độ công vụ", D(12), D("12.00")),
    FieldScore("VI", "Cải cách tài chính công", D(10), D("10.00")),
    FieldScore("VII", "Xây dựng và phát triển chính quyền điện tử, chính quyền số", D(13), D("12.00")),
)
FRAMEWORK = Framework(
    "Bộ Chỉ số CCHC UBND cấp xã tỉnh Quảng Trị giai đoạn 2023-2025",
    "1325/QĐ-UBND",
    dt.date(2023, 6, 23),
    "UBND tỉnh Quảng Trị",
)
STANDING = Standing(
    unit_name="Xã Triệu Trạch",
    year=2022,
    total=D("92.59"),
    applicable_max=D(100),
    percent=D("92.59"),
    classification="Tốt",
    rank=1,
    rank_of=18,
    rank_change=10,
    previous_rank=11,
    previous_of=18,
    previous_year=2021,
    fields=FIELDS,
    group="Khối xã, thị trấn",
    decision_number="258/QĐ-UBND",
    decision_date=dt.date(2023, 2, 14),
    decision_issuer="UBND huyện Triệu Phong",
)
ITEMS = (
    LostItem("1.1.3", "Mức độ thực hiện kế hoạch CCHC", "I", FIELDS[0].name, D(2), D("1.6"), D("0.4"),
             "Hoàn thành 80% nhiệm vụ CCHC theo kế hoạch",
             (Measure("Theo dõi, đôn đốc thực hiện kế hoạch CCHC", "Nguyễn Văn A", "Văn phòng - Thống kê", "Cả năm",
                      "Đã hoàn thành", "Hoàn thành 100% nhiệm vụ", dt.date(2023, 11, 30), True),)),
    LostItem("3.12", "Thanh toán trực tuyến", "III", FIELDS[2].name, D(1), D(0), D(1), "Không thực hiện",
             (Measure("Triển khai thanh toán trực tuyến", "", "Bộ phận một cửa", "Trước 30/6/2023", "Quá hạn"),)),
    LostItem("7.7", "Áp dụng chữ ký số", "VII", FIELDS[6].name, D(2), D(1), D(1),
             "Tỷ lệ văn bản ký số chưa đạt yêu cầu",
             (Measure("Ký số toàn bộ văn bản phát hành", "Trần Thị B", "Văn hóa - Xã hội", "Cả năm",
                      "Đang thực hiện"),)),
)  # fmt: skip
PLAN = Plan(
    title="Kế hoạch khắc phục Chỉ số CCHC năm 2022",
    year=2023,
    assessed_year=2022,
    document_number="45/KH-UBND",
    approved_on=dt.date(2023, 3, 1),
    items=ITEMS,
    total_lost=D("2.4"),
)
SELF = SelfAssessment(
    year=2023, total=D("60.5"), applicable_max=D(100), percent=D("60.5"), classification="Trung bình",
    fields=FIELDS, answered=40, applicable=53,
)  # fmt: skip
INDICATORS = [
    IndicatorFigure("Hồ sơ TTHC giải quyết đúng hạn", "≥ 96%", "97,50% (390/400)", "Đạt chỉ tiêu"),
    IndicatorFigure("Hồ sơ trực tuyến", "≥ 20%", "12,00% (48/400)", "Chưa đạt chỉ tiêu"),
]


def heading(symbol: str = "UBND", **changes: Any) -> Heading:
    base = {
        "body": "Ủy ban nhân dân xã Triệu Trạch",
        "number": 10,
        "symbol": symbol,
        "place": "Triệu Trạch",
        "date": dt.date(2023, 2, 15),
        "subject": "khắc phục Chỉ số cải cách hành chính năm 2022",
        "signer_name": "Lê Văn Mẫn",
        "on_behalf": "Ủy ban nhân dân",
        "recipients": ("Như trên", "Đảng ủy, HĐND xã (b/c)", "Lưu: VT"),
        "addressees": ("Các cán bộ, công chức xã",),
    }
    return Heading(**(base | changes))


def sample_facts(kind: str) -> dict[str, Any]:
    """Keyword arguments of ``context.<kind>`` for the sample (everything but the heading)."""
    unit = {"unit_label": "xã Triệu Trạch"}
    free = {"free_text": FreeText()}
    return {
        "decision": {"province": "tỉnh Quảng Trị", "year": 2022, "group": "Khối xã, thị trấn", "framework": FRAMEWORK,
                     "rows": [STANDING], "approval_note": "Biên bản họp Hội đồng thẩm định ngày 10/02/2023"},
        "remediation_letter": unit | free | {"standing": STANDING, "plan": PLAN},
        "remediation_plan": unit | free | {"standing": STANDING, "plan": PLAN},
        "conclusion_notice": unit | free | {"chair": "Chủ tịch UBND xã", "meeting_date": dt.date(2023, 3, 15),
                                            "participants": "lãnh đạo UBND xã, các công chức", "standing": STANDING,
                                            "plan": PLAN},
        "cchc_report": unit | free | {"period": "6 tháng đầu năm 2023", "assessment": SELF, "indicators": INDICATORS,
                                      "plan_summary": "Đã hoàn thành đúng hạn 1/3 biện pháp."},
        "remediation_report": unit | free | {"standing": STANDING, "plan": PLAN, "done_on_time": 1, "total": 3},
        "directive": unit | free | {"year": 2023, "fields": FIELDS, "targets": INDICATORS, "standing": STANDING,
                                    "plan": PLAN},
        "broadcast": unit | free | {"month": 7, "standing": STANDING, "plan": PLAN, "done_on_time": 1, "total": 3},
    }[kind]  # fmt: skip


SYMBOLS = {
    "decision": "QĐ-UBND",
    "remediation_letter": "UBND",
    "remediation_plan": "KH-UBND",
    "conclusion_notice": "TB-UBND",
    "cchc_report": "BC-UBND",
    "remediation_report": "BC-UBND",
    "directive": "CT-UBND",
    "broadcast": "",
}


def sample_context(kind: str) -> dict[str, Any]:
    from parindex.documents import context

    return getattr(context, kind)(heading(SYMBOLS[kind]), **sample_facts(kind))
