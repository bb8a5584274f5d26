"""Small-number protection for published count tables (pure: no Flask, no database).

A published table is a set of counts ("cells") tied together by the totals published beside them: each total
is the sum of some cells (a row total, a district's count is the sum of its kindergartens', a region's the sum
of its districts'). Totals are cells too: a total below the threshold is itself a small count.

The rule (docs/privacy.md, "Small-number protection"):

1. primary suppression: every count from 1 to k-1 (k = 5) is hidden; zeros stay visible (they name nobody),
   so a hidden cell is known to be at least 1;
2. complementary suppression: further cells are hidden until no hidden cell can be worked out from what is
   shown. An attacker knows every shown number, every equation "total = sum of parts" and that a hidden cell
   is at least 1. A hidden cell is safe when (a) no linear combination of the equations isolates it (exact
   elimination over the hidden cells) and (b) the bounds the equations give it (interval propagation with
   the lower bound 1) leave more than one value. While a cell is unsafe, the smallest shown non-zero cell
   that shares an equation with it is hidden too (a total only when no inner cell is left), and the check
   runs again.

`protect(cells, equations)` returns the set of hidden cell keys; callers publish None for them.
"""
from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

K = 5
_P = (1 << 61) - 1  # a prime: elimination modulo P is exact for these small integer systems (0/±1 coefficients)

Key = Hashable
Cell = TypeVar("Cell", bound=Hashable)  # the helpers below work on any key type (protect numbers them)
Equation = tuple[Key, Sequence[Key]]  # (total, parts): value[total] == sum(value[part] for part in parts)


def primary(cells: Mapping[Key, int], k: int = K) -> set[Key]:
    """The cells from 1 to k-1."""
    _check(cells, k)
    return {key for key, n in cells.items() if 0 < n < k}


def protect(cells: Mapping[Key, int], equations: Iterable[Equation], k: int = K) -> set[Key]:
    """Primary then complementary suppression (module docstring). Every key of `equations` must be in `cells`."""
    _check(cells, k)
    eqs = [(total, tuple(parts)) for total, parts in equations]
    for total, parts in eqs:
        for key in (total, *parts):
            if key not in cells:
                raise KeyError(f"equation names an unknown cell {key!r}")
    # The work runs on integers numbered in the keys' repr order: hashing tuples of UUIDs was most of the time
    # at national scale, and the order (hence the result) stays the same deterministic one.
    names = sorted(cells, key=repr)
    number = {key: i for i, key in enumerate(names)}
    counts = tuple(cells[key] for key in names)
    hidden = _protect_numbered(counts, tuple((number[t], tuple(number[p] for p in parts)) for t, parts in eqs), k)
    return {names[i] for i in hidden}


@functools.lru_cache(maxsize=256)
def _protect_numbered(counts: tuple[int, ...], eqs: tuple[tuple[int, tuple[int, ...]], ...], k: int) -> frozenset[int]:
    """The same table asked again (a department's page reloaded, its CSV, the other language) is not worked out
    again: the result depends only on the numbered counts and equations. At most 256 tables are remembered."""
    return frozenset(_protect(dict(enumerate(counts)), list(eqs), k))


