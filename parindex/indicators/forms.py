"""Forms of the indicator pages: a month's figure, an import, and the way a file is read.

The forms only carry what was typed; the services check figures, periods and mappings and
say what is wrong in Vietnamese (``services.indicator_value_save``, ``indicator_mapping_save``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from parindex.indicators.models import ImportMapping, Indicator
from parindex.indicators.rows import COLUMN_KEYS, COLUMN_LABELS
from parindex.indicators.services import MAX_HEADER_ROW

BY_MONTH, BY_DATE = "year_month", "date"


class ValueForm(forms.Form):
    """One month's figure as typed ("96,5" is fine); ``base_revision`` is the revision shown."""

    numerator = forms.CharField(label="Tử số", required=False, max_length=40)
    denominator = forms.CharField(label="Mẫu số", required=False, max_length=40)
    note = forms.CharField(label="Ghi chú", required=False, max_length=500)
    base_revision = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def error_messages(self) -> list[str]:
        return [e for errors in self.errors.values() for e in errors]


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Indicator) -> str:  # type: ignore[override]
        return obj.name


class MappingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ImportMapping) -> str:  # type: ignore[override]
        return f"{obj.name} (dòng tiêu đề {obj.header_row})"


class ImportForm(forms.Form):
    """An indicator, the saved way its file is read, and the file."""

    indicator = IndicatorChoiceField(label="Chỉ số", queryset=Indicator.objects.none(), empty_label="– Chọn chỉ số –")
    mapping = MappingChoiceField(
        label="Cách đọc tệp", queryset=ImportMapping.objects.none(), empty_label="– Chọn cách đọc tệp –"
    )
    file = forms.FileField(label="Tệp số liệu (.csv hoặc .xlsx)")

    def __init__(
        self, *args: Any, indicators: QuerySet[Indicator], mappings: QuerySet[ImportMapping], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["mapping"].queryset = mappings
        self.fields["indicator"].error_messages["invalid_choice"] = "Chỉ số này không có hoặc đã ngừng theo dõi."
        self.fields["mapping"].error_messages["invalid_choice"] = "Cách đọc tệp này không có ở tỉnh đã chọn."

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".txt", ".xlsx", ".xlsm")):
            raise forms.ValidationError("Chỉ nạp tệp .csv hoặc .xlsx (Excel).")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        indicator, mapping = data.get("indicator"), data.get("mapping")
        if indicator is not None and mapping is not None and mapping.indicator_id != indicator.pk:
            self.add_error(
                "mapping", f"Cách đọc tệp '{mapping.name}' dành cho chỉ số khác; hãy chọn cách đọc của chỉ số này."
            )
        return data

    def error_messages(self) -> list[str]:
        return [e for errors in self.errors.values() for e in errors]


class MappingForm(forms.Form):
    """The header titles of an exported file's columns (``rows.Columns``) and where they are."""

    name = forms.CharField(label="Tên cách đọc tệp", max_length=200, help_text="Ví dụ: Xuất từ Hệ thống một cửa.")
    indicator = IndicatorChoiceField(label="Chỉ số", queryset=Indicator.objects.none(), empty_label="– Chọn chỉ số –")
    header_row = forms.IntegerField(
        label="Dòng tiêu đề",
        min_value=1,
        max_value=MAX_HEADER_ROW,
        initial=1,
        help_text="Số thứ tự dòng chứa tên các cột (tệp xuất thường có vài dòng tiêu đề phía trên).",
    )
    period = forms.ChoiceField(
        label="Tháng của số liệu ghi ở",
        choices=[(BY_MONTH, "Hai cột Năm và Tháng"), (BY_DATE, "Một cột ngày hoặc tháng/năm")],
        initial=BY_MONTH,
        widget=forms.RadioSelect,
    )
    unit_code = forms.CharField(label=COLUMN_LABELS["unit_code"], max_length=200, required=False)
    year = forms.CharField(label=COLUMN_LABELS["year"], max_length=200, required=False)
    month = forms.CharField(label=COLUMN_LABELS["month"], max_length=200, required=False)
    date = forms.CharField(label=COLUMN_LABELS["date"], max_length=200, required=False)
    numerator = forms.CharField(label=COLUMN_LABELS["numerator"], max_length=200, required=False)
    denominator = forms.CharField(
        label=COLUMN_LABELS["denominator"], max_length=200, required=False, help_text="Chỉ với chỉ số tỷ lệ."
    )

    def __init__(self, *args: Any, indicators: QuerySet[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators
        self.fields["name"].error_messages["required"] = "Đặt tên cho cách đọc tệp (ví dụ: Xuất từ Hệ thống một cửa)."
        self.fields["indicator"].error_messages["required"] = "Chọn chỉ số."
        self.fields["header_row"].error_messages |= {
            "required": "Ghi số dòng tiêu đề.",
            "invalid": "Dòng tiêu đề phải là một số nguyên.",
            "min_value": f"Dòng tiêu đề phải từ 1 đến {MAX_HEADER_ROW}.",
            "max_value": f"Dòng tiêu đề phải từ 1 đến {MAX_HEADER_ROW}.",
        }

    @classmethod
    def initial_for(cls, mapping: ImportMapping) -> dict[str, Any]:
        columns = {key: str(mapping.columns.get(key) or "") for key in COLUMN_KEYS}
        return {
            "name": mapping.name,
            "indicator": mapping.indicator_id,
            "header_row": mapping.header_row,
            "period": BY_DATE if columns["date"] else BY_MONTH,
            **columns,
        }

    @classmethod
    def defaults(cls, indicator: Indicator | None) -> dict[str, Any]:
        """The titles of the downloadable template (``COLUMN_LABELS``), for a new mapping."""
        columns = {key: COLUMN_LABELS[key] for key in ("unit_code", "year", "month", "numerator")}
        if indicator is None or indicator.is_ratio:
            columns["denominator"] = COLUMN_LABELS["denominator"]
        return {"header_row": 1, "period": BY_MONTH, "indicator": indicator.pk if indicator else None, **columns}

    def columns(self) -> dict[str, str]:
        """The titles for ``rows.Columns``: the period's unused way left out."""
        data = self.cleaned_data
        out = {key: data.get(key, "").strip() for key in COLUMN_KEYS}
        if data.get("period") == BY_DATE:
            out["year"] = out["month"] = ""
        else:
            out["date"] = ""
        indicator = data.get("indicator")
        if indicator is not None and not indicator.is_ratio:
            out["denominator"] = ""
        return out

    def error_messages(self) -> list[str]:
        return [e for errors in self.errors.values() for e in errors]
