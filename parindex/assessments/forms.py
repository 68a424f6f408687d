from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from parindex.core.forms import ListFilterForm, unit_search_field


class AnswerForm(forms.Form):
    """Every input any rule kind takes; the service checks them against the item's rule."""

    value_percent = forms.CharField(required=False, label="Tỷ lệ (%)")
    numerator = forms.CharField(required=False, label="Tử số")
    denominator = forms.CharField(required=False, label="Mẫu số")
    met = forms.ChoiceField(
        required=False, label="Kết quả", choices=[("", "–"), ("true", "Đạt"), ("false", "Không đạt")]
    )
    count = forms.CharField(required=False, label="Số lượng")
    days_late = forms.CharField(required=False, label="Số ngày chậm")
    score = forms.CharField(required=False, label="Điểm")
    not_applicable = forms.BooleanField(required=False, label="Không áp dụng")
    explanation = forms.CharField(required=False, label="Giải thích cách tính điểm", widget=forms.Textarea)
    revision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean_value_percent(self) -> str:
        text = self.cleaned_data["value_percent"].strip().replace(" ", "").replace("%", "")
        if not text:
            return ""
        try:
            return str(Decimal(text.replace(",", ".")) / 100)
        except InvalidOperation:
            raise forms.ValidationError("Tỷ lệ phải là một số, ví dụ 80 hoặc 33,7.") from None

    def inputs(self) -> dict[str, Any]:
        data = self.cleaned_data
        inputs: dict[str, Any] = {
            "value": data["value_percent"],
            "numerator": data["numerator"],
            "denominator": data["denominator"],
            "count": data["count"],
            "days_late": data["days_late"],
            "score": data["score"],
        }
        if data["met"]:
            inputs["met"] = data["met"] == "true"
        if data["not_applicable"]:
            inputs["applicable"] = False
        return {k: v for k, v in inputs.items() if v not in ("", None)}

    def typed_summary(self) -> str:
        """What was typed, in words, to show beside the stored value when a save came too late
        ("Bạn đã nhập: Tỷ lệ (%) 90; Giải thích: …")."""
        shown = []
        for name, field in self.fields.items():
            raw = self.data.get(name, "")
            if name == "revision" or not str(raw).strip():
                continue
            if isinstance(field, forms.BooleanField):
                shown.append(field.label)
            elif isinstance(field, forms.ChoiceField):
                shown.append(f"{field.label} {dict(field.choices).get(raw, raw)}")
            else:
                shown.append(f"{field.label}: {str(raw).strip()}" if name == "explanation" else f"{field.label} {raw}")
        return f"Bạn đã nhập: {'; '.join(shown)}." if shown else ""


class EvidenceForm(forms.Form):
    file = forms.FileField(label="Tệp (PDF, Word, Excel, ảnh)")
    title = forms.CharField(label="Tên tài liệu", max_length=300)
    document_number = forms.CharField(label="Số, ký hiệu", max_length=64, required=False)
    document_date = forms.DateField(label="Ngày ban hành (dd/mm/yyyy)", required=False)
    issuer = forms.CharField(label="Cơ quan ban hành", max_length=200, required=False)
    summary = forms.CharField(label="Trích yếu", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    criteria = forms.MultipleChoiceField(label="Dùng cho tiêu chí thành phần", choices=())

    def __init__(self, *args: Any, leaf_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = leaf_choices


class EvidenceLinkForm(forms.Form):
    """A document already uploaded for the assessment, linked to one more sub-criterion."""

    tai_lieu = forms.ModelChoiceField(label="Tài liệu đã tải lên", queryset=None)
    criteria = forms.ChoiceField(label="Tiêu chí thành phần", choices=())

    def __init__(self, data: Any, *, documents: Any, leaf_choices: list[str]) -> None:
        super().__init__({"tai_lieu": data.get("tai-lieu"), "criteria": data.get("criteria")})
        self.fields["tai_lieu"].queryset = documents
        self.fields["criteria"].choices = [(code, code) for code in leaf_choices]


class EvidenceRevisionForm(forms.Form):
    file = forms.FileField(label="Tệp mới")


class TransitionForm(forms.Form):
    to = forms.CharField()


class CycleOpenForm(forms.Form):
    year = forms.IntegerField(label="Năm đánh giá", min_value=2000, max_value=2100)
    framework_version = forms.ModelChoiceField(label="Bộ chỉ số", queryset=None, empty_label=None)
    name = forms.CharField(label="Tên kỳ đánh giá (để trống để tự đặt)", required=False, max_length=200)
    self_assessment_due = forms.DateField(label="Hạn tự đánh giá (dd/mm/yyyy)")
    appraisal_due = forms.DateField(label="Hạn thẩm định")
    clarification_due = forms.DateField(label="Hạn giải trình")
    publication_due = forms.DateField(label="Hạn công bố")
    units = forms.MultipleChoiceField(label="Đơn vị được đánh giá", widget=forms.CheckboxSelectMultiple, choices=())

    def __init__(self, *args: Any, versions: Any, unit_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework_version"].queryset = versions
        self.fields["units"].choices = unit_choices


class ClarificationAnswerForm(forms.Form):
    answer = forms.CharField(label="Nội dung giải trình", widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    revision = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class ExtensionForm(forms.Form):
    stage = forms.ChoiceField(label="Gia hạn cho", choices=())
    until = forms.DateField(label="Đến hết ngày (dd/mm/yyyy)")
    reason = forms.CharField(label="Lý do", max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from parindex.assessments.models import Stage

        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = Stage.choices


class AssessmentFilterForm(ListFilterForm):
    """The assessment list's filters (GET): a unit's name or code, the year, the status, the old
    district (before the 2025 reform) the unit was in or came from."""

    q = unit_search_field()
    nam = forms.TypedChoiceField(label="Năm", required=False, coerce=int, empty_value=None, choices=())
    trang_thai = forms.ChoiceField(label="Trạng thái", required=False, choices=())
    huyen = forms.TypedChoiceField(
        label="Huyện cũ (trước 7/2025)", required=False, coerce=int, empty_value=None, choices=()
    )

    def __init__(self, *args: Any, years: list[int], districts: list[tuple[int, str]], **kwargs: Any) -> None:
        from parindex.assessments.workflow import Status

        super().__init__(*args, **kwargs)
        self.fields["nam"].choices = [("", "Mọi năm")] + [(y, str(y)) for y in years]
        self.fields["trang_thai"].choices = [("", "Mọi trạng thái"), *Status.choices]
        self.fields["huyen"].choices = [("", "Mọi huyện")] + districts
        if not districts:
            del self.fields["huyen"]