def _protect(cells: dict[int, int], eqs: list[tuple[int, tuple[int, ...]]], k: int) -> set[int]:
    hidden = {key for key, n in cells.items() if 0 < n < k}
    by_cell: dict[int, list[int]] = {}
    for i, (total, parts) in enumerate(eqs):
        for key in (total, *parts):
            by_cell.setdefault(key, []).append(i)
    totals = {total for total, _ in eqs}
    while True:
        unsafe = disclosed(cells, eqs, hidden)
        if not unsafe:
            return hidden
        # Equations with a single hidden cell: each needs a partner. Partners for different lonely equations are
        # added in the same round (a district's column shared by hundreds of kindergartens no longer lets only
        # one row be helped per round); a cell unsafe for another reason gets one partner per round.
        in_eq = [sum(c in hidden for c in (total, *parts)) for total, parts in eqs]
        lonely = {i for i, n in enumerate(in_eq) if n == 1}
        added: set[int] = set()  # the equations a cell hidden in this round belongs to
        for key in sorted(unsafe):
            mine = by_cell.get(key, ())
            wanting = [i for i in mine if i in lonely]
            if added.intersection(wanting or mine):
                continue
            partner = _partner(cells, eqs, by_cell, hidden, totals, key, lonely)
            if partner is not None:
                hidden.add(partner)
                added.update(by_cell.get(partner, ()))
                for i in by_cell.get(partner, ()):  # keep `lonely` current for the next partner's ranking
                    in_eq[i] += 1
                    if in_eq[i] == 1:
                        lonely.add(i)
                    else:
                        lonely.discard(i)
        if not added:  # nothing left to hide next to the unsafe cells: hide every non-zero cell they touch
            for key in unsafe:
                for i in by_cell.get(key, ()):
                    total, parts = eqs[i]
                    hidden.update(c for c in (total, *parts) if cells[c] > 0)
            if not disclosed(cells, eqs, hidden):
                return hidden
            return {key for key, n in cells.items() if n > 0}


def disclosed(cells: Mapping[Cell, int], equations: Sequence[tuple[Cell, Sequence[Cell]]], hidden: set[Cell]
              ) -> set[Cell]:
    """The hidden cells an attacker can work out exactly (module docstring, (a) and (b))."""
    if not hidden:
        return set()
    return _determined_linear(cells, equations, hidden) | _determined_by_bounds(cells, equations, hidden)


def _partner(cells, eqs, by_cell, hidden, totals, key, lonely: set[int]) -> int | None:
    """The cell to hide beside unsafe `key`: in one of its equations, shown and non-zero; preferably an inner cell
    (not a total) that also gives a lonely hidden cell of another equation its partner (closing a rectangle),
    then the smallest."""
    best: tuple | None = None
    for i in by_cell.get(key, ()):
        total, parts = eqs[i]
        for cand in (total, *parts):
            if cand in hidden or cells[cand] == 0:
                continue
            links = sum(1 for j in by_cell.get(cand, ()) if j != i and j in lonely)
            rank = (1 if cand in totals else 0, -links, cells[cand], cand)
            if best is None or rank < best[0]:
                best = (rank, cand)
    return None if best is None else best[1]


def _determined_linear(cells, equations, hidden: set[Cell]) -> set[Cell]:
    """Hidden cells isolated by a linear combination of the equations: reduced row echelon form over the hidden
    cells (shown cells are constants); a cell is determined iff some reduced row has it as its only entry."""
    order = {key: i for i, key in enumerate(sorted(hidden, key=repr))}
    rows: list[dict[int, int]] = []
    for total, parts in equations:
        row: dict[int, int] = {}
        for key, coef in ((total, -1), *((p, 1) for p in parts)):
            if key in order:
                j = order[key]
                row[j] = (row.get(j, 0) + coef) % _P
        row = {j: c for j, c in row.items() if c}
        if row:
            rows.append(row)
    pivots: dict[int, dict[int, int]] = {}  # pivot column -> normalised row
    for row in rows:
        for col, prow in pivots.items():
            if col in row:
                factor = row[col]
                for j, c in prow.items():
                    row[j] = (row.get(j, 0) - factor * c) % _P
                row = {j: c for j, c in row.items() if c}
        if not row:
            continue
        col = min(row)
        inv = pow(row[col], _P - 2, _P)
        row = {j: c * inv % _P for j, c in row.items()}
        for other_col, prow in pivots.items():  # keep earlier rows reduced
            if col in prow:
                factor = prow[col]
                for j, c in row.items():
                    prow[j] = (prow.get(j, 0) - factor * c) % _P
                pivots[other_col] = {j: c for j, c in prow.items() if c}
        pivots[col] = row
    keys = sorted(hidden, key=repr)
    return {keys[col] for col, row in pivots.items() if len(row) == 1}


