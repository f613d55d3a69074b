"""Reason codes of rejected and failed referrals: each service's reasons add up to its shown count, so they are
suppressed as lines with that count."""
from __future__ import annotations

from services.insights.application.policy import reason_cells, status_rows


def raw(service: str, facet: str, value: str, n: int) -> dict:
    return {"organization": "org", "service": service, "facet": facet, "value": value, "period": "2026-03", "n": n}


def test_a_shown_count_with_one_small_reason_hides_a_second_reason() -> None:
    # svc-a failed 6 (shown): transport 5 would give the hidden cost 1 away as 6 - 5.
    cells = reason_cells([raw("svc-a", "status", "requested", 6), raw("svc-a", "status", "failed", 6),
                          raw("svc-a", "failed", "barrier-transport", 5), raw("svc-a", "failed", "barrier-cost", 1)], 5)
    assert set(cells.values()) == {None}


def test_reasons_never_add_up_to_a_count_hidden_in_the_status_table() -> None:
    # failed: svc-a 7, svc-b 2 in March; the status table hides b (small) and so a (else 9 - 7 = 2): a's only reason
    # 7 would show a's hidden count. svc-c's 8 are shown with one reason of 8: nothing to hide.
    rows = [raw("svc-a", "status", "failed", 7), raw("svc-a", "failed", "barrier-cost", 7),
            raw("svc-b", "status", "failed", 2), raw("svc-b", "failed", "other", 2),
            raw("svc-c", "status", "failed", 8), raw("svc-c", "failed", "other", 8),
            raw("svc-c", "status", "rejected", 5), raw("svc-c", "rejected", "language", 5)]
    cells = {k[1]: n for (k, _), n in reason_cells(rows, 5).items() if k[2] == "failed"}
    assert cells == {"svc-a": None, "svc-b": None, "svc-c": 8}


def test_accompanied_is_hidden_where_the_requests_in_other_modes_are_few() -> None:
    # svc-a: 8 requested, 6 accompanied: shown, 8 - 6 would tell that 2 were not accompanied. svc-b: 10 and 10 (0 is
    # no one). The total 18 - 16 = 2 as well: the total's accompanied is hidden, and so is a cell beside it.
    rows, total = status_rows([raw("svc-a", "status", "requested", 8), raw("svc-a", "mode", "accompanied", 6),
                               raw("svc-b", "status", "requested", 10), raw("svc-b", "mode", "accompanied", 10)], 5)
    assert {r["service"]: (r["requested"], r["accompanied"]) for r in rows} == {"svc-a": (8, None), "svc-b": (10, None)}
    assert (total["requested"], total["accompanied"]) == (18, None)
    rows, total = status_rows([raw("svc-c", "status", "requested", 9), raw("svc-c", "mode", "accompanied", 2)], 5)
    assert ([(r["requested"], r["accompanied"]) for r in rows], total["accompanied"]) == ([(9, None)], None)
