"""Template filters for Vietnamese number display (decimal comma, exact decimals)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from parindex.scoring.decimals import fixed, plain

register = template.Library()


@register.filter
def vn_number(value: Decimal | int | None) -> str:
    """A maximum or parameter as a person writes it: 2, 1,5, 0,25 (no trailing zeros)."""
    if value is None or value == "":
        return ""
    return plain(Decimal(value)).replace(".", ",")


@register.filter
def vn_grouped(value: Decimal | int | None) -> str:
    """A count or figure as written in Vietnamese text: thousands grouped by dots, a decimal
    comma, no trailing zeros (1.063, 12,5, 1.234,5)."""
    if value is None or value == "":
        return ""
    text = plain(Decimal(value))
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, decimals = text.partition(".")
    whole = f"{int(whole):,}".replace(",", ".")
    return sign + (f"{whole},{decimals}" if decimals else whole)


@register.filter
def vn_score(value: Decimal | None) -> str:
    """A score with the decimals it was rounded to: 17,10, 0,34."""
    if value is None or value == "":
        return "–"
    return fixed(Decimal(value)).replace(".", ",")


@register.filter
def minutes(value: dt.timedelta | None) -> int:
    """A duration in whole minutes (rounded up), for messages such as a login lockout."""
    if not value:
        return 0
    return -(-int(value.total_seconds()) // 60)


@register.filter
def input_of(row: object, key: str) -> str:
    """A stored input of a self-assessment row, written with a decimal comma."""
    return row.input(key)  # type: ignore[attr-defined]


@register.filter
def is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@register.filter
def vn_cell(value: object) -> str:
    """A table cell: numbers with a decimal comma (exact, no trailing zeros), absent as "–"."""
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        return plain(value).replace(".", ",")
    return str(value)


@register.filter
def css_id(value: object) -> str:
    """``value`` as an id that CSS selectors take as written: letters and digits kept, anything
    else (the dots of "1.1.3") as _xx, its code in hex ("1_2e1_2e3"). htmx looks preserved
    elements up by selector, where "#side-1.1.3" would read as classes."""
    return "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}" for c in str(value))
