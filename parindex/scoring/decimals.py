"""Exact decimal helpers shared by the engine, the file parsers and the rule kinds.

Nothing here may import Django: the scoring package is pure Python.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)


# How large or fine a number may be: far beyond any score, count or ratio, and far inside the
# decimal context's exponent limits, so no arithmetic on a number read from a file can overflow
# and no number is written out as a million digits ("1e999999").
MAX_MAGNITUDE = 30  # numbers below 10^31; non-zero ones at least 10^-30, at most 60 decimals


class NotADecimal(ValueError):
    """A value that cannot be read as an exact decimal number."""


def in_bounds(number: Decimal) -> bool:
    """Whether a finite ``number`` is within ``MAX_MAGNITUDE`` (see there)."""
    exponent = number.as_tuple().exponent
    if not isinstance(exponent, int) or not -2 * MAX_MAGNITUDE <= exponent <= MAX_MAGNITUDE:
        return False
    return not number or -MAX_MAGNITUDE <= number.adjusted() <= MAX_MAGNITUDE


def _out_of_bounds(value: object) -> NotADecimal:
    text = str(value).strip()
    shown = text if len(text) <= 24 else text[:20] + "…"
    return NotADecimal(f"'{shown}' quá lớn hoặc có quá nhiều chữ số")


def to_decimal(value: object) -> Decimal:
    """Read ``value`` as an exact, finite Decimal.

    Accepts Decimal, int and decimal literals in strings ("0.337"). Binary floats are
    refused: the contract forbids binary floating point anywhere, and a float that reaches
    the engine is a programming error upstream (files are parsed straight to Decimal).
    """
    if value.__class__ is Decimal:
        result = value
    elif isinstance(value, bool):
        raise NotADecimal("giá trị đúng/sai không phải là số")
    elif isinstance(value, int):
        if abs(value) >= 10 ** (MAX_MAGNITUDE + 1):
            raise _out_of_bounds(value)
        return Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            result = Decimal(text)
        except InvalidOperation:
            raise NotADecimal(f"'{value}' không phải là số") from None
        if not text:
            raise NotADecimal("giá trị trống")
    elif isinstance(value, Decimal):
        result = value
    elif isinstance(value, float):
        raise NotADecimal("số thực nhị phân (float) không được dùng; hãy dùng số thập phân chính xác")
    else:
        raise NotADecimal(f"'{value}' không phải là số")
    if not result.is_finite():
        raise NotADecimal(f"'{value}' không phải là số hữu hạn")
    if not in_bounds(result):
        raise _out_of_bounds(value)
    return result


def to_int(value: object) -> int:
    """Read ``value`` as an integer (a decimal with no fractional part is accepted)."""
    if isinstance(value, bool):
        raise NotADecimal("giá trị đúng/sai không phải là số nguyên")
    if isinstance(value, int):
        return value
    number = to_decimal(value)
    if number != number.to_integral_value():
        raise NotADecimal(f"'{value}' không phải là số nguyên")
    return int(number)


def quantizer(rounding: int) -> Decimal:
    """The exponent used to round scores to ``rounding`` decimals (2 -> Decimal('0.01'))."""
    return ONE.scaleb(-rounding)


def round_half_up(value: Decimal, quant: Decimal) -> Decimal:
    return value.quantize(quant, rounding=ROUND_HALF_UP)


def decimal_places(value: Decimal) -> int:
    """Number of decimals written in ``value`` once trailing zeros are ignored."""
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return max(0, -exponent)


def plain(value: Decimal) -> str:
    """A decimal as written by a person: no exponent, no trailing zeros (2.50 -> '2.5', 100 -> '100')."""
    if value == value.to_integral_value():
        return format(value.to_integral_value(), "f")
    return format(value.normalize(), "f")


def fixed(value: Decimal) -> str:
    """A decimal with exactly the decimals it carries (a rounded score keeps '17.10')."""
    return format(value, "f")
