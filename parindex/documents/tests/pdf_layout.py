"""Reading a PDF's text boxes (``pdftotext -bbox-layout``) the way a văn thư looks at a page.

Each page is a list of words with their box in points (1 mm = 2.835 pt), in the order poppler
reads them; ``phrase`` finds a run of words, ``lines`` gives the page's lines.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

MM = 72 / 25.4
NS = "{http://www.w3.org/1999/xhtml}"


def available() -> bool:
    return shutil.which("pdftotext") is not None


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def y0(self) -> float:
        return min(w.y0 for w in self.words)

    @property
    def x0(self) -> float:
        return min(w.x0 for w in self.words)


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, in the file
    width: float
    height: float
    lines: tuple[Line, ...]

    @property
    def words(self) -> list[Word]:
        return [w for line in self.lines for w in line.words]

    def phrase(self, text: str) -> Word | None:
        """The first word of the first run of words reading ``text`` on this page, or None."""
        wanted = text.split()
        words = self.words
        for i in range(len(words) - len(wanted) + 1):
            if [w.text for w in words[i : i + len(wanted)]] == wanted:
                return words[i]
        return None

    def body_lines(self) -> list[Line]:
        """Lines below the top margin (the page number stands in it), top to bottom."""
        return sorted((ln for ln in self.lines if ln.y0 > 18 * MM), key=lambda ln: (round(ln.y0, 1), ln.x0))

    def number_line(self) -> str:
        """The page number in the top margin, or "" on a page without one."""
        top = [ln.text for ln in self.lines if ln.y0 < 18 * MM]
        return " ".join(top)


def pages(pdf: bytes) -> list[Page]:
    with tempfile.TemporaryDirectory(prefix="parindex-bbox-") as tmp:
        source = Path(tmp) / "document.pdf"
        source.write_bytes(pdf)
        out = subprocess.run(
            ["pdftotext", "-bbox-layout", str(source), "-"], check=True, capture_output=True, timeout=60
        ).stdout
    root = etree.fromstring(out, etree.XMLParser(recover=True))
    result = []
    for n, page in enumerate(root.iter(f"{NS}page"), start=1):
        lines = []
        for line in page.iter(f"{NS}line"):
            words = tuple(
                Word(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
                for w in line.iter(f"{NS}word")
            )
            if words:
                lines.append(Line(words))
        result.append(Page(n, float(page.get("width")), float(page.get("height")), tuple(lines)))
    return result


# A date the builders write (dd/mm/yyyy) cut before its year ends ("09/07/202", "09/07/", "09/0").
BROKEN_DATE = re.compile(r"^\(?(\d{2}/\d{2}/\d{0,3}|\d{2}/\d?)$")


def broken_words(doc: list[Page]) -> list[str]:
    """Words a table cell too narrow has cut: "09/07/202" (then "6"), "ST" (then "T")."""
    bad = []
    for page in doc:
        for word in page.words:
            if BROKEN_DATE.match(word.text) or word.text == "ST":
                bad.append(f"page {page.number}: {word.text!r}")
    return bad
