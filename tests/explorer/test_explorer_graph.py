"""The lane layout: properties on random trees (hypothesis), and the sizes the issue names."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from chatroutes_core.explorer.graph import BranchNode, Layout, layout


@st.composite
def trees(draw: st.DrawFn) -> tuple[list[BranchNode], dict[str, list[str]]]:
    """A random conversation: branch k forks from an earlier branch at one of its messages (or its start)."""
    count = draw(st.integers(1, 25))
    messages: dict[str, list[str]] = {}
    branches: list[BranchNode] = []
    serial = 0
    for k in range(count):
        own = []
        for _ in range(draw(st.integers(0, 6))):
            own.append(f"m{serial}")
            serial += 1
        if k == 0:
            branches.append(BranchNode("b0", None, None, True))
        else:
            parent = draw(st.integers(0, k - 1))
            candidates = messages[f"b{parent}"]
            fork = draw(st.sampled_from(candidates)) if candidates else None
            branches.append(BranchNode(f"b{k}", f"b{parent}", fork))
        messages[f"b{k}"] = own
    order = draw(st.permutations(branches))
    return list(order), messages


def _check(branches: list[BranchNode], messages: dict[str, list[str]], g: Layout) -> None:
    assert sorted(g.lanes.values()) == list(range(len(branches)))  # one lane per branch
    total = sum(len(v) for v in messages.values())
    assert sorted(g.rows.values()) == list(range(total))  # one row per message
    for branch in branches:
        own = messages[branch.id]
        for index, mid in enumerate(own):
            assert g.message_branch[mid] == branch.id  # every message on its branch's lane
            expected_parent = own[index - 1] if index else branch.fork_point_message_id
            assert g.parents[mid] == expected_parent
            parent = g.parents[mid]
            if parent is not None:
                assert g.rows[parent] < g.rows[mid]  # rows increase along parent chains
        if branch.parent_branch_id is not None:
            assert g.depths[branch.id] == g.depths[branch.parent_branch_id] + 1
            assert g.lanes[branch.id] > g.lanes[branch.parent_branch_id]
    for branch in branches:  # a subtree occupies consecutive lanes (collapsible as one block)
        size = _subtree(branch.id, branches)
        lanes = sorted(g.lanes[b] for b in size)
        assert lanes == list(range(lanes[0], lanes[0] + len(lanes)))
    assert g.lanes[next(b.id for b in branches if b.is_main)] == 0
    assert sum(g.child_counts.values()) == len(branches) - 1


def _subtree(root: str, branches: list[BranchNode]) -> set[str]:
    found, grew = {root}, True
    while grew:
        grew = False
        for b in branches:
            if b.parent_branch_id in found and b.id not in found:
                found.add(b.id)
                grew = True
    return found


@settings(max_examples=150, deadline=None)
@given(trees())
def test_layout_properties_hold_on_random_trees(tree: tuple[list[BranchNode], dict[str, list[str]]]) -> None:
    branches, messages = tree
    _check(branches, messages, layout(branches, messages))


def test_ten_thousand_messages_on_two_hundred_branches_in_linear_time() -> None:
    branches = [BranchNode("b0", None, None, True)]
    messages: dict[str, list[str]] = {"b0": [f"m0_{i}" for i in range(50)]}
    for k in range(1, 200):
        parent = f"b{(k - 1) // 3}"
        branches.append(BranchNode(f"b{k}", parent, messages[parent][k % 50]))
        messages[f"b{k}"] = [f"m{k}_{i}" for i in range(50)]
    start = time.perf_counter()
    g = layout(branches, messages)
    elapsed = time.perf_counter() - start
    assert len(g.rows) == 10_000 and len(g.lanes) == 200
    _check(branches, messages, g)
    assert elapsed < 0.5, elapsed  # about 10 ms here; a quadratic layout takes seconds


def test_a_thousand_nested_forks_need_no_recursion() -> None:
    branches = [BranchNode("b0", None, None, True)]
    messages = {"b0": ["m0"]}
    for k in range(1, 1000):
        branches.append(BranchNode(f"b{k}", f"b{k - 1}", f"m{k - 1}"))
        messages[f"b{k}"] = [f"m{k}"]
    g = layout(list(reversed(branches)), messages)
    assert g.depths["b999"] == 999 and g.lanes["b999"] == 999 and g.rows["m999"] == 999
    assert g.parents["m999"] == "m998"


def test_orphans_and_cycles_still_get_a_lane() -> None:
    branches = [
        BranchNode("main", None, None, True),
        BranchNode("orphan", "deleted", "gone"),
        BranchNode("a", "b", None),
        BranchNode("b", "a", None),
    ]
    g = layout(branches, {"main": ["m1"], "orphan": ["m2"], "a": ["m3"], "b": ["m4"]})
    assert sorted(g.lanes) == ["a", "b", "main", "orphan"] and g.lanes["main"] == 0
    assert sorted(g.rows.values()) == [0, 1, 2, 3]
