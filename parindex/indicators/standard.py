"""The eight indicators of the district directive in seed ``002_598e71dd46311b89.txt``
(Chỉ thị 03/CT-UBND huyện Cẩm Mỹ, 14/6/2023), with its targets for communes.

``parindex load_indicators`` creates them, or brings them back to these definitions; a
province sets its own targets per year with ``IndicatorTarget`` rather than by editing these.
Where the directive gives two figures, the commune-level one is used: online dossiers 20 %
(30 % is the district's); digitised dossiers 15 % ("15 % trở lên"; the 20 % it sets for
communes concerns results issued also in electronic form, a different rate).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

TTHC_SYSTEM = "Hệ thống thông tin giải quyết thủ tục hành chính (một cửa điện tử)"

STANDARD_INDICATORS: tuple[dict[str, Any], ...] = (
    {
        "code": "ho_so_dung_han",
        "name": "Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn",
        "numerator_label": "Số hồ sơ giải quyết đúng hạn và trước hạn",
        "denominator_label": "Tổng số hồ sơ đã giải quyết",
        "target": Decimal("0.96"),
        "source": TTHC_SYSTEM,
    },
    {
        "code": "ho_so_truc_tuyen",
        "name": "Tỷ lệ hồ sơ thủ tục hành chính tiếp nhận trực tuyến",
        "numerator_label": "Số hồ sơ nộp trực tuyến",
        "denominator_label": "Tổng số hồ sơ tiếp nhận",
        "target": Decimal("0.20"),
        "source": TTHC_SYSTEM,
    },
    {
        "code": "thanh_toan_truc_tuyen",
        "name": "Tỷ lệ hồ sơ thủ tục hành chính thanh toán trực tuyến (không dùng tiền mặt)",
        "numerator_label": "Số hồ sơ nộp phí, lệ phí bằng thanh toán trực tuyến",
        "denominator_label": "Tổng số hồ sơ có thu phí, lệ phí",
        "target": Decimal("0.05"),
        "source": TTHC_SYSTEM,
    },
    {
        "code": "so_hoa_ho_so",
        "name": "Tỷ lệ số hóa hồ sơ thủ tục hành chính",
        "numerator_label": "Số hồ sơ được số hóa",
        "denominator_label": "Tổng số hồ sơ tiếp nhận",
        "target": Decimal("0.15"),
        "source": TTHC_SYSTEM,
    },
    {
        "code": "cat_giam_tthc",
        "name": "Tỷ lệ thủ tục hành chính được rà soát, đề xuất đơn giản hóa",
        "numerator_label": "Số thủ tục hành chính được đề xuất đơn giản hóa",
        "denominator_label": "Tổng số thủ tục hành chính đã rà soát",
        "target": Decimal("0.10"),
        "period": "yearly",
        "source": "Kế hoạch rà soát, đơn giản hóa thủ tục hành chính",
    },
    {
        "code": "hai_long",
        "name": "Tỷ lệ hài lòng của người dân, doanh nghiệp khi giải quyết thủ tục hành chính",
        "numerator_label": "Số lượt đánh giá hài lòng",
        "denominator_label": "Tổng số lượt đánh giá",
        "target": Decimal("0.93"),
        "source": TTHC_SYSTEM + " – đánh giá sự hài lòng",
    },
    {
        "code": "phan_anh_kien_nghi",
        "name": "Tỷ lệ phản ánh, kiến nghị được giải quyết",
        "numerator_label": "Số phản ánh, kiến nghị đã giải quyết",
        "denominator_label": "Tổng số phản ánh, kiến nghị tiếp nhận",
        "target": Decimal("0.96"),
        "source": "Tổng đài 1022 và hệ thống tiếp nhận phản ánh, kiến nghị",
    },
    {
        "code": "van_ban_ky_so",
        "name": "Tỷ lệ văn bản điện tử phát hành có ký số",
        "numerator_label": "Số văn bản điện tử phát hành có chữ ký số",
        "denominator_label": "Tổng số văn bản phát hành",
        "target": Decimal("1"),
        "source": "Phần mềm quản lý văn bản và điều hành",
    },
)

# What every standard indicator shares unless it says otherwise.
DEFAULTS: dict[str, Any] = {
    "unit_label": "%",
    "kind": "ratio",
    "direction": "at_least",
    "period": "monthly",
    "active": True,
}


def standard_definitions() -> list[dict[str, Any]]:
    return [DEFAULTS | definition for definition in STANDARD_INDICATORS]
