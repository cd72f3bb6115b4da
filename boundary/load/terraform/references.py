"""Reference resolution: which instances a configuration expression means.

A plan keeps, beside each value, the configuration expression that produced
it, with the references it makes (`aws_iam_role.r.arn`, `var.role`,
`module.m.role_arn`, `each.value`). `Resolver` follows them through module
inputs and outputs and `count`/`for_each` keys to instance addresses, and
turns every value the plan marks unknown into a `Symbolic` that names them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from boundary.load._limits import charge
from boundary.load.terraform._shapes import UNKNOWN_REASON, UNKNOWN_TEXT, as_map
from boundary.load.terraform.instances import (
    KEY,
    MAX_DEPTH,
    NO_KEY,
    Instance,
    Instances,
    module_key,
    module_names,
    parent_module,
    strip_key,
    with_key,
)
from boundary.model import Symbolic

__all__ = [
    "NON_RESOURCE_ROOTS",
    "RESOURCE_REF",
    "Resolver",
    "expression_references",
    "symbolic_references",
]

RESOURCE_REF = re.compile(r"^((?:data\.)?[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)(" + KEY + r")?")
_MODULE_REF = re.compile(r"^(module\.[A-Za-z_][\w-]*)(" + KEY + r")?(?:\.([A-Za-z_][\w-]*))?")
_INDEXED_REF = re.compile(r"^((?:module|data\.[\w-]+|[A-Za-z_][\w-]*)\.[\w-]+)\[")
NON_RESOURCE_ROOTS = frozenset({"local", "each", "count", "path", "terraform", "self", "var", "module"})
# `aws_sqs_queue.jobs.url`, `aws_iam_role.r["a"].arn`: a managed resource's attribute.
_ATTRIBUTE_REF = re.compile(r"^[a-z][a-z0-9]*_[a-z0-9_]+\.[^.\[]+(\[[^\]]*\])?\.[a-z_][a-z0-9_]*$")


# ---------------------------------------------------------------- expressions


def _has_true(marks: Any) -> bool:
    if marks is True:
        return True
    if isinstance(marks, Mapping):
        return any(_has_true(v) for v in marks.values())
    if isinstance(marks, list):
        return any(_has_true(v) for v in marks)
    return False


def _is_expression(node: Any) -> bool:
    return isinstance(node, Mapping) and bool(node) and set(node) <= {"references", "constant_value"}


def _expression_at(expressions: Any, path: Sequence[str | int]) -> Any:
    """The configuration expression that produced the value at `path`.

    A whole-attribute expression (`variables = {...}`) answers for every path
    below it; a block list without the exact index answers with all its items.
    """
    node = expressions
    for step in path:
        if _is_expression(node):
            return node
        if isinstance(node, Mapping) and isinstance(step, str):
            node = node.get(step)
        elif isinstance(node, list):
            if isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
            else:
                return node
        else:
            return None
        if node is None:
            return None
    return node


def _prune(references: Iterable[str]) -> list[str]:
    """Drop `aws_x.y` when `aws_x.y[0]` is listed too: Terraform lists both for an indexed reference."""
    refs = [r for r in references if isinstance(r, str)]
    indexed = {m.group(1) for m in map(_INDEXED_REF.match, refs) if m}
    return [r for r in refs if r not in indexed]


def expression_references(node: Any) -> list[str]:
    """Every reference string inside an expression tree, in order."""
    out: list[str] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            refs = item.get("references")
            if _is_expression(item) and isinstance(refs, list):
                out.extend(_prune(refs))
                continue
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return out


# ---------------------------------------------------------------- unknown values


def _unknown(references: Sequence[str], resolved: tuple[str, ...]) -> Symbolic:
    """An unknown value: it reads as the resource attributes it is made of, when the
    configuration names them (`${aws_sqs_queue.jobs.url}`), else `(known after apply)`,
    and carries them as `(resource, attribute)` pairs. Which attribute matters: a
    queue's URL where IAM wants its ARN is a classic bug."""
    named = [r for r in dict.fromkeys(references) if _ATTRIBUTE_REF.match(r)]
    text = ", ".join(f"${{{r}}}" for r in named) if named else UNKNOWN_TEXT
    attributes = tuple((address, attribute) for address, _, attribute in (r.rpartition(".") for r in named))
    return Symbolic(text, resolved, UNKNOWN_REASON, attributes)


# An unknown value no configuration expression writes (frozen, so shared).
_UNKNOWN_COMPUTED = Symbolic(UNKNOWN_TEXT, (), UNKNOWN_REASON, ())


