"""Input shapes of the external index pages (the services check the rules)."""

from __future__ import annotations

from django import forms


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp kết quả (CSV hoặc Excel .xlsx)")
    source_system = forms.CharField(label="Hệ thống nguồn", max_length=200, initial="Cổng Dịch vụ công quốc gia")
    extracted_on = forms.DateField(label="Ngày trích xuất (dd/mm/yyyy)", input_formats=["%d/%m/%Y", "%Y-%m-%d"])
    contest_until = forms.DateField(
        label="Hạn xã đề nghị xem xét (dd/mm/yyyy)", required=False, input_formats=["%d/%m/%Y", "%Y-%m-%d"]
    )


class ContestForm(forms.Form):
    reason = forms.CharField(label="Lý do", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    proposed = forms.CharField(label="Điểm đề nghị", max_length=12, required=False)
    evidence = forms.CharField(label="Tài liệu kiểm chứng (số, ngày văn bản)", max_length=500, required=False)


class DecideForm(forms.Form):
    accept = forms.TypedChoiceField(
        label="Xử lý", choices=[("1", "Chấp nhận"), ("0", "Không chấp nhận")], coerce=lambda v: v == "1"
    )
    new_value = forms.CharField(label="Điểm sau xem xét", max_length=12, required=False)
    reason = forms.CharField(label="Lý do", max_length=2000)


class AdjustmentForm(forms.Form):
    points = forms.CharField(label="Điểm điều chỉnh (ví dụ -2)", max_length=12)
    reason = forms.CharField(label="Lý do", max_length=500, initial="Lỗi hệ thống")


class ReverseForm(forms.Form):
    reason = forms.CharField(label="Lý do hủy", max_length=500)


class TargetForm(forms.Form):
    year = forms.IntegerField(label="Năm", min_value=2022, max_value=2100)
    target = forms.CharField(label="Mục tiêu (điểm)", max_length=12, required=False)


class SurveyForm(forms.Form):
    code = forms.CharField(label="Mã khảo sát (ví dụ: sipas)", max_length=32)
    name = forms.CharField(label="Tên khảo sát", max_length=300, initial="Chỉ số hài lòng SIPAS")
    field_code = forms.CharField(label="Mã lĩnh vực liên quan (ví dụ: III)", max_length=32, required=False)
    threshold = forms.CharField(label="Ngưỡng cảnh báo chênh lệch (điểm phần trăm)", max_length=8, required=False)


class SurveyImportForm(forms.Form):
    survey = forms.ChoiceField(label="Khảo sát")
    file = forms.FileField(label="Tệp kết quả (CSV hoặc Excel .xlsx)")
    source = forms.CharField(label="Nguồn số liệu", max_length=200, initial="Bộ Nội vụ – SIPAS")

    def __init__(self, *args: object, surveys: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = surveys


class EntryForm(forms.Form):
    """A period's result typed in; the components' fields are named ``diem-<code>`` (the service
    checks them against the version in force on the period's first day)."""

    PREFIX = "diem-"

    period_start = forms.DateField(label="Từ ngày", widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label="Đến ngày", widget=forms.DateInput(attrs={"type": "date"}))
