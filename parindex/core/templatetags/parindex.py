"""Template filters: Vietnamese numbers (decimal comma, exact decimals, from ``core.numbers``) and small helpers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import template

from parindex.core import numbers

register = template.Library()


# The numbers' filters are the pure functions of ``core/numbers.py``, registered as they are.
vn_number = register.filter("vn_number", numbers.vn_number)
vn_grouped = register.filter("vn_grouped", numbers.vn_grouped)
vn_score = register.filter("vn_score", numbers.vn_score)
vn_cell = register.filter("vn_cell", numbers.vn_cell)


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
def css_id(value: object) -> str:
    """``value`` as an id that CSS selectors take as written: letters and digits kept, anything
    else (the dots of "1.1.3") as _xx, its code in hex ("1_2e1_2e3"). htmx looks preserved
    elements up by selector, where "#side-1.1.3" would read as classes."""
    return "".join(c if c.isascii() and c.isalnum() else f"_{ord(c):x}" for c in str(value))
