"""Dates outside the accepted window are refused with the field named: a question dated 1900, 2026-02-30."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.intake.domain.commands import ListOfficeQuestions, RegisterQuestion
from services.plumbing import dates
from services.plumbing.errors import describe

QUESTION = dict(command_id="cmd-00000001", tenant="kortrijk", office_id="o-1", channel="whatsapp", themes=("work",),
                client_languages=("nl",), language_used="nl")


def refusal(build) -> str:
    with pytest.raises(ValidationError) as caught:
        build()
    return describe(caught.value)


def test_a_question_dated_1900_is_refused() -> None:
    message = refusal(lambda: RegisterQuestion(**QUESTION, occurred_at=datetime(1900, 5, 1, tzinfo=UTC)))
    assert message.startswith("occurred_at: ") and "before 2000-01-01" in message
    assert RegisterQuestion(**QUESTION, occurred_at=datetime(2000, 1, 1, tzinfo=UTC)).occurred_at


@pytest.mark.parametrize("day, reason", [("2026-02-30", "not a calendar date"), ("1900-01-01", "before 2000-01-01"),
                                         ((date.today() + timedelta(days=3)).isoformat(), "ahead")])
def test_an_office_day_is_a_real_date_in_the_window(day: str, reason: str) -> None:
    message = refusal(lambda: ListOfficeQuestions(tenant="kortrijk", office_id="o-1", day=day))
    assert message.startswith("day: ") and reason in message


def test_the_window_is_configured() -> None:
    try:
        dates.configure(date(1900, 1, 1), 1)
        assert RegisterQuestion(**QUESTION, occurred_at=datetime(1900, 5, 1, tzinfo=UTC)).occurred_at
    finally:
        dates.configure(date(2000, 1, 1), 1)
