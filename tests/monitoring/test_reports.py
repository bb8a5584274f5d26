"""Level counts for group and regional reports and small-number suppression."""

from __future__ import annotations

import pytest

from sabidamu.monitoring import InvalidLevel, MonitoringError, UnknownStage, level_distribution, suppress_small


def rows_for(skill_group, stage, levels):
    return [(f"child-{i}", skill_group, stage, level) for i, level in enumerate(levels)]


def test_distribution_counts_each_level_including_not_enough_observed():
    rows = (rows_for("physical", "start", [3, 3, 2, 1, None])
            + rows_for("physical", "final", [3, 3, 3, 2, 2])
            + rows_for("cognitive", "start", [1, 1, 2]))
    result = level_distribution(rows)
    assert result == {
        "physical": {"start": {1: 1, 2: 1, 3: 2, None: 1}, "final": {1: 0, 2: 2, 3: 3, None: 0}},
        "cognitive": {"start": {1: 2, 2: 1, 3: 0, None: 0}},
    }
    # card order, whatever the row order
    assert list(result) == ["physical", "cognitive"]
    assert list(result["physical"]) == ["start", "final"]


def test_distribution_empty():
    assert level_distribution([]) == {}


def test_distribution_refuses_bad_rows():
    with pytest.raises(MonitoringError) as info:
        level_distribution(rows_for("physical", "start", [3]) * 2)
    assert info.value.code == "duplicate_row"
    with pytest.raises(MonitoringError) as info:
        level_distribution([("c", "music", "start", 3)])
    assert info.value.code == "unknown_skill_group"
    with pytest.raises(UnknownStage):
        level_distribution([("c", "physical", "spring", 3)])
    with pytest.raises(InvalidLevel):
        level_distribution([("c", "physical", "start", 4)])


def test_suppression_hides_small_cells_and_one_more():
    counts = {"physical": {"start": {1: 2, 2: 10, 3: 7, None: 0}}}
    # 2 is hidden; alone it could be recovered as total - 10 - 7, so the smallest other (7) goes too
    assert suppress_small(counts) == {"physical": {"start": {1: None, 2: 10, 3: None, None: 0}}}


def test_suppression_keeps_large_cells_and_zeros():
    counts = {"creative": {"final": {1: 0, 2: 5, 3: 12, None: 0}}}
    assert suppress_small(counts) == counts


def test_suppression_two_small_cells_protect_each_other():
    counts = {"cognitive": {"start": {1: 1, 2: 3, 3: 20, None: 6}}}
    assert suppress_small(counts) == {"cognitive": {"start": {1: None, 2: None, 3: 20, None: 6}}}


def test_suppression_hides_a_whole_small_row():
    counts = {"physical": {"start": {1: 0, 2: 0, 3: 4, None: 0}}}
    assert suppress_small(counts) == {"physical": {"start": {1: None, 2: None, 3: None, None: None}}}


def test_suppression_k_boundary_and_parameter():
    counts = {"physical": {"start": {1: 5, 2: 5, 3: 5, None: 0}}}
    assert suppress_small(counts, k=5) == counts  # 5 is shown
    assert suppress_small(counts, k=6)["physical"]["start"] == {1: None, 2: None, 3: None, None: 0}
    assert suppress_small(counts, k=1) == counts
    for bad_k in (0, -3, True, 2.5):
        with pytest.raises(ValueError):
            suppress_small(counts, k=bad_k)
    with pytest.raises(ValueError):
        suppress_small({"physical": {"start": {1: -1, 2: 5, 3: 5, None: 0}}})


def test_distribution_then_suppression_end_to_end():
    levels = [3] * 9 + [2] * 6 + [1] * 2 + [None] * 1
    counts = level_distribution(rows_for("social_emotional", "intermediate", levels))
    shown = suppress_small(counts)["social_emotional"]["intermediate"]
    assert shown == {1: None, 2: 6, 3: 9, None: None}
    assert counts["social_emotional"]["intermediate"][1] == 2  # the input is not modified
