"""What the user enters before a document is rendered: its heading, and the kind's own sections."""

from __future__ import annotations

from typing import Any

from django import forms

from parindex.documents import facts
from parindex.documents.models import Kind

LINES_HELP = "Mỗi dòng một nơi; dấu “-” đầu dòng và dấu “;” cuối dòng được thêm tự động."
ADDRESSED = {Kind.REMEDIATION_LETTER, Kind.CCHC_REPORT, Kind.REMEDIATION_REPORT}


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())


class HeadingForm(forms.Form):
    """The heading of any document (Nghị định 30/2020: body, number, place and date, signer, Nơi nhận)."""

    parent_body = forms.CharField(
        label="Cơ quan chủ quản (nếu có)", max_length=200, required=False, help_text="Để trống với UBND xã, UBND tỉnh."
    )
    body = forms.CharField(
        label="Cơ quan ban hành",
        max_length=200,
        error_messages={"required": "Nhập cơ quan ban hành (ví dụ: Ủy ban nhân dân xã Nam Cửa Việt)."},
    )
    number = forms.IntegerField(
        label="Số",
        min_value=1,
        max_value=99999,
        required=False,
        help_text="Số tiếp theo trong sổ văn bản của cơ quan, hoặc số do hệ thống quản lý văn bản cấp; "
        "để trống để văn thư ghi số khi ký.",
    )
    symbol = forms.CharField(
        label="Ký hiệu",
        max_length=40,
        help_text="Ví dụ: KH-UBND, TB-UBND, UBND-VP.",
        error_messages={"required": "Nhập ký hiệu văn bản (ví dụ: KH-UBND)."},
    )
    place = forms.CharField(
        label="Địa danh",
        max_length=100,
        help_text="Tên đơn vị hành chính nơi cơ quan đóng trụ sở.",
        error_messages={"required": "Nhập địa danh nơi ban hành (ví dụ: Nam Cửa Việt)."},
    )
    date = forms.DateField(
        label="Ngày ban hành",
        help_text="Ngày/tháng/năm, ví dụ 05/01/2027.",
        error_messages={
            "required": "Nhập ngày ban hành (ngày/tháng/năm).",
            "invalid": "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 05/01/2027.",
        },
    )
    subject = forms.CharField(
        label="Trích yếu",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Nhập trích yếu nội dung văn bản."},
    )
    addressees = forms.CharField(
        label="Kính gửi", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text=LINES_HELP
    )
    on_behalf = forms.BooleanField(label="Ký thay mặt tập thể (TM. ỦY BAN NHÂN DÂN)", required=False)
    deputy = forms.BooleanField(label="Cấp phó ký thay (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH)", required=False)
    # Checked here, not by the browser (the form is novalidate): the message stands by the field.
    signer_name = forms.CharField(
        label="Họ và tên người ký",
        max_length=150,
        error_messages={"required": "Nhập họ và tên người ký văn bản (ví dụ: Lê Văn Mẫn)."},
    )
    recipients = forms.CharField(
        label="Nơi nhận",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=LINES_HELP,
        error_messages={"required": "Cần ít nhất một nơi nhận (ví dụ: Lưu: VT)."},
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind not in ADDRESSED:
            del self.fields["addressees"]
        if kind == Kind.BROADCAST:  # a text read aloud, approved by the chairman: no number
            del self.fields["number"]
            del self.fields["symbol"]

    def clean_symbol(self) -> str:
        symbol = self.cleaned_data["symbol"].strip().upper().replace(" ", "")
        if not symbol or symbol.startswith("/") or symbol.endswith("-"):
            raise forms.ValidationError("Ký hiệu viết liền, ví dụ KH-UBND.")
        return symbol

    def clean_recipients(self) -> str:
        text = self.cleaned_data["recipients"]
        if not _lines(text):
            raise forms.ValidationError("Cần ít nhất một nơi nhận (ví dụ: Lưu: VT).")
        return text

    def heading(self) -> facts.Heading:
        d = self.cleaned_data
        return facts.Heading(
            body=d["body"].strip(),
            parent_body=d["parent_body"].strip(),
            number=d.get("number"),
            symbol=d.get("symbol", ""),
            place=d["place"].strip(),
            date=d["date"],
            subject=" ".join(d["subject"].split()),
            signer_name=d["signer_name"].strip(),
            on_behalf="Ủy ban nhân dân" if d["on_behalf"] else "",
            deputy=d["deputy"],
            recipients=_lines(d["recipients"]),
            addressees=_lines(d.get("addressees", "")),
        )


def _free(label: str, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text="Để trống: văn bản để một dòng đánh dấu vàng cho đơn vị tự viết.",
    )


class ExtraForm(forms.Form):
    """The kind's own inputs: meeting facts, report period, and the sections the unit writes itself."""

    def __init__(self, *args: Any, kind: str, fields: list[tuple[str, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        f = self.fields
        if kind == Kind.CONCLUSION_NOTICE:
            f["meeting_date"] = forms.DateField(label="Ngày họp", help_text="Ngày/tháng/năm.")
            f["participants"] = forms.CharField(label="Thành phần tham dự", max_length=500)
            f["assessment"] = _free("Nhận định chung về nguyên nhân (nếu có)")
            f["tasks"] = _free("Nhiệm vụ khác được giao (nếu có)")
        elif kind == Kind.CCHC_REPORT:
            f["period"] = forms.ChoiceField(
                label="Kỳ báo cáo", choices=[("half", "6 tháng đầu năm"), ("year", "Cả năm")], initial="half"
            )
            f["direction"] = _free("I. Công tác chỉ đạo, điều hành CCHC")
            for code, name in fields:
                f[f"field_{code}"] = _free(f"Lĩnh vực {code}. {name}", rows=3)
            f["limits"] = _free("Tồn tại, hạn chế và nguyên nhân")
            f["next"] = _free("Nhiệm vụ trọng tâm kỳ tới, kiến nghị")
        elif kind == Kind.REMEDIATION_LETTER:
            f["request"] = _free("Yêu cầu thêm của lãnh đạo UBND xã (nếu có)", rows=3)
        elif kind == Kind.REMEDIATION_PLAN:
            f["other"] = _free("Nội dung khác (kinh phí, phối hợp …)", rows=3)
        elif kind == Kind.DIRECTIVE:
            f["other"] = _free("Nhiệm vụ khác Chủ tịch giao (nếu có)", rows=3)
        elif kind == Kind.BROADCAST:
            f["month"] = forms.TypedChoiceField(
                label="Tháng phát", choices=[(m, f"Tháng {m}") for m in range(1, 13)], coerce=int
            )
            f["more"] = forms.CharField(
                label="Nội dung thêm (nếu có)",
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
                help_text="Để trống: bài tuyên truyền không có đoạn này (không để dòng đánh dấu, vì bài được đọc trên loa).",
            )
        elif kind == Kind.REMEDIATION_REPORT:
            f["summary"] = _free("Đánh giá chung (khi báo cáo trên hệ thống chưa có)", rows=3)
            f["proposals"] = _free("Kiến nghị, đề xuất (nếu có)", rows=3)

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class TemplateUploadForm(forms.Form):
    kind = forms.ChoiceField(label="Loại văn bản", choices=Kind.choices)
    file = forms.FileField(
        label="Tệp mẫu Word (.docx)",
        help_text="Tối đa 5 MB. Mẫu được chạy thử với số liệu mẫu trước khi dùng; mẫu chạy quá lâu "
        "hoặc dùng quá nhiều bộ nhớ sẽ bị từ chối.",
    )


class RegisterFilterForm(forms.Form):
    """The register's filters (GET): number and symbol, subject or signer; the kind; the year."""

    q = forms.CharField(
        label="Tìm văn bản",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Số, ký hiệu, trích yếu, người ký", "autocomplete": "off"}
        ),
    )
    loai = forms.ChoiceField(label="Loại văn bản", required=False, choices=[("", "Mọi loại"), *Kind.choices])
    nam = forms.TypedChoiceField(label="Năm", required=False, coerce=int, empty_value=None, choices=())

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["nam"].choices = [("", "Mọi năm")] + [(y, str(y)) for y in years]

    def filters(self) -> dict[str, Any]:
        """What was chosen, as ``register_of`` takes it (an invalid choice is left out)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {key: data[name] for name, key in (("q", "q"), ("loai", "kind"), ("nam", "year")) if data.get(name)}


class RegisterNumberForm(forms.Form):
    """The next number of one symbol in the body's register, as its văn thư keeps it."""

    symbol = forms.CharField(
        label="Ký hiệu",
        max_length=40,
        error_messages={"required": "Nhập ký hiệu văn bản (ví dụ: KH-UBND)."},
    )
    year = forms.IntegerField(label="Năm", min_value=2000, max_value=2100)
    next_number = forms.IntegerField(
        label="Số tiếp theo",
        min_value=1,
        max_value=99999,
        help_text="Số sẽ cấp cho văn bản tiếp theo của ký hiệu này (theo sổ đăng ký văn bản đi).",
        error_messages={"required": "Nhập số tiếp theo trong sổ văn bản.", "min_value": "Số tiếp theo từ 1 trở lên."},
    )

    def clean_symbol(self) -> str:
        symbol = self.cleaned_data["symbol"].strip().upper().replace(" ", "")
        if not symbol or symbol.startswith("/") or symbol.endswith("-"):
            raise forms.ValidationError("Ký hiệu viết liền, ví dụ KH-UBND.")
        return symbol
