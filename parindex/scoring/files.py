"""Loading and dumping YAML/JSON documents with exact decimals.

Numbers with a fraction are read as ``Decimal`` straight from their text (0.337 stays
0.337; 3.10 keeps its zero), so no binary floating point ever enters scoring. A key written
twice in one mapping is an error rather than a silent overwrite.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .errors import DocumentInvalid, FileUnreadable, Problem


class _DecimalLoader(yaml.SafeLoader):
    duplicates: list[Problem]


def _construct_decimal(loader: _DecimalLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return loader.construct_yaml_float(node)


def _construct_mapping(loader: _DecimalLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            line = key_node.start_mark.line + 1
            loader.duplicates.append(Problem(f"dòng {line}", f"khóa '{key}' được ghi hai lần trong cùng một bảng"))
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DecimalLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DocumentInvalid([Problem(key, f"khóa '{key}' được ghi hai lần trong cùng một bảng")])
        out[key] = value
    return out


def loads(text: str, *, json_only: bool = False) -> Any:
    """Parse YAML (or JSON) text with exact decimals. Raises FileUnreadable or DocumentInvalid."""
    if json_only:
        try:
            return json.loads(text, parse_float=Decimal, object_pairs_hook=_json_pairs)
        except json.JSONDecodeError as exc:
            raise FileUnreadable(f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}") from None
    loader = _DecimalLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark is not None else ""
        reason = getattr(exc, "problem", None) or str(exc)
        raise FileUnreadable(f"YAML không hợp lệ{where}: {reason}") from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise DocumentInvalid(loader.duplicates)
    return data


def load_path(path: str | Path) -> Any:
    """Read a YAML or JSON file (by extension; YAML otherwise)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise FileUnreadable(f"không tìm thấy tệp {path}") from None
    except IsADirectoryError:
        raise FileUnreadable(f"{path} là một thư mục, không phải tệp") from None
    except UnicodeDecodeError:
        raise FileUnreadable(f"tệp {path} không phải văn bản UTF-8 (YAML hoặc JSON)") from None
    except OSError as exc:
        raise FileUnreadable(f"không đọc được tệp {path}: {exc.strerror}") from None
    return loads(text, json_only=path.suffix.lower() == ".json")


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = format(value, "f")
    tag = (
        "tag:yaml.org,2002:int" if value == value.to_integral_value() and "." not in text else "tag:yaml.org,2002:float"
    )
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(dt.date, lambda d, v: d.represent_scalar("tag:yaml.org,2002:timestamp", v.isoformat()))


def dumps(data: Any) -> str:
    """YAML text that ``loads`` reads back to equal data (decimals stay exact)."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=120)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def dumps_json(data: Any) -> str:
    """JSON text with decimals as strings (formats.md: no binary floating point anywhere)."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default) + "\n"
