"""Suppression of the Barriers and SignalCounts answers, from view rows worked out by hand (threshold 5)."""
from __future__ import annotations

from services.insights.application.barriers import tables
from services.insights.application.policy import ThemeQuery
from services.insights.application.signals import count_table

MARCH, APRIL = "2026-03", "2026-04"


def q(**more: str) -> ThemeQuery:
    return ThemeQuery(tenant="kortrijk", **more)


def asked(barrier: str, month: str, **themes: int) -> list[dict]:
    return [{"barrier": barrier, "theme": t.replace("_", ".", 1), "month": month, "questions": n}
            for t, n in themes.items()]


COST = asked("cost", MARCH, **{"*": 14, "housing": 6, "housing_search": 6, "work": 7, "health": 1})


def test_a_small_theme_is_hidden_with_the_next_smallest_and_the_total_stays() -> None:
    [cost] = tables(q(), COST, [], [], 5)["barriers"]
    # Column March: housing 6, work 7, health 1 (hidden), total 14: with health alone hidden, 14 - 6 - 7 would give
    # it away, so the smallest visible count (housing 6) is hidden too.
    assert {r["theme"]: r["questions"] for r in cost["themes"]} == {"housing": None, "work": 7, "health": None}
    assert cost["questions"] == 14


def test_one_theme_level_per_answer() -> None:
    rows = asked("cost", MARCH, **{"*": 18, "housing": 11, "housing_search": 6, "housing_social-rental": 5, "work": 7})
    [top] = tables(q(), rows, [], [], 5)["barriers"]
    assert [(r["theme"], r["questions"]) for r in top["themes"]] == [("housing", 11), ("work", 7)]
    [sub] = tables(q(level="sub"), rows, [], [], 5)["barriers"]
    assert [(r["theme"], r["questions"]) for r in sub["themes"]] == [("housing.search", 6),
                                                                      ("housing.social-rental", 5)]
    assert sub["questions"] == 18


def test_periods_are_grouped_before_suppression_and_each_barrier_is_its_own_table() -> None:
    rows = [*asked("language", MARCH, **{"*": 3, "work": 3}), *asked("language", APRIL, **{"*": 4, "work": 4}),
            *asked("digital", APRIL, **{"*": 2, "work": 2})]
    answer = tables(q(period="quarter"), rows, [], [], 5)
    assert [(b["barrier"], [(r["theme"], r["period"], r["questions"]) for r in b["themes"]], b["questions"])
            for b in answer["barriers"]] == [("digital", [("work", "2026-Q2", None)], None),
                                             ("language", [("work", "2026-Q1", None), ("work", "2026-Q2", None)], 7)]


def test_failed_referrals_are_the_reason_cells_of_service_access_and_signals_a_table_of_their_own() -> None:
    access = [{"organization": "ocmw", "service": "svc-1", "facet": f, "value": v, "period": MARCH, "n": n}
              for f, v, n in (("failed", "barrier-transport", 5), ("failed", "barrier-cost", 1),
                              ("failed", "could-not-contact", 9), ("status", "failed", 15))]
    signals = [{"barrier": "mobility", "service": s, "month": MARCH, "signals": n} for s, n in (("svc-1", 6),
                                                                                                 ("VDAB", 2))]
    answer = {b["barrier"]: b for b in tables(q(), [], signals, access, 5)["barriers"]}
    assert list(answer) == ["cost", "mobility"]  # could-not-contact names no barrier
    # Reasons column March: 5, 1 (hidden), 9: two hidden needed, so 5 goes too (as ServiceAccess shows it).
    assert [(r["service"], r["referrals"]) for r in answer["mobility"]["failed"]] == [("svc-1", None)]
    assert [(r["service"], r["referrals"]) for r in answer["cost"]["failed"]] == [("svc-1", None)]
    # Signals naming mobility: svc-1 6, VDAB 2 (hidden), so svc-1 is hidden as well; the 8 mentions stay.
    assert [(r["service"], r["signals"]) for r in answer["mobility"]["signals"]] == [("VDAB", None), ("svc-1", None)]
    assert answer["mobility"]["signal_mentions"] == 8


