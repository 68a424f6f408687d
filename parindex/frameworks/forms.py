from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from parindex import scoring
from parindex.core.uploads import OLE_MAGIC
from parindex.frameworks.excel import framework_from_xlsx
from parindex.frameworks.permissions import NATIONAL_LABEL

ALLOWED_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")


def read_framework_upload(name: str, data: bytes) -> scoring.Framework:
    """Parse uploaded bytes as a framework: a file named .xlsx, or any zip, as a workbook
    (``framework_from_xlsx`` checks the container first); the rest as UTF-8 YAML or JSON text.

    Raises scoring.FileUnreadable or scoring.ProblemsError.
    """
    if data[:4] == b"PK\x03\x04" or name.lower().endswith(".xlsx"):
        return framework_from_xlsx(data)
    if data[:8] == OLE_MAGIC:
        raise scoring.FileUnreadable(
            "tệp là tệp Office dạng cũ (.xls, .doc); bộ chỉ số nhận YAML, JSON (UTF-8) hoặc Excel (.xlsx)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise scoring.FileUnreadable(
            "tệp không phải YAML, JSON (văn bản UTF-8) hay Excel (.xlsx); nếu là văn bản, hãy lưu lại với bảng mã UTF-8"
        ) from None
    if "\x00" in text:
        raise scoring.FileUnreadable(
            "tệp có ký tự NUL: không phải văn bản YAML hay JSON (UTF-8); tệp UTF-16 cần lưu lại với bảng mã UTF-8"
        )
    return scoring.parse_framework(scoring.loads(text, json_only=name.lower().endswith(".json")))


class FrameworkImportForm(forms.Form):
    owner = forms.ChoiceField(
        label="Bộ chỉ số của",
        required=False,
        error_messages={"invalid_choice": "Chọn tỉnh sở hữu bộ chỉ số trong danh sách."},
        help_text="Chỉ tỉnh sở hữu được nạp phiên bản mới, ban hành và xem bản nháp của bộ chỉ số.",
    )
    file = forms.FileField(
        label="Tệp bộ chỉ số",
        help_text="YAML, JSON (định dạng parindex-framework/1) hoặc Excel (.xlsx) theo mẫu tải về từ trang này.",
    )
    publish = forms.BooleanField(
        label="Ban hành ngay sau khi nạp", required=False, help_text="Bỏ chọn để lưu thành bản nháp và kiểm tra trước."
    )

    def __init__(self, *args: Any, owners: list[Any], **kwargs: Any) -> None:
        """``owners``: the provinces the importer may import for (None: national), at least one."""
        super().__init__(*args, **kwargs)
        self.owners = {"" if o is None else str(o.pk): o for o in owners}
        self.fields["owner"].choices = [(key, o.name if o else NATIONAL_LABEL) for key, o in self.owners.items()]
        if len(self.owners) == 1:  # nothing to choose: the only one, whatever is posted
            field = self.fields["owner"]
            field.disabled, field.initial, field.widget = True, next(iter(self.owners)), forms.HiddenInput()

    @property
    def has_owner_choice(self) -> bool:
        return len(self.owners) > 1

    def clean_owner(self) -> Any:
        """The chosen province (None: national)."""
        key = self.cleaned_data["owner"]
        if key not in self.owners:
            raise forms.ValidationError("Chọn tỉnh sở hữu bộ chỉ số.")
        return self.owners[key]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = settings.FRAMEWORK_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"Tệp quá lớn ({filesizeformat(upload.size)}); tối đa {filesizeformat(limit)}.")
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("Chỉ nhận tệp .yaml, .yml, .json hoặc .xlsx.")
        data = upload.read()
        try:
            self.spec = read_framework_upload(upload.name, data)
        except scoring.FileUnreadable as exc:
            raise forms.ValidationError(f"Không đọc được tệp: {exc}") from None
        except scoring.ProblemsError as exc:
            self.problems = exc.problems
            raise forms.ValidationError(f"Tệp có {len(exc.problems)} lỗi; chưa có gì được lưu.") from None
        return upload


class TransitionForm(forms.Form):
    to = forms.CharField()
    note = forms.CharField(required=False, max_length=500)


class VersionExtendForm(forms.Form):
    """The decision keeping a version in force for longer (the service checks the years)."""

    to_year = forms.IntegerField(
        label="Kéo dài thời gian áp dụng đến năm",
        min_value=2000,
        max_value=2100,
        error_messages={"required": "Nhập năm kéo dài đến.", "invalid": "Năm phải là số, ví dụ 2026."},
    )
    decision_number = forms.CharField(
        label="Theo Quyết định số",
        max_length=64,
        error_messages={"required": "Nhập số quyết định kéo dài thời gian áp dụng."},
        help_text="Ví dụ: 2156/QĐ-UBND",
    )
    decision_date = forms.DateField(
        label="Ngày quyết định (dd/mm/yyyy)",
        error_messages={
            "required": "Nhập ngày quyết định kéo dài thời gian áp dụng.",
            "invalid": "Ngày quyết định phải có dạng dd/mm/yyyy.",
        },
    )
