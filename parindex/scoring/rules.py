"""The seven rule kinds of formats.md §2: parameters, response keys, score and explanation.

Each kind is a small class registered in ``RULE_KINDS`` (name -> kind). A kind knows
- which response keys it takes and how to read them (``parse``), refusing bad input;
- how to check its parameters against the node's max (``check_params``);
- the exact score before rounding (``compute``) and how to say it in words (``explain``);
- optionally a fast path for the common, well-formed response (``fast``), which must give
  exactly the same result as the general path (a property test holds them equal).

The engine rounds every leaf score half up to the framework's decimals and clamps it to
``[0, max]``; kinds compute exact values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, ClassVar

from .decimals import ONE, ZERO, NotADecimal, decimal_places, fixed, plain, to_decimal, to_int
from .errors import Problem


class ResponseError(ValueError):
    """A response that cannot be scored; ``key`` is the offending response key, if any."""

    def __init__(self, message: str, key: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.key = key


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


NOT_APPLICABLE: Any = _Marker("NOT_APPLICABLE")
MISSING: Any = _Marker("MISSING")

Scorer = Callable[[Any], Any]  # response -> rounded Decimal | NOT_APPLICABLE | MISSING
ParamsCheck = Callable[[str, str], None]


def num(value: Decimal, sep: str = ".") -> str:
    """A number in an explanation, written as given ('0.8', '1.60'), with the decimal mark."""
    return fixed(value).replace(".", sep)


def ratio_text(inputs: Mapping[str, Any], sep: str) -> str:
    if "numerator" in inputs:
        ratio: Decimal = inputs["value"]
        shown = num(ratio, sep) if decimal_places(ratio) <= 6 else "≈ " + num(ratio.quantize(Decimal("0.0001")), sep)
        return f"{num(inputs['numerator'], sep)}/{num(inputs['denominator'], sep)} ({shown})"
    return num(inputs["value"], sep)


def reaches(inputs: Mapping[str, Any], threshold: Decimal) -> bool:
    """value ≥ threshold, compared exactly: a ratio given as a fraction is never rounded first."""
    if "numerator" in inputs:
        return bool(inputs["numerator"] >= threshold * inputs["denominator"])
    return bool(inputs["value"] >= threshold)


class Params:
    """Reads one rule's parameters, recording every problem instead of stopping at the first."""

    def __init__(self, raw: Any, path: str, code: str | None, node_max: Decimal | None, rounding: int) -> None:
        self.raw: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        self.path = path
        self.code = code
        self.node_max = node_max
        self.rounding = rounding
        self.problems: list[Problem] = []
        if raw is not None and not isinstance(raw, Mapping):
            self.problem("", "tham số (params) phải là một bảng khóa: giá trị")

    def problem(self, key: str, message: str) -> None:
        path = f"{self.path}.{key}" if key else self.path
        self.problems.append(Problem(path, message, self.code))

    def unknown(self, allowed: set[str]) -> None:
        for key in self.raw:
            if key not in allowed:
                expected = ", ".join(sorted(allowed)) or "không có tham số nào"
                self.problem(str(key), f"tham số '{key}' không dùng cho cách chấm này (hợp lệ: {expected})")

    def decimal(
        self, key: str, value: Any, *, default: Decimal | None = None, positive: bool = False
    ) -> Decimal | None:
        if value is None:
            if default is None:
                self.problem(key, "thiếu tham số bắt buộc")
            return default
        try:
            number = to_decimal(value)
        except NotADecimal as exc:
            self.problem(key, str(exc))
            return None
        if positive and number <= 0:
            self.problem(key, f"phải lớn hơn 0 (đang là {plain(number)})")
            return None
        return number

    def points(self, key: str, value: Any, *, default: Decimal | None = None) -> Decimal | None:
        """Points a rule may award: 0 ≤ points ≤ max, with no more decimals than the rounding."""
        number = self.decimal(key, value, default=default)
        if number is None:
            return None
        if number < 0:
            self.problem(key, f"điểm không được âm (đang là {plain(number)})")
        elif self.node_max is not None and number > self.node_max:
            self.problem(key, f"điểm {plain(number)} lớn hơn điểm tối đa {plain(self.node_max)} của tiêu chí")
        elif decimal_places(number) > self.rounding:
            self.problem(key, f"điểm {plain(number)} có nhiều hơn {self.rounding} chữ số thập phân")
        else:
            return number
        return None

    def integer(self, key: str, value: Any, *, minimum: int) -> int | None:
        try:
            number = to_int(value)
        except NotADecimal as exc:
            self.problem(key, str(exc))
            return None
        if number < minimum:
            self.problem(key, f"phải là số nguyên từ {minimum} trở lên (đang là {number})")
            return None
        return number

    def entries(self, key: str) -> list[tuple[str, Mapping[str, Any]]]:
        value = self.raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(key, "phải là một danh sách")
            return []
        out = []
        for i, entry in enumerate(value):
            if isinstance(entry, Mapping):
                out.append((f"{key}[{i}]", entry))
            else:
                self.problem(f"{key}[{i}]", "mỗi bậc phải là một bảng khóa: giá trị")
        return out


