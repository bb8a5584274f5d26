"""Small-number protection: no count from 1 to 4 is published, and an attacker who knows the published cells, the
totals and that a hidden cell is at least 1 cannot work out any hidden cell (docs/privacy.md)."""
from __future__ import annotations

import itertools
import random

import pytest

from sabidamu.analytics.suppression import TOTAL, K, disclosed, primary, protect, protect_tree


def attacker_values(cells, equations, hidden, limit):
    """A brute-force attacker: every assignment of the hidden cells (1..limit) that agrees with every published
    number and every equation; returns the values each hidden cell can take."""
    keys = sorted(hidden, key=repr)
    possible = {key: set() for key in keys}
    for guess in itertools.product(range(1, limit + 1), repeat=len(keys)):
        value = {**{k: v for k, v in cells.items() if k not in hidden}, **dict(zip(keys, guess, strict=True))}
        if all(value[total] == sum(value[p] for p in parts) for total, parts in equations):
            for key, v in zip(keys, guess, strict=True):
                possible[key].add(v)
    return possible


def grid(rows):
    """A table with row totals, column totals and the grand total: cells and equations."""
    cells, equations = {}, []
    for i, row in enumerate(rows):
        for j, n in enumerate(row):
            cells[(i, j)] = n
        cells[(i, TOTAL)] = sum(row)
        equations.append(((i, TOTAL), [(i, j) for j in range(len(row))]))
    for j in range(len(rows[0])):
        cells[(TOTAL, j)] = sum(r[j] for r in rows)
        equations.append(((TOTAL, j), [(i, j) for i in range(len(rows))]))
    cells[(TOTAL, TOTAL)] = sum(map(sum, rows))
    equations.append(((TOTAL, TOTAL), [(TOTAL, j) for j in range(len(rows[0]))]))
    equations.append(((TOTAL, TOTAL), [(i, TOTAL) for i in range(len(rows))]))
    return cells, equations


def test_no_count_from_one_to_four_is_published():
    cells, equations = grid([[3, 10, 7], [12, 1, 9], [0, 8, 20]])
    hidden = protect(cells, equations)
    assert primary(cells) <= hidden
    assert all(cells[key] >= K or cells[key] == 0 for key in cells if key not in hidden)
    assert all(cells[key] == 0 for key in cells if key not in hidden and cells[key] < K)


def test_a_single_small_cell_is_not_recoverable_from_its_row_total():
    cells = {"a": 3, "b": 10, "c": 7, "T": 20}
    hidden = protect(cells, [("T", ["a", "b", "c"])])
    assert {"a", "c"} <= hidden  # the smallest other cell goes with it
    assert "b" not in hidden and "T" not in hidden
    # total minus the visible cell leaves a + c = 10: a is anything from 1 to 9
    possible = attacker_values(cells, [("T", ["a", "b", "c"])], hidden, 20)
    assert possible["a"] == set(range(1, 10))


def test_two_hidden_cells_that_must_each_be_one_are_protected_further():
    # a + b = 7 - 5 = 2 and both are at least 1: both would be 1. The 5 is hidden too.
    cells = {"a": 1, "b": 1, "c": 5, "T": 7}
    hidden = protect(cells, [("T", ["a", "b", "c"])])
    assert hidden >= {"a", "b", "c"}


def test_the_row_and_column_attack_on_a_grid_fails():
    cells, equations = grid([[3, 10, 7], [12, 6, 9], [8, 8, 20]])
    hidden = protect(cells, equations)
    assert (0, 0) in hidden
    assert not disclosed(cells, equations, hidden)
    assert len(hidden) <= 5
    possible = attacker_values(cells, equations, hidden, 21)
    assert all(len(values) > 1 for values in possible.values()), possible
    assert 3 in possible[(0, 0)]


def test_primary_suppression_alone_would_be_broken_by_the_attacker():
    """The attack the test above defeats works on the table with only the small cell hidden."""
    cells, equations = grid([[3, 10, 7], [12, 6, 9], [8, 8, 20]])
    only_small = primary(cells)
    assert disclosed(cells, equations, only_small) == {(0, 0)}
    assert attacker_values(cells, equations, only_small, 30)[(0, 0)] == {3}


@pytest.mark.parametrize("seed", range(40))
def test_random_small_tables_resist_a_brute_force_attacker(seed):
    rnd = random.Random(seed)
    rows = [[rnd.choice((0, 1, 2, 3, 4, 5, 6, 9, 12)) for _ in range(3)] for _ in range(2)]
    cells, equations = grid(rows)
    hidden = protect(cells, equations)
    assert all(cells[key] == 0 or cells[key] >= K for key in cells if key not in hidden)
    limit = max(cells.values())
    if limit ** len(hidden) > 200_000:  # the attacker below enumerates limit ** len(hidden) guesses
        assert not disclosed(cells, equations, hidden)
        return
    for key, values in attacker_values(cells, equations, hidden, limit).items():
        assert len(values) != 1, (rows, key, values)


def test_a_hierarchy_publishes_consistent_rows_and_hides_no_recoverable_cell():
    parents = {"R": None, "d1": "R", "d2": "R", "o1": "d1", "o2": "d1", "o3": "d2", "o4": "d2"}
    leaves = {"o1": {1: 3, 2: 8, 3: 9}, "o2": {1: 6, 2: 7, 3: 12}, "o3": {1: 10, 2: 10, 3: 6}, "o4": {1: 7, 2: 20}}
    published = protect_tree(leaves, parents, [1, 2, 3])
    assert published.values["o1"][1] is None
    assert published.values["o4"][3] == 0
    for node, row in published.values.items():
        for col, n in row.items():
            assert n is None or n == 0 or n >= K, (node, col, n)
    # the sums hold wherever every part is shown
    d1 = published.values["d1"]
    if d1[3] is not None and published.values["o1"][3] is not None and published.values["o2"][3] is not None:
        assert d1[3] == 9 + 12
    cells = {}
    equations = []
    raw = {"o1": {1: 3, 2: 8, 3: 9}, "o2": {1: 6, 2: 7, 3: 12}, "o3": {1: 10, 2: 10, 3: 6}, "o4": {1: 7, 2: 20, 3: 0}}
    raw["d1"] = {c: raw["o1"][c] + raw["o2"][c] for c in (1, 2, 3)}
    raw["d2"] = {c: raw["o3"][c] + raw["o4"][c] for c in (1, 2, 3)}
    raw["R"] = {c: raw["d1"][c] + raw["d2"][c] for c in (1, 2, 3)}
    for node, row in raw.items():
        for c, n in row.items():
            cells[(node, c)] = n
        cells[(node, TOTAL)] = sum(row.values())
        equations.append(((node, TOTAL), [(node, c) for c in (1, 2, 3)]))
    for parent, kids in (("d1", ("o1", "o2")), ("d2", ("o3", "o4")), ("R", ("d1", "d2"))):
        for c in (1, 2, 3, TOTAL):
            equations.append(((parent, c), [(kid, c) for kid in kids]))
    assert published.hidden == {key for key in cells if published.values[key[0]][key[1]] is None}
    assert not disclosed(cells, equations, published.hidden)


def test_bad_counts_are_refused():
    with pytest.raises(ValueError):
        protect({"a": -1}, [])
    with pytest.raises(ValueError):
        protect({"a": 1}, [], k=0)
    with pytest.raises(KeyError):
        protect({"a": 1}, [("a", ["b"])])
