"""A period's months lie in the accepted window, the end not before the start."""
from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.insights.application.queries import PeriodQuery
from services.plumbing.errors import describe


@pytest.mark.parametrize("start, end, field, reason", [
    ("2026-05", "2026-03", "to_month", "2026-03 lies before from_month 2026-05"),
    ("1900-01", None, "from_month", "before 2000-01-01"),
    (None, "2207-01", "to_month", "ahead"),
])
def test_months_out_of_order_or_out_of_the_window_are_refused(start, end, field, reason) -> None:
    with pytest.raises(ValidationError) as caught:
        PeriodQuery(tenant="kortrijk", from_month=start, to_month=end)
    message = describe(caught.value)
    assert message.startswith(f"{field}: ") and reason in message


def test_a_period_in_the_window_is_accepted() -> None:
    assert PeriodQuery(tenant="kortrijk", from_month="2000-01", to_month="2026-11").to_month == "2026-11"