def _only_keys(response: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    for key in response:
        if key != "applicable" and key not in allowed:
            expected = ", ".join(sorted(allowed))
            raise ResponseError(
                f"khóa '{key}' không thuộc cách chấm {kind} (các khóa hợp lệ: {expected}, applicable)", str(key)
            )


def _decimal_input(response: Mapping[str, Any], key: str) -> Decimal:
    try:
        return to_decimal(response[key])
    except NotADecimal as exc:
        raise ResponseError(str(exc), key) from None


def _int_input(response: Mapping[str, Any], key: str) -> int:
    try:
        return to_int(response[key])
    except NotADecimal as exc:
        raise ResponseError(str(exc), key) from None


def _count_input(response: Mapping[str, Any]) -> int:
    count = _int_input(response, "count")
    if count < 0:
        raise ResponseError(f"số lượng không được âm (đang là {count})", "count")
    return count


def _ratio_inputs(response: Mapping[str, Any]) -> dict[str, Any]:
    """A ratio given as ``value`` or as ``numerator`` + ``denominator``, never both."""
    has_value = "value" in response
    has_num, has_den = "numerator" in response, "denominator" in response
    if has_value and (has_num or has_den):
        raise ResponseError(
            "chỉ ghi tỷ lệ (value) hoặc tử số và mẫu số (numerator, denominator), không ghi cả hai", "value"
        )
    if has_value:
        value = _decimal_input(response, "value")
        if value < 0:
            raise ResponseError(f"tỷ lệ không được âm (đang là {plain(value)})", "value")
        return {"value": value}
    if has_num != has_den:
        missing = "denominator" if has_num else "numerator"
        raise ResponseError("cần ghi cả tử số (numerator) và mẫu số (denominator)", missing)
    numerator = _decimal_input(response, "numerator")
    denominator = _decimal_input(response, "denominator")
    if numerator < 0:
        raise ResponseError(f"tử số không được âm (đang là {plain(numerator)})", "numerator")
    if denominator < 0:
        raise ResponseError(f"mẫu số không được âm (đang là {plain(denominator)})", "denominator")
    if denominator == 0:
        raise ResponseError(
            "mẫu số bằng 0: nếu không phát sinh trường hợp nào, hãy đánh dấu tiêu chí không áp dụng (applicable: false)",
            "denominator",
        )
    return {"value": numerator / denominator, "numerator": numerator, "denominator": denominator}


def _plain_fraction(numerator: Any, denominator: Any) -> bool:
    """A well-formed ratio for the fast paths: exact, finite decimals with 0 ≤ numerator and denominator > 0.
    Anything else takes the general path, which validates and explains."""
    return (
        numerator.__class__ is Decimal
        and denominator.__class__ is Decimal
        and numerator.is_finite()
        and denominator.is_finite()
        and numerator >= ZERO
        and denominator > ZERO
    )


class RuleKind:
    """Base of the rule kinds; subclasses set the class attributes and override the hooks."""

    name: ClassVar[str]
    label: ClassVar[str]  # Vietnamese name shown to users
    keys: ClassVar[frozenset[str]]
    param_keys: ClassVar[frozenset[str]] = frozenset()

    def check_params(self, p: Params) -> dict[str, Any]:
        p.unknown(set(self.param_keys))
        return {}

    def parse(self, response: Mapping[str, Any], node_max: Decimal, params: Mapping[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def compute(self, node_max: Decimal, params: Mapping[str, Any], inputs: Mapping[str, Any]) -> Decimal:
        raise NotImplementedError

    def explain(
        self, node_max: Decimal, params: Mapping[str, Any], inputs: Mapping[str, Any], score: Decimal, sep: str
    ) -> str:
        raise NotImplementedError

    def fast(self, node_max: Decimal, params: Mapping[str, Any], quant: Decimal, slow: Scorer) -> Scorer:
        """A scorer for the common case; the default is the general path alone."""
        return slow

    # -- shared machinery ---------------------------------------------------------------

    def read(self, response: Any, node_max: Decimal, params: Mapping[str, Any]) -> Any:
        """Validate a response; returns the parsed inputs, NOT_APPLICABLE or MISSING."""
        if not isinstance(response, Mapping):
            raise ResponseError("câu trả lời phải là một bảng khóa: giá trị, ví dụ {value: 0.8}")
        _only_keys(response, self.keys, self.name)
        applicable = response.get("applicable", True)
        if not isinstance(applicable, bool):
            raise ResponseError("'applicable' chỉ nhận true hoặc false", "applicable")
        given = [key for key in response if key != "applicable"]
        inputs = self.parse(response, node_max, params) if given else None
        if not applicable:
            return NOT_APPLICABLE
        if inputs is None:
            return MISSING
        return inputs

    def scorer(self, node_max: Decimal, params: Mapping[str, Any], quant: Decimal) -> Scorer:
        def slow(response: Any) -> Any:
            if response.__class__ is dict and len(response) == 1 and response.get("applicable") is False:
                return NOT_APPLICABLE  # what read() concludes for {applicable: false}, without the detour
            inputs = self.read(response, node_max, params)
            if inputs is NOT_APPLICABLE or inputs is MISSING:
                return inputs
            return finish(self.compute(node_max, params, inputs), node_max, quant)

        return self.fast(node_max, params, quant, slow)


def finish(raw: Decimal, node_max: Decimal, quant: Decimal) -> Decimal:
    """Round half up to the framework's decimals, then clamp to [0, max] (formats.md §2)."""
    score = raw.quantize(quant, rounding=ROUND_HALF_UP)
    if score < 0:
        return ZERO.quantize(quant)
    if score > node_max:
        return node_max.quantize(quant)
    return score


class Binary(RuleKind):
    """``max`` if the requirement is met, else 0 (e.g. a plan issued, a regulation followed)."""

    name = "binary"
    label = "Đạt / không đạt"
    keys = frozenset({"met"})

    def parse(self, response, node_max, params):
        met = response.get("met")
        if not isinstance(met, bool):
            raise ResponseError("'met' chỉ nhận true (đạt) hoặc false (không đạt)", "met")
        return {"met": met}

    def compute(self, node_max, params, inputs):
        return node_max if inputs["met"] else ZERO

    def explain(self, node_max, params, inputs, score, sep):
        return f"Đạt → {num(score, sep)}" if inputs["met"] else f"Không đạt → {num(score, sep)}"

    def fast(self, node_max, params, quant, slow):
        full, nothing = finish(node_max, node_max, quant), finish(ZERO, node_max, quant)

        def score(response):
            if response.__class__ is dict and len(response) == 1:
                met = response.get("met")
                if met is True:
                    return full
                if met is False:
                    return nothing
            return slow(response)

        return score


class Proportional(RuleKind):
    """``max × min(value / target, 1)``: a rate such as the share of plan tasks completed."""

    name = "proportional"
    label = "Tỷ lệ"
    keys = frozenset({"value", "numerator", "denominator"})
    param_keys = frozenset({"target"})

    def check_params(self, p):
        p.unknown(set(self.param_keys))
        target = p.decimal("target", p.raw.get("target"), default=ONE, positive=True)
        return {"target": target if target is not None else ONE}

    def parse(self, response, node_max, params):
        return _ratio_inputs(response)

    def compute(self, node_max, params, inputs):
        target = params["target"]
        if reaches(inputs, target):
            return node_max
        if "numerator" in inputs:
            # One division at the end keeps the result exact wherever it can be (167/600 × 3 = 0.835).
            return node_max * inputs["numerator"] / (inputs["denominator"] * target)
        return node_max * inputs["value"] / target

    def explain(self, node_max, params, inputs, score, sep):
        target = params["target"]
        ratio = ratio_text(inputs, sep)
        if reaches(inputs, target):
            return f"Tỷ lệ {ratio} đạt chỉ tiêu {num(target, sep)} → {num(score, sep)}"
        if target == ONE:
            return f"{plain(node_max).replace('.', sep)} × {ratio} = {num(score, sep)}"
        return f"{plain(node_max).replace('.', sep)} × {ratio} / {num(target, sep)} = {num(score, sep)}"

    def fast(self, node_max, params, quant, slow):
        target = params["target"]
        full = finish(node_max, node_max, quant)
        if target != ONE:
            return slow

        def score(response):
            if response.__class__ is dict:
                size = len(response)
                if size == 1:
                    value = response.get("value")
                    if value.__class__ is Decimal and value.is_finite() and value >= ZERO:
                        if value < ONE:
                            return (node_max * value).quantize(quant, rounding=ROUND_HALF_UP)
                        return full
                elif size == 2:
                    numerator, denominator = response.get("numerator"), response.get("denominator")
                    if _plain_fraction(numerator, denominator):
                        if numerator < denominator:
                            # One division at the end keeps a half-way result exact (3 × 167/600 = 0.835).
                            return (node_max * numerator / denominator).quantize(quant, rounding=ROUND_HALF_UP)
                        return full
            return slow(response)

        return score


class Tiered(RuleKind):
    """Points of the first tier, in the order written, whose ``min`` the value reaches."""

    name = "tiered"
    label = "Theo bậc"
    keys = frozenset({"value", "numerator", "denominator"})
    param_keys = frozenset({"tiers", "default"})

    def check_params(self, p):
        p.unknown(set(self.param_keys))
        tiers = []
        entries = p.entries("tiers")
        if not entries and "tiers" in p.raw and isinstance(p.raw.get("tiers"), list):
            p.problem("tiers", "cần ít nhất một bậc")
        elif "tiers" not in p.raw:
            p.problem("tiers", "thiếu tham số bắt buộc (danh sách bậc: min, points)")
        previous: Decimal | None = None
        for path, entry in entries:
            for key in entry:
                if key not in ("min", "points"):
                    p.problem(f"{path}.{key}", f"khóa '{key}' không dùng trong bậc (hợp lệ: min, points)")
            low = p.decimal(f"{path}.min", entry.get("min"))
            points = p.points(f"{path}.points", entry.get("points"))
            if low is not None and previous is not None and low >= previous:
                p.problem(
                    f"{path}.min",
                    f"bậc này không bao giờ được áp dụng: mức {plain(low)} không thấp hơn bậc đứng trước ({plain(previous)})",
                )
            if low is not None:
                previous = low if previous is None else min(previous, low)
            if low is not None and points is not None:
                tiers.append((low, points))
        default = p.points("default", p.raw.get("default"), default=ZERO)
        return {"tiers": tuple(tiers), "default": default if default is not None else ZERO}

    def parse(self, response, node_max, params):
        return _ratio_inputs(response)

    def compute(self, node_max, params, inputs):
        for low, points in params["tiers"]:
            if reaches(inputs, low):
                return points
        return params["default"]

    def explain(self, node_max, params, inputs, score, sep):
        ratio = ratio_text(inputs, sep)
        for low, _points in params["tiers"]:
            if reaches(inputs, low):
                return f"Giá trị {ratio} ≥ {num(low, sep)} → {num(score, sep)}"
        return f"Giá trị {ratio} chưa đạt bậc nào → {num(score, sep)}"

    def fast(self, node_max, params, quant, slow):
        tiers = tuple((low, finish(points, node_max, quant)) for low, points in params["tiers"])
        default = finish(params["default"], node_max, quant)

        def score(response):
            if response.__class__ is dict:
                size = len(response)
                if size == 1:
                    value = response.get("value")
                    if value.__class__ is Decimal and value.is_finite() and value >= ZERO:
                        for low, points in tiers:
                            if low <= value:
                                return points
                        return default
                elif size == 2:
                    numerator, denominator = response.get("numerator"), response.get("denominator")
                    if _plain_fraction(numerator, denominator):
                        for low, points in tiers:
                            if numerator >= low * denominator:  # exactly as reaches()
                                return points
                        return default
            return slow(response)

        return score


class _PerItem(RuleKind):
    """Rules on a whole number of cases, each worth ``per_item`` points."""

    keys = frozenset({"count"})
    param_keys = frozenset({"per_item"})

    @staticmethod
    def raw(count: int, per_item: Decimal, node_max: Decimal) -> Decimal:
        raise NotImplementedError

    def check_params(self, p):
        p.unknown(set(self.param_keys))
        return {"per_item": p.decimal("per_item", p.raw.get("per_item"), positive=True) or ONE}

    def parse(self, response, node_max, params):
        return {"count": _count_input(response)}

    def compute(self, node_max, params, inputs):
        return self.raw(inputs["count"], params["per_item"], node_max)

    def fast(self, node_max, params, quant, slow):
        per_item, raw = params["per_item"], self.raw

        def score(response):
            if response.__class__ is dict and len(response) == 1:
                count = response.get("count")
                if count.__class__ is int and count >= 0:
                    return finish(raw(count, per_item, node_max), node_max, quant)
            return slow(response)

        return score


class Count(_PerItem):
    """``min(count × per_item, max)``: e.g. one point per recognised reform initiative."""

    name = "count"
    label = "Đếm số lượng"

    @staticmethod
    def raw(count, per_item, node_max):
        return min(count * per_item, node_max)

    def explain(self, node_max, params, inputs, score, sep):
        count, per_item = inputs["count"], params["per_item"]
        if count * per_item > node_max:
            total = plain(count * per_item).replace(".", sep)
            return f"{count} × {num(per_item, sep)} = {total}, vượt điểm tối đa → {num(score, sep)}"
        return f"{count} × {num(per_item, sep)} = {num(score, sep)}"


class Deduction(_PerItem):
    """``max(max − count × per_item, 0)``: points taken off per violation found."""

    name = "deduction"
    label = "Trừ điểm theo vi phạm"

    @staticmethod
    def raw(count, per_item, node_max):
        return max(node_max - count * per_item, ZERO)

    def explain(self, node_max, params, inputs, score, sep):
        text = f"{plain(node_max).replace('.', sep)} − {inputs['count']} × {num(params['per_item'], sep)}"
        if node_max - inputs["count"] * params["per_item"] < 0:
            return f"{text} < 0 → {num(score, sep)}"
        return f"{text} = {num(score, sep)}"


class Timeliness(RuleKind):
    """``max`` on time; when late, the points of the first ``late`` entry the delay fits in."""

    name = "timeliness"
    label = "Đúng hạn / chậm hạn"
    keys = frozenset({"days_late"})
    param_keys = frozenset({"late", "default"})

    def check_params(self, p):
        p.unknown(set(self.param_keys))
        late = []
        previous: int | None = None
        for path, entry in p.entries("late"):
            for key in entry:
                if key not in ("within_days", "points"):
                    p.problem(f"{path}.{key}", f"khóa '{key}' không dùng ở đây (hợp lệ: within_days, points)")
            within = p.integer(f"{path}.within_days", entry.get("within_days"), minimum=1)
            points = p.points(f"{path}.points", entry.get("points"))
            if within is not None and previous is not None and within <= previous:
                p.problem(
                    f"{path}.within_days",
                    f"mốc này không bao giờ được áp dụng: {within} ngày không lớn hơn mốc đứng trước ({previous} ngày)",
                )
            if within is not None:
                previous = within if previous is None else max(previous, within)
            if within is not None and points is not None:
                late.append((within, points))
        default = p.points("default", p.raw.get("default"), default=ZERO)
        return {"late": tuple(late), "default": default if default is not None else ZERO}

    def parse(self, response, node_max, params):
        return {"days_late": _int_input(response, "days_late")}

    def compute(self, node_max, params, inputs):
        days = inputs["days_late"]
        if days <= 0:
            return node_max
        for within, points in params["late"]:
            if days <= within:
                return points
        return params["default"]

    def fast(self, node_max, params, quant, slow):
        full = finish(node_max, node_max, quant)
        late = tuple((within, finish(points, node_max, quant)) for within, points in params["late"])
        default = finish(params["default"], node_max, quant)

        def score(response):
            if response.__class__ is dict and len(response) == 1:
                days = response.get("days_late")
                if days.__class__ is int:
                    if days <= 0:
                        return full
                    for within, points in late:
                        if days <= within:
                            return points
                    return default
            return slow(response)

        return score

    def explain(self, node_max, params, inputs, score, sep):
        days = inputs["days_late"]
        if days <= 0:
            return f"Đúng hạn → {num(score, sep)}"
        for within, _points in params["late"]:
            if days <= within:
                return f"Chậm {days} ngày (trong {within} ngày) → {num(score, sep)}"
        return f"Chậm {days} ngày → {num(score, sep)}"


class Manual(RuleKind):
    """A score given directly by the assessor, within ``[0, max]`` and on the ``step`` grid."""

    name = "manual"
    label = "Chấm trực tiếp"
    keys = frozenset({"score"})
    param_keys = frozenset({"step"})

    def check_params(self, p):
        p.unknown(set(self.param_keys))
        step = p.decimal("step", p.raw.get("step"), positive=True) if "step" in p.raw else None
        return {"step": step}

    def parse(self, response, node_max, params):
        score = _decimal_input(response, "score")
        if score < 0:
            raise ResponseError(f"điểm không được âm (đang là {plain(score)})", "score")
        if score > node_max:
            raise ResponseError(f"điểm {plain(score)} lớn hơn điểm tối đa {plain(node_max)}", "score")
        step = params.get("step")
        if step is not None and score % step != 0:
            raise ResponseError(f"điểm {plain(score)} không phải bội số của bước chấm {plain(step)}", "score")
        return {"score": score}

    def compute(self, node_max, params, inputs):
        return inputs["score"]

    def fast(self, node_max, params, quant, slow):
        step = params.get("step")

        def score(response):
            if response.__class__ is dict and len(response) == 1:
                given = response.get("score")
                if (
                    given.__class__ is Decimal
                    and given.is_finite()
                    and ZERO <= given <= node_max
                    and (step is None or given % step == 0)
                ):
                    return finish(given, node_max, quant)
            return slow(response)

        return score

    def explain(self, node_max, params, inputs, score, sep):
        return f"Điểm chấm trực tiếp → {num(score, sep)}"


RULE_KINDS: dict[str, RuleKind] = {
    kind.name: kind for kind in (Binary(), Proportional(), Tiered(), Count(), Deduction(), Timeliness(), Manual())
}
