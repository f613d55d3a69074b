"""The demo's synthetic year as planned (pure): large enough that every policy view shows counts above the
threshold, dated within what RegisterQuestion accepts, every step one the domain allows, nothing personal."""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from contracts import taxonomy
from services import demo_year
from services.plumbing import screening

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


def test_a_year_of_two_municipalities_with_every_kind_of_work() -> None:
    year = demo_year.plan(NOW)
    assert len(year.questions) >= 3000 and {q.tenant for q in year.questions} == {"kortrijk", "brugge"}
    assert Counter(q.refer for q in year.questions if q.refer).keys() == {
        "requested", "accepted", "rejected", "failed", "completed", "alone"}
    assert all(n >= 30 for n in Counter(q.refer for q in year.questions if q.refer).values())
    assert sum(bool(q.clarify) for q in year.questions) >= 300
    assert sum(bool(q.accompany) for q in year.questions) >= 300
    assert len({q.gap for q in year.questions if q.gap}) >= 4 and sum(bool(q.gap) for q in year.questions) >= 300
    returning = Counter((q.tenant, q.client) for q in year.questions)
    assert sum(n > 1 for n in returning.values()) >= 300, "returning clients"
    assert len(year.signals) >= 50


def test_the_dates_lie_across_the_past_year_within_what_intake_accepts() -> None:
    dates = [datetime.fromisoformat(q.register["occurred_at"]) for q in demo_year.plan(NOW).questions]
    assert min(dates) >= NOW - timedelta(days=366) and max(dates) <= NOW
    months = Counter(d.strftime("%Y-%m") for d in dates)
    past = [n for month, n in months.items() if month != NOW.strftime("%Y-%m")]
    assert len(past) >= 12 and min(past) >= 150, "every month of the year has questions"
    assert sum(d.date() == NOW.date() for d in dates) >= 20, "today's questions for the front office's list"


def test_every_step_is_one_the_domain_allows() -> None:
    for q in demo_year.plan(NOW).questions:
        assert all(t in taxonomy.themes() for t in q.register["themes"] + q.clarify)
        assert all(b in taxonomy.barriers() for b in q.register["barriers"])
        assert q.register["channel"] in taxonomy.channels()
        assert not q.clarify or q.clarify != q.register["themes"], "a clarification changes the themes"
        assert q.close != "answered" or q.inform or q.accompany, "answered needs informed or accompanied"
        assert q.close != "gap" or q.gap
        assert not (q.gap and q.refer)


def test_the_same_plan_and_command_ids_for_the_same_seed_so_a_second_demo_changes_nothing() -> None:
    first, again = demo_year.plan(NOW), demo_year.plan(NOW + timedelta(hours=5))
    assert [q.key for q in first.questions] == [q.key for q in again.questions]
    assert [q.register["themes"] for q in first.questions] == [q.register["themes"] for q in again.questions]
    assert len({q.key for q in first.questions}) == len(first.questions)


def test_no_contact_details_in_the_free_text_it_sends() -> None:
    for s in demo_year.plan(NOW).signals:
        assert not screening.find(s["text"]), s["text"]