def _determined_by_bounds(cells, equations, hidden: set[Cell]) -> set[Cell]:
    """Interval propagation: each hidden cell starts in [1, inf); each equation narrows its unknowns."""
    inf = float("inf")
    lo: dict[Key, float] = dict.fromkeys(hidden, 1)
    hi: dict[Key, float] = dict.fromkeys(hidden, inf)
    touched = [[(total, -1), *((p, 1) for p in parts)] for total, parts in equations
               if total in hidden or any(p in hidden for p in parts)]
    for _ in range(50):
        changed = False
        for terms in touched:
            # sum(coef * value) == 0; the bounds of the sum, with infinite contributions counted apart
            low, high, low_inf, high_inf = 0.0, 0.0, 0, 0
            contrib = {}
            for key, c in terms:
                a, b = (lo[key], hi[key]) if key in hidden else (cells[key], cells[key])
                tl, th = (c * a, c * b) if c > 0 else (c * b, c * a)
                contrib[key] = (tl, th)
                if tl == -inf:
                    low_inf += 1
                else:
                    low += tl
                if th == inf:
                    high_inf += 1
                else:
                    high += th
            for key, coef in terms:
                if key not in hidden:
                    continue
                tl, th = contrib[key]
                rest_lo = -inf if low_inf - (tl == -inf) > 0 else low - (0 if tl == -inf else tl)
                rest_hi = inf if high_inf - (th == inf) > 0 else high - (0 if th == inf else th)
                # coef * x == -rest
                new_lo, new_hi = (-rest_hi, -rest_lo) if coef > 0 else (rest_lo, rest_hi)
                if new_lo > lo[key]:
                    lo[key], changed = new_lo, True
                if new_hi < hi[key]:
                    hi[key], changed = new_hi, True
        if not changed:
            break
    return {key for key in hidden if hi[key] <= lo[key]}


# -- tables of organizations inside districts inside a region --------------------------------------------------

TOTAL = "total"


@dataclass
class Published:
    """`values[node][column]`: the count to publish, None where hidden; `hidden`: the hidden (node, column) keys."""

    values: dict[Hashable, dict[Hashable, int | None]]
    hidden: set[tuple[Hashable, Hashable]]


def protect_tree(leaves: Mapping[Hashable, Mapping[Hashable, int]], parents: Mapping[Hashable, Hashable | None],
                 columns: Sequence[Hashable], *, with_total: bool = True, k: int = K) -> Published:
    """A hierarchical table: `parents` maps every node (organization, district, region) to its parent (None at the
    top); `leaves` gives the counts of the leaf nodes per column (missing: 0). A parent's count is the sum of its
    children's, per column; with `with_total` each node also has a TOTAL column (the sum of its columns). Every
    count (leaves, parents, totals) is protected together, so any subset of the rows may be published."""
    children: dict[Hashable, list[Hashable]] = {}
    for node, parent in parents.items():
        if parent is not None:
            children.setdefault(parent, []).append(node)
    cols = list(columns) + ([TOTAL] if with_total else [])
    values: dict[Hashable, dict[Hashable, int]] = {}

    def fill(node: Hashable) -> dict[Hashable, int]:
        if node in values:
            return values[node]
        kids = children.get(node)
        if kids:
            row = {c: sum(fill(kid)[c] for kid in kids) for c in columns}
        else:
            given = leaves.get(node, {})
            row = {c: int(given.get(c, 0)) for c in columns}
        if with_total:
            row[TOTAL] = sum(row[c] for c in columns)
        values[node] = row
        return row

    for node in parents:
        fill(node)
    cells: dict[Key, int] = {(node, c): n for node, row in values.items() for c, n in row.items()}
    equations: list[Equation] = []
    for node, kids in children.items():
        for c in cols:
            equations.append(((node, c), [(kid, c) for kid in kids]))
    if with_total:
        for node in values:
            equations.append(((node, TOTAL), [(node, c) for c in columns]))
    # Every key here is a (node, column) pair; the isinstance only tells mypy so.
    hidden = {key for key in protect(cells, equations, k) if isinstance(key, tuple)}
    published = {node: {c: (None if (node, c) in hidden else n) for c, n in row.items()}
                 for node, row in values.items()}
    return Published(published, hidden)


def _check(cells: Mapping[Key, int], k: int) -> None:
    if not isinstance(k, int) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    for value in cells.values():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"counts must be non-negative integers, got {value!r}")
