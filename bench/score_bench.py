"""Scoring throughput at national scale, as a ratio to a bare Decimal-summing loop.

Workload: 3,321 units (the communes, wards and special zones after 1 July 2025) × every
leaf of the built-in reference framework, with realistic answers (ratios written as value
or numerator/denominator, yes/no, counts, days late, manual scores, some not applicable,
some missing). Both loops run in the same process on the same Decimal values; each is
timed as the best of several interleaved repeats, and the figure is engine rate ÷ bare-loop rate.

    .venv/bin/python bench/score_bench.py [--units 3321] [--repeat 5] [--min-ratio 0.05]

Exits 1 when the ratio is below --min-ratio (the target is 1/20 of the bare loop).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from parindex import scoring  # noqa: E402

REFERENCE = Path(__file__).resolve().parent.parent / "parindex" / "frameworks" / "data" / "qt-xa-2023.yaml"


def answer(node: scoring.Node, rng: random.Random) -> dict[str, object] | None:
    roll = rng.random()
    if roll < 0.02:
        return {"applicable": False}
    if roll < 0.05:
        return None  # missing: not answered yet
    kind = node.rule.kind if node.rule else ""
    if kind in ("proportional", "tiered"):
        if rng.random() < 0.5:
            denominator = rng.randint(1, 2000)
            return {"numerator": Decimal(rng.randint(0, denominator)), "denominator": Decimal(denominator)}
        return {"value": Decimal(rng.randint(0, 1000)) / 1000}
    if kind == "binary":
        return {"met": rng.random() < 0.85}
    if kind in ("count", "deduction"):
        return {"count": rng.randint(0, 4)}  # YAML reads whole numbers as int
    if kind == "timeliness":
        return {"days_late": rng.randint(-10, 30)}
    if kind == "manual":
        return {"score": (node.max * rng.randint(0, 100) / 100).quantize(Decimal("0.01"))}
    raise AssertionError(kind)


def workload(framework: scoring.Framework, units: int, seed: int) -> list[dict[str, dict[str, object]]]:
    rng = random.Random(seed)
    out = []
    for _ in range(units):
        responses = {}
        for leaf in framework.leaves:
            a = answer(leaf, rng)
            if a is not None:
                responses[leaf.code] = a
        out.append(responses)
    return out


def decimal_values(responses: dict[str, dict[str, object]]) -> list[Decimal]:
    """The inputs of one unit as Decimals, as the bare loop sums them (yes/no as 1/0, whole numbers as is)."""
    values = []
    for response in responses.values():
        for key, value in response.items():
            if key == "applicable":
                continue
            values.append(value if isinstance(value, Decimal) else Decimal(int(value)))
    return values


def best_interleaved(repeat: int, *fns: Callable[[], None]) -> list[float]:
    """Best time of each function over ``repeat`` rounds, the functions alternating within a
    round, so a burst of load on the machine affects both sides alike."""
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--min-ratio", type=float, default=1 / 20)
    args = parser.parse_args()

    framework = scoring.parse_framework(scoring.load_path(REFERENCE))
    units = workload(framework, args.units, args.seed)
    values = [decimal_values(r) for r in units]
    leaves = len(framework.leaves) * args.units
    n_values = sum(len(v) for v in values)

    def engine() -> None:
        for responses in units:
            scoring.score(framework, responses)

    def bare() -> None:
        for unit_values in values:
            total = Decimal(0)
            for value in unit_values:
                total += value

    engine()  # warm the compiled plan
    bare_s, engine_s = best_interleaved(args.repeat, bare, engine)
    engine_rate = leaves / engine_s
    bare_rate = n_values / bare_s
    ratio = engine_rate / bare_rate
    print(
        f"workload: {args.units} units × {len(framework.leaves)} leaves = {leaves:,} leaves ({n_values:,} Decimal inputs)"
    )
    print(f"engine:    {engine_rate:>12,.0f} leaves scored/s   ({engine_s * 1000:8.1f} ms per national run)")
    print(f"bare loop: {bare_rate:>12,.0f} Decimals summed/s ({bare_s * 1000:8.1f} ms)")
    verdict = "ok" if ratio >= args.min_ratio else "BELOW TARGET"
    print(f"ratio:     1/{1 / ratio:.1f} of the bare loop (target ≥ 1/{1 / args.min_ratio:.0f}): {verdict}")
    return 0 if ratio >= args.min_ratio else 1


if __name__ == "__main__":
    sys.exit(main())
