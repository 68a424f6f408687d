"""Forms of the results pages: the board's status filter, approving, publishing, correcting."""

from __future__ import annotations

from typing import Any

from django import forms

from parindex import scoring
from parindex.assessments.workflow import Status

DATE_HINT = "dd/mm/yyyy"


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"placeholder": DATE_HINT, "inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": "Nhập ngày quyết định.",
            "invalid": "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 20/02/2027.",
        },
    )


def _decision_number_field() -> forms.CharField:
    return forms.CharField(
        label="Số quyết định",
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: 165/QĐ-UBND"}),
        error_messages={"required": "Nhập số quyết định công bố (ví dụ: 165/QĐ-UBND)."},
    )


class BoardFilterForm(forms.Form):
    """The board's filter by assessment status (GET ?trang-thai=...)."""

    status = forms.ChoiceField(label="Trạng thái", required=False, choices=())

    def __init__(self, *args: Any, counts: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        total = sum(counts.values())
        self.fields["status"].choices = [("", f"Tất cả ({total})")] + [
            (value, f"{label} ({counts.get(value, 0)})") for value, label in Status.choices
        ]

    def chosen(self) -> str:
        """The status chosen, or "" for every status (an unknown value shows everything)."""
        return self.cleaned_data["status"] if self.is_valid() else ""


class ApprovalForm(forms.Form):
    """The council chair's approval of appraised units, ranked together as one group."""

    assessments = forms.MultipleChoiceField(
        label="Đơn vị được thông qua",
        choices=(),
        required=False,  # or every appraised unit of the cycle (``all_appraised``)
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "Có đơn vị được chọn không thuộc kỳ đánh giá này; hãy tải lại trang.",
        },
    )
    # Every appraised unit of the cycle without a box each: a province's thousand communes
    # would be past the number of fields a request may post (DATA_UPLOAD_MAX_NUMBER_FIELDS).
    all_appraised = forms.BooleanField(label="Tất cả đơn vị đã thẩm định xong của kỳ", required=False)
    # How many there were on the page: the council approves what it saw, not units appraised since.
    appraised_count = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    name = forms.CharField(
        label="Tên nhóm xếp hạng",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: Khối xã, phường, đặc khu"}),
        error_messages={"required": "Đặt tên nhóm xếp hạng (ví dụ: Khối xã, phường)."},
    )
    note = forms.CharField(
        label="Căn cứ",
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: Biên bản họp Hội đồng thẩm định ngày 25/01/2027"}),
    )

    tie_break = forms.ChoiceField(
        label="Khi bằng chỉ số",
        required=False,
        choices=list(scoring.TIE_BREAKS.items()),
    )

    def __init__(self, *args: Any, assessment_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assessments"].choices = [(str(pk), str(pk)) for pk in assessment_ids]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("all_appraised") and not data.get("assessments") and "assessments" not in self.errors:
            self.add_error("assessments", "Chọn ít nhất một đơn vị đã thẩm định xong.")
        return data

    def chosen_ids(self) -> set[str]:
        """The boxes ticked, valid or not, so a refused form shows them ticked again."""
        if not self.is_bound:
            return set()
        return set(self.data.getlist(self.add_prefix("assessments")))


class PublishForm(forms.Form):
    """The Sở Nội vụ admin publishes an approval under the province's decision."""

    decision_number = _decision_number_field()
    decision_date = _date_field("Ngày quyết định")
    issuer = forms.CharField(
        label="Cơ quan ban hành",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Ví dụ: UBND tỉnh Quảng Trị"}),
    )


class CorrectionForm(forms.Form):
    """A correction: a new decision and the reason; the corrected snapshot supersedes the current one."""

    reason = forms.CharField(
        label="Lý do đính chính",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Ví dụ: Đính chính điểm tiêu chí 1.6 của Xã ..."}),
        error_messages={"required": "Ghi lý do đính chính."},
    )
    decision_number = _decision_number_field()
    decision_date = _date_field("Ngày quyết định đính chính")
