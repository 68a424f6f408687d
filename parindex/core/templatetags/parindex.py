"""Template filters for Vietnamese number display (decimal comma, exact decimals)."""

from __future__ import annotations

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
def vn_score(value: Decimal | None) -> str:
    """A score with the decimals it was rounded to: 17,10, 0,34."""
    if value is None or value == "":
        return "–"
    return fixed(Decimal(value)).replace(".", ",")
