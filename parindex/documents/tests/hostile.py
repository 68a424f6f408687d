"""Hostile .docx templates (security issue #17), built small, each with the refusal it must get.

``CASES`` maps a name to (builder, a fragment of the Vietnamese message). Made on demand rather
than committed (most are about 1 kB, the zip bombs about 60 kB): ``python -m
parindex.documents.tests.hostile DIR`` writes them all to DIR, to try on the upload page by hand.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

DOCUMENT = "word/document.xml"
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
CONTENT_TYPES = (
    f'{XML}<Types xmlns="{PACKAGE}/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    f'{XML}<Relationships xmlns="{PACKAGE}/relationships"><Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/></Relationships>'
)
LAUGHS = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "lol" * 10}">' for i in range(1, 10))

# The slow and the memory-hungry ones slip past the sandbox's caps on purpose: only the child
# process's limits stop them.
SLOW = "{% for i in range(10000) %}{% for c in 'x' * 1000000 %}{% endfor %}{% endfor %}"
NESTED_RANGES = "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}"
DOUBLING = (
    "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
)
APPENDS = "{% set big = [] %}{% for i in range(5000) %}{% if big.append('y' * 1000000) %}{% endif %}{% endfor %}{{ big|length }}"


def docx(*paragraphs: str) -> bytes:
    """The smallest .docx python-docx opens (about 1 kB), with ``paragraphs`` (Jinja included) as its body."""
    body = "".join(f'<w:p><w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>' for text in paragraphs)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("_rels/.rels", RELS)
        zf.writestr(DOCUMENT, f"{XML}<w:document {W}><w:body>{body}<w:sectPr/></w:body></w:document>")
    return out.getvalue()


def rezip(data: bytes, replace: dict[str, bytes], extra: dict[str, bytes] | None = None) -> bytes:
    """``data`` (a zip) with some members replaced and others added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, body in (extra or {}).items():
            dst.writestr(zipfile.ZipInfo(name), body, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def _document(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(DOCUMENT)


def _with_doctype(doctype: str, text: str) -> bytes:
    base = docx("MARK")
    xml = _document(base).decode()
    head, body = xml.split("?>", 1)
    xml = f"{head}?><!DOCTYPE w:document [{doctype}]>{body.replace('MARK', text)}"
    return rezip(base, {DOCUMENT: xml.encode()})


def billion_laughs() -> bytes:
    return _with_doctype(LAUGHS, "&lol9;")


def external_entity() -> bytes:
    return _with_doctype('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;")


def zip_bomb() -> bytes:
    """52 MB of zeros inflating from some 50 kB (refused by the declared sizes, never inflated)."""
    return rezip(docx("Bom"), {}, {"word/media/zeros.bin": bytes(52 * 1024 * 1024)})


def _headers(data: bytes) -> list[tuple[str, int, int]]:
    """(name, offset of the local header, offset of the central directory entry) of each member."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        at, found = zf.start_dir, []
        for info in zf.infolist():
            found.append((info.filename, info.header_offset, at))
            name, extra, comment = struct.unpack_from("<HHH", data, at + 28)
            at += 46 + name + extra + comment
    return found


def lying_zip_bomb() -> bytes:
    """The zip bomb with its member's declared size rewritten to 100 bytes (it still inflates to 52 MB)."""
    data = bytearray(zip_bomb())
    for name, local, central in _headers(bytes(data)):
        if name == "word/media/zeros.bin":
            struct.pack_into("<I", data, local + 22, 100)
            struct.pack_into("<I", data, central + 24, 100)
    return bytes(data)


def encrypted() -> bytes:
    """The "encrypted" flag set on every member (what a password-protected zip carries)."""
    data = bytearray(docx("Mật"))
    for _name, local, central in _headers(bytes(data)):
        data[local + 6] |= 0x1
        data[central + 8] |= 0x1
    return bytes(data)


def corrupt() -> bytes:
    """``word/document.xml``'s compressed bytes flipped in the middle (CRC or inflate error)."""
    data = bytearray(docx(" ".join(str(i * 7919) for i in range(2000))))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        info = zf.getinfo(DOCUMENT)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for i in range(start + 10, start + info.compress_size - 10, 7):
        data[i] ^= 0x5A
    return bytes(data)


def truncated() -> bytes:
    return docx("Cụt")[:-100]


def not_utf8() -> bytes:
    base = docx("MARK")
    return rezip(base, {DOCUMENT: _document(base).replace(b"MARK", b"\xff\xfe\xc3(")})


def utf16() -> bytes:
    base = docx("MARK")
    xml = _document(base).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return rezip(base, {DOCUMENT: xml.encode("utf-16")})


def no_document() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "x")
    return out.getvalue()


def broken_xml_part() -> bytes:
    base = docx("Hỏng")
    return rezip(base, {DOCUMENT: _document(base)[:-40]})


def no_content_types() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(DOCUMENT, f"{XML}<w:document {W}><w:body/></w:document>")
    return out.getvalue()


def deep_xml() -> bytes:
    """100,000 nested elements (lxml stops at 256 levels unless told otherwise)."""
    base = docx("MARK")
    deep = "<w:x>" * 100_000 + "</w:x>" * 100_000
    return rezip(base, {DOCUMENT: _document(base).replace(b"<w:body>", f"<w:body>{deep}".encode())})


def many_tags() -> bytes:
    """Some 30 MB of ``{{ h.body }}`` tags inflating from some 60 kB: Jinja compiles them all."""
    base = docx("MARK")
    runs = (b"{{ h.body }}" * 1000 + b"</w:t></w:r><w:r><w:t>") * 2_500
    return rezip(base, {DOCUMENT: _document(base).replace(b"MARK", runs)})


def _template(*texts: str) -> Callable[[], bytes]:
    return lambda: docx(*texts)


CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "not_a_zip": (lambda: b"%PDF-1.4 not a word file", "không phải văn bản Word"),
    "no_document_xml": (no_document, "không phải văn bản Word"),
    "truncated_zip": (truncated, "không phải văn bản Word"),
    "corrupt_zip": (corrupt, "không phải văn bản Word"),
    "encrypted_zip": (encrypted, "mật khẩu"),
    "zip_bomb": (zip_bomb, "quá 50 MB"),
    "lying_zip_bomb": (lying_zip_bomb, "không phải văn bản Word"),
    "billion_laughs": (billion_laughs, "DOCTYPE"),
    "external_entity": (external_entity, "DOCTYPE"),
    "invalid_utf8": (not_utf8, "UTF-8"),
    "utf16_xml": (utf16, "UTF-8"),
    "broken_xml": (broken_xml_part, "không phải văn bản Word"),
    "no_content_types": (no_content_types, "không phải văn bản Word"),
    "deep_xml": (deep_xml, "không phải văn bản Word"),
    "many_tags": (many_tags, "nên đã bị dừng"),  # time or memory, whichever comes first
    "broken_jinja": (_template("{% for x in %}"), "cú pháp"),
    "sandbox_escape": (_template("{{ ''.__class__.__mro__[1].__subclasses__() }}"), "không được phép"),
    "huge_repeat": (_template("{{ 'x' * 1000000000 }}"), "quá 1.000.000"),
    "huge_list_repeat": (_template("{{ ([1] * 1000000000)|length }}"), "quá 1.000.000"),
    "nested_ranges": (_template(NESTED_RANGES), "range() quá lớn"),
    "many_ranges": (
        _template("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}"),
        "range()",
    ),
    "huge_power": (_template("{{ 10 ** 100000000 }}"), "lũy thừa"),
    "printf_width": (_template("{{ '%0999999999d' % 1 }}"), "quá 1.000.000"),
    "format_filter_width": (_template("{{ '%*d'|format(999999999, 1) }}"), "số quá lớn"),
    "str_format_width": (_template("{{ '{:>999999999}'.format(1) }}"), "quá 1.000.000"),
    "center_filter": (_template("{{ 'x'|center(999999999) }}"), "số quá lớn"),
    "ljust_method": (_template("{{ 'x'.ljust(999999999) }}"), "số quá lớn"),
    "replace_blowup": (_template("{{ ('x' * 1000000).replace('x', 'yyyyyyyyyy') }}"), "quá 1.000.000"),
    "lipsum": (_template("{{ lipsum(1000000) }}"), "quá 1.000.000"),
    "division_by_zero": (_template("{{ 1 / 0 }}"), "không dùng được"),
    "float_overflow": (_template("{{ 10.0 ** 400 }}"), "không dùng được"),
    "recursion": (_template("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"), "quá sâu"),
    "raw_xml": (_template("{{ '</w:t></w:r></w:p></w:body><w:x' | safe }}"), ""),
    "slow_loop": (_template(SLOW), "giây"),
    "string_doubling": (_template(DOUBLING), "MB bộ nhớ"),
    "list_of_appends": (_template(APPENDS), "MB bộ nhớ"),
}


def main(directory: str) -> None:
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    for name, (build, _message) in CASES.items():
        (target / f"{name}.docx").write_bytes(build())


if __name__ == "__main__":
    main(sys.argv[1])
