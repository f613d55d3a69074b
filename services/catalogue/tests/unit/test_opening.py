"""Opening hours from RFC 5545 recurrences, with exceptional closures."""
from datetime import date, time

from contracts.events.catalogue import Closure, Schedule
from services.catalogue.domain.opening import Window, occurs_on, open_on, open_on_weekday

TUE, WED = date(2026, 12, 1), date(2026, 12, 2)
MORNINGS = Schedule(byday=("TU", "TH"), opens_at="09:00", closes_at="12:00")


def test_weekly_schedule_opens_on_its_days_only() -> None:
    assert occurs_on(MORNINGS, TUE) and not occurs_on(MORNINGS, WED)


def test_time_windows_and_instants() -> None:
    assert open_on([MORNINGS], [], TUE, Window(time(8), time(10)))
    assert not open_on([MORNINGS], [], TUE, Window(time(12), time(17)))
    assert open_on([MORNINGS], [], TUE, Window(time(11, 59), time(11, 59)))
    assert not open_on([MORNINGS], [], TUE, Window(time(12), time(12)))


def test_monthly_ordinal_days() -> None:
    last_friday = Schedule(freq="MONTHLY", byday=("-1FR",), opens_at="14:00", closes_at="16:00")
    assert occurs_on(last_friday, date(2026, 11, 27)) and not occurs_on(last_friday, date(2026, 11, 20))


def test_every_other_week_counts_from_valid_from() -> None:
    biweekly = Schedule(byday=("MO",), interval=2, valid_from=date(2026, 1, 5))
    assert occurs_on(biweekly, date(2026, 1, 19)) and not occurs_on(biweekly, date(2026, 1, 12))


def test_validity_period_bounds_the_schedule() -> None:
    summer = Schedule(byday=("TU",), valid_from=date(2026, 7, 1), valid_to=date(2026, 8, 31))
    assert occurs_on(summer, date(2026, 7, 7)) and not occurs_on(summer, TUE)
    assert not open_on_weekday([summer], "TU", Window(), today=TUE)


def test_exceptional_closure_wins_over_the_schedule() -> None:
    christmas = Closure(starts=date(2026, 12, 24), ends=date(2027, 1, 1))
    thursday = date(2026, 12, 24)
    assert not open_on([MORNINGS], [christmas], thursday) and open_on([MORNINGS], [christmas], date(2027, 1, 7))


def test_a_schedule_without_days_never_counts_as_open() -> None:
    assert not open_on([Schedule(opens_at="09:00", closes_at="17:00")], [], TUE)
