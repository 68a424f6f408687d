"""Forms of the appraisal pages (Vietnamese labels; the services check the content)."""

from __future__ import annotations

from typing import Any

from django import forms

from parindex.appraisals.models import Sector
from parindex.assessments.forms import AnswerForm


class AppraisalForm(AnswerForm):
    """The rule's inputs as the appraiser finds them, a comment, and the clarification flag."""

    comment = forms.CharField(required=False, label="Nhận xét của người thẩm định", widget=forms.Textarea)
    needs_clarification = forms.BooleanField(required=False, label="Yêu cầu đơn vị giải trình")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["explanation"]


class ClarificationRequestForm(forms.Form):
    deadline = forms.DateField(label="Hạn giải trình (dd/mm/yyyy)")
    message = forms.CharField(
        required=False, label="Nội dung yêu cầu chung", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class AppraiserAssignmentForm(forms.Form):
    appraiser = forms.ChoiceField(label="Người thẩm định")
    sector = forms.ChoiceField(label="Cơ quan", choices=Sector.choices, required=False)
    fields = forms.MultipleChoiceField(label="Lĩnh vực thẩm định", widget=forms.CheckboxSelectMultiple, required=False)
    units = forms.MultipleChoiceField(
        label="Đơn vị (để trống: mọi đơn vị của kỳ)", required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    remove = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, appraisers: list[tuple[str, str]], fields: list[tuple[str, str]], units: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:  # fmt: skip
        super().__init__(*args, **kwargs)
        self.fields["appraiser"].choices = [("", "– Chọn –"), *appraisers]
        self.fields["fields"].choices = fields
        self.fields["units"].choices = units

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("remove"):
            if not data.get("fields"):
                self.add_error("fields", "Chọn ít nhất một lĩnh vực.")
            if not data.get("sector"):
                self.add_error("sector", "Chọn cơ quan của người thẩm định.")
        return data