def symbolic_references(value: Any) -> list[str]:
    """The resources every `Symbolic` inside a value mentions, in order."""
    out: list[str] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Symbolic):
            out.extend(item.references)
        elif isinstance(item, Mapping):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return out


# ---------------------------------------------------------------- the resolver


class Resolver:
    """Configuration references -> instance addresses, over one plan's instances.

    Memoised, and a reference met again while it is being resolved (module
    inputs and outputs that refer to each other) adds nothing: the work is
    bounded by the distinct references, not by their fan-out to the power of
    the depth. Each resolution is charged to the file's work limit.
    """

    def __init__(self, plan: Instances) -> None:
        self._plan = plan
        self._resolved: dict[tuple[str, str, Any], tuple[str, ...]] = {}
        self._resolving: set[tuple[str, str, Any]] = set()

    def resolve(self, reference: str, module: str, depth: int = 0, key: Any = NO_KEY) -> list[str]:
        """Instance addresses a configuration reference means, seen from `module`.

        `key` is the `each.key`/`count.index` in force when the expression
        mentions it: Terraform then lists `aws_x.y` (or `module.m`) without the
        dynamic index, and the instance with that key is the one meant.
        """
        if depth > MAX_DEPTH:
            return []
        try:
            memo_key = (reference, module, key)
            hash(memo_key)
        except TypeError:  # an odd index from a hand-written plan: resolve without the memo
            charge()
            return self._resolve_once(reference, module, depth, key)
        cached = self._resolved.get(memo_key)
        if cached is not None:
            return list(cached)
        if memo_key in self._resolving:
            return []
        charge()
        self._resolving.add(memo_key)
        try:
            found = list(dict.fromkeys(self._resolve_once(reference, module, depth, key)))
        finally:
            self._resolving.discard(memo_key)
        self._resolved[memo_key] = tuple(found)
        return found

    def _resolve_once(self, reference: str, module: str, depth: int, key: Any) -> list[str]:
        root = reference.split(".", 1)[0].split("[", 1)[0]
        prefix = f"{module}." if module else ""
        if root == "var":
            return self._resolve_variable(reference, module, depth)
        if root == "module":
            return self._resolve_output(reference, module, depth, key)
        if root in NON_RESOURCE_ROOTS:
            return []
        match = RESOURCE_REF.match(reference)
        if not match:
            return []
        instances = self._plan.by_address
        base = prefix + match.group(1)
        if match.group(2):
            exact = base + match.group(2)
            return [exact] if exact in instances else []
        if base in instances:
            return [base]
        keyed = with_key(base, key)
        if keyed is not None and keyed in instances:
            return [keyed]
        return list(self._plan.by_base.get(base, ()))

    def _resolve_variable(self, reference: str, module: str, depth: int) -> list[str]:
        if not module:
            return []  # a root variable is an input, not a resource
        parts = reference.split(".")
        if len(parts) < 2:
            return []
        names = module_names(module)
        calls = self._plan.module_configs.get(names[:-1], {}).get("module_calls")
        call = as_map(as_map(calls).get(names[-1]))
        expression = as_map(call.get("expressions")).get(parts[1])
        parent = parent_module(module)
        return self._resolve_iterated(
            expression_references(expression),
            parent,
            module_key(module),
            call.get("for_each_expression"),
            depth + 1,
        )

    def _resolve_output(self, reference: str, module: str, depth: int, key: Any = NO_KEY) -> list[str]:
        match = _MODULE_REF.match(reference)
        if not match:
            return []
        modules = self._plan.modules
        prefix = f"{module}." if module else ""
        call_base = prefix + match.group(1)
        keyed = with_key(call_base, key) if not match.group(2) else None
        if match.group(2):
            children = [call_base + match.group(2)] if call_base + match.group(2) in modules else []
        elif keyed is not None and keyed in modules:
            children = [keyed]
        else:
            children = [m for m in modules if m == call_base or strip_key(m) == call_base]
        names = (*module_names(module), match.group(1).split(".", 1)[1])
        outputs = as_map(self._plan.module_configs.get(names, {}).get("outputs"))
        # `module.m[each.key].x` is listed as a bare `module.m`: every output may be meant
        wanted = [match.group(3)] if match.group(3) else sorted(outputs)
        refs: list[str] = []
        for output in wanted:
            refs.extend(expression_references(as_map(outputs.get(output)).get("expression")))
        out: list[str] = []
        for child in sorted(children):
            for ref in refs:
                out.extend(self.resolve(ref, child, depth + 1))
        return out

    def _resolve_iterated(
        self, references: Sequence[str], module: str, key: Any, for_each: Any, depth: int
    ) -> list[str]:
        """References of one expression, with `each.key`/`count.index`/`each.value` applied.

        `each.value` is the element of the `for_each` collection with the
        instance's key; `aws_x.y[each.key]` is the instance of `aws_x.y` with it.
        """
        iterated = key is not NO_KEY and any(r.split(".")[0] in ("each", "count") for r in references)
        in_force = key if iterated else NO_KEY
        out: list[str] = []
        for ref in references:
            if ref.startswith("each.value"):
                if key is not NO_KEY:
                    for source in expression_references(for_each):
                        out.extend(self.resolve(source, module, depth, key))
                continue
            out.extend(self.resolve(ref, module, depth, in_force))
        return out

    def references_at(self, instance: Instance, path: Sequence[str | int]) -> tuple[str, ...]:
        """What the expression of the attribute at `path` refers to (the instance itself left out)."""
        expression = _expression_at(instance.expressions, path)
        return self.resolve_all(expression_references(expression), instance)

    def resolve_all(self, references: Iterable[str], instance: Instance) -> tuple[str, ...]:
        """References made in `instance`'s configuration, with its key in force."""
        key = instance.index if instance.index is not None else NO_KEY
        resolved = self._resolve_iterated(
            list(references), instance.module, key, instance.config.get("for_each_expression"), 0
        )
        return tuple(sorted({a for a in resolved if a != instance.address}))

    # ------------------------------------------------------------ unknown values

    def mark(self, value: Any, unknown: Any, instance: Instance, path: tuple[str | int, ...] = ()) -> Any:
        """Values with every path marked unknown replaced by a `Symbolic`; copies, never mutates."""
        if unknown is True:
            raw = expression_references(_expression_at(instance.expressions, path))
            if not raw:  # computed by the provider (`arn`, `id`): nothing written
                return _UNKNOWN_COMPUTED
            return _unknown(raw, self.resolve_all(raw, instance))
        if not unknown or not _has_true(unknown):
            return value  # nothing below is unknown: the value as it is (plan JSON, never mutated)
        if isinstance(value, Mapping):
            marks = unknown if isinstance(unknown, Mapping) else {}
            out = {str(k): self.mark(v, marks.get(k), instance, (*path, str(k))) for k, v in value.items()}
            for key, sub in marks.items():
                if key not in out and _has_true(sub):
                    out[str(key)] = self.mark(None, sub, instance, (*path, str(key)))
            return out
        if isinstance(value, list) or (value is None and isinstance(unknown, list) and _has_true(unknown)):
            items = list(value) if isinstance(value, list) else []
            marks_list = unknown if isinstance(unknown, list) else []
            items.extend([None] * (len(marks_list) - len(items)))
            per_item = self._item_references(instance, path, marks_list)
            return [
                Symbolic(UNKNOWN_TEXT, per_item[i], UNKNOWN_REASON)
                if i in per_item
                else self.mark(item, marks_list[i] if i < len(marks_list) else None, instance, (*path, i))
                for i, item in enumerate(items)
            ]
        if value is None and isinstance(unknown, Mapping) and _has_true(unknown):
            return self.mark({}, unknown, instance, path)
        return value

    def _item_references(
        self, instance: Instance, path: tuple[str | int, ...], marks: list[Any]
    ) -> dict[int, tuple[str, ...]]:
        """Unknown list items paired with the resources of one list expression, in order.

        `[a.arn, b.arn]` is one expression whose references come in source
        order; when there are exactly as many referenced resources as unknown
        items, item k is the k-th resource (otherwise each item names them all).
        """
        unknown = [i for i, mark in enumerate(marks) if mark is True]
        leaf = _expression_at(instance.expressions, path) if len(unknown) > 1 else None
        if not _is_expression(leaf):
            return {}
        bases: list[str] = []
        for ref in expression_references(leaf):
            match = RESOURCE_REF.match(ref)
            if match is None or ref.split(".", 1)[0] in NON_RESOURCE_ROOTS:
                return {}
            base = match.group(1) + (match.group(2) or "")
            if base not in bases:
                bases.append(base)
        if len(bases) != len(unknown):
            return {}
        return {i: self.resolve_all([base], instance) for i, base in zip(unknown, bases, strict=True)}
