"""Forms of the appraisal pages (Vietnamese labels; the services check the content)."""

from __future__ import annotations

from typing import Any

from django import forms

from parindex.appraisals.models import Sector
from parindex.assessments.forms import AnswerForm
from parindex.core.forms import ListFilterForm, unit_search_field


class AppraisalForm(AnswerForm):
    """The rule's inputs as the appraiser finds them, a comment, and the clarification flag.

    A ratio may be written as a percent or as tử số / mẫu số. The form starts from the
    inputs found (the unit's, or the last round's), so one of the two ways is already
    filled in: the ``shown_*`` fields say what was, and the way the appraiser changed wins
    over the one left as it was shown. Both changed is refused.
    """

    comment = forms.CharField(required=False, label="Nhận xét của người thẩm định", widget=forms.Textarea)
    needs_clarification = forms.BooleanField(required=False, label="Yêu cầu đơn vị giải trình")
    shown_percent = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_numerator = forms.CharField(required=False, widget=forms.HiddenInput)
    shown_denominator = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["explanation"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "value_percent" not in data:  # already refused: not a number
            return data
        percent, ratio = self._typed("value_percent"), (self._typed("numerator"), self._typed("denominator"))
        if not percent or not any(ratio):
            return data
        percent_kept = percent == self._typed("shown_percent")
        ratio_kept = ratio == (self._typed("shown_numerator"), self._typed("shown_denominator"))
        if percent_kept and not ratio_kept:
            data["value_percent"] = ""
        elif ratio_kept and not percent_kept:
            data["numerator"] = data["denominator"] = ""
        else:
            raise forms.ValidationError(
                "Chỉ ghi tỷ lệ hoặc tử số và mẫu số, không ghi cả hai: xoá một trong hai cách ghi."
            )
        return data

    def _typed(self, name: str) -> str:
        """What was posted in ``name``, as compared: no spaces, no percent sign, decimal comma."""
        text = str(self.data.get(name) or "")
        return text.replace(" ", "").replace("%", "").replace(".", ",")


class ClarificationRequestForm(forms.Form):
    """A clarification request: checked and shown back first, sent once ``confirmed``.

    ``items`` are the codes the appraiser saw listed when confirming; a list changed since
    (another appraiser flagged or cleared an item) is shown again rather than sent.
    """

    deadline = forms.DateField(label="Hạn giải trình (dd/mm/yyyy)")
    message = forms.CharField(
        required=False, label="Nội dung yêu cầu chung", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
    items = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_deadline(self) -> Any:
        from django.utils import timezone

        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise forms.ValidationError("Hạn giải trình phải từ hôm nay trở đi.")
        return deadline


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


class QueueFilterForm(ListFilterForm):
    """The appraisal list's filters (GET): a unit's name or code, the cycle (by year), a status,
    a field of my part."""

    q = unit_search_field()
    ky = forms.TypedChoiceField(label="Năm", required=False, coerce=int, empty_value=None, choices=())
    trang_thai = forms.ChoiceField(label="Trạng thái", required=False, choices=())
    linh_vuc = forms.ChoiceField(label="Lĩnh vực", required=False, choices=())

    def __init__(self, *args: Any, cycles: list[Any], fields: list[Any], **kwargs: Any) -> None:
        from parindex.assessments.workflow import Status

        super().__init__(*args, **kwargs)
        provinces = {c.province_id for c in cycles}
        self.fields["ky"].choices = [
            (c.pk, f"{c.year} – {c.province.name}" if len(provinces) > 1 else str(c.year)) for c in cycles
        ]
        self.fields["trang_thai"].choices = [("", "Mọi trạng thái")] + [
            (value, label) for value, label in Status.choices if value != Status.DRAFT
        ]
        self.fields["linh_vuc"].choices = [("", "Mọi lĩnh vực của tôi")] + [
            (f.code, f"{f.code}. {f.name}") for f in fields
        ]

    def filters(self) -> dict[str, Any]:
        """What was chosen but the cycle (an invalid choice is left out: the list shows more)."""
        return {k: v for k, v in super().filters().items() if k in ("trang_thai", "linh_vuc", "q")}
