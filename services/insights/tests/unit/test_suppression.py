"""Small-cell suppression: nothing below the threshold is visible, and nothing hidden can be derived from totals."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.insights.domain.suppression import suppress

K = 5


def test_counts_below_the_threshold_are_hidden_and_zero_and_larger_counts_shown() -> None:
    table = suppress({("a", "m1"): 7, ("a", "m2"): 0, ("b", "m1"): 12, ("b", "m2"): 30}, K)
    assert table.cells == {("a", "m1"): 7, ("a", "m2"): 0, ("b", "m1"): 12, ("b", "m2"): 30}
    assert table.total == 49


def test_a_single_hidden_cell_in_a_row_hides_the_smallest_other_one_too() -> None:
    table = suppress({("a", "m1"): 3, ("a", "m2"): 9, ("a", "m3"): 20, ("b", "m1"): 40, ("b", "m2"): 40,
                      ("b", "m3"): 40}, K)
    assert table.cells[("a", "m1")] is None and table.cells[("a", "m2")] is None
    assert table.cells[("a", "m3")] == 20 and table.row_totals["a"] == 32


def test_a_total_that_would_reveal_is_hidden() -> None:
    table = suppress({("a", "m1"): 2, ("b", "m1"): 1}, K)
    assert table.cells == {("a", "m1"): None, ("b", "m1"): None} and table.total is None


def test_given_totals_are_treated_as_line_sums() -> None:
    table = suppress({("housing", "m1"): 8, ("work", "m1"): 6}, K, col_totals={"m1": 11}, total=11)
    assert table.total == 11 and table.cells == {("housing", "m1"): 8, ("work", "m1"): 6}


counts = st.dictionaries(st.tuples(st.sampled_from("abcd"), st.sampled_from(["m1", "m2", "m3"])),
                         st.integers(0, 25), min_size=1)


@settings(max_examples=300, deadline=None)
@given(counts)
def test_no_small_count_is_visible_and_no_hidden_one_is_alone_in_a_line(cells) -> None:
    table = suppress(cells, K)
    rows = sorted({r for r, _ in cells})
    cols = sorted({c for _, c in cells})
    full = {(r, c): table.cells.get((r, c), 0) for r in rows for c in cols}
    visible = [*full.values(), *table.row_totals.values(), *table.col_totals.values(), table.total]
    assert not [n for n in visible if n is not None and 0 < n < K]
    for line, line_total in [([full[(r, c)] for c in cols], table.row_totals[r]) for r in rows] + \
                            [([full[(r, c)] for r in rows], table.col_totals[c]) for c in cols] + \
                            [(list(table.row_totals.values()), table.total),
                             (list(table.col_totals.values()), table.total)]:
        assert [*line, line_total].count(None) != 1, (line, line_total)
