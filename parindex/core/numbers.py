"""Numbers written the Vietnamese way: the one place a decimal point becomes a decimal comma.

Pure (no Django): the template filters of ``core/templatetags/parindex.py``, the Excel and
Word builders, the pages' presenters and the messages all write numbers through here.
"""

from __future__ import annotations

from decimal import Decimal

from parindex.scoring.decimals import fixed, plain, quantizer, round_half_up


def comma(text: str) -> str:
    """A number already written with a decimal point ("12.5", "0.25"), with a decimal comma."""
    return text.replace(".", ",")


def vn_number(value: Decimal | int | str | None, places: int | None = None) -> str:
    """A maximum, parameter or figure as a person writes it: 2, 1,5, 0,25 (no trailing zeros);
    with ``places``, rounded half up to exactly that many decimals (17,10). Empty for None."""
    if value is None or value == "":
        return ""
    if places is None:
        return comma(plain(Decimal(value)))
    return comma(fixed(round_half_up(Decimal(value), quantizer(places))))


def vn_score(value: Decimal | int | str | None) -> str:
    """A score with the decimals it was rounded to: 17,10, 0,34; "–" for none."""
    if value is None or value == "":
        return "–"
    return comma(fixed(Decimal(value)))


def vn_grouped(value: Decimal | int | str | None) -> str:
    """A count or figure as written in Vietnamese text: thousands grouped by dots, a decimal
    comma, no trailing zeros (1.063, 12,5, 1.234,5)."""
    if value is None or value == "":
        return ""
    text = plain(Decimal(value))
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, _, decimals = text.partition(".")
    whole = f"{int(whole):,}".replace(",", ".")
    return sign + (f"{whole},{decimals}" if decimals else whole)


def vn_cell(value: object) -> str:
    """A table cell: numbers with a decimal comma (exact, no trailing zeros), absent as "–"."""
    if value is None or value == "":
        return "–"
    if isinstance(value, float):
        value = Decimal(str(value))
    if isinstance(value, Decimal):
        return comma(plain(value))
    return str(value)
