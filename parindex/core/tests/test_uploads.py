"""core.uploads: what is checked before openpyxl sees an uploaded workbook."""

from __future__ import annotations

import io

import pytest

from parindex.core import uploads
from tests.security.hostile import make


def refusal(data: bytes, **limits) -> str:
    with pytest.raises(uploads.UploadRefused) as caught:
        uploads.check_xlsx(data, **limits)
    return str(caught.value)


def test_a_real_workbook_opens_read_only():
    wb = uploads.open_xlsx(make.workbook([("Mã", "Tên"), ("1", "Một")]))
    try:
        assert list(wb.worksheets[0].iter_rows(values_only=True)) == [("Mã", "Tên"), ("1", "Một")]
    finally:
        wb.close()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "có thể chỉ bị đặt tên .xlsx"),
        (make.not_a_zip(), "có thể chỉ bị đặt tên .xlsx"),
        (make.old_xls(), "bảng tính Excel cũ (.xls)"),
        (make.encrypted_xlsx(), "được đặt mật khẩu"),
        (make.truncated_xlsx(), "tệp nén .xlsx bị hỏng"),
        (make.plain_zip(), "tệp nén này không phải bảng tính Excel"),
        (make.docx_as_xlsx(), "(đây là văn bản Word)"),
        (make.bzip2_xlsx(), "kiểu nén không được hỗ trợ"),
        (make.entities_xlsx(), "khai báo DTD hoặc thực thể XML"),
        (make.external_entity_xlsx(), "khai báo DTD hoặc thực thể XML"),
    ],
)
def test_each_kind_of_wrong_container_is_named(data, reason):
    assert reason in refusal(data)


def test_sizes_are_checked_from_the_directory_per_part_and_in_total():
    data = make.workbook()
    uploads.check_xlsx(data)
    assert "tối đa 1 KB" in refusal(data, max_member_bytes=1024)
    assert "quá lớn khi giải nén (hơn 2 KB)" in refusal(data, max_total_bytes=2048)


def test_a_part_lying_about_its_size_cannot_inflate_past_it():
    """zipfile stops at the size the directory states (2 KB for 50 MB of data), then the CRC
    check fails: the lie costs at most the stated size."""
    assert "tệp nén .xlsx bị hỏng" in refusal(make.lying_zip_bomb_xlsx())


def test_entities_past_the_sniffed_start_are_refused_by_the_xml_parser():
    with pytest.raises(uploads.UploadRefused, match="không phải bảng tính Excel"):
        uploads.open_xlsx(make.entities_xlsx(hidden=True))


def test_rows_are_counted_without_parsing_and_the_count_stops_at_the_limit():
    wb = uploads.open_xlsx(make.big_xlsx(1000))
    try:
        ws = wb.worksheets[0]
        assert not uploads.rows_over(ws, 1001)  # the header and 1,000 rows
        assert uploads.rows_over(ws, 1000)
    finally:
        wb.close()
    assert not uploads.rows_over(object(), 0)  # not a read-only worksheet: nothing to count


def test_a_row_tag_cut_between_two_chunks_is_counted_once(monkeypatch):
    class Part(io.BytesIO):
        def read(self, size=-1):
            return super().read(7)  # row tags land across chunk ends

    class Sheet:
        def _get_source(self):
            return Part(b"<sheetData>" + b'<row r="1"><c/></row>' * 50 + b"<x:row>" + b"</sheetData>")

    monkeypatch.setattr(uploads, "_OVERLAP", 12)
    assert not uploads.rows_over(Sheet(), 51) and uploads.rows_over(Sheet(), 50)
