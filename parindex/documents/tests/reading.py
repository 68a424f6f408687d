"""Reading a generated .docx back the way a person (or Word) would, for assertions."""

from __future__ import annotations

import io

from docx import Document


def open_docx(data: bytes):
    return Document(io.BytesIO(data))


def paragraphs(doc) -> list[str]:
    """Every paragraph's text in the body, outside tables, in order."""
    return [p.text for p in doc.paragraphs]


def table_rows(table) -> list[list[str]]:
    rows = []
    for row in table.rows:
        cells = []
        seen = set()
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans: keep it once.
            if id(cell._tc) in seen:
                continue
            seen.add(id(cell._tc))
            cells.append("\n".join(p.text for p in cell.paragraphs).strip())
        rows.append(cells)
    return rows


def all_text(doc) -> str:
    parts = paragraphs(doc)
    for table in doc.tables:
        parts.extend("\t".join(r) for r in table_rows(table))
    return "\n".join(parts)


def header_cells(doc) -> list[list[str]]:
    """The two-column header table: [[body, motto], [number, date line]]."""
    return table_rows(doc.tables[0])
