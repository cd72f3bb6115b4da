"""HCL operators and the built-in functions evaluated offline, over known values."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from boundary.load.terraform.hcl.values import is_known, unknown

__all__ = ["FUNCTIONS", "MAX_ITEMS", "apply_operator"]

MAX_ITEMS = 1000  # for_each/count expansions, range(): what a real configuration needs


def apply_operator(op: str, left: Any, right: Any) -> Any:
    if not (is_known(left) and is_known(right)):
        return unknown(left, right)
    try:
        if op == "==":
            return bool(left == right)
        if op == "!=":
            return bool(left != right)
        if op in ("&&", "||") and isinstance(left, bool) and isinstance(right, bool):
            return (left and right) if op == "&&" else (left or right)
        numbers = {
            "+": lambda a, b: a + b,
            "-": lambda a, b: a - b,
            "*": lambda a, b: a * b,
            "/": lambda a, b: a / b,
            "%": lambda a, b: a % b,
            "<": lambda a, b: a < b,
            ">": lambda a, b: a > b,
            "<=": lambda a, b: a <= b,
            ">=": lambda a, b: a >= b,
        }
        if op in numbers and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)
        ):
            return numbers[op](left, right)
    except (ArithmeticError, TypeError):
        pass
    return unknown(left, right)


def _tostring(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    raise TypeError("not a primitive")


def _format(spec: str, *args: Any) -> str:
    values = iter(args)
    return re.sub(
        r"%(%|[-+# 0-9.]*[sdvqft])", lambda m: "%" if m.group(1) == "%" else _tostring(next(values)), spec
    )


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _flatten_list(items: Any) -> list[Any]:
    out: list[Any] = []
    for item in items:
        out.extend(_flatten_list(item) if isinstance(item, list) else [item])
    return out


def _lookup(mapping: Mapping[str, Any], key: str, *default: Any) -> Any:
    return mapping[key] if key in mapping or not default else default[0]


FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "lower": lambda s: s.lower(),
    "upper": lambda s: s.upper(),
    "trimspace": lambda s: s.strip(),
    "tostring": _tostring,
    "tonumber": lambda v: v if isinstance(v, (int, float)) else float(v) if "." in v else int(v),
    "tobool": lambda v: v if isinstance(v, bool) else {"true": True, "false": False}[v],
    "tolist": lambda v: list(v),
    "toset": lambda v: sorted(_distinct(list(v)), key=json.dumps),
    "tomap": lambda v: dict(v),
    "format": _format,
    "join": lambda sep, *lists: sep.join(_tostring(x) for lst in lists for x in lst),
    "split": lambda sep, s: s.split(sep),
    "replace": lambda s, a, b: (
        re.sub(a[1:-1], b, s) if len(a) > 1 and a.startswith("/") and a.endswith("/") else s.replace(a, b)
    ),
    "concat": lambda *lists: [x for lst in lists for x in lst],
    "flatten": _flatten_list,
    "compact": lambda items: [x for x in items if x not in ("", None)],
    "distinct": _distinct,
    "merge": lambda *maps: {k: v for m in maps if isinstance(m, Mapping) for k, v in m.items()},
    "length": lambda v: len(v),
    "keys": lambda m: sorted(m),
    "values": lambda m: [m[k] for k in sorted(m)],
    "lookup": _lookup,
    "element": lambda items, i: items[i % len(items)],
    "coalesce": lambda *items: next(x for x in items if x not in ("", None)),
    "contains": lambda items, v: v in items,
    "jsondecode": lambda s: json.loads(s),
    "range": lambda *a: list(range(*a))[:MAX_ITEMS],
    "substr": lambda s, off, n: s[off : (off + n if n >= 0 else None)],
    "title": lambda s: s.title(),
    "trimprefix": lambda s, p: s.removeprefix(p),
    "trimsuffix": lambda s, p: s.removesuffix(p),
    "abs": abs,
    "max": max,
    "min": min,
    "zipmap": lambda ks, vs: dict(zip(ks, vs, strict=False)),
    "one": lambda items: items[0] if len(items) == 1 else None,
    "sort": lambda items: sorted(items),
    "startswith": lambda s, p: s.startswith(p),
    "endswith": lambda s, p: s.endswith(p),
}
