"""Hostile files for the import paths (security issue #17), made on demand instead of committed.

Each function returns the bytes of one file; ``python tests/security/hostile/make.py DIR``
writes them all to DIR to replay them by hand (the big ones take a few seconds and ~25 MB).

Kept small and dependency-free but for openpyxl (to start from a real workbook).
"""

from __future__ import annotations

import io
import random
import sys
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# -- YAML / JSON -----------------------------------------------------------------------------


def deep_json(depth: int = 100_000) -> bytes:
    """A JSON array nested ``depth`` deep (RecursionError in json.loads)."""
    return b"[" * depth + b"]" * depth


def deep_json_objects(depth: int = 100_000) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def deep_yaml_flow(depth: int = 100_000) -> bytes:
    return b"criteria: " + b"[" * depth + b"]" * depth + b"\n"


def deep_yaml_block(depth: int = 900) -> bytes:
    """Block sequences nested ``depth`` deep (each line one level further in; 900 levels stay under the 1 MB upload cap)."""
    return "".join("  " * i + "-\n" for i in range(depth)).encode()


def yaml_billion_laughs(levels: int = 9, width: int = 9) -> bytes:
    """Anchors of anchors: 9 lines, 9^9 (387 million) values once aliases are expanded."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    lines.append(f"criteria: [*a{levels - 1}]")
    return ("\n".join(lines) + "\n").encode()


def yaml_merge_bomb(levels: int = 9, width: int = 9) -> bytes:
    """The same with merge keys (``<<: [*a, *a ...]``), which PyYAML copies into each mapping."""
    keys = ", ".join(f"k{i}: {i}" for i in range(width))
    lines = [f"m0: &m0 {{{keys}}}"]
    for level in range(1, levels):
        merged = ", ".join([f"*m{level - 1}"] * width)
        lines.append(f"m{level}: &m{level} {{<<: [{merged}], x{level}: 1}}")
    return ("\n".join(lines) + "\n").encode()


def yaml_alias_chain(length: int = 2000) -> bytes:
    """Each anchor one level deeper than the last: shallow text, a 2,000-deep structure."""
    lines = ["c0: &c0 [x]"] + [f"c{i}: &c{i} [*c{i - 1}]" for i in range(1, length)]
    return ("\n".join(lines) + "\n").encode()


HOSTILE_YAML_VALUES = {
    # a date that does not exist (ValueError in the YAML timestamp constructor)
    "impossible_date": b"format: parindex-framework/1\ndecision: {number: 1, date: 2023-02-30}\n",
    # a list as a mapping key (TypeError: unhashable)
    "list_key": b"? [a, b]\n: 1\n",
    # an integer of 5,000 digits (ValueError past Python's 4,300-digit limit)
    "huge_int": b"max_total: " + b"9" * 5000 + b"\n",
    # a number far past the decimal context (Overflow when normalised)
    "huge_exponent": b"format: parindex-framework/1\ncode: X\nname: X\nmax_total: '1e999999999'\ncriteria: []\n",
    # types JSON columns cannot hold
    "set_value": b"ghi_chu: !!set {a, b}\n",
    "binary_value": b"ghi_chu: !!binary aGVsbG8=\n",
    "decimal_key": b"format: parindex-framework/1\n1.5: mot phay nam\n",
    "nul_byte": b"code: A\x00B\n",
}


# -- CSV encodings ----------------------------------------------------------------------------

CSV_TEXT = "Mã đơn vị,Năm,Tháng,Số hồ sơ đúng hạn,Tổng số hồ sơ\r\n19639,2026,10,96,100\r\n"


def csv_utf16_no_bom() -> bytes:
    return CSV_TEXT.encode("utf-16-le")


def csv_utf16_truncated() -> bytes:
    """UTF-16 with its BOM, cut in the middle of a character (odd length)."""
    return CSV_TEXT.encode("utf-16")[:-1]


def csv_latin1() -> bytes:
    return "Mã đơn vị;Năm\r\n19639;2026\r\n".encode("cp1258", errors="replace")


def csv_nul() -> bytes:
    return CSV_TEXT.replace("96", "9\x006").encode()


def binary_noise(size: int = 4096, seed: int = 17) -> bytes:
    return random.Random(seed).randbytes(size)


def csv_rows(count: int) -> bytes:
    """A valid-looking CSV of ``count`` data rows (~22 bytes a row; a block of 20,000 rows
    repeated, so two million rows cost no more memory than the file)."""
    head = "Mã đơn vị,Năm,Tháng,Số hồ sơ đúng hạn,Tổng số hồ sơ\r\n".encode()
    draw = random.Random(count)
    block = b"".join(
        b"%05d,2026,%d,%d,1000\r\n" % (draw.randrange(100_000), draw.randrange(1, 13), draw.randrange(1000))
        for _ in range(20_000)
    )
    whole, rest = divmod(count, 20_000)
    return head + block * whole + block[: _offset(block, rest, b"\r\n")]


# -- containers -------------------------------------------------------------------------------


def old_xls() -> bytes:
    """The first bytes of an OLE compound file, as a .xls (BIFF8) has them."""
    return OLE_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 512


def encrypted_xlsx() -> bytes:
    """An OLE container with the streams Excel writes for a password-protected workbook."""
    names = "".join(f"{n}\x00" for n in ("EncryptionInfo", "EncryptedPackage")).encode("utf-16-le")
    return OLE_MAGIC + b"\x00" * 504 + names + b"\x00" * 512


def not_a_zip() -> bytes:
    """A text file someone named .xlsx (the framework upload used to hand it to YAML)."""
    return b"Ma tieu chi;Ten;Diem\n1;Cong tac chi dao;10\n"


def _zip(members: Iterable[tuple[str, bytes]], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return buffer.getvalue()


def plain_zip() -> bytes:
    return _zip([("ghi-chu.txt", b"khong phai bang tinh")])


def docx_as_xlsx() -> bytes:
    """The parts of a Word document: a zip with [Content_Types].xml, not a workbook."""
    return _zip([("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")])


def workbook(rows: Iterable[Iterable[object]] = (("Mã", "Tên"), ("1", "A"))) -> bytes:
    """A small real workbook (openpyxl), to corrupt."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _replace(data: bytes, replacements: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """The workbook ``data`` with some parts replaced (or added)."""
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        members = [(info.filename, source.read(info)) for info in source.infolist()]
    names = {name for name, _ in members}
    members = [(name, replacements.get(name, body)) for name, body in members]
    members += [(name, body) for name, body in replacements.items() if name not in names]
    return _zip(members, compression=compression)


def truncated_xlsx() -> bytes:
    data = workbook()
    return data[: len(data) // 2]


def damaged(data: bytes, part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """``data`` with ``part`` damaged near the end of its compressed bytes: the zip directory
    and the start of the part are fine, the damage shows only while the rows are streamed (an
    inflate or CRC error)."""
    data = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo(part)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + max(info.compress_size - 300, 40), start + info.compress_size - 20, 7):
        data[offset] ^= 0x5A
    return bytes(data)


def crc_broken_xlsx() -> bytes:
    return damaged(workbook([("Mã", "Tên")] + [(str(i), f"dòng {i} " * 8) for i in range(5000)]))


def bzip2_xlsx() -> bytes:
    return _replace(workbook(), {}, compression=zipfile.ZIP_BZIP2)


def _bomb_member(archive: zipfile.ZipFile, name: str, size: int, chunk: bytes = b" " * (1 << 20)) -> None:
    info = zipfile.ZipInfo(name)
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as part:
        left = size
        while left > 0:
            part.write(chunk[: min(left, len(chunk))])
            left -= len(chunk)


def zip_bomb_xlsx(size: int = 120 * 1024 * 1024) -> bytes:
    """A real workbook plus a sheet part that inflates to ``size`` bytes (120 MB in ~120 KB)."""
    base = workbook()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                out.writestr(info.filename, source.read(info))
        _bomb_member(out, "xl/worksheets/sheet1.xml", size)
    return buffer.getvalue()


def zip_bomb_total_xlsx(parts: int = 3, size: int = 90 * 1024 * 1024) -> bytes:
    """Several parts each under the per-part cap, together over the total cap."""
    base = workbook()
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info))
        for i in range(parts):
            _bomb_member(out, f"xl/media/padding{i}.xml", size)
    return buffer.getvalue()


def lying_zip_bomb_xlsx() -> bytes:
    """A sheet part whose directory entry claims 2 KB while its data inflates to 50 MB: zipfile
    stops at the size the directory claims, and the CRC then fails."""
    data = bytearray(zip_bomb_xlsx(50 * 1024 * 1024))
    name = b"xl/worksheets/sheet1.xml"
    at = data.find(b"PK\x01\x02")  # central directory entries
    while at != -1:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            data[at + 24 : at + 28] = (2048).to_bytes(4, "little")  # uncompressed size
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


LAUGHS_DTD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<!DOCTYPE worksheet [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>\n"
)
SHEET_BODY = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
)


def entities_xlsx(*, hidden: bool = False) -> bytes:
    """A workbook whose sheet declares "billion laughs" entities. ``hidden`` puts 20 KB of
    comment before the DTD, past what ``core.uploads`` sniffs, so the XML parser must refuse it."""
    padding = b"<!--" + b" " * 20_000 + b"-->\n" if hidden else b""
    head, rest = LAUGHS_DTD.split(b"\n", 1)
    return _replace(workbook(), {"xl/worksheets/sheet1.xml": head + b"\n" + padding + rest + SHEET_BODY})


def external_entity_xlsx() -> bytes:
    """XXE: an entity reading a local file into a shared string."""
    strings = (
        b'<?xml version="1.0"?>\n<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">'
        b"<si><t>&xxe;</t></si></sst>"
    )
    return _replace(workbook(), {"xl/sharedStrings.xml": strings})


# -- big workbooks, written as sheet XML directly (openpyxl would take minutes) ----------------

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b"</Types>"
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="So lieu" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/></Relationships>'
)
HEADER = ("Mã đơn vị", "Năm", "Tháng", "Số hồ sơ đúng hạn", "Tổng số hồ sơ")


def _inline(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _sheet_chunks(count: int, *, dimension: str, after: bytes = b"") -> Iterator[bytes]:
    """The sheet XML: a header row, then ``count`` rows of a unit code, year, month and figures.
    The data rows carry no ``r`` attribute (optional in the format: each is the next row), so a
    block of 20,000 rows repeats and two million rows take two seconds to write."""
    yield (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="'
        + dimension.encode()
        + b'"/><sheetData><row r="1">'
        + b"".join(_inline(f"{col}1", title) for col, title in zip("ABCDE", HEADER, strict=True))
        + b"</row>"
    )
    row = b'<row><c t="inlineStr"><is><t>%05d</t></is></c><c><v>2026</v></c><c><v>%d</v></c><c><v>%d</v></c>'
    row += b"<c><v>1000</v></c></row>"
    period = 20_000
    draw = random.Random(2_000_000)
    block = b"".join(
        row % (draw.randrange(100_000), draw.randrange(1, 13), draw.randrange(1000)) for _ in range(period)
    )
    whole, rest = divmod(count, period)
    for _ in range(whole):
        yield block
    yield block[: _offset(block, rest)]
    yield after + b"</sheetData></worksheet>"


def _offset(block: bytes, rows: int, end: bytes = b"</row>") -> int:
    """Where the ``rows``-th row of ``block`` starts (its length for all of them)."""
    at = 0
    for _ in range(rows):
        at = block.index(end, at) + len(end)
    return at


def big_xlsx(count: int = 2_000_000, *, dimension: str | None = None, after: bytes = b"", level: int = 1) -> bytes:
    """An indicator workbook of ``count`` data rows: for 2,000,000 rows ~200 MB of sheet XML,
    ~20 MB zipped, the sizes in the zip's directory as Excel writes them. ``after``: more sheet
    XML after the rows (a row far below, say)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            for chunk in _sheet_chunks(count, dimension=dimension or f"A1:E{count + 1}", after=after):
                part.write(chunk)
    return buffer.getvalue()


