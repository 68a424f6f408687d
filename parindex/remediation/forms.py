"""Forms of the plan pages: the input's shape only (points with a decimal comma, dd/mm/yyyy
dates, the revision a save started from). The rules (a description, a due date within the
plan's year, expected points within the line's loss) are the services'."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from parindex.core.forms import ListFilterForm, unit_search_field
from parindex.remediation.workflow import ActionStatus, DeadlineKind, PlanStatus

DATE_HINT = "dd/mm/yyyy"
RELOAD = "Thiếu thông tin phiên bản đang sửa; hãy tải lại trang."


def _revision(required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(
        required=required,
        min_value=0,
        widget=forms.HiddenInput,
        error_messages={"required": RELOAD, "invalid": RELOAD, "min_value": RELOAD},
    )


class PointsField(forms.CharField):
    """Points as a person writes them: 0,5 or 0.5 (empty: none)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip().replace(" ", "")
        if not text:
            return None
        if len(text) > 20:
            raise forms.ValidationError("Số điểm phải là một số, ví dụ 0,5.", code="invalid")
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise forms.ValidationError("Số điểm phải là một số, ví dụ 0,5.", code="invalid") from None
        if not number.is_finite():
            raise forms.ValidationError("Số điểm phải là một số, ví dụ 0,5.", code="invalid")
        return number


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"placeholder": DATE_HINT, "inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"invalid": "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 31/03/2026."},
    )


class PlanHeaderForm(forms.Form):
    title = forms.CharField(
        label="Tên kế hoạch",
        max_length=300,
        widget=forms.TextInput,
        error_messages={"required": "Nhập tên kế hoạch.", "max_length": "Tên kế hoạch dài quá 300 ký tự."},
    )
    document_number = forms.CharField(
        label="Số, ký hiệu",
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: 45/KH-UBND"}),
        error_messages={"max_length": "Số, ký hiệu dài quá 64 ký tự."},
    )
    revision = _revision()


class ItemCauseForm(forms.Form):
    cause = forms.CharField(
        label="Nguyên nhân không đạt điểm tối đa",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "Nguyên nhân dài quá 5000 ký tự."},
    )
    revision = _revision()


class ActionForm(forms.Form):
    """A measure (biện pháp): what, who, by when, how many points it should recover."""

    description = forms.CharField(
        label="Biện pháp khắc phục",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": "Nội dung biện pháp dài quá 5000 ký tự."},
    )
    office = forms.CharField(
        label="Bộ phận thực hiện",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: Văn phòng - Thống kê"}),
        error_messages={"max_length": "Tên bộ phận dài quá 200 ký tự."},
    )
    official = forms.ChoiceField(
        label="Công chức phụ trách",
        required=False,
        choices=(),
        error_messages={"invalid_choice": "Người được chọn không phải công chức của xã; hãy tải lại trang."},
    )
    deadline_kind = forms.ChoiceField(
        label="Thời hạn",
        choices=DeadlineKind.choices,
        error_messages={
            "required": "Chọn thời hạn: đến ngày, cả năm hoặc hàng quý.",
            "invalid_choice": "Chọn thời hạn: đến ngày, cả năm hoặc hàng quý.",
        },
    )
    due = _date("Hạn hoàn thành (dd/mm/yyyy)")
    expected_points = PointsField(label="Điểm dự kiến khắc phục", required=False)

    def __init__(self, *args: Any, officials: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officials = {str(u.pk): u for u in officials}
        self.fields["official"].choices = [("", "– Chưa chọn –")] + [(str(u.pk), str(u)) for u in officials]

    def chosen_official(self) -> Any:
        return self.officials.get(self.cleaned_data.get("official") or "")


class ActionUpdateForm(ActionForm):
    revision = _revision()


class ReportSummaryForm(forms.Form):
    summary = forms.CharField(
        label="Đánh giá chung kết quả khắc phục",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": "Nội dung đánh giá dài quá 20000 ký tự."},
    )
    revision = _revision()


class PlanTransitionForm(forms.Form):
    to = forms.ChoiceField(choices=PlanStatus.choices)


class ProgressForm(forms.Form):
    """Only renders the fields ``remediation:action-progress`` reads (it validates them itself)."""

    status = forms.ChoiceField(label="Tình trạng", choices=ActionStatus.choices)
    completed_on = _date("Ngày hoàn thành (dd/mm/yyyy)")
    result = forms.CharField(label="Kết quả thực hiện", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    text = forms.CharField(label="Ghi chú tiến độ", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label="Tài liệu kiểm chứng (không bắt buộc)", required=False)


NO_PLAN = "chua-lap"


class ResultFilterForm(ListFilterForm):
    """The filters of my units' published results (GET): a unit's name or code, the year of the
    results, the state of the plan (none drafted yet, or a plan status)."""

    q = unit_search_field()
    nam = forms.TypedChoiceField(label="Năm kết quả", required=False, coerce=int, empty_value=None, choices=())
    ke_hoach = forms.ChoiceField(
        label="Kế hoạch khắc phục",
        required=False,
        choices=[("", "Mọi kế hoạch"), (NO_PLAN, "Chưa lập"), *PlanStatus.choices],
    )

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nam"].choices = [("", "Mọi năm")] + [(y, str(y)) for y in years]
