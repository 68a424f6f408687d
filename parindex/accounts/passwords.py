"""A password validator for Vietnamese guesses that Django's English list does not know.

A password is refused when, once accents, case, digits and punctuation are set aside, what is
left is empty (only digits and signs), a common Vietnamese or office word ("matkhau",
"quantri", "cchc" …), or the name of a province, commune or ward of either era (with or
without "tỉnh", "xã" …): "Quangtri2026", "Mật khẩu 123!" and "xã Triệu Trạch 1" all fall.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.core.exceptions import ValidationError

from parindex.units.models import fold_name

COMMON_WORDS = frozenset(
    """
    matkhau matkhaumoi matkhaucu password passwd pass admin administrator quantri quantrivien
    root user nguoidung taikhoan parindex cchc caicach caicachhanhchinh hanhchinh chisocchc ubnd
    uybannhandan sonoivu noivu thamdinh hoidong chutich phochutich congchuc vanphong thongke
    motcua vietnam vietnamese hochiminh saigon qwerty qwertyuiop asdf asdfgh asdfghjkl zxcvbn
    abc abcd abcde abcdef abcdefgh abcxyz iloveyou anhyeuem emyeuanh yeuem yeuemnhieu changeme
    welcome xinchao test demo tinh xa phuong thitran huyen quan thanhpho dackhu
    """.split()  # noqa: SIM905 - a word list reads better as words
)
KIND_PREFIXES = ("thanhpho", "thitran", "phuong", "dackhu", "huyen", "tinh", "quan", "thixa", "xa")
MESSAGE = (
    "Mật khẩu này quá dễ đoán: bỏ dấu, chữ số và ký hiệu đi thì chỉ còn một từ thông dụng "
    "(như “matkhau”, “quantri”), tên một tỉnh, xã, phường, hoặc không còn chữ nào. "
    "Hãy dùng một cụm từ dài, ít người đoán được."
)


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", fold_name(text))


def _without_kind(letters: str) -> str:
    for prefix in KIND_PREFIXES:
        if letters.startswith(prefix) and len(letters) > len(prefix):
            return letters[len(prefix) :]
    return letters


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every province, commune and ward name of both eras, as letters, with and without its kind."""
    import vietnam_provinces
    from vietnam_provinces import legacy

    names: set[str] = set()
    sources = (vietnam_provinces.Province, vietnam_provinces.Ward, legacy.Province, legacy.District, legacy.Ward)
    for source in sources:
        for division in source.iter_all():
            letters = _letters(division.name)
            names.add(letters)
            names.add(_without_kind(letters))
    return frozenset(n for n in names if len(n) >= 3)


def is_guessable(password: str) -> bool:
    letters = _letters(password)
    if not letters:
        return True
    bare = _without_kind(letters)
    return any(word in COMMON_WORDS or word in place_names() for word in {letters, bare})


class VietnameseCommonPasswordValidator:
    def validate(self, password: str, user: object = None) -> None:
        if is_guessable(password):
            raise ValidationError(MESSAGE, code="password_too_common")

    def get_help_text(self) -> str:
        return "Mật khẩu không được chỉ là tên tỉnh, xã, phường, một từ thông dụng hay một dãy số."