ALL: dict[str, tuple[str, Callable[[], bytes]]] = {
    "deep.json": ("framework", deep_json),
    "deep-objects.json": ("framework", deep_json_objects),
    "deep-flow.yaml": ("framework", deep_yaml_flow),
    "deep-block.yaml": ("framework", deep_yaml_block),
    "billion-laughs.yaml": ("framework", yaml_billion_laughs),
    "merge-bomb.yaml": ("framework", yaml_merge_bomb),
    "alias-chain.yaml": ("framework", yaml_alias_chain),
    **{f"{name}.yaml": ("framework", (lambda body=body: body)) for name, body in HOSTILE_YAML_VALUES.items()},
    "not-a-zip.xlsx": ("any", not_a_zip),
    "noise.xlsx": ("any", binary_noise),
    "plain-zip.xlsx": ("any", plain_zip),
    "docx-as.xlsx": ("any", docx_as_xlsx),
    "old.xlsx": ("any", old_xls),
    "encrypted.xlsx": ("any", encrypted_xlsx),
    "truncated.xlsx": ("any", truncated_xlsx),
    "crc-broken.xlsx": ("any", crc_broken_xlsx),
    "bzip2.xlsx": ("any", bzip2_xlsx),
    "zip-bomb.xlsx": ("any", zip_bomb_xlsx),
    "zip-bomb-total.xlsx": ("any", zip_bomb_total_xlsx),
    "lying-zip-bomb.xlsx": ("any", lying_zip_bomb_xlsx),
    "entities.xlsx": ("any", entities_xlsx),
    "entities-hidden.xlsx": ("any", lambda: entities_xlsx(hidden=True)),
    "xxe.xlsx": ("any", external_entity_xlsx),
    "utf16-no-bom.csv": ("indicator", csv_utf16_no_bom),
    "utf16-truncated.csv": ("indicator", csv_utf16_truncated),
    "latin1.csv": ("indicator", csv_latin1),
    "nul.csv": ("indicator", csv_nul),
    "noise.csv": ("indicator", binary_noise),
    "rows-2000000.csv": ("indicator", lambda: csv_rows(2_000_000)),
    "rows-2000000.xlsx": ("indicator", big_xlsx),
}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(f"usage: {argv[0]} DIR", file=sys.stderr)
        return 2
    target = Path(argv[1])
    target.mkdir(parents=True, exist_ok=True)
    for name, (_path, make) in ALL.items():
        data = make()
        (target / name).write_bytes(data)
        print(f"{name}\t{len(data):>12,} bytes", file=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
