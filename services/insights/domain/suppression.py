"""Small-cell suppression of a two-way table of counts (rows × columns, with their totals).

Primary: a count from 1 to `threshold - 1` is hidden (0 stays visible: it describes nobody). Secondary: the table is
extended with its row totals, column totals and grand total; in every line (a row or a column, total included) the
cells add up to the line's total, so a line with exactly one hidden value would reveal it by subtraction. Such a
line gets its smallest visible non-zero cell hidden as well, until no line has exactly one hidden value.

Totals are computed from the true counts; callers may pass column totals and a grand total counted otherwise (e.g.
questions counted once when a question has several themes): those are treated as if the lines added up, which only
hides more.
"""
from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

TOTAL: Any = object()  # the row/column index of the totals in the extended table


@dataclass(frozen=True)
class Suppressed:
    """The visible table: None where a count is hidden."""

    cells: dict[tuple[Hashable, Hashable], int | None]
    row_totals: dict[Hashable, int | None]
    col_totals: dict[Hashable, int | None]
    total: int | None


def suppress(cells: Mapping[tuple[Hashable, Hashable], int], threshold: int,
             col_totals: Mapping[Hashable, int] | None = None, total: int | None = None,
             hidden_already: Collection[tuple[Hashable, Hashable]] = ()) -> Suppressed:
    """`hidden_already`: cells to hide whatever their count (hidden in another answer they could be derived from)."""
    rows = sorted({r for r, _ in cells}, key=str)
    cols = sorted({c for _, c in cells} | set(col_totals or ()), key=str)
    grid = _extended(cells, rows, cols, col_totals, total)
    hidden = {at for at, n in grid.items() if 0 < n < threshold} | {at for at in hidden_already if grid.get(at)}
    all_rows, all_cols = [*rows, TOTAL], [*cols, TOTAL]
    lines = [[(r, c) for c in all_cols] for r in all_rows] + [[(r, c) for r in all_rows] for c in all_cols]
    # Each cell is on its row's line and its column's: how many hidden values each line holds, kept as cells are
    # hidden (the same passes over the lines, in the same order, as counting each line anew would make).
    row_line = {r: i for i, r in enumerate(all_rows)}
    col_line = {c: len(all_rows) + j for j, c in enumerate(all_cols)}
    holds = [0] * len(lines)
    for r, c in hidden:
        holds[row_line[r]] += 1
        holds[col_line[c]] += 1
    changed = True
    while changed:
        changed = False
        for i, line in enumerate(lines):
            if holds[i] == 1 and (extra := _second(line, grid, hidden)) is not None:
                hidden.add(extra)
                holds[row_line[extra[0]]] += 1
                holds[col_line[extra[1]]] += 1
                changed = True
    shown = {at: (None if at in hidden else n) for at, n in grid.items()}
    return Suppressed({at: shown[at] for at in cells}, {r: shown[(r, TOTAL)] for r in rows},
                      {c: shown[(TOTAL, c)] for c in cols}, shown[(TOTAL, TOTAL)])


ABOVE: Any = object()  # `below`'s answer when the top-level cell itself must be hidden


def below(above: int, line: Collection[tuple[Hashable, int | None, int]], threshold: int) -> Hashable | None:
    """The rule between a shown top-level cell (`above`) and its sub-themes' cells in the other level's answer
    (`line`: cell, shown count or None, true count): never exactly one of them hidden. What the top-level cell counts
    beyond them (questions coded with the top-level theme alone) is never shown, so it is one more hidden value: with
    every sub-theme shown it would be the difference, which must then not be small. Returns the sub-theme cell to hide
    next (the smallest shown), `ABOVE` when none is left to hide, or None when the line is safe."""
    counted = [(cell, shown, true) for cell, shown, true in line if true]
    hidden = sum(shown is None for _, shown, _ in counted)
    beyond = above - sum(true for _, _, true in counted)  # the top-level code's own (< 0: questions in two)
    if not (hidden == 1 and beyond <= 0 or hidden == 0 and 0 < beyond < threshold):
        return None
    visible = [(true, str(cell), cell) for cell, shown, true in counted if shown is not None]
    return min(visible, key=lambda v: v[:2])[2] if visible else ABOVE


def _extended(cells: Mapping[tuple[Hashable, Hashable], int], rows: list[Hashable], cols: list[Hashable],
              col_totals: Mapping[Hashable, int] | None, total: int | None) -> dict[tuple[Any, Any], int]:
    grid = {(r, c): cells.get((r, c), 0) for r in rows for c in cols}
    for r in rows:
        grid[(r, TOTAL)] = sum(grid[(r, c)] for c in cols)
    for c in cols:
        grid[(TOTAL, c)] = (col_totals or {}).get(c, sum(grid[(r, c)] for r in rows))
    grid[(TOTAL, TOTAL)] = total if total is not None else sum(grid[(TOTAL, c)] for c in cols)
    return grid


def _second(line: list[tuple[Any, Any]], grid: Mapping[tuple[Any, Any], int],
            hidden: set[tuple[Any, Any]]) -> tuple[Any, Any] | None:
    """The cell to hide beside a line's single hidden one: its smallest visible non-zero cell, the total last."""
    candidates = [at for at in line if at not in hidden and grid[at] > 0]
    if not candidates:
        return None
    return min(candidates, key=lambda at: (TOTAL in at, grid[at]))
