from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from parindex import scoring
from parindex.frameworks.excel import framework_from_xlsx

ALLOWED_SUFFIXES = (".yaml", ".yml", ".json", ".xlsx")


def read_framework_upload(name: str, data: bytes) -> scoring.Framework:
    """Parse uploaded bytes as a framework, by content: .xlsx is a zip, the rest is text.

    Raises scoring.FileUnreadable or scoring.ProblemsError.
    """
    if data[:4] == b"PK\x03\x04":
        return framework_from_xlsx(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise scoring.FileUnreadable("tệp không phải YAML, JSON (UTF-8) hay Excel (.xlsx)") from None
    return scoring.parse_framework(scoring.loads(text, json_only=name.lower().endswith(".json")))


class FrameworkImportForm(forms.Form):
    file = forms.FileField(
        label="Tệp bộ chỉ số",
        help_text="YAML, JSON (định dạng parindex-framework/1) hoặc Excel (.xlsx) theo mẫu tải về từ trang này.",
    )
    publish = forms.BooleanField(
        label="Ban hành ngay sau khi nạp", required=False, help_text="Bỏ chọn để lưu thành bản nháp và kiểm tra trước."
    )

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
