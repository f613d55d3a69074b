"""The window of dates commands and queries accept: none before `earliest`, none more than `ahead_days` after today.

A date outside it is a typing error (a question dated 1900, a month in 2207), refused with the field named. The
window is read from the settings once, when the process starts (`configure`); pydantic validators call the checks.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta


@dataclass(frozen=True)
class Window:
    earliest: date = date(2000, 1, 1)
    ahead_days: int = 1

    def latest(self) -> date:
        return datetime.now(UTC).date() + timedelta(days=self.ahead_days)


_window = Window()


def configure(earliest: date, ahead_days: int) -> None:
    """Set the window of this process (from `Settings.dates_earliest` and `Settings.dates_ahead_days`)."""
    global _window
    _window = Window(earliest, ahead_days)


def window() -> Window:
    return _window


def day(value: date) -> date:
    """`value`, or ValueError when it lies outside the window."""
    _overlaps(value, value, value.isoformat())
    return value


def _overlaps(first: date, last: date, shown: str) -> None:
    """ValueError naming `shown` unless some day from `first` to `last` lies within the window."""
    w = _window
    if last < w.earliest:
        raise ValueError(f"{shown} lies before {w.earliest.isoformat()}, the earliest date accepted")
    if first > w.latest():
        raise ValueError(f"{shown} lies more than {w.ahead_days} day(s) ahead")


def moment(value: datetime | None) -> datetime | None:
    """A point in time whose UTC date lies within the window."""
    if value is not None:
        day(value.astimezone(UTC).date())
    return value


def day_text(value: str | None) -> str | None:
    """A calendar date written `YYYY-MM-DD` (2026-02-30 is none), within the window."""
    if value is None:
        return None
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value[:10]!r} is not a calendar date YYYY-MM-DD") from None
    if len(value) != 10:
        raise ValueError("a calendar date YYYY-MM-DD")
    day(parsed)
    return value


def month_text(value: str | None) -> str | None:
    """A month written `YYYY-MM` some day of which lies within the window."""
    if value is None:
        return None
    year, month = int(value[:4]), int(value[5:7])
    _overlaps(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]), value)
    return value
