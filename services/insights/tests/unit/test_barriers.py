"""Barriers per theme and service: counted once per question under its current themes and barriers."""
from __future__ import annotations

from contracts.events.intake import QuestionClarified, QuestionClosed, QuestionRegistered
from contracts.events.intake_signal import SignalReported
from services.insights.domain.barriers import Barriers, barrier_of
from services.insights.tests.unit.events import env, totals


def registered(q: str, themes: tuple[str, ...], barriers: tuple[str, ...]) -> QuestionRegistered:
    return QuestionRegistered(question_id=q, office_id="o", client_id="c", channel="walk-in", themes=themes,
                              barriers=barriers, client_languages=("ar",), language_used="ar")


def cells(found: dict, view_key: str = "theme") -> dict[tuple[str, str, str], int]:
    return {(dict(k)["month"], dict(k)[view_key], dict(k)["barrier"]): n for (k, _), n in found.items()
            if view_key in dict(k)}


def test_sub_themes_count_under_their_top_level_theme_for_each_barrier() -> None:
    found = totals(Barriers(), [env("question-b1", registered("b1", ("housing.search", "work"), ("language", "cost")))])
    assert cells(found) == {("2026-03", t, b): 1 for t in ("*", "housing", "housing.search", "work")
                            for b in ("language", "cost")}


def test_a_clarification_moves_the_counts_in_the_registration_month_and_questions_without_barriers_count_nowhere(
        ) -> None:
    s = "question-b2"
    found = totals(Barriers(), [
        env(s, registered("b2", ("work",), ("language",)), at="2026-03-31T22:30:00+00:00"),  # April in Brussels
        env(s, QuestionClarified(question_id="b2", themes=("housing.search",), barriers=("language", "digital")),
            at="2026-05-02T10:00:00+02:00"),
        env(s, QuestionClosed(question_id="b2", outcome="answered")),
        env("question-b3", registered("b3", ("work",), ())),
    ])
    # work/language went to 0 and is left out; the question keeps its April month and counts once per cell.
    assert cells(found) == {("2026-04", t, b): 1 for t in ("*", "housing", "housing.search")
                            for b in ("language", "digital")}


def test_a_clarification_that_drops_every_barrier_takes_the_question_out_and_a_stray_one_counts_nowhere() -> None:
    s = "question-b4"
    found = totals(Barriers(), [
        env(s, registered("b4", ("health",), ("cost",))),
        env(s, QuestionClarified(question_id="b4", themes=("health",), barriers=())),
        env("question-unseen", QuestionClarified(question_id="x", themes=("work",), barriers=("cost",))),
    ])
    assert found == {}


def test_signals_count_per_service_and_barrier() -> None:
    signal = SignalReported(signal_id="s-1", office_id="o", themes=("work",), barriers=("language", "language", "cost"),
                            services=("svc-1", "VDAB Kortrijk"), text="Geen tolk aan het loket.")
    found = totals(Barriers(), [env("s-1", signal)])
    assert cells(found, "service") == {("2026-03", s, b): 1 for s in ("svc-1", "VDAB Kortrijk")
                                       for b in ("language", "cost")}
    assert "Geen tolk" not in str(found)


def test_failure_reasons_map_to_the_barrier_they_name() -> None:
    assert [barrier_of(r) for r in ("barrier-language", "barrier-cost", "barrier-transport", "barrier-documents",
                                    "could-not-contact", "barrier-weather")] == [
        "language", "cost", "mobility", "administrative-complexity", None, "barrier-weather"]
