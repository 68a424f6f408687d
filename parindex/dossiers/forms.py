"""Forms of the late dossier pages: the input's shape only (dd/mm/yyyy dates, lengths, the revision
an edit started from). The rules (a late dossier is returned after its due date, the letter's
number and dates when it was issued, a frozen year) are the services'."""

from __future__ import annotations

from typing import Any

from django import forms

from parindex.dossiers.models import LateDossier

DATE_HINT = "dd/mm/yyyy"
RELOAD = "Thiếu thông tin phiên bản đang sửa; hãy tải lại trang."
BAD_DATE = "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 31/03/2026."


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": DATE_HINT, "inputmode": "numeric", "autocomplete": "off"}
        ),
        error_messages={"invalid": BAD_DATE, "required": f"Nhập {label.lower()} ({DATE_HINT})."},
    )


def _text(
    label: str, max_length: int, *, required: bool = False, textarea: bool = False, **attrs: Any
) -> forms.CharField:
    widget = forms.Textarea(attrs={"rows": 3, **attrs}) if textarea else forms.TextInput(attrs=attrs)
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        widget=widget,
        error_messages={"required": f"Nhập {label.lower()}.", "max_length": f"{label}: dài quá {max_length} ký tự."},
    )


class LateDossierForm(forms.Form):
    code = _text("Mã hồ sơ", 64, required=True, placeholder="Ví dụ: 000.00.19.H45-261002-0013")
    procedure = _text("Tên thủ tục hành chính", 500, required=True)
    applicant = _text("Người, tổ chức nộp hồ sơ", 300)
    received_on = _date("Ngày tiếp nhận", required=True)
    due_on = _date("Ngày hẹn trả kết quả", required=True)
    resolved_on = _date("Ngày trả kết quả", help_text="Để trống khi hồ sơ chưa trả kết quả.")
    delay_reason = _text("Lý do trễ hạn", 2000, required=True, textarea=True)
    apology_issued = forms.BooleanField(
        label="Đã gửi thư xin lỗi (Phiếu xin lỗi và hẹn lại ngày trả kết quả)", required=False
    )
    letter_number = _text("Số, ký hiệu thư xin lỗi", 64, placeholder="Ví dụ: 12/PXL-UBND")
    letter_date = _date("Ngày thư xin lỗi")
    new_due_on = _date("Ngày hẹn trả lại", help_text="Ngày hẹn trả kết quả mới ghi trong thư xin lỗi.")
    note = _text("Ghi chú", 500)
    revision = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"invalid": RELOAD, "min_value": RELOAD},
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["revision"].required = True
            self.fields["revision"].error_messages["required"] = RELOAD

    @classmethod
    def for_dossier(cls, dossier: LateDossier) -> LateDossierForm:
        """The edit form filled with the stored dossier and its revision."""
        initial = {name: getattr(dossier, name) for name in cls.base_fields if name != "revision"}
        return cls(initial={**initial, "revision": dossier.revision}, editing=True)

    def service_values(self) -> dict[str, Any]:
        """The cleaned values as ``services.late_dossier_save`` takes them."""
        data = dict(self.cleaned_data)
        data.pop("revision", None)
        return data


class DeleteForm(forms.Form):
    revision = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={"required": RELOAD, "invalid": RELOAD, "min_value": RELOAD},
    )


class DossierFilterForm(forms.Form):
    """The register's filters (GET, beside the year): a dossier's code, procedure or applicant;
    with or without an apology letter."""

    APOLOGY = {"co": True, "chua": False}

    q = forms.CharField(
        label="Tìm hồ sơ",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Mã hồ sơ, thủ tục, người nộp", "autocomplete": "off"}
        ),
    )
    thu = forms.ChoiceField(
        label="Thư xin lỗi",
        required=False,
        choices=[("", "Tất cả"), ("chua", "Chưa có thư xin lỗi"), ("co", "Đã có thư xin lỗi")],
    )

    def filters(self) -> dict[str, Any]:
        """What was chosen, as ``selectors.late_dossiers`` takes it (an invalid choice is left out)."""
        if self.is_bound:
            self.is_valid()
        data = getattr(self, "cleaned_data", {})
        out: dict[str, Any] = {}
        if data.get("q"):
            out["q"] = data["q"]
        if data.get("thu") in self.APOLOGY:
            out["apology"] = self.APOLOGY[data["thu"]]
        return out
