"""Answer inputs between the database (JSON, decimals as text) and the engine (exact values).

Pure: used by selectors to build responses and by services to validate what is saved.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from parindex import scoring
from parindex.core.numbers import comma, vn_number
from parindex.scoring.decimals import NotADecimal, plain, to_decimal, to_int

DECIMAL_KEYS = frozenset({"value", "numerator", "denominator", "score"})
INT_KEYS = frozenset({"count", "days_late"})
BOOL_KEYS = frozenset({"met", "applicable"})


def to_response(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Stored JSON inputs as an engine response (Decimal, int, bool)."""
    out: dict[str, Any] = {}
    for key, value in stored.items():
        if key in DECIMAL_KEYS and isinstance(value, str):
            out[key] = Decimal(value)
        else:
            out[key] = value
    return out


def to_stored(response: Mapping[str, Any]) -> dict[str, Any]:
    """An engine response as JSON-safe inputs (decimals as text, never binary floats)."""
    return {key: plain(value) if isinstance(value, Decimal) else value for key, value in response.items()}


def clean_inputs(node: scoring.Node, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise typed inputs for ``node`` and check them with the engine's own rule.

    Accepts text as typed in a form (decimal comma allowed); raises ValueError with a
    Vietnamese message. Empty fields are dropped, so a half-filled item stays "missing".
    """
    assert node.rule is not None
    kind = scoring.RULE_KINDS[node.rule.kind]
    response: dict[str, Any] = {}
    for key, value in raw.items():
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            if key in DECIMAL_KEYS:
                text = value.strip().replace(" ", "").replace(",", ".") if isinstance(value, str) else value
                response[key] = to_decimal(text)
            elif key in INT_KEYS:
                response[key] = to_int(value.strip() if isinstance(value, str) else value)
            elif key in BOOL_KEYS:
                response[key] = (
                    value if isinstance(value, bool) else str(value).lower() in ("1", "true", "on", "yes", "co")
                )
            else:
                response[key] = value
        except NotADecimal as exc:
            message = _DECIMAL_POINT.sub(",", str(exc)) if isinstance(value, str) and "," in value else str(exc)
            raise ValueError(f"{FIELD_LABELS.get(key, key)}: {message}") from None
    try:
        kind.read(response, node.max, node.rule.params)
    except scoring.rules.ResponseError as exc:
        raise ValueError(for_people(exc)) from None
    return response


# The engine speaks to authors of response files, naming its keys ("tỷ lệ (value)",
# "(applicable: false)", "'met'"); people typing in a form or a workbook read the words of
# the labels instead, and a ratio they typed as a percent is shown as one.
_KEY_NOTES = re.compile(r" \((?:value|numerator|denominator|numerator, denominator|applicable: false)\)")
_QUOTED_KEYS = re.compile(r"'(value|numerator|denominator|met|count|days_late|score|applicable)'")
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")


def for_people(exc: scoring.rules.ResponseError) -> str:
    """The engine's refusal of a response as a Vietnamese message without its key names.

    "Tử số: cần ghi cả tử số và mẫu số.", "Tỷ lệ: tỷ lệ không được âm (đang là -20%).",
    "Chỉ ghi tỷ lệ hoặc tử số và mẫu số, không ghi cả hai."
    """
    key, text = exc.key, exc.message
    label = FIELD_LABELS.get(key, "")
    if "không ghi cả hai" in text:
        return "Chỉ ghi tỷ lệ hoặc tử số và mẫu số, không ghi cả hai: xoá một trong hai cách ghi."
    if "không thuộc cách chấm" in text:
        return f"{label or 'Ô này'}: tiêu chí này không chấm theo {label.lower() or 'ô này'}, hãy để trống."
    if key in ("met", "applicable") and "chỉ nhận" in text:
        return "Kết quả: chọn Đạt hoặc Không đạt." if key == "met" else "Chọn áp dụng hoặc không áp dụng."
    if key == "value":
        text = re.sub(r"đang là (-?[\d.]+)", lambda m: f"đang là {_percent(m.group(1))}%", text)
    text = _KEY_NOTES.sub("", text)
    text = _QUOTED_KEYS.sub(lambda m: FIELD_LABELS[m.group(1)].lower(), text)
    text = _DECIMAL_POINT.sub(",", text)
    text = text.rstrip(".") + "."
    return f"{label}: {text}" if label else text[:1].upper() + text[1:]


def _percent(fraction: str) -> str:
    try:
        return plain(Decimal(fraction) * 100)
    except ArithmeticError:
        return fraction


FIELD_LABELS = {
    "value": "Tỷ lệ",
    "numerator": "Tử số",
    "denominator": "Mẫu số",
    "met": "Đạt",
    "count": "Số lượng",
    "days_late": "Số ngày chậm",
    "score": "Điểm",
    "applicable": "Áp dụng",
}


def describe_inputs(stored: Mapping[str, Any]) -> str:
    """Stored inputs in words, as the history shows them ("Tỷ lệ 80%", "Đạt", "Không áp dụng")."""
    if stored.get("applicable") is False:
        return "Không áp dụng"
    parts = []
    for key, value in stored.items():
        if key == "value":
            parts.append(f"Tỷ lệ {vn_number(Decimal(value) * 100)}%")
        elif key == "met":
            parts.append("Đạt" if value else "Không đạt")
        elif key != "applicable":
            text = comma(value) if isinstance(value, str) else str(value)
            parts.append(f"{FIELD_LABELS.get(key, key)} {text}")
    return ", ".join(parts) or "(trống)"


VALUE_LABELS = {
    "explanation": "Giải thích",
    "comment": "Nhận xét",
    "answer": "Giải trình",
    "needs_clarification": "Yêu cầu giải trình",
    "title": "Tài liệu",
    "document_number": "Số, ký hiệu",
    "file": "Tệp",
    "revision": "Phiên bản",
    "sha256": "SHA-256",
    "size": "Dung lượng (byte)",
    "number": "Lần",
    "deadline": "Hạn",
    "items": "Tiêu chí",
    "stage": "Giai đoạn",
    "until": "Đến hết ngày",
    "official": "Người được giao",
}


def describe_change_value(value: Any) -> list[tuple[str, str]]:
    """An audit entry's old or new value as (label, text) lines for people."""
    if not isinstance(value, Mapping):
        return [] if value is None else [("", str(value))]
    lines = []
    for key, item in value.items():
        if key == "inputs" and isinstance(item, Mapping):
            lines.append(("Số liệu", describe_inputs(item)))
        elif key == "evidence":
            continue
        elif isinstance(item, bool):
            lines.append((VALUE_LABELS.get(key, key), "có" if item else "không"))
        elif isinstance(item, list):
            lines.append((VALUE_LABELS.get(key, key), ", ".join(map(str, item))))
        elif item not in ("", None):
            lines.append((VALUE_LABELS.get(key, key), str(item)))
    return lines
