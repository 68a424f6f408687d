"""The Jinja environment templates render in: Jinja's sandbox, with caps on what one template may cost.

A province admin writes its own templates, so a template is untrusted code. Jinja's
``SandboxedEnvironment`` stops it reaching Python internals; this subclass also refuses, with a
Vietnamese ``TooCostly`` (a ``SecurityError``), what no official document needs and what
would take the server's time or memory:

- ``range()``: at most ``MAX_RANGE`` items in one call and ``MAX_RANGE_TOTAL`` over the whole
  document, so nested loops over ranges stay small;
- ``*`` and ``+`` building a string or a list longer than ``MAX_ITEMS``, ``**`` beyond
  ``MAX_POWER_BITS``, ``%`` formatting with a width above ``MAX_ITEMS``;
- a method of a text or a list (``ljust``, ``zfill`` …) or a sizing filter (``center``,
  ``indent``, ``wordwrap``, ``truncate``) given a whole number above ``MAX_ITEMS``; ``replace``
  whose result would exceed it; ``format`` and ``str.format`` with a huge width; ``lipsum``
  beyond a few paragraphs.

These are defence in depth: what they miss (a string doubled with ``~`` in a loop, a filter
applied many times) is stopped by the time and memory limits of the child process that renders a
province's template (``bounded.py``). Pure Python, no Django.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import wraps
from typing import Any

from jinja2 import Undefined
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

MAX_RANGE = 10_000
MAX_RANGE_TOTAL = 100_000
MAX_ITEMS = 1_000_000
MAX_POWER_BITS = 4_096
MAX_LIPSUM = 20
SIZING_FILTERS = ("center", "indent", "wordwrap", "truncate")
PRINTF_WIDTH = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?")
TOO_BIG = "Mẫu văn bản tạo ra chuỗi hoặc danh sách quá lớn (quá 1.000.000 ký tự hoặc phần tử) nên đã bị từ chối."


class TooCostly(SecurityError):
    """The template asks for more than a document needs; the message is the Vietnamese reason."""


class _Empty(Undefined):
    """An unknown name renders as nothing (a province template may omit or misspell one).

    The sandbox answers an unsafe attribute (``__globals__``, ``__class__`` …) with an
    undefined value that fails only when printed; here it fails at once, whatever the
    template does with it next, so such a template is always refused.
    """

    def __init__(self, hint: str | None = None, obj: Any = missing, name: str | None = None, exc: Any = None) -> None:
        if exc is SecurityError:
            raise SecurityError(hint or "unsafe access")
        super().__init__(hint, obj, name, exc or UndefinedError)

    def __str__(self) -> str:
        return ""


def _no_big_ints(values: Any) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_ITEMS:
            raise TooCostly(
                f"Mẫu văn bản dùng số quá lớn ({value}) trong một lời gọi hàm hoặc bộ lọc nên đã bị từ chối."
            )


def _check_printf(fmt: str, args: Any) -> None:
    """``'%09999999d' % x`` and ``'%*d' % (10**9, x)`` would build a huge string."""
    for width, precision in PRINTF_WIDTH.findall(fmt):
        for part in (width, precision):
            if part == "*":
                _no_big_ints(args if isinstance(args, tuple) else (args,))
            elif part and int(part) > MAX_ITEMS:
                raise TooCostly(TOO_BIG)


def _check_format(fmt: str, args: Any) -> None:
    """``'{:>999999999}'.format(x)`` and ``'{:{}}'.format(x, 10**9)`` would build a huge string."""
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # str.format raises the same error itself
    for _literal, _name, spec, _conversion in fields:
        if spec and "{" in spec:
            _no_big_ints(args)
        elif spec and any(int(n) > MAX_ITEMS for n in re.findall(r"\d+", spec)):
            raise TooCostly(TOO_BIG)


def _check_replace(text: Any, old: Any, new: Any) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    if len(new) > len(old) and len(text) + text.count(old) * (len(new) - len(old)) > MAX_ITEMS:
        raise TooCostly(TOO_BIG)


def _sizing(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)  # keeps Jinja's pass_environment / pass_eval_context mark
    def checked(*args: Any, **kwargs: Any) -> Any:
        _no_big_ints((*args[1:], *kwargs.values()))
        return func(*args, **kwargs)

    return checked


def _formatting(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        _check_printf(str(value), args or tuple(kwargs.values()))
        return func(value, *args, **kwargs)

    return checked


def _replacing(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def checked(eval_ctx: Any, s: Any, old: Any, new: Any, count: Any = None) -> Any:
        _check_replace(str(s), old, new)
        return func(eval_ctx, s, old, new, count)

    return checked


def _lipsum(func: Callable[..., str]) -> Callable[..., str]:
    @wraps(func)
    def checked(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        if n > MAX_LIPSUM or max > 1000:
            raise TooCostly(TOO_BIG)
        return func(n, html, min, max)

    return checked


class BoundedSandbox(SandboxedEnvironment):
    """Jinja's sandbox with the caps above; one instance per document (it counts ``range`` items)."""

    intercepted_binops = frozenset({"*", "+", "**", "%"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.range_items = 0
        self.globals["range"] = self._range
        self.globals["lipsum"] = _lipsum(self.globals["lipsum"])
        for name in SIZING_FILTERS:
            self.filters[name] = _sizing(self.filters[name])
        self.filters["format"] = _formatting(self.filters["format"])
        self.filters["replace"] = _replacing(self.filters["replace"])

    def _range(self, *args: int) -> range:
        items = range(*args)
        self.range_items += len(items)
        if len(items) > MAX_RANGE or self.range_items > MAX_RANGE_TOTAL:
            raise TooCostly(
                "Mẫu văn bản dùng range() quá lớn (tối đa 10.000 phần tử mỗi lần, 100.000 phần tử cho cả văn bản) "
                "nên đã bị từ chối; hãy đơn giản hoá vòng lặp trong mẫu."
            )
        return items

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, str | list | tuple) and isinstance(times, int) and len(seq) * times > MAX_ITEMS:
                    raise TooCostly(TOO_BIG)
        elif operator == "+":
            sized = isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple)
            if sized and len(left) + len(right) > MAX_ITEMS:
                raise TooCostly(TOO_BIG)
        elif operator == "**":
            ints = isinstance(left, int) and isinstance(right, int)
            if ints and abs(left) > 1 and right * left.bit_length() > MAX_POWER_BITS:
                raise TooCostly("Mẫu văn bản tính lũy thừa quá lớn nên đã bị từ chối.")
        elif operator == "%" and isinstance(left, str):
            _check_printf(left, right)
        return super().call_binop(context, operator, left, right)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        fmt = value.__self__

        @wraps(wrapper)
        def checked(*args: Any, **kwargs: Any) -> str:
            _check_format(fmt, (*args, *kwargs.values()))
            return wrapper(*args, **kwargs)

        return checked

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        owner = getattr(__obj, "__self__", None)  # a method of a text or a list: ljust, zfill, replace …
        if isinstance(owner, str | list | tuple):
            if getattr(__obj, "__name__", None) == "replace":
                _check_replace(owner, *(args + (None, None))[:2])
            else:
                _no_big_ints((*args, *kwargs.values()))
        return super().call(__context, __obj, *args, **kwargs)


def environment() -> BoundedSandbox:
    return BoundedSandbox(autoescape=True, undefined=_Empty)
