from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from parindex.accounts.passwords import is_guessable
from parindex.accounts.services import temporary_password


@pytest.mark.parametrize(
    "password",
    ["Quangtri2026", "quảng trị 2026!", "123456789012", "matkhau123456", "Mật khẩu 123!", "Hà Nội 2026!!!",
     "xã Triệu Trạch 1", "Phường Đông Hà 99", "Thanh Hoa 2025@@", "Cchc-123456789"],
)  # fmt: skip
def test_vietnamese_guesses_are_refused(password):
    assert is_guessable(password)
    with pytest.raises(ValidationError):
        password_validation.validate_password(password)


@pytest.mark.parametrize("password", ["Lua chin vang dong 7", "parindex-demo-2026", "Bien xanh Cua Viet!"])
def test_a_long_personal_phrase_is_accepted(password):
    password_validation.validate_password(password)


def test_twelve_characters_at_least():
    with pytest.raises(ValidationError, match="12"):
        password_validation.validate_password("Ngan-7xQ")


def test_temporary_passwords_pass_the_validators_and_differ():
    passwords = {temporary_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        password_validation.validate_password(password)
        assert len(password) == 14
