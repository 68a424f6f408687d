"""Names of downloaded files: Vietnamese words without accents, the unit and the year in them.

    download_name("KH-khac-phuc-chi-so-CCHC", 2025, unit.name, suffix="docx")
    → "KH-khac-phuc-chi-so-CCHC-2025-xa-nam-cua-viet.docx"

Plain ASCII, so every browser and e-mail client keeps the name as it is (no RFC 5987
``filename*``), and no character a file system refuses.
"""

from __future__ import annotations

import re

from parindex.units.models import fold_name

_NOT_SAFE = re.compile(r"[^A-Za-z0-9]+")


def ascii_words(text: str) -> str:
    """``text`` lower-cased, without accents (đ as d), its words joined by hyphens:
    "Xã Nam Cửa Việt" → "xa-nam-cua-viet"."""
    return _NOT_SAFE.sub("-", fold_name(text)).strip("-")


def file_stem(*parts: object) -> str:
    """``parts`` joined by hyphens, each folded (``ascii_words``) unless it is ASCII already
    (kept as written but for unsafe characters: "CCHC", "QD-UBND"); empty parts left out."""
    words = []
    for part in parts:
        text = "" if part is None else str(part)
        words.append(_NOT_SAFE.sub("-", text).strip("-") if text.isascii() else ascii_words(text))
    return "-".join(w for w in words if w)


def download_name(*parts: object, suffix: str) -> str:
    """``file_stem(*parts)`` with its suffix ("xlsx", "csv", "docx" …)."""
    return f"{file_stem(*parts)}.{suffix}"
