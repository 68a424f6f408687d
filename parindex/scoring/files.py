"""Loading and dumping YAML/JSON documents with exact decimals.

Numbers with a fraction are read as ``Decimal`` straight from their text (0.337 stays
0.337; 3.10 keeps its zero), so no binary floating point ever enters scoring. A key written
twice in one mapping is an error rather than a silent overwrite.

Documents come from people, so ``loads`` is bounded: nesting deeper than ``MAX_NESTING``
levels, more than ``MAX_NODES`` values once YAML aliases (``*name``) are expanded ("billion
laughs", merge keys included), a number beyond ``decimals.MAX_MAGNITUDE``, a mapping key that
is a list or a table, ``!!set``/``!!binary`` values, or anything else the parsers choke on are
all ``FileUnreadable`` with a Vietnamese reason, never another exception.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from .decimals import in_bounds
from .errors import DocumentInvalid, FileUnreadable, Problem

# Far deeper than any framework (8 levels of criteria, each a mapping in a list, plus rule
# parameters) or responses document, and shallow enough for every recursive reader after us.
MAX_NESTING = 64
# Values (scalars, lists, mappings) in one document, aliases expanded: a framework has a few
# thousand, a 5 MB file written out in full a few hundred thousand.
MAX_NODES = 1_000_000
# Largest file ``load_path`` reads.
MAX_FILE_BYTES = 50 * 1024 * 1024

_REFUSED_TAGS = {"tag:yaml.org,2002:set": "!!set", "tag:yaml.org,2002:binary": "!!binary"}


class _TooBig(yaml.YAMLError):
    """A document beyond MAX_NESTING or MAX_NODES (the message is Vietnamese)."""


class _DecimalLoader(yaml.SafeLoader):
    duplicates: list[Problem]

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        # id(collection node) -> (values in it, aliases expanded; levels of nesting in it)
        self.measures: dict[int, tuple[int, int]] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        alias = self.check_event(yaml.AliasEvent)
        self.depth += 1
        try:
            if self.depth > MAX_NESTING:
                raise _TooBig(f"tệp lồng nhau quá {MAX_NESTING} cấp{_where(self.peek_event().start_mark)}")
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if alias or not isinstance(node, yaml.CollectionNode):
            return node  # an alias counts where it is used, with what it stands for
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        size, height = 1, 1
        for child in children:
            child_size, child_height = self.measures.get(id(child), (1, 1))
            size += child_size
            height = max(height, child_height + 1)
        self.measures[id(node)] = (size, height)
        if size > MAX_NODES:
            raise _TooBig(
                f"tệp có quá {MAX_NODES:,} giá trị (kể cả phần lặp lại qua tham chiếu &/*)".replace(",", ".")
                + _where(node.start_mark)
            )
        if height > MAX_NESTING:
            raise _TooBig(f"tệp lồng nhau quá {MAX_NESTING} cấp (kể cả qua tham chiếu &/*){_where(node.start_mark)}")
        return node


def _where(mark: Any) -> str:
    return f" ở dòng {mark.line + 1}, cột {mark.column + 1}" if mark is not None else ""


def _construct_decimal(loader: _DecimalLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return loader.construct_yaml_float(node)
    if number.is_finite() and not in_bounds(number):
        raise yaml.constructor.ConstructorError(
            None, None, f"số '{text[:20]}' quá lớn hoặc có quá nhiều chữ số", node.start_mark
        )
    return number


def _construct_mapping(loader: _DecimalLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "khóa phải là chữ hoặc số, không phải một danh sách hay một bảng", key_node.start_mark
            ) from None
        if key in mapping:
            line = key_node.start_mark.line + 1
            loader.duplicates.append(Problem(f"dòng {line}", f"khóa '{key}' được ghi hai lần trong cùng một bảng"))
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


def _refuse_tag(loader: _DecimalLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, f"kiểu dữ liệu {_REFUSED_TAGS[node.tag]} không được dùng", node.start_mark
    )


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_DecimalLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
for _tag in _REFUSED_TAGS:
    _DecimalLoader.add_constructor(_tag, _refuse_tag)


def _json_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DocumentInvalid([Problem(key, f"khóa '{key}' được ghi hai lần trong cùng một bảng")])
        out[key] = value
    return out


class _JsonNumberTooBig(ValueError):
    pass


def _json_decimal(text: str) -> Decimal:
    number = Decimal(text)
    if not in_bounds(number):
        raise _JsonNumberTooBig(f"số '{text[:20]}' quá lớn hoặc có quá nhiều chữ số")
    return number


def _check_shape(data: Any) -> None:
    """Refuse JSON nested deeper than MAX_NESTING or holding more than MAX_NODES values
    (the JSON parser itself stops only at the interpreter's recursion limit)."""
    stack = [(data, 1)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise FileUnreadable(f"JSON có quá {MAX_NODES:,} giá trị".replace(",", "."))
        if isinstance(value, dict | list):
            if depth >= MAX_NESTING:
                raise FileUnreadable(f"JSON lồng nhau quá {MAX_NESTING} cấp")
            children = value.values() if isinstance(value, dict) else value
            stack.extend((child, depth + 1) for child in children)


def loads(text: str, *, json_only: bool = False) -> Any:
    """Parse YAML (or JSON) text with exact decimals. Raises FileUnreadable or DocumentInvalid."""
    if json_only:
        try:
            data = json.loads(text, parse_float=_json_decimal, object_pairs_hook=_json_pairs)
        except json.JSONDecodeError as exc:
            raise FileUnreadable(f"JSON không hợp lệ ở dòng {exc.lineno}, cột {exc.colno}: {exc.msg}") from None
        except RecursionError:
            raise FileUnreadable(f"JSON lồng nhau quá {MAX_NESTING} cấp") from None
        except _JsonNumberTooBig as exc:
            raise FileUnreadable(f"JSON không hợp lệ: {exc}") from None
        except ValueError as exc:  # e.g. an integer of more than 4,300 digits
            raise FileUnreadable(f"JSON không hợp lệ: có giá trị không đọc được ({str(exc)[:120]})") from None
        _check_shape(data)
        return data
    loader = None
    try:
        loader = _DecimalLoader(text)
        loader.duplicates = []
        data = loader.get_single_data()
    except yaml.reader.ReaderError as exc:
        code = f" (mã #x{exc.character:04x})" if isinstance(exc.character, int) else ""
        raise FileUnreadable(
            f"YAML không hợp lệ: tệp có ký tự không được phép{code} ở vị trí {exc.position}; "
            "tệp không phải văn bản YAML"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = _where(mark)
        reason = getattr(exc, "problem", None) or str(exc)
        if isinstance(exc, _TooBig):
            where = ""
        raise FileUnreadable(f"YAML không hợp lệ{where}: {reason}") from None
    except RecursionError:
        raise FileUnreadable(f"YAML lồng nhau quá {MAX_NESTING} cấp") from None
    except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
        # A value the constructors cannot build: a date such as 2023-02-30, an integer of
        # more than 4,300 digits ...
        raise FileUnreadable(
            f"YAML không hợp lệ: có giá trị không đọc được (ngày không có thật, số quá dài ...: {str(exc)[:120]})"
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    if loader.duplicates:
        raise DocumentInvalid(loader.duplicates)
    return data


def load_path(path: str | Path) -> Any:
    """Read a YAML or JSON file (by extension; YAML otherwise)."""
    path = Path(path)
    try:
        if path.is_dir():
            raise IsADirectoryError
        if not path.is_file() and path.exists():
            raise FileUnreadable(f"{path} không phải một tệp thường")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise FileUnreadable(
                f"tệp {path} quá lớn ({size // (1024 * 1024)} MB; tối đa {MAX_FILE_BYTES // (1024 * 1024)} MB)"
            )
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
