"""Forms of the people pages: input shapes only; rights and rules are in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator

from parindex.accounts.models import Role
from parindex.units.models import AdministrativeUnit

USERNAME_HELP = "Chữ không dấu, số và . - _ (ví dụ: nguyenvana.namcuaviet); dùng để đăng nhập."


class UnitChoiceField(forms.ModelChoiceField):
    default_error_messages = {"invalid_choice": "Đơn vị này không thuộc phạm vi bạn quản lý; hãy chọn trong danh sách."}

    def label_from_instance(self, obj: AdministrativeUnit) -> str:
        return obj.name


class PersonFields(forms.Form):
    full_name = forms.CharField(label="Họ và tên", max_length=150)
    position = forms.CharField(
        label="Chức vụ", max_length=150, required=False, help_text="Ví dụ: Công chức Văn phòng - Thống kê"
    )
    email = forms.EmailField(label="Thư điện tử", required=False)
    phone = forms.RegexField(
        label="Số điện thoại",
        regex=r"^[0-9 +().-]{0,20}$",
        max_length=20,
        required=False,
        error_messages={"invalid": "Số điện thoại chỉ gồm chữ số, dấu cách và + ( ) . -"},
    )


class PersonCreateForm(PersonFields):
    username = forms.CharField(
        label="Tên đăng nhập",
        max_length=150,
        min_length=3,
        help_text=USERNAME_HELP,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9._-]+\Z", "Tên đăng nhập chỉ gồm chữ không dấu, chữ số và . - _ (không dấu cách)."
            )
        ],
    )
    unit = UnitChoiceField(label="Đơn vị công tác", queryset=AdministrativeUnit.objects.none())
    role = forms.ChoiceField(label="Vai trò đầu tiên", choices=Role.choices)
    is_deputy = forms.BooleanField(label="Phó Chủ tịch (ký thay: KT. CHỦ TỊCH)", required=False)

    field_order = ["username", "full_name", "position", "email", "phone", "unit", "role", "is_deputy"]

    def __init__(self, *args: Any, units: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["role"].choices = roles

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()


class PersonEditForm(PersonFields):
    """With the values the form was shown with, so a concurrent change is never overwritten."""

    base_full_name = forms.CharField(widget=forms.HiddenInput, required=False)
    base_position = forms.CharField(widget=forms.HiddenInput, required=False)
    base_email = forms.CharField(widget=forms.HiddenInput, required=False)
    base_phone = forms.CharField(widget=forms.HiddenInput, required=False)

    @classmethod
    def for_user(cls, user: Any) -> PersonEditForm:
        values = {name: getattr(user, name) for name in ("full_name", "position", "email", "phone")}
        return cls(initial={**values, **{f"base_{k}": v for k, v in values.items()}})

    def base(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(f"base_{name}", "") for name in ("full_name", "position", "email", "phone")}


class RoleGrantForm(forms.Form):
    role = forms.ChoiceField(label="Vai trò", choices=Role.choices)
    unit = UnitChoiceField(label="Tại đơn vị", queryset=AdministrativeUnit.objects.none())
    is_deputy = forms.BooleanField(label="Phó Chủ tịch (ký thay)", required=False)

    def __init__(self, *args: Any, units: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["role"].choices = roles


class PeopleFilterForm(forms.Form):
    q = forms.CharField(
        label="Tìm",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "Họ tên, tên đăng nhập, thư điện tử"}),
    )
    don_vi = UnitChoiceField(
        label="Đơn vị công tác", queryset=AdministrativeUnit.objects.none(), required=False, empty_label="Mọi đơn vị"
    )
    vai_tro = forms.ChoiceField(label="Vai trò", choices=[("", "Mọi vai trò"), *Role.choices], required=False)
    trang_thai = forms.ChoiceField(
        label="Trạng thái", choices=[("", "Tất cả"), ("1", "Đang hoạt động"), ("0", "Đã khóa")], required=False
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["don_vi"].queryset = units
