"""`_may_exceed` lets small files skip the counting pass over YAML events: it must never
say no for a text whose composing would go over a limit."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from boundary.load._yaml import _may_exceed
from boundary.model import Limits

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
_TREES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=4), inner, max_size=4)
    ),
    max_leaves=40,
)


def _count(text: str) -> tuple[int, int]:
    """Nodes and deepest nesting on the event stream, as `_check_events` counts them."""
    nodes = depth = deepest = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return nodes, deepest


@settings(max_examples=300, deadline=None)
@given(tree=_TREES, flow=st.sampled_from([None, True, False]), width=st.sampled_from([20, 80, 10_000]))
def test_a_text_over_a_limit_is_always_counted_first(tree: Any, flow: bool | None, width: int) -> None:
    text = yaml.safe_dump(tree, default_flow_style=flow, width=width)
    nodes, deepest = _count(text)
    if nodes > 1:
        assert _may_exceed(text, Limits(max_nodes=nodes - 1))
    if deepest > 1:
        assert _may_exceed(text, Limits(max_depth=deepest - 1))


def test_compact_nested_sequences_on_one_line_are_counted() -> None:
    text = "- " * 150 + "leaf\n"
    assert _count(text)[1] == 150
    assert _may_exceed(text, Limits(max_depth=149))
    assert not _may_exceed("a: [1, 2]\nb: {c: d}\n", Limits())