def test_signal_counts_per_theme_and_barrier_with_the_signals_once_as_totals() -> None:
    rows = [{"theme": t, "barrier": b, "month": MARCH, "signals": n} for t, b, n in (
        ("*", "*", 12), ("housing", "language", 7), ("housing.search", "language", 7), ("work", "cost", 6),
        ("", "cost", 1))]
    answer = count_table(q(), rows, 5)
    assert [(r["theme"], r["barrier"], r["signals"]) for r in answer["rows"]] == [
        ("", "cost", None), ("housing", "language", 7), ("work", "cost", None)]
    assert answer["total"] == 12


def test_the_sub_level_hides_the_sub_themes_of_a_hidden_top_level_count() -> None:
    # Language, March: housing.search 6 (all of housing), work 2, * 8. The top level hides work (2) and housing
    # (6, secondary). Were housing.search 6 shown at the sub level, 8 - 6 would give work's 2 away.
    rows = asked("language", MARCH, **{"*": 8, "housing": 6, "housing_search": 6, "work": 2})
    [top] = tables(q(), rows, [], [], 5)["barriers"]
    assert ([(r["theme"], r["questions"]) for r in top["themes"]], top["questions"]) == (
        [("housing", None), ("work", None)], 8)
    [sub] = tables(q(level="sub"), rows, [], [], 5)["barriers"]
    assert ([(r["theme"], r["questions"]) for r in sub["themes"]], sub["questions"]) == (
        [("housing.search", None)], None)


def test_a_shown_top_level_count_never_has_exactly_one_of_its_sub_themes_hidden() -> None:
    # Cost, March: housing.search 20 and housing.social-rental 2 (housing 22), work.job-search 6 and
    # work.diploma-recognition 7 (work 13). The top level shows housing 22: beside it, housing.search 20 shown at the
    # sub level would give housing.social-rental's 2 away (found in review), so it is hidden too.
    rows = asked("cost", MARCH, **{"*": 35, "housing": 22, "housing_search": 20, "housing_social-rental": 2,
                                   "work": 13, "work_job-search": 6, "work_diploma-recognition": 7})
    [top] = tables(q(), rows, [], [], 5)["barriers"]
    assert [(r["theme"], r["questions"]) for r in top["themes"]] == [("housing", 22), ("work", 13)]
    [sub] = tables(q(level="sub"), rows, [], [], 5)["barriers"]
    shown = {r["theme"]: r["questions"] for r in sub["themes"]}
    assert shown["housing.social-rental"] is None and shown["housing.search"] is None


def test_signal_counts_of_the_two_levels_are_suppressed_together() -> None:
    # Signals, March: naming language housing.search 10, housing.social-rental 2 (housing 12), work 9; naming cost
    # work.job-search 3. The top level shows housing 12, so the sub level hides housing.search with the 2 (its column
    # would not: two counts are hidden there already).
    counts = [{"theme": t, "barrier": b, "month": MARCH, "signals": n} for t, b, n in (
        ("*", "*", 24), ("*", "language", 21), ("*", "cost", 3), ("housing", "language", 12),
        ("housing.search", "language", 10), ("housing.social-rental", "language", 2), ("work", "language", 9),
        ("work", "cost", 3), ("work.job-search", "cost", 3))]
    top = {(r["theme"], r["barrier"]): r["signals"] for r in count_table(q(), counts, 5)["rows"]}
    assert top[("housing", "language")] == 12
    sub = {(r["theme"], r["barrier"]): r["signals"] for r in count_table(q(level="sub"), counts, 5)["rows"]}
    assert sub[("housing.social-rental", "language")] is None and sub[("housing.search", "language")] is None


def test_the_questions_of_a_top_level_code_alone_are_not_shown_as_a_difference() -> None:
    # Found in the second review: health 13 at the top level, health.dental-care 6 and health.find-gp 5 at the sub
    # level would show that 2 questions were coded `health` alone, so one of the two is hidden.
    rows = asked("cost", MARCH, **{"*": 22, "health": 13, "health_dental-care": 6, "health_find-gp": 5, "work": 9})
    [top] = tables(q(), rows, [], [], 5)["barriers"]
    assert {r["theme"]: r["questions"] for r in top["themes"]} == {"health": 13, "work": 9}
    [sub] = tables(q(level="sub"), rows, [], [], 5)["barriers"]
    shown = {r["theme"]: r["questions"] for r in sub["themes"]}
    assert shown["health.dental-care"] is None or shown["health.find-gp"] is None
