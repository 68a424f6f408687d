"""Reading a framework from a path in any supported format (YAML, JSON or Excel)."""

from __future__ import annotations

from pathlib import Path

from parindex import scoring
from parindex.frameworks.excel import framework_from_xlsx

BUILTIN_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_FRAMEWORK = BUILTIN_DIR / "qt-xa-2023.yaml"


def load_framework_path(path: str | Path) -> scoring.Framework:
    """Raises scoring.FileUnreadable (cannot read) or scoring.ProblemsError (invalid)."""
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        limit = scoring.files.MAX_FILE_BYTES
        try:
            if path.exists() and not path.is_file():
                raise scoring.FileUnreadable(f"{path} không phải một tệp thường")
            if path.stat().st_size > limit:
                raise scoring.FileUnreadable(f"tệp {path} quá lớn (tối đa {limit // (1024 * 1024)} MB)")
            data = path.read_bytes()
        except FileNotFoundError:
            raise scoring.FileUnreadable(f"không tìm thấy tệp {path}") from None
        except OSError as exc:
            raise scoring.FileUnreadable(f"không đọc được tệp {path}: {exc.strerror}") from None
        return framework_from_xlsx(data)
    return scoring.parse_framework(scoring.load_path(path))
